//! Manual approvals as the real service answers them: tokens, default summaries, who
//! answered, required summaries, the approval's link, and what an update does to an
//! approval that waits.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::common::*;
use crate::helpers::*;
use pipesim::Simulator;
use pipesim::model::*;

const CALLER: &str = "arn:aws:iam::123456789012:root";

/// `with_approval("P")` whose approval has this configuration.
fn approval_configured(config: &[(&str, &str)]) -> PipelineDeclaration {
    let mut pipeline = with_approval("P");
    let configuration: BTreeMap<String, String> = config
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    pipeline.stages[1].actions[0].configuration = Some(configuration);
    pipeline
}

/// Starts `P` and runs it up to its waiting approval; answers the execution's id.
async fn waiting_for_approval(sim: &Simulator) -> String {
    let id = start(sim, "P").await;
    sim.advance(ACTION).await;
    id
}

async fn manual(sim: &Simulator) -> ActionState {
    sim.get_pipeline_state("P").await.unwrap().stage_states[1].action_states[0].clone()
}

fn answer(token: &str, status: ApprovalStatus, summary: &str) -> PutApprovalResultInput {
    let mut input = approval("P", "Approve", "Manual", token, status);
    input.result.summary = summary.into();
    input
}

#[tokio::test]
async fn an_approvals_token_is_its_action_execution_id() {
    let sim = sim();
    create(&sim, with_approval("P")).await;
    waiting_for_approval(&sim).await;
    let latest = manual(&sim).await.latest_execution.unwrap();
    assert_eq!(latest.token.as_deref(), Some(&*latest.action_execution_id));
}

#[tokio::test]
async fn an_answer_without_a_summary_gets_the_default_summary_naming_the_caller() {
    for (status, expected) in [
        (ApprovalStatus::Approved, format!("Approved by {CALLER}")),
        (ApprovalStatus::Rejected, format!("Rejected by {CALLER}")),
    ] {
        let sim = sim();
        create(&sim, with_approval("P")).await;
        waiting_for_approval(&sim).await;
        let token = approval_token(&sim, "P", "Approve", "Manual").await;
        sim.put_approval_result(answer(&token, status, ""))
            .await
            .unwrap();
        let latest = manual(&sim).await.latest_execution.unwrap();
        assert_eq!(latest.summary.as_deref(), Some(expected.as_str()));
    }
}

#[tokio::test]
async fn an_answered_approval_shows_who_answered_and_no_longer_its_token() {
    let sim = sim();
    create(&sim, with_approval("P")).await;
    waiting_for_approval(&sim).await;
    let waiting = manual(&sim).await.latest_execution.unwrap();
    assert_eq!(waiting.last_updated_by, None);
    approve(&sim, "P").await;
    let answered = manual(&sim).await.latest_execution.unwrap();
    assert_eq!(answered.status, ActionExecutionStatus::Succeeded);
    assert_eq!(answered.summary.as_deref(), Some("reviewed"));
    assert_eq!(answered.last_updated_by.as_deref(), Some(CALLER));
    assert_eq!(answered.token, None);
}

#[tokio::test]
async fn answering_an_answered_approval_again_is_already_completed() {
    let sim = sim();
    create(&sim, with_approval("P")).await;
    waiting_for_approval(&sim).await;
    let token = approval_token(&sim, "P", "Approve", "Manual").await;
    approve(&sim, "P").await;
    let err = sim
        .put_approval_result(answer(&token, ApprovalStatus::Approved, "again"))
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "ApprovalAlreadyCompletedException");
    assert_eq!(
        err.message(),
        "The approval request that you responded to is already complete or has expired."
    );
}

