//! Job workers: custom, third-party and job-worker actions wait for jobs that
//! `PollForJobs` hands out and `PutJob*Result` ends.

use std::collections::BTreeMap;
use std::time::Duration;

use pipesim::model::action_types::{ArtifactCounts, ConfigurationProperty};
use pipesim::model::*;
use pipesim::{ActionBehaviour, PipelineSettings, Simulator};

use crate::common::sim;
use crate::helpers::{create, error_type, start, status};

/// The custom type of the tests' job workers.
pub(crate) fn jenkins() -> ActionTypeId {
    ActionTypeId::custom(ActionCategory::Build, "MyJenkins")
}

/// Source(Fetch), then Build(Compile: a custom action, namespace `BuildVariables`),
/// then Deploy(Ship).
pub(crate) fn custom_pipeline(name: &str) -> PipelineDeclaration {
    let mut pipeline = PipelineDeclaration::two_stage_example(name);
    let mut compile = ActionDeclaration::new("Compile", jenkins())
        .config("ProjectName", "web")
        .input("Src")
        .output("Out");
    compile
        .other
        .insert("namespace".into(), "BuildVariables".into());
    pipeline
        .stages
        .insert(1, StageDeclaration::new("Build", vec![compile]));
    pipeline
}

/// Creates the custom type [`jenkins`]: a `ProjectName` to build, one input, at most
/// one output; `queryable` makes `ProjectName` what polls query on.
pub(crate) async fn create_jenkins(sim: &Simulator, queryable: bool) {
    let property = ConfigurationProperty {
        name: "ProjectName".into(),
        required: true,
        key: true,
        queryable,
        ..ConfigurationProperty::default()
    };
    let input = CreateCustomActionTypeInput::new(
        ActionCategory::Build,
        "MyJenkins",
        "1",
        ArtifactCounts::new(1, 1),
        ArtifactCounts::new(0, 1),
    )
    .property(property);
    sim.create_custom_action_type(input).await.unwrap();
}

/// A simulator with pipeline `P` of [`custom_pipeline`], one execution started and at
/// its custom action; answers the execution id.
async fn at_custom_action(sim: &Simulator) -> String {
    create_jenkins(sim, false).await;
    create(sim, custom_pipeline("P")).await;
    let id = start(sim, "P").await;
    sim.advance(crate::common::ACTION).await;
    id
}

async fn poll_one(sim: &Simulator) -> Job {
    let mut jobs = sim
        .poll_for_jobs(PollForJobsInput::new(jenkins()))
        .await
        .unwrap()
        .jobs;
    assert_eq!(jobs.len(), 1, "one job queued");
    jobs.remove(0)
}

async fn action_state(sim: &Simulator, stage: &str, action: &str) -> ActionExecution {
    let state = sim.get_pipeline_state("P").await.unwrap();
    state
        .stage_states
        .iter()
        .find(|s| s.stage_name == stage)
        .unwrap()
        .action_states
        .iter()
        .find(|a| a.action_name == action)
        .unwrap()
        .latest_execution
        .clone()
        .unwrap()
}

