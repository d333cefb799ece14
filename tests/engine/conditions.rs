//! Stage conditions: entry, success and failure rules, their results, and overrides.

use crate::common::*;
use crate::helpers::*;
use pipesim::model::*;
use pipesim::{ActionEnd, Simulator};

use PipelineExecutionStatus::*;

/// A rule that holds when the execution's `BRANCH` variable is `main`.
fn branch_is_main() -> RuleDeclaration {
    RuleDeclaration::new("OnMain", "VariableCheck")
        .config("Variable", "#{variables.BRANCH}")
        .config("Operator", "EQ")
        .config("Value", "main")
}

/// Source, then Deploy shaped by `deploy`, as a V2 QUEUED pipeline with the variable
/// `BRANCH` (default `main`).
fn conditional(deploy: impl FnOnce(StageDeclaration) -> StageDeclaration) -> PipelineDeclaration {
    let mut pipeline = two_stages("P")
        .v2(ExecutionMode::Queued)
        .variable("BRANCH", Some("main"));
    let stage = std::mem::take(&mut pipeline.stages[1]);
    pipeline.stages[1] = deploy(stage);
    pipeline
}

async fn start_on(sim: &Simulator, branch: &str) -> String {
    start_with(
        sim,
        StartPipelineExecutionInput::new("P").variable("BRANCH", branch),
    )
    .await
}

async fn deploy_state(sim: &Simulator) -> StageState {
    sim.get_pipeline_state("P").await.unwrap().stage_states[1].clone()
}

/// The status of Deploy's entry condition's latest check.
async fn entry_status(sim: &Simulator) -> ConditionExecutionStatus {
    let entry = deploy_state(sim)
        .await
        .before_entry_condition_state
        .unwrap();
    entry
        .latest_execution
        .expect("the condition was checked")
        .status
}

/// The latest run of Deploy's first entry rule.
async fn entry_rule(sim: &Simulator) -> RuleExecution {
    let entry = deploy_state(sim)
        .await
        .before_entry_condition_state
        .unwrap();
    let rule = &entry.condition_states[0].rule_states[0];
    rule.latest_execution.clone().expect("the rule has run")
}

#[tokio::test]
async fn an_entry_condition_that_fails_fails_the_stage_before_its_actions_run() {
    let sim = sim();
    let fail = Condition::new(ConditionResult::Fail, vec![branch_is_main()]);
    create(&sim, conditional(|s| s.before_entry(fail))).await;
    let id = start_on(&sim, "dev").await;
    sim.advance(ACTION).await;
    let deploy = deploy_state(&sim).await;
    let entry = deploy.before_entry_condition_state.clone().unwrap();
    assert_eq!(
        entry.condition_states[0].rule_states[0]
            .latest_execution
            .as_ref()
            .unwrap()
            .status,
        ActionExecutionStatus::InProgress
    );
    assert!(deploy.action_states[0].latest_execution.is_none());
    sim.advance(ACTION).await;

    let execution = execution(&sim, "P", &id).await;
    assert_eq!(execution.status, Failed);
    assert_eq!(
        execution.status_summary.as_deref(),
        Some("Stage 'Deploy' did not meet its beforeEntry condition")
    );
    let deploy = deploy_state(&sim).await;
    assert_eq!(
        deploy.latest_execution.unwrap().status,
        StageExecutionStatus::Failed
    );
    let entry = deploy.before_entry_condition_state.unwrap();
    let latest = entry.latest_execution.unwrap();
    assert_eq!(latest.status, ConditionExecutionStatus::Failed);
    assert_eq!(latest.summary.as_deref(), Some("Rule 'OnMain' failed"));
    let rule = entry.condition_states[0].rule_states[0]
        .latest_execution
        .clone()
        .unwrap();
    assert_eq!(rule.status, ActionExecutionStatus::Failed);
    assert_eq!(rule.error_details.unwrap().code, "VariableCheckFailed");
    assert!(
        deploy.action_states[0].latest_execution.is_none(),
        "Ship never ran"
    );
}

#[tokio::test]
async fn an_entry_condition_that_holds_lets_the_actions_run() {
    let sim = sim();
    let fail = Condition::new(ConditionResult::Fail, vec![branch_is_main()]);
    create(&sim, conditional(|s| s.before_entry(fail))).await;
    let id = start_on(&sim, "main").await;
    sim.advance(ACTION * 3).await;
    assert_eq!(status(&sim, "P", &id).await, Succeeded);
    assert_eq!(
        entry_status(&sim).await,
        ConditionExecutionStatus::Succeeded
    );
}

