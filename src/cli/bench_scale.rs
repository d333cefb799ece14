//! The scale scenarios of `pipesim bench`, on one thread in virtual time: heap bytes per
//! pipeline and per retained action run, and whether reads slow down when an account
//! holds 100,000 pipelines instead of 10.

use std::time::{Duration, Instant};

use serde::Serialize;

use pipesim::Simulator;
use pipesim::model::{
    ActionDeclaration, ActionTypeId, CreatePipelineInput, ExecutionMode, GetPipelineExecutionInput,
    GetPipelineInput, GetPipelineStateInput, ListPipelineExecutionsInput, PipelineDeclaration,
    StageDeclaration, Tag,
};

use super::bench::{Report, current_thread_runtime, progress};
use super::heap;

/// Executions each pipeline of `reads/at-scale` has run.
const EXECUTIONS_PER_PIPELINE: usize = 3;
/// Pipelines in the small account of `reads/at-scale`.
const FEW_PIPELINES: usize = 10;

/// What `memory/pipelines` counts for each pipeline.
const COUNTED: &str = "registry entry, engine, stored declaration, 2 tags";

/// The cost of one read in both accounts of `reads/at-scale`.
#[derive(Debug, Serialize)]
pub(super) struct ReadCost {
    pub(super) read: &'static str,
    pub(super) ns_few: f64,
    pub(super) ns_many: f64,
    /// `ns_many / ns_few`: about 1 when the read does not depend on the pipeline count.
    pub(super) ratio: f64,
}

fn simulator(seed: u64, max_pipelines: usize) -> Simulator {
    Simulator::builder()
        .seed(seed)
        .virtual_time()
        .start_on_create(false)
        .max_pipelines(max_pipelines)
        .build()
}

/// A 10-stage pipeline: the S3 source, then nine deploy stages of one S3 deploy action,
/// every second one with a second (`Mirror`).
pub(super) fn ten_stage(name: &str) -> PipelineDeclaration {
    let mut pipeline = PipelineDeclaration::two_stage_example(name);
    pipeline.stages.truncate(1);
    for i in 1..10 {
        let ship = |action: &str| {
            ActionDeclaration::new(action, ActionTypeId::s3_deploy())
                .config("BucketName", format!("pipesim-site-{i}"))
                .config("Extract", "true")
                .input("Src")
        };
        let mut actions = vec![ship("Ship")];
        if i % 2 == 0 {
            actions.push(ship("Mirror"));
        }
        pipeline
            .stages
            .push(StageDeclaration::new(format!("Stage{i}"), actions));
    }
    pipeline
}

fn tagged(pipeline: PipelineDeclaration) -> CreatePipelineInput {
    let mut input = CreatePipelineInput::new(pipeline);
    input.tags = vec![Tag::new("team", "platform"), Tag::new("env", "production")];
    input
}

/// Heap bytes per pipeline: `count` tagged pipelines created on a fresh simulator after
/// one warm-up pipeline, the allocator's bytes in use read before and after.
async fn bytes_per_pipeline(
    seed: u64,
    count: usize,
    make: fn(&str) -> PipelineDeclaration,
) -> Result<f64, String> {
    let sim = simulator(seed, count + 1);
    sim.create_pipeline(tagged(make("warm-up")))
        .await
        .map_err(|e| e.to_string())?;
    let measurement = heap::Measurement::start()?;
    for i in 0..count {
        let name = format!("bench-{i:06}");
        sim.create_pipeline(tagged(make(&name)))
            .await
            .map_err(|e| format!("cannot create {name}: {e}"))?;
    }
    let bytes = measurement.live_bytes();
    drop(sim);
    Ok(bytes as f64 / count as f64)
}

/// `memory/pipelines`: bytes per two-stage and per 10-stage pipeline, `count` of each.
pub(super) fn pipelines(seed: u64, count: usize) -> Result<Report, String> {
    current_thread_runtime()?.block_on(async {
        let bar = progress("memory/pipelines", None);
        let started = Instant::now();
        let two =
            bytes_per_pipeline(seed, count, |n| PipelineDeclaration::two_stage_example(n)).await?;
        let ten = bytes_per_pipeline(seed, count, ten_stage).await?;
        let seconds = started.elapsed().as_secs_f64();
        bar.finish_and_clear();
        let ops = 2 * count as u64;
        let mut report = Report::throughput("memory/pipelines", ops, seconds, 1, 0);
        report.pipelines = Some(count as u64);
        report.bytes_per_pipeline = Some(two);
        report.bytes_per_10_stage_pipeline = Some(ten);
        report.counted = Some(COUNTED);
        Ok(report)
    })
}

