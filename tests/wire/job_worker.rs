//! The job worker of `examples/job_worker` (the AWS SDK for Rust) against an in-process
//! pipesim: its success, continuation tokens and failure end the custom action, and the
//! execution, as CodePipeline's do.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_codepipeline::Client;
use aws_sdk_codepipeline::types::{
    ActionCategory, ActionConfigurationProperty, ActionDeclaration, ActionExecution,
    ActionExecutionStatus, ActionOwner, ActionTypeId, ArtifactDetails, ArtifactStore,
    ArtifactStoreType, FailureType, InputArtifact, OutputArtifact, PipelineDeclaration,
    PipelineExecutionStatus,
};
use pipesim::Simulator;
use pipesim::testing::sdk_config;

use crate::common::{self, ACTION};
use crate::job_worker_example::{self as worker, Outcome, Work, Worker};
use crate::sdk::{action, stage};

fn jenkins() -> ActionTypeId {
    ActionTypeId::builder()
        .category(ActionCategory::Build)
        .owner(ActionOwner::Custom)
        .provider("MyJenkins")
        .version("1")
        .build()
        .unwrap()
}

/// A worker for the jobs of `project`, polling `max_polls` times with no wait: the
/// simulator's virtual time does not move while it polls.
fn worker_for(project: &str, max_polls: usize) -> Worker {
    Worker {
        action_type_id: jenkins(),
        query: BTreeMap::from([("ProjectName".to_owned(), project.to_owned())]),
        max_polls,
        poll_interval: Duration::ZERO,
    }
}

/// Creates the custom type `MyJenkins` (queryable `ProjectName`), pipeline `web` of
/// Source(Fetch), Build(Compile: the custom action), Deploy(Ship), and one execution
/// waiting at `Compile`; answers the client and the execution id.
async fn at_the_custom_action(sim: &Simulator) -> (Client, String) {
    let client = Client::new(&sdk_config(sim));
    let property = ActionConfigurationProperty::builder()
        .name("ProjectName")
        .required(true)
        .key(true)
        .secret(false)
        .queryable(true)
        .build()
        .unwrap();
    let counts = |min, max| {
        ArtifactDetails::builder()
            .minimum_count(min)
            .maximum_count(max)
            .build()
    };
    client
        .create_custom_action_type()
        .category(ActionCategory::Build)
        .provider("MyJenkins")
        .version("1")
        .configuration_properties(property)
        .input_artifact_details(counts(1, 1))
        .output_artifact_details(counts(0, 1))
        .send()
        .await
        .unwrap();
    let compile = ActionDeclaration::builder()
        .name("Compile")
        .action_type_id(jenkins())
        .configuration("ProjectName", "web")
        .input_artifacts(InputArtifact::builder().name("Src").build().unwrap())
        .output_artifacts(OutputArtifact::builder().name("Out").build().unwrap())
        .build()
        .unwrap();
    let source = action(
        "Fetch",
        ActionCategory::Source,
        "S3",
        &[("S3Bucket", "src"), ("S3ObjectKey", "app.zip")],
        None,
        Some("Src"),
    );
    let deploy = action(
        "Ship",
        ActionCategory::Deploy,
        "S3",
        &[("BucketName", "site"), ("Extract", "true")],
        Some("Out"),
        None,
    );
    let store = ArtifactStore::builder()
        .r#type(ArtifactStoreType::S3)
        .location("artifacts")
        .build()
        .unwrap();
    let pipeline = PipelineDeclaration::builder()
        .name("web")
        .role_arn("arn:aws:iam::123456789012:role/pipeline-role")
        .artifact_store(store)
        .stages(stage("Source", source))
        .stages(stage("Build", compile))
        .stages(stage("Deploy", deploy))
        .build()
        .unwrap();
    client
        .create_pipeline()
        .pipeline(pipeline)
        .send()
        .await
        .unwrap();
    let started = client
        .start_pipeline_execution()
        .name("web")
        .send()
        .await
        .unwrap();
    sim.advance(ACTION).await;
    let id = started.pipeline_execution_id().unwrap().to_owned();
    let status = compile_state(&client).await.status().cloned();
    assert_eq!(status, Some(ActionExecutionStatus::InProgress));
    (client, id)
}

async fn compile_state(client: &Client) -> ActionExecution {
    let state = client
        .get_pipeline_state()
        .name("web")
        .send()
        .await
        .unwrap();
    let build = state
        .stage_states()
        .iter()
        .find(|s| s.stage_name() == Some("Build"))
        .unwrap();
    build.action_states()[0].latest_execution().unwrap().clone()
}

