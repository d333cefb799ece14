//! Job workers through the official Rust SDK: every job operation, and each of its
//! modeled errors as the SDK's typed error.

use aws_sdk_codepipeline::types::{
    ActionCategory, ActionOwner, ActionTypeId, ExecutionDetails, FailureDetails, FailureType,
    JobStatus,
};
use pipesim::model::action_types::{ArtifactCounts, ConfigurationProperty};
use pipesim::model::{
    ActionDeclaration, CreateCustomActionTypeInput, PipelineDeclaration, StageDeclaration,
};
use pipesim::testing::serve_simulator;

use crate::common::{ACTION, sim};
use crate::sdk::client;

fn type_id(owner: ActionOwner, category: ActionCategory, provider: &str) -> ActionTypeId {
    ActionTypeId::builder()
        .category(category)
        .owner(owner)
        .provider(provider)
        .version("1")
        .build()
        .unwrap()
}

/// A simulator with a custom `Build/MyJenkins` type (queryable `ProjectName`), pipeline
/// `P` using it between source and deploy, pipeline `T` with a third-party test action,
/// and one execution of each at the waiting action.
async fn jobs_waiting() -> pipesim::testing::TestServer {
    let sim = sim();
    let property = ConfigurationProperty {
        name: "ProjectName".into(),
        required: true,
        key: true,
        queryable: true,
        ..ConfigurationProperty::default()
    };
    let jenkins = CreateCustomActionTypeInput::new(
        pipesim::model::ActionCategory::Build,
        "MyJenkins",
        "1",
        ArtifactCounts::new(1, 1),
        ArtifactCounts::new(0, 0),
    )
    .property(property);
    let id = jenkins.id();
    sim.create_custom_action_type(jenkins).await.unwrap();
    let mut custom = PipelineDeclaration::two_stage_example("P");
    let compile = ActionDeclaration::new("Compile", id)
        .config("ProjectName", "web")
        .input("Src");
    custom
        .stages
        .insert(1, StageDeclaration::new("Build", vec![compile]));
    sim.create_pipeline(custom).await.unwrap();
    let mut partner = PipelineDeclaration::two_stage_example("T");
    partner.stages[1].actions[0] = ActionDeclaration::new(
        "Check",
        pipesim::model::ActionTypeId::third_party(pipesim::model::ActionCategory::Test, "Partner"),
    )
    .input("Src");
    sim.create_pipeline(partner).await.unwrap();
    sim.start_pipeline_execution("P").await.unwrap();
    sim.start_pipeline_execution("T").await.unwrap();
    sim.advance(ACTION).await;
    serve_simulator(sim).await
}

#[tokio::test]
async fn jobs_and_each_of_their_errors_through_the_sdk() {
    let server = jobs_waiting().await;
    let client = client(&server);
    let jenkins = type_id(ActionOwner::Custom, ActionCategory::Build, "MyJenkins");
    let unknown = "00000000-0000-4000-8000-000000000000";

    let missing_type = type_id(ActionOwner::Custom, ActionCategory::Build, "Nope");
    let err = client
        .poll_for_jobs()
        .action_type_id(missing_type)
        .send()
        .await;
    assert!(
        err.unwrap_err()
            .into_service_error()
            .is_action_type_not_found_exception()
    );
    let err = client
        .poll_for_jobs()
        .action_type_id(jenkins.clone())
        .max_batch_size(0)
        .send()
        .await;
    assert!(
        err.unwrap_err()
            .into_service_error()
            .is_validation_exception()
    );
    let polled = client
        .poll_for_jobs()
        .action_type_id(jenkins.clone())
        .max_batch_size(5)
        .query_param("ProjectName", "web")
        .send()
        .await
        .unwrap();
    let job = &polled.jobs()[0];
    let job_id = job.id().unwrap();
    let nonce = job.nonce().unwrap();
    let data = job.data().unwrap();
    assert_eq!(data.pipeline_context().unwrap().pipeline_name(), Some("P"));
    assert_eq!(
        data.action_configuration()
            .unwrap()
            .configuration()
            .unwrap()["ProjectName"],
        "web"
    );

    let details = client
        .get_job_details()
        .job_id(job_id)
        .send()
        .await
        .unwrap();
    assert_eq!(details.job_details().unwrap().id(), Some(job_id));
    let err = client
        .get_job_details()
        .job_id(unknown)
        .send()
        .await
        .unwrap_err();
    let err = err.into_service_error();
    assert!(err.is_job_not_found_exception(), "{err:?}");
    let err = client.get_job_details().job_id("not-a-uuid").send().await;
    assert!(
        err.unwrap_err()
            .into_service_error()
            .is_validation_exception()
    );

    let ack = |id: &str, nonce: &str| client.acknowledge_job().job_id(id).nonce(nonce).send();
    let err = ack(job_id, "999").await.unwrap_err().into_service_error();
    assert!(err.is_invalid_nonce_exception(), "{err:?}");
    let err = ack(unknown, "1").await.unwrap_err().into_service_error();
    assert!(err.is_job_not_found_exception(), "{err:?}");
    let err = ack("bad", "1").await.unwrap_err().into_service_error();
    assert!(err.is_validation_exception(), "{err:?}");
    let acked = ack(job_id, nonce).await.unwrap();
    assert_eq!(acked.status(), Some(&JobStatus::InProgress));

    let success = || client.put_job_success_result();
    let big = "x".repeat(122_881);
    let err = success()
        .job_id(job_id)
        .output_variables("Big", big)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_output_variables_size_exceeded_exception(), "{err:?}");
    let err = success()
        .job_id(unknown)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_job_not_found_exception(), "{err:?}");
    let err = success()
        .job_id("bad")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_validation_exception(), "{err:?}");
    let halfway = ExecutionDetails::builder()
        .summary("Half way")
        .percent_complete(50)
        .build();
    success()
        .job_id(job_id)
        .continuation_token("step-2")
        .execution_details(halfway)
        .send()
        .await
        .unwrap();
    let err = success()
        .job_id(job_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_job_state_exception(), "{err:?}");

    let next = client
        .poll_for_jobs()
        .action_type_id(jenkins)
        .query_param("ProjectName", "web")
        .send()
        .await
        .unwrap();
    let next = &next.jobs()[0];
    assert_eq!(next.data().unwrap().continuation_token(), Some("step-2"));
    let failure = |message: &str| {
        FailureDetails::builder()
            .r#type(FailureType::JobFailed)
            .message(message)
            .build()
            .unwrap()
    };
    let fail = |id: &str| {
        client
            .put_job_failure_result()
            .job_id(id)
            .failure_details(failure("tests failed"))
            .send()
    };
    let err = fail(unknown).await.unwrap_err().into_service_error();
    assert!(err.is_job_not_found_exception(), "{err:?}");
    let err = fail("bad").await.unwrap_err().into_service_error();
    assert!(err.is_validation_exception(), "{err:?}");
    fail(next.id().unwrap()).await.unwrap();
    let err = fail(next.id().unwrap())
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_job_state_exception(), "{err:?}");
    let state = client.get_pipeline_state().name("P").send().await.unwrap();
    let compile = &state.stage_states()[1].action_states()[0];
    let error = compile.latest_execution().unwrap().error_details().unwrap();
    assert_eq!(
        (error.code(), error.message()),
        (Some("JobFailed"), Some("tests failed"))
    );
    // A job of PollForJobs is not a third-party job.
    let err = client
        .get_third_party_job_details()
        .job_id(job_id)
        .client_token("t")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_job_exception(), "{err:?}");
}