#[tokio::test]
async fn an_unmet_entry_condition_with_skip_skips_the_stage_and_the_execution_goes_on() {
    let sim = sim();
    let skip = Condition::new(ConditionResult::Skip, vec![branch_is_main()]);
    create(&sim, conditional(|s| s.before_entry(skip))).await;
    let id = start_on(&sim, "feature").await;
    sim.advance(ACTION * 2).await;
    assert_eq!(status(&sim, "P", &id).await, Succeeded);
    let deploy = deploy_state(&sim).await;
    assert_eq!(
        deploy.latest_execution.unwrap().status,
        StageExecutionStatus::Skipped
    );
    assert!(deploy.action_states[0].latest_execution.is_none());
}

#[tokio::test]
async fn an_unmet_success_condition_with_rollback_rolls_the_stage_back_automatically() {
    let sim = sim();
    let rollback = Condition::new(ConditionResult::Rollback, vec![branch_is_main()]);
    create(&sim, conditional(|s| s.on_success(rollback))).await;
    let good = start_on(&sim, "main").await;
    sim.advance(ACTION * 3).await;
    assert_eq!(status(&sim, "P", &good).await, Succeeded);
    let bad = start_on(&sim, "dev").await;
    sim.advance(ACTION * 3).await;
    assert_eq!(status(&sim, "P", &bad).await, Failed);

    let list = sim.list_pipeline_executions("P").await.unwrap();
    let newest = &list.pipeline_execution_summaries[0];
    assert_eq!(newest.trigger.trigger_type, "AutomatedRollback");
    assert_eq!(newest.execution_type, Some(ExecutionType::Rollback));
    assert_eq!(
        newest
            .rollback_metadata
            .as_ref()
            .unwrap()
            .rollback_target_pipeline_execution_id,
        Some(good.clone())
    );
    // The rollback runs Deploy with the good execution's variables: its condition holds.
    sim.advance(ACTION * 2).await;
    assert_eq!(
        status(&sim, "P", &newest.pipeline_execution_id).await,
        Succeeded
    );
}

#[tokio::test]
async fn an_on_failure_retry_runs_the_failed_stage_again_once() {
    let sim = sim();
    let retry = FailureConditions {
        result: Some(ConditionResult::Retry),
        retry_configuration: Some(RetryConfiguration {
            retry_mode: Some(StageRetryMode::FailedActions),
        }),
        conditions: None,
    };
    create(&sim, conditional(|s| s.on_failure(retry))).await;
    let fail = || ActionEnd::failed("flaky");
    sim.script_action("P", "Deploy", "Ship", [fail()])
        .await
        .unwrap();
    let id = start(&sim, "P").await;
    sim.advance(ACTION * 3).await;
    assert_eq!(status(&sim, "P", &id).await, Succeeded);
    let metadata = deploy_state(&sim).await.retry_stage_metadata.unwrap();
    assert_eq!(metadata.auto_stage_retry_attempt, Some(1));
    assert_eq!(
        metadata.latest_retry_trigger.as_deref(),
        Some("AutomatedStageRetry")
    );

    // A second failure after the one automatic retry fails the execution.
    sim.script_action("P", "Deploy", "Ship", [fail(), fail()])
        .await
        .unwrap();
    let id = start(&sim, "P").await;
    sim.advance(ACTION * 3).await;
    assert_eq!(status(&sim, "P", &id).await, Failed);
}

