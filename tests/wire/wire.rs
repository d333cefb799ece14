//! `pipesim serve` driven by the official Rust SDK, `aws-sdk-codepipeline`, over a real
//! socket: every operation, every modeled error as the SDK's typed error, idempotent
//! starts, pagination, the three execution modes, stop, and account/region isolation.
//!
//! The server runs in process on a virtual-time simulator, so each test moves
//! executions forward with `advance` while the SDK talks to it.

use std::time::Duration;

use aws_sdk_codepipeline::Client;
use aws_sdk_codepipeline::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_codepipeline::operation::put_approval_result::builders::PutApprovalResultFluentBuilder;
use aws_sdk_codepipeline::types::{
    ApprovalResult, ApprovalStatus, ExecutionMode, PipelineDeclaration, PipelineExecutionStatus,
    PipelineType, Tag,
};
use pipesim::PipelineSettings;
use pipesim::faults::{FaultRule, RateLimit};
use pipesim::testing::{TestServer, serve_simulator};

use crate::common::{self, ACTION, sim};
use crate::sdk::{client, client_as, pipeline};

const DEFAULT_ACCOUNT: &str = "123456789012";

/// A server on a fresh virtual-time simulator (seed and action time from `common`).
async fn server() -> TestServer {
    serve_simulator(sim()).await
}

async fn create(client: &Client, pipeline: PipelineDeclaration) {
    client
        .create_pipeline()
        .pipeline(pipeline)
        .send()
        .await
        .expect("create succeeds");
}

async fn start(client: &Client, name: &str) -> String {
    client
        .start_pipeline_execution()
        .name(name)
        .send()
        .await
        .expect("start succeeds")
        .pipeline_execution_id
        .expect("an execution id")
}

async fn status(client: &Client, name: &str, id: &str) -> PipelineExecutionStatus {
    client
        .get_pipeline_execution()
        .pipeline_name(name)
        .pipeline_execution_id(id)
        .send()
        .await
        .expect("get succeeds")
        .pipeline_execution
        .expect("an execution")
        .status
        .expect("a status")
}

/// The token of the manual approval waiting in `name`'s Approve stage.
async fn approval_token(client: &Client, name: &str) -> String {
    let state = client.get_pipeline_state().name(name).send().await.unwrap();
    state
        .stage_states()
        .iter()
        .find(|s| s.stage_name() == Some("Approve"))
        .and_then(|s| s.action_states().first())
        .and_then(|a| a.latest_execution())
        .and_then(|e| e.token())
        .expect("an approval is waiting")
        .to_owned()
}

/// A `PutApprovalResult` answering `status` for `pipeline`'s `stage`/`action`.
fn approval(
    client: &Client,
    (pipeline, stage, action): (&str, &str, &str),
    token: &str,
    status: ApprovalStatus,
) -> PutApprovalResultFluentBuilder {
    client
        .put_approval_result()
        .pipeline_name(pipeline)
        .stage_name(stage)
        .action_name(action)
        .token(token)
        .result(
            ApprovalResult::builder()
                .status(status)
                .summary("reviewed")
                .build()
                .unwrap(),
        )
}

async fn answer_approval(client: &Client, name: &str, token: &str, status: ApprovalStatus) {
    approval(client, (name, "Approve", "Manual"), token, status)
        .send()
        .await
        .expect("approval accepted");
}

/// The error code (`__type`) of a service error, checking that the SDK recognised it
/// as one of the operation's typed errors rather than an unhandled one.
fn code<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    result: Result<T, SdkError<E, R>>,
) -> String {
    match result.expect_err("expected an error") {
        SdkError::ServiceError(service) => {
            let err = service.into_err();
            let typed = format!("{err:?}");
            assert!(
                !typed.starts_with("Unhandled"),
                "the SDK did not recognise the error: {typed}"
            );
            err.code().unwrap_or("<no code>").to_owned()
        }
        other => panic!("expected a service error, got {other:?}"),
    }
}

#[tokio::test]
async fn create_get_update_list_and_delete_through_the_sdk() {
    let server = server().await;
    let client = client(&server);
    let created = client
        .create_pipeline()
        .pipeline(pipeline("P", ExecutionMode::Queued, false))
        .tags(Tag::builder().key("team").value("web").build().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(created.pipeline().unwrap().version(), Some(1));
    assert_eq!(created.tags()[0].key(), "team");

    let got = client.get_pipeline().name("P").send().await.unwrap();
    assert_eq!(got.pipeline().unwrap().name(), "P");
    assert_eq!(
        got.pipeline().unwrap().execution_mode(),
        Some(&ExecutionMode::Queued)
    );
    let metadata = got.metadata().unwrap();
    assert_eq!(
        metadata.pipeline_arn(),
        Some("arn:aws:codepipeline:us-east-1:123456789012:P")
    );
    // Virtual time starts at 2025-01-01T00:00:00Z; timestamps arrive as epoch seconds.
    assert_eq!(metadata.created().unwrap().secs(), 1_735_689_600);

    let updated = client
        .update_pipeline()
        .pipeline(pipeline("P", ExecutionMode::Parallel, false))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.pipeline().unwrap().version(), Some(2));
    let v1 = client
        .get_pipeline()
        .name("P")
        .version(1)
        .send()
        .await
        .unwrap();
    assert_eq!(
        v1.pipeline().unwrap().execution_mode(),
        Some(&ExecutionMode::Queued)
    );

    let listed = client.list_pipelines().send().await.unwrap();
    let names: Vec<_> = listed.pipelines().iter().map(|p| p.name()).collect();
    assert_eq!(names, [Some("P")]);
    assert_eq!(listed.pipelines()[0].version(), Some(2));

    client.delete_pipeline().name("P").send().await.unwrap();
    let err = client
        .get_pipeline()
        .name("P")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_pipeline_not_found_exception(), "{err:?}");
    // Deleting a pipeline that does not exist succeeds.
    client.delete_pipeline().name("P").send().await.unwrap();
}

#[tokio::test]
async fn start_errors_surface_as_the_sdks_typed_errors() {
    let server = server().await;
    let client = client(&server);

    let err = client
        .start_pipeline_execution()
        .name("Missing")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_pipeline_not_found_exception(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("Pipeline with name Missing does not exist in account 123456789012.")
    );

    let err = client
        .start_pipeline_execution()
        .name("no spaces allowed")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_validation_exception(), "{err:?}");

    create(&client, pipeline("P", ExecutionMode::Parallel, false)).await;
    server
        .simulator()
        .configure_pipeline("P", PipelineSettings::new().max_concurrent_executions(1))
        .unwrap();
    start(&client, "P").await;
    let err = client
        .start_pipeline_execution()
        .name("P")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        err.is_concurrent_pipeline_executions_limit_exceeded_exception(),
        "{err:?}"
    );
}

#[tokio::test]
async fn starts_during_an_update_are_conflicts() {
    let sim = pipesim::Simulator::builder()
        .seed(common::SEED)
        .virtual_time()
        .update_conflict_window(Duration::from_secs(30))
        .build();
    let server = serve_simulator(sim).await;
    let client = client(&server);
    create(&client, pipeline("P", ExecutionMode::Queued, false)).await;
    client
        .update_pipeline()
        .pipeline(pipeline("P", ExecutionMode::Queued, false))
        .send()
        .await
        .unwrap();
    let err = client
        .start_pipeline_execution()
        .name("P")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_conflict_exception(), "{err:?}");
}