#[tokio::test]
async fn a_custom_action_waits_for_a_job_worker_that_polls_acknowledges_and_succeeds() {
    let sim = sim();
    let id = at_custom_action(&sim).await;
    // No job worker: the action runs past any simulated duration.
    sim.advance(Duration::from_secs(3600)).await;
    let compile = action_state(&sim, "Build", "Compile").await;
    assert_eq!(compile.status, ActionExecutionStatus::InProgress);

    let job = poll_one(&sim).await;
    assert_eq!(job.nonce, "1");
    assert_eq!(job.account_id, sim.account());
    let data = &job.data;
    assert_eq!(data.action_type_id, jenkins());
    assert_eq!(
        data.action_configuration.configuration["ProjectName"],
        "web"
    );
    let context = &data.pipeline_context;
    assert_eq!(context.pipeline_name, "P");
    assert_eq!(context.stage.name, "Build");
    assert_eq!(context.action.name, "Compile");
    assert_eq!(
        context.action.action_execution_id,
        compile.action_execution_id
    );
    assert_eq!(context.pipeline_execution_id.as_deref(), Some(id.as_str()));
    let input = &data.input_artifacts[0];
    assert_eq!(input.name, "Src");
    let key = &input.location.s3_location.object_key;
    assert!(
        key.starts_with("P/Src/") && key.len() == "P/Src/".len() + 7,
        "{key}"
    );
    assert_eq!(data.output_artifacts[0].name, "Out");
    // Handed out once: a second poll finds nothing.
    let again = sim.poll_for_jobs(PollForJobsInput::new(jenkins())).await;
    assert!(again.unwrap().jobs.is_empty());

    let ack = AcknowledgeJobInput {
        job_id: job.id.clone(),
        nonce: job.nonce.clone(),
    };
    let acked = sim.acknowledge_job(ack).await.unwrap();
    assert_eq!(acked.status, JobStatus::InProgress);
    let mut success = PutJobSuccessResultInput::new(&job.id);
    success.execution_details = Some(ExecutionDetails {
        summary: Some("Build #7 finished".into()),
        external_execution_id: Some("7".into()),
        percent_complete: Some(100),
    });
    sim.put_job_success_result(success).await.unwrap();
    let compile = action_state(&sim, "Build", "Compile").await;
    assert_eq!(compile.status, ActionExecutionStatus::Succeeded);
    assert_eq!(compile.summary.as_deref(), Some("Build #7 finished"));
    assert_eq!(compile.external_execution_id.as_deref(), Some("7"));
    assert_eq!(compile.percent_complete, Some(100));
    sim.advance(crate::common::ACTION).await;
    assert_eq!(
        status(&sim, "P", &id).await,
        PipelineExecutionStatus::Succeeded
    );
    let jobs = sim.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].status, JobStatus::Succeeded);
    // A result for a job that ended.
    let late = sim.put_job_success_result(PutJobSuccessResultInput::new(&job.id));
    assert_eq!(error_type(late.await), "InvalidJobStateException");
}

#[tokio::test]
async fn a_failure_result_fails_the_action_with_its_type_and_message() {
    let sim = sim();
    let id = at_custom_action(&sim).await;
    let job = poll_one(&sim).await;
    let failure = PutJobFailureResultInput {
        job_id: job.id.clone(),
        failure_details: FailureDetails {
            failure_type: FailureType::ConfigurationError,
            message: "No project named web".into(),
            external_execution_id: None,
        },
    };
    sim.put_job_failure_result(failure).await.unwrap();
    let compile = action_state(&sim, "Build", "Compile").await;
    assert_eq!(compile.status, ActionExecutionStatus::Failed);
    let error = compile.error_details.unwrap();
    assert_eq!(error.code, "ConfigurationError");
    assert_eq!(error.message, "No project named web");
    assert_eq!(
        status(&sim, "P", &id).await,
        PipelineExecutionStatus::Failed
    );
    assert_eq!(sim.jobs()[0].status, JobStatus::Failed);
}

#[tokio::test]
async fn unknown_jobs_answer_job_not_found_with_the_recorded_message() {
    let sim = sim();
    let id = "6c3e0d1a-1111-4222-8333-444455556666";
    let err = sim
        .put_job_success_result(PutJobSuccessResultInput::new(id))
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "JobNotFoundException");
    assert_eq!(err.message(), format!("Job with id '{id}' does not exist"));
    let details = sim.get_job_details(GetJobDetailsInput { job_id: id.into() });
    assert_eq!(error_type(details.await), "JobNotFoundException");
    let ack = AcknowledgeJobInput {
        job_id: id.into(),
        nonce: "1".into(),
    };
    assert_eq!(
        error_type(sim.acknowledge_job(ack).await),
        "JobNotFoundException"
    );
}

#[tokio::test]
async fn a_nonce_is_accepted_once_and_only_the_latest_polls() {
    let sim = sim();
    at_custom_action(&sim).await;
    let job = poll_one(&sim).await;
    let wrong = AcknowledgeJobInput {
        job_id: job.id.clone(),
        nonce: "2".into(),
    };
    assert_eq!(
        error_type(sim.acknowledge_job(wrong).await),
        "InvalidNonceException"
    );
    // Not acknowledged within a minute: handed out again, with a new nonce.
    sim.advance(Duration::from_secs(61)).await;
    let again = poll_one(&sim).await;
    assert_eq!(
        (again.id.as_str(), again.nonce.as_str()),
        (job.id.as_str(), "2")
    );
    let stale = AcknowledgeJobInput {
        job_id: job.id.clone(),
        nonce: job.nonce.clone(),
    };
    assert_eq!(
        error_type(sim.acknowledge_job(stale).await),
        "InvalidNonceException"
    );
    let ack = AcknowledgeJobInput {
        job_id: job.id.clone(),
        nonce: again.nonce.clone(),
    };
    assert_eq!(
        sim.acknowledge_job(ack.clone()).await.unwrap().status,
        JobStatus::InProgress
    );
    assert_eq!(
        error_type(sim.acknowledge_job(ack).await),
        "InvalidNonceException"
    );
    // Acknowledged jobs are not handed out again.
    sim.advance(Duration::from_secs(120)).await;
    let polled = sim.poll_for_jobs(PollForJobsInput::new(jenkins())).await;
    assert!(polled.unwrap().jobs.is_empty());
}

