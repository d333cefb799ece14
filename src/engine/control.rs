//! Control: the calls that change a running pipeline from outside its own progress.
//! An update stores a new version and cancels the active executions; a stop waits for
//! or abandons the in-progress actions; a manual approval is answered; a harness ends a
//! running action on demand.

use std::sync::Arc;

use uuid::Uuid;

use crate::error::{Error, Result};
use crate::events::EventKind;
use crate::model::{
    ActionExecutionStatus, ApprovalStatus, ErrorDetails, ExecutionId, PipelineDeclaration,
    PipelineExecutionStatus, PutApprovalResultInput, StageExecutionStatus, StopExecutionTrigger,
    StopPipelineExecutionInput, Timestamp,
};

use super::execution::{Position, Run, StopKind};
use super::plan::{self, Plan};
use super::{
    Effects, PipelineEngine, PipelineIdent, StageRuntime, Timer, behaviour, stage_runtimes,
    stored_declaration,
};

impl PipelineEngine {
    /// Stores a new version of a validated declaration. Active executions cannot finish
    /// under the old version: each ends `Cancelled` (a `Stopping` one ends `Stopped`),
    /// with its stage run `Cancelled` and its in-progress actions `Abandoned`.
    pub(crate) fn update(
        &mut self,
        declaration: PipelineDeclaration,
        now: Timestamp,
        fx: &mut Effects,
    ) -> PipelineDeclaration {
        // Waiting executions go first, so that unlocking a stage admits nobody.
        let mut active = self.active.clone();
        active.sort_by_key(|seq| {
            self.run(*seq)
                .is_some_and(|run| run.position == Position::Inside)
        });
        for seq in active {
            let stopping = self
                .executions
                .get(&seq)
                .is_some_and(|e| e.status == PipelineExecutionStatus::Stopping);
            let (status, summary) = if stopping {
                (PipelineExecutionStatus::Stopped, None)
            } else {
                let why = "The pipeline was updated before the execution could complete".to_owned();
                (PipelineExecutionStatus::Cancelled, Some(why))
            };
            self.finish(
                seq,
                status,
                StageExecutionStatus::Cancelled,
                summary,
                now,
                fx,
            );
        }
        let version = u32::try_from(self.versions.len() + 1).unwrap_or(u32::MAX);
        let stored = stored_declaration(declaration, version);
        let plan = Arc::new(Plan::compile(
            &stored,
            version,
            &self.settings,
            self.config.default_action,
        ));
        let previous = std::mem::take(&mut self.stages);
        self.stages = stage_runtimes(&plan, Some(&self.plan), previous);
        self.plan = plan;
        self.versions.push(stored.clone());
        self.updated = now;
        self.busy_until = now.after(self.config.update_conflict_window);
        stored
    }

