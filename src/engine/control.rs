//! Control: the calls that change a running pipeline from outside its own progress.
//! An update stores a new version and cancels the active executions; a stop waits for
//! or abandons the in-progress actions; a manual approval is answered; a harness ends a
//! running action on demand.

use std::sync::Arc;

use uuid::Uuid;

use crate::error::{Error, Result};
use crate::events::EventKind;
use crate::model::validate;
use crate::model::{
    ActionExecutionStatus, ApprovalStatus, ErrorDetails, ExecutionId, PipelineDeclaration,
    PipelineExecutionStatus, PutApprovalResultInput, StageExecutionStatus, StopExecutionTrigger,
    StopPipelineExecutionInput, Timestamp,
};

use super::action_log::{ActionLog, RunEnd};
use super::execution::{Position, Run, StopKind};
use super::plan::{self, Plan};
use super::{
    Effects, PipelineEngine, PipelineIdent, StageRuntime, Timer, behaviour, stage_runtimes,
    stored_declaration,
};

/// The summary of an approval an update cancelled (recorded).
const APPROVAL_CANCELED: &str = "The approval action has been canceled.";

/// The summary of an execution an update cancelled.
const CANCELLED_BY_UPDATE: &str = "The pipeline was updated before the execution could complete";

impl PipelineEngine {
    /// Stores a new version of a validated declaration. Active executions cannot go
    /// on under the old version. As recorded on AWS, an execution inside a stage still
    /// reads `InProgress` right after the update: its waiting approvals end `Failed`
    /// ("The approval action has been canceled."), its other in-progress actions
    /// `Abandoned`, and at the next tick of the clock it ends `Cancelled` with its stage
    /// run. Executions waiting in front of a stage end `Cancelled` at once, and a
    /// `Stopping` one ends `Stopped`.
    pub(crate) fn update(
        &mut self,
        mut declaration: PipelineDeclaration,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<PipelineDeclaration> {
        if declaration.pipeline_type.is_none() {
            // Omitting the type keeps the pipeline's own (recorded for V2).
            let current = self
                .versions
                .last()
                .expect("a pipeline always has a version");
            declaration.pipeline_type.clone_from(&current.pipeline_type);
            validate::pipeline_declaration(&declaration)?;
        }
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
            let inside = self
                .run(seq)
                .is_some_and(|run| run.position == Position::Inside);
            if stopping {
                self.finish_stopped(seq, now, fx);
            } else if inside {
                self.cancel_inside(seq, now, fx);
            } else {
                let why = Some(CANCELLED_BY_UPDATE.to_owned());
                let cancelled = PipelineExecutionStatus::Cancelled;
                self.finish(
                    seq,
                    cancelled,
                    StageExecutionStatus::Cancelled,
                    why,
                    now,
                    fx,
                );
            }
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
        Ok(stored)
    }

    /// Takes an execution an update cancels out of its stage, leaving it and the stage
    /// run `InProgress` until [`Timer::SettleCancel`]: approvals fail with their token
    /// out of date, other in-progress actions are abandoned, the stage unlocks.
    fn cancel_inside(&mut self, seq: u64, now: Timestamp, fx: &mut Effects) {
        let exec = self
            .executions
            .get_mut(&seq)
            .expect("active executions exist");
        let id = exec.id;
        let run = exec.run.as_mut().expect("active executions run");
        let stage = usize::from(run.stage);
        let stage_plan = &self.plan.stages[stage];
        let runtime = &mut self.stages[stage];
        let approvals = run
            .slots
            .iter_mut()
            .filter(|s| s.approval && s.status == ActionExecutionStatus::InProgress);
        for slot in approvals {
            slot.status = ActionExecutionStatus::Failed;
            let end = RunEnd {
                status: ActionExecutionStatus::Failed,
                summary: Some(APPROVAL_CANCELED),
                error: None,
            };
            self.action_log.ended(slot.logged, end, now);
            let latest = runtime.actions[usize::from(slot.action)].as_mut();
            if let Some(latest) = latest.filter(|l| l.id == slot.id) {
                latest.status = ActionExecutionStatus::Failed;
                latest.changed = now;
                latest.summary = Some(APPROVAL_CANCELED.to_owned());
                latest.outdated = true;
            }
            fx.event(&self.ident, id, now, || EventKind::Action {
                stage: Arc::clone(&stage_plan.name),
                action: Arc::clone(&stage_plan.actions[usize::from(slot.action)].name),
                status: ActionExecutionStatus::Failed,
            });
        }
        let log = &mut self.action_log;
        abandon_in_progress(&self.ident, stage_plan, (runtime, log), id, run, now, fx);
        run.position = Position::Left;
        run.stop = Some(StopKind::Cancel);
        if runtime.occupant == Some(seq) {
            // Executions waiting in front of the stage were cancelled first.
            runtime.occupant = runtime.waiting.pop_front();
            debug_assert!(runtime.occupant.is_none());
        }
        fx.timer(now, Timer::SettleCancel { seq });
    }

    /// Ends an execution an update cancelled, with the stage run it left `InProgress`.
    pub(super) fn settle_cancel(&mut self, seq: u64, now: Timestamp, fx: &mut Effects) {
        let Some(id) = self.executions.get(&seq).map(|e| e.id) else {
            return;
        };
        let cancelled = StageExecutionStatus::Cancelled;
        for (plan, runtime) in self.plan.stages.iter().zip(&mut self.stages) {
            if runtime.latest == Some((id, StageExecutionStatus::InProgress)) {
                runtime.latest = Some((id, cancelled));
                fx.event(&self.ident, id, now, || EventKind::Stage {
                    stage: Arc::clone(&plan.name),
                    status: cancelled,
                });
            }
        }
        let why = Some(CANCELLED_BY_UPDATE.to_owned());
        self.finish(
            seq,
            PipelineExecutionStatus::Cancelled,
            cancelled,
            why,
            now,
            fx,
        );
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
            // Abandoning, or an update, leaves no action execution in progress to stop.
            (Some(StopKind::Abandon | StopKind::Cancel), _) => return Err(not_stoppable()),
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
            let log = &mut self.action_log;
            abandon_in_progress(&self.ident, stage_plan, (runtime, log), id, run, now, fx);
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
        let stage = self.stage_named(&input.stage_name)?;
        let action = self.action_named(stage, &input.action_name)?;
        let token = Uuid::parse_str(&input.token).ok();
        let holder = self.active.iter().copied().find(|&seq| {
            self.run(seq).is_some_and(|run| {
                run.position == Position::Inside
                    && usize::from(run.stage) == stage
                    && run
                        .slots
                        .iter()
                        .any(|s| s.action == action && s.approval && Some(s.id) == token)
            })
        });
        // The execution, and the log number of the approval, still waiting for an answer.
        let waiting = holder.and_then(|seq| {
            let slot = self.run(seq)?.slots.iter().find(|s| {
                s.action == action
                    && Some(s.id) == token
                    && s.status == ActionExecutionStatus::InProgress
            })?;
            Some((seq, slot.logged))
        });
        let Some((seq, logged)) = waiting else {
            let latest = self.stages[stage].actions[usize::from(action)]
                .as_ref()
                .filter(|latest| latest.approval && Some(latest.id) == token);
            return Err(match latest {
                Some(latest) if latest.outdated => Error::InvalidApprovalToken(format!(
                    "The pipeline {name} has been updated, and the approval request you responded to is now out of date."
                )),
                None if holder.is_none() => Error::InvalidApprovalToken(format!(
                    "Token '{}' does not match any approval waiting in action '{}'",
                    input.token, input.action_name
                )),
                _ => Error::ApprovalAlreadyCompleted(
                    "The approval request that you responded to is already complete or has expired."
                        .to_owned(),
                ),
            });
        };
        let declared = &self
            .versions
            .last()
            .expect("a pipeline always has a version")
            .stages[stage]
            .actions[usize::from(action)];
        let summary_required = declared
            .configuration
            .as_ref()
            .and_then(|c| c.get("IsSummaryRequired"))
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let summary = input.result.summary.as_str();
        if summary_required && summary.trim().is_empty() {
            return Err(Error::InvalidApprovalToken(format!(
                "A summary is required to approve or reject action '{}'",
                input.action_name
            )));
        }
        let approved = input.result.status == ApprovalStatus::Approved;
        let summary = if summary.is_empty() {
            let verb = if approved { "Approved" } else { "Rejected" };
            format!("{verb} by {}", self.ident.caller_arn())
        } else {
            summary.to_owned()
        };
        let outcome = if approved {
            (ActionExecutionStatus::Succeeded, Some(summary), None)
        } else {
            let error = ErrorDetails {
                code: "ApprovalRejected".into(),
                message: "The approval request was rejected".into(),
            };
            (ActionExecutionStatus::Failed, Some(summary), Some(error))
        };
        if let Some(latest) = self.stages[stage].actions[usize::from(action)]
            .as_mut()
            .filter(|latest| Some(latest.id) == token)
        {
            latest.answered = true;
        }
        self.action_log.answered(logged);
        self.complete_action(seq, action, outcome, now, fx);
        Ok(now)
    }
    /// Ends (or holds) a running action of an execution on demand.
    pub(crate) fn finish_action(
        &mut self,
        execution_id: &str,
        stage_name: &str,
        action_name: &str,
        end: &behaviour::ActionEnd,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<()> {
        let seq = self.seq_of(execution_id)?;
        let stage = self.stage_named(stage_name)?;
        let action = self.action_named(stage, action_name)?;
        let running = self
            .executions
            .get_mut(&seq)
            .and_then(|exec| exec.run.as_mut())
            .filter(|run| run.position == Position::Inside && usize::from(run.stage) == stage)
            .and_then(|run| {
                run.slots
                    .iter_mut()
                    .find(|s| s.action == action && s.status == ActionExecutionStatus::InProgress)
            });
        let Some(slot) = running else {
            return Err(Error::Validation(format!(
                "Action '{action_name}' of stage '{stage_name}' is not running in execution '{execution_id}'"
            )));
        };
        match end.shown(Some("Succeeded on demand"), "Failed on demand") {
            Some(outcome) => self.complete_action(seq, action, outcome, now, fx),
            // Its timer, when it fires, finds the run not yet due and leaves it be.
            None => slot.due = Timestamp::NEVER,
        }
        Ok(())
    }
}

/// Marks every in-progress action of `run` `Abandoned`, in the run and in the stage's
/// view of its latest action runs.
pub(super) fn abandon_in_progress(
    ident: &PipelineIdent,
    stage_plan: &plan::StagePlan,
    (runtime, log): (&mut StageRuntime, &mut ActionLog),
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
        PipelineEngine::job_ended(slot.job, slot.status, fx);
        let end = RunEnd {
            status: ActionExecutionStatus::Abandoned,
            summary: None,
            error: None,
        };
        log.ended(slot.logged, end, now);
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