#[tokio::test]
async fn a_continuation_token_keeps_the_action_running_under_a_new_job_carrying_it() {
    let sim = sim();
    at_custom_action(&sim).await;
    let job = poll_one(&sim).await;
    let mut going_on = PutJobSuccessResultInput::new(&job.id);
    going_on.continuation_token = Some("step-2".into());
    going_on.execution_details = Some(ExecutionDetails {
        summary: Some("Half way".into()),
        external_execution_id: None,
        percent_complete: Some(50),
    });
    sim.put_job_success_result(going_on).await.unwrap();
    let compile = action_state(&sim, "Build", "Compile").await;
    assert_eq!(compile.status, ActionExecutionStatus::InProgress);
    assert_eq!(compile.percent_complete, Some(50));
    let next = poll_one(&sim).await;
    assert_ne!(next.id, job.id, "a new job");
    assert_eq!(next.data.continuation_token.as_deref(), Some("step-2"));
    let status_of = |id: &str| {
        sim.jobs()
            .into_iter()
            .find(|j| j.job_id == id)
            .unwrap()
            .status
    };
    assert_eq!(status_of(&job.id), JobStatus::Succeeded);
    assert_eq!(status_of(&next.id), JobStatus::Dispatched);
    let mut both = PutJobSuccessResultInput::new(&next.id);
    both.continuation_token = Some("step-3".into());
    both.output_variables = Some(BTreeMap::from([("k".into(), "v".into())]));
    assert_eq!(
        error_type(sim.put_job_success_result(both).await),
        "ValidationException"
    );
    sim.put_job_success_result(PutJobSuccessResultInput::new(&next.id))
        .await
        .unwrap();
    let compile = action_state(&sim, "Build", "Compile").await;
    assert_eq!(compile.status, ActionExecutionStatus::Succeeded);
}

#[tokio::test]
async fn output_variables_of_a_job_reach_later_actions_and_the_action_history() {
    let sim = sim();
    create_jenkins(&sim, false).await;
    let mut pipeline = custom_pipeline("P");
    pipeline.stages[2].actions[0] = ActionDeclaration::new("Ship", ActionTypeId::s3_deploy())
        .config("BucketName", "site-#{BuildVariables.Version}")
        .config("Extract", "true")
        .input("Src");
    create(&sim, pipeline).await;
    let id = start(&sim, "P").await;
    sim.advance(crate::common::ACTION).await;
    let job = poll_one(&sim).await;
    let mut success = PutJobSuccessResultInput::new(&job.id);
    success.output_variables = Some(BTreeMap::from([("Version".into(), "1.4.2".into())]));
    sim.put_job_success_result(success).await.unwrap();
    let history = sim.list_action_executions("P").await.unwrap();
    let ship = &history.action_execution_details[0];
    assert_eq!(ship.action_name, "Ship");
    assert_eq!(
        ship.input.resolved_configuration["BucketName"],
        "site-1.4.2"
    );
    let compile = &history.action_execution_details[1];
    sim.advance(crate::common::ACTION).await;
    let history = sim.list_action_executions("P").await.unwrap();
    let compile_now = history
        .action_execution_details
        .iter()
        .find(|d| d.action_execution_id == compile.action_execution_id)
        .unwrap();
    assert_eq!(compile_now.output.output_variables["Version"], "1.4.2");
    assert_eq!(
        status(&sim, "P", &id).await,
        PipelineExecutionStatus::Succeeded
    );
}