#[tokio::test]
async fn modeled_errors_of_every_other_operation_arrive_with_their_type() {
    let sim = pipesim::Simulator::builder()
        .seed(common::SEED)
        .virtual_time()
        .action_duration(ACTION)
        .max_pipelines(2)
        .start_on_create(false)
        .build();
    let server = serve_simulator(sim).await;
    let client = client(&server);
    create(&client, pipeline("P", ExecutionMode::Queued, true)).await;

    let again = client
        .create_pipeline()
        .pipeline(pipeline("P", ExecutionMode::Queued, true))
        .send()
        .await;
    assert_eq!(code(again), "PipelineNameInUseException");
    let mut one_stage = pipeline("Q", ExecutionMode::Queued, false);
    one_stage.stages.truncate(1);
    let invalid = client.create_pipeline().pipeline(one_stage).send().await;
    assert_eq!(code(invalid), "InvalidStructureException");
    create(&client, pipeline("Q", ExecutionMode::Queued, false)).await;
    let over_limit = client
        .create_pipeline()
        .pipeline(pipeline("R", ExecutionMode::Queued, false))
        .send()
        .await;
    assert_eq!(code(over_limit), "LimitExceededException");

    let version = client.get_pipeline().name("P").version(9).send().await;
    assert_eq!(code(version), "PipelineVersionNotFoundException");
    let token = client.list_pipelines().next_token("forged").send().await;
    assert_eq!(code(token), "InvalidNextTokenException");

    let unknown_id = "00000000-0000-4000-8000-000000000000";
    let get = client
        .get_pipeline_execution()
        .pipeline_name("P")
        .pipeline_execution_id(unknown_id)
        .send()
        .await;
    assert_eq!(code(get), "PipelineExecutionNotFoundException");
    let list = client
        .list_pipeline_executions()
        .pipeline_name("Missing")
        .send()
        .await;
    assert_eq!(code(list), "PipelineNotFoundException");
    let state = client.get_pipeline_state().name("Missing").send().await;
    assert_eq!(code(state), "PipelineNotFoundException");

    // Stop: a finished execution is not stoppable; a second stop is a duplicate.
    let done = start(&client, "Q").await;
    server.simulator().advance(ACTION * 3).await;
    let stop = client
        .stop_pipeline_execution()
        .pipeline_name("Q")
        .pipeline_execution_id(&done)
        .send()
        .await;
    assert_eq!(code(stop), "PipelineExecutionNotStoppableException");
    let running = start(&client, "Q").await;
    let stop = || {
        client
            .stop_pipeline_execution()
            .pipeline_name("Q")
            .pipeline_execution_id(&running)
            .send()
    };
    stop().await.unwrap();
    assert_eq!(code(stop().await), "DuplicatedStopRequestException");

    // Approvals: unknown stage, unknown action, forged token, answered twice.
    start(&client, "P").await;
    server.simulator().advance(ACTION).await;
    let token = approval_token(&client, "P").await;
    let approve = |stage: &str, action: &str, token: &str| {
        approval(
            &client,
            ("P", stage, action),
            token,
            ApprovalStatus::Approved,
        )
        .send()
    };
    assert_eq!(
        code(approve("Nope", "Manual", &token).await),
        "StageNotFoundException"
    );
    assert_eq!(
        code(approve("Approve", "Nope", &token).await),
        "ActionNotFoundException"
    );
    assert_eq!(
        code(approve("Approve", "Manual", unknown_id).await),
        "InvalidApprovalTokenException"
    );
    approve("Approve", "Manual", &token).await.unwrap();
    assert_eq!(
        code(approve("Approve", "Manual", &token).await),
        "ApprovalAlreadyCompletedException"
    );
}

#[tokio::test]
async fn stage_transitions_and_their_errors_through_the_sdk() {
    use aws_sdk_codepipeline::types::StageTransitionType;

    let server = server().await;
    let client = client(&server);
    create(&client, pipeline("P", ExecutionMode::Superseded, false)).await;
    let disable = |pipeline: &str, stage: &str, reason: &str| {
        client
            .disable_stage_transition()
            .pipeline_name(pipeline)
            .stage_name(stage)
            .transition_type(StageTransitionType::Inbound)
            .reason(reason)
            .send()
    };
    let enable = |pipeline: &str, stage: &str| {
        client
            .enable_stage_transition()
            .pipeline_name(pipeline)
            .stage_name(stage)
            .transition_type(StageTransitionType::Inbound)
            .send()
    };
    assert_eq!(
        code(disable("P", "Nope", "Freeze").await),
        "StageNotFoundException"
    );
    assert_eq!(
        code(disable("Q", "Deploy", "Freeze").await),
        "PipelineNotFoundException"
    );
    assert_eq!(
        code(disable("P", "Deploy", "no: colons").await),
        "ValidationException"
    );
    assert_eq!(code(enable("P", "Nope").await), "StageNotFoundException");
    assert_eq!(
        code(enable("Q", "Deploy").await),
        "PipelineNotFoundException"
    );

    disable("P", "Deploy", "Freeze").await.unwrap();
    let started = client
        .start_pipeline_execution()
        .name("P")
        .send()
        .await
        .unwrap();
    server.simulator().advance(ACTION * 2).await;
    let state = client.get_pipeline_state().name("P").send().await.unwrap();
    let deploy = &state.stage_states()[1];
    let transition = deploy.inbound_transition_state().unwrap();
    assert!(!transition.enabled());
    assert_eq!(transition.disabled_reason(), Some("Freeze"));
    assert_eq!(
        Some(deploy.inbound_execution().unwrap().pipeline_execution_id()),
        started.pipeline_execution_id()
    );
    enable("P", "Deploy").await.unwrap();
    server.simulator().advance(ACTION).await;
    let execution = client
        .get_pipeline_execution()
        .pipeline_name("P")
        .pipeline_execution_id(started.pipeline_execution_id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        execution.pipeline_execution().unwrap().status(),
        Some(&PipelineExecutionStatus::Succeeded)
    );
}

#[tokio::test]
async fn stage_retries_and_their_errors_through_the_sdk() {
    use aws_sdk_codepipeline::types::StageRetryMode;

    let server = serve_simulator(
        common::builder()
            .start_on_create(false)
            .max_concurrent_executions(1)
            .update_conflict_window(Duration::from_secs(1))
            .build(),
    )
    .await;
    let client = client(&server);
    create(&client, pipeline("P", ExecutionMode::Queued, false)).await;
    let retry = |stage: &str, id: &str| {
        client
            .retry_stage_execution()
            .pipeline_name("P")
            .stage_name(stage)
            .pipeline_execution_id(id)
            .retry_mode(StageRetryMode::FailedActions)
            .send()
    };
    let started = client
        .start_pipeline_execution()
        .name("P")
        .send()
        .await
        .unwrap();
    let id = started.pipeline_execution_id().unwrap().to_owned();
    server.simulator().advance(ACTION).await;
    assert_eq!(
        code(retry("Source", &id).await),
        "StageNotRetryableException"
    );
    assert_eq!(code(retry("Nope", &id).await), "StageNotFoundException");
    let other = "00000000-0000-4000-8000-000000000000";
    assert_eq!(
        code(retry("Deploy", other).await),
        "NotLatestPipelineExecutionException"
    );
    server
        .simulator()
        .finish_action("P", &id, "Deploy", "Ship", pipesim::ActionResult::Failed)
        .await
        .unwrap();
    let out = retry("Deploy", &id).await.unwrap();
    assert_eq!(out.pipeline_execution_id(), Some(id.as_str()));
    let state = client.get_pipeline_state().name("P").send().await.unwrap();
    let retries = state.stage_states()[1].retry_stage_metadata().unwrap();
    assert_eq!(retries.manual_stage_retry_attempt(), Some(1));
    assert_eq!(
        retries.latest_retry_trigger().map(|t| t.as_str()),
        Some("ManualStageRetry")
    );
    server
        .simulator()
        .finish_action("P", &id, "Deploy", "Ship", pipesim::ActionResult::Failed)
        .await
        .unwrap();
    // Another execution takes the one place the limit allows.
    client
        .start_pipeline_execution()
        .name("P")
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(retry("Deploy", &id).await),
        "ConcurrentPipelineExecutionsLimitExceededException"
    );
    assert_eq!(
        code(retry("Deploy", "not-a-uuid").await),
        "ValidationException"
    );
    let elsewhere = client
        .retry_stage_execution()
        .pipeline_name("Q")
        .stage_name("Deploy")
        .pipeline_execution_id(&id)
        .retry_mode(StageRetryMode::AllActions)
        .send()
        .await;
    assert_eq!(code(elsewhere), "PipelineNotFoundException");
    client
        .update_pipeline()
        .pipeline(pipeline("P", ExecutionMode::Queued, false))
        .send()
        .await
        .unwrap();
    assert_eq!(code(retry("Deploy", &id).await), "ConflictException");
}

