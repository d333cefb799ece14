//! Scripted action runs and actions held on demand: a failure rehearsal without
//! probabilities.

use crate::common::*;
use crate::helpers::*;
use pipesim::model::*;
use pipesim::{ActionEnd, ActionResult, Simulator};

use PipelineExecutionStatus::*;

/// The latest run of `Deploy`/`Ship` as `GetPipelineState` shows it.
async fn ship(sim: &Simulator) -> ActionExecution {
    let state = sim.get_pipeline_state("P").await.unwrap();
    state.stage_states[1].action_states[0]
        .latest_execution
        .clone()
        .expect("Ship has run")
}

/// Runs `id` to its end: Fetch, then Ship.
async fn run_out(sim: &Simulator) {
    sim.advance(ACTION * 2).await;
}

#[tokio::test]
async fn a_scripted_action_fails_twice_then_behaves_as_its_settings_say() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let fail = ActionEnd::failed("Deployment d-42 failed").code("DeploymentFailed");
    sim.script_action("P", "Deploy", "Ship", [fail, ActionEnd::failed("again")])
        .await
        .unwrap();
    assert_eq!(sim.scripted_runs_left("P", "Deploy", "Ship").unwrap(), 2);

    let id = start(&sim, "P").await;
    run_out(&sim).await;
    assert_eq!(status(&sim, "P", &id).await, Failed);
    let run = ship(&sim).await;
    let error = run.error_details.expect("a failed run has error details");
    assert_eq!(error.code, "DeploymentFailed");
    assert_eq!(error.message, "Deployment d-42 failed");
    assert_eq!(sim.scripted_runs_left("P", "Deploy", "Ship").unwrap(), 1);

    // The retry is the script's second run, whatever execution it belongs to.
    let retry = RetryStageExecutionInput::failed_actions("P", "Deploy", &id);
    sim.retry_stage_execution(retry).await.unwrap();
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &id).await, Failed);
    let error = ship(&sim).await.error_details.unwrap();
    assert_eq!(
        (error.code.as_str(), error.message.as_str()),
        ("JobFailed", "again")
    );

    let retry = RetryStageExecutionInput::failed_actions("P", "Deploy", &id);
    sim.retry_stage_execution(retry).await.unwrap();
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &id).await, Succeeded);
    assert_eq!(sim.scripted_runs_left("P", "Deploy", "Ship").unwrap(), 0);
}

#[tokio::test]
async fn scripted_runs_are_taken_by_every_execution_in_turn() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let runs = [
        ActionEnd::succeeded().message("deployed v1"),
        ActionEnd::failed("v2 broke"),
    ];
    sim.script_action("P", "Deploy", "Ship", runs)
        .await
        .unwrap();
    let first = start(&sim, "P").await;
    run_out(&sim).await;
    assert_eq!(ship(&sim).await.summary.as_deref(), Some("deployed v1"));
    let second = start(&sim, "P").await;
    run_out(&sim).await;
    let third = start(&sim, "P").await;
    run_out(&sim).await;
    assert_eq!(status(&sim, "P", &first).await, Succeeded);
    assert_eq!(status(&sim, "P", &second).await, Failed);
    assert_eq!(status(&sim, "P", &third).await, Succeeded);
}

#[tokio::test]
async fn a_new_script_replaces_the_old_and_an_empty_one_removes_it() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let fail = || ActionEnd::failed("no");
    sim.script_action("P", "Deploy", "Ship", [fail(), fail(), fail()])
        .await
        .unwrap();
    sim.script_action("P", "Deploy", "Ship", [fail()])
        .await
        .unwrap();
    assert_eq!(sim.scripted_runs_left("P", "Deploy", "Ship").unwrap(), 1);
    sim.script_action("P", "Deploy", "Ship", []).await.unwrap();
    assert_eq!(sim.scripted_runs_left("P", "Deploy", "Ship").unwrap(), 0);
    let id = start(&sim, "P").await;
    run_out(&sim).await;
    assert_eq!(status(&sim, "P", &id).await, Succeeded);
}

