//! What the journal records: one [`Record`] per state-changing call.

use serde::{Deserialize, Serialize};

use crate::engine::behaviour::{ActionBehaviour, ActionResult, PipelineSettings};
use crate::engine::{EngineConfig, Timer};
use crate::faults::{FaultRule, RateLimit};
use crate::model::{
    PipelineDeclaration, PutApprovalResultInput, StartPipelineExecutionInput,
    StopPipelineExecutionInput, Tag,
};

/// The settings a journal can only be replayed under: the first record of every file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Header {
    pub(crate) format: u32,
    pub(crate) seed: u64,
    pub(crate) virtual_time: bool,
    pub(crate) config: EngineConfig,
    pub(crate) max_pipelines: usize,
}

/// One incarnation of one pipeline: a pipeline deleted and created again under its
/// name is another incarnation, and late calls on the old one must not reach the new.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) struct Key {
    pub(crate) account: String,
    pub(crate) region: String,
    pub(crate) name: String,
    pub(crate) incarnation: u64,
}

/// One state-changing call, with the simulated moment (`at`, epoch milliseconds) it
/// happened at. Calls that failed validation changed nothing and are not recorded;
/// calls that reached an engine are, whatever they answered, so replay makes exactly
/// the engine calls the live run made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub(crate) enum Record {
    Header(Header),
    Create {
        key: Key,
        at: u64,
        pipeline: PipelineDeclaration,
        tags: Vec<Tag>,
    },
    Update {
        key: Key,
        at: u64,
        pipeline: PipelineDeclaration,
    },
    Delete {
        key: Key,
    },
    Start {
        key: Key,
        at: u64,
        input: StartPipelineExecutionInput,
    },
    Stop {
        key: Key,
        at: u64,
        input: StopPipelineExecutionInput,
    },
    Approve {
        key: Key,
        at: u64,
        input: PutApprovalResultInput,
    },
    /// A timer moved an execution.
    Fire {
        key: Key,
        at: u64,
        timer: Timer,
    },
    FinishAction {
        key: Key,
        at: u64,
        execution_id: String,
        stage: String,
        action: String,
        result: ActionResult,
    },
    Configure {
        key: Key,
        settings: SettingsRecord,
    },
    /// The pipeline's whole tag list after a `TagResource` or `UntagResource`.
    Tags {
        key: Key,
        tags: Vec<Tag>,
    },
    AddFault {
        at: u64,
        rule: FaultRule,
    },
    RemoveFault {
        id: String,
    },
    ClearFaults,
    AddRateLimit {
        limit: RateLimit,
    },
    RemoveRateLimit {
        id: String,
    },
    ClearRateLimits,
    Reset,
    /// Virtual time moved to `at`.
    Clock {
        at: u64,
    },
}

/// [`PipelineSettings`] in a form JSON can hold (its per-action map has pair keys).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SettingsRecord {
    max_concurrent_executions: Option<u32>,
    actions: ActionBehaviour,
    per_action: Vec<(String, String, ActionBehaviour)>,
}

impl From<&PipelineSettings> for SettingsRecord {
    fn from(settings: &PipelineSettings) -> Self {
        let mut per_action: Vec<_> = settings
            .per_action
            .iter()
            .map(|((stage, action), behaviour)| (stage.clone(), action.clone(), *behaviour))
            .collect();
        per_action.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        Self {
            max_concurrent_executions: settings.max_concurrent_executions,
            actions: settings.actions,
            per_action,
        }
    }
}

impl From<SettingsRecord> for PipelineSettings {
    fn from(record: SettingsRecord) -> Self {
        PipelineSettings {
            max_concurrent_executions: record.max_concurrent_executions,
            actions: record.actions,
            per_action: record
                .per_action
                .into_iter()
                .map(|(stage, action, behaviour)| ((stage, action), behaviour))
                .collect(),
        }
    }
}