#[tokio::test]
async fn stage_conditions_and_overrides_through_the_sdk() {
    use aws_sdk_codepipeline::types::{
        ConditionExecutionStatus, ConditionType, RuleExecutionStatus, StageExecutionStatus,
    };
    use pipesim::model as sim_model;

    let server = serve_simulator(
        common::builder()
            .start_on_create(false)
            .update_conflict_window(Duration::from_secs(1))
            .build(),
    )
    .await;
    let client = client(&server);
    let rule =
        sim_model::RuleDeclaration::new("Quiet", "CloudWatchAlarm").config("AlarmName", "errors");
    let mut declared =
        sim_model::PipelineDeclaration::two_stage_example("P").v2(sim_model::ExecutionMode::Queued);
    declared.stages[1] = std::mem::take(&mut declared.stages[1]).before_entry(
        sim_model::Condition::new(sim_model::ConditionResult::Fail, vec![rule]),
    );
    server.simulator().create_pipeline(declared).await.unwrap();
    let got = client.get_pipeline().name("P").send().await.unwrap();
    let entry = got.pipeline().unwrap().stages()[1].before_entry().unwrap();
    let rule = &entry.conditions()[0].rules()[0];
    assert_eq!(rule.rule_type_id().unwrap().provider(), "CloudWatchAlarm");

    let id = start(&client, "P").await;
    server.simulator().advance(ACTION).await;
    let override_condition = |stage: &str, id: &str, kind: ConditionType| {
        client
            .override_stage_condition()
            .pipeline_name("P")
            .stage_name(stage)
            .pipeline_execution_id(id)
            .condition_type(kind)
            .send()
    };
    let state = client.get_pipeline_state().name("P").send().await.unwrap();
    let deploy = &state.stage_states()[1];
    let checking = deploy.before_entry_condition_state().unwrap();
    assert_eq!(
        checking.latest_execution().unwrap().status(),
        Some(&ConditionExecutionStatus::InProgress)
    );
    let rule_run = checking.condition_states()[0].rule_states()[0]
        .latest_execution()
        .unwrap();
    assert_eq!(rule_run.status(), Some(&RuleExecutionStatus::InProgress));

    let other = "00000000-0000-4000-8000-000000000000";
    assert_eq!(
        code(override_condition("Deploy", other, ConditionType::BeforeEntry).await),
        "NotLatestPipelineExecutionException"
    );
    assert_eq!(
        code(override_condition("Deploy", &id, ConditionType::OnSuccess).await),
        "ConditionNotOverridableException"
    );
    assert_eq!(
        code(override_condition("Nope", &id, ConditionType::BeforeEntry).await),
        "StageNotFoundException"
    );
    assert_eq!(
        code(override_condition("Deploy", "not-a-uuid", ConditionType::BeforeEntry).await),
        "ValidationException"
    );
    override_condition("Deploy", &id, ConditionType::BeforeEntry)
        .await
        .unwrap();
    let state = client.get_pipeline_state().name("P").send().await.unwrap();
    let deploy = &state.stage_states()[1];
    assert_eq!(
        deploy
            .before_entry_condition_state()
            .unwrap()
            .latest_execution()
            .unwrap()
            .status(),
        Some(&ConditionExecutionStatus::Overridden)
    );
    assert_eq!(
        deploy.latest_execution().unwrap().status(),
        &StageExecutionStatus::InProgress
    );
    let elsewhere = client
        .override_stage_condition()
        .pipeline_name("Q")
        .stage_name("Deploy")
        .pipeline_execution_id(&id)
        .condition_type(ConditionType::BeforeEntry)
        .send()
        .await;
    assert_eq!(code(elsewhere), "PipelineNotFoundException");
    // The service may answer the limit error; pipesim never does by itself.
    let limit = FaultRule::error("ConcurrentPipelineExecutionsLimitExceededException")
        .operation("OverrideStageCondition");
    server.simulator().add_fault(limit).unwrap();
    assert_eq!(
        code(override_condition("Deploy", &id, ConditionType::BeforeEntry).await),
        "ConcurrentPipelineExecutionsLimitExceededException"
    );
    server.simulator().clear_faults();
    client
        .update_pipeline()
        .pipeline(pipeline("P", ExecutionMode::Queued, false))
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(override_condition("Deploy", &id, ConditionType::BeforeEntry).await),
        "ConflictException"
    );
}

