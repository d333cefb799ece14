//! The input and output shapes of every operation, with the service model's exact
//! camelCase member names. The embedded API and the wire share them.

use serde::{Deserialize, Serialize};

use super::enums::{
    ActionExecutionStatus, ApprovalStatus, ExecutionMode, ExecutionType, PipelineExecutionStatus,
    PipelineType, SourceRevisionType, StageExecutionStatus,
};
use super::ids::Timestamp;
use super::pipeline::{PipelineDeclaration, Tag};

/// Declares [`Operation`] from the list of operation names.
macro_rules! operations {
    ($($op:ident),+ $(,)?) => {
        /// Every CodePipeline operation pipesim serves, by its name in the service model
        /// (the part of `X-Amz-Target` after `CodePipeline_20150709.`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Operation {
            $(#[doc = concat!("`", stringify!($op), "`.")] $op,)+
        }

        impl Operation {
            /// Every operation, in the order of the service model's documentation.
            pub const ALL: &'static [Operation] = &[$(Operation::$op,)+];

            /// The operation's name, as in `X-Amz-Target`.
            pub fn name(self) -> &'static str {
                match self { $(Operation::$op => stringify!($op),)+ }
            }

            /// The operation of that exact name, if pipesim serves it.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $(stringify!($op) => Some(Operation::$op),)+ _ => None }
            }
        }
    };
}

operations!(
    CreatePipeline,
    GetPipeline,
    UpdatePipeline,
    DeletePipeline,
    ListPipelines,
    StartPipelineExecution,
    StopPipelineExecution,
    GetPipelineExecution,
    ListPipelineExecutions,
    GetPipelineState,
    PutApprovalResult,
    ListTagsForResource,
    TagResource,
    UntagResource,
);

impl Operation {
    /// The errors the service model lists for this operation, by shape name.
    pub fn modeled_errors(self) -> &'static [&'static str] {
        const PIPELINE: &[&str] = &[
            "ValidationException",
            "PipelineNameInUseException",
            "InvalidStageDeclarationException",
            "InvalidActionDeclarationException",
            "InvalidBlockerDeclarationException",
            "InvalidStructureException",
            "LimitExceededException",
            "TooManyTagsException",
            "InvalidTagsException",
            "ConcurrentModificationException",
        ];
        match self {
            Operation::CreatePipeline => PIPELINE,
            Operation::UpdatePipeline => &PIPELINE[..7],
            Operation::GetPipeline => &[
                "ValidationException",
                "PipelineNotFoundException",
                "PipelineVersionNotFoundException",
            ],
            Operation::DeletePipeline => {
                &["ValidationException", "ConcurrentModificationException"]
            }
            Operation::ListPipelines => &["ValidationException", "InvalidNextTokenException"],
            Operation::StartPipelineExecution => &[
                "ValidationException",
                "ConflictException",
                "PipelineNotFoundException",
                "ConcurrentPipelineExecutionsLimitExceededException",
            ],
            Operation::StopPipelineExecution => &[
                "ValidationException",
                "ConflictException",
                "PipelineNotFoundException",
                "PipelineExecutionNotStoppableException",
                "DuplicatedStopRequestException",
            ],
            Operation::GetPipelineExecution => &[
                "ValidationException",
                "PipelineNotFoundException",
                "PipelineExecutionNotFoundException",
            ],
            Operation::ListPipelineExecutions => &[
                "ValidationException",
                "PipelineNotFoundException",
                "InvalidNextTokenException",
            ],
            Operation::GetPipelineState => &["ValidationException", "PipelineNotFoundException"],
            Operation::PutApprovalResult => &[
                "InvalidApprovalTokenException",
                "ApprovalAlreadyCompletedException",
                "PipelineNotFoundException",
                "StageNotFoundException",
                "ActionNotFoundException",
                "ValidationException",
            ],
            Operation::ListTagsForResource => &[
                "ValidationException",
                "ResourceNotFoundException",
                "InvalidNextTokenException",
                "InvalidArnException",
            ],
            Operation::TagResource => &[
                "ValidationException",
                "ResourceNotFoundException",
                "InvalidArnException",
                "TooManyTagsException",
                "InvalidTagsException",
                "ConcurrentModificationException",
            ],
            Operation::UntagResource => &[
                "ValidationException",
                "ResourceNotFoundException",
                "InvalidArnException",
                "InvalidTagsException",
                "ConcurrentModificationException",
            ],
        }
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `CreatePipeline` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePipelineInput {
    /// The pipeline to create.
    #[serde(default)]
    pub pipeline: PipelineDeclaration,
    /// At most 50 tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl CreatePipelineInput {
    /// Creates `pipeline` with no tags.
    pub fn new(pipeline: PipelineDeclaration) -> Self {
        Self {
            pipeline,
            tags: Vec::new(),
        }
    }
}

/// `CreatePipeline` output: the stored declaration (with `version` 1) and the tags.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePipelineOutput {
    /// The declaration as stored.
    pub pipeline: PipelineDeclaration,
    /// The tags as stored.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// `GetPipeline` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPipelineInput {
    /// The pipeline.
    #[serde(default)]
    pub name: String,
    /// A past version; the current one when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// `GetPipeline` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPipelineOutput {
    /// The declaration of the requested version.
    pub pipeline: PipelineDeclaration,
    /// ARN and timestamps.
    pub metadata: PipelineMetadata,
}

