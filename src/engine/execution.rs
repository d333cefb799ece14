//! One execution's record, kept small because history holds many of them.
//!
//! A finished execution is an [`Execution`] with no [`Run`]: a few dozen bytes plus
//! [`Details`] only when it had variables, overrides, a stop or a failure. Everything
//! needed only while it runs lives in the boxed [`Run`] and is freed when it ends.

use uuid::Uuid;

use crate::model::{
    ActionExecutionStatus, ExecutionId, PipelineExecutionStatus, ResolvedPipelineVariable,
    SourceRevisionOverride, StopExecutionTrigger, Timestamp,
};

use super::behaviour::ActionEnd;
use super::plan::{CondKind, Mode};

/// One execution, running or finished.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Execution {
    pub(crate) id: ExecutionId,
    pub(crate) started: Timestamp,
    pub(crate) updated: Timestamp,
    pub(crate) version: u32,
    pub(crate) status: PipelineExecutionStatus,
    pub(crate) mode: Mode,
    #[serde(default)]
    pub(crate) trigger: Trigger,
    /// How many stages it ran to success (a pipeline has at most 50).
    #[serde(default)]
    pub(crate) passed: u8,
    pub(crate) details: Option<Box<Details>>,
    /// Present exactly while the execution is active (InProgress or Stopping).
    pub(crate) run: Option<Box<Run>>,
}

/// What started an execution: its `trigger.triggerType`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum Trigger {
    /// A call of `StartPipelineExecution`.
    #[default]
    StartPipelineExecution,
    /// The execution AWS starts by itself after `CreatePipeline`.
    CreatePipeline,
    /// A call of `RollbackStage`.
    ManualRollback,
    /// A stage condition's `ROLLBACK` result.
    AutomatedRollback,
    /// A git event a trigger (or a connection's default change detection) took.
    WebhookV2,
    /// A call of `PutActionRevision` with a new revision.
    PutActionRevision,
    /// A delivery to a webhook (GitHub version 1 source actions).
    Webhook,
}

impl Trigger {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Trigger::StartPipelineExecution => "StartPipelineExecution",
            Trigger::CreatePipeline => "CreatePipeline",
            Trigger::ManualRollback => "ManualRollback",
            Trigger::AutomatedRollback => "AutomatedRollback",
            Trigger::WebhookV2 => "WebhookV2",
            Trigger::PutActionRevision => "PutActionRevision",
            Trigger::Webhook => "Webhook",
        }
    }
}

/// What only some executions have.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Details {
    pub(crate) variables: Vec<ResolvedPipelineVariable>,
    /// The source revisions the start named; the other source actions' revisions are
    /// derived from the execution's id when shown.
    pub(crate) overrides: Vec<SourceRevisionOverride>,
    pub(crate) stop_trigger: Option<StopExecutionTrigger>,
    pub(crate) status_summary: Option<String>,
    /// For a rollback: the stage it runs and the execution whose revisions it uses.
    #[serde(default)]
    pub(crate) rollback: Option<Rollback>,
    /// For a start by a git event: the message of the commit its overrides name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) commit_message: Option<String>,
    /// `trigger.triggerDetail` when it is not the caller's ARN: a git event's connection,
    /// a webhook's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) trigger_detail: Option<String>,
    /// The revision `PutActionRevision` gave a source action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) put_revision: Option<super::external::PutRevision>,
}

/// What a rollback execution rolls back to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Rollback {
    /// The one stage it runs.
    pub(crate) stage: u8,
    /// The execution that succeeded in that stage, whose revisions and variables it uses.
    pub(crate) target: ExecutionId,
}

impl Execution {
    /// The rollback this execution is, if it is one.
    pub(crate) fn rollback(&self) -> Option<Rollback> {
        self.details.as_deref()?.rollback
    }

    /// The execution whose source revisions it uses: a rollback's target, else itself.
    pub(crate) fn fetched_by(&self) -> ExecutionId {
        self.rollback().map_or(self.id, |r| r.target)
    }

    /// Whether it ran stage `stage` to success.
    pub(crate) fn succeeded_in(&self, stage: usize) -> bool {
        let first = self.rollback().map_or(0, |r| usize::from(r.stage));
        (first..first + usize::from(self.passed)).contains(&stage)
    }
}

/// Where a running execution is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum Position {
    /// In front of `stage`, waiting for its lock.
    Waiting,
    /// Inside `stage`, running the actions of `group`.
    Inside,
    /// Just left `stage` and not yet placed at the next one.
    Left,
}

/// How a stop was requested.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum StopKind {
    /// Let in-progress actions finish, start nothing new.
    Wait,
    /// Abandon in-progress actions.
    Abandon,
    /// An update cancelled the execution; it ends `Cancelled` at the next tick.
    Cancel,
}

/// The moving parts of an active execution.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Run {
    pub(crate) stage: u16,
    pub(crate) group: u16,
    pub(crate) position: Position,
    pub(crate) stop: Option<StopKind>,
    /// The actions of the current group.
    pub(crate) slots: Vec<Slot>,
    /// The condition being checked, while the stage's rules run instead of its actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) check: Option<Box<Check>>,
}

/// A stage condition being checked: its kind and its rules' runs.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Check {
    pub(crate) kind: CondKind,
    pub(crate) rules: Vec<RuleSlot>,
}

/// One run of one rule of the condition being checked.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct RuleSlot {
    /// Index of the rule in its condition.
    pub(crate) rule: u8,
    pub(crate) status: ActionExecutionStatus,
    pub(crate) id: Uuid,
    /// Its number in the rule log.
    pub(crate) logged: u64,
    pub(crate) due: Timestamp,
    pub(crate) scripted: Option<Box<ActionEnd>>,
    /// When it started: its `timeoutInMinutes` counts from here.
    #[serde(default)]
    pub(crate) started: Timestamp,
}

impl Run {
    pub(crate) fn new() -> Self {
        Self {
            stage: 0,
            group: 0,
            position: Position::Left,
            stop: None,
            slots: Vec::new(),
            check: None,
        }
    }
}

/// One action execution of the current group.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Slot {
    /// Index of the action in its stage.
    pub(crate) action: u16,
    pub(crate) status: ActionExecutionStatus,
    /// Drawn when the action starts; manual approvals never succeed by themselves.
    pub(crate) succeeds: bool,
    /// The action execution's id; a manual approval's token too, as in AWS.
    pub(crate) id: Uuid,
    /// Whether it is a manual approval, waiting for `PutApprovalResult`.
    pub(crate) approval: bool,
    /// Its number in the action log.
    pub(crate) logged: u64,
    /// When its timer is due: a timer of an earlier run of the action (before a retry)
    /// fires sooner and is ignored.
    #[serde(default)]
    pub(crate) due: Timestamp,
    /// How a script said this run ends, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) scripted: Option<Box<ActionEnd>>,
    /// The job the run waits for, when a job worker finishes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) job: Option<Uuid>,
}