#[tokio::test]
async fn rollbacks_and_their_errors_through_the_sdk() {
    use aws_sdk_codepipeline::types::{
        ExecutionType, PipelineExecutionFilter, SucceededInStageFilter,
    };

    let server = serve_simulator(
        common::builder()
            .start_on_create(false)
            .update_conflict_window(Duration::from_secs(1))
            .build(),
    )
    .await;
    let client = client(&server);
    create(&client, pipeline("P", ExecutionMode::Queued, false)).await;
    let rollback = |stage: &str, target: &str| {
        client
            .rollback_stage()
            .pipeline_name("P")
            .stage_name(stage)
            .target_pipeline_execution_id(target)
            .send()
    };
    let started = client
        .start_pipeline_execution()
        .name("P")
        .send()
        .await
        .unwrap();
    let good = started.pipeline_execution_id().unwrap().to_owned();
    server.simulator().advance(ACTION * 2).await;

    let succeeded = client
        .list_pipeline_executions()
        .pipeline_name("P")
        .filter(
            PipelineExecutionFilter::builder()
                .succeeded_in_stage(
                    SucceededInStageFilter::builder()
                        .stage_name("Deploy")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let listed: Vec<_> = succeeded
        .pipeline_execution_summaries()
        .iter()
        .map(|s| s.pipeline_execution_id().unwrap())
        .collect();
    assert_eq!(listed, [good.as_str()]);

    let out = rollback("Deploy", &good).await.unwrap();
    let id = out.pipeline_execution_id();
    let execution = client
        .get_pipeline_execution()
        .pipeline_name("P")
        .pipeline_execution_id(id)
        .send()
        .await
        .unwrap();
    let execution = execution.pipeline_execution().unwrap();
    assert_eq!(execution.execution_type(), Some(&ExecutionType::Rollback));
    assert_eq!(
        execution
            .rollback_metadata()
            .unwrap()
            .rollback_target_pipeline_execution_id(),
        Some(good.as_str())
    );

    assert_eq!(
        code(rollback("Source", &good).await),
        "UnableToRollbackStageException"
    );
    assert_eq!(
        code(rollback("Nope", &good).await),
        "StageNotFoundException"
    );
    let missing = "00000000-0000-4000-8000-000000000000";
    assert_eq!(
        code(rollback("Deploy", missing).await),
        "PipelineExecutionNotFoundException"
    );
    assert_eq!(
        code(rollback("Deploy", "nope").await),
        "ValidationException"
    );
    let elsewhere = client
        .rollback_stage()
        .pipeline_name("Q")
        .stage_name("Deploy")
        .target_pipeline_execution_id(&good)
        .send()
        .await;
    assert_eq!(code(elsewhere), "PipelineNotFoundException");
    client
        .update_pipeline()
        .pipeline(pipeline("P", ExecutionMode::Queued, false))
        .send()
        .await
        .unwrap();
    assert_eq!(code(rollback("Deploy", &good).await), "ConflictException");
    server.simulator().advance(Duration::from_secs(1)).await;
    assert_eq!(
        code(rollback("Deploy", &good).await),
        "PipelineExecutionOutdatedException"
    );
}

#[tokio::test]
async fn action_executions_and_their_errors_through_the_sdk() {
    use aws_sdk_codepipeline::types::ActionExecutionFilter;

    let server = server().await;
    let client = client(&server);
    create(&client, pipeline("P", ExecutionMode::Superseded, false)).await;
    let started = client
        .start_pipeline_execution()
        .name("P")
        .send()
        .await
        .unwrap();
    let id = started.pipeline_execution_id().unwrap();
    server.simulator().advance(ACTION * 2).await;
    let listed = client
        .list_action_executions()
        .pipeline_name("P")
        .filter(
            ActionExecutionFilter::builder()
                .pipeline_execution_id(id)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let runs: Vec<_> = listed
        .action_execution_details()
        .iter()
        .map(|r| (r.action_name().unwrap(), r.status().unwrap().as_str()))
        .collect();
    assert_eq!(runs, [("Ship", "Succeeded"), ("Fetch", "Succeeded")]);
    let fetch = &listed.action_execution_details()[1];
    let input = fetch.input().unwrap();
    assert_eq!(input.configuration().unwrap()["S3Bucket"], "app-source");
    assert!(
        fetch
            .output()
            .unwrap()
            .execution_result()
            .unwrap()
            .external_execution_id()
            .is_some()
    );

    let list = |pipeline: &str| client.list_action_executions().pipeline_name(pipeline);
    assert_eq!(code(list("Q").send().await), "PipelineNotFoundException");
    assert_eq!(
        code(list("P").next_token("made-up").send().await),
        "InvalidNextTokenException"
    );
    assert_eq!(
        code(list("P").max_results(0).send().await),
        "ValidationException"
    );
    let missing = ActionExecutionFilter::builder()
        .pipeline_execution_id("00000000-0000-4000-8000-000000000000")
        .build();
    assert_eq!(
        code(list("P").filter(missing).send().await),
        "PipelineExecutionNotFoundException"
    );
}

#[tokio::test]
async fn rule_executions_and_a_missing_execution_through_the_sdk() {
    use aws_sdk_codepipeline::operation::list_rule_executions::ListRuleExecutionsError;
    use aws_sdk_codepipeline::types::{PipelineVariable, RuleExecutionFilter};
    use pipesim::model::{Condition, ConditionResult, RuleDeclaration};

    let server = server().await;
    let client = client(&server);
    let rule = RuleDeclaration::new("Branch", "VariableCheck")
        .config("Variable", "#{variables.BRANCH}")
        .config("Operator", "EQ")
        .config("Value", "main");
    let mut gated = pipesim::model::PipelineDeclaration::two_stage_example("P")
        .v2(pipesim::model::ExecutionMode::Queued)
        .variable("BRANCH", Some("main"));
    let deploy = gated.stages.pop().unwrap();
    gated
        .stages
        .push(deploy.before_entry(Condition::new(ConditionResult::Fail, vec![rule])));
    server.simulator().create_pipeline(gated).await.unwrap();
    let dev = client
        .start_pipeline_execution()
        .name("P")
        .variables(
            PipelineVariable::builder()
                .name("BRANCH")
                .value("dev")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let id = dev.pipeline_execution_id().unwrap();
    server.simulator().advance(ACTION * 3).await;

    let listed = client
        .list_rule_executions()
        .pipeline_name("P")
        .filter(
            RuleExecutionFilter::builder()
                .pipeline_execution_id(id)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let [run] = listed.rule_execution_details() else {
        panic!("one rule run: {listed:?}");
    };
    assert_eq!(run.pipeline_execution_id(), Some(id));
    assert_eq!(
        (run.stage_name(), run.rule_name()),
        (Some("Deploy"), Some("Branch"))
    );
    assert_eq!(run.status().unwrap().as_str(), "Failed");
    let input = run.input().unwrap();
    assert_eq!(input.rule_type_id().unwrap().provider(), "VariableCheck");
    assert_eq!(
        input.configuration().unwrap()["Variable"],
        "#{variables.BRANCH}"
    );
    assert_eq!(input.resolved_configuration().unwrap()["Variable"], "dev");
    let result = run.output().unwrap().execution_result().unwrap();
    assert_eq!(
        result.error_details().unwrap().code(),
        Some("VariableCheckFailed")
    );
    assert!(listed.next_token().is_none());

    let missing = RuleExecutionFilter::builder()
        .pipeline_execution_id("00000000-0000-4000-8000-000000000000")
        .build();
    let err = client
        .list_rule_executions()
        .pipeline_name("P")
        .filter(missing)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(
            err,
            ListRuleExecutionsError::PipelineExecutionNotFoundException(_)
        ),
        "{err:?}"
    );
    let list = |pipeline: &str| client.list_rule_executions().pipeline_name(pipeline);
    assert_eq!(
        code(list("P").max_results(0).send().await),
        "ValidationException"
    );
    assert_eq!(code(list("Q").send().await), "PipelineNotFoundException");
    assert_eq!(
        code(list("P").next_token("not-a-token").send().await),
        "InvalidNextTokenException"
    );
}

#[tokio::test]
async fn rule_types_and_their_errors_through_the_sdk() {
    use aws_sdk_codepipeline::types::{RuleCategory, RuleOwner};

    let server = server().await;
    let client = client(&server);
    let out = client
        .list_rule_types()
        .rule_owner_filter(RuleOwner::Aws)
        .region_filter("us-east-1")
        .send()
        .await
        .unwrap();
    let ids: Vec<_> = out.rule_types().iter().map(|t| t.id().unwrap()).collect();
    let providers: Vec<&str> = ids.iter().map(|id| id.provider()).collect();
    assert_eq!(providers, common::RULE_PROVIDERS);
    for id in ids {
        assert_eq!(id.category(), &RuleCategory::Rule);
        assert_eq!(
            (id.owner(), id.version()),
            (Some(&RuleOwner::Aws), Some("1"))
        );
    }
    let window = &out.rule_types()[3];
    let cron = &window.rule_configuration_properties()[0];
    assert_eq!(
        (cron.name(), cron.required(), cron.key(), cron.secret()),
        ("Cron", true, true, false)
    );
    let artifacts = window.input_artifact_details().unwrap();
    assert_eq!(
        (artifacts.minimum_count(), artifacts.maximum_count()),
        (0, 0)
    );
    let unfiltered = client.list_rule_types().send().await.unwrap();
    assert_eq!(unfiltered.rule_types().len(), providers.len());

    let err = client
        .list_rule_types()
        .region_filter("x")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_validation_exception(), "{err:?}");
    assert_eq!(
        err.message(),
        Some(
            "1 validation error detected: Value at 'regionFilter' failed to satisfy \
             constraint: Member must have length greater than or equal to 4"
        )
    );
    let bad_owner = client
        .list_rule_types()
        .rule_owner_filter(RuleOwner::from("Custom"))
        .send()
        .await;
    assert_eq!(code(bad_owner), "ValidationException");
    // The model lists it though the input has no token: only a fault rule answers it.
    let token = FaultRule::error("InvalidNextTokenException").operation("ListRuleTypes");
    server.simulator().add_fault(token).unwrap();
    assert_eq!(
        code(client.list_rule_types().send().await),
        "InvalidNextTokenException"
    );
}

#[tokio::test]
async fn tag_operations_and_their_errors_through_the_sdk() {
    let server = server().await;
    let client = client(&server);
    create(&client, pipeline("P", ExecutionMode::Superseded, false)).await;
    let arn = "arn:aws:codepipeline:us-east-1:123456789012:P";
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build().unwrap();

    client
        .tag_resource()
        .resource_arn(arn)
        .tags(tag("team", "web"))
        .tags(tag("env", "dev"))
        .send()
        .await
        .unwrap();
    client
        .untag_resource()
        .resource_arn(arn)
        .tag_keys("env")
        .send()
        .await
        .unwrap();
    let listed = client
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap();
    let pairs: Vec<_> = listed.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(pairs, [("team", "web")]);

    let missing = client
        .list_tags_for_resource()
        .resource_arn("arn:aws:codepipeline:us-east-1:123456789012:Missing")
        .send()
        .await;
    assert_eq!(code(missing), "ResourceNotFoundException");
    let bad_name = client
        .list_tags_for_resource()
        .resource_arn("arn:aws:codepipeline:us-east-1:123456789012:bad name")
        .send()
        .await;
    assert_eq!(code(bad_name), "InvalidArnException");
    let reserved = client
        .tag_resource()
        .resource_arn(arn)
        .tags(tag("aws:x", "y"))
        .send()
        .await;
    assert_eq!(code(reserved), "InvalidTagsException");
    let mut too_many = client.tag_resource().resource_arn(arn);
    for i in 0..51 {
        too_many = too_many.tags(tag(&format!("k{i}"), "v"));
    }
    assert_eq!(code(too_many.send().await), "TooManyTagsException");
    let invalid = client
        .list_tags_for_resource()
        .resource_arn("P")
        .send()
        .await;
    assert_eq!(code(invalid), "ValidationException");
}

#[tokio::test]
async fn the_sdk_fills_client_request_tokens_and_a_repeated_token_replays() {
    let server = server().await;
    let client = client(&server);
    create(&client, pipeline("P", ExecutionMode::Parallel, false)).await;

    // Left out, the token is filled by the SDK: the server remembers one per call.
    let a = start(&client, "P").await;
    let b = start(&client, "P").await;
    assert_ne!(a, b);
    let stats = server.simulator().pipeline_stats("P").unwrap();
    assert_eq!(stats.remembered_tokens, 2);

    // A retry sends the same token, and gets the same execution back.
    let with_token = || {
        client
            .start_pipeline_execution()
            .name("P")
            .client_request_token("deploy-42")
            .send()
    };
    let first = with_token().await.unwrap().pipeline_execution_id;
    let retry = with_token().await.unwrap().pipeline_execution_id;
    assert_eq!(first, retry);
    assert_eq!(
        server
            .simulator()
            .pipeline_stats("P")
            .unwrap()
            .retained_executions,
        3
    );
}

#[tokio::test]
async fn paginators_walk_every_page() {
    let server = server().await;
    let client = client(&server);
    for name in ["A", "B", "C"] {
        create(&client, pipeline(name, ExecutionMode::Parallel, false)).await;
    }
    let mut started = Vec::new();
    for _ in 0..5 {
        started.push(start(&client, "A").await);
        server.simulator().advance(Duration::from_secs(1)).await;
    }

    let pipelines: Vec<String> = client
        .list_pipelines()
        .max_results(2)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name.unwrap())
        .collect();
    assert_eq!(pipelines, ["A", "B", "C"]);

    let executions: Vec<String> = client
        .list_pipeline_executions()
        .pipeline_name("A")
        .max_results(2)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.pipeline_execution_id.unwrap())
        .collect();
    started.reverse();
    assert_eq!(executions, started, "newest first, across pages");
}

#[tokio::test]
async fn superseded_replaces_the_execution_waiting_behind_an_approval() {
    let server = server().await;
    let client = client(&server);
    create(&client, pipeline("P", ExecutionMode::Superseded, true)).await;
    let first = start(&client, "P").await;
    server.simulator().advance(ACTION).await;
    let token = approval_token(&client, "P").await;

    let second = start(&client, "P").await;
    server.simulator().advance(ACTION).await;
    let third = start(&client, "P").await;
    server.simulator().advance(ACTION).await;
    // The second waited after Source for the Approve stage; the third took its place.
    assert_eq!(
        status(&client, "P", &second).await,
        PipelineExecutionStatus::Superseded
    );
    assert_eq!(
        status(&client, "P", &third).await,
        PipelineExecutionStatus::InProgress
    );

    answer_approval(&client, "P", &token, ApprovalStatus::Approved).await;
    server.simulator().advance(ACTION).await;
    assert_eq!(
        status(&client, "P", &first).await,
        PipelineExecutionStatus::Succeeded
    );
}

#[tokio::test]
async fn queued_executions_wait_their_turn_behind_an_approval() {
    let server = server().await;
    let client = client(&server);
    create(&client, pipeline("P", ExecutionMode::Queued, true)).await;
    let first = start(&client, "P").await;
    let second = start(&client, "P").await;
    server.simulator().advance(ACTION * 5).await;
    // Only the first entered the pipeline; the second is queued, not superseded.
    assert_eq!(
        status(&client, "P", &second).await,
        PipelineExecutionStatus::InProgress
    );
    let token = approval_token(&client, "P").await;
    answer_approval(&client, "P", &token, ApprovalStatus::Rejected).await;
    server.simulator().advance(ACTION).await;
    assert_eq!(
        status(&client, "P", &first).await,
        PipelineExecutionStatus::Failed
    );
    // The second now holds the approval.
    let token = approval_token(&client, "P").await;
    answer_approval(&client, "P", &token, ApprovalStatus::Approved).await;
    server.simulator().advance(ACTION).await;
    assert_eq!(
        status(&client, "P", &second).await,
        PipelineExecutionStatus::Succeeded
    );
}

#[tokio::test]
async fn parallel_executions_each_hold_their_own_approval() {
    let server = server().await;
    let client = client(&server);
    create(&client, pipeline("P", ExecutionMode::Parallel, true)).await;
    let first = start(&client, "P").await;
    let second = start(&client, "P").await;
    server.simulator().advance(ACTION).await;
    let summaries = client
        .list_pipeline_executions()
        .pipeline_name("P")
        .send()
        .await
        .unwrap();
    assert_eq!(summaries.pipeline_execution_summaries().len(), 2);
    for id in [&first, &second] {
        assert_eq!(
            status(&client, "P", id).await,
            PipelineExecutionStatus::InProgress
        );
    }
    // In PARALLEL, GetPipelineState shows the latest execution's approval.
    let token = approval_token(&client, "P").await;
    answer_approval(&client, "P", &token, ApprovalStatus::Approved).await;
    server.simulator().advance(ACTION).await;
    assert_eq!(
        status(&client, "P", &second).await,
        PipelineExecutionStatus::Succeeded
    );
    assert_eq!(
        status(&client, "P", &first).await,
        PipelineExecutionStatus::InProgress
    );
}

#[tokio::test]
async fn stop_with_abandon_ends_an_execution_stopped() {
    let server = server().await;
    let client = client(&server);
    create(&client, pipeline("P", ExecutionMode::Queued, true)).await;
    let id = start(&client, "P").await;
    server.simulator().advance(ACTION).await;
    let stopped = client
        .stop_pipeline_execution()
        .pipeline_name("P")
        .pipeline_execution_id(&id)
        .abandon(true)
        .reason("release cancelled")
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.pipeline_execution_id(), Some(id.as_str()));
    assert_eq!(
        status(&client, "P", &id).await,
        PipelineExecutionStatus::Stopping
    );
    // An abandon settles at the next tick of the clock.
    server.simulator().advance(Duration::ZERO).await;
    assert_eq!(
        status(&client, "P", &id).await,
        PipelineExecutionStatus::Stopped
    );
    let summaries = client
        .list_pipeline_executions()
        .pipeline_name("P")
        .send()
        .await
        .unwrap();
    let summary = &summaries.pipeline_execution_summaries()[0];
    assert_eq!(
        summary.stop_trigger().and_then(|t| t.reason()),
        Some("release cancelled")
    );
}