/// `memory/action-runs`: bytes per action run kept for `ListActionExecutions`.
///
/// The action log and the execution history share one limit, `limit`. A PARALLEL
/// two-stage pipeline runs two action runs per execution: after `limit / 2` executions
/// the log is full, and the next `limit / 2` executions add to the history only, the log
/// replacing its oldest runs. So the first half costs `limit / 2` executions and `limit`
/// action runs, the second `limit / 2` executions alone, and their difference over
/// `limit` is the bytes of one action run.
///
/// `limit` is three times a power of two (at least `executions`): both ring buffers then
/// grow alike in both halves, and the log's final capacity (4/3 of `limit`) leaves room
/// for the run pushed before the oldest is dropped. At a power of two that one push
/// doubles the log in the second half, and the difference would mean nothing.
pub(super) fn action_runs(seed: u64, executions: u64) -> Result<Report, String> {
    const BATCH: u64 = 512;
    let limit = 3 * executions.div_ceil(3).next_power_of_two().max(2 * BATCH);
    current_thread_runtime()?.block_on(async {
        let sim = Simulator::builder()
            .seed(seed)
            .virtual_time()
            .history_limit(limit as usize)
            .max_concurrent_executions(BATCH as u32)
            .start_on_create(false)
            .build();
        let name = "bench-action-runs";
        let pipeline = PipelineDeclaration::two_stage_example(name).v2(ExecutionMode::Parallel);
        sim.create_pipeline(pipeline)
            .await
            .map_err(|e| e.to_string())?;
        let bar = progress("memory/action-runs", None);
        let mut errors = 0u64;
        let run_half = async |sim: &Simulator, errors: &mut u64| {
            for _ in 0..limit / 2 / BATCH {
                for _ in 0..BATCH {
                    if sim.start_pipeline_execution(name).await.is_err() {
                        *errors += 1;
                    }
                }
                // Every action takes 100 ms by default; a minute finishes the batch.
                sim.advance(Duration::from_secs(60)).await;
            }
        };
        let started = Instant::now();
        let measurement = heap::Measurement::start()?;
        run_half(&sim, &mut errors).await;
        let first = measurement.live_bytes();
        let full_log = sim.pipeline_stats(name).map_err(|e| e.to_string())?;
        run_half(&sim, &mut errors).await;
        let second = measurement.live_bytes() - first;
        let seconds = started.elapsed().as_secs_f64();
        bar.finish_and_clear();
        let stats = sim.pipeline_stats(name).map_err(|e| e.to_string())?;
        if stats.active_executions != 0 || full_log.retained_action_runs as u64 != limit {
            return Err(format!(
                "{} executions active, {} action runs after the first half (expected {limit}): \
                 the measurement is not valid",
                stats.active_executions, full_log.retained_action_runs
            ));
        }
        let half = (limit / 2) as f64;
        let mut report = Report::throughput("memory/action-runs", limit, seconds, 1, errors);
        report.bytes_per_action_run = Some((first - second) as f64 / limit as f64);
        report.bytes_per_execution = Some(second as f64 / half);
        report.retained_executions = Some(stats.retained_executions as u64);
        report.retained_action_runs = Some(stats.retained_action_runs as u64);
        Ok(report)
    })
}

/// One account of `reads/at-scale`: `count` two-stage pipelines that each ran
/// [`EXECUTIONS_PER_PIPELINE`] executions, and per pipeline what the reads ask for.
struct Account {
    sim: Simulator,
    names: Vec<String>,
    /// The oldest execution of each pipeline.
    first_ids: Vec<String>,
    /// The token of each pipeline's second page of one execution.
    tokens: Vec<String>,
}

async fn account(seed: u64, count: usize) -> Result<Account, String> {
    let sim = simulator(seed, count);
    let names: Vec<String> = (0..count).map(|i| format!("bench-{i:06}")).collect();
    for name in &names {
        sim.create_pipeline(tagged(PipelineDeclaration::two_stage_example(name)))
            .await
            .map_err(|e| format!("cannot create {name}: {e}"))?;
    }
    let mut first_ids = Vec::with_capacity(count);
    for round in 0..EXECUTIONS_PER_PIPELINE {
        for name in &names {
            let id = sim
                .start_pipeline_execution(name.as_str())
                .await
                .map_err(|e| e.to_string())?
                .pipeline_execution_id;
            if round == 0 {
                first_ids.push(id);
            }
        }
        // Both actions take 100 ms: every execution finishes.
        sim.advance(Duration::from_secs(1)).await;
    }
    let mut tokens = Vec::with_capacity(count);
    for name in &names {
        let mut input = ListPipelineExecutionsInput::new(name.as_str());
        input.max_results = Some(1);
        let page = sim
            .list_pipeline_executions(input)
            .await
            .map_err(|e| e.to_string())?;
        tokens.push(page.next_token.ok_or("a first page of one has a token")?);
    }
    Ok(Account {
        sim,
        names,
        first_ids,
        tokens,
    })
}

