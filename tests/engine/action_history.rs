//! `ListActionExecutions`: every action run of a pipeline, newest first, with what it ran
//! with and what it produced.

use std::collections::BTreeMap;

use crate::common::*;
use crate::helpers::*;
use pipesim::model::*;
use pipesim::{ActionResult, Simulator};

/// Source `Code` (CodeCommit, namespace `SourceVariables`), then `Ship` (S3 deploy)
/// whose object key names the commit.
fn referencing() -> PipelineDeclaration {
    let mut pipeline = two_stages("P");
    let source = &mut pipeline.stages[0].actions[0];
    source.action_type_id = ActionTypeId::aws(ActionCategory::Source, "CodeCommit");
    source.configuration = Some(BTreeMap::from([
        ("RepositoryName".into(), "app".into()),
        ("BranchName".into(), "main".into()),
    ]));
    source
        .other
        .insert("namespace".into(), "SourceVariables".into());
    let ship = pipeline.stages[1].actions[0]
        .configuration
        .as_mut()
        .unwrap();
    ship.insert("Extract".into(), "false".into());
    ship.insert("ObjectKey".into(), "#{SourceVariables.CommitId}.zip".into());
    pipeline
}

async fn runs(sim: &Simulator, input: ListActionExecutionsInput) -> Vec<ActionExecutionDetail> {
    sim.list_action_executions(input)
        .await
        .unwrap()
        .action_execution_details
}

#[tokio::test]
async fn every_action_run_is_listed_newest_first_with_its_input_and_output() {
    let sim = sim();
    create(&sim, referencing()).await;
    let id = start(&sim, "P").await;
    sim.advance(ACTION * 2).await;
    let listed = runs(&sim, ListActionExecutionsInput::new("P")).await;
    let names: Vec<_> = listed.iter().map(|r| r.action_name.as_str()).collect();
    assert_eq!(names, ["Ship", "Fetch"]);
    let commit = execution(&sim, "P", &id).await.artifact_revisions[0]
        .revision_id
        .clone();

    let code = &listed[1];
    assert_eq!(code.pipeline_execution_id, id);
    assert_eq!(code.stage_name, "Source");
    assert_eq!(code.status, ActionExecutionStatus::Succeeded);
    assert_eq!(code.input.namespace.as_deref(), Some("SourceVariables"));
    assert_eq!(code.input.region.as_deref(), Some("us-east-1"));
    assert_eq!(code.output.output_artifacts[0].name, "Src");
    let result = code.output.execution_result.as_ref().unwrap();
    assert_eq!(result.external_execution_id.as_ref(), Some(&commit));
    assert_eq!(code.output.output_variables["CommitId"], commit);
    assert_eq!(code.output.output_variables["BranchName"], "main");

    let ship = &listed[0];
    assert_eq!(
        ship.input.configuration["ObjectKey"],
        "#{SourceVariables.CommitId}.zip"
    );
    assert_eq!(
        ship.input.resolved_configuration["ObjectKey"],
        format!("{commit}.zip")
    );
    assert_eq!(ship.input.input_artifacts[0].name, "Src");
    assert!(ship.start_time < ship.last_update_time);
}

#[tokio::test]
async fn runs_are_filtered_by_execution_and_paged_with_opaque_tokens() {
    let sim = sim();
    create(&sim, two_stages("P").v2(ExecutionMode::Parallel)).await;
    let first = start(&sim, "P").await;
    let second = start(&sim, "P").await;
    sim.advance(ACTION * 2).await;
    let of_first = runs(
        &sim,
        ListActionExecutionsInput::new("P").of_execution(&first),
    )
    .await;
    assert_eq!(of_first.len(), 2);
    assert!(of_first.iter().all(|r| r.pipeline_execution_id == first));

    let mut page = ListActionExecutionsInput::new("P");
    page.max_results = Some(3);
    let one = sim.list_action_executions(page.clone()).await.unwrap();
    assert_eq!(one.action_execution_details.len(), 3);
    page.next_token = one.next_token;
    let two = sim.list_action_executions(page.clone()).await.unwrap();
    assert_eq!(two.action_execution_details.len(), 1);
    assert!(two.next_token.is_none());
    page.next_token = Some("made-up".into());
    assert_eq!(
        error_type(sim.list_action_executions(page).await),
        "InvalidNextTokenException"
    );
    let missing = "00000000-0000-4000-8000-000000000000";
    let err = sim
        .list_action_executions(ListActionExecutionsInput::new("P").of_execution(missing))
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "PipelineExecutionNotFoundException");
    let _ = second;
}

#[tokio::test]
async fn the_latest_filter_keeps_each_actions_newest_run_of_the_execution() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    sim.advance(ACTION).await;
    sim.finish_action("P", &id, "Deploy", "Ship", ActionResult::Failed)
        .await
        .unwrap();
    let retry = RetryStageExecutionInput::failed_actions("P", "Deploy", &id);
    sim.retry_stage_execution(retry).await.unwrap();
    sim.advance(ACTION).await;
    let filtered = |range: StartTimeRange| {
        let mut input = ListActionExecutionsInput::new("P");
        input.filter = Some(ActionExecutionFilter {
            pipeline_execution_id: None,
            latest_in_pipeline_execution: Some(LatestInPipelineExecutionFilter {
                pipeline_execution_id: id.clone(),
                start_time_range: range,
            }),
        });
        input
    };
    let all = runs(&sim, filtered(StartTimeRange::All)).await;
    let statuses: Vec<_> = all
        .iter()
        .map(|r| (r.action_name.as_str(), r.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("Ship", ActionExecutionStatus::Succeeded),
            ("Ship", ActionExecutionStatus::Failed),
            ("Fetch", ActionExecutionStatus::Succeeded),
        ]
    );
    let latest = runs(&sim, filtered(StartTimeRange::Latest)).await;
    let statuses: Vec<_> = latest
        .iter()
        .map(|r| (r.action_name.as_str(), r.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("Ship", ActionExecutionStatus::Succeeded),
            ("Fetch", ActionExecutionStatus::Succeeded),
        ]
    );
}

#[tokio::test]
async fn an_answered_approval_shows_who_answered_and_a_missing_pipeline_the_recorded_wording() {
    let sim = sim();
    create(&sim, with_approval("P")).await;
    start(&sim, "P").await;
    sim.advance(ACTION).await;
    approve(&sim, "P").await;
    let listed = runs(&sim, ListActionExecutionsInput::new("P")).await;
    let manual = listed.iter().find(|r| r.action_name == "Manual").unwrap();
    assert_eq!(
        manual.updated_by.as_deref(),
        Some("arn:aws:iam::123456789012:root")
    );
    assert_eq!(
        manual
            .output
            .execution_result
            .as_ref()
            .unwrap()
            .external_execution_summary
            .as_deref(),
        Some("reviewed")
    );
    let err = sim.list_action_executions("Nope").await.unwrap_err();
    assert_eq!(err.error_type(), "PipelineNotFoundException");
    assert_eq!(
        err.message(),
        "The account with AWS account ID '123456789012' does not include a pipeline named 'Nope'"
    );
}

#[tokio::test]
async fn a_pipeline_keeps_as_many_action_runs_as_executions() {
    let sim = builder().start_on_create(false).history_limit(3).build();
    create(&sim, two_stages("P")).await;
    for _ in 0..4 {
        start(&sim, "P").await;
        sim.advance(ACTION * 2).await;
    }
    assert_eq!(sim.pipeline_stats("P").unwrap().retained_action_runs, 3);
}
