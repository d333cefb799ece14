//! The official Rust SDK against an embedded simulator with no socket:
//! `pipesim::testing::sdk_config` gives `aws_sdk_codepipeline::Client` an HTTP client
//! that hands each request to the router in process. Every operation family, a typed
//! modeled error, one seed's ids, and one SDK call per request.

use std::time::Duration;

use aws_sdk_codepipeline::Client;
use aws_sdk_codepipeline::error::ProvideErrorMetadata;
use aws_sdk_codepipeline::types::{
    ExecutionMode, PipelineExecutionStatus, StageExecutionStatus, StageRetryMode,
    StageTransitionType, Tag,
};
use pipesim::Simulator;
use pipesim::faults::FaultRule;
use pipesim::testing::sdk_config;

use crate::common::{self, ACTION, SEED};
use crate::sdk::pipeline;

const ARN: &str = "arn:aws:codepipeline:us-east-1:123456789012:P";

/// A virtual-time simulator (seed and action time from `common`) and an SDK client of
/// it in process.
fn client() -> (Simulator, Client) {
    let sim = common::sim();
    let client = Client::new(&sdk_config(&sim));
    (sim, client)
}

async fn create(client: &Client, name: &str, mode: ExecutionMode) {
    client
        .create_pipeline()
        .pipeline(pipeline(name, mode, false))
        .send()
        .await
        .expect("create succeeds");
}

async fn start(client: &Client, name: &str) -> String {
    let started = client
        .start_pipeline_execution()
        .name(name)
        .send()
        .await
        .expect("start succeeds");
    started.pipeline_execution_id().unwrap().to_owned()
}

async fn status(client: &Client, name: &str, id: &str) -> PipelineExecutionStatus {
    let out = client
        .get_pipeline_execution()
        .pipeline_name(name)
        .pipeline_execution_id(id)
        .send()
        .await
        .expect("get succeeds");
    out.pipeline_execution().unwrap().status().unwrap().clone()
}

#[tokio::test]
async fn pipelines_are_created_read_listed_updated_and_deleted_in_process() {
    let (_sim, client) = client();
    create(&client, "P", ExecutionMode::Superseded).await;
    let got = client.get_pipeline().name("P").send().await.unwrap();
    let declared = got.pipeline().unwrap();
    assert_eq!(declared.version(), Some(1));
    assert_eq!(declared.stages().len(), 2);

    let updated = client
        .update_pipeline()
        .pipeline(pipeline("P", ExecutionMode::Queued, true))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.pipeline().unwrap().version(), Some(2));
    assert_eq!(updated.pipeline().unwrap().stages().len(), 3);

    create(&client, "Q", ExecutionMode::Parallel).await;
    let listed = client.list_pipelines().send().await.unwrap();
    let names: Vec<_> = listed.pipelines().iter().map(|p| p.name()).collect();
    assert_eq!(names, [Some("P"), Some("Q")]);

    client.delete_pipeline().name("Q").send().await.unwrap();
    let listed = client.list_pipelines().send().await.unwrap();
    assert_eq!(listed.pipelines().len(), 1);
}

#[tokio::test]
async fn executions_move_only_when_virtual_time_advances() {
    let (sim, client) = client();
    create(&client, "P", ExecutionMode::Parallel).await;
    let id = start(&client, "P").await;
    assert_eq!(
        status(&client, "P", &id).await,
        PipelineExecutionStatus::InProgress
    );
    // Source takes one ACTION, Deploy another: one tick short, it is still running.
    sim.advance(ACTION * 2 - Duration::from_millis(1)).await;
    assert_eq!(
        status(&client, "P", &id).await,
        PipelineExecutionStatus::InProgress
    );
    sim.advance(Duration::from_millis(1)).await;
    assert_eq!(
        status(&client, "P", &id).await,
        PipelineExecutionStatus::Succeeded
    );

    let second = start(&client, "P").await;
    let stopped = client
        .stop_pipeline_execution()
        .pipeline_name("P")
        .pipeline_execution_id(&second)
        .abandon(true)
        .reason("release cancelled")
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.pipeline_execution_id(), Some(second.as_str()));
    assert_eq!(
        status(&client, "P", &second).await,
        PipelineExecutionStatus::Stopping
    );
    // An abandon settles at the next tick of the clock.
    sim.advance(Duration::ZERO).await;
    assert_eq!(
        status(&client, "P", &second).await,
        PipelineExecutionStatus::Stopped
    );

    let listed = client
        .list_pipeline_executions()
        .pipeline_name("P")
        .send()
        .await
        .unwrap();
    let summaries: Vec<_> = listed
        .pipeline_execution_summaries()
        .iter()
        .map(|s| (s.pipeline_execution_id().unwrap(), s.status().unwrap()))
        .collect();
    assert_eq!(
        summaries,
        [
            (second.as_str(), &PipelineExecutionStatus::Stopped),
            (id.as_str(), &PipelineExecutionStatus::Succeeded),
        ]
    );
}

