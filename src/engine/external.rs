//! Starts that come from a source rather than from `StartPipelineExecution`: a new
//! revision a caller reports with `PutActionRevision`, and a webhook delivery. Both go
//! through the same admission as a start (the execution `CreatePipeline` starts comes
//! first, then the concurrency limit of QUEUED and PARALLEL pipelines).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{ExecutionId, Timestamp};

use super::execution::Trigger;
use super::{Effects, PipelineEngine};

/// The revision `PutActionRevision` gave a source action, kept with the execution it
/// started: that action fetched this revision, and `GetPipelineState` shows its change
/// id and creation time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PutRevision {
    pub(crate) action: String,
    pub(crate) revision_id: String,
    pub(crate) change_id: String,
    pub(crate) created: Timestamp,
}

/// The latest revision put for one source action, and the execution it started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RememberedRevision {
    pub(crate) action: String,
    pub(crate) revision_id: String,
    pub(crate) execution: ExecutionId,
}

impl PipelineEngine {
    /// `PutActionRevision`: a revision other than the one last put for the source
    /// action starts an execution that fetches it (`true` and its id); the same
    /// revision again starts nothing and answers the execution it started (`false`).
    ///
    /// # Errors
    /// `StageNotFoundException`, `ActionNotFoundException` (also for an action that is
    /// not a source action of the first stage),
    /// `ConcurrentPipelineExecutionsLimitExceededException`.
    pub(crate) fn put_action_revision(
        &mut self,
        (stage_name, action_name): (&str, &str),
        revision: PutRevision,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<(bool, ExecutionId)> {
        let stage = self.stage_named(stage_name)?;
        let action = usize::from(self.action_named(stage, action_name)?);
        if stage != 0 || !self.plan.stages[stage].actions[action].source {
            return Err(Error::ActionNotFound(format!(
                "Action '{action_name}' in stage '{stage_name}' of pipeline '{}' is not a source action",
                self.ident.name
            )));
        }
        if let Some(known) = self
            .put_revisions
            .iter()
            .find(|r| r.action == action_name && r.revision_id == revision.revision_id)
        {
            return Ok((false, known.execution));
        }
        let revision_id = revision.revision_id.clone();
        let id = self.begin_external(Trigger::PutActionRevision, None, Some(revision), now, fx)?;
        let remembered = RememberedRevision {
            action: action_name.to_owned(),
            revision_id,
            execution: id,
        };
        match self
            .put_revisions
            .iter_mut()
            .find(|r| r.action == action_name)
        {
            Some(slot) => *slot = remembered,
            None => self.put_revisions.push(remembered),
        }
        Ok((true, id))
    }

    /// The configuration of source action `name` of the first stage, for a webhook's
    /// `{Key}` references; `None` when the first stage has no such source action.
    pub(crate) fn source_configuration(
        &self,
        name: &str,
    ) -> Option<std::collections::BTreeMap<String, String>> {
        self.plan.source_action(name)?;
        let declaration = self.versions.last()?;
        let action = declaration
            .stages
            .first()?
            .actions
            .iter()
            .find(|a| a.name == name)?;
        Some(action.configuration.clone().unwrap_or_default())
    }

    /// A webhook delivery that passed its filters starts an execution whose trigger
    /// detail is the webhook's ARN.
    ///
    /// # Errors
    /// `ConcurrentPipelineExecutionsLimitExceededException`.
    pub(crate) fn start_by_webhook(
        &mut self,
        webhook_arn: &str,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<ExecutionId> {
        self.begin_external(
            Trigger::Webhook,
            Some(webhook_arn.to_owned()),
            None,
            now,
            fx,
        )
    }

    /// Admits and begins an execution started from outside, with the variables'
    /// defaults. A busy pipeline (just updated) is not refused: neither caller's model
    /// has `ConflictException`.
    fn begin_external(
        &mut self,
        trigger: Trigger,
        trigger_detail: Option<String>,
        put_revision: Option<PutRevision>,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<ExecutionId> {
        let (details, missing) = self.start_details(&[], &[])?;
        self.start_after_create(now, fx);
        self.check_limit()?;
        let mut details = details.unwrap_or_default();
        details.trigger_detail = trigger_detail;
        details.put_revision = put_revision;
        Ok(self.begin_execution(trigger, Some(details), missing, 0, now, fx))
    }
}
