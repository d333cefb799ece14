//! Retry: a stage that failed (or was stopped) runs again in the same execution, which
//! goes back to `InProgress` and carries on through the stages after it. `FAILED_ACTIONS`
//! runs again the actions that did not succeed, from the first run-order group that has
//! one; `ALL_ACTIONS` runs the whole stage.

use crate::error::{Error, Result};
use crate::events::EventKind;
use crate::model::{
    ActionExecutionStatus, ExecutionId, PipelineExecutionStatus, RetryStageExecutionInput,
    RetryStageMetadata, StageExecutionStatus, StageRetryMode, Timestamp,
};

use super::execution::{Position, Run};
use super::{Effects, PipelineEngine};

impl PipelineEngine {
    /// Retries `input.stage_name` of the execution `input.pipeline_execution_id`.
    ///
    /// # Errors
    /// `ConflictException`, `StageNotFoundException`, `NotLatestPipelineExecutionException`,
    /// `StageNotRetryableException`, `ConcurrentPipelineExecutionsLimitExceededException`.
    pub(crate) fn retry(
        &mut self,
        input: &RetryStageExecutionInput,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<ExecutionId> {
        self.check_not_busy(now)?;
        let name = &self.ident.name;
        let stage_name = &input.stage_name;
        let stage = self.stage_named(stage_name)?;
        let given = &input.pipeline_execution_id;
        let (latest, stage_status) = self.stages[stage]
            .latest
            .filter(|(latest, _)| latest.to_string() == *given)
            .ok_or_else(|| {
                Error::NotLatestPipelineExecution(format!(
                    "Pipeline execution '{given}' is not the latest execution of stage '{stage_name}' in pipeline '{name}'"
                ))
            })?;
        let seq = self.seq_of(given)?;
        let exec = &self.executions[&seq];
        let retryable = matches!(
            stage_status,
            StageExecutionStatus::Failed | StageExecutionStatus::Stopped
        ) && exec.run.is_none()
            && exec.version == self.plan.version;
        if !retryable {
            return Err(Error::StageNotRetryable(format!(
                "Stage '{stage_name}' of pipeline execution '{given}' cannot be retried: only a stage that failed or was stopped, in an execution of the pipeline's current version, can"
            )));
        }
        self.check_limit()?;

        let exec = self.executions.get_mut(&seq).expect("found above");
        exec.status = PipelineExecutionStatus::InProgress;
        exec.updated = now;
        if let Some(details) = exec.details.as_deref_mut() {
            details.status_summary = None;
        }
        let mut run = Run::new();
        run.stage = stage as u16;
        run.position = Position::Inside;
        exec.run = Some(Box::new(run));
        self.active.push(seq);
        let runtime = &mut self.stages[stage];
        if self.plan.mode.locks_stages() {
            runtime.occupant = Some(seq);
        }
        let attempts = match runtime.retried {
            Some((retried, attempts)) if retried == latest => attempts + 1,
            _ => 1,
        };
        runtime.retried = Some((latest, attempts));
        if let Some((_, last)) = runtime.auto_retried.as_mut() {
            *last = false;
        }
        fx.event(&self.ident, latest, now, || {
            EventKind::Execution(PipelineExecutionStatus::InProgress)
        });
        let all = input.retry_mode == StageRetryMode::AllActions;
        self.restart_stage(seq, stage, all, now, fx);
        Ok(latest)
    }

    /// Runs the stage `seq` is inside again, from its first run-order group with an
    /// action to run: every action (`all`), or those that did not succeed. Manual and
    /// automatic retries alike.
    pub(super) fn restart_stage(
        &mut self,
        seq: u64,
        stage: usize,
        all: bool,
        now: Timestamp,
        fx: &mut Effects,
    ) {
        let id = self.executions[&seq].id;
        // Which actions of the stage this execution already ran to success.
        let succeeded: Vec<u16> = if all {
            Vec::new()
        } else {
            (0u16..)
                .zip(&self.stages[stage].actions)
                .filter(|(_, run)| {
                    run.as_ref().is_some_and(|run| {
                        run.execution == id && run.status == ActionExecutionStatus::Succeeded
                    })
                })
                .map(|(i, _)| i)
                .collect()
        };
        let groups = &self.plan.stages[stage].groups;
        // None when every action succeeded (a stop came after them): the stage is done.
        let first = groups
            .iter()
            .position(|group| group.iter().any(|a| !succeeded.contains(a)));
        let last_group = groups.len() - 1;
        if let Some(run) = self.executions.get_mut(&seq).and_then(|e| e.run.as_mut()) {
            run.group = first.unwrap_or(last_group) as u16;
        }
        self.stages[stage].latest = Some((id, StageExecutionStatus::InProgress));
        let stage_plan = std::sync::Arc::clone(&self.plan.stages[stage].name);
        fx.event(&self.ident, id, now, || EventKind::StageRetried {
            stage: std::sync::Arc::clone(&stage_plan),
        });
        fx.event(&self.ident, id, now, || EventKind::Stage {
            stage: stage_plan,
            status: StageExecutionStatus::InProgress,
        });
        match first {
            Some(first) => {
                self.start_group_except(seq, first, |a| succeeded.contains(&a), now, fx);
            }
            None => self.group_done(seq, now, fx),
        }
    }

    /// What `GetPipelineState` shows of a stage's retries: for its latest execution.
    pub(super) fn retry_metadata(&self, stage: usize) -> Option<RetryStageMetadata> {
        let runtime = &self.stages[stage];
        let (latest, _) = runtime.latest?;
        let manual = runtime
            .retried
            .filter(|(retried, _)| *retried == latest)
            .map(|(_, attempts)| i64::from(attempts));
        let auto = runtime
            .auto_retried
            .filter(|(retried, _)| *retried == latest);
        if manual.is_none() && auto.is_none() {
            return None;
        }
        let trigger = match auto {
            Some((_, true)) => "AutomatedStageRetry",
            _ => "ManualStageRetry",
        };
        Some(RetryStageMetadata {
            auto_stage_retry_attempt: auto.map(|_| 1),
            manual_stage_retry_attempt: manual,
            latest_retry_trigger: Some(trigger.to_owned()),
        })
    }
}
