//! `pipesim bench`: throughput and memory of the embedded simulator, measured in
//! process on every core.
//!
//! Throughput scenarios run one worker task per core for a fixed time, each calling
//! `start_pipeline_execution` in a tight loop on a virtual-time simulator whose clock
//! never moves, so what is measured is admission itself. The memory scenarios read the
//! heap's bytes in use from the C allocator (`cli::heap`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use pipesim::Simulator;
use pipesim::model::{ExecutionMode, PipelineDeclaration, StartPipelineExecutionInput};

use super::{bench_jobs, bench_recovery, bench_restart, bench_scale, heap};

/// Flags of `pipesim bench`.
#[derive(Debug, Args)]
pub(crate) struct BenchArgs {
    /// Run only this scenario.
    #[arg(long, value_enum)]
    scenario: Option<Scenario>,

    /// Print one JSON object per line per scenario instead of a table.
    #[arg(long)]
    json: bool,

    /// How long each throughput scenario runs, in seconds.
    #[arg(long, default_value_t = 3.0, value_name = "SECONDS", value_parser = super::seconds)]
    seconds: f64,

    /// Worker threads and tasks; default one per core.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,

    /// Seed of the simulators.
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Executions the memory scenarios run (default 1,000,000), and those
    /// `restart/at-scale` retains over all its pipelines (default 10,000,000).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1000..))]
    executions: Option<u64>,

    /// Pipelines of `memory/pipelines` (of each shape; default 10,000), of the large
    /// account of `reads/at-scale` (default 100,000) and of `restart/at-scale` (default
    /// 10,000).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pipelines: Option<u64>,
}

/// What `pipesim bench` can measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Scenario {
    /// 1000 SUPERSEDED pipelines, starts spread evenly, no tokens.
    #[value(name = "start/many-pipelines")]
    ManyPipelines,
    /// Every start on one SUPERSEDED pipeline: the contended case.
    #[value(name = "start/one-pipeline")]
    OnePipeline,
    /// 1000 pipelines; every start carries a token, and every second start replays the
    /// one before it.
    #[value(name = "start/idempotent")]
    Idempotent,
    /// As start/many-pipelines, after 1,000,000 executions are retained.
    #[value(name = "start/with-history")]
    WithHistory,
    /// Heap bytes per retained finished execution, measured from the C allocator's statistics.
    #[value(name = "memory/retained-executions")]
    RetainedExecutions,
    /// Heap growth under endless tokened starts once the history cap is reached: should
    /// be about zero.
    #[value(name = "memory/steady-state")]
    SteadyState,
    /// `ListActionExecutions` pages of 100 from a pipeline keeping 10,000 action runs.
    #[value(name = "actions/list")]
    ListActions,
    /// A deploy failed and retried with `RetryStageExecution`, over and over.
    #[value(name = "retry/loop")]
    RetryLoop,
    /// Executions through a stage with an entry and a success condition.
    #[value(name = "conditions/gated")]
    Gated,
    /// Job workers polling (10 at a time), acknowledging and succeeding the jobs of a
    /// custom action in 1000 pipelines.
    #[value(name = "jobs/worker")]
    JobWorker,
    /// Heap bytes per pipeline, two-stage and 10-stage, tags and engine included.
    #[value(name = "memory/pipelines")]
    MemoryPipelines,
    /// Heap bytes per action run retained for `ListActionExecutions`.
    #[value(name = "memory/action-runs")]
    ActionRuns,
    /// `GetPipeline`, `ListPipelineExecutions`, `GetPipelineExecution` and
    /// `GetPipelineState`: ns per read with 10 pipelines and with 100,000.
    #[value(name = "reads/at-scale")]
    ReadsAtScale,
    /// A state file of 10,000,000 retained executions over 10,000 pipelines: the
    /// compaction's pause, the restore's time and the heap before and after it.
    #[value(name = "restart/at-scale")]
    RestartAtScale,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::ManyPipelines => "start/many-pipelines",
            Scenario::OnePipeline => "start/one-pipeline",
            Scenario::Idempotent => "start/idempotent",
            Scenario::WithHistory => "start/with-history",
            Scenario::RetainedExecutions => "memory/retained-executions",
            Scenario::SteadyState => "memory/steady-state",
            Scenario::ListActions => "actions/list",
            Scenario::RetryLoop => "retry/loop",
            Scenario::Gated => "conditions/gated",
            Scenario::JobWorker => "jobs/worker",
            Scenario::MemoryPipelines => "memory/pipelines",
            Scenario::ActionRuns => "memory/action-runs",
            Scenario::ReadsAtScale => "reads/at-scale",
            Scenario::RestartAtScale => "restart/at-scale",
        }
    }
}