    /// Stops an execution: stop-and-wait lets in-progress actions finish; abandon gives
    /// them up and settles at the next tick of the clock.
    pub(crate) fn stop(
        &mut self,
        input: &StopPipelineExecutionInput,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<ExecutionId> {
        self.check_not_busy(now)?;
        let seq = self.seq_of(&input.pipeline_execution_id)?;
        let abandon = input.abandon.unwrap_or(false);
        let exec = self
            .executions
            .get_mut(&seq)
            .expect("indexed executions exist");
        let id = exec.id;
        let not_stoppable = || {
            Error::PipelineExecutionNotStoppable(format!(
                "The pipeline execution with ID '{id}' in '{}' can't be stopped now. Either it does not exist in the pipeline, or the pipeline execution has no action executions in progress.",
                self.ident.name
            ))
        };
        let Some(run) = exec.run.as_mut() else {
            return Err(not_stoppable());
        };
        match (run.stop, abandon) {
            // Abandoning leaves no action execution in progress to stop.
            (Some(StopKind::Abandon), _) => return Err(not_stoppable()),
            (Some(StopKind::Wait), false) => {
                return Err(Error::DuplicatedStopRequest(format!(
                    "The execution with ID {id} in {} is already in a stopping state. If you already chose to stop and wait, you cannot make that request again. You can choose to stop and abandon now, but be aware that this option can lead to failed actions. If you already chose to stop and abandon, you cannot make that request again.",
                    self.ident.name
                )));
            }
            _ => {}
        }
        run.stop = Some(if abandon {
            StopKind::Abandon
        } else {
            StopKind::Wait
        });
        let details = exec.details.get_or_insert_default();
        let reason = input
            .reason
            .clone()
            .or_else(|| details.stop_trigger.take().and_then(|t| t.reason));
        // AWS shows the reason as the execution's summary too.
        if reason.is_some() {
            details.status_summary.clone_from(&reason);
        }
        details.stop_trigger = Some(StopExecutionTrigger { reason });
        if run.position != Position::Inside {
            // Nothing runs in front of a stage, so there is nothing to wait for.
            self.finish_stopped(seq, now, fx);
            return Ok(id);
        }
        let stage = usize::from(run.stage);
        let stage_plan = &self.plan.stages[stage];
        let runtime = &mut self.stages[stage];
        if abandon {
            abandon_in_progress(&self.ident, stage_plan, runtime, id, run, now, fx);
            fx.timer(now, Timer::SettleAbandon { seq });
        }
        if exec.status != PipelineExecutionStatus::Stopping {
            exec.status = PipelineExecutionStatus::Stopping;
            exec.updated = now;
            if runtime.latest.is_some_and(|(latest, _)| latest == id) {
                runtime.latest = Some((id, StageExecutionStatus::Stopping));
            }
            fx.event(&self.ident, id, now, || EventKind::Stage {
                stage: Arc::clone(&stage_plan.name),
                status: StageExecutionStatus::Stopping,
            });
            fx.event(&self.ident, id, now, || {
                EventKind::Execution(PipelineExecutionStatus::Stopping)
            });
        }
        Ok(id)
    }

    /// Answers a manual approval waiting with `input.token`.
    pub(crate) fn put_approval(
        &mut self,
        input: &PutApprovalResultInput,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<Timestamp> {
        let name = &self.ident.name;
        let stage = self.plan.stage_index(&input.stage_name).ok_or_else(|| {
            Error::StageNotFound(format!(
                "Stage '{}' was not found in pipeline '{name}'",
                input.stage_name
            ))
        })?;
        let action = self.plan.stages[stage]
            .actions
            .iter()
            .position(|a| *a.name == *input.action_name)
            .ok_or_else(|| {
                Error::ActionNotFound(format!(
                    "Action '{}' was not found in stage '{}' of pipeline '{name}'",
                    input.action_name, input.stage_name
                ))
            })? as u16;
        let token = Uuid::parse_str(&input.token).ok();
        let holder = self.active.iter().copied().find(|&seq| {
            self.run(seq).is_some_and(|run| {
                run.position == Position::Inside
                    && usize::from(run.stage) == stage
                    && run
                        .slots
                        .iter()
                        .any(|s| s.action == action && s.token.is_some() && s.token == token)
            })
        });
        let waiting = holder.and_then(|seq| {
            let run = self.run(seq)?;
            run.slots
                .iter()
                .any(|s| {
                    s.action == action
                        && s.token == token
                        && s.status == ActionExecutionStatus::InProgress
                })
                .then_some(seq)
        });
        let Some(seq) = waiting else {
            let answered_before = self.stages[stage].actions[usize::from(action)]
                .as_ref()
                .is_some_and(|latest| latest.token.is_some() && latest.token == token);
            return Err(if holder.is_some() || answered_before {
                Error::ApprovalAlreadyCompleted(format!(
                    "The approval of action '{}' with token '{}' has already been completed",
                    input.action_name, input.token
                ))
            } else {
                Error::InvalidApprovalToken(format!(
                    "Token '{}' does not match any approval waiting in action '{}'",
                    input.token, input.action_name
                ))
            });
        };
        let outcome = match input.result.status {
            ApprovalStatus::Approved => (
                ActionExecutionStatus::Succeeded,
                Some(input.result.summary.clone()),
                None,
            ),
            _ => {
                let error = ErrorDetails {
                    code: "ApprovalRejected".into(),
                    message: "The approval request was rejected".into(),
                };
                (
                    ActionExecutionStatus::Failed,
                    Some(input.result.summary.clone()),
                    Some(error),
                )
            }
        };
        self.complete_action(seq, action, outcome, now, fx);
        Ok(now)
    }

    /// Ends a running action of an execution now, as a harness scripts it; the action's
    /// own timer, when it fires later, no longer applies.
    pub(crate) fn finish_action(
        &mut self,
        execution_id: &str,
        stage_name: &str,
        action_name: &str,
        result: behaviour::ActionResult,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<()> {
        let seq = self.seq_of(execution_id)?;
        let name = &self.ident.name;
        let stage = self.plan.stage_index(stage_name).ok_or_else(|| {
            Error::StageNotFound(format!(
                "Stage '{stage_name}' was not found in pipeline '{name}'"
            ))
        })?;
        let action = self.plan.stages[stage]
            .actions
            .iter()
            .position(|a| *a.name == *action_name)
            .ok_or_else(|| {
                Error::ActionNotFound(format!(
                    "Action '{action_name}' was not found in stage '{stage_name}' of pipeline '{name}'"
                ))
            })? as u16;
        let running = self.run(seq).is_some_and(|run| {
            run.position == Position::Inside
                && usize::from(run.stage) == stage
                && run
                    .slots
                    .iter()
                    .any(|s| s.action == action && s.status == ActionExecutionStatus::InProgress)
        });
        if !running {
            return Err(Error::Validation(format!(
                "Action '{action_name}' of stage '{stage_name}' is not running in execution '{execution_id}'"
            )));
        }
        let outcome = match result {
            behaviour::ActionResult::Succeeded => (
                ActionExecutionStatus::Succeeded,
                Some("Succeeded on demand".to_owned()),
                None,
            ),
            behaviour::ActionResult::Failed => (
                ActionExecutionStatus::Failed,
                None,
                Some(ErrorDetails {
                    code: "JobFailed".into(),
                    message: "Failed on demand".into(),
                }),
            ),
        };
        self.complete_action(seq, action, outcome, now, fx);
        Ok(())
    }
}

/// Marks every in-progress action of `run` `Abandoned`, in the run and in the stage's
/// view of its latest action runs.
pub(super) fn abandon_in_progress(
    ident: &PipelineIdent,
    stage_plan: &plan::StagePlan,
    runtime: &mut StageRuntime,
    id: ExecutionId,
    run: &mut Run,
    now: Timestamp,
    fx: &mut Effects,
) {
    let in_progress = run
        .slots
        .iter_mut()
        .filter(|s| s.status == ActionExecutionStatus::InProgress);
    for slot in in_progress {
        slot.status = ActionExecutionStatus::Abandoned;
        let latest = runtime.actions[usize::from(slot.action)].as_mut();
        if let Some(latest) = latest.filter(|l| l.id == slot.id) {
            latest.status = ActionExecutionStatus::Abandoned;
            latest.changed = now;
        }
        fx.event(ident, id, now, || EventKind::Action {
            stage: Arc::clone(&stage_plan.name),
            action: Arc::clone(&stage_plan.actions[usize::from(slot.action)].name),
            status: ActionExecutionStatus::Abandoned,
        });
    }
}