#[tokio::test]
async fn an_on_failure_rollback_rolls_back_to_the_last_success_in_the_stage() {
    let sim = sim();
    let rollback = FailureConditions {
        result: Some(ConditionResult::Rollback),
        ..FailureConditions::default()
    };
    create(&sim, conditional(|s| s.on_failure(rollback))).await;
    // No execution succeeded in Deploy yet: nothing to roll back to.
    sim.script_action("P", "Deploy", "Ship", [ActionEnd::failed("no")])
        .await
        .unwrap();
    let first = start(&sim, "P").await;
    sim.advance(ACTION * 2).await;
    assert_eq!(status(&sim, "P", &first).await, Failed);
    assert_eq!(
        sim.list_pipeline_executions("P")
            .await
            .unwrap()
            .pipeline_execution_summaries
            .len(),
        1
    );

    let good = start(&sim, "P").await;
    sim.advance(ACTION * 2).await;
    sim.script_action("P", "Deploy", "Ship", [ActionEnd::failed("no")])
        .await
        .unwrap();
    let bad = start(&sim, "P").await;
    sim.advance(ACTION * 2).await;
    assert_eq!(status(&sim, "P", &bad).await, Failed);
    let list = sim.list_pipeline_executions("P").await.unwrap();
    let newest = &list.pipeline_execution_summaries[0];
    assert_eq!(newest.trigger.trigger_type, "AutomatedRollback");
    let target = newest.rollback_metadata.as_ref().unwrap();
    assert_eq!(target.rollback_target_pipeline_execution_id, Some(good));
}

#[tokio::test]
async fn overriding_an_entry_condition_abandons_its_rules_and_runs_the_actions() {
    let sim = sim();
    let fail = Condition::new(ConditionResult::Fail, vec![branch_is_main()]);
    create(&sim, conditional(|s| s.before_entry(fail))).await;
    let id = start_on(&sim, "dev").await;
    sim.advance(ACTION).await;
    let input = OverrideStageConditionInput::new("P", "Deploy", &id, ConditionType::BeforeEntry);
    sim.override_stage_condition(input.clone()).await.unwrap();
    assert_eq!(
        entry_status(&sim).await,
        ConditionExecutionStatus::Overridden
    );
    assert_eq!(
        entry_rule(&sim).await.status,
        ActionExecutionStatus::Abandoned
    );
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &id).await, Succeeded);

    // Nothing is being checked any more.
    let again = sim.override_stage_condition(input).await;
    assert_eq!(error_type(again), "ConditionNotOverridableException");
}

#[tokio::test]
async fn only_the_latest_execution_of_the_stage_and_a_checked_condition_can_be_overridden() {
    let sim = sim();
    let skip = Condition::new(ConditionResult::Skip, vec![branch_is_main()]);
    create(&sim, conditional(|s| s.before_entry(skip))).await;
    let id = start_on(&sim, "dev").await;
    let other = "11111111-1111-4111-8111-111111111111";
    let not_latest =
        OverrideStageConditionInput::new("P", "Deploy", other, ConditionType::BeforeEntry);
    assert_eq!(
        error_type(sim.override_stage_condition(not_latest).await),
        "NotLatestPipelineExecutionException"
    );
    sim.advance(ACTION).await;
    let skip = OverrideStageConditionInput::new("P", "Deploy", &id, ConditionType::BeforeEntry);
    assert_eq!(
        error_type(sim.override_stage_condition(skip).await),
        "ConditionNotOverridableException"
    );
    let undeclared = OverrideStageConditionInput::new("P", "Deploy", &id, ConditionType::OnSuccess);
    assert_eq!(
        error_type(sim.override_stage_condition(undeclared).await),
        "ConditionNotOverridableException"
    );
    let missing = OverrideStageConditionInput::new("P", "Nope", &id, ConditionType::OnSuccess);
    assert_eq!(
        error_type(sim.override_stage_condition(missing).await),
        "StageNotFoundException"
    );
    let bad =
        OverrideStageConditionInput::new("P", "Deploy", &id, ConditionType::from("ON_FAILURE"));
    let err = sim.override_stage_condition(bad).await.unwrap_err();
    assert_eq!(
        err.message(),
        "1 validation error detected: Value at 'conditionType' failed to satisfy constraint: \
         Member must satisfy enum value set: [BEFORE_ENTRY, ON_SUCCESS]"
    );
}

#[tokio::test]
async fn stopping_an_execution_abandons_the_rules_it_is_checking() {
    let sim = sim();
    let fail = Condition::new(ConditionResult::Fail, vec![branch_is_main()]);
    create(&sim, conditional(|s| s.before_entry(fail))).await;
    let id = start_on(&sim, "main").await;
    sim.advance(ACTION).await;
    sim.stop_pipeline_execution(StopPipelineExecutionInput::new("P", &id).abandon())
        .await
        .unwrap();
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &id).await, Stopped);
    assert_eq!(
        entry_status(&sim).await,
        ConditionExecutionStatus::Abandoned
    );
}

