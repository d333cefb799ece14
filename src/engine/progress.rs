//! Progress: how an execution moves once it is inside a stage. Run-order groups start
//! their actions with one timer each; timers complete actions; a finished group decides
//! between stopping, failing, the next group and the next stage; an execution that ends
//! leaves its stage and passes the stage's lock to the next waiting execution. The
//! bounded history drops the oldest finished executions here too.

use std::sync::Arc;

use crate::events::EventKind;
use crate::model::{
    ActionExecutionStatus, ConditionExecutionStatus, ErrorDetails, ExecutionId,
    PipelineExecutionStatus, StageExecutionStatus, Timestamp,
};

use super::action_log::RunEnd;
use super::behaviour::ActionResult;
use super::control::abandon_in_progress;
use super::execution::{Position, Run, Slot, StopKind};
use super::plan::CondKind;
use super::{ActionLatest, Effects, PipelineEngine, Timer};

/// The message of a simulated action's failure that nothing else words.
const SIMULATED_FAILURE: &str = "The simulated action failed";

impl PipelineEngine {
    /// Starts every action of one run-order group, each with its own timer.
    pub(super) fn start_group(&mut self, seq: u64, group: usize, now: Timestamp, fx: &mut Effects) {
        self.start_group_except(seq, group, |_| false, now, fx);
    }

    /// Starts the actions of one run-order group that `skip` does not name (by index in
    /// the stage), each with its own timer.
    pub(super) fn start_group_except(
        &mut self,
        seq: u64,
        group: usize,
        skip: impl Fn(u16) -> bool,
        now: Timestamp,
        fx: &mut Effects,
    ) {
        let plan = Arc::clone(&self.plan);
        let exec = self
            .executions
            .get_mut(&seq)
            .expect("running executions exist");
        let run = exec.run.as_mut().expect("running executions run");
        let stage = usize::from(run.stage);
        let stage_plan = &plan.stages[stage];
        run.group = group as u16;
        run.slots.clear();
        let mut jobs = Vec::new();
        for &action in stage_plan.groups[group].iter().filter(|&&a| !skip(a)) {
            let action_plan = &stage_plan.actions[usize::from(action)];
            let id = self.rng.uuid();
            let approval = action_plan.approval;
            let scripted = if approval {
                None
            } else {
                self.scripts.next_run(&stage_plan.name, &action_plan.name)
            };
            let job = action_plan
                .job
                .filter(|_| scripted.is_none())
                .map(|_| self.rng.uuid());
            let (due, succeeds) = match &scripted {
                _ if approval => (now.after(self.config.approval_timeout), false),
                _ if job.is_some() => (
                    now.after(super::jobs::job_timeout(action_plan, &self.config)),
                    false,
                ),
                Some(end) if end.result == ActionResult::Held => (Timestamp::NEVER, false),
                Some(end) => (
                    now.after(action_plan.duration),
                    end.result == ActionResult::Succeeded,
                ),
                None => (
                    now.after(action_plan.duration),
                    action_plan.outcome.succeeds(&mut self.rng),
                ),
            };
            let ran = (plan.version, stage, action);
            let capacity = self.config.history_limit;
            let logged = self.action_log.started(id, exec.id, ran, now, capacity);
            run.slots.push(Slot {
                action,
                status: ActionExecutionStatus::InProgress,
                succeeds,
                id,
                approval,
                logged,
                due,
                scripted: scripted.map(Box::new),
                job,
            });
            if let Some(job) = job {
                jobs.push((action, id, job));
            }
            self.stages[stage].actions[usize::from(action)] = Some(ActionLatest {
                id,
                execution: exec.id,
                status: ActionExecutionStatus::InProgress,
                changed: now,
                approval,
                summary: None,
                error: None,
                answered: false,
                outdated: false,
                job_details: None,
            });
            if due != Timestamp::NEVER {
                let timer = Timer::ActionDue {
                    seq,
                    stage: stage as u16,
                    action,
                };
                fx.timer(due, timer);
            }
            fx.event(&self.ident, exec.id, now, || EventKind::Action {
                stage: Arc::clone(&stage_plan.name),
                action: Arc::clone(&action_plan.name),
                status: ActionExecutionStatus::InProgress,
            });
        }
        for (action, run_id, job) in jobs {
            self.post_job(seq, action, (run_id, job), None, now, fx);
        }
    }