/// Facts about a pipeline that are not part of its declaration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineMetadata {
    /// `arn:aws:codepipeline:<region>:<account>:<name>`.
    pub pipeline_arn: String,
    /// When the pipeline was created.
    pub created: Timestamp,
    /// When it was last updated.
    pub updated: Timestamp,
}

/// `UpdatePipeline` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdatePipelineInput {
    /// The new declaration; its name picks the pipeline.
    #[serde(default)]
    pub pipeline: PipelineDeclaration,
}

/// `UpdatePipeline` output: the stored declaration with its new version.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdatePipelineOutput {
    /// The declaration as stored.
    pub pipeline: PipelineDeclaration,
}

/// `DeletePipeline` input (the output is empty).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletePipelineInput {
    /// The pipeline.
    #[serde(default)]
    pub name: String,
}

/// `ListPipelines` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPipelinesInput {
    /// From a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// 1..1000; 100 when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
}

/// `ListPipelines` output, sorted by name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPipelinesOutput {
    /// This page.
    pub pipelines: Vec<PipelineSummary>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// One pipeline in a `ListPipelines` page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineSummary {
    /// The name.
    pub name: String,
    /// The current version.
    pub version: i64,
    /// V1 or V2.
    pub pipeline_type: PipelineType,
    /// The execution mode.
    pub execution_mode: ExecutionMode,
    /// When created.
    pub created: Timestamp,
    /// When last updated.
    pub updated: Timestamp,
}

/// `StartPipelineExecution` input. Only `name` is required.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartPipelineExecutionInput {
    /// The pipeline.
    #[serde(default)]
    pub name: String,
    /// 1..50 variable values, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<Vec<PipelineVariable>>,
    /// Idempotency token: 1..128 of `[a-zA-Z0-9-]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<String>,
    /// Source revision overrides, at most 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_revisions: Option<Vec<SourceRevisionOverride>>,
}

impl StartPipelineExecutionInput {
    /// Starts pipeline `name` with no token, variables or overrides.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// The same start with an idempotency token.
    pub fn client_request_token(mut self, token: impl Into<String>) -> Self {
        self.client_request_token = Some(token.into());
        self
    }

    /// The same start setting one more variable.
    pub fn variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.variables
            .get_or_insert_with(Vec::new)
            .push(PipelineVariable {
                name: name.into(),
                value: value.into(),
            });
        self
    }

    /// The same start with one more source revision override.
    pub fn source_revision(
        mut self,
        action_name: impl Into<String>,
        revision_type: SourceRevisionType,
        revision_value: impl Into<String>,
    ) -> Self {
        self.source_revisions
            .get_or_insert_with(Vec::new)
            .push(SourceRevisionOverride {
                action_name: action_name.into(),
                revision_type,
                revision_value: revision_value.into(),
            });
        self
    }
}

/// A variable value given to a start.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PipelineVariable {
    /// A declared variable's name.
    #[serde(default)]
    pub name: String,
    /// 1..1000 characters.
    #[serde(default)]
    pub value: String,
}

/// Runs a source action at a given revision instead of the latest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceRevisionOverride {
    /// A source action of the pipeline.
    #[serde(default)]
    pub action_name: String,
    /// What kind of revision `revision_value` is.
    #[serde(default)]
    pub revision_type: SourceRevisionType,
    /// 1..1500 characters.
    #[serde(default)]
    pub revision_value: String,
}

/// `StartPipelineExecution` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartPipelineExecutionOutput {
    /// A lowercase v4 UUID.
    pub pipeline_execution_id: String,
}

