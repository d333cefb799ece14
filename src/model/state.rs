//! The shapes of `GetPipelineState`: where each stage and action stands.

use serde::{Deserialize, Serialize};

use super::enums::{ActionExecutionStatus, ExecutionType, StageExecutionStatus};
use super::ids::Timestamp;

/// One stage in `GetPipelineState`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageState {
    /// The stage.
    pub stage_name: String,
    /// The first execution waiting to enter, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbound_execution: Option<StageExecution>,
    /// Every execution waiting to enter, oldest first (an empty list when none).
    #[serde(default)]
    pub inbound_executions: Vec<StageExecution>,
    /// Whether executions may enter, and who last changed that.
    pub inbound_transition_state: TransitionState,
    /// One entry per action, in declaration order.
    pub action_states: Vec<ActionState>,
    /// The latest execution to enter the stage, with its stage status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_execution: Option<StageExecution>,
    /// How often the stage's latest execution was retried, when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_stage_metadata: Option<RetryStageMetadata>,
    /// The entry condition, for a stage that declares one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_entry_condition_state: Option<StageConditionState>,
    /// The success condition, for a stage that declares one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_success_condition_state: Option<StageConditionState>,
    /// The failure condition, for a stage that declares one with rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure_condition_state: Option<StageConditionState>,
}

/// One kind of condition of a stage: its latest run and its conditions' states.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageConditionState {
    /// The latest run, once there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_execution: Option<StageConditionsExecution>,
    /// One entry per condition (a stage has one of each kind).
    #[serde(default)]
    pub condition_states: Vec<ConditionState>,
}

/// The latest run of a stage's condition of one kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageConditionsExecution {
    /// Its status.
    pub status: ConditionExecutionStatus,
    /// What decided it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// One condition: its latest run and its rules.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionState {
    /// The latest run, once there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_execution: Option<ConditionExecution>,
    /// One entry per rule, in declaration order.
    #[serde(default)]
    pub rule_states: Vec<RuleState>,
}

/// The latest run of one condition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionExecution {
    /// Its status.
    pub status: ConditionExecutionStatus,
    /// What decided it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// When its status last changed.
    pub last_status_change: Timestamp,
}

/// One rule of a condition and its latest run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleState {
    /// The rule.
    pub rule_name: String,
    /// Its latest run, once there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_execution: Option<RuleExecution>,
}

/// One run of a rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleExecution {
    /// The run's id.
    pub rule_execution_id: String,
    /// InProgress, Succeeded, Failed or Abandoned.
    pub status: RuleExecutionStatus,
    /// What the rule found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// When its status last changed.
    pub last_status_change: Timestamp,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_details: Option<ErrorDetails>,
}

/// The status of a rule run: the same four values as an action run's.
pub type RuleExecutionStatus = ActionExecutionStatus;

/// The status of a condition's run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConditionExecutionStatus {
    /// Its rules are running.
    InProgress,
    /// A rule failed.
    Failed,
    /// A rule could not be evaluated.
    Errored,
    /// Every rule succeeded.
    Succeeded,
    /// An update cancelled its execution.
    Cancelled,
    /// Its execution was stopped, or a newer run took its place.
    Abandoned,
    /// `OverrideStageCondition` let the execution go on.
    Overridden,
}

/// The retries of a stage's latest execution.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryStageMetadata {
    /// Automatic retries (an `onFailure` result of `RETRY`): at most 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_stage_retry_attempt: Option<i64>,
    /// Retries made with `RetryStageExecution`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual_stage_retry_attempt: Option<i64>,
    /// `ManualStageRetry` or `AutomatedStageRetry`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_retry_trigger: Option<String>,
}

/// An execution's run of a stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageExecution {
    /// The execution.
    pub pipeline_execution_id: String,
    /// Its status in this stage.
    pub status: StageExecutionStatus,
    /// `ROLLBACK` for a rollback; absent for a standard execution, as AWS sends it.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub execution_type: Option<ExecutionType>,
}

/// Whether a stage's inbound transition is enabled, and who changed it last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransitionState {
    /// False while `DisableStageTransition` holds executions in front of the stage.
    pub enabled: bool,
    /// The reason it was disabled, while it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
    /// Who last disabled or enabled it (absent if nobody ever did).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_changed_by: Option<String>,
    /// When it was last disabled or enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_changed_at: Option<Timestamp>,
}

impl Default for TransitionState {
    fn default() -> Self {
        Self {
            enabled: true,
            disabled_reason: None,
            last_changed_by: None,
            last_changed_at: None,
        }
    }
}

/// One action in `GetPipelineState`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionState {
    /// The action.
    pub action_name: String,
    /// For a source action: the revision its latest run fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_revision: Option<ActionRevision>,
    /// Its latest run, if it has run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_execution: Option<ActionExecution>,
    /// The console page of what the action works on (an approval's
    /// `ExternalEntityLink`, a bucket, repository or project).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_url: Option<String>,
    /// For a source action: the page of its current revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_url: Option<String>,
}

/// The revision a source action's latest run fetched; `PutActionRevision` gives one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionRevision {
    /// The commit, S3 version id or image digest.
    #[serde(default)]
    pub revision_id: String,
    /// What changed to this revision (a deployment id, a timestamp): shown for a
    /// revision `PutActionRevision` gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_change_id: Option<String>,
    /// When the revision was created: shown for a revision `PutActionRevision` gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
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
    /// For a manual approval waiting for its answer: the token `PutApprovalResult`
    /// needs (the action execution's id). Gone once answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Who answered a manual approval (the caller's ARN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated_by: Option<String>,
    /// The provider's id of the run (a source revision, a build id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_execution_id: Option<String>,
    /// The provider's page of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_execution_url: Option<String>,
    /// How far a job worker said the run is (0..100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_complete: Option<i32>,
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