    /// Applies a timer. Timers are never cancelled, so one that no longer applies (its
    /// execution finished, moved on or was evicted) is ignored here.
    pub(crate) fn fire(&mut self, timer: Timer, now: Timestamp, fx: &mut Effects) {
        if self.deleted {
            return;
        }
        match timer {
            Timer::ActionDue { seq, stage, action } => {
                let Some(run) = self.run(seq) else { return };
                if run.position != Position::Inside || run.stage != stage {
                    return;
                }
                let Some(slot) = run.slots.iter().find(|s| {
                    s.action == action
                        && s.status == ActionExecutionStatus::InProgress
                        && s.due <= now
                }) else {
                    return;
                };
                if let Some(job) = slot.job {
                    self.job_timed_out(seq, action, job, now, fx);
                    return;
                }
                let scripted = slot.scripted.as_deref();
                let outcome = if let Some(shown) =
                    scripted.and_then(|end| end.shown(None, SIMULATED_FAILURE))
                {
                    shown
                } else if slot.succeeds {
                    (ActionExecutionStatus::Succeeded, None, None)
                } else if slot.approval {
                    let message = "The approval request timed out without an answer".to_owned();
                    let error = ErrorDetails {
                        code: "ApprovalTimedOut".into(),
                        message: message.clone(),
                    };
                    (ActionExecutionStatus::Failed, Some(message), Some(error))
                } else {
                    let error = ErrorDetails {
                        code: "JobFailed".into(),
                        message: SIMULATED_FAILURE.into(),
                    };
                    (ActionExecutionStatus::Failed, None, Some(error))
                };
                self.complete_action(seq, action, outcome, now, fx);
            }
            Timer::RuleDue { seq, stage, rule } => self.rule_due(seq, stage, rule, now, fx),
            Timer::StartAfterCreate => self.start_after_create(now, fx),
            Timer::SettleCancel { seq } => {
                if self
                    .run(seq)
                    .is_some_and(|run| run.stop == Some(StopKind::Cancel))
                {
                    self.settle_cancel(seq, now, fx);
                }
            }
            Timer::SettleAbandon { seq } => {
                if self
                    .run(seq)
                    .is_some_and(|run| run.stop == Some(StopKind::Abandon))
                {
                    self.finish_stopped(seq, now, fx);
                }
            }
        }
    }

    /// Records the end of one in-progress action; when it was the last of its group,
    /// decides what the execution does next.
    pub(super) fn complete_action(
        &mut self,
        seq: u64,
        action: u16,
        (status, summary, error): (ActionExecutionStatus, Option<String>, Option<ErrorDetails>),
        now: Timestamp,
        fx: &mut Effects,
    ) {
        let Some(exec) = self.executions.get_mut(&seq) else {
            return;
        };
        let Some(run) = exec.run.as_mut() else { return };
        let Some(slot) = run
            .slots
            .iter_mut()
            .find(|s| s.action == action && s.status == ActionExecutionStatus::InProgress)
        else {
            return;
        };
        slot.status = status;
        Self::job_ended(slot.job, status, fx);
        let stage = usize::from(run.stage);
        let end = RunEnd {
            status,
            summary: summary.as_deref(),
            error: error.as_ref(),
        };
        self.action_log.ended(slot.logged, end, now);
        if let Some(latest) = self.stages[stage].actions[usize::from(action)]
            .as_mut()
            .filter(|l| l.id == slot.id)
        {
            latest.status = status;
            latest.changed = now;
            latest.summary = summary;
            latest.error = error;
        }
        let stage_plan = &self.plan.stages[stage];
        fx.event(&self.ident, exec.id, now, || EventKind::Action {
            stage: Arc::clone(&stage_plan.name),
            action: Arc::clone(&stage_plan.actions[usize::from(action)].name),
            status,
        });
        if run
            .slots
            .iter()
            .all(|s| s.status != ActionExecutionStatus::InProgress)
        {
            self.group_done(seq, now, fx);
        }
    }

    /// A run-order group has finished: stop, fail, run the next group, or leave the stage.
    pub(super) fn group_done(&mut self, seq: u64, now: Timestamp, fx: &mut Effects) {
        let Some(run) = self.run(seq) else { return };
        let (stage, group, stop) = (usize::from(run.stage), usize::from(run.group), run.stop);
        let failed = run
            .slots
            .iter()
            .find(|s| s.status == ActionExecutionStatus::Failed)
            .map(|s| s.action);
        let plan = Arc::clone(&self.plan);
        let stage_plan = &plan.stages[stage];
        // A requested stop wins over the outcome of the actions it waited for.
        if stop.is_some() {
            self.finish_stopped(seq, now, fx);
        } else if let Some(action) = failed {
            let summary = format!(
                "Action '{}' in stage '{}' failed",
                stage_plan.actions[usize::from(action)].name,
                stage_plan.name
            );
            self.stage_failed(seq, summary, now, fx);
        } else if group + 1 < stage_plan.groups.len() {
            self.start_group(seq, group + 1, now, fx);
        } else if !self.check_condition(seq, (stage, CondKind::OnSuccess), now, fx) {
            self.leave_stage(seq, StageExecutionStatus::Succeeded, now, fx);
        }
    }

