//! What the journal records: one [`Record`] per state-changing call.

use serde::{Deserialize, Serialize};

use crate::engine::behaviour::{ActionEnd, ActionResult, PipelineSettings};
use crate::engine::saved::Saved;
use crate::engine::{EngineConfig, Timer};
use crate::faults::{FaultRule, RateLimit, SavedFaults};
use crate::model::Tag;

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
/// calls that reached what they change are, whatever they answered, so replay makes
/// exactly the changes the live run made.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub(crate) enum Record {
    Header(Header),
    /// A call of the CodePipeline API: its operation's name and input, replayed through
    /// the operation's own `apply`. Written in the compact form (`compact.rs`) from
    /// borrowed input by the service's call path, never from this owned form; read as
    /// JSON too, from files of format 3.
    #[serde(skip_serializing)]
    Call {
        operation: String,
        account: String,
        region: String,
        /// The incarnation of the pipeline the call changed (created, for a create).
        incarnation: u64,
        at: u64,
        input: serde_json::Value,
        /// What the live call chose, for a change that depended on a choice.
        #[serde(default)]
        choice: Option<serde_json::Value>,
    },
    /// Everything the simulator held when the file was compacted; the records after it
    /// apply on top. Written through [`SNAPSHOT_OP`] from borrowed state, never from
    /// this owned form.
    #[serde(skip_serializing)]
    Snapshot {
        snapshot: Box<Snapshot>,
    },
    /// A timer moved an execution. Written in the compact form (`compact.rs`), never as
    /// JSON; read as JSON too, from files of format 3.
    #[serde(skip_serializing)]
    Fire {
        key: Key,
        at: u64,
        timer: Timer,
    },
    /// A harness finished or held a running action (or, with `rule`, a rule of the
    /// condition being checked, named by `action`); `code` and `message` are the failure
    /// or summary it gave.
    FinishAction {
        key: Key,
        at: u64,
        execution_id: String,
        stage: String,
        action: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        rule: bool,
        result: ActionResult,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// A harness scripted how the next runs of an action (or, with `rule`, a rule) end.
    ScriptAction {
        key: Key,
        stage: String,
        action: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        rule: bool,
        runs: Vec<ActionEnd>,
    },
    /// A simulated git event reached one pipeline (`service::git`: one record per
    /// pipeline it reached), replayed through the same engine call.
    GitEvent {
        key: Key,
        at: u64,
        event: crate::model::GitEvent,
    },
    Configure {
        key: Key,
        settings: PipelineSettings,
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
    /// A delivery to webhook `webhook` reached its target pipeline (the key): it started
    /// an execution there, unless the pipeline's limit refused it, and set the webhook's
    /// `lastTriggered` when it did (`service::webhooks`).
    WebhookDelivered {
        key: Key,
        at: u64,
        webhook: String,
    },
    /// A harness registered an action type for an account and region as its owner.
    RegisterActionType {
        account: String,
        region: String,
        declaration: Box<crate::model::action_types::ActionTypeDeclaration>,
    },
    /// Virtual time moved to `at`.
    Clock {
        at: u64,
    },
}

/// The `op` of a snapshot record.
pub(crate) const SNAPSHOT_OP: &str = "snapshot";

/// Everything a simulator holds, read back from a snapshot's records.
///
/// A snapshot is written as consecutive records, each a chunk small enough for one
/// frame: chunk 0 holds the clock, the fault rules and every scope without its
/// pipelines; the chunks after it hold the pipelines, scope by scope, in order; the
/// last (`last`) also holds the timers. A snapshot of format 3 before chunks was one
/// record holding everything: chunk 0 and last.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Snapshot {
    /// The simulated time, epoch milliseconds.
    pub(crate) now: u64,
    /// Which chunk of the snapshot this is.
    #[serde(default)]
    pub(crate) chunk: u64,
    /// Whether it is the snapshot's last chunk.
    #[serde(default = "last_by_default")]
    pub(crate) last: bool,
    pub(crate) scopes: Vec<ScopeSnapshot>,
    /// The fault rules and rate limits (in chunk 0 only).
    #[serde(default)]
    pub(crate) faults: Option<SavedFaults>,
    /// Every timer waiting, in the order they fire.
    #[serde(default)]
    pub(crate) timers: Vec<SavedTimer>,
}

fn last_by_default() -> bool {
    true
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("now", &self.now)
            .field("chunk", &self.chunk)
            .field("last", &self.last)
            .field("scopes", &self.scopes.len())
            .field("timers", &self.timers.len())
            .finish_non_exhaustive()
    }
}

/// The pipelines of one account and region.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ScopeSnapshot {
    pub(crate) account: String,
    pub(crate) region: String,
    /// How often each name was created: the incarnation counter (in chunk 0 only).
    #[serde(default)]
    pub(crate) registry: Vec<(String, u64)>,
    pub(crate) pipelines: Vec<PipelineSnapshot>,
    /// What the scope holds besides pipelines, part by part (`service::scope_parts`).
    #[serde(default)]
    pub(crate) parts: crate::service::scope_parts::SavedParts,
}

/// One pipeline.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PipelineSnapshot {
    pub(crate) name: String,
    pub(crate) incarnation: u64,
    pub(crate) tags: Vec<Tag>,
    pub(crate) engine: Saved,
}

/// One waiting timer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct SavedTimer {
    pub(crate) key: Key,
    pub(crate) due: u64,
    pub(crate) timer: Timer,
}
