//! The shapes that describe an execution, shared by `GetPipelineExecution` and
//! `ListPipelineExecutions`.

use serde::{Deserialize, Serialize};

use super::enums::{ExecutionMode, ExecutionType, PipelineExecutionStatus};
use super::ids::Timestamp;

/// One execution in full.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineExecution {
    /// The pipeline.
    pub pipeline_name: String,
    /// The pipeline version the execution ran.
    pub pipeline_version: i64,
    /// The id.
    pub pipeline_execution_id: String,
    /// The status.
    pub status: PipelineExecutionStatus,
    /// Why it failed or was cancelled, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_summary: Option<String>,
    /// The revision each source action fetched.
    #[serde(default)]
    pub artifact_revisions: Vec<ArtifactRevision>,
    /// Pipeline variables with their resolved values (absent when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variables: Vec<ResolvedPipelineVariable>,
    /// What started it.
    pub trigger: ExecutionTrigger,
    /// The pipeline's execution mode when it started.
    pub execution_mode: ExecutionMode,
    /// `ROLLBACK` for a rollback; absent for a standard execution, as AWS sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_type: Option<ExecutionType>,
    /// For a rollback: the execution it rolled back to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_metadata: Option<PipelineRollbackMetadata>,
}

/// What a rollback execution rolled back to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineRollbackMetadata {
    /// The execution whose revisions the rollback used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_target_pipeline_execution_id: Option<String>,
}

/// A source revision an execution ran with.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactRevision {
    /// The source action's output artifact (else the action's name).
    pub name: String,
    /// The revision: a commit, an S3 version id or an image digest.
    pub revision_id: String,
    /// What the revision is (a commit message, the S3 version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_summary: Option<String>,
    /// When the revision was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    /// Where the revision is shown, for providers that have a page for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_url: Option<String>,
}

/// A variable with the value an execution used.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedPipelineVariable {
    /// The variable.
    pub name: String,
    /// The value used: the start's, else the declared default.
    pub resolved_value: String,
}

/// What started an execution.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionTrigger {
    /// Always `StartPipelineExecution` for executions pipesim starts.
    pub trigger_type: String,
    /// The caller's ARN.
    pub trigger_detail: String,
}

/// One execution in a `ListPipelineExecutions` page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineExecutionSummary {
    /// The id.
    pub pipeline_execution_id: String,
    /// The status.
    pub status: PipelineExecutionStatus,
    /// Why it failed or was cancelled, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_summary: Option<String>,
    /// When it started.
    pub start_time: Timestamp,
    /// When its status last changed.
    pub last_update_time: Timestamp,
    /// The revision each source action fetched.
    #[serde(default)]
    pub source_revisions: Vec<SourceRevision>,
    /// What started it.
    pub trigger: ExecutionTrigger,
    /// Present when it was stopped on request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_trigger: Option<StopExecutionTrigger>,
    /// The pipeline's execution mode when it started.
    pub execution_mode: ExecutionMode,
    /// `ROLLBACK` for a rollback; absent for a standard execution, as AWS sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_type: Option<ExecutionType>,
    /// For a rollback: the execution it rolled back to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_metadata: Option<PipelineRollbackMetadata>,
}

/// A source revision in an execution summary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceRevision {
    /// The source action.
    pub action_name: String,
    /// The revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_id: Option<String>,
    /// What the revision is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_summary: Option<String>,
    /// Where the revision is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_url: Option<String>,
}

/// Why an execution was stopped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StopExecutionTrigger {
    /// The reason given to `StopPipelineExecution`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