#[tokio::test]
async fn a_disabled_transition_holds_an_execution_until_it_is_enabled() {
    let (sim, client) = client();
    create(&client, "P", ExecutionMode::Superseded).await;
    client
        .disable_stage_transition()
        .pipeline_name("P")
        .stage_name("Deploy")
        .transition_type(StageTransitionType::Inbound)
        .reason("Freeze")
        .send()
        .await
        .unwrap();
    let id = start(&client, "P").await;
    sim.advance(ACTION * 2).await;
    let state = client.get_pipeline_state().name("P").send().await.unwrap();
    let deploy = &state.stage_states()[1];
    let transition = deploy.inbound_transition_state().unwrap();
    assert!(!transition.enabled());
    assert_eq!(transition.disabled_reason(), Some("Freeze"));
    assert_eq!(
        deploy.inbound_execution().unwrap().pipeline_execution_id(),
        id
    );
    assert_eq!(
        status(&client, "P", &id).await,
        PipelineExecutionStatus::InProgress
    );

    client
        .enable_stage_transition()
        .pipeline_name("P")
        .stage_name("Deploy")
        .transition_type(StageTransitionType::Inbound)
        .send()
        .await
        .unwrap();
    sim.advance(ACTION).await;
    assert_eq!(
        status(&client, "P", &id).await,
        PipelineExecutionStatus::Succeeded
    );
}

#[tokio::test]
async fn a_failed_stage_retried_runs_again_and_counts_the_attempt() {
    let (sim, client) = client();
    create(&client, "P", ExecutionMode::Queued).await;
    let id = start(&client, "P").await;
    sim.advance(ACTION).await;
    sim.finish_action("P", &id, "Deploy", "Ship", pipesim::ActionResult::Failed)
        .await
        .unwrap();
    assert_eq!(
        status(&client, "P", &id).await,
        PipelineExecutionStatus::Failed
    );

    let retried = client
        .retry_stage_execution()
        .pipeline_name("P")
        .stage_name("Deploy")
        .pipeline_execution_id(&id)
        .retry_mode(StageRetryMode::FailedActions)
        .send()
        .await
        .unwrap();
    assert_eq!(retried.pipeline_execution_id(), Some(id.as_str()));
    let state = client.get_pipeline_state().name("P").send().await.unwrap();
    let deploy = &state.stage_states()[1];
    assert_eq!(
        deploy.latest_execution().unwrap().status(),
        &StageExecutionStatus::InProgress
    );
    let retries = deploy.retry_stage_metadata().unwrap();
    assert_eq!(retries.manual_stage_retry_attempt(), Some(1));
    sim.advance(ACTION).await;
    assert_eq!(
        status(&client, "P", &id).await,
        PipelineExecutionStatus::Succeeded
    );
}

#[tokio::test]
async fn tags_are_added_listed_and_removed_in_process() {
    let (_sim, client) = client();
    create(&client, "P", ExecutionMode::Superseded).await;
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build().unwrap();
    client
        .tag_resource()
        .resource_arn(ARN)
        .tags(tag("team", "web"))
        .tags(tag("env", "dev"))
        .send()
        .await
        .unwrap();
    client
        .untag_resource()
        .resource_arn(ARN)
        .tag_keys("env")
        .send()
        .await
        .unwrap();
    let listed = client
        .list_tags_for_resource()
        .resource_arn(ARN)
        .send()
        .await
        .unwrap();
    let pairs: Vec<_> = listed.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(pairs, [("team", "web")]);
}

#[tokio::test]
async fn a_missing_pipeline_is_the_sdks_typed_pipeline_not_found_exception() {
    let (_sim, client) = client();
    let err = client
        .get_pipeline()
        .name("Missing")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_pipeline_not_found_exception(), "{err:?}");
    assert_eq!(err.code(), Some("PipelineNotFoundException"));
}

#[tokio::test]
async fn one_seed_gives_the_same_execution_ids_through_the_sdk() {
    async fn ids(seed: u64) -> Vec<String> {
        let sim = common::builder().seed(seed).start_on_create(false).build();
        let client = Client::new(&sdk_config(&sim));
        create(&client, "P", ExecutionMode::Parallel).await;
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(start(&client, "P").await);
            sim.advance(ACTION).await;
        }
        ids
    }
    let first = ids(SEED).await;
    assert_eq!(first, ids(SEED).await, "seed {SEED}");
    assert_ne!(first, ids(SEED + 1).await, "seeds {SEED} and {}", SEED + 1);
}

#[tokio::test]
async fn one_sdk_call_is_one_request_because_retries_are_off() {
    let (sim, client) = client();
    create(&client, "P", ExecutionMode::Parallel).await;
    sim.add_fault(
        FaultRule::error("ThrottlingException")
            .operation("StartPipelineExecution")
            .times(1),
    )
    .unwrap();
    let err = client
        .start_pipeline_execution()
        .name("P")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ThrottlingException"));
    assert_eq!(sim.faults()[0].fired, 1);
    assert_eq!(sim.pipeline_stats("P").unwrap().retained_executions, 0);
    // The fault is spent: the next call starts the one execution.
    start(&client, "P").await;
    assert_eq!(sim.pipeline_stats("P").unwrap().retained_executions, 1);
}