/// A declaration the service refuses, and the error type it answers.
async fn refused(sim: &Simulator, pipeline: PipelineDeclaration) -> &'static str {
    error_type(sim.create_pipeline(pipeline).await)
}

#[tokio::test]
async fn conditions_are_checked_when_a_pipeline_is_declared() {
    let sim = sim();
    let entry = |result| Condition::new(result, vec![branch_is_main()]);
    let mut v1 = conditional(|s| s.before_entry(entry(ConditionResult::Fail)));
    v1.pipeline_type = None;
    v1.execution_mode = None;
    v1.variables = None;
    assert_eq!(refused(&sim, v1).await, "InvalidStructureException");
    let rollback_entry = conditional(|s| s.before_entry(entry(ConditionResult::Rollback)));
    assert_eq!(
        refused(&sim, rollback_entry).await,
        "InvalidStageDeclarationException"
    );
    let unknown = Condition::new(
        ConditionResult::Fail,
        vec![RuleDeclaration::new("R", "Nope")],
    );
    assert_eq!(
        refused(&sim, conditional(|s| s.before_entry(unknown))).await,
        "InvalidStageDeclarationException"
    );
    let window =
        RuleDeclaration::new("W", "DeploymentWindow").config("Cron", "0 0 9-17 ? * MON-FRI *");
    let skip_window = Condition::new(ConditionResult::Skip, vec![window]);
    assert_eq!(
        refused(&sim, conditional(|s| s.before_entry(skip_window))).await,
        "InvalidStageDeclarationException"
    );
    let missing = Condition::new(
        ConditionResult::Fail,
        vec![RuleDeclaration::new("V", "VariableCheck").config("Operator", "EQ")],
    );
    assert_eq!(
        refused(&sim, conditional(|s| s.before_entry(missing))).await,
        "InvalidStageDeclarationException"
    );
    let retry_with_conditions = FailureConditions {
        result: Some(ConditionResult::Retry),
        retry_configuration: None,
        conditions: Some(vec![entry(ConditionResult::Rollback)]),
    };
    assert_eq!(
        refused(&sim, conditional(|s| s.on_failure(retry_with_conditions))).await,
        "InvalidStageDeclarationException"
    );
    let mut source_rollback = two_stages("P").v2(ExecutionMode::Queued);
    source_rollback.stages[0].on_failure = Some(FailureConditions {
        result: Some(ConditionResult::Rollback),
        ..FailureConditions::default()
    });
    assert_eq!(
        refused(&sim, source_rollback).await,
        "InvalidStageDeclarationException"
    );
    let six = Condition::new(
        ConditionResult::Fail,
        (0..6)
            .map(|i| {
                let mut rule = branch_is_main();
                rule.name = format!("R{i}");
                rule
            })
            .collect(),
    );
    let err = sim
        .create_pipeline(conditional(|s| s.before_entry(six)))
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        "1 validation error detected: Value at 'pipeline.stages.2.member.beforeEntry.conditions.1.member.rules' failed to satisfy constraint: Member must have length less than or equal to 5"
    );
    let none = sim
        .list_pipelines(ListPipelinesInput::default())
        .await
        .unwrap();
    assert!(
        none.pipelines.is_empty(),
        "a refused pipeline is not created"
    );
}

#[tokio::test]
async fn conditions_round_trip_through_get_pipeline() {
    let sim = sim();
    let fail = Condition::new(ConditionResult::Fail, vec![branch_is_main()]);
    let declared = conditional(|s| s.before_entry(fail));
    create(&sim, declared.clone()).await;
    let got = sim.get_pipeline("P").await.unwrap().pipeline;
    assert_eq!(got.stages[1].before_entry, declared.stages[1].before_entry);
}

/// A success condition on a CloudWatch alarm, which pipesim cannot look at.
fn alarm_must_be_quiet(deploy: StageDeclaration) -> StageDeclaration {
    let alarm = RuleDeclaration::new("Quiet", "CloudWatchAlarm").config("AlarmName", "errors");
    deploy.on_success(Condition::new(ConditionResult::Fail, vec![alarm]))
}

