//! How executions move: stages, run orders, modes, stops, approvals, updates and history
//! (spec section 3).

use std::time::Duration;

use crate::common::*;
use crate::helpers::*;
use pipesim::model::*;
use pipesim::{ActionBehaviour, EventKind, Outcome, PipelineSettings, Simulator};

use PipelineExecutionStatus::*;

#[tokio::test]
async fn an_execution_walks_its_stages_in_order_and_succeeds() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    sim.advance(ACTION - Duration::from_millis(1)).await;
    let state = sim.get_pipeline_state("P").await.unwrap();
    assert_eq!(
        state.stage_states[0]
            .latest_execution
            .as_ref()
            .unwrap()
            .status,
        StageExecutionStatus::InProgress
    );
    assert!(state.stage_states[1].latest_execution.is_none());
    sim.advance(Duration::from_millis(1)).await;
    let state = sim.get_pipeline_state("P").await.unwrap();
    assert_eq!(
        state.stage_states[0]
            .latest_execution
            .as_ref()
            .unwrap()
            .status,
        StageExecutionStatus::Succeeded
    );
    assert_eq!(
        state.stage_states[1]
            .latest_execution
            .as_ref()
            .unwrap()
            .status,
        StageExecutionStatus::InProgress
    );
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &id).await, Succeeded);
    let summary = &sim
        .list_pipeline_executions("P")
        .await
        .unwrap()
        .pipeline_execution_summaries[0];
    assert_eq!(
        summary.last_update_time.as_millis() - summary.start_time.as_millis(),
        20_000
    );
}

#[tokio::test]
async fn actions_of_one_run_order_run_together_and_lower_run_orders_first() {
    let sim = sim();
    let mut pipeline = two_stages("P");
    let ship = pipeline.stages[1].actions[0].clone();
    let deploy = |name: &str| ActionDeclaration {
        name: name.into(),
        ..ship.clone()
    };
    pipeline.stages[1].actions = vec![deploy("A"), deploy("B"), deploy("C").run_order(2)];
    create(&sim, pipeline).await;
    let id = start(&sim, "P").await;
    sim.advance(ACTION * 2).await; // Source, then A and B together
    let state = sim.get_pipeline_state("P").await.unwrap();
    let actions = &state.stage_states[1].action_states;
    assert_eq!(
        actions[0].latest_execution.as_ref().unwrap().status,
        ActionExecutionStatus::Succeeded
    );
    assert_eq!(
        actions[1].latest_execution.as_ref().unwrap().status,
        ActionExecutionStatus::Succeeded
    );
    assert_eq!(
        actions[2].latest_execution.as_ref().unwrap().status,
        ActionExecutionStatus::InProgress
    );
    assert_eq!(status(&sim, "P", &id).await, InProgress);
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &id).await, Succeeded);
}

#[tokio::test]
async fn a_failed_action_fails_the_stage_and_the_execution() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    sim.configure_pipeline(
        "P",
        PipelineSettings::new().action("Deploy", "Ship", ActionBehaviour::outcome(Outcome::Fail)),
    )
    .unwrap();
    let id = start(&sim, "P").await;
    sim.advance(ACTION * 2).await;
    let exe = execution(&sim, "P", id.as_str()).await;
    assert_eq!(exe.status, Failed);
    assert_eq!(
        exe.status_summary.as_deref(),
        Some("Action 'Ship' in stage 'Deploy' failed")
    );
    let state = sim.get_pipeline_state("P").await.unwrap();
    assert_eq!(
        state.stage_states[1]
            .latest_execution
            .as_ref()
            .unwrap()
            .status,
        StageExecutionStatus::Failed
    );
    let ship = state.stage_states[1].action_states[0]
        .latest_execution
        .as_ref()
        .unwrap();
    assert_eq!(ship.status, ActionExecutionStatus::Failed);
    assert_eq!(ship.error_details.as_ref().unwrap().code, "JobFailed");
}

