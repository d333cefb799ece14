//! Starting an execution from a git event in a connection's repository: the source
//! actions whose triggers (or default change detection) take the event fetch its commit,
//! and the execution reports `trigger.triggerType` `WebhookV2`.

use crate::error::Result;
use crate::model::triggers::{self, GitEvent};
use crate::model::{ExecutionId, SourceRevisionOverride, SourceRevisionType, Timestamp};

use super::execution::Trigger;
use super::{Effects, PipelineEngine};

impl PipelineEngine {
    /// The source actions of the current version that take `event`, or why none does
    /// (`None`: no source action uses the event's repository).
    pub(crate) fn git_taking_actions(
        &self,
        event: &GitEvent,
    ) -> std::result::Result<Vec<String>, Option<String>> {
        triggers::taking_actions(self.current(), event)
    }

    /// Starts an execution for `event`, through the admission rules of
    /// `StartPipelineExecution` (busy, the execution `CreatePipeline` starts, the
    /// concurrency limit, SUPERSEDED's and QUEUED's waiting). `Ok(None)` when no source
    /// action takes the event (the pipeline changed since the caller looked).
    pub(crate) fn start_from_git(
        &mut self,
        event: &GitEvent,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<Option<ExecutionId>> {
        let Ok(actions) = self.git_taking_actions(event) else {
            return Ok(None);
        };
        self.check_not_busy(now)?;
        let overrides: Vec<SourceRevisionOverride> = actions
            .iter()
            .map(|action| SourceRevisionOverride {
                action_name: action.clone(),
                revision_type: SourceRevisionType::CommitId,
                revision_value: event.commit_id.clone(),
            })
            .collect();
        // AWS reports the connection the event came through as the trigger's detail.
        let connection = triggers::connection_actions(self.current())
            .find(|a| a.name == actions[0])
            .and_then(|a| a.configuration.as_ref()?.get("ConnectionArn").cloned());
        let (details, missing) = self.start_details(&[], &overrides)?;
        let mut details = details.expect("overrides make details");
        details.commit_message.clone_from(&event.commit_message);
        details.trigger_detail = connection;
        self.start_after_create(now, fx);
        self.check_limit()?;
        let id = self.begin_execution(Trigger::WebhookV2, Some(details), missing, 0, now, fx);
        Ok(Some(id))
    }

    fn current(&self) -> &crate::model::PipelineDeclaration {
        self.versions
            .last()
            .expect("a pipeline always has a version")
    }
}
