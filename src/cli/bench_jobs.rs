//! The `jobs/worker` scenario of `pipesim bench`: job workers taking the jobs of custom
//! actions in process (`PollForJobs`, `AcknowledgeJob`, `PutJobSuccessResult`), and the
//! custom action type and pipeline it shares with `pipesim load --job-workers`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pipesim::Simulator;
use pipesim::model::action_types::ArtifactCounts;
use pipesim::model::{
    AcknowledgeJobInput, ActionCategory, ActionDeclaration, ActionTypeId,
    CreateCustomActionTypeInput, PipelineDeclaration, PollForJobsInput, PutJobSuccessResultInput,
    StageDeclaration,
};

use super::bench::{Report, multi_thread_runtime, progress};

/// The provider of the custom action type the job workers poll for.
pub(super) const WORKER_PROVIDER: &str = "PipesimWorker";

/// Jobs a worker asks for in one poll.
pub(super) const WORKER_BATCH: i64 = 10;

/// The custom action type the workers poll for: a Build type, version 1.
pub(super) fn worker_type() -> ActionTypeId {
    ActionTypeId::custom(ActionCategory::Build, WORKER_PROVIDER)
}

/// `CreateCustomActionType` of [`worker_type`]: no properties, one input artifact at
/// most and no output.
pub(super) fn create_worker_type() -> CreateCustomActionTypeInput {
    CreateCustomActionTypeInput::new(
        ActionCategory::Build,
        WORKER_PROVIDER,
        "1",
        ArtifactCounts::new(0, 1),
        ArtifactCounts::new(0, 0),
    )
}

/// Source (the S3 `Fetch`, output `Src`), then Build (`Work`, of [`worker_type`], input
/// `Src`): the custom action is the only one a worker has to finish.
pub(super) fn worker_pipeline(name: &str) -> PipelineDeclaration {
    let mut pipeline = PipelineDeclaration::two_stage_example(name);
    let work = ActionDeclaration::new("Work", worker_type()).input("Src");
    pipeline.stages[1] = StageDeclaration::new("Build", vec![work]);
    pipeline
}

/// Pipelines of the scenario: one job each per round.
const PIPELINES: usize = 1000;

/// How long the S3 source action runs by default.
const SOURCE: Duration = Duration::from_millis(100);

/// Job workers on `threads` tasks finishing the jobs of 1000 pipelines, round after round,
/// for `duration`.
///
/// Each pipeline is [`worker_pipeline`]: its only action besides the source is the custom
/// one, so an execution ends exactly when its job does and the clock never has to move
/// for a worker's sake. A round starts one execution on every pipeline, advances the
/// virtual clock by the source's 100 ms (each execution then reaches `Work`, which posts
/// its job), and runs one worker task per thread: poll up to 10 jobs, acknowledge each
/// and report it succeeded, until a poll finds none. Every execution has then
/// `Succeeded`, which is checked at the end, and the next round begins.
///
/// `ops` is jobs completed; the seconds are the whole run's, starts and clock advances
/// included, so jobs per second is what a worker fleet could finish end to end on this
/// simulator. `calls` counts every poll (the empty one that ends a worker's round too),
/// acknowledgement and result.
pub(super) fn job_workers(seed: u64, threads: usize, duration: Duration) -> Result<Report, String> {
    let runtime = multi_thread_runtime(threads)?;
    runtime.block_on(async {
        let sim = Simulator::builder()
            .seed(seed)
            .virtual_time()
            .start_on_create(false)
            .build();
        sim.create_custom_action_type(create_worker_type())
            .await
            .map_err(|e| format!("cannot create the worker's action type: {e}"))?;
        let names: Vec<String> = (0..PIPELINES).map(|i| format!("bench-{i:04}")).collect();
        for name in &names {
            sim.create_pipeline(worker_pipeline(name))
                .await
                .map_err(|e| format!("cannot create {name}: {e}"))?;
        }
        let calls = Arc::new(AtomicU64::new(0));
        let jobs = Arc::new(AtomicU64::new(0));
        let errors = Arc::new(AtomicU64::new(0));
        let bar = progress("jobs/worker", Some(duration));
        let mut rounds = 0u64;
        let started = Instant::now();
        while started.elapsed() < duration {
            for name in &names {
                if sim.start_pipeline_execution(name.as_str()).await.is_err() {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            sim.advance(SOURCE).await;
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let sim = sim.clone();
                    let counts = (Arc::clone(&calls), Arc::clone(&jobs), Arc::clone(&errors));
                    tokio::spawn(async move {
                        let (calls, jobs, errors) = work_until_empty(&sim).await;
                        counts.0.fetch_add(calls, Ordering::Relaxed);
                        counts.1.fetch_add(jobs, Ordering::Relaxed);
                        counts.2.fetch_add(errors, Ordering::Relaxed);
                    })
                })
                .collect();
            for worker in workers {
                worker.await.expect("bench workers do not panic");
            }
            rounds += 1;
            let done = jobs.load(Ordering::Relaxed);
            bar.set_position(started.elapsed().as_millis() as u64);
            bar.set_message(format!(
                "{done} jobs, {:.0}/s",
                done as f64 / started.elapsed().as_secs_f64()
            ));
        }
        let seconds = started.elapsed().as_secs_f64();
        bar.finish_and_clear();
        let mut active = 0;
        for name in &names {
            active += sim
                .pipeline_stats(name)
                .map_err(|e| e.to_string())?
                .active_executions;
        }
        let completed = jobs.load(Ordering::Relaxed);
        let expected = rounds * PIPELINES as u64;
        if active != 0 || completed != expected {
            return Err(format!(
                "{completed} jobs completed of {expected} posted, {active} executions still \
                 active: the measurement is not valid"
            ));
        }
        let mut report = Report::throughput(
            "jobs/worker",
            completed,
            seconds,
            threads,
            errors.load(Ordering::Relaxed),
        );
        let calls = calls.load(Ordering::Relaxed);
        report.calls = Some(calls);
        report.calls_per_sec = Some(calls as f64 / seconds);
        Ok(report)
    })
}

/// One worker's round: polls, acknowledges and succeeds jobs until a poll finds none;
/// answers its calls, the jobs it completed and the calls that answered an error.
async fn work_until_empty(sim: &Simulator) -> (u64, u64, u64) {
    let (mut calls, mut jobs, mut errors) = (0, 0, 0);
    loop {
        let mut poll = PollForJobsInput::new(worker_type());
        poll.max_batch_size = Some(WORKER_BATCH);
        calls += 1;
        let batch = match sim.poll_for_jobs(poll).await {
            Ok(out) if !out.jobs.is_empty() => out.jobs,
            Ok(_) => return (calls, jobs, errors),
            Err(_) => return (calls, jobs, errors + 1),
        };
        for job in batch {
            calls += 1;
            let ack = AcknowledgeJobInput {
                job_id: job.id.clone(),
                nonce: job.nonce,
            };
            if sim.acknowledge_job(ack).await.is_err() {
                errors += 1;
                continue;
            }
            calls += 1;
            match sim
                .put_job_success_result(PutJobSuccessResultInput::new(job.id))
                .await
            {
                Ok(()) => jobs += 1,
                Err(_) => errors += 1,
            }
        }
    }
}