#[tokio::test]
async fn failure_probability_draws_from_the_seed() {
    async fn outcomes(seed: u64) -> Vec<PipelineExecutionStatus> {
        let sim = Simulator::builder()
            .seed(seed)
            .virtual_time()
            .action_outcome(Outcome::FailWithProbability(0.5))
            .build();
        create(&sim, two_stages("P").v2(ExecutionMode::Parallel)).await;
        let mut ids = Vec::new();
        for _ in 0..20 {
            ids.push(start(&sim, "P").await);
        }
        sim.advance(Duration::from_secs(1)).await;
        let mut out = Vec::new();
        for id in ids {
            out.push(status(&sim, "P", &id).await);
        }
        out
    }
    let first = outcomes(9).await;
    assert_eq!(first, outcomes(9).await);
    assert!(
        first.contains(&Succeeded) && first.contains(&Failed),
        "{first:?}"
    );
}

#[tokio::test]
async fn superseded_mode_keeps_one_waiter_and_a_newer_one_supersedes_it() {
    let sim = sim();
    create(&sim, with_approval("P")).await;
    let a = start(&sim, "P").await; // enters Source
    let b = start(&sim, "P").await; // waits in front of Source
    let c = start(&sim, "P").await; // supersedes b
    assert_eq!(status(&sim, "P", &b).await, Superseded);
    let state = sim.get_pipeline_state("P").await.unwrap();
    let inbound: Vec<_> = state.stage_states[0]
        .inbound_executions
        .iter()
        .map(|e| e.pipeline_execution_id.clone())
        .collect();
    assert_eq!(inbound, std::slice::from_ref(&c));
    sim.advance(ACTION * 2).await; // a holds Approve; c passed Source and waits in front of Approve
    let d = start(&sim, "P").await;
    sim.advance(ACTION).await; // d reaches Approve and supersedes c between stages
    assert_eq!(status(&sim, "P", &c).await, Superseded);
    assert_eq!(status(&sim, "P", &a).await, InProgress);
    assert_eq!(status(&sim, "P", &d).await, InProgress);
    approve(&sim, "P").await;
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &a).await, Succeeded);
    let state = sim.get_pipeline_state("P").await.unwrap();
    assert_eq!(
        state.stage_states[1]
            .latest_execution
            .as_ref()
            .unwrap()
            .pipeline_execution_id,
        d
    );
}

#[tokio::test]
async fn supersession_never_happens_inside_a_stage() {
    let sim = sim();
    create(&sim, with_approval("P")).await;
    let a = start(&sim, "P").await;
    sim.advance(ACTION).await; // a waits for approval inside Approve
    for _ in 0..5 {
        start(&sim, "P").await;
        sim.advance(ACTION).await;
    }
    assert_eq!(status(&sim, "P", &a).await, InProgress);
}

#[tokio::test]
async fn queued_mode_never_supersedes_and_keeps_fifo_order() {
    let sim = sim();
    create(&sim, with_approval("P").v2(ExecutionMode::Queued)).await;
    let a = start(&sim, "P").await;
    let b = start(&sim, "P").await;
    let c = start(&sim, "P").await;
    sim.advance(ACTION * 3).await; // a holds Approve; b and c queue in front of it
    let state = sim.get_pipeline_state("P").await.unwrap();
    let inbound: Vec<_> = state.stage_states[1]
        .inbound_executions
        .iter()
        .map(|e| e.pipeline_execution_id.clone())
        .collect();
    assert_eq!(inbound, [b.clone(), c.clone()]);
    assert_eq!(
        state.stage_states[1]
            .inbound_execution
            .as_ref()
            .unwrap()
            .pipeline_execution_id,
        b
    );
    for (id, next) in [(&a, &b), (&b, &c)] {
        approve(&sim, "P").await;
        let state = sim.get_pipeline_state("P").await.unwrap();
        assert_eq!(
            &state.stage_states[1]
                .latest_execution
                .as_ref()
                .unwrap()
                .pipeline_execution_id,
            next,
            "{id} then {next}"
        );
    }
    for id in [&a, &b, &c] {
        assert_ne!(status(&sim, "P", id).await, Superseded);
    }
}

