//! The shapes of jobs: what a job worker polls, acknowledges and reports on.
//!
//! A job is one run of an action that something outside CodePipeline finishes: a job
//! worker of a custom action type (the Jenkins and TeamCity plugins, in-house runners), a
//! third-party integration, or a Lambda function an invoke action called. The operations
//! that hand jobs out and take their results live in `crate::ops::jobs`; the board that
//! keeps them in `crate::service::jobs`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::enums::FailureType;
use super::pipeline::ActionTypeId;
use super::validate::Violations;

/// A job as `PollForJobs` hands it out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    /// The job's id, a UUID.
    pub id: String,
    /// What the job is to do.
    pub data: JobData,
    /// What `AcknowledgeJob` must send back.
    pub nonce: String,
    /// The account the pipeline belongs to.
    pub account_id: String,
}

/// A job as `GetJobDetails` shows it: a [`Job`] without its nonce.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobDetails {
    /// The job's id.
    pub id: String,
    /// What the job is to do.
    pub data: JobData,
    /// The account the pipeline belongs to.
    pub account_id: String,
}

/// A third-party job as `PollForThirdPartyJobs` hands it out: only its ids.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThirdPartyJob {
    /// The id the partner's client knows the job by, a UUID.
    pub client_id: String,
    /// The job's id.
    pub job_id: String,
}

/// A third-party job as `GetThirdPartyJobDetails` shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThirdPartyJobDetails {
    /// The job's id.
    pub id: String,
    /// What the job is to do (the service model's `ThirdPartyJobData`, the same members).
    pub data: JobData,
    /// What `AcknowledgeThirdPartyJob` must send back.
    pub nonce: String,
}

/// What a job is to do: the action, its configuration and artifacts, and where it runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobData {
    /// The action's type.
    pub action_type_id: ActionTypeId,
    /// The action's configuration, with variable references resolved.
    pub action_configuration: ActionConfiguration,
    /// The pipeline, stage, action and execution the job belongs to.
    pub pipeline_context: PipelineContext,
    /// The artifacts the action reads.
    pub input_artifacts: Vec<Artifact>,
    /// The artifacts the action writes.
    pub output_artifacts: Vec<Artifact>,
    /// Credentials for the artifact bucket (simulated).
    pub artifact_credentials: AwsSessionCredentials,
    /// The token an earlier job of the same run left with `PutJobSuccessResult`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
    /// The artifact store's encryption key, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_key: Option<serde_json::Value>,
}

/// The service model's `ActionConfiguration`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ActionConfiguration {
    /// The configuration map.
    pub configuration: BTreeMap<String, String>,
}

/// Where a job belongs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineContext {
    /// The pipeline's name.
    pub pipeline_name: String,
    /// The stage.
    pub stage: StageContext,
    /// The action, with the id of this run of it.
    pub action: ActionContext,
    /// The pipeline's ARN; not given to third-party jobs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_arn: Option<String>,
    /// The execution the action runs in; not given to third-party jobs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_execution_id: Option<String>,
}

/// The service model's `StageContext`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageContext {
    /// The stage's name.
    pub name: String,
}

/// The service model's `ActionContext`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionContext {
    /// The action's name.
    pub name: String,
    /// The id of this run of the action (as `ListActionExecutions` shows it).
    pub action_execution_id: String,
}

/// One artifact of a job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    /// The artifact's name in the pipeline.
    pub name: String,
    /// Its revision, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Where it is stored.
    pub location: ArtifactLocation,
}

/// The service model's `ArtifactLocation`: always S3.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    /// `S3`.
    #[serde(rename = "type")]
    pub location_type: String,
    /// The bucket and key.
    pub s3_location: S3ArtifactLocation,
}

/// The service model's `S3ArtifactLocation`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct S3ArtifactLocation {
    /// The pipeline's artifact bucket.
    pub bucket_name: String,
    /// The artifact's key in it.
    pub object_key: String,
}

/// The service model's `AWSSessionCredentials`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsSessionCredentials {
    /// An access key id.
    pub access_key_id: String,
    /// Its secret.
    pub secret_access_key: String,
    /// Its session token.
    pub session_token: String,
}

/// What a worker reports of a job's run: shown on the action while it runs and after.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionDetails {
    /// 1..2048 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The worker's own id of the run, 1..1500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_execution_id: Option<String>,
    /// 0..100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_complete: Option<i32>,
}

impl ExecutionDetails {
    pub(crate) fn check(&self, path: &str, v: &mut Violations) {
        if let Some(summary) = &self.summary {
            v.length(&format!("{path}.summary"), summary, 1, 2048);
        }
        if let Some(id) = &self.external_execution_id {
            v.length(&format!("{path}.externalExecutionId"), id, 1, 1500);
        }
        if let Some(percent) = self.percent_complete {
            v.range(
                &format!("{path}.percentComplete"),
                i64::from(percent),
                0,
                100,
            );
        }
    }
}

/// Why a worker failed a job.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureDetails {
    /// The kind of failure; it becomes the action's `errorDetails.code`.
    #[serde(rename = "type")]
    pub failure_type: FailureType,
    /// 1..5000 characters; it becomes the action's `errorDetails.message`.
    #[serde(default)]
    pub message: String,
    /// The worker's own id of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_execution_id: Option<String>,
}

impl FailureDetails {
    pub(crate) fn check(&self, path: &str, v: &mut Violations) {
        v.enumeration(&format!("{path}.type"), &self.failure_type);
        v.length(&format!("{path}.message"), &self.message, 1, 5000);
        if let Some(id) = &self.external_execution_id {
            v.length(&format!("{path}.externalExecutionId"), id, 1, 1500);
        }
    }
}

/// The revision a source job worker found (`PutJobSuccessResult.currentRevision`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrentRevision {
    /// 1..1500 characters.
    #[serde(default)]
    pub revision: String,
    /// 1..100 characters.
    #[serde(default)]
    pub change_identifier: String,
    /// When the revision was made, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<f64>,
    /// 1..2048 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_summary: Option<String>,
}

impl CurrentRevision {
    pub(crate) fn check(&self, path: &str, v: &mut Violations) {
        v.length(&format!("{path}.revision"), &self.revision, 1, 1500);
        v.length(
            &format!("{path}.changeIdentifier"),
            &self.change_identifier,
            1,
            100,
        );
        if let Some(summary) = &self.revision_summary {
            v.length(&format!("{path}.revisionSummary"), summary, 1, 2048);
        }
    }
}