#[tokio::test]
async fn a_rule_pipesim_cannot_evaluate_succeeds_unless_a_script_fails_it() {
    let sim = sim();
    create(&sim, conditional(alarm_must_be_quiet)).await;
    let alarm = ActionEnd::failed("Alarm 'errors' is in ALARM").code("AlarmInAlarm");
    sim.script_rule("P", "Deploy", "Quiet", [alarm])
        .await
        .unwrap();
    assert_eq!(
        sim.scripted_rule_runs_left("P", "Deploy", "Quiet").unwrap(),
        1
    );
    let failed = start(&sim, "P").await;
    sim.advance(ACTION * 3).await;
    assert_eq!(status(&sim, "P", &failed).await, Failed);
    let rule = deploy_state(&sim)
        .await
        .on_success_condition_state
        .unwrap()
        .condition_states[0]
        .rule_states[0]
        .latest_execution
        .clone()
        .unwrap();
    let error = rule.error_details.unwrap();
    assert_eq!(
        (error.code.as_str(), error.message.as_str()),
        ("AlarmInAlarm", "Alarm 'errors' is in ALARM")
    );

    let passed = start(&sim, "P").await;
    sim.advance(ACTION * 3).await;
    assert_eq!(status(&sim, "P", &passed).await, Succeeded);
}

#[tokio::test]
async fn a_held_rule_runs_until_it_is_finished_on_demand() {
    let sim = sim();
    create(&sim, conditional(alarm_must_be_quiet)).await;
    let id = start(&sim, "P").await;
    sim.advance(ACTION * 2).await;
    sim.finish_rule("P", &id, "Deploy", "Quiet", pipesim::ActionResult::Held)
        .await
        .unwrap();
    sim.advance(ACTION * 100).await;
    assert_eq!(status(&sim, "P", &id).await, InProgress);
    sim.finish_rule("P", &id, "Deploy", "Quiet", ActionEnd::failed("paged"))
        .await
        .unwrap();
    assert_eq!(status(&sim, "P", &id).await, Failed);
    let not_running = sim
        .finish_rule(
            "P",
            &id,
            "Deploy",
            "Quiet",
            pipesim::ActionResult::Succeeded,
        )
        .await;
    assert_eq!(error_type(not_running), "ValidationException");
}

#[tokio::test]
async fn a_rule_script_names_a_rule_of_the_stage() {
    let sim = sim();
    create(&sim, conditional(alarm_must_be_quiet)).await;
    let fail = || [ActionEnd::failed("no")];
    let missing_rule = sim.script_rule("P", "Deploy", "Loud", fail()).await;
    assert_eq!(error_type(missing_rule), "ValidationException");
    let missing_stage = sim.script_rule("P", "Nope", "Quiet", fail()).await;
    assert_eq!(error_type(missing_stage), "StageNotFoundException");
    assert_eq!(
        sim.scripted_rule_runs_left("P", "Deploy", "Quiet").unwrap(),
        0
    );
}

#[tokio::test]
async fn checking_a_condition_and_its_rules_are_events() {
    use pipesim::EventKind;

    let sim = sim();
    let mut events = sim.events();
    let fail = Condition::new(ConditionResult::Fail, vec![branch_is_main()]);
    create(&sim, conditional(|s| s.before_entry(fail))).await;
    start_on(&sim, "dev").await;
    sim.advance(ACTION * 2).await;
    let mut seen = Vec::new();
    while seen.len() < 4 {
        let event = events.next().await.unwrap();
        match event.kind {
            EventKind::Condition { kind, status, .. } => seen.push(format!("{kind} {status:?}")),
            EventKind::Rule { rule, status, .. } => seen.push(format!("{rule} {status:?}")),
            _ => {}
        }
    }
    assert_eq!(
        seen,
        [
            "OnMain InProgress",
            "beforeEntry InProgress",
            "OnMain Failed",
            "beforeEntry Failed"
        ]
    );
}

/// An entry condition that lets Deploy run only on weekdays from 09:00 to 17:59 UTC.
fn business_hours(cron: &str) -> impl FnOnce(StageDeclaration) -> StageDeclaration {
    let window = RuleDeclaration::new("Hours", "DeploymentWindow")
        .config("Cron", cron)
        .config("TimeZone", "UTC");
    move |deploy| deploy.before_entry(Condition::new(ConditionResult::Fail, vec![window]))
}