#[tokio::test]
async fn oversized_output_variables_are_refused_and_change_nothing() {
    let sim = sim();
    at_custom_action(&sim).await;
    let job = poll_one(&sim).await;
    let mut success = PutJobSuccessResultInput::new(&job.id);
    success.output_variables = Some(BTreeMap::from([("Big".into(), "x".repeat(122_878))]));
    assert_eq!(
        error_type(sim.put_job_success_result(success).await),
        "OutputVariablesSizeExceededException"
    );
    assert_eq!(sim.jobs()[0].status, JobStatus::Dispatched);
}

#[tokio::test]
async fn a_job_nobody_finishes_times_out_after_a_day_and_fails_its_action() {
    let sim = sim();
    let id = at_custom_action(&sim).await;
    let job = poll_one(&sim).await;
    sim.advance(Duration::from_secs(24 * 3600 - 1)).await;
    assert_eq!(sim.jobs()[0].status, JobStatus::Dispatched);
    sim.advance(Duration::from_secs(1)).await;
    assert_eq!(sim.jobs()[0].status, JobStatus::TimedOut);
    let compile = action_state(&sim, "Build", "Compile").await;
    assert_eq!(compile.status, ActionExecutionStatus::Failed);
    assert_eq!(
        status(&sim, "P", &id).await,
        PipelineExecutionStatus::Failed
    );
    let late = sim.put_job_success_result(PutJobSuccessResultInput::new(&job.id));
    assert_eq!(error_type(late.await), "InvalidJobStateException");
    let ack = AcknowledgeJobInput {
        job_id: job.id.clone(),
        nonce: job.nonce.clone(),
    };
    // Workers read a status other than InProgress as "do not run it".
    assert_eq!(
        sim.acknowledge_job(ack).await.unwrap().status,
        JobStatus::TimedOut
    );
}

#[tokio::test]
async fn a_lambda_action_set_to_wait_for_its_function_fails_with_the_recorded_message_after_twenty_minutes()
 {
    let sim = sim();
    let mut pipeline = PipelineDeclaration::two_stage_example("P");
    pipeline.stages[1].actions[0] = ActionDeclaration::new(
        "Invoke",
        ActionTypeId::aws(ActionCategory::Invoke, "Lambda"),
    )
    .config("FunctionName", "notify");
    create(&sim, pipeline).await;
    let settings =
        PipelineSettings::new().action("Deploy", "Invoke", ActionBehaviour::job_worker());
    sim.configure_pipeline("P", settings).unwrap();
    start(&sim, "P").await;
    sim.advance(crate::common::ACTION).await;
    let jobs = sim.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].action_name, "Invoke");
    assert_eq!(jobs[0].status, JobStatus::Queued);
    // AWS's own types are not polled: the function gets the job in its event.
    let poll = sim.poll_for_jobs(PollForJobsInput::new(ActionTypeId::aws(
        ActionCategory::Invoke,
        "Lambda",
    )));
    let err = poll.await.unwrap_err();
    assert_eq!(err.error_type(), "ActionTypeNotFoundException");
    assert_eq!(
        err.message(),
        "ActionType (Category: 'Invoke', Owner: 'AWS', Provider: 'Lambda', Version: '1') is not available"
    );
    sim.advance(Duration::from_secs(20 * 60)).await;
    let invoke = action_state(&sim, "Deploy", "Invoke").await;
    assert_eq!(invoke.status, ActionExecutionStatus::Failed);
    assert_eq!(
        invoke.error_details.unwrap().message,
        "The AWS Lambda function notify failed to return a result. Check the function to verify \
         that it has permission to call the PutJobSuccessResult action and that it made a call to \
         PutJobSuccessResult."
    );
}

#[tokio::test]
async fn a_harness_plays_the_lambda_function_with_the_job_id_from_the_event_stream() {
    let sim = sim();
    let mut pipeline = PipelineDeclaration::two_stage_example("P");
    pipeline.stages[1].actions[0] = ActionDeclaration::new(
        "Invoke",
        ActionTypeId::aws(ActionCategory::Invoke, "Lambda"),
    )
    .config("FunctionName", "notify");
    create(&sim, pipeline).await;
    let settings =
        PipelineSettings::new().action("Deploy", "Invoke", ActionBehaviour::job_worker());
    sim.configure_pipeline("P", settings).unwrap();
    let mut events = sim.events();
    let id = start(&sim, "P").await;
    sim.advance(crate::common::ACTION).await;
    let job_id = loop {
        let event = events.next().await.expect("a job event");
        if let pipesim::EventKind::Job { job_id, status, .. } = event.kind {
            assert_eq!(status, JobStatus::Queued);
            break job_id;
        }
    };
    sim.put_job_success_result(PutJobSuccessResultInput::new(&job_id))
        .await
        .unwrap();
    assert_eq!(
        status(&sim, "P", &id).await,
        PipelineExecutionStatus::Succeeded
    );
}

