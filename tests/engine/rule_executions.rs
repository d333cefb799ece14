//! `ListRuleExecutions`: every run of a stage condition's rules, newest first, with the
//! rule it ran and what it found; filtered and paged as `ListActionExecutions` is.

use crate::common::*;
use crate::helpers::*;
use pipesim::Simulator;
use pipesim::model::*;

/// A queued V2 pipeline whose Deploy stage may be entered only by executions whose
/// `BRANCH` variable is `main`.
fn gated() -> PipelineDeclaration {
    let mut pipeline = two_stages("P")
        .v2(ExecutionMode::Queued)
        .variable("BRANCH", Some("main"));
    let rule = RuleDeclaration::new("Branch", "VariableCheck")
        .config("Variable", "#{variables.BRANCH}")
        .config("Operator", "EQ")
        .config("Value", "main");
    let deploy = pipeline.stages.pop().unwrap();
    pipeline
        .stages
        .push(deploy.before_entry(Condition::new(ConditionResult::Fail, vec![rule])));
    pipeline
}

/// Starts `main` then `dev` and lets both finish: `main` passes the rule and deploys,
/// `dev` (queued behind it at Deploy) fails it. Answers their ids.
async fn main_then_dev(sim: &Simulator) -> (String, String) {
    create(sim, gated()).await;
    let on = |branch: &str| StartPipelineExecutionInput::new("P").variable("BRANCH", branch);
    let main = start_with(sim, on("main")).await;
    let dev = start_with(sim, on("dev")).await;
    sim.advance(ACTION * 5).await;
    (main, dev)
}

async fn runs(sim: &Simulator, input: ListRuleExecutionsInput) -> Vec<RuleExecutionDetail> {
    sim.list_rule_executions(input)
        .await
        .unwrap()
        .rule_execution_details
}

#[tokio::test]
async fn every_rule_run_is_listed_newest_first_with_its_rule_and_result() {
    let sim = sim();
    let (main, dev) = main_then_dev(&sim).await;
    assert_eq!(
        status(&sim, "P", &main).await,
        PipelineExecutionStatus::Succeeded
    );
    assert_eq!(
        status(&sim, "P", &dev).await,
        PipelineExecutionStatus::Failed
    );

    let listed = runs(&sim, "P".into()).await;
    let seen: Vec<_> = listed
        .iter()
        .map(|r| (r.pipeline_execution_id.as_str(), r.status))
        .collect();
    assert_eq!(
        seen,
        [
            (dev.as_str(), ActionExecutionStatus::Failed),
            (main.as_str(), ActionExecutionStatus::Succeeded),
        ]
    );
    assert_ne!(listed[0].rule_execution_id, listed[1].rule_execution_id);
    assert!(listed[0].start_time > listed[1].start_time);
    let pipeline = gated();
    for run in &listed {
        assert_eq!(run.pipeline_version, 1);
        assert_eq!(run.stage_name, "Deploy");
        assert_eq!(run.rule_name, "Branch");
        assert_eq!(run.last_update_time, run.start_time.after(ACTION));
        assert_eq!(run.updated_by, None);
        let id = &run.input.rule_type_id;
        assert_eq!(id.category, RuleCategory::Rule);
        assert_eq!(id.owner, Some(RuleOwner::Aws));
        assert_eq!(id.provider, "VariableCheck");
        assert_eq!(id.version.as_deref(), Some("1"));
        assert_eq!(run.input.configuration["Variable"], "#{variables.BRANCH}");
        assert_eq!(run.input.configuration["Operator"], "EQ");
        assert_eq!(
            run.input.role_arn.as_deref(),
            Some(pipeline.role_arn.as_str())
        );
        assert_eq!(run.input.region.as_deref(), Some("us-east-1"));
        assert!(run.input.input_artifacts.is_empty());
    }
    assert_eq!(listed[0].input.resolved_configuration["Variable"], "dev");
    assert_eq!(listed[1].input.resolved_configuration["Variable"], "main");
    assert_eq!(listed[1].input.resolved_configuration["Value"], "main");

    let failed = listed[0].output.execution_result.as_ref().unwrap();
    assert_eq!(
        failed.external_execution_summary.as_deref(),
        Some("'dev' EQ 'main' is false")
    );
    let error = failed.error_details.as_ref().unwrap();
    assert_eq!(error.code, "VariableCheckFailed");
    assert_eq!(error.message, "'dev' EQ 'main' is false");
    let passed = listed[1].output.execution_result.as_ref().unwrap();
    assert_eq!(
        passed.external_execution_summary.as_deref(),
        Some("'main' EQ 'main' is true")
    );
    assert_eq!(passed.error_details, None);
}