/// `StopPipelineExecution` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StopPipelineExecutionInput {
    /// The pipeline.
    #[serde(default)]
    pub pipeline_name: String,
    /// The execution to stop.
    #[serde(default)]
    pub pipeline_execution_id: String,
    /// Abandon in-progress actions instead of letting them finish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abandon: Option<bool>,
    /// At most 200 characters; reported as `stopTrigger.reason`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl StopPipelineExecutionInput {
    /// Stop-and-wait of one execution.
    pub fn new(pipeline_name: impl Into<String>, pipeline_execution_id: impl Into<String>) -> Self {
        Self {
            pipeline_name: pipeline_name.into(),
            pipeline_execution_id: pipeline_execution_id.into(),
            ..Self::default()
        }
    }

    /// The same stop, abandoning in-progress actions.
    pub fn abandon(mut self) -> Self {
        self.abandon = Some(true);
        self
    }

    /// The same stop with a reason.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

/// `StopPipelineExecution` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StopPipelineExecutionOutput {
    /// The execution being stopped.
    pub pipeline_execution_id: String,
}

/// `GetPipelineExecution` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPipelineExecutionInput {
    /// The pipeline.
    #[serde(default)]
    pub pipeline_name: String,
    /// The execution.
    #[serde(default)]
    pub pipeline_execution_id: String,
}

/// `GetPipelineExecution` output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPipelineExecutionOutput {
    /// The execution.
    pub pipeline_execution: PipelineExecution,
}

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
    /// Source revisions the execution ran with.
    #[serde(default)]
    pub artifact_revisions: Vec<ArtifactRevision>,
    /// Pipeline variables with their resolved values.
    #[serde(default)]
    pub variables: Vec<ResolvedPipelineVariable>,
    /// What started it.
    pub trigger: ExecutionTrigger,
    /// The pipeline's execution mode when it started.
    pub execution_mode: ExecutionMode,
    /// Always STANDARD.
    pub execution_type: ExecutionType,
}

/// A source revision an execution ran with.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactRevision {
    /// The artifact (the source action's output artifact, else the action's name).
    pub name: String,
    /// The revision.
    pub revision_id: String,
    /// The override's revision type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_summary: Option<String>,
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

/// `ListPipelineExecutions` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPipelineExecutionsInput {
    /// The pipeline.
    #[serde(default)]
    pub pipeline_name: String,
    /// 1..100; 100 when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
    /// From a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Not supported by pipesim: a start with a filter is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<serde_json::Value>,
}

impl ListPipelineExecutionsInput {
    /// The first page of `pipeline_name`'s executions.
    pub fn new(pipeline_name: impl Into<String>) -> Self {
        Self {
            pipeline_name: pipeline_name.into(),
            ..Self::default()
        }
    }
}

/// `ListPipelineExecutions` output, newest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPipelineExecutionsOutput {
    /// This page.
    pub pipeline_execution_summaries: Vec<PipelineExecutionSummary>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
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
    /// The source revision overrides it ran with.
    #[serde(default)]
    pub source_revisions: Vec<SourceRevision>,
    /// What started it.
    pub trigger: ExecutionTrigger,
    /// Present when it was stopped on request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_trigger: Option<StopExecutionTrigger>,
    /// The pipeline's execution mode when it started.
    pub execution_mode: ExecutionMode,
    /// Always STANDARD.
    pub execution_type: ExecutionType,
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
    /// The revision type of the override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_summary: Option<String>,
}

/// Why an execution was stopped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StopExecutionTrigger {
    /// The reason given to `StopPipelineExecution`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `GetPipelineState` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPipelineStateInput {
    /// The pipeline.
    #[serde(default)]
    pub name: String,
}

/// `GetPipelineState` output: where every stage and action stands now.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPipelineStateOutput {
    /// The pipeline.
    pub pipeline_name: String,
    /// Its current version.
    pub pipeline_version: i64,
    /// One entry per stage, in order.
    pub stage_states: Vec<StageState>,
    /// When the pipeline was created.
    pub created: Timestamp,
    /// When it was last updated.
    pub updated: Timestamp,
}

/// One stage in `GetPipelineState`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageState {
    /// The stage.
    pub stage_name: String,
    /// The first execution waiting to enter, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbound_execution: Option<StageExecution>,
    /// Every execution waiting to enter, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inbound_executions: Vec<StageExecution>,
    /// Transitions are always enabled in pipesim.
    pub inbound_transition_state: TransitionState,
    /// One entry per action, in declaration order.
    pub action_states: Vec<ActionState>,
    /// The latest execution to enter the stage, with its stage status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_execution: Option<StageExecution>,
}

/// An execution's run of a stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageExecution {
    /// The execution.
    pub pipeline_execution_id: String,
    /// Its status in this stage.
    pub status: StageExecutionStatus,
    /// Always STANDARD.
    #[serde(rename = "type")]
    pub execution_type: ExecutionType,
}