#[tokio::test]
async fn polls_hand_out_only_jobs_whose_queryable_property_matches() {
    let sim = sim();
    create_jenkins(&sim, true).await;
    create(&sim, custom_pipeline("P")).await;
    start(&sim, "P").await;
    sim.advance(crate::common::ACTION).await;
    // The type has a queryable property: a poll must name it.
    let unnamed = sim.poll_for_jobs(PollForJobsInput::new(jenkins())).await;
    assert_eq!(error_type(unnamed), "ValidationException");
    let mut wrong_key = PollForJobsInput::new(jenkins());
    wrong_key.query_param = BTreeMap::from([("Other".into(), "web".into())]);
    assert_eq!(
        error_type(sim.poll_for_jobs(wrong_key).await),
        "ValidationException"
    );
    let mut other = PollForJobsInput::new(jenkins());
    other.query_param = BTreeMap::from([("ProjectName".into(), "api".into())]);
    assert!(sim.poll_for_jobs(other).await.unwrap().jobs.is_empty());
    let mut mine = PollForJobsInput::new(jenkins());
    mine.query_param = BTreeMap::from([("ProjectName".into(), "web".into())]);
    mine.max_batch_size = Some(10);
    assert_eq!(sim.poll_for_jobs(mine).await.unwrap().jobs.len(), 1);
}

#[tokio::test]
async fn polls_of_other_owners_answer_action_type_not_found_and_bad_input_validation() {
    let sim = sim();
    let third = ActionTypeId::third_party(ActionCategory::Build, "Partner");
    let err = sim.poll_for_jobs(PollForJobsInput::new(third)).await;
    assert_eq!(error_type(err), "ActionTypeNotFoundException");
    let mut zero = PollForJobsInput::new(jenkins());
    zero.max_batch_size = Some(0);
    assert_eq!(
        error_type(sim.poll_for_jobs(zero).await),
        "ValidationException"
    );
    let mut two = PollForJobsInput::new(jenkins());
    two.query_param = BTreeMap::from([("A".into(), "1".into()), ("B".into(), "2".into())]);
    assert_eq!(
        error_type(sim.poll_for_jobs(two).await),
        "ValidationException"
    );
    let bad_id = GetJobDetailsInput {
        job_id: "not-a-job".into(),
    };
    assert_eq!(
        error_type(sim.get_job_details(bad_id).await),
        "ValidationException"
    );
}

#[tokio::test]
async fn polls_for_a_missing_or_deleted_custom_type_answer_action_type_not_found() {
    let sim = sim();
    let err = sim
        .poll_for_jobs(PollForJobsInput::new(jenkins()))
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "ActionTypeNotFoundException");
    assert_eq!(
        err.message(),
        "ActionType (Category: 'Build', Owner: 'Custom', Provider: 'MyJenkins', Version: '1') is not available"
    );
    at_custom_action(&sim).await;
    let delete = DeleteCustomActionTypeInput::new(ActionCategory::Build, "MyJenkins", "1");
    sim.delete_custom_action_type(delete).await.unwrap();
    let polled = sim.poll_for_jobs(PollForJobsInput::new(jenkins())).await;
    assert_eq!(error_type(polled), "ActionTypeNotFoundException");
    // The job itself is still there for a worker that holds its id.
    assert_eq!(sim.jobs()[0].status, JobStatus::Queued);
}

#[tokio::test]
async fn a_stopped_execution_ends_its_jobs_and_late_results_find_them_ended() {
    let sim = sim();
    let id = at_custom_action(&sim).await;
    let job = poll_one(&sim).await;
    let stop = StopPipelineExecutionInput::new("P", &id).abandon();
    sim.stop_pipeline_execution(stop).await.unwrap();
    assert_eq!(sim.jobs()[0].status, JobStatus::Failed);
    let late = sim.put_job_success_result(PutJobSuccessResultInput::new(&job.id));
    assert_eq!(error_type(late.await), "InvalidJobStateException");
}