#[tokio::test]
async fn accounts_and_regions_are_isolated() {
    let server = server().await;
    let ours = client_as(&server, "111111111111", "eu-west-1");
    create(&ours, pipeline("P", ExecutionMode::Queued, false)).await;
    let got = ours.get_pipeline().name("P").send().await.unwrap();
    assert_eq!(
        got.metadata().unwrap().pipeline_arn(),
        Some("arn:aws:codepipeline:eu-west-1:111111111111:P")
    );

    for (key, region, account) in [
        ("AKIAIOSFODNN7EXAMPLE", "eu-west-1", DEFAULT_ACCOUNT),
        ("111111111111", "us-east-1", "111111111111"),
        ("222222222222", "eu-west-1", "222222222222"),
    ] {
        let other = client_as(&server, key, region);
        let err = other
            .start_pipeline_execution()
            .name("P")
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(err.is_pipeline_not_found_exception(), "{key} {region}");
        assert_eq!(
            err.message(),
            Some(format!("Pipeline with name P does not exist in account {account}.").as_str())
        );
        // The same name is free there.
        create(&other, pipeline("P", ExecutionMode::Queued, false)).await;
    }
}

#[tokio::test]
async fn shutdown_answers_the_request_in_flight_then_stops_listening() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    let server = server().await;
    let addr = server.url().trim_start_matches("http://").to_owned();
    let body = br#"{"name": "Missing"}"#;
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/x-amz-json-1.1\r\n\
         x-amz-target: CodePipeline_20150709.GetPipeline\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body[..10]).await.unwrap();

    // Shut down with half the body still to come, and wait until the listener is gone.
    let stopping = tokio::spawn(server.shutdown());
    while TcpStream::connect(&addr).await.is_ok() {
        tokio::task::yield_now().await;
    }
    stream.write_all(&body[10..]).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("PipelineNotFoundException"), "{answer}");
    stopping.await.unwrap();
}