/// One scenario's result: a JSON line, or a row of the table.
#[derive(Debug, Default, Serialize)]
pub(super) struct Report {
    pub(super) scenario: &'static str,
    ops: u64,
    seconds: f64,
    ops_per_sec: f64,
    threads: usize,
    /// Calls that answered an error; zero in every scenario unless something is wrong.
    errors: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) retained_action_runs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) bytes_per_execution: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) retained_executions: Option<u64>,
    /// Heap bytes gained between the first and the last half of a steady-state run.
    #[serde(skip_serializing_if = "Option::is_none")]
    growth_bytes: Option<i64>,
    /// Calls made to get `ops` done, where that is more than one each: a job worker's
    /// polls, acknowledgements and results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) calls: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) calls_per_sec: Option<f64>,
    /// Pipelines measured: of each shape in `memory/pipelines`, in the large account of
    /// `reads/at-scale`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) pipelines: Option<u64>,
    /// Heap bytes per two-stage pipeline (`PipelineDeclaration::two_stage_example`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) bytes_per_pipeline: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) bytes_per_10_stage_pipeline: Option<f64>,
    /// What a pipeline's bytes include.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) counted: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) bytes_per_action_run: Option<f64>,
    /// Pipelines in the small account of `reads/at-scale`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) few_pipelines: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) reads: Option<Vec<bench_scale::ReadCost>>,
    /// What `restart/at-scale` measured.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub(super) restart: Option<bench_restart::Restart>,
}

impl Report {
    /// A throughput figure: `ops` in `seconds` on `threads`.
    pub(super) fn throughput(
        scenario: &'static str,
        ops: u64,
        seconds: f64,
        threads: usize,
        errors: u64,
    ) -> Self {
        Self {
            scenario,
            ops,
            seconds,
            ops_per_sec: ops as f64 / seconds,
            threads,
            errors,
            ..Self::default()
        }
    }
}

const PIPELINES: usize = 1000;
const HISTORY_PREFILL: u64 = 1_000_000;

pub(crate) fn run(args: BenchArgs) -> Result<(), String> {
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    let scenarios = match args.scenario {
        Some(one) => vec![one],
        None => Scenario::value_variants().to_vec(),
    };
    let duration = Duration::from_secs_f64(args.seconds);
    if !args.json {
        println!(
            "{:<28} {:>12} {:>8} {:>14}  notes",
            "scenario", "ops", "seconds", "ops/s"
        );
    }
    let executions = args.executions.unwrap_or(1_000_000);
    for scenario in scenarios {
        let report = match scenario {
            Scenario::RetainedExecutions => retained_executions(args.seed, executions)?,
            Scenario::SteadyState => steady_state(args.seed, executions)?,
            Scenario::ListActions => bench_recovery::list_action_executions(args.seed, duration)?,
            Scenario::RetryLoop => bench_recovery::retry_loop(args.seed, duration)?,
            Scenario::Gated => bench_recovery::gated_executions(args.seed, duration)?,
            Scenario::JobWorker => bench_jobs::job_workers(args.seed, threads, duration)?,
            Scenario::MemoryPipelines => {
                bench_scale::pipelines(args.seed, args.pipelines.unwrap_or(10_000) as usize)?
            }
            Scenario::ActionRuns => bench_scale::action_runs(args.seed, executions)?,
            Scenario::ReadsAtScale => bench_scale::reads_at_scale(
                args.seed,
                args.pipelines.unwrap_or(100_000) as usize,
                duration,
            )?,
            Scenario::RestartAtScale => bench_restart::restart_at_scale(
                args.seed,
                args.pipelines.unwrap_or(10_000),
                args.executions.unwrap_or(10_000_000),
            )?,
            _ => throughput(scenario, args.seed, threads, duration)?,
        };
        if args.json {
            let line = serde_json::to_string(&report).map_err(|err| err.to_string())?;
            println!("{line}");
        } else {
            print_row(&report);
        }
        if report.errors > 0 {
            return Err(format!(
                "{} answered {} errors: the measurement is not valid",
                report.scenario, report.errors
            ));
        }
    }
    Ok(())
}