#[tokio::test]
async fn a_deleted_pipeline_ends_its_jobs() {
    let sim = sim();
    at_custom_action(&sim).await;
    sim.delete_pipeline("P").await.unwrap();
    assert_eq!(sim.jobs()[0].status, JobStatus::Failed);
    let polled = sim.poll_for_jobs(PollForJobsInput::new(jenkins())).await;
    assert!(polled.unwrap().jobs.is_empty());
}

#[tokio::test]
async fn third_party_jobs_go_through_their_own_operations_with_the_client_token() {
    let sim = sim();
    let partner = ActionTypeId::third_party(ActionCategory::Test, "Partner");
    let mut pipeline = PipelineDeclaration::two_stage_example("P");
    pipeline.stages[1].actions[0] = ActionDeclaration::new("Check", partner.clone()).input("Src");
    create(&sim, pipeline).await;
    let id = start(&sim, "P").await;
    sim.advance(crate::common::ACTION).await;
    // Not by PollForJobs.
    let wrong_poll = sim.poll_for_jobs(PollForJobsInput::new(partner.clone()));
    assert_eq!(error_type(wrong_poll.await), "ActionTypeNotFoundException");
    let polled = sim
        .poll_for_third_party_jobs(PollForThirdPartyJobsInput {
            action_type_id: partner.clone(),
            max_batch_size: Some(5),
        })
        .await
        .unwrap()
        .jobs;
    assert_eq!(polled.len(), 1);
    let ThirdPartyJob { client_id, job_id } = polled[0].clone();
    let wrong = GetThirdPartyJobDetailsInput {
        job_id: job_id.clone(),
        client_token: "someone-else".into(),
    };
    assert_eq!(
        error_type(sim.get_third_party_job_details(wrong).await),
        "InvalidClientTokenException"
    );
    let details = sim
        .get_third_party_job_details(GetThirdPartyJobDetailsInput {
            job_id: job_id.clone(),
            client_token: client_id.clone(),
        })
        .await
        .unwrap()
        .job_details;
    // The docs: pipelineArn and pipelineExecutionId are not given to third parties.
    assert_eq!(details.data.pipeline_context.pipeline_execution_id, None);
    assert_eq!(details.data.pipeline_context.pipeline_arn, None);
    let ack = AcknowledgeThirdPartyJobInput {
        job_id: job_id.clone(),
        nonce: details.nonce.clone(),
        client_token: client_id.clone(),
    };
    let acked = sim.acknowledge_third_party_job(ack).await.unwrap();
    assert_eq!(acked.status, JobStatus::InProgress);
    // A third-party job is not a job of GetJobDetails.
    let as_job = sim.get_job_details(GetJobDetailsInput {
        job_id: job_id.clone(),
    });
    assert_eq!(error_type(as_job.await), "JobNotFoundException");
    let success = PutThirdPartyJobSuccessResultInput {
        job_id: job_id.clone(),
        client_token: client_id.clone(),
        ..PutThirdPartyJobSuccessResultInput::default()
    };
    sim.put_third_party_job_success_result(success)
        .await
        .unwrap();
    assert_eq!(
        status(&sim, "P", &id).await,
        PipelineExecutionStatus::Succeeded
    );
    let failure = PutThirdPartyJobFailureResultInput {
        job_id,
        client_token: client_id,
        failure_details: FailureDetails {
            failure_type: FailureType::JobFailed,
            message: "late".into(),
            external_execution_id: None,
        },
    };
    assert_eq!(
        error_type(sim.put_third_party_job_failure_result(failure).await),
        "InvalidJobStateException"
    );
}

#[tokio::test]
async fn github_version_one_runs_by_itself_as_aws_runs_it() {
    let sim = sim();
    let mut pipeline = PipelineDeclaration::two_stage_example("P");
    pipeline.stages[0].actions[0] = ActionDeclaration::new(
        "Fetch",
        ActionTypeId::third_party(ActionCategory::Source, "GitHub"),
    )
    .config("Owner", "octo")
    .config("Repo", "app")
    .config("Branch", "main")
    .config("OAuthToken", "t")
    .output("Src");
    create(&sim, pipeline).await;
    start(&sim, "P").await;
    sim.advance(crate::common::ACTION).await;
    assert!(sim.jobs().is_empty(), "AWS's own types post no jobs");
}