#[tokio::test]
async fn a_running_rule_is_listed_in_progress_without_a_result() {
    let sim = sim();
    create(&sim, gated()).await;
    let id = start(&sim, "P").await;
    sim.advance(ACTION + ACTION / 2).await;
    let listed = runs(&sim, "P".into()).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].pipeline_execution_id, id);
    assert_eq!(listed[0].status, ActionExecutionStatus::InProgress);
    assert_eq!(listed[0].output.execution_result, None);
}

#[tokio::test]
async fn rule_runs_filter_by_execution_and_page_with_opaque_tokens() {
    let sim = sim();
    let (main, dev) = main_then_dev(&sim).await;
    let of_main = runs(&sim, ListRuleExecutionsInput::new("P").of_execution(&main)).await;
    assert_eq!(of_main.len(), 1);
    assert_eq!(of_main[0].pipeline_execution_id, main);
    assert_eq!(of_main[0].status, ActionExecutionStatus::Succeeded);
    let mut latest = ListRuleExecutionsInput::new("P");
    latest.filter = Some(RuleExecutionFilter {
        pipeline_execution_id: None,
        latest_in_pipeline_execution: Some(LatestInPipelineExecutionFilter {
            pipeline_execution_id: dev.clone(),
            start_time_range: StartTimeRange::Latest,
        }),
    });
    let of_dev = runs(&sim, latest).await;
    assert_eq!(of_dev.len(), 1);
    assert_eq!(of_dev[0].pipeline_execution_id, dev);

    let mut page = ListRuleExecutionsInput::new("P");
    page.max_results = Some(1);
    let one = sim.list_rule_executions(page.clone()).await.unwrap();
    assert_eq!(one.rule_execution_details.len(), 1);
    assert_eq!(one.rule_execution_details[0].pipeline_execution_id, dev);
    assert!(one.next_token.is_some());
    page.next_token = one.next_token;
    let two = sim.list_rule_executions(page.clone()).await.unwrap();
    assert_eq!(two.rule_execution_details.len(), 1);
    assert_eq!(two.rule_execution_details[0].pipeline_execution_id, main);
    assert_eq!(two.next_token, None);
}

#[tokio::test]
async fn rule_run_listings_refuse_bad_tokens_unknown_executions_and_pipelines() {
    let sim = sim();
    let (_, _) = main_then_dev(&sim).await;
    let mut input = ListRuleExecutionsInput::new("P");
    input.next_token = Some("made-up".into());
    assert_eq!(
        error_type(sim.list_rule_executions(input).await),
        "InvalidNextTokenException"
    );
    // A token of another list is not one of this list's.
    let mut actions = ListActionExecutionsInput::new("P");
    actions.max_results = Some(1);
    let foreign = sim
        .list_action_executions(actions)
        .await
        .unwrap()
        .next_token;
    let mut input = ListRuleExecutionsInput::new("P");
    input.next_token = foreign;
    assert_eq!(
        error_type(sim.list_rule_executions(input).await),
        "InvalidNextTokenException"
    );

    let missing = "00000000-0000-4000-8000-000000000000";
    assert_eq!(
        error_type(
            sim.list_rule_executions(ListRuleExecutionsInput::new("P").of_execution(missing))
                .await
        ),
        "PipelineExecutionNotFoundException"
    );
    let err = sim.list_rule_executions("Nope").await.unwrap_err();
    assert_eq!(err.error_type(), "PipelineNotFoundException");
    assert_eq!(
        err.message(),
        "The account with AWS account ID '123456789012' does not include a pipeline named 'Nope'"
    );

    let mut input = ListRuleExecutionsInput::new("P");
    input.max_results = Some(0);
    let err = sim.list_rule_executions(input).await.unwrap_err();
    assert_eq!(err.error_type(), "ValidationException");
    assert_eq!(
        err.message(),
        "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: \
         Member must have value greater than or equal to 1"
    );
}

#[tokio::test]
async fn a_pipeline_keeps_as_many_rule_runs_as_executions_the_oldest_forgotten_first() {
    let sim = builder().start_on_create(false).history_limit(2).build();
    create(&sim, gated()).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(start(&sim, "P").await);
        sim.advance(ACTION * 3).await;
    }
    let listed = runs(&sim, ListRuleExecutionsInput::from("P")).await;
    let listed: Vec<&str> = listed
        .iter()
        .map(|r| r.pipeline_execution_id.as_str())
        .collect();
    assert_eq!(listed, [ids[2].as_str(), ids[1].as_str()]);
}