#[tokio::test]
async fn third_party_jobs_and_each_of_their_errors_through_the_sdk() {
    let server = jobs_waiting().await;
    let client = client(&server);
    let partner = type_id(ActionOwner::ThirdParty, ActionCategory::Test, "Partner");
    let unknown = "00000000-0000-4000-8000-000000000000";

    let custom = type_id(ActionOwner::Custom, ActionCategory::Build, "MyJenkins");
    let err = client
        .poll_for_third_party_jobs()
        .action_type_id(custom)
        .send()
        .await;
    assert!(
        err.unwrap_err()
            .into_service_error()
            .is_action_type_not_found_exception()
    );
    let err = client
        .poll_for_third_party_jobs()
        .action_type_id(partner.clone())
        .max_batch_size(0)
        .send()
        .await;
    assert!(
        err.unwrap_err()
            .into_service_error()
            .is_validation_exception()
    );
    let polled = client
        .poll_for_third_party_jobs()
        .action_type_id(partner)
        .send()
        .await
        .unwrap();
    let job = &polled.jobs()[0];
    let (job_id, token) = (job.job_id().unwrap(), job.client_id().unwrap());

    let details = |id: &str, token: &str| {
        client
            .get_third_party_job_details()
            .job_id(id)
            .client_token(token)
            .send()
    };
    let err = details(job_id, "wrong")
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_client_token_exception(), "{err:?}");
    let err = details(unknown, token)
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_job_not_found_exception(), "{err:?}");
    let err = details(job_id, "").await.unwrap_err().into_service_error();
    assert!(err.is_validation_exception(), "{err:?}");
    let nonce = details(job_id, token)
        .await
        .unwrap()
        .job_details()
        .unwrap()
        .nonce()
        .unwrap()
        .to_owned();

    let ack = |id: &str, nonce: &str, token: &str| {
        client
            .acknowledge_third_party_job()
            .job_id(id)
            .nonce(nonce)
            .client_token(token)
            .send()
    };
    let err = ack(job_id, &nonce, "wrong")
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_client_token_exception(), "{err:?}");
    let err = ack(job_id, "999", token)
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_nonce_exception(), "{err:?}");
    let err = ack(unknown, &nonce, token)
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_job_not_found_exception(), "{err:?}");
    let err = ack(job_id, "", token)
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_validation_exception(), "{err:?}");
    let acked = ack(job_id, &nonce, token).await.unwrap();
    assert_eq!(acked.status(), Some(&JobStatus::InProgress));

    let succeed = |id: &str, token: &str| {
        client
            .put_third_party_job_success_result()
            .job_id(id)
            .client_token(token)
            .send()
    };
    let err = succeed(job_id, "wrong")
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_client_token_exception(), "{err:?}");
    let err = succeed(unknown, token)
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_job_not_found_exception(), "{err:?}");
    let err = succeed(job_id, "").await.unwrap_err().into_service_error();
    assert!(err.is_validation_exception(), "{err:?}");
    succeed(job_id, token).await.unwrap();
    let err = succeed(job_id, token)
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_job_state_exception(), "{err:?}");

    let fail = |id: &str, token: &str| {
        let failure = FailureDetails::builder()
            .r#type(FailureType::SystemUnavailable)
            .message("down")
            .build()
            .unwrap();
        client
            .put_third_party_job_failure_result()
            .job_id(id)
            .client_token(token)
            .failure_details(failure)
            .send()
    };
    let err = fail(job_id, "wrong")
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_client_token_exception(), "{err:?}");
    let err = fail(unknown, token).await.unwrap_err().into_service_error();
    assert!(err.is_job_not_found_exception(), "{err:?}");
    let err = fail(job_id, "").await.unwrap_err().into_service_error();
    assert!(err.is_validation_exception(), "{err:?}");
    let err = fail(job_id, token).await.unwrap_err().into_service_error();
    assert!(err.is_invalid_job_state_exception(), "{err:?}");
}