#[tokio::test]
async fn the_remaining_modeled_errors_arrive_typed_too() {
    let server = server().await;
    let client = client(&server);
    let tag = |k: &str| Tag::builder().key(k).value("v").build().unwrap();

    // CreatePipeline and UpdatePipeline: each kind of malformed declaration.
    let mut dup_stage = pipeline("P", ExecutionMode::Queued, true);
    dup_stage.stages[2].name = "Approve".into();
    let mut dup_action = pipeline("P", ExecutionMode::Queued, false);
    let twin = dup_action.stages[1].actions[0].clone();
    dup_action.stages[1].actions.push(twin);
    let mut bad_name = pipeline("P", ExecutionMode::Queued, false);
    bad_name.name = "no spaces".into();
    let mut v1_queued = pipeline("P", ExecutionMode::Queued, false);
    v1_queued.pipeline_type = Some(PipelineType::V1);
    for (declaration, expected) in [
        (&dup_stage, "InvalidStageDeclarationException"),
        (&dup_action, "InvalidActionDeclarationException"),
        (&bad_name, "ValidationException"),
        (&v1_queued, "InvalidStructureException"),
    ] {
        let create = client
            .create_pipeline()
            .pipeline(declaration.clone())
            .send()
            .await;
        assert_eq!(code(create), expected, "create");
    }
    let reserved = client
        .create_pipeline()
        .pipeline(pipeline("P", ExecutionMode::Queued, false))
        .tags(tag("aws:team"))
        .send()
        .await;
    assert_eq!(code(reserved), "InvalidTagsException");
    let mut too_many =
        client
            .create_pipeline()
            .pipeline(pipeline("P", ExecutionMode::Queued, false));
    for i in 0..51 {
        too_many = too_many.tags(tag(&format!("k{i}")));
    }
    assert_eq!(code(too_many.send().await), "TooManyTagsException");

    create(&client, pipeline("P", ExecutionMode::Queued, true)).await;
    for (declaration, expected) in [
        (&dup_stage, "InvalidStageDeclarationException"),
        (&dup_action, "InvalidActionDeclarationException"),
        (&v1_queued, "InvalidStructureException"),
    ] {
        let update = client
            .update_pipeline()
            .pipeline(declaration.clone())
            .send()
            .await;
        assert_eq!(code(update), expected, "update");
    }
    let update = client.update_pipeline().pipeline(bad_name).send().await;
    assert_eq!(code(update), "ValidationException");

    // Validation of every other operation.
    let bad = "no spaces";
    let id = "00000000-0000-4000-8000-000000000000";
    assert_eq!(
        code(client.delete_pipeline().name(bad).send().await),
        "ValidationException"
    );
    assert_eq!(
        code(client.list_pipelines().max_results(0).send().await),
        "ValidationException"
    );
    assert_eq!(
        code(client.get_pipeline_state().name(bad).send().await),
        "ValidationException"
    );
    let get = client
        .get_pipeline_execution()
        .pipeline_name("P")
        .pipeline_execution_id("NOT-A-UUID")
        .send()
        .await;
    assert_eq!(code(get), "ValidationException");
    let list = client
        .list_pipeline_executions()
        .pipeline_name("P")
        .max_results(101)
        .send()
        .await;
    assert_eq!(code(list), "ValidationException");
    let list = client
        .list_pipeline_executions()
        .pipeline_name("P")
        .next_token("forged")
        .send()
        .await;
    assert_eq!(code(list), "InvalidNextTokenException");

    // Not found, for the operations that name a pipeline and an execution.
    let get = client
        .get_pipeline_execution()
        .pipeline_name("Missing")
        .pipeline_execution_id(id)
        .send()
        .await;
    assert_eq!(code(get), "PipelineNotFoundException");
    let stop = client
        .stop_pipeline_execution()
        .pipeline_name("Missing")
        .pipeline_execution_id(id)
        .send()
        .await;
    assert_eq!(code(stop), "PipelineNotFoundException");
    let stop = client
        .stop_pipeline_execution()
        .pipeline_name("P")
        .pipeline_execution_id(id)
        .reason("x".repeat(201))
        .send()
        .await;
    assert_eq!(code(stop), "ValidationException");
    let approve = |pipeline: &str, token: &str| {
        approval(
            &client,
            (pipeline, "Approve", "Manual"),
            token,
            ApprovalStatus::Approved,
        )
        .send()
    };
    assert_eq!(
        code(approve("Missing", id).await),
        "PipelineNotFoundException"
    );
    assert_eq!(
        code(approve("P", "not-a-uuid").await),
        "ValidationException"
    );

    // Tags: the errors of TagResource and UntagResource not seen elsewhere.
    let other_account = "arn:aws:codepipeline:us-east-1:999999999999:P";
    let tag_other = client
        .tag_resource()
        .resource_arn(other_account)
        .tags(tag("k"))
        .send()
        .await;
    assert_eq!(code(tag_other), "ResourceNotFoundException");
    let tag_bad = client
        .tag_resource()
        .resource_arn("arn:aws:codepipeline:us-east-1:123456789012:bad name")
        .tags(tag("k"))
        .send()
        .await;
    assert_eq!(code(tag_bad), "InvalidArnException");
    let tag_invalid = client
        .tag_resource()
        .resource_arn("P")
        .tags(tag("k"))
        .send()
        .await;
    assert_eq!(code(tag_invalid), "ValidationException");
    let arn = "arn:aws:codepipeline:us-east-1:123456789012:P";
    for (arn, key, expected) in [
        (arn, "aws:team", "InvalidTagsException"),
        (arn, "", "ValidationException"),
        (other_account, "k", "ResourceNotFoundException"),
        (
            "arn:aws:codepipeline:us-east-1:123456789012:bad name",
            "k",
            "InvalidArnException",
        ),
    ] {
        let untag = client
            .untag_resource()
            .resource_arn(arn)
            .tag_keys(key)
            .send()
            .await;
        assert_eq!(code(untag), expected, "untag {arn} {key}");
    }
}