#[tokio::test]
async fn a_deployment_window_rule_runs_until_its_window_opens() {
    // The simulated clock starts on Wednesday 2025-01-01 at 00:00 UTC.
    let sim = sim();
    create(&sim, conditional(business_hours("0 0 9-17 ? * MON-FRI *"))).await;
    let id = start(&sim, "P").await;
    sim.advance(std::time::Duration::from_secs(9 * 3600 - 60))
        .await;
    let rule = entry_rule(&sim).await;
    assert_eq!(
        rule.status,
        ActionExecutionStatus::InProgress,
        "08:59: still closed"
    );
    assert_eq!(status(&sim, "P", &id).await, InProgress);

    sim.advance(std::time::Duration::from_secs(60) + ACTION)
        .await;
    assert_eq!(status(&sim, "P", &id).await, Succeeded);
    let rule = entry_rule(&sim).await;
    assert_eq!(rule.status, ActionExecutionStatus::Succeeded);
    assert_eq!(
        rule.summary.as_deref(),
        Some("The deployment window '0 0 9-17 ? * MON-FRI *' is open")
    );
    assert_eq!(rule.last_status_change.to_rfc3339(), "2025-01-01T09:00:00Z");
}

#[tokio::test]
async fn a_deployment_window_that_never_opens_fails_its_rule() {
    let sim = sim();
    create(&sim, conditional(business_hours("0 0 0 30 FEB ? *"))).await;
    let id = start(&sim, "P").await;
    sim.advance(ACTION * 2).await;
    assert_eq!(status(&sim, "P", &id).await, Failed);
    let rule = entry_rule(&sim).await;
    assert_eq!(rule.error_details.unwrap().code, "OutsideDeploymentWindow");
}

#[tokio::test]
async fn a_deployment_window_with_a_bad_cron_or_zone_is_refused_when_declared() {
    let sim = sim();
    for (cron, zone) in [
        ("0 0 9 * *", "UTC"),
        ("0 0 9-17 ? * MON-FRI *", "Mars/Olympus"),
    ] {
        let window = RuleDeclaration::new("Hours", "DeploymentWindow")
            .config("Cron", cron)
            .config("TimeZone", zone);
        let condition = Condition::new(ConditionResult::Fail, vec![window]);
        let err = sim
            .create_pipeline(conditional(|s| s.before_entry(condition)))
            .await
            .unwrap_err();
        assert_eq!(err.error_type(), "InvalidStageDeclarationException");
        assert!(
            err.message()
                .starts_with("Rule 'Hours' of stage 'Deploy': "),
            "{}",
            err.message()
        );
    }
}

#[tokio::test]
async fn a_condition_without_rules_checks_nothing() {
    let sim = sim();
    let empty = Condition {
        result: Some(ConditionResult::Fail),
        rules: None,
    };
    create(&sim, conditional(|s| s.before_entry(empty))).await;
    let id = start(&sim, "P").await;
    sim.advance(ACTION * 2).await;
    assert_eq!(status(&sim, "P", &id).await, Succeeded);
    assert_eq!(deploy_state(&sim).await.before_entry_condition_state, None);
}

#[tokio::test]
async fn a_deployment_window_rule_times_out_after_its_timeout_in_minutes() {
    // The window opens at 09:00; the rule starts just after midnight.
    let timed = |minutes: i64| {
        move |deploy: StageDeclaration| {
            let mut window = RuleDeclaration::new("Hours", "DeploymentWindow")
                .config("Cron", "0 0 9-17 ? * MON-FRI *");
            window.timeout_in_minutes = Some(minutes);
            deploy.before_entry(Condition::new(ConditionResult::Fail, vec![window]))
        }
    };
    let sim = sim();
    create(&sim, conditional(timed(60))).await;
    let id = start(&sim, "P").await;
    sim.advance(std::time::Duration::from_secs(3600) + ACTION)
        .await;
    assert_eq!(status(&sim, "P", &id).await, Failed);
    let rule = entry_rule(&sim).await;
    assert_eq!(rule.error_details.unwrap().code, "RuleTimedOut");
    assert_eq!(rule.last_status_change.to_rfc3339(), "2025-01-01T01:00:10Z");

    let sim = crate::common::sim();
    create(&sim, conditional(timed(600))).await;
    let id = start(&sim, "P").await;
    sim.advance(std::time::Duration::from_secs(9 * 3600) + ACTION)
        .await;
    assert_eq!(status(&sim, "P", &id).await, Succeeded);
}