#[tokio::test]
async fn parallel_mode_runs_executions_independently() {
    let sim = sim();
    create(&sim, with_approval("P").v2(ExecutionMode::Parallel)).await;
    let ids = [
        start(&sim, "P").await,
        start(&sim, "P").await,
        start(&sim, "P").await,
    ];
    sim.advance(ACTION).await;
    let state = sim.get_pipeline_state("P").await.unwrap();
    assert!(state.stage_states[1].inbound_executions.is_empty());
    for id in &ids {
        assert_eq!(status(&sim, "P", id).await, InProgress);
    }
    // Every execution waits on its own approval token; the latest one is shown.
    let latest = approval_token(&sim, "P", "Approve", "Manual").await;
    sim.put_approval_result(approval(
        "P",
        "Approve",
        "Manual",
        &latest,
        ApprovalStatus::Approved,
    ))
    .await
    .unwrap();
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &ids[2]).await, Succeeded);
    assert_eq!(status(&sim, "P", &ids[0]).await, InProgress);
}

#[tokio::test]
async fn stop_and_wait_lets_running_actions_finish_then_stops() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    let out = sim
        .stop_pipeline_execution(StopPipelineExecutionInput::new("P", &id).reason("rollout paused"))
        .await
        .unwrap();
    assert_eq!(out.pipeline_execution_id, id);
    assert_eq!(status(&sim, "P", &id).await, Stopping);
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &id).await, Stopped);
    let state = sim.get_pipeline_state("P").await.unwrap();
    let fetch = state.stage_states[0].action_states[0]
        .latest_execution
        .as_ref()
        .unwrap();
    assert_eq!(fetch.status, ActionExecutionStatus::Succeeded);
    assert_eq!(
        state.stage_states[0]
            .latest_execution
            .as_ref()
            .unwrap()
            .status,
        StageExecutionStatus::Stopped
    );
    assert!(
        state.stage_states[1].latest_execution.is_none(),
        "nothing new starts after a stop"
    );
    let summary = &sim
        .list_pipeline_executions("P")
        .await
        .unwrap()
        .pipeline_execution_summaries[0];
    assert_eq!(
        summary.stop_trigger.as_ref().unwrap().reason.as_deref(),
        Some("rollout paused")
    );
}

#[tokio::test]
async fn abandon_gives_up_running_actions_and_unlocks_the_stage() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let a = start(&sim, "P").await;
    let b = start(&sim, "P").await; // waits in front of Source
    sim.stop_pipeline_execution(StopPipelineExecutionInput::new("P", &a).abandon())
        .await
        .unwrap();
    assert_eq!(status(&sim, "P", &a).await, Stopping);
    sim.advance(Duration::ZERO).await;
    assert_eq!(status(&sim, "P", &a).await, Stopped);
    let state = sim.get_pipeline_state("P").await.unwrap();
    assert_eq!(
        state.stage_states[0]
            .latest_execution
            .as_ref()
            .unwrap()
            .pipeline_execution_id,
        b
    );
    sim.advance(ACTION * 2).await;
    assert_eq!(status(&sim, "P", &b).await, Succeeded);
}

#[tokio::test]
async fn abandon_is_allowed_while_stopping_and_waiting() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    sim.stop_pipeline_execution(StopPipelineExecutionInput::new("P", &id))
        .await
        .unwrap();
    sim.stop_pipeline_execution(StopPipelineExecutionInput::new("P", &id).abandon())
        .await
        .unwrap();
    sim.advance(Duration::ZERO).await;
    assert_eq!(status(&sim, "P", &id).await, Stopped);
    let state = sim.get_pipeline_state("P").await.unwrap();
    let fetch = state.stage_states[0].action_states[0]
        .latest_execution
        .as_ref()
        .unwrap();
    assert_eq!(fetch.status, ActionExecutionStatus::Abandoned);
}

#[tokio::test]
async fn a_second_stop_and_wait_is_a_duplicated_stop_request() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    sim.stop_pipeline_execution(StopPipelineExecutionInput::new("P", &id))
        .await
        .unwrap();
    let err = sim
        .stop_pipeline_execution(StopPipelineExecutionInput::new("P", &id))
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "DuplicatedStopRequestException");
    assert_eq!(
        err.message(),
        format!(
            "The execution with ID {id} in P is already in a stopping state. If you already chose to stop and wait, you cannot make that request again. You can choose to stop and abandon now, but be aware that this option can lead to failed actions. If you already chose to stop and abandon, you cannot make that request again."
        )
    );
}