#[tokio::test]
async fn stops_during_an_update_are_conflicts() {
    let sim = pipesim::Simulator::builder()
        .seed(common::SEED)
        .virtual_time()
        .action_duration(ACTION)
        .update_conflict_window(Duration::from_secs(30))
        .build();
    let server = serve_simulator(sim).await;
    let client = client(&server);
    create(&client, pipeline("P", ExecutionMode::Queued, false)).await;
    let id = start(&client, "P").await;
    client
        .update_pipeline()
        .pipeline(pipeline("P", ExecutionMode::Queued, false))
        .send()
        .await
        .unwrap();
    let stop = client
        .stop_pipeline_execution()
        .pipeline_name("P")
        .pipeline_execution_id(&id)
        .send()
        .await;
    assert_eq!(code(stop), "ConflictException");
}

#[tokio::test]
async fn the_sdk_retries_injected_throttling_and_starts_one_execution() {
    let server = server().await;
    let client = client(&server);
    create(&client, pipeline("P", ExecutionMode::Parallel, false)).await;
    server
        .simulator()
        .add_fault(
            FaultRule::error("ThrottlingException")
                .operation("StartPipelineExecution")
                .times(2),
        )
        .unwrap();
    // The SDK makes up to three attempts: two are throttled, the third starts.
    start(&client, "P").await;
    let sim = server.simulator();
    assert_eq!(sim.faults()[0].fired, 2);
    assert_eq!(sim.pipeline_stats("P").unwrap().retained_executions, 1);

    // Past the SDK's attempts, the injected error reaches the caller.
    sim.clear_faults();
    sim.add_fault(FaultRule::error("InternalFailure").operation("GetPipelineState"))
        .unwrap();
    let state = client.get_pipeline_state().name("P").send().await;
    let err = state.unwrap_err();
    assert_eq!(err.code(), Some("InternalFailure"));
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(500));
    assert_eq!(sim.faults()[0].fired, 3, "one call and two retries");
}

