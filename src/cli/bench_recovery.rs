//! The recovery scenarios of `pipesim bench`, on one thread and one pipeline in virtual
//! time: reading the action history a busy pipeline keeps, a fail-and-retry loop, and
//! executions through a stage with conditions.

use std::time::{Duration, Instant};

use pipesim::model::{
    Condition, ConditionResult, ExecutionMode, ListActionExecutionsInput, PipelineDeclaration,
    RetryStageExecutionInput, RuleDeclaration,
};
use pipesim::{ActionResult, Simulator};

use super::bench::{Report, current_thread_runtime};

/// Runs retained by `actions/list`: the default history limit's worth.
const RETAINED_RUNS: u64 = 10_000;

fn simulator(seed: u64) -> Simulator {
    Simulator::builder()
        .seed(seed)
        .virtual_time()
        .start_on_create(false)
        .build()
}

/// `ListActionExecutions` pages of 100 from a pipeline that keeps 10,000 action runs,
/// each page at a different depth, for `duration`.
pub(super) fn list_action_executions(seed: u64, duration: Duration) -> Result<Report, String> {
    current_thread_runtime()?.block_on(async {
        let sim = simulator(seed);
        let name = "bench-actions";
        let pipeline = PipelineDeclaration::two_stage_example(name).v2(ExecutionMode::Parallel);
        sim.create_pipeline(pipeline)
            .await
            .map_err(|e| e.to_string())?;
        for _ in 0..RETAINED_RUNS / 2 / 50 {
            for _ in 0..50 {
                sim.start_pipeline_execution(name)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            sim.advance(Duration::from_secs(60)).await;
        }
        let mut token = None;
        let (mut ops, mut errors) = (0u64, 0u64);
        let started = Instant::now();
        while started.elapsed() < duration {
            let mut input = ListActionExecutionsInput::new(name);
            input.max_results = Some(100);
            input.next_token = token.take();
            match sim.list_action_executions(input).await {
                Ok(page) => token = page.next_token,
                Err(_) => errors += 1,
            }
            ops += 1;
        }
        let seconds = started.elapsed().as_secs_f64();
        let stats = sim.pipeline_stats(name).map_err(|e| e.to_string())?;
        let mut report = Report::throughput("actions/list", ops, seconds, 1, errors);
        report.retained_action_runs = Some(stats.retained_action_runs as u64);
        Ok(report)
    })
}

/// A deploy that fails and is retried, over and over, for `duration`: each op is one
/// failure and one `RetryStageExecution`.
pub(super) fn retry_loop(seed: u64, duration: Duration) -> Result<Report, String> {
    current_thread_runtime()?.block_on(async {
        let sim = simulator(seed);
        let name = "bench-retry";
        let pipeline = PipelineDeclaration::two_stage_example(name);
        sim.create_pipeline(pipeline)
            .await
            .map_err(|e| e.to_string())?;
        let id = sim
            .start_pipeline_execution(name)
            .await
            .map_err(|e| e.to_string())?
            .pipeline_execution_id;
        // Source takes 100 ms: at 150 ms Ship runs, and the clock stays there.
        sim.advance(Duration::from_millis(150)).await;
        let (mut ops, mut errors) = (0u64, 0u64);
        let started = Instant::now();
        while started.elapsed() < duration {
            let failed = sim
                .finish_action(name, &id, "Deploy", "Ship", ActionResult::Failed)
                .await;
            let retry = RetryStageExecutionInput::failed_actions(name, "Deploy", &id);
            let retried = sim.retry_stage_execution(retry).await;
            if failed.is_err() || retried.is_err() {
                errors += 1;
            }
            ops += 1;
        }
        let seconds = started.elapsed().as_secs_f64();
        Ok(Report::throughput("retry/loop", ops, seconds, 1, errors))
    })
}

/// Executions through a Deploy stage with an entry condition (a `VariableCheck`) and a
/// success condition (a `CloudWatchAlarm`), 50 at a time on a PARALLEL pipeline, for
/// `duration`: each op is one execution run to its end, its two conditions checked.
pub(super) fn gated_executions(seed: u64, duration: Duration) -> Result<Report, String> {
    current_thread_runtime()?.block_on(async {
        let sim = simulator(seed);
        let name = "bench-conditions";
        let mut pipeline = PipelineDeclaration::two_stage_example(name)
            .v2(ExecutionMode::Parallel)
            .variable("BRANCH", Some("main"));
        let on_main = RuleDeclaration::new("OnMain", "VariableCheck")
            .config("Variable", "#{variables.BRANCH}")
            .config("Operator", "EQ")
            .config("Value", "main");
        let quiet = RuleDeclaration::new("Quiet", "CloudWatchAlarm").config("AlarmName", "errors");
        pipeline.stages[1] = std::mem::take(&mut pipeline.stages[1])
            .before_entry(Condition::new(ConditionResult::Fail, vec![on_main]))
            .on_success(Condition::new(ConditionResult::Rollback, vec![quiet]));
        sim.create_pipeline(pipeline)
            .await
            .map_err(|e| e.to_string())?;
        let (mut ops, mut errors) = (0u64, 0u64);
        let started = Instant::now();
        while started.elapsed() < duration {
            for _ in 0..50 {
                if sim.start_pipeline_execution(name).await.is_err() {
                    errors += 1;
                }
            }
            // Fetch, the entry rule, Ship and the success rule: 100 ms each.
            sim.advance(Duration::from_millis(400)).await;
            ops += 50;
        }
        let seconds = started.elapsed().as_secs_f64();
        let stats = sim.pipeline_stats(name).map_err(|e| e.to_string())?;
        if stats.active_executions != 0 {
            return Err(format!(
                "{} executions did not finish",
                stats.active_executions
            ));
        }
        Ok(Report::throughput(
            "conditions/gated",
            ops,
            seconds,
            1,
            errors,
        ))
    })
}