#[tokio::test]
async fn a_required_summary_refuses_an_empty_or_blank_answer() {
    let sim = sim();
    create(&sim, approval_configured(&[("IsSummaryRequired", "true")])).await;
    let id = waiting_for_approval(&sim).await;
    let token = approval_token(&sim, "P", "Approve", "Manual").await;
    for status in [ApprovalStatus::Approved, ApprovalStatus::Rejected] {
        for blank in ["", "   "] {
            let err = sim
                .put_approval_result(answer(&token, status.clone(), blank))
                .await
                .unwrap_err();
            assert_eq!(err.error_type(), "InvalidApprovalTokenException");
        }
    }
    assert_eq!(
        manual(&sim).await.latest_execution.unwrap().status,
        ActionExecutionStatus::InProgress,
        "a refused answer changes nothing"
    );
    sim.put_approval_result(answer(&token, ApprovalStatus::Approved, "ok"))
        .await
        .unwrap();
    sim.advance(ACTION).await;
    assert_eq!(
        status(&sim, "P", &id).await,
        PipelineExecutionStatus::Succeeded
    );
}

#[tokio::test]
async fn the_external_entity_link_is_the_approvals_entity_url() {
    let sim = sim();
    let link = "https://example.com/review/42";
    create(
        &sim,
        approval_configured(&[("ExternalEntityLink", link), ("CustomData", "Check it")]),
    )
    .await;
    assert_eq!(manual(&sim).await.entity_url.as_deref(), Some(link));
}

#[tokio::test]
async fn an_update_fails_a_waiting_approval_and_its_token_is_then_out_of_date() {
    let sim = sim();
    create(&sim, with_approval("P")).await;
    let id = waiting_for_approval(&sim).await;
    let token = approval_token(&sim, "P", "Approve", "Manual").await;
    sim.update_pipeline(with_approval("P")).await.unwrap();

    // Right after the update, as recorded: the approval has failed, while its stage
    // and execution still read InProgress.
    let state = sim.get_pipeline_state("P").await.unwrap();
    let approve = &state.stage_states[1];
    let latest = approve.action_states[0].latest_execution.as_ref().unwrap();
    assert_eq!(latest.status, ActionExecutionStatus::Failed);
    assert_eq!(
        latest.summary.as_deref(),
        Some("The approval action has been canceled.")
    );
    assert_eq!(latest.token, None);
    assert_eq!(
        approve.latest_execution.as_ref().unwrap().status,
        StageExecutionStatus::InProgress
    );
    assert_eq!(
        status(&sim, "P", &id).await,
        PipelineExecutionStatus::InProgress
    );
    let err = sim
        .put_approval_result(answer(&token, ApprovalStatus::Approved, "late"))
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "InvalidApprovalTokenException");
    assert_eq!(
        err.message(),
        "The pipeline P has been updated, and the approval request you responded to is now out of date."
    );

    // At the next tick the execution ends Cancelled, with its stage run.
    sim.advance(Duration::ZERO).await;
    let answered = execution(&sim, "P", id.as_str()).await;
    assert_eq!(answered.status, PipelineExecutionStatus::Cancelled);
    let state = sim.get_pipeline_state("P").await.unwrap();
    assert_eq!(
        state.stage_states[1]
            .latest_execution
            .as_ref()
            .unwrap()
            .status,
        StageExecutionStatus::Cancelled
    );
}

#[tokio::test]
async fn the_caller_arn_is_the_one_the_simulator_is_told_for_every_account() {
    let sim = builder()
        .start_on_create(false)
        .caller_arn("arn:aws:sts::{account}:assumed-role/deployer/ci")
        .build();
    let other = sim.with_scope("210987654321", "us-east-1");
    for (sim, account) in [(&sim, "123456789012"), (&other, "210987654321")] {
        let caller = format!("arn:aws:sts::{account}:assumed-role/deployer/ci");
        create(sim, with_approval("P")).await;
        let id = waiting_for_approval(sim).await;
        let answered = execution(sim, "P", id.as_str()).await;
        assert_eq!(answered.trigger.trigger_detail, caller);
        let token = approval_token(sim, "P", "Approve", "Manual").await;
        sim.put_approval_result(answer(&token, ApprovalStatus::Rejected, ""))
            .await
            .unwrap();
        let latest = manual(sim).await.latest_execution.unwrap();
        assert_eq!(latest.last_updated_by.as_deref(), Some(caller.as_str()));
        assert_eq!(latest.summary, Some(format!("Rejected by {caller}")));
    }
}