#[tokio::test]
async fn a_second_abandon_is_not_stoppable() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    sim.stop_pipeline_execution(StopPipelineExecutionInput::new("P", &id).abandon())
        .await
        .unwrap();
    assert_eq!(status(&sim, "P", &id).await, Stopping);
    for abandon in [true, false] {
        let mut again = StopPipelineExecutionInput::new("P", &id);
        again.abandon = Some(abandon);
        let err = sim.stop_pipeline_execution(again).await.unwrap_err();
        assert_eq!(err.error_type(), "PipelineExecutionNotStoppableException");
    }
}

#[tokio::test]
async fn stopping_a_finished_execution_is_not_stoppable() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    sim.advance(ACTION * 2).await;
    let err = sim
        .stop_pipeline_execution(StopPipelineExecutionInput::new("P", &id))
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "PipelineExecutionNotStoppableException");
    assert_eq!(
        err.message(),
        format!(
            "The pipeline execution with ID '{id}' in 'P' can't be stopped now. Either it does not exist in the pipeline, or the pipeline execution has no action executions in progress."
        )
    );
}

#[tokio::test]
async fn a_stopped_execution_carries_its_reason_as_status_summary() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    sim.stop_pipeline_execution(StopPipelineExecutionInput::new("P", &id).reason("freeze"))
        .await
        .unwrap();
    sim.advance(ACTION).await;
    let answered = execution(&sim, "P", id.as_str()).await;
    assert_eq!(answered.status, Stopped);
    assert_eq!(answered.status_summary.as_deref(), Some("freeze"));
    let listed = sim.list_pipeline_executions("P").await.unwrap();
    let summary = &listed.pipeline_execution_summaries[0];
    assert_eq!(summary.status_summary.as_deref(), Some("freeze"));
    assert_eq!(
        summary.stop_trigger.as_ref().unwrap().reason.as_deref(),
        Some("freeze")
    );
}

#[tokio::test]
async fn stopping_a_waiting_execution_stops_it_at_once() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    start(&sim, "P").await;
    let waiting = start(&sim, "P").await;
    sim.stop_pipeline_execution(StopPipelineExecutionInput::new("P", &waiting))
        .await
        .unwrap();
    assert_eq!(status(&sim, "P", &waiting).await, Stopped);
    let state = sim.get_pipeline_state("P").await.unwrap();
    assert!(state.stage_states[0].inbound_executions.is_empty());
}

#[tokio::test]
async fn unknown_execution_ids_are_not_found() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    create(&sim, two_stages("Q")).await;
    let other = start(&sim, "Q").await;
    let missing = "00000000-0000-4000-8000-000000000000";
    assert_eq!(
        error_type(sim.get_pipeline_execution(("P", missing)).await),
        "PipelineExecutionNotFoundException"
    );
    assert_eq!(
        error_type(sim.get_pipeline_execution(("P", other.as_str())).await),
        "PipelineExecutionNotFoundException"
    );
    let err = sim
        .stop_pipeline_execution(("P", missing))
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "PipelineExecutionNotFoundException");
    assert_eq!(
        err.message(),
        format!("Pipeline Execution with id '{missing}' does not exist in pipeline with name 'P'")
    );
    assert_eq!(
        error_type(sim.get_pipeline_execution(("P", "not-a-uuid")).await),
        "ValidationException"
    );
}

#[tokio::test]
async fn rejected_approval_fails_the_execution() {
    let sim = sim();
    create(&sim, with_approval("P")).await;
    let id = start(&sim, "P").await;
    sim.advance(ACTION).await;
    let token = approval_token(&sim, "P", "Approve", "Manual").await;
    let out = sim
        .put_approval_result(approval(
            "P",
            "Approve",
            "Manual",
            &token,
            ApprovalStatus::Rejected,
        ))
        .await
        .unwrap();
    assert_eq!(out.approved_at, sim.now());
    assert_eq!(status(&sim, "P", &id).await, Failed);
    let state = sim.get_pipeline_state("P").await.unwrap();
    let manual = state.stage_states[1].action_states[0]
        .latest_execution
        .as_ref()
        .unwrap();
    assert_eq!(manual.summary.as_deref(), Some("reviewed"));
    assert_eq!(manual.status, ActionExecutionStatus::Failed);
}

