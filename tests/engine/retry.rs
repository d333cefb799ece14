//! `RetryStageExecution`: a failed or stopped stage runs again in the same execution.

use std::time::Duration;

use crate::common::*;
use crate::helpers::*;
use pipesim::model::*;
use pipesim::{ActionResult, Simulator};

use PipelineExecutionStatus::*;

/// Source(Fetch), then Deploy with `Ship` and `Notify` side by side (run order 1).
fn two_deploy_actions() -> PipelineDeclaration {
    let mut pipeline = two_stages("P");
    let mut notify = pipeline.stages[1].actions[0].clone();
    notify.name = "Notify".into();
    pipeline.stages[1].actions.push(notify);
    pipeline
}

/// Starts `P` and fails its `Ship` action; answers the failed execution.
async fn failed_at_ship(sim: &Simulator) -> String {
    let id = start(sim, "P").await;
    sim.advance(ACTION).await;
    sim.finish_action("P", &id, "Deploy", "Ship", ActionResult::Failed)
        .await
        .unwrap();
    sim.advance(ACTION).await;
    assert_eq!(status(sim, "P", &id).await, Failed);
    id
}

/// The action execution ids of Deploy's actions, in declaration order.
async fn deploy_runs(sim: &Simulator) -> Vec<(String, ActionExecutionStatus)> {
    let state = sim.get_pipeline_state("P").await.unwrap();
    state.stage_states[1]
        .action_states
        .iter()
        .map(|a| {
            let run = a.latest_execution.as_ref().unwrap();
            (run.action_execution_id.clone(), run.status)
        })
        .collect()
}

#[tokio::test]
async fn a_retry_runs_the_failed_actions_again_in_the_same_execution() {
    let sim = sim();
    create(&sim, two_deploy_actions()).await;
    let id = failed_at_ship(&sim).await;
    let before = deploy_runs(&sim).await;
    let out = sim
        .retry_stage_execution(RetryStageExecutionInput::failed_actions("P", "Deploy", &id))
        .await
        .unwrap();
    assert_eq!(out.pipeline_execution_id, id);
    let answered = execution(&sim, "P", &id).await;
    assert_eq!(answered.status, InProgress);
    assert_eq!(answered.status_summary, None);
    let after = deploy_runs(&sim).await;
    assert_ne!(after[0].0, before[0].0, "Ship runs again");
    assert_eq!(after[0].1, ActionExecutionStatus::InProgress);
    assert_eq!(after[1], before[1], "Notify had succeeded and does not");
    let state = sim.get_pipeline_state("P").await.unwrap();
    let deploy = &state.stage_states[1];
    assert_eq!(
        deploy.latest_execution.as_ref().unwrap().status,
        StageExecutionStatus::InProgress
    );
    let retries = deploy.retry_stage_metadata.as_ref().unwrap();
    assert_eq!(retries.manual_stage_retry_attempt, Some(1));
    assert_eq!(
        retries.latest_retry_trigger.as_deref(),
        Some("ManualStageRetry")
    );
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &id).await, Succeeded);
}

#[tokio::test]
async fn all_actions_runs_every_action_of_the_stage_again_and_retries_are_counted() {
    let sim = sim();
    create(&sim, two_deploy_actions()).await;
    let id = failed_at_ship(&sim).await;
    let before = deploy_runs(&sim).await;
    let retry = RetryStageExecutionInput::failed_actions("P", "Deploy", &id).all_actions();
    sim.retry_stage_execution(retry.clone()).await.unwrap();
    let after = deploy_runs(&sim).await;
    assert_ne!(after[0].0, before[0].0);
    assert_ne!(after[1].0, before[1].0, "Notify runs again too");
    sim.finish_action("P", &id, "Deploy", "Ship", ActionResult::Failed)
        .await
        .unwrap();
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &id).await, Failed);
    sim.retry_stage_execution(retry).await.unwrap();
    let state = sim.get_pipeline_state("P").await.unwrap();
    let retries = state.stage_states[1].retry_stage_metadata.clone().unwrap();
    assert_eq!(retries.manual_stage_retry_attempt, Some(2));
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &id).await, Succeeded);
}

