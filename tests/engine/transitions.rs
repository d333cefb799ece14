//! Stage transitions: `DisableStageTransition` holds executions in front of a stage under
//! the rules of a locked stage, and `EnableStageTransition` lets them in.

use crate::common::*;
use crate::helpers::*;
use pipesim::Simulator;
use pipesim::model::*;

use PipelineExecutionStatus::*;

async fn hold_deploy(sim: &Simulator) {
    let input = DisableStageTransitionInput::inbound("P", "Deploy", "Release freeze");
    sim.disable_stage_transition(input).await.unwrap();
}

async fn release_deploy(sim: &Simulator) {
    let input = EnableStageTransitionInput::inbound("P", "Deploy");
    sim.enable_stage_transition(input).await.unwrap();
}

/// The executions held in front of `Deploy`, oldest first.
async fn held(sim: &Simulator) -> Vec<String> {
    let state = sim.get_pipeline_state("P").await.unwrap();
    state.stage_states[1]
        .inbound_executions
        .iter()
        .map(|e| e.pipeline_execution_id.clone())
        .collect()
}

#[tokio::test]
async fn a_disabled_transition_holds_executions_in_front_of_the_stage_until_enabled() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    hold_deploy(&sim).await;
    let id = start(&sim, "P").await;
    sim.advance(ACTION * 3).await;
    assert_eq!(held(&sim).await, [id.as_str()]);
    assert_eq!(status(&sim, "P", &id).await, InProgress);
    let state = sim.get_pipeline_state("P").await.unwrap();
    let deploy = &state.stage_states[1];
    assert_eq!(
        deploy
            .inbound_execution
            .as_ref()
            .unwrap()
            .pipeline_execution_id,
        id
    );
    assert!(deploy.latest_execution.is_none(), "nothing entered");
    let transition = &deploy.inbound_transition_state;
    assert!(!transition.enabled);
    assert_eq!(
        transition.disabled_reason.as_deref(),
        Some("Release freeze")
    );
    assert_eq!(
        transition.last_changed_by.as_deref(),
        Some("arn:aws:iam::123456789012:root")
    );
    assert!(transition.last_changed_at.is_some());
    assert!(state.stage_states[0].inbound_transition_state.enabled);

    release_deploy(&sim).await;
    let state = sim.get_pipeline_state("P").await.unwrap();
    let transition = &state.stage_states[1].inbound_transition_state;
    assert!(transition.enabled);
    assert_eq!(transition.disabled_reason, None);
    assert_eq!(transition.last_changed_at, Some(sim.now()));
    assert!(held(&sim).await.is_empty());
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &id).await, Succeeded);
}

#[tokio::test]
async fn in_superseded_mode_a_newer_execution_supersedes_the_one_held() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    hold_deploy(&sim).await;
    let older = start(&sim, "P").await;
    sim.advance(ACTION).await;
    let newer = start(&sim, "P").await;
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &older).await, Superseded);
    assert_eq!(held(&sim).await, [newer]);
}

#[tokio::test]
async fn in_queued_mode_held_executions_enter_one_at_a_time_in_order() {
    let sim = sim();
    create(&sim, two_stages("P").v2(ExecutionMode::Queued)).await;
    hold_deploy(&sim).await;
    let first = start(&sim, "P").await;
    let second = start(&sim, "P").await;
    sim.advance(ACTION * 2).await;
    assert_eq!(held(&sim).await, [first.clone(), second.clone()]);
    release_deploy(&sim).await;
    assert_eq!(held(&sim).await, [second.as_str()], "the stage locks");
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &first).await, Succeeded);
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &second).await, Succeeded);
}

#[tokio::test]
async fn in_parallel_mode_every_held_execution_enters_at_once() {
    let sim = sim();
    create(&sim, two_stages("P").v2(ExecutionMode::Parallel)).await;
    hold_deploy(&sim).await;
    let ids = [start(&sim, "P").await, start(&sim, "P").await];
    sim.advance(ACTION).await;
    assert_eq!(held(&sim).await, ids);
    release_deploy(&sim).await;
    sim.advance(ACTION).await;
    for id in &ids {
        assert_eq!(status(&sim, "P", id).await, Succeeded);
    }
}

#[tokio::test]
async fn a_stages_outbound_transition_is_the_next_stages_inbound_one() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let mut input = DisableStageTransitionInput::inbound("P", "Source", "Hold");
    input.transition_type = StageTransitionType::Outbound;
    sim.disable_stage_transition(input).await.unwrap();
    let state = sim.get_pipeline_state("P").await.unwrap();
    assert!(state.stage_states[0].inbound_transition_state.enabled);
    assert!(!state.stage_states[1].inbound_transition_state.enabled);
    // The last stage's outbound transition leads nowhere and changes nothing.
    let mut input = DisableStageTransitionInput::inbound("P", "Deploy", "Hold");
    input.transition_type = StageTransitionType::Outbound;
    sim.disable_stage_transition(input).await.unwrap();
}

