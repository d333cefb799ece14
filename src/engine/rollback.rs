//! Rollback: a new execution of type `ROLLBACK` runs one stage again with the source
//! revisions and variables of an earlier execution that succeeded in it, then ends.

use crate::error::{Error, Result};
use crate::events::EventKind;
use crate::model::{ExecutionId, RollbackStageInput, Timestamp};

use super::execution::{Details, Rollback, Trigger};
use super::{Effects, PipelineEngine};

impl PipelineEngine {
    /// Rolls `input.stage_name` back to `input.target_pipeline_execution_id`.
    ///
    /// # Errors
    /// `ConflictException`, `StageNotFoundException`, `PipelineExecutionNotFoundException`,
    /// `PipelineExecutionOutdatedException`, `UnableToRollbackStageException`,
    /// `ConcurrentPipelineExecutionsLimitExceededException`.
    pub(crate) fn rollback(
        &mut self,
        input: &RollbackStageInput,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<ExecutionId> {
        self.check_not_busy(now)?;
        let name = &self.ident.name;
        let stage_name = &input.stage_name;
        let stage = self.stage_named(stage_name)?;
        let target_id = &input.target_pipeline_execution_id;
        let target = &self.executions[&self.seq_of(target_id)?];
        let unable = |why: &str| {
            Error::UnableToRollbackStage(format!(
                "Stage '{stage_name}' of pipeline '{name}' cannot be rolled back to execution '{target_id}': {why}"
            ))
        };
        if stage == 0 {
            return Err(unable("a source stage cannot be rolled back"));
        }
        if target.version != self.plan.version {
            return Err(Error::PipelineExecutionOutdated(format!(
                "Pipeline execution '{target_id}' ran version {} of pipeline '{name}', not the current version {}",
                target.version, self.plan.version
            )));
        }
        if target.rollback().is_some() {
            return Err(unable("the target is itself a rollback"));
        }
        if !target.succeeded_in(stage) {
            return Err(unable("the target did not succeed in that stage"));
        }
        self.check_limit()?;
        let target = target.id;
        Ok(self.start_rollback(stage, target, Trigger::ManualRollback, now, fx))
    }

    /// Starts an execution that runs `stage` with the revisions and variables of
    /// `target`, which succeeded in it.
    pub(super) fn start_rollback(
        &mut self,
        stage: usize,
        target: ExecutionId,
        trigger: Trigger,
        now: Timestamp,
        fx: &mut Effects,
    ) -> ExecutionId {
        let target_details = self
            .execution_by_id(target)
            .and_then(|exec| exec.details.as_deref());
        let details = Details {
            variables: target_details
                .map(|d| d.variables.clone())
                .unwrap_or_default(),
            overrides: target_details
                .map(|d| d.overrides.clone())
                .unwrap_or_default(),
            commit_message: target_details.and_then(|d| d.commit_message.clone()),
            put_revision: target_details.and_then(|d| d.put_revision.clone()),
            rollback: Some(Rollback {
                stage: stage as u8,
                target,
            }),
            ..Details::default()
        };
        let id = self.begin_execution(trigger, Some(Box::new(details)), None, stage, now, fx);
        let stage_name = std::sync::Arc::clone(&self.plan.stages[stage].name);
        fx.event(&self.ident, id, now, || EventKind::RolledBack {
            stage: stage_name,
            target,
        });
        id
    }
}