#[tokio::test]
async fn a_held_action_runs_until_it_is_finished_on_demand() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    sim.advance(ACTION).await;
    sim.hold_action("P", &id, "Deploy", "Ship").await.unwrap();
    sim.advance(ACTION * 100).await;
    assert_eq!(status(&sim, "P", &id).await, InProgress);
    assert_eq!(ship(&sim).await.status, ActionExecutionStatus::InProgress);

    let end = ActionEnd::failed("Health check failed").code("HealthCheck");
    sim.finish_action("P", &id, "Deploy", "Ship", end)
        .await
        .unwrap();
    assert_eq!(status(&sim, "P", &id).await, Failed);
    let error = ship(&sim).await.error_details.unwrap();
    assert_eq!(
        (error.code.as_str(), error.message.as_str()),
        ("HealthCheck", "Health check failed")
    );
}

#[tokio::test]
async fn a_scripted_hold_keeps_the_run_going_until_a_stop_ends_it() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    sim.script_action("P", "Deploy", "Ship", [ActionEnd::held()])
        .await
        .unwrap();
    let id = start(&sim, "P").await;
    sim.advance(ACTION * 100).await;
    assert_eq!(status(&sim, "P", &id).await, InProgress);
    sim.stop_pipeline_execution(StopPipelineExecutionInput::new("P", &id).abandon())
        .await
        .unwrap();
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &id).await, Stopped);
    assert_eq!(ship(&sim).await.status, ActionExecutionStatus::Abandoned);
}

#[tokio::test]
async fn finishing_without_a_message_reports_the_default_failure() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    sim.advance(ACTION).await;
    sim.finish_action("P", &id, "Deploy", "Ship", ActionResult::Failed)
        .await
        .unwrap();
    let error = ship(&sim).await.error_details.unwrap();
    assert_eq!(
        (error.code.as_str(), error.message.as_str()),
        ("JobFailed", "Failed on demand")
    );
}

#[tokio::test]
async fn a_script_names_an_existing_action_that_is_not_an_approval() {
    let sim = sim();
    create(&sim, with_approval("P")).await;
    let fail = || [ActionEnd::failed("no")];
    let missing_stage = sim.script_action("P", "Nope", "Ship", fail()).await;
    assert_eq!(error_type(missing_stage), "StageNotFoundException");
    let missing_action = sim.script_action("P", "Deploy", "Nope", fail()).await;
    assert_eq!(error_type(missing_action), "ActionNotFoundException");
    let approval = sim.script_action("P", "Approve", "Manual", fail()).await;
    assert_eq!(error_type(approval), "ValidationException");
    let missing_pipeline = sim.script_action("Q", "Deploy", "Ship", fail()).await;
    assert_eq!(error_type(missing_pipeline), "PipelineNotFoundException");
    assert_eq!(sim.scripted_runs_left("P", "Deploy", "Ship").unwrap(), 0);
}

#[tokio::test]
async fn a_script_with_an_overlong_message_is_refused_and_changes_nothing() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    sim.script_action("P", "Deploy", "Ship", [ActionEnd::failed("kept")])
        .await
        .unwrap();
    let long = ActionEnd::failed("x".repeat(5001));
    let err = sim
        .script_action("P", "Deploy", "Ship", [ActionEnd::succeeded(), long])
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        "1 validation error detected: Value at 'runs.2.message' failed to satisfy constraint: \
         Member must have length less than or equal to 5000"
    );
    assert_eq!(sim.scripted_runs_left("P", "Deploy", "Ship").unwrap(), 1);
}

#[tokio::test]
async fn holding_an_action_that_is_not_running_is_refused() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    let err = sim.hold_action("P", &id, "Deploy", "Ship").await;
    assert_eq!(error_type(err), "ValidationException");
    sim.advance(ACTION * 2).await;
    assert_eq!(status(&sim, "P", &id).await, Succeeded);
}