#[tokio::test]
async fn a_stop_ends_an_execution_held_by_a_transition_at_once() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    hold_deploy(&sim).await;
    let id = start(&sim, "P").await;
    sim.advance(ACTION).await;
    sim.stop_pipeline_execution(StopPipelineExecutionInput::new("P", &id))
        .await
        .unwrap();
    assert_eq!(status(&sim, "P", &id).await, Stopped);
    assert!(held(&sim).await.is_empty());
}

#[tokio::test]
async fn transition_errors_name_what_is_wrong_and_change_nothing() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let missing_stage = DisableStageTransitionInput::inbound("P", "Nope", "Hold");
    let err = sim
        .disable_stage_transition(missing_stage)
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "StageNotFoundException");
    assert_eq!(err.message(), "Stage 'Nope' was not found in pipeline 'P'");
    let missing = EnableStageTransitionInput::inbound("Q", "Deploy");
    assert_eq!(
        error_type(sim.enable_stage_transition(missing).await),
        "PipelineNotFoundException"
    );
    let bad_reason = DisableStageTransitionInput::inbound("P", "Deploy", "freeze: holiday");
    let err = sim.disable_stage_transition(bad_reason).await.unwrap_err();
    assert_eq!(err.error_type(), "ValidationException");
    assert_eq!(
        err.message(),
        r"1 validation error detected: Value at 'reason' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9!@ \(\)\.\*\?\-]+"
    );
    let mut bad_type = EnableStageTransitionInput::inbound("P", "Deploy");
    bad_type.transition_type = StageTransitionType::Unknown("Sideways".into());
    assert_eq!(
        error_type(sim.enable_stage_transition(bad_type).await),
        "ValidationException"
    );
    let state = sim.get_pipeline_state("P").await.unwrap();
    assert!(
        state
            .stage_states
            .iter()
            .all(|s| s.inbound_transition_state == TransitionState::default())
    );
}

#[tokio::test]
async fn a_disabled_transition_stays_disabled_across_an_update_of_its_stage() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    hold_deploy(&sim).await;
    sim.update_pipeline(two_stages("P")).await.unwrap();
    let state = sim.get_pipeline_state("P").await.unwrap();
    assert!(!state.stage_states[1].inbound_transition_state.enabled);
}

#[tokio::test]
async fn holding_and_releasing_at_a_transition_are_events() {
    let sim = sim();
    let mut events = sim.events();
    create(&sim, two_stages("P")).await;
    hold_deploy(&sim).await;
    let id = start(&sim, "P").await;
    sim.advance(ACTION).await;
    let held = events
        .wait_for(|e| matches!(&e.kind, pipesim::EventKind::HeldAtTransition { stage } if &**stage == "Deploy"))
        .await
        .unwrap();
    assert_eq!(held.execution_id.to_string(), id);
    release_deploy(&sim).await;
    let released = events
        .wait_for(|e| matches!(&e.kind, pipesim::EventKind::ReleasedAtTransition { stage } if &**stage == "Deploy"))
        .await
        .unwrap();
    assert_eq!(released.execution_id.to_string(), id);
    let entered = events.next().await.unwrap();
    assert_eq!(
        entered.kind,
        pipesim::EventKind::Stage {
            stage: "Deploy".into(),
            status: StageExecutionStatus::InProgress
        }
    );
}

#[tokio::test]
async fn executions_held_behind_a_transition_disabled_for_more_than_30_days_do_not_resume() {
    let sim = sim();
    create(&sim, two_stages("P").v2(ExecutionMode::Queued)).await;
    hold_deploy(&sim).await;
    let stale = start(&sim, "P").await;
    sim.advance(std::time::Duration::from_secs(30 * 24 * 3600 + 1))
        .await;
    release_deploy(&sim).await;
    let ended = execution(&sim, "P", &stale).await;
    assert_eq!(ended.status, Stopped);
    assert_eq!(
        ended.status_summary.as_deref(),
        Some(
            "The transition into stage 'Deploy' was disabled for more than 30 days, so the execution did not resume"
        )
    );
    assert!(held(&sim).await.is_empty());
    // A new change goes through.
    let fresh = start(&sim, "P").await;
    sim.advance(ACTION * 2).await;
    assert_eq!(status(&sim, "P", &fresh).await, Succeeded);
}

#[tokio::test]
async fn executions_held_for_30_days_or_less_resume() {
    let sim = sim();
    create(&sim, two_stages("P").v2(ExecutionMode::Queued)).await;
    hold_deploy(&sim).await;
    let held_id = start(&sim, "P").await;
    sim.advance(std::time::Duration::from_secs(30 * 24 * 3600))
        .await;
    release_deploy(&sim).await;
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &held_id).await, Succeeded);
}