fn print_row(report: &Report) {
    let notes = report
        .restart
        .as_ref()
        .map(|restart| restart.notes(report))
        .or_else(|| scale_notes(report))
        .unwrap_or_else(|| other_notes(report));
    println!(
        "{:<28} {:>12} {:>8.2} {:>14.0}  {notes}",
        report.scenario, report.ops, report.seconds, report.ops_per_sec
    );
}

/// The notes of the scale scenarios (`bench_scale`).
fn scale_notes(report: &Report) -> Option<String> {
    if let (Some(two), Some(ten), Some(count)) = (
        report.bytes_per_pipeline,
        report.bytes_per_10_stage_pipeline,
        report.pipelines,
    ) {
        return Some(format!(
            "{two:.0} bytes per two-stage pipeline, {ten:.0} per 10-stage ({count} of each; {})",
            report.counted.unwrap_or_default()
        ));
    }
    if let (Some(run), Some(execution)) = (report.bytes_per_action_run, report.bytes_per_execution)
    {
        return Some(format!(
            "{run:.1} bytes per action run ({} retained), {execution:.1} per execution without its runs",
            report.retained_action_runs.unwrap_or_default()
        ));
    }
    let reads = report.reads.as_ref()?;
    let costs: Vec<String> = reads
        .iter()
        .map(|r| {
            format!(
                "{} {:.0}/{:.0} ns (x{:.2})",
                r.read, r.ns_few, r.ns_many, r.ratio
            )
        })
        .collect();
    Some(format!(
        "{} vs {} pipelines: {}",
        report.few_pipelines.unwrap_or_default(),
        report.pipelines.unwrap_or_default(),
        costs.join(", ")
    ))
}

fn other_notes(report: &Report) -> String {
    match (
        report.bytes_per_execution,
        report.retained_executions,
        report.growth_bytes,
    ) {
        (Some(bytes), Some(kept), _) => {
            format!("{bytes:.1} bytes per execution ({kept} retained)")
        }
        (_, Some(kept), Some(growth)) => {
            format!("{growth} bytes grown over the second half ({kept} retained)")
        }
        _ if report.retained_action_runs.is_some() => format!(
            "pages of 100 ({} action runs retained)",
            report.retained_action_runs.unwrap_or_default()
        ),
        _ => match (report.calls, report.calls_per_sec) {
            (Some(calls), Some(per_sec)) => format!(
                "jobs; {calls} calls (poll, ack, put), {per_sec:.0}/s, {} threads",
                report.threads
            ),
            _ => format!("{} threads", report.threads),
        },
    }
}

pub(super) fn multi_thread_runtime(threads: usize) -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the tokio runtime: {err}"))
}

/// A simulator whose pipelines start nothing on create: a bench counts its own starts.
fn simulator(seed: u64) -> Simulator {
    Simulator::builder()
        .seed(seed)
        .virtual_time()
        .start_on_create(false)
        .build()
}

fn pipeline_names(count: usize) -> Arc<[String]> {
    (0..count).map(|i| format!("bench-{i:04}")).collect()
}

async fn create_pipelines(sim: &Simulator, names: &[String]) -> Result<(), String> {
    for name in names {
        sim.create_pipeline(PipelineDeclaration::two_stage_example(name))
            .await
            .map_err(|err| format!("cannot create {name}: {err}"))?;
    }
    Ok(())
}

/// What one call of a throughput scenario sends: worker `w`'s `i`-th start.
type MakeInput = Arc<dyn Fn(usize, u64) -> StartPipelineExecutionInput + Send + Sync>;

