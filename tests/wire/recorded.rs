//! Behaviour recorded on the real service, checked through the official Rust SDK over
//! a real socket: what a client sees on the wire.

use std::time::Duration;

use aws_sdk_codepipeline::Client;
use aws_sdk_codepipeline::error::ProvideErrorMetadata;
use aws_sdk_codepipeline::types::{
    ApprovalResult, ApprovalStatus, ExecutionMode, PipelineVariable,
};
use pipesim::testing::{TestServer, serve_simulator};

use crate::common::{self, ACTION};
use crate::sdk::{client, pipeline};

/// A server whose pipelines start an execution on create, as AWS's do.
async fn aws_like() -> TestServer {
    serve_simulator(common::builder().build()).await
}

/// A server whose pipelines stay quiet until started.
async fn quiet() -> TestServer {
    serve_simulator(common::sim()).await
}

/// Starts pipeline `P` and answers the execution id.
async fn start(client: &Client) -> String {
    let started = client.start_pipeline_execution().name("P").send().await;
    started.unwrap().pipeline_execution_id().unwrap().to_owned()
}

#[tokio::test]
async fn create_pipeline_starts_an_execution_triggered_by_create_pipeline() {
    let server = aws_like().await;
    let client = client(&server);
    let created = client
        .create_pipeline()
        .pipeline(pipeline("P", ExecutionMode::Queued, false))
        .send()
        .await
        .unwrap();
    assert!(
        created.tags().is_empty() && created.tags.is_none(),
        "no tags were sent"
    );
    let listed = client
        .list_pipeline_executions()
        .pipeline_name("P")
        .send()
        .await
        .unwrap();
    assert!(listed.pipeline_execution_summaries().is_empty(), "not yet");

    server.simulator().advance(Duration::from_secs(2)).await;
    let listed = client
        .list_pipeline_executions()
        .pipeline_name("P")
        .send()
        .await
        .unwrap();
    let [only] = listed.pipeline_execution_summaries() else {
        panic!("one execution: {listed:?}");
    };
    let trigger = only.trigger().unwrap();
    assert_eq!(trigger.trigger_type().unwrap().as_str(), "CreatePipeline");
    assert_eq!(
        trigger.trigger_detail(),
        Some("arn:aws:iam::123456789012:root")
    );
    assert_eq!(only.execution_type(), None, "no type for STANDARD");
}

#[tokio::test]
async fn a_start_before_the_create_execution_queues_behind_it() {
    let server = aws_like().await;
    let client = client(&server);
    client
        .create_pipeline()
        .pipeline(pipeline("P", ExecutionMode::Queued, false))
        .send()
        .await
        .unwrap();
    let mine = client
        .start_pipeline_execution()
        .name("P")
        .send()
        .await
        .unwrap();
    let state = client.get_pipeline_state().name("P").send().await.unwrap();
    let source = &state.stage_states()[0];
    let inbound: Vec<_> = source
        .inbound_executions()
        .iter()
        .map(|e| e.pipeline_execution_id())
        .collect();
    assert_eq!(inbound, [mine.pipeline_execution_id().unwrap()]);
    let first = source.latest_execution().unwrap().pipeline_execution_id();
    let execution = client
        .get_pipeline_execution()
        .pipeline_name("P")
        .pipeline_execution_id(first)
        .send()
        .await
        .unwrap();
    let trigger = execution.pipeline_execution().unwrap().trigger().unwrap();
    assert_eq!(trigger.trigger_type().unwrap().as_str(), "CreatePipeline");
}

#[tokio::test]
async fn declarations_come_back_with_their_defaults_and_every_stage_lists_inbound_executions() {
    let server = quiet().await;
    let client = client(&server);
    let created = client
        .create_pipeline()
        .pipeline(pipeline("P", ExecutionMode::Superseded, true))
        .send()
        .await
        .unwrap();
    for stage in created.pipeline().unwrap().stages() {
        for action in stage.actions() {
            assert_eq!(action.run_order(), Some(1));
            assert!(action.configuration.is_some(), "{action:?}");
            assert!(action.input_artifacts.is_some(), "{action:?}");
            assert!(action.output_artifacts.is_some(), "{action:?}");
        }
    }
    let state = client.get_pipeline_state().name("P").send().await.unwrap();
    for stage in state.stage_states() {
        assert_eq!(stage.inbound_executions, Some(Vec::new()));
        assert!(stage.inbound_transition_state().unwrap().enabled());
    }
}