async fn execution_status(client: &Client, id: &str) -> PipelineExecutionStatus {
    let got = client
        .get_pipeline_execution()
        .pipeline_name("web")
        .pipeline_execution_id(id)
        .send()
        .await
        .unwrap();
    got.pipeline_execution().unwrap().status().unwrap().clone()
}

#[tokio::test]
async fn the_rust_job_worker_succeeds_a_custom_action_through_continuation_tokens() {
    let sim = common::sim();
    let (client, id) = at_the_custom_action(&sim).await;
    let build = |job: &_| {
        let work = worker::stepped_build(job, 2);
        async move { work }
    };
    let outcomes = worker::run(&client, &worker_for("web", 3), build)
        .await
        .unwrap();
    let [first, second] = outcomes.as_slice() else {
        panic!("two jobs, one per step: {outcomes:?}");
    };
    let Outcome::Continued { job_id, token } = first else {
        panic!("the first step continues: {first:?}");
    };
    assert_eq!(token, "step-2");
    let Outcome::Succeeded { job_id: last } = second else {
        panic!("the second step ends the action: {second:?}");
    };
    assert_ne!(job_id, last, "each step is a job of its own");

    let compile = compile_state(&client).await;
    assert_eq!(compile.status(), Some(&ActionExecutionStatus::Succeeded));
    assert_eq!(compile.summary(), Some("web: built in 2 step(s)"));
    assert_eq!(compile.percent_complete(), Some(100));
    assert_eq!(
        compile.external_execution_id(),
        compile.action_execution_id()
    );
    sim.advance(ACTION).await;
    assert_eq!(
        execution_status(&client, &id).await,
        PipelineExecutionStatus::Succeeded
    );
}

#[tokio::test]
async fn the_rust_job_worker_fails_the_action_with_its_failure_type_as_the_code() {
    let sim = common::sim();
    let (client, id) = at_the_custom_action(&sim).await;
    let misconfigured = |_: &_| async {
        Work::Failed {
            failure_type: FailureType::ConfigurationError,
            message: "No Jenkins project named web".into(),
            external_execution_id: Some("build-41".into()),
        }
    };
    let outcomes = worker::run(&client, &worker_for("web", 1), misconfigured)
        .await
        .unwrap();
    assert!(
        matches!(
            outcomes.as_slice(),
            [Outcome::Failed {
                failure_type: FailureType::ConfigurationError,
                ..
            }]
        ),
        "{outcomes:?}"
    );
    let compile = compile_state(&client).await;
    assert_eq!(compile.status(), Some(&ActionExecutionStatus::Failed));
    let error = compile.error_details().unwrap();
    assert_eq!(error.code(), Some("ConfigurationError"));
    assert_eq!(error.message(), Some("No Jenkins project named web"));
    assert_eq!(compile.external_execution_id(), Some("build-41"));
    assert_eq!(
        execution_status(&client, &id).await,
        PipelineExecutionStatus::Failed
    );
}

#[tokio::test]
async fn the_rust_job_worker_takes_only_its_projects_jobs_and_skips_a_stale_nonce() {
    let sim = common::sim();
    let (client, _id) = at_the_custom_action(&sim).await;
    let build = |job: &_| {
        let work = worker::stepped_build(job, 1);
        async move { work }
    };
    let other = worker::run(&client, &worker_for("api", 2), build)
        .await
        .unwrap();
    assert!(other.is_empty(), "no job of project api: {other:?}");

    // A poll hands the job out; a minute later, unacknowledged, it is handed out again
    // with a new nonce. The worker gets the second hand-out and acknowledges it.
    let first = client
        .poll_for_jobs()
        .action_type_id(jenkins())
        .query_param("ProjectName", "web")
        .send()
        .await
        .unwrap();
    let stale = first.jobs()[0].clone();
    sim.advance(Duration::from_secs(61)).await;
    let outcomes = worker::run(&client, &worker_for("web", 1), build)
        .await
        .unwrap();
    assert!(
        matches!(outcomes.as_slice(), [Outcome::Succeeded { job_id }] if Some(job_id.as_str()) == stale.id()),
        "{outcomes:?}"
    );
    // The stale nonce is refused: a slow worker holding it would skip the job.
    let late = client
        .acknowledge_job()
        .job_id(stale.id().unwrap())
        .nonce(stale.nonce().unwrap())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(late.is_invalid_nonce_exception(), "{late:?}");
}
