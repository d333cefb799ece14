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