fn throughput(
    scenario: Scenario,
    seed: u64,
    threads: usize,
    duration: Duration,
) -> Result<Report, String> {
    let runtime = multi_thread_runtime(threads)?;
    runtime.block_on(async {
        let sim = simulator(seed);
        let names = pipeline_names(match scenario {
            Scenario::OnePipeline => 1,
            _ => PIPELINES,
        });
        create_pipelines(&sim, &names).await?;
        let spread = {
            let names = Arc::clone(&names);
            let workers = threads as u64;
            move |w: usize, i: u64| {
                let at = (i * workers + w as u64) as usize % names.len();
                StartPipelineExecutionInput::new(names[at].clone())
            }
        };
        let make: MakeInput = match scenario {
            Scenario::Idempotent => {
                let names = Arc::clone(&names);
                let workers = threads as u64;
                Arc::new(move |w, i| {
                    // Starts 2k and 2k+1 share a token: the second is a replay.
                    let k = i / 2;
                    let at = (k * workers + w as u64) as usize % names.len();
                    StartPipelineExecutionInput::new(names[at].clone())
                        .client_request_token(format!("w{w}-{k}"))
                })
            }
            _ => Arc::new(spread),
        };
        if scenario == Scenario::WithHistory {
            let bar = progress(&format!("{}: retaining", scenario.name()), None);
            let per_worker = HISTORY_PREFILL.div_ceil(threads as u64);
            let filled = drive(&sim, threads, &make, Stop::After(per_worker), &bar).await;
            bar.finish_and_clear();
            if filled.errors > 0 {
                return Err(format!("prefill answered {} errors", filled.errors));
            }
        }
        let bar = progress(scenario.name(), Some(duration));
        let run = drive(&sim, threads, &make, Stop::At(duration), &bar).await;
        bar.finish_and_clear();
        Ok(Report {
            scenario: scenario.name(),
            ops: run.ops,
            seconds: run.seconds,
            ops_per_sec: run.ops as f64 / run.seconds,
            threads,
            errors: run.errors,
            bytes_per_execution: None,
            retained_executions: None,
            growth_bytes: None,
            retained_action_runs: None,
            calls: None,
            calls_per_sec: None,
            ..Report::default()
        })
    })
}

/// When workers stop.
#[derive(Clone, Copy)]
enum Stop {
    /// After this long.
    At(Duration),
    /// After this many calls each.
    After(u64),
}

struct Run {
    ops: u64,
    errors: u64,
    seconds: f64,
}