#[tokio::test]
async fn a_stopped_stage_can_be_retried() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    sim.stop_pipeline_execution(StopPipelineExecutionInput::new("P", &id))
        .await
        .unwrap();
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &id).await, Stopped);
    let retry = RetryStageExecutionInput::failed_actions("P", "Source", &id);
    sim.retry_stage_execution(retry).await.unwrap();
    sim.advance(ACTION * 2).await;
    assert_eq!(status(&sim, "P", &id).await, Succeeded);
}

#[tokio::test]
async fn only_the_stages_latest_failed_or_stopped_execution_can_be_retried() {
    let sim = sim();
    create(&sim, two_stages("P").v2(ExecutionMode::Queued)).await;
    let failed = failed_at_ship(&sim).await;
    let retry = |stage: &str, id: &str| RetryStageExecutionInput::failed_actions("P", stage, id);

    let err = sim
        .retry_stage_execution(retry("Source", &failed))
        .await
        .unwrap_err();
    assert_eq!(
        err.error_type(),
        "StageNotRetryableException",
        "Source succeeded"
    );
    let missing = "00000000-0000-4000-8000-000000000000";
    assert_eq!(
        error_type(sim.retry_stage_execution(retry("Deploy", missing)).await),
        "NotLatestPipelineExecutionException"
    );
    assert_eq!(
        error_type(sim.retry_stage_execution(retry("Nope", &failed)).await),
        "StageNotFoundException"
    );
    let mut other = retry("Deploy", &failed);
    other.pipeline_name = "Q".into();
    assert_eq!(
        error_type(sim.retry_stage_execution(other).await),
        "PipelineNotFoundException"
    );
    let mut bad = retry("Deploy", &failed);
    bad.retry_mode = StageRetryMode::Unknown("SOME".into());
    assert_eq!(
        error_type(sim.retry_stage_execution(bad).await),
        "ValidationException"
    );
    // A newer execution that reaches Deploy becomes its latest.
    let newer = start(&sim, "P").await;
    sim.advance(ACTION).await;
    assert_eq!(
        error_type(sim.retry_stage_execution(retry("Deploy", &failed)).await),
        "NotLatestPipelineExecutionException"
    );
    assert_eq!(
        error_type(sim.retry_stage_execution(retry("Deploy", &newer)).await),
        "StageNotRetryableException",
        "it is still running"
    );
    assert_eq!(
        status(&sim, "P", &failed).await,
        Failed,
        "refusals change nothing"
    );
}

#[tokio::test]
async fn the_timer_of_an_abandoned_run_does_not_end_the_retried_one() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    let abandon = StopPipelineExecutionInput::new("P", &id).abandon();
    sim.stop_pipeline_execution(abandon).await.unwrap();
    sim.advance(Duration::from_secs(1)).await;
    let retry = RetryStageExecutionInput::failed_actions("P", "Source", &id);
    sim.retry_stage_execution(retry).await.unwrap();
    // The abandoned run's timer fires at 10 s; the retried run ends at 11 s.
    sim.advance(ACTION - Duration::from_secs(1)).await;
    let state = sim.get_pipeline_state("P").await.unwrap();
    let fetch = state.stage_states[0].action_states[0]
        .latest_execution
        .clone()
        .unwrap();
    assert_eq!(fetch.status, ActionExecutionStatus::InProgress);
    sim.advance(Duration::from_secs(1)).await;
    let state = sim.get_pipeline_state("P").await.unwrap();
    let fetch = state.stage_states[0].action_states[0]
        .latest_execution
        .clone()
        .unwrap();
    assert_eq!(fetch.status, ActionExecutionStatus::Succeeded);
}