#[tokio::test]
async fn approvals_time_out_after_seven_days_as_failures() {
    let sim = sim();
    create(&sim, with_approval("P")).await;
    let id = start(&sim, "P").await;
    sim.advance(ACTION + Duration::from_secs(7 * 24 * 3600) - Duration::from_secs(1))
        .await;
    assert_eq!(status(&sim, "P", &id).await, InProgress);
    sim.advance(Duration::from_secs(1)).await;
    assert_eq!(status(&sim, "P", &id).await, Failed);
}

#[tokio::test]
async fn approval_errors_name_what_is_wrong() {
    let sim = sim();
    create(&sim, with_approval("P")).await;
    start(&sim, "P").await;
    sim.advance(ACTION).await;
    let token = approval_token(&sim, "P", "Approve", "Manual").await;
    let ok = |stage: &str, action: &str, token: &str| {
        approval("P", stage, action, token, ApprovalStatus::Approved)
    };
    assert_eq!(
        error_type(sim.put_approval_result(ok("Nope", "Manual", &token)).await),
        "StageNotFoundException"
    );
    assert_eq!(
        error_type(sim.put_approval_result(ok("Approve", "Nope", &token)).await),
        "ActionNotFoundException"
    );
    let stranger = "11111111-1111-4111-8111-111111111111";
    assert_eq!(
        error_type(
            sim.put_approval_result(ok("Approve", "Manual", stranger))
                .await
        ),
        "InvalidApprovalTokenException"
    );
    assert_eq!(
        error_type(
            sim.put_approval_result(ok("Approve", "Manual", "bad"))
                .await
        ),
        "ValidationException"
    );
    let mut missing = ok("Approve", "Manual", &token);
    missing.pipeline_name = "Nope".into();
    assert_eq!(
        error_type(sim.put_approval_result(missing).await),
        "PipelineNotFoundException"
    );
    sim.put_approval_result(ok("Approve", "Manual", &token))
        .await
        .unwrap();
    assert_eq!(
        error_type(
            sim.put_approval_result(ok("Approve", "Manual", &token))
                .await
        ),
        "ApprovalAlreadyCompletedException"
    );
}

#[tokio::test]
async fn an_update_cancels_waiting_executions_at_once_and_running_ones_at_the_next_tick() {
    let sim = sim();
    create(&sim, with_approval("P").v2(ExecutionMode::Queued)).await;
    let inside = start(&sim, "P").await;
    let waiting = start(&sim, "P").await;
    let out = sim
        .update_pipeline(with_approval("P").v2(ExecutionMode::Queued))
        .await
        .unwrap();
    assert_eq!(out.pipeline.version, Some(2));
    assert_eq!(status(&sim, "P", &waiting).await, Cancelled);
    assert_eq!(status(&sim, "P", &inside).await, InProgress);
    let state = sim.get_pipeline_state("P").await.unwrap();
    assert_eq!(state.pipeline_version, 2);
    let source = &state.stage_states[0];
    assert_eq!(
        source.latest_execution.as_ref().unwrap().status,
        StageExecutionStatus::InProgress
    );
    let fetch = source.action_states[0].latest_execution.as_ref().unwrap();
    assert_eq!(fetch.status, ActionExecutionStatus::Abandoned);

    sim.advance(Duration::ZERO).await;
    let cancelled = execution(&sim, "P", inside.as_str()).await;
    assert_eq!(cancelled.status, Cancelled);
    assert_eq!(
        cancelled.status_summary.as_deref(),
        Some("The pipeline was updated before the execution could complete")
    );
    let state = sim.get_pipeline_state("P").await.unwrap();
    assert_eq!(
        state.stage_states[0]
            .latest_execution
            .as_ref()
            .unwrap()
            .status,
        StageExecutionStatus::Cancelled
    );
    let next = start(&sim, "P").await;
    let exe = execution(&sim, "P", next.as_str()).await;
    assert_eq!(exe.pipeline_version, 2);
    sim.advance(ACTION).await;
    assert_eq!(
        status(&sim, "P", &inside).await,
        Cancelled,
        "old timers no longer apply"
    );
}

#[tokio::test]
async fn an_execution_an_update_is_cancelling_cannot_be_stopped() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    sim.update_pipeline(two_stages("P")).await.unwrap();
    let err = sim
        .stop_pipeline_execution(StopPipelineExecutionInput::new("P", &id))
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "PipelineExecutionNotStoppableException");
}