#[tokio::test]
async fn the_sdk_sees_rate_exceeded_from_a_rate_limit() {
    let server = server().await;
    let client = client(&server);
    create(&client, pipeline("P", ExecutionMode::Superseded, false)).await;
    server
        .simulator()
        .add_rate_limit(RateLimit::new(1.0).operation("GetPipeline").burst(3.0))
        .unwrap();
    // Virtual time never moves here, so the bucket never refills: three calls pass,
    // then the SDK's three attempts at the fourth are all throttled.
    for _ in 0..3 {
        client.get_pipeline().name("P").send().await.unwrap();
    }
    let err = client.get_pipeline().name("P").send().await.unwrap_err();
    assert_eq!(err.code(), Some("ThrottlingException"));
    assert_eq!(err.message(), Some("Rate exceeded"));
    assert_eq!(server.simulator().rate_limits()[0].throttled, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundreds_of_concurrent_clients_never_pass_the_limit_or_repeat_a_token() {
    let server = server().await;
    let client = client(&server);
    create(&client, pipeline("Q", ExecutionMode::Queued, false)).await;
    create(&client, pipeline("T", ExecutionMode::Parallel, false)).await;
    let mut calls = Vec::new();
    for i in 0..300 {
        let client = client.clone();
        calls.push(tokio::spawn(async move {
            // Half race for QUEUED admission, half share 20 tokens on PARALLEL.
            let (name, token) = if i % 2 == 0 {
                ("Q", None)
            } else {
                ("T", Some(format!("token-{}", i % 40)))
            };
            let result = client
                .start_pipeline_execution()
                .name(name)
                .set_client_request_token(token)
                .send()
                .await;
            (
                name,
                result
                    .map(|out| out.pipeline_execution_id.unwrap())
                    .map_err(|e| e.into_service_error().code().unwrap_or_default().to_owned()),
            )
        }));
    }
    let mut queued_ok = 0;
    let mut limited = 0;
    let mut tokened = std::collections::HashSet::new();
    for call in calls {
        match call.await.unwrap() {
            ("Q", Ok(_)) => queued_ok += 1,
            ("Q", Err(code)) => {
                assert_eq!(code, "ConcurrentPipelineExecutionsLimitExceededException");
                limited += 1;
            }
            (_, result) => {
                tokened.insert(result.expect("tokened starts all succeed"));
            }
        }
    }
    assert_eq!((queued_ok, limited), (50, 100));
    assert_eq!(tokened.len(), 20, "one execution per token");
    let sim = server.simulator();
    assert_eq!(sim.pipeline_stats("Q").unwrap().active_executions, 50);
    assert_eq!(sim.pipeline_stats("T").unwrap().retained_executions, 20);
}

#[tokio::test]
async fn custom_action_types_and_their_errors_through_the_sdk() {
    use aws_sdk_codepipeline::types::{
        ActionCategory, ActionConfigurationProperty, ActionOwner, ActionTypeArtifactDetails,
        ActionTypeDeclaration, ActionTypeExecutor, ActionTypeIdentifier, ArtifactDetails,
        ExecutorConfiguration, ExecutorType,
    };
    let server = server().await;
    let client = client(&server);
    let counts = |min, max| {
        ArtifactDetails::builder()
            .minimum_count(min)
            .maximum_count(max)
            .build()
    };
    let create = |provider: &str| {
        client
            .create_custom_action_type()
            .category(ActionCategory::Build)
            .provider(provider)
            .version("1")
            .configuration_properties(
                ActionConfigurationProperty::builder()
                    .name("Token")
                    .required(true)
                    .key(false)
                    .secret(true)
                    .build()
                    .unwrap(),
            )
            .input_artifact_details(counts(0, 1))
            .output_artifact_details(counts(0, 1))
    };
    let created = create("Jenkins")
        .tags(Tag::builder().key("team").value("ci").build().unwrap())
        .send()
        .await
        .unwrap();
    let id = created.action_type().unwrap().id().unwrap();
    assert_eq!(
        (id.owner(), id.provider(), id.version()),
        (&ActionOwner::Custom, "Jenkins", "1")
    );
    assert_eq!(created.tags().len(), 1);

    // A pipeline uses it; its secret comes back masked.
    let mut declaration = pipeline("P", ExecutionMode::Superseded, false);
    let custom_id = aws_sdk_codepipeline::types::ActionTypeId::builder()
        .category(ActionCategory::Build)
        .owner(ActionOwner::Custom)
        .provider("Jenkins")
        .version("1")
        .build()
        .unwrap();
    let jenkins = aws_sdk_codepipeline::types::ActionDeclaration::builder()
        .name("Jenkins")
        .action_type_id(custom_id)
        .configuration("Token", "s3cr3t")
        .build()
        .unwrap();
    declaration.stages[1].actions = vec![jenkins];
    crate::wire::create(&client, declaration).await;
    let got = client.get_pipeline().name("P").send().await.unwrap();
    let action = &got.pipeline().unwrap().stages()[1].actions()[0];
    assert_eq!(action.configuration().unwrap()["Token"], "****");

    assert_eq!(code(create("Jenkins").send().await), "ValidationException");
    let reserved = Tag::builder().key("aws:x").value("v").build().unwrap();
    assert_eq!(
        code(create("Other").tags(reserved).send().await),
        "InvalidTagsException"
    );
    let mut many = create("Other");
    for n in 0..51 {
        many = many.tags(
            Tag::builder()
                .key(format!("k{n}"))
                .value("v")
                .build()
                .unwrap(),
        );
    }
    assert_eq!(code(many.send().await), "TooManyTagsException");
    for n in 1..50 {
        create(&format!("P{n:02}")).send().await.unwrap();
    }
    assert_eq!(code(create("Other").send().await), "LimitExceededException");

    // Fifty custom types after AWS's own: two pages.
    let pages: Vec<_> = client
        .list_action_types()
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    let custom = client
        .list_action_types()
        .action_owner_filter(ActionOwner::Custom)
        .send()
        .await
        .unwrap();
    assert_eq!(custom.action_types().len(), 50);
    assert_eq!(
        code(
            client
                .list_action_types()
                .next_token("made-up")
                .send()
                .await
        ),
        "InvalidNextTokenException"
    );

    client
        .delete_custom_action_type()
        .category(ActionCategory::Build)
        .provider("Jenkins")
        .version("1")
        .send()
        .await
        .unwrap();
    let delete_bad = client
        .delete_custom_action_type()
        .category(ActionCategory::Build)
        .provider("bad provider")
        .version("1")
        .send()
        .await;
    assert_eq!(code(delete_bad), "ValidationException");

    let get = client
        .get_action_type()
        .category(ActionCategory::Test)
        .owner("ThirdParty")
        .provider("TestProvider")
        .version("1")
        .send()
        .await;
    assert_eq!(code(get), "ActionTypeNotFoundException");
    let artifacts = ActionTypeArtifactDetails::builder()
        .minimum_count(0)
        .maximum_count(1)
        .build();
    let declaration = ActionTypeDeclaration::builder()
        .executor(
            ActionTypeExecutor::builder()
                .configuration(ExecutorConfiguration::builder().build())
                .r#type(ExecutorType::JobWorker)
                .build()
                .unwrap(),
        )
        .id(ActionTypeIdentifier::builder()
            .category(ActionCategory::Test)
            .owner("ThirdParty")
            .provider("TestProvider")
            .version("1")
            .build()
            .unwrap())
        .input_artifact_details(artifacts.clone())
        .output_artifact_details(artifacts)
        .build();
    let update = client
        .update_action_type()
        .action_type(declaration.clone())
        .send()
        .await;
    assert_eq!(code(update), "ActionTypeNotFoundException");

    // Once registered for the account, the SDK reads and replaces it.
    let sim = server.simulator();
    let registered: pipesim::model::action_types::ActionTypeDeclaration =
        serde_json::from_value(serde_json::json!({
            "id": {"category": "Test", "owner": "ThirdParty", "provider": "TestProvider",
                "version": "1"},
            "executor": {"type": "Lambda", "jobTimeout": 600, "configuration": {
                "lambdaExecutorConfiguration": {
                    "lambdaFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:t"}}},
            "inputArtifactDetails": {"minimumCount": 0, "maximumCount": 1},
            "outputArtifactDetails": {"minimumCount": 0, "maximumCount": 1},
            "properties": [{"name": "Suite", "optional": false, "key": true, "noEcho": false,
                "queryable": true}],
        }))
        .unwrap();
    sim.register_action_type(registered).unwrap();
    let got = client
        .get_action_type()
        .category(ActionCategory::Test)
        .owner("ThirdParty")
        .provider("TestProvider")
        .version("1")
        .send()
        .await
        .unwrap();
    let got = got.action_type().unwrap();
    assert_eq!(got.executor().unwrap().job_timeout(), Some(600));
    assert_eq!(got.properties()[0].name(), "Suite");
    client
        .update_action_type()
        .action_type(declaration.clone())
        .send()
        .await
        .unwrap();

    // The errors only a fault rule answers, as the SDK's typed errors.
    sim.add_fault(FaultRule::error("RequestFailedException").operation("UpdateActionType"))
        .unwrap();
    let update = client
        .update_action_type()
        .action_type(declaration)
        .send()
        .await;
    assert_eq!(code(update), "RequestFailedException");
    sim.add_fault(
        FaultRule::error("ConcurrentModificationException").operation("DeleteCustomActionType"),
    )
    .unwrap();
    let delete = client
        .delete_custom_action_type()
        .category(ActionCategory::Build)
        .provider("P01")
        .version("1")
        .send()
        .await;
    assert_eq!(code(delete), "ConcurrentModificationException");
}

#[tokio::test]
async fn deploy_action_targets_and_each_of_their_errors_through_the_sdk() {
    use aws_sdk_codepipeline::operation::list_deploy_action_execution_targets::ListDeployActionExecutionTargetsError as E;
    use aws_sdk_codepipeline::types::TargetFilter;
    use pipesim::model::{ActionCategory, ActionTypeId, ExecutionMode, PipelineDeclaration};

    let server = server().await;
    let client = client(&server);
    let mut declaration = PipelineDeclaration::two_stage_example("P").v2(ExecutionMode::Queued);
    let ship = &mut declaration.stages[1].actions[0];
    ship.action_type_id = ActionTypeId::aws(ActionCategory::Deploy, "EC2");
    ship.configuration = Some(
        [
            ("InstanceTagKey", "Name"),
            ("InstanceType", "EC2"),
            ("PostScript", "post.sh"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
    );
    let sim = server.simulator();
    sim.create_pipeline(declaration).await.unwrap();
    sim.start_pipeline_execution("P").await.unwrap();
    sim.advance(ACTION * 3).await;
    let runs = client
        .list_action_executions()
        .pipeline_name("P")
        .send()
        .await
        .unwrap();
    let ship = runs
        .action_execution_details()
        .iter()
        .find(|run| run.action_name() == Some("Ship"))
        .unwrap();
    let run = ship.action_execution_id().unwrap();
    let list = || {
        client
            .list_deploy_action_execution_targets()
            .pipeline_name("P")
            .action_execution_id(run)
    };

    let all = list().send().await.unwrap();
    assert!(!all.targets().is_empty());
    for target in all.targets() {
        assert_eq!(target.target_type(), Some("AWS::EC2::Instance"));
        assert_eq!(target.status(), Some("Succeeded"));
        assert_eq!(target.start_time(), ship.start_time());
        assert_eq!(target.end_time(), ship.last_update_time());
        let names: Vec<_> = target.events().iter().filter_map(|e| e.name()).collect();
        assert_eq!(names, ["BeforeDeploy", "Deploy", "AfterDeploy"]);
        assert!(
            target.events()[0]
                .context()
                .unwrap()
                .ssm_command_id()
                .is_some()
        );
    }
    let status = |value: &str| {
        TargetFilter::builder()
            .name(aws_sdk_codepipeline::types::TargetFilterName::TargetStatus)
            .values(value)
            .build()
    };
    let failed = list().filters(status("Failed")).send().await.unwrap();
    assert!(failed.targets().is_empty());
    let first = list().max_results(1).send().await.unwrap();
    assert_eq!(first.targets(), &all.targets()[..1]);
    let second = list()
        .max_results(1)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(second.targets(), &all.targets()[1..2]);

    let err = |result: Result<_, SdkError<E, _>>| result.unwrap_err().into_service_error();
    let e = err(list().max_results(0).send().await);
    assert!(matches!(e, E::ValidationException(_)), "{e:?}");
    let e = err(list().next_token("not-a-token").send().await);
    assert!(matches!(e, E::InvalidNextTokenException(_)), "{e:?}");
    let e = err(list().pipeline_name("Q").send().await);
    assert!(matches!(e, E::PipelineNotFoundException(_)), "{e:?}");
    let e = err(list()
        .action_execution_id("00000000-0000-4000-8000-000000000000")
        .send()
        .await);
    assert!(matches!(e, E::ActionExecutionNotFoundException(_)), "{e:?}");
    assert_eq!(
        e.message(),
        Some(
            "Action execution with id '00000000-0000-4000-8000-000000000000' does not exist in pipeline with name 'P'"
        )
    );
}