const READS: [&str; 4] = [
    "GetPipeline",
    "ListPipelineExecutions",
    "GetPipelineExecution",
    "GetPipelineState",
];

/// One read's input, made before the read is timed.
enum ReadInput {
    GetPipeline(GetPipelineInput),
    ListPipelineExecutions(ListPipelineExecutionsInput),
    GetPipelineExecution(GetPipelineExecutionInput),
    GetPipelineState(GetPipelineStateInput),
}

/// The input of `read` for the pipeline at `at`.
fn read_input(account: &Account, read: &str, at: usize) -> ReadInput {
    let name = account.names[at].clone();
    match read {
        "GetPipeline" => ReadInput::GetPipeline(GetPipelineInput {
            name,
            version: None,
        }),
        "ListPipelineExecutions" => {
            let mut input = ListPipelineExecutionsInput::new(name);
            input.max_results = Some(1);
            input.next_token = Some(account.tokens[at].clone());
            ReadInput::ListPipelineExecutions(input)
        }
        "GetPipelineExecution" => ReadInput::GetPipelineExecution(GetPipelineExecutionInput {
            pipeline_name: name,
            pipeline_execution_id: account.first_ids[at].clone(),
        }),
        _ => ReadInput::GetPipelineState(GetPipelineStateInput { name }),
    }
}

/// Calls `read` for `duration`, on pipelines spread over the whole account (a stride
/// coprime with any count, so the large account is read all over, not one hot corner).
/// Returns ns per read, the reads made and the errors answered.
///
/// Only the calls are timed. Each batch's inputs are made first, from the account's
/// tables of names, ids and tokens, as a server has a request in hand before it reads:
/// with 100,000 pipelines those tables are out of cache themselves, and timing their
/// reads would charge the simulator for the bench's own misses. The figure is the median
/// over batches of 64 reads: on a shared machine a batch that another process
/// interrupted is an outlier, and a mean would count it.
async fn time_read(account: &Account, read: &str, duration: Duration) -> (f64, u64, u64) {
    const STRIDE: usize = 7919;
    const BATCH: usize = 64;
    let n = account.names.len();
    let (mut ops, mut errors, mut at) = (0u64, 0u64, 0usize);
    let mut batches = Vec::new();
    let mut inputs = Vec::with_capacity(BATCH);
    let started = Instant::now();
    while started.elapsed() < duration {
        inputs.extend((0..BATCH).map(|_| {
            at = (at + STRIDE) % n;
            read_input(account, read, at)
        }));
        let batch = Instant::now();
        for input in inputs.drain(..) {
            let ok = match input {
                ReadInput::GetPipeline(input) => account.sim.get_pipeline(input).await.is_ok(),
                ReadInput::ListPipelineExecutions(input) => {
                    account.sim.list_pipeline_executions(input).await.is_ok()
                }
                ReadInput::GetPipelineExecution(input) => {
                    account.sim.get_pipeline_execution(input).await.is_ok()
                }
                ReadInput::GetPipelineState(input) => {
                    account.sim.get_pipeline_state(input).await.is_ok()
                }
            };
            if !ok {
                errors += 1;
            }
            ops += 1;
        }
        batches.push(batch.elapsed().as_nanos() as f64 / BATCH as f64);
    }
    batches.sort_by(f64::total_cmp);
    (batches[batches.len() / 2], ops, errors)
}

/// `reads/at-scale`: each read for `duration` against 10 pipelines, then against
/// `count`, the same calls on the same thread.
pub(super) fn reads_at_scale(
    seed: u64,
    count: usize,
    duration: Duration,
) -> Result<Report, String> {
    current_thread_runtime()?.block_on(async {
        let bar = progress("reads/at-scale", None);
        bar.set_message(format!("creating {count} pipelines"));
        let few = account(seed, FEW_PIPELINES).await?;
        let many = account(seed, count).await?;
        bar.set_message("reading");
        let started = Instant::now();
        let (mut ops, mut errors) = (0, 0);
        let mut reads = Vec::new();
        for read in READS {
            let (ns_few, few_ops, few_errors) = time_read(&few, read, duration).await;
            let (ns_many, many_ops, many_errors) = time_read(&many, read, duration).await;
            ops += few_ops + many_ops;
            errors += few_errors + many_errors;
            reads.push(ReadCost {
                read,
                ns_few,
                ns_many,
                ratio: ns_many / ns_few,
            });
        }
        let seconds = started.elapsed().as_secs_f64();
        bar.finish_and_clear();
        let mut report = Report::throughput("reads/at-scale", ops, seconds, 1, errors);
        report.pipelines = Some(count as u64);
        report.few_pipelines = Some(FEW_PIPELINES as u64);
        report.reads = Some(reads);
        Ok(report)
    })
}