#[tokio::test]
async fn history_is_capped_dropping_the_oldest_finished_first() {
    let sim = Simulator::builder()
        .seed(SEED)
        .virtual_time()
        .action_duration(ACTION)
        .history_limit(3)
        .build();
    create(&sim, with_approval("P").v2(ExecutionMode::Parallel)).await;
    let held = start(&sim, "P").await; // waits for approval, stays active
    let mut finished = Vec::new();
    for _ in 0..4 {
        finished.push(start(&sim, "P").await);
        let token = {
            sim.advance(ACTION).await;
            approval_token(&sim, "P", "Approve", "Manual").await
        };
        sim.put_approval_result(approval(
            "P",
            "Approve",
            "Manual",
            &token,
            ApprovalStatus::Approved,
        ))
        .await
        .unwrap();
        sim.advance(ACTION).await;
    }
    start(&sim, "P").await;
    let listed: Vec<_> = sim
        .list_pipeline_executions("P")
        .await
        .unwrap()
        .pipeline_execution_summaries
        .into_iter()
        .map(|s| s.pipeline_execution_id)
        .collect();
    assert_eq!(listed.len(), 3);
    assert!(
        listed.contains(&held),
        "active executions are never dropped"
    );
    assert_eq!(
        error_type(
            sim.get_pipeline_execution(("P", finished[0].as_str()))
                .await
        ),
        "PipelineExecutionNotFoundException"
    );
}

#[tokio::test]
async fn list_executions_pages_newest_first() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(start(&sim, "P").await);
    }
    ids.reverse();
    let mut input = ListPipelineExecutionsInput::new("P");
    input.max_results = Some(2);
    let mut seen = Vec::new();
    loop {
        let page = sim.list_pipeline_executions(input.clone()).await.unwrap();
        assert!(page.pipeline_execution_summaries.len() <= 2);
        seen.extend(
            page.pipeline_execution_summaries
                .into_iter()
                .map(|s| s.pipeline_execution_id),
        );
        match page.next_token {
            Some(token) => input.next_token = Some(token),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    input.next_token = Some("forged".into());
    assert_eq!(
        error_type(sim.list_pipeline_executions(input.clone()).await),
        "InvalidNextTokenException"
    );
    input.next_token = None;
    input.max_results = Some(101);
    assert_eq!(
        error_type(sim.list_pipeline_executions(input).await),
        "ValidationException"
    );
}

#[tokio::test]
async fn executions_report_trigger_and_mode_and_no_type_when_standard() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    let exe = execution(&sim, "P", id.as_str()).await;
    assert_eq!(exe.trigger.trigger_type, "StartPipelineExecution");
    assert_eq!(exe.trigger.trigger_detail, "arn:aws:iam::123456789012:root");
    assert_eq!(exe.execution_mode, ExecutionMode::Superseded);
    assert_eq!(exe.execution_type, None, "AWS sends no type for STANDARD");
    assert_eq!(exe.pipeline_version, 1);
}

#[tokio::test(start_paused = true)]
async fn harnesses_can_wait_for_a_stage_without_polling() {
    let sim = Simulator::builder()
        .seed(SEED)
        .action_duration(ACTION)
        .start_on_create(false)
        .build();
    let mut events = sim.events();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    let event = events
        .wait_for(|e| matches!(&e.kind, EventKind::Stage { stage, status: StageExecutionStatus::InProgress } if &**stage == "Deploy"))
        .await
        .unwrap();
    assert_eq!(event.execution_id.to_string(), id);
    let done = events
        .wait_for(|e| e.kind == EventKind::Execution(Succeeded))
        .await
        .unwrap();
    assert_eq!(
        done.at.as_millis() - event.at.as_millis(),
        ACTION.as_millis() as u64
    );
}

#[tokio::test(start_paused = true)]
async fn real_time_mode_follows_the_paused_tokio_clock() {
    let sim = Simulator::builder()
        .seed(SEED)
        .action_duration(ACTION)
        .start_on_create(false)
        .build();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    tokio::time::sleep(ACTION * 2 + Duration::from_millis(5)).await;
    assert_eq!(status(&sim, "P", &id).await, Succeeded);
}