/// Runs one worker task per thread until `stop`, ticking `bar`.
///
/// Workers never yield, so tokio's timers would not fire while they run: they watch the
/// clock themselves, and a plain thread ticks the bar.
async fn drive(
    sim: &Simulator,
    threads: usize,
    make: &MakeInput,
    stop: Stop,
    bar: &ProgressBar,
) -> Run {
    // Workers report in batches, so the shared counters are not contended.
    const BATCH: u64 = 1024;
    let done = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let finished = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let ticker = {
        let (bar, done, finished) = (bar.clone(), Arc::clone(&done), Arc::clone(&finished));
        std::thread::spawn(move || {
            while !finished.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                tick(&bar, &done, started);
            }
        })
    };
    let workers: Vec<_> = (0..threads)
        .map(|w| {
            let (sim, make) = (sim.clone(), Arc::clone(make));
            let (done, errors) = (Arc::clone(&done), Arc::clone(&errors));
            tokio::spawn(async move {
                let mut i = 0u64;
                loop {
                    let mut failed = 0;
                    for _ in 0..BATCH {
                        if sim.start_pipeline_execution(make(w, i)).await.is_err() {
                            failed += 1;
                        }
                        i += 1;
                    }
                    done.fetch_add(BATCH, Ordering::Relaxed);
                    errors.fetch_add(failed, Ordering::Relaxed);
                    let enough = match stop {
                        Stop::After(n) => i >= n,
                        Stop::At(duration) => started.elapsed() >= duration,
                    };
                    if enough {
                        return;
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("bench workers do not panic");
    }
    let seconds = started.elapsed().as_secs_f64();
    finished.store(true, Ordering::Relaxed);
    let _ = ticker.join();
    Run {
        ops: done.load(Ordering::Relaxed),
        errors: errors.load(Ordering::Relaxed),
        seconds,
    }
}

fn tick(bar: &ProgressBar, done: &AtomicU64, started: Instant) {
    let ops = done.load(Ordering::Relaxed);
    let elapsed = started.elapsed();
    if bar.length().is_some() {
        bar.set_position(elapsed.as_millis() as u64);
    }
    bar.set_message(format!(
        "{ops} starts, {:.0}/s",
        ops as f64 / elapsed.as_secs_f64().max(1e-9)
    ));
}

/// A bar over `duration`, or a spinner when the end is a count.
pub(super) fn progress(scenario: &str, duration: Option<Duration>) -> ProgressBar {
    let bar = match duration {
        Some(d) => ProgressBar::new(d.as_millis() as u64).with_style(
            ProgressStyle::with_template("{prefix:>28} [{bar:30}] {msg}")
                .expect("a valid template")
                .progress_chars("=> "),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{prefix:>28} {spinner} {msg}").expect("a valid template"),
        ),
    };
    bar.set_prefix(scenario.to_owned());
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

pub(super) fn current_thread_runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the tokio runtime: {err}"))
}

/// Bytes per retained finished execution: one PARALLEL pipeline runs `executions`
/// executions to `Succeeded` in batches, on one thread, while the allocator counts.
fn retained_executions(seed: u64, executions: u64) -> Result<Report, String> {
    const BATCH: u64 = 1000;
    let executions = executions.div_ceil(BATCH) * BATCH;
    let runtime = current_thread_runtime()?;
    runtime.block_on(async {
        let sim = Simulator::builder()
            .seed(seed)
            .virtual_time()
            .history_limit(executions as usize + BATCH as usize)
            .max_concurrent_executions(BATCH as u32)
            .start_on_create(false)
            .build();
        let name = "bench-memory";
        create_pipelines(&sim, &[name.to_owned()]).await?;
        sim.update_pipeline(
            PipelineDeclaration::two_stage_example(name).v2(ExecutionMode::Parallel),
        )
        .await
        .map_err(|err| err.to_string())?;
        let bar = progress("memory/retained-executions", None);
        let run_batch = async |sim: &Simulator| -> u64 {
            let mut errors = 0;
            for _ in 0..BATCH {
                if sim.start_pipeline_execution(name).await.is_err() {
                    errors += 1;
                }
            }
            // Every action takes 100 ms by default; a minute finishes the batch.
            sim.advance(Duration::from_secs(60)).await;
            errors
        };
        // One batch first, so that one-off allocations are not counted.
        let mut errors = run_batch(&sim).await;
        let started = Instant::now();
        let measurement = heap::Measurement::start()?;
        let mut ops = 0;
        while ops < executions {
            errors += run_batch(&sim).await;
            ops += BATCH;
            if ops % 50_000 == 0 {
                bar.set_message(format!("{ops} executions"));
            }
        }
        let bytes = measurement.live_bytes();
        let seconds = started.elapsed().as_secs_f64();
        bar.finish_and_clear();
        let stats = sim.pipeline_stats(name).map_err(|err| err.to_string())?;
        if stats.active_executions != 0 {
            return Err(format!(
                "{} executions did not finish: the measurement is not valid",
                stats.active_executions
            ));
        }
        Ok(Report {
            scenario: Scenario::RetainedExecutions.name(),
            ops,
            seconds,
            ops_per_sec: ops as f64 / seconds,
            threads: 1,
            errors,
            bytes_per_execution: Some(bytes as f64 / ops as f64),
            retained_executions: Some(stats.retained_executions as u64),
            growth_bytes: None,
            retained_action_runs: None,
            calls: None,
            calls_per_sec: None,
            ..Report::default()
        })
    })
}

/// Heap growth once history is full: tokened starts (as the SDKs send them) on one
/// SUPERSEDED pipeline with the default history limit (10,000), `executions` in all; the
/// heap is read halfway and at the end. The first half absorbs one-off growth, such as
/// the token table settling at its final capacity.
fn steady_state(seed: u64, executions: u64) -> Result<Report, String> {
    let runtime = current_thread_runtime()?;
    runtime.block_on(async {
        let sim = simulator(seed);
        let name = "bench-steady";
        create_pipelines(&sim, &[name.to_owned()]).await?;
        let bar = progress("memory/steady-state", None);
        let measurement = heap::Measurement::start()?;
        let started = Instant::now();
        let half = executions / 2;
        let mut errors = 0;
        let mut at_half = 0;
        for i in 0..executions {
            let input =
                StartPipelineExecutionInput::new(name).client_request_token(format!("token-{i}"));
            if sim.start_pipeline_execution(input).await.is_err() {
                errors += 1;
            }
            if i + 1 == half {
                at_half = measurement.live_bytes();
            }
            if i % 100_000 == 0 {
                bar.set_message(format!("{i} executions"));
            }
        }
        let growth = measurement.live_bytes() - at_half;
        let seconds = started.elapsed().as_secs_f64();
        bar.finish_and_clear();
        let stats = sim.pipeline_stats(name).map_err(|err| err.to_string())?;
        Ok(Report {
            scenario: Scenario::SteadyState.name(),
            ops: executions,
            seconds,
            ops_per_sec: executions as f64 / seconds,
            threads: 1,
            errors,
            bytes_per_execution: None,
            retained_executions: Some(stats.retained_executions as u64),
            growth_bytes: Some(growth),
            retained_action_runs: None,
            calls: None,
            calls_per_sec: None,
            ..Report::default()
        })
    })
}