#[tokio::test]
async fn a_scenario_file_sets_an_action_to_wait_for_a_job_worker() {
    let pipeline = serde_json::to_value(PipelineDeclaration::two_stage_example("P")).unwrap();
    let scenario = serde_json::json!({
        "virtualTime": true,
        "defaults": {"startOnCreate": false},
        "pipelines": [{
            "pipeline": pipeline,
            "actions": [{"stage": "Deploy", "action": "Ship", "jobWorker": true}],
        }],
    });
    let scenario = pipesim::scenario::Scenario::from_json(&scenario.to_string()).unwrap();
    let sim = scenario
        .configure(Simulator::builder().seed(crate::common::SEED))
        .build();
    scenario.install(&sim).await.unwrap();
    let id = start(&sim, "P").await;
    sim.advance(Duration::from_secs(3600)).await;
    assert_eq!(
        status(&sim, "P", &id).await,
        PipelineExecutionStatus::InProgress
    );
    let jobs = sim.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        (jobs[0].stage_name.as_str(), jobs[0].action_name.as_str()),
        ("Deploy", "Ship")
    );
    sim.put_job_success_result(PutJobSuccessResultInput::new(&jobs[0].job_id))
        .await
        .unwrap();
    assert_eq!(
        status(&sim, "P", &id).await,
        PipelineExecutionStatus::Succeeded
    );
}

#[tokio::test]
async fn set_job_worker_turns_waiting_for_jobs_on_and_off_for_one_action() {
    let sim = sim();
    create(&sim, PipelineDeclaration::two_stage_example("P")).await;
    sim.set_job_worker("P", "Deploy", "Ship", true).unwrap();
    let id = start(&sim, "P").await;
    sim.advance(Duration::from_secs(3600)).await;
    assert_eq!(
        status(&sim, "P", &id).await,
        PipelineExecutionStatus::InProgress
    );
    sim.set_job_worker("P", "Deploy", "Ship", false).unwrap();
    // The run already waiting keeps waiting for its job.
    let waiting = sim.jobs()[0].job_id.clone();
    sim.put_job_success_result(PutJobSuccessResultInput::new(&waiting))
        .await
        .unwrap();
    assert_eq!(
        status(&sim, "P", &id).await,
        PipelineExecutionStatus::Succeeded
    );
    let next = start(&sim, "P").await;
    sim.advance(Duration::from_secs(60)).await;
    assert_eq!(
        status(&sim, "P", &next).await,
        PipelineExecutionStatus::Succeeded
    );
    assert_eq!(
        error_type(sim.set_job_worker("P", "Deploy", "Nope", true)),
        "ActionNotFoundException"
    );
    assert_eq!(
        error_type(sim.set_job_worker("P", "Nope", "Ship", true)),
        "StageNotFoundException"
    );
    assert_eq!(
        error_type(sim.set_job_worker("Q", "Deploy", "Ship", true)),
        "PipelineNotFoundException"
    );
}

#[tokio::test]
async fn a_custom_source_action_fetches_the_revision_its_job_worker_reports() {
    let sim = sim();
    let scm = CreateCustomActionTypeInput::new(
        ActionCategory::Source,
        "MyScm",
        "1",
        ArtifactCounts::new(0, 0),
        ArtifactCounts::new(1, 1),
    );
    let scm_id = scm.id();
    sim.create_custom_action_type(scm).await.unwrap();
    let mut pipeline = PipelineDeclaration::two_stage_example("P");
    pipeline.stages[0].actions[0] = ActionDeclaration::new("Fetch", scm_id.clone()).output("Src");
    create(&sim, pipeline).await;
    let id = start(&sim, "P").await;
    let job = sim
        .poll_for_jobs(PollForJobsInput::new(scm_id))
        .await
        .unwrap()
        .jobs
        .remove(0);
    let mut success = PutJobSuccessResultInput::new(&job.id);
    success.current_revision = Some(CurrentRevision {
        revision: "r-42".into(),
        change_identifier: "change-7".into(),
        created: None,
        revision_summary: None,
    });
    sim.put_job_success_result(success).await.unwrap();
    sim.advance(crate::common::ACTION).await;
    let execution = crate::helpers::execution(&sim, "P", &id).await;
    assert_eq!(execution.status, PipelineExecutionStatus::Succeeded);
    assert_eq!(execution.artifact_revisions[0].revision_id, "r-42");
    let state = sim.get_pipeline_state("P").await.unwrap();
    let fetch = &state.stage_states[0].action_states[0];
    assert_eq!(fetch.current_revision.as_ref().unwrap().revision_id, "r-42");
}