/// Whether a stage's inbound transition is enabled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransitionState {
    /// Always true in pipesim.
    pub enabled: bool,
}

impl Default for TransitionState {
    fn default() -> Self {
        Self { enabled: true }
    }
}

/// One action in `GetPipelineState`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionState {
    /// The action.
    pub action_name: String,
    /// Its latest run, if it has run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_execution: Option<ActionExecution>,
}

/// The latest run of an action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionExecution {
    /// A UUID per run.
    pub action_execution_id: String,
    /// The status.
    pub status: ActionExecutionStatus,
    /// The approval summary, or why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// When the status last changed.
    pub last_status_change: Timestamp,
    /// For a manual approval: the token `PutApprovalResult` needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_details: Option<ErrorDetails>,
}

/// Why an action failed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetails {
    /// A short code.
    pub code: String,
    /// A sentence.
    pub message: String,
}

/// `PutApprovalResult` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutApprovalResultInput {
    /// The pipeline.
    #[serde(default)]
    pub pipeline_name: String,
    /// The stage holding the approval.
    #[serde(default)]
    pub stage_name: String,
    /// The approval action.
    #[serde(default)]
    pub action_name: String,
    /// The answer.
    #[serde(default)]
    pub result: ApprovalResult,
    /// The token from `GetPipelineState`.
    #[serde(default)]
    pub token: String,
}

/// A reviewer's answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalResult {
    /// 0..512 characters.
    #[serde(default)]
    pub summary: String,
    /// Approved or Rejected.
    #[serde(default)]
    pub status: ApprovalStatus,
}

/// `PutApprovalResult` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutApprovalResultOutput {
    /// When the answer was recorded.
    pub approved_at: Timestamp,
}

/// `ListTagsForResource` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTagsForResourceInput {
    /// The pipeline's ARN, `arn:aws:codepipeline:<region>:<account>:<name>`.
    #[serde(default)]
    pub resource_arn: String,
    /// Never issued: every tag fits in one page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// 1..=100; accepted and ignored, as every tag fits in one page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
}

/// `ListTagsForResource` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTagsForResourceOutput {
    /// The resource's tags, in the order they were first set.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Never set: every tag fits in one page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `TagResource` input: adds tags, replacing the value of keys already set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagResourceInput {
    /// The pipeline's ARN.
    #[serde(default)]
    pub resource_arn: String,
    /// The tags to add or change.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// `TagResource` output: no members.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagResourceOutput {}

/// `UntagResource` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UntagResourceInput {
    /// The pipeline's ARN.
    #[serde(default)]
    pub resource_arn: String,
    /// The keys to remove; keys that are not set are ignored.
    #[serde(default)]
    pub tag_keys: Vec<String>,
}

/// `UntagResource` output: no members.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UntagResourceOutput {}

/// Conversions so that simple calls read simply: `sim.get_pipeline("P")`,
/// `sim.get_pipeline_execution(("P", &id))`, `sim.create_pipeline(declaration)`.
mod conversions {
    use super::*;

    macro_rules! from_name {
        ($($input:ident . $field:ident),+) => {$(
            impl From<&str> for $input {
                // Some of these inputs have no other member to default.
                #[allow(clippy::needless_update)]
                fn from(name: &str) -> Self {
                    Self { $field: name.to_owned(), ..Self::default() }
                }
            }
        )+};
    }

    from_name!(
        StartPipelineExecutionInput.name,
        GetPipelineInput.name,
        DeletePipelineInput.name,
        GetPipelineStateInput.name,
        ListPipelineExecutionsInput.pipeline_name,
        ListTagsForResourceInput.resource_arn
    );

    impl From<(&str, &str)> for GetPipelineExecutionInput {
        fn from((pipeline_name, pipeline_execution_id): (&str, &str)) -> Self {
            Self {
                pipeline_name: pipeline_name.to_owned(),
                pipeline_execution_id: pipeline_execution_id.to_owned(),
            }
        }
    }

    impl From<(&str, &str)> for StopPipelineExecutionInput {
        fn from((pipeline_name, pipeline_execution_id): (&str, &str)) -> Self {
            Self::new(pipeline_name, pipeline_execution_id)
        }
    }

    impl From<PipelineDeclaration> for CreatePipelineInput {
        fn from(pipeline: PipelineDeclaration) -> Self {
            Self::new(pipeline)
        }
    }

    impl From<PipelineDeclaration> for UpdatePipelineInput {
        fn from(pipeline: PipelineDeclaration) -> Self {
            Self { pipeline }
        }
    }
}