#[tokio::test]
async fn stop_errors_carry_the_recorded_messages() {
    let server = quiet().await;
    let client = client(&server);
    client
        .create_pipeline()
        .pipeline(pipeline("P", ExecutionMode::Parallel, false))
        .send()
        .await
        .unwrap();
    let stop = |id: String, abandon: bool| {
        client
            .stop_pipeline_execution()
            .pipeline_name("P")
            .pipeline_execution_id(id)
            .abandon(abandon)
            .reason("freeze")
            .send()
    };
    let waited = start(&client).await;
    stop(waited.clone(), false).await.unwrap();
    let err = stop(waited.clone(), false)
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_duplicated_stop_request_exception(), "{err:?}");
    assert!(
        err.message().unwrap().starts_with(&format!(
            "The execution with ID {waited} in P is already in a stopping state."
        )),
        "{err:?}"
    );
    let abandoned = start(&client).await;
    stop(abandoned.clone(), true).await.unwrap();
    let err = stop(abandoned.clone(), true)
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        err.is_pipeline_execution_not_stoppable_exception(),
        "{err:?}"
    );
    assert_eq!(
        err.message(),
        Some(format!("The pipeline execution with ID '{abandoned}' in 'P' can't be stopped now. Either it does not exist in the pipeline, or the pipeline execution has no action executions in progress.").as_str())
    );
    server.simulator().advance(ACTION).await;
    let stopped = client
        .get_pipeline_execution()
        .pipeline_name("P")
        .pipeline_execution_id(&waited)
        .send()
        .await
        .unwrap();
    assert_eq!(
        stopped.pipeline_execution().unwrap().status_summary(),
        Some("freeze")
    );
}

#[tokio::test]
async fn variables_are_accepted_as_aws_accepts_them_and_a_reused_token_answers_its_first_execution()
{
    let server = quiet().await;
    let client = client(&server);
    let mut declaration = pipeline("P", ExecutionMode::Queued, false);
    declaration.pipeline_type = Some(aws_sdk_codepipeline::types::PipelineType::V2);
    declaration.variables = Some(vec![
        aws_sdk_codepipeline::types::PipelineVariableDeclaration::builder()
            .name("Env")
            .build()
            .unwrap(),
    ]);
    client
        .create_pipeline()
        .pipeline(declaration)
        .send()
        .await
        .unwrap();
    let variable = |name: &str, value: &str| {
        PipelineVariable::builder()
            .name(name)
            .value(value)
            .build()
            .unwrap()
    };
    let empty = client
        .start_pipeline_execution()
        .name("P")
        .set_variables(Some(Vec::new()))
        .send()
        .await
        .unwrap();
    let failed = client
        .get_pipeline_execution()
        .pipeline_name("P")
        .pipeline_execution_id(empty.pipeline_execution_id().unwrap())
        .send()
        .await
        .unwrap();
    let failed = failed.pipeline_execution().unwrap();
    assert_eq!(failed.status().unwrap().as_str(), "Failed");
    assert_eq!(
        failed.status_summary(),
        Some("Values for required variables haven't been provided: Env")
    );
    let duplicated = client
        .start_pipeline_execution()
        .name("P")
        .variables(variable("Env", "a"))
        .variables(variable("Env", "b"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(duplicated.code(), Some("ValidationException"));
    assert_eq!(
        duplicated.message(),
        Some("Variable names must be unique. The following variable name is already in use: Env")
    );
    let first = client
        .start_pipeline_execution()
        .name("P")
        .client_request_token("deploy-1")
        .variables(variable("Env", "a"))
        .variables(variable("Undeclared", "x"))
        .send()
        .await
        .unwrap();
    let again = client
        .start_pipeline_execution()
        .name("P")
        .client_request_token("deploy-1")
        .variables(variable("Env", "b"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.pipeline_execution_id(), first.pipeline_execution_id());
}

#[tokio::test]
async fn an_answered_approval_shows_its_default_summary_and_who_answered() {
    let server = quiet().await;
    let client = client(&server);
    client
        .create_pipeline()
        .pipeline(pipeline("P", ExecutionMode::Superseded, true))
        .send()
        .await
        .unwrap();
    client
        .start_pipeline_execution()
        .name("P")
        .send()
        .await
        .unwrap();
    server.simulator().advance(ACTION).await;
    let manual =
        |state: &aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateOutput| {
            state.stage_states()[1].action_states()[0]
                .latest_execution()
                .unwrap()
                .clone()
        };
    let state = client.get_pipeline_state().name("P").send().await.unwrap();
    let waiting = manual(&state);
    let token = waiting.token().unwrap().to_owned();
    assert_eq!(Some(token.as_str()), waiting.action_execution_id());
    client
        .put_approval_result()
        .pipeline_name("P")
        .stage_name("Approve")
        .action_name("Manual")
        .token(&token)
        .result(
            ApprovalResult::builder()
                .summary("")
                .status(ApprovalStatus::Approved)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let state = client.get_pipeline_state().name("P").send().await.unwrap();
    let answered = manual(&state);
    assert_eq!(
        answered.summary(),
        Some("Approved by arn:aws:iam::123456789012:root")
    );
    assert_eq!(
        answered.last_updated_by(),
        Some("arn:aws:iam::123456789012:root")
    );
    assert_eq!(answered.token(), None);
}