    /// The execution is done with its stage (`Succeeded`, or `Skipped` by an entry
    /// condition): it goes on to the next stage, or ends `Succeeded` after the last (or
    /// the one stage of a rollback).
    pub(super) fn leave_stage(
        &mut self,
        seq: u64,
        status: StageExecutionStatus,
        now: Timestamp,
        fx: &mut Effects,
    ) {
        let Some(run) = self.run(seq) else { return };
        let stage = usize::from(run.stage);
        // A skipped stage counts as passed, so the stages an execution ran to success
        // stay one run from its first (see `Execution::succeeded_in`).
        self.passed(seq);
        if stage + 1 == self.plan.stages.len() || self.is_rollback(seq) {
            let succeeded = PipelineExecutionStatus::Succeeded;
            self.finish(seq, succeeded, status, None, now, fx);
            return;
        }
        let exec = self
            .executions
            .get_mut(&seq)
            .expect("running executions exist");
        let id = exec.id;
        let mut run = exec.run.take().expect("running executions run");
        let next = self.vacate(seq, id, &mut run, status, now, fx);
        self.executions.get_mut(&seq).expect("still there").run = Some(run);
        self.admit(next, stage, now, fx);
        self.enter_or_wait(seq, stage + 1, now, fx);
    }

    /// Counts a stage an execution ran to success.
    fn passed(&mut self, seq: u64) {
        if let Some(exec) = self.executions.get_mut(&seq) {
            exec.passed = exec.passed.saturating_add(1);
        }
    }

    /// Whether an execution is a rollback, which runs one stage only.
    fn is_rollback(&self, seq: u64) -> bool {
        self.executions
            .get(&seq)
            .is_some_and(|exec| exec.rollback().is_some())
    }

    /// Ends an execution with `status`; if it was inside a stage, that stage run ends
    /// with `stage_status` and the stage's lock passes to the next waiting execution.
    pub(super) fn finish(
        &mut self,
        seq: u64,
        status: PipelineExecutionStatus,
        stage_status: StageExecutionStatus,
        summary: Option<String>,
        now: Timestamp,
        fx: &mut Effects,
    ) {
        let Some(exec) = self.executions.get_mut(&seq) else {
            return;
        };
        let Some(mut run) = exec.run.take() else {
            return;
        };
        let id = exec.id;
        let stage = usize::from(run.stage);
        let next = match run.position {
            Position::Inside => self.vacate(seq, id, &mut run, stage_status, now, fx),
            Position::Waiting => {
                self.stages[stage].waiting.retain(|&waiting| waiting != seq);
                None
            }
            Position::Left => None,
        };
        let exec = self
            .executions
            .get_mut(&seq)
            .expect("finishing executions exist");
        exec.status = status;
        exec.updated = now;
        if let Some(summary) = summary {
            exec.details.get_or_insert_default().status_summary = Some(summary);
        }
        if let Some(i) = self.active.iter().position(|&active| active == seq) {
            self.active.swap_remove(i);
        }
        fx.event(&self.ident, id, now, || EventKind::Execution(status));
        self.admit(next, stage, now, fx);
    }

    /// Ends an execution `Stopped`, on request.
    pub(super) fn finish_stopped(&mut self, seq: u64, now: Timestamp, fx: &mut Effects) {
        let stopped = PipelineExecutionStatus::Stopped;
        self.finish(seq, stopped, StageExecutionStatus::Stopped, None, now, fx);
    }

    /// Takes an execution out of its stage: abandons what still runs, records the stage
    /// run's end, and unlocks the stage. Returns who should enter the stage next.
    fn vacate(
        &mut self,
        seq: u64,
        id: ExecutionId,
        run: &mut Run,
        status: StageExecutionStatus,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Option<u64> {
        let stage = usize::from(run.stage);
        let ended = match run.stop {
            Some(StopKind::Cancel) => ConditionExecutionStatus::Cancelled,
            _ => ConditionExecutionStatus::Abandoned,
        };
        self.end_check(run, ended, now, fx);
        let stage_plan = &self.plan.stages[stage];
        let runtime = &mut self.stages[stage];
        let log = &mut self.action_log;
        abandon_in_progress(&self.ident, stage_plan, (runtime, log), id, run, now, fx);
        run.position = Position::Left;
        if runtime.latest.is_some_and(|(latest, _)| latest == id) {
            runtime.latest = Some((id, status));
        }
        fx.event(&self.ident, id, now, || EventKind::Stage {
            stage: Arc::clone(&stage_plan.name),
            status,
        });
        if runtime.occupant != Some(seq) {
            return None;
        }
        // A disabled inbound transition keeps the waiters out of the free stage.
        runtime.occupant = if runtime.inbound.disabled.is_none() {
            runtime.waiting.pop_front()
        } else {
            None
        };
        runtime.occupant
    }

    /// Lets the execution that was given a stage's lock enter it.
    fn admit(&mut self, next: Option<u64>, stage: usize, now: Timestamp, fx: &mut Effects) {
        if let Some(next) = next {
            self.enter(next, stage, now, fx);
        }
    }

    /// Drops the oldest finished executions beyond the history limit.
    pub(super) fn evict_history(&mut self) {
        while self.executions.len() > self.config.history_limit {
            if !self.executions.evict_oldest_finished() {
                break;
            }
        }
    }
}
