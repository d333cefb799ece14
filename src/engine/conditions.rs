//! Stage conditions: rules that run before a stage's actions (`beforeEntry`), after
//! they succeed (`onSuccess`) or after the stage fails (`onFailure`), and what their
//! result does.
//!
//! While a condition is checked the execution stays inside its stage, holding the
//! stage's lock, and its rules run side by side, each with its own timer. A condition
//! holds when every rule succeeds. Then, as the AWS user guide describes it:
//!
//! | kind | rules all succeed | a rule fails |
//! |---|---|---|
//! | `beforeEntry` | the actions run | `FAIL`: the stage fails; `SKIP`: the stage is `Skipped` and the execution goes on |
//! | `onSuccess` | the stage succeeds | `FAIL`: the stage fails; `ROLLBACK`: it fails and rolls back |
//! | `onFailure` | `ROLLBACK`: the stage rolls back | the stage stays failed |
//!
//! `OverrideStageCondition` ends a `beforeEntry` or `onSuccess` check as if it held,
//! abandoning the rules still running. A failed stage without conditions does what its
//! `onFailure.result` says: retry once (`RETRY`) or roll back (`ROLLBACK`). A rollback,
//! manual or automatic, is an execution that runs one stage with the revisions of the
//! last execution that succeeded in it; an automatic one starts only when there is such
//! an execution, and never from a rollback (which could otherwise roll back forever).

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::events::EventKind;
use crate::model::{
    ActionExecutionStatus, ConditionExecutionStatus, ConditionResult, ConditionType, ErrorDetails,
    OverrideStageConditionInput, PipelineExecutionStatus, StageExecutionStatus, Timestamp,
};

use super::execution::{Check, Position, RuleSlot, Run};
use super::plan::{CondKind, FailurePlan};
use super::rules::Verdict;
use super::{ConditionLatest, Effects, PipelineEngine, RuleLatest, Timer};

/// A rule run's number space in the rule log: its kind and its place in the condition.
pub(super) fn rule_code(kind: CondKind, rule: u8) -> u16 {
    kind.index() as u16 * 8 + u16::from(rule)
}

/// The kind and rule a rule log code stands for.
pub(super) fn rule_of_code(code: u16) -> (CondKind, u8) {
    (
        CondKind::ALL[usize::from(code / 8).min(2)],
        (code % 8) as u8,
    )
}

/// How a rule run ends: status, summary, error.
pub(super) type RuleOutcome = (ActionExecutionStatus, Option<String>, Option<ErrorDetails>);

impl PipelineEngine {
    /// Starts checking the `kind` condition of `stage`, which `seq` is inside. False when
    /// the stage has no such condition, and nothing changed.
    pub(super) fn check_condition(
        &mut self,
        seq: u64,
        (stage, kind): (usize, CondKind),
        now: Timestamp,
        fx: &mut Effects,
    ) -> bool {
        // Every stage entry and exit asks: most stages have no condition.
        if self.plan.stages[stage].conditions[kind.index()].is_none() {
            return false;
        }
        let plan = Arc::clone(&self.plan);
        let stage_plan = &plan.stages[stage];
        let Some(condition) = &stage_plan.conditions[kind.index()] else {
            return false;
        };
        let exec = self
            .executions
            .get_mut(&seq)
            .expect("checking executions exist");
        let mut rules = Vec::with_capacity(condition.rules.len());
        let mut latest = Vec::with_capacity(condition.rules.len());
        for (i, name) in condition.rules.iter().enumerate() {
            let rule = i as u8;
            let id = self.rng.uuid();
            let scripted = self.scripts.next_rule_run(&stage_plan.name, name);
            let held = scripted
                .as_ref()
                .is_some_and(|end| end.result == super::behaviour::ActionResult::Held);
            let due = if held {
                Timestamp::NEVER
            } else {
                now.after(condition.duration)
            };
            let ran = (plan.version, stage, rule_code(kind, rule));
            let logged = self
                .rule_log
                .started(id, exec.id, ran, now, self.config.history_limit);
            rules.push(RuleSlot {
                rule,
                status: ActionExecutionStatus::InProgress,
                id,
                logged,
                due,
                scripted: scripted.map(Box::new),
                started: now,
            });
            latest.push(Some(RuleLatest {
                id,
                status: ActionExecutionStatus::InProgress,
                changed: now,
                summary: None,
                error: None,
            }));
            if !held {
                let stage = stage as u16;
                fx.timer(due, Timer::RuleDue { seq, stage, rule });
            }
            fx.event(&self.ident, exec.id, now, || EventKind::Rule {
                stage: Arc::clone(&stage_plan.name),
                rule: Arc::clone(name),
                status: ActionExecutionStatus::InProgress,
            });
        }
        let run = exec.run.as_mut().expect("checking executions run");
        run.slots.clear();
        run.check = Some(Box::new(Check { kind, rules }));
        self.stages[stage].conditions[kind.index()] = Some(ConditionLatest {
            execution: exec.id,
            status: ConditionExecutionStatus::InProgress,
            changed: now,
            summary: None,
            rules: latest,
        });
        fx.event(&self.ident, exec.id, now, || EventKind::Condition {
            stage: Arc::clone(&stage_plan.name),
            kind: kind.member(),
            status: ConditionExecutionStatus::InProgress,
        });
        true
    }

    /// A rule's timer: the rule decides, unless it no longer runs or was held.
    pub(super) fn rule_due(
        &mut self,
        seq: u64,
        stage: u16,
        rule: u8,
        now: Timestamp,
        fx: &mut Effects,
    ) {
        let Some(run) = self.run(seq) else { return };
        if run.position != Position::Inside || run.stage != stage {
            return;
        }
        let Some(check) = run.check.as_deref() else {
            return;
        };
        let Some(slot) = check.rules.iter().find(|r| {
            r.rule == rule && r.status == ActionExecutionStatus::InProgress && r.due <= now
        }) else {
            return;
        };
        let (kind, started) = (check.kind, slot.started);
        let scripted = slot.scripted.as_deref();
        let verdict = match scripted.and_then(|end| end.shown(None, "The rule failed")) {
            Some(outcome) => Verdict::Ended(outcome),
            None => self.evaluate_rule(seq, (kind, rule), started, now),
        };
        match verdict {
            Verdict::Ended(outcome) => self.complete_rule(seq, rule, outcome, now, fx),
            Verdict::WaitUntil(at) => {
                let slot = self
                    .executions
                    .get_mut(&seq)
                    .and_then(|exec| exec.run.as_mut())
                    .and_then(|run| run.check.as_mut())
                    .and_then(|check| check.rules.iter_mut().find(|r| r.rule == rule));
                if let Some(slot) = slot {
                    slot.due = at;
                    fx.timer(at, Timer::RuleDue { seq, stage, rule });
                }
            }
        }
    }

    /// Records the end of one running rule; when it was the last, the condition decides.
    pub(super) fn complete_rule(
        &mut self,
        seq: u64,
        rule: u8,
        (status, summary, error): RuleOutcome,
        now: Timestamp,
        fx: &mut Effects,
    ) {
        let plan = Arc::clone(&self.plan);
        let Some(exec) = self.executions.get_mut(&seq) else {
            return;
        };
        let Some(run) = exec.run.as_mut() else { return };
        let stage = usize::from(run.stage);
        let Some(check) = run.check.as_deref_mut() else {
            return;
        };
        let kind = check.kind;
        let Some(slot) = check
            .rules
            .iter_mut()
            .find(|r| r.rule == rule && r.status == ActionExecutionStatus::InProgress)
        else {
            return;
        };
        slot.status = status;
        let end = super::action_log::RunEnd {
            status,
            summary: summary.as_deref(),
            error: error.as_ref(),
        };
        self.rule_log.ended(slot.logged, end, now);
        let id = slot.id;
        let done = check
            .rules
            .iter()
            .all(|r| r.status != ActionExecutionStatus::InProgress);
        let latest = self.stages[stage].conditions[kind.index()]
            .as_mut()
            .and_then(|c| c.rules.get_mut(usize::from(rule)))
            .and_then(Option::as_mut)
            .filter(|l| l.id == id);
        if let Some(latest) = latest {
            latest.status = status;
            latest.changed = now;
            latest.summary = summary;
            latest.error = error;
        }
        let stage_plan = &plan.stages[stage];
        if let Some(condition) = &stage_plan.conditions[kind.index()] {
            fx.event(&self.ident, exec.id, now, || EventKind::Rule {
                stage: Arc::clone(&stage_plan.name),
                rule: Arc::clone(&condition.rules[usize::from(rule)]),
                status,
            });
        }
        if done {
            self.condition_decided(seq, now, fx);
        }
    }

    /// Every rule of the condition being checked has ended: record what the condition
    /// decided and do what its result says.
    fn condition_decided(&mut self, seq: u64, now: Timestamp, fx: &mut Effects) {
        let plan = Arc::clone(&self.plan);
        let exec = self
            .executions
            .get_mut(&seq)
            .expect("deciding executions exist");
        let run = exec.run.as_mut().expect("deciding executions run");
        let stage = usize::from(run.stage);
        let check = run.check.take().expect("a condition was being checked");
        let stage_plan = &plan.stages[stage];
        let condition = stage_plan.conditions[check.kind.index()]
            .as_ref()
            .expect("checked conditions are planned");
        let failed = check
            .rules
            .iter()
            .find(|r| r.status == ActionExecutionStatus::Failed)
            .map(|r| &condition.rules[usize::from(r.rule)]);
        let (status, summary) = match failed {
            Some(rule) => (
                ConditionExecutionStatus::Failed,
                format!("Rule '{rule}' failed"),
            ),
            None => (
                ConditionExecutionStatus::Succeeded,
                "All rules succeeded".to_owned(),
            ),
        };
        let stop = run.stop;
        let id = exec.id;
        if let Some(latest) = self.stages[stage].conditions[check.kind.index()].as_mut() {
            latest.status = status;
            latest.changed = now;
            latest.summary = Some(summary);
        }
        fx.event(&self.ident, id, now, || EventKind::Condition {
            stage: Arc::clone(&stage_plan.name),
            kind: check.kind.member(),
            status,
        });
        if stop.is_some() {
            self.finish_stopped(seq, now, fx);
            return;
        }
        let result = condition.result.clone();
        self.after_condition(seq, check.kind, &result, failed.is_none(), now, fx);
    }

    /// What an execution does once a condition of its stage decided: `held` when every
    /// rule succeeded or the condition was overridden.
    fn after_condition(
        &mut self,
        seq: u64,
        kind: CondKind,
        result: &ConditionResult,
        held: bool,
        now: Timestamp,
        fx: &mut Effects,
    ) {
        let stage = self.run(seq).map_or(0, |run| usize::from(run.stage));
        let name = Arc::clone(&self.plan.stages[stage].name);
        let unmet = || {
            format!(
                "Stage '{name}' did not meet its {} condition",
                kind.member()
            )
        };
        match (kind, held, result) {
            (CondKind::BeforeEntry, true, _) => self.start_group(seq, 0, now, fx),
            (CondKind::BeforeEntry, false, ConditionResult::Skip) => {
                self.leave_stage(seq, StageExecutionStatus::Skipped, now, fx);
            }
            (CondKind::OnSuccess, true, _) => {
                self.leave_stage(seq, StageExecutionStatus::Succeeded, now, fx);
            }
            (CondKind::OnSuccess, false, ConditionResult::Rollback) => {
                self.fail_stage(seq, unmet(), now, fx);
                self.roll_back_automatically(seq, stage, now, fx);
            }
            (CondKind::OnFailure, true, ConditionResult::Rollback) => {
                self.fail_stage(seq, String::new(), now, fx);
                self.roll_back_automatically(seq, stage, now, fx);
            }
            // The failure's own summary was kept when the condition began.
            (CondKind::OnFailure, _, _) => self.fail_stage(seq, String::new(), now, fx),
            _ => self.fail_stage(seq, unmet(), now, fx),
        }
    }

    /// Ends the execution `Failed` in its stage; an empty `summary` keeps the one it has.
    fn fail_stage(&mut self, seq: u64, summary: String, now: Timestamp, fx: &mut Effects) {
        let summary = (!summary.is_empty()).then_some(summary);
        let failed = PipelineExecutionStatus::Failed;
        self.finish(seq, failed, StageExecutionStatus::Failed, summary, now, fx);
    }

    /// A stage failed because an action did: does what its `onFailure` says.
    pub(super) fn stage_failed(
        &mut self,
        seq: u64,
        summary: String,
        now: Timestamp,
        fx: &mut Effects,
    ) {
        let plan = Arc::clone(&self.plan);
        let Some(run) = self.run(seq) else { return };
        let stage = usize::from(run.stage);
        let stage_plan = &plan.stages[stage];
        let rollback = self.executions[&seq].rollback().is_some();
        if stage_plan.conditions[CondKind::OnFailure.index()].is_some() && !rollback {
            let exec = self
                .executions
                .get_mut(&seq)
                .expect("failing executions exist");
            exec.details.get_or_insert_default().status_summary = Some(summary);
            self.check_condition(seq, (stage, CondKind::OnFailure), now, fx);
            return;
        }
        let id = self.executions[&seq].id;
        if let FailurePlan::Retry(mode) = stage_plan.on_failure {
            // One automatic retry per execution and stage; the execution never leaves.
            let runtime = &mut self.stages[stage];
            if runtime
                .auto_retried
                .is_none_or(|(retried, _)| retried != id)
            {
                runtime.auto_retried = Some((id, true));
                let all = mode == super::plan::RetryMode::AllActions;
                self.restart_stage(seq, stage, all, now, fx);
                return;
            }
        }
        self.fail_stage(seq, summary, now, fx);
        if stage_plan.on_failure == FailurePlan::Rollback {
            self.roll_back_automatically(seq, stage, now, fx);
        }
    }

    /// Starts an automatic rollback of `stage` to the latest execution that succeeded in
    /// it under the current version, if there is one (`failed` is the execution whose
    /// failure called for it).
    fn roll_back_automatically(
        &mut self,
        failed: u64,
        stage: usize,
        now: Timestamp,
        fx: &mut Effects,
    ) {
        if self
            .executions
            .get(&failed)
            .is_some_and(|e| e.rollback().is_some())
        {
            return;
        }
        let version = self.plan.version;
        let target = self
            .executions
            .newest_first(u64::MAX)
            .map(|(_, exec)| exec)
            .find(|exec| {
                exec.version == version && exec.rollback().is_none() && exec.succeeded_in(stage)
            })
            .map(|exec| exec.id);
        if let Some(target) = target {
            let trigger = super::execution::Trigger::AutomatedRollback;
            self.start_rollback(stage, target, trigger, now, fx);
        }
    }

    /// `OverrideStageCondition`: ends the check of a `beforeEntry` or `onSuccess`
    /// condition as if it held.
    pub(crate) fn override_condition(
        &mut self,
        input: &OverrideStageConditionInput,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<()> {
        self.check_not_busy(now)?;
        let name = &self.ident.name;
        let stage_name = &input.stage_name;
        let stage = self.stage_named(stage_name)?;
        let given = &input.pipeline_execution_id;
        let latest = self.stages[stage]
            .latest
            .filter(|(latest, _)| latest.to_string() == *given);
        let seq = latest.and_then(|_| self.seq_of(given).ok()).ok_or_else(|| {
            Error::NotLatestPipelineExecution(format!(
                "Pipeline execution '{given}' is not the latest execution of stage '{stage_name}' in pipeline '{name}'"
            ))
        })?;
        let kind = match input.condition_type {
            ConditionType::OnSuccess => CondKind::OnSuccess,
            _ => CondKind::BeforeEntry,
        };
        let condition = self.plan.stages[stage].conditions[kind.index()].as_ref();
        let checking = self
            .run(seq)
            .and_then(|run| run.check.as_deref())
            .map(|c| c.kind);
        let result = condition.map(|c| c.result.clone());
        let overridable =
            checking == Some(kind) && result.as_ref().is_some_and(|r| *r != ConditionResult::Skip);
        let Some(result) = result.filter(|_| overridable) else {
            return Err(Error::ConditionNotOverridable(format!(
                "The {} condition of stage '{stage_name}' cannot be overridden for pipeline execution '{given}': {}",
                kind.member(),
                if condition.is_none() {
                    "the stage declares no such condition"
                } else if result_is_skip(condition) {
                    "a condition with result SKIP cannot be overridden"
                } else {
                    "the condition is not being checked"
                }
            )));
        };
        let mut run = self.take_run(seq);
        self.end_check(&mut run, ConditionExecutionStatus::Overridden, now, fx);
        self.put_run(seq, run);
        self.after_condition(seq, kind, &result, true, now, fx);
        Ok(())
    }

    /// Abandons the rules still running in `run`'s check and records the condition as
    /// `status` (`Overridden`, `Abandoned` or `Cancelled`).
    pub(super) fn end_check(
        &mut self,
        run: &mut Run,
        status: ConditionExecutionStatus,
        now: Timestamp,
        fx: &mut Effects,
    ) {
        let Some(check) = run.check.take() else {
            return;
        };
        let stage = usize::from(run.stage);
        let Some(latest) = self.stages[stage].conditions[check.kind.index()].as_mut() else {
            return;
        };
        let execution = latest.execution;
        for slot in check
            .rules
            .iter()
            .filter(|r| r.status == ActionExecutionStatus::InProgress)
        {
            let end = super::action_log::RunEnd {
                status: ActionExecutionStatus::Abandoned,
                summary: None,
                error: None,
            };
            self.rule_log.ended(slot.logged, end, now);
            let rule = latest
                .rules
                .get_mut(usize::from(slot.rule))
                .and_then(Option::as_mut);
            if let Some(rule) = rule.filter(|r| r.id == slot.id) {
                rule.status = ActionExecutionStatus::Abandoned;
                rule.changed = now;
            }
        }
        latest.status = status;
        latest.changed = now;
        let stage_name = Arc::clone(&self.plan.stages[stage].name);
        fx.event(&self.ident, execution, now, || EventKind::Condition {
            stage: stage_name,
            kind: check.kind.member(),
            status,
        });
    }

    /// Ends (or holds) a running rule of an execution on demand.
    pub(crate) fn finish_rule(
        &mut self,
        execution_id: &str,
        stage_name: &str,
        rule_name: &str,
        end: &super::behaviour::ActionEnd,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<()> {
        let seq = self.seq_of(execution_id)?;
        let stage = self.stage_named(stage_name)?;
        let plan = Arc::clone(&self.plan);
        let not_running = || {
            Error::Validation(format!(
                "Rule '{rule_name}' of stage '{stage_name}' is not running in execution '{execution_id}'"
            ))
        };
        let exec = self.executions.get_mut(&seq).ok_or_else(not_running)?;
        let run = exec
            .run
            .as_mut()
            .filter(|run| run.position == Position::Inside && usize::from(run.stage) == stage)
            .ok_or_else(not_running)?;
        let check = run.check.as_deref_mut().ok_or_else(not_running)?;
        let condition = plan.stages[stage].conditions[check.kind.index()].as_ref();
        let slot = check
            .rules
            .iter_mut()
            .find(|r| {
                r.status == ActionExecutionStatus::InProgress
                    && condition.is_some_and(|c| *c.rules[usize::from(r.rule)] == *rule_name)
            })
            .ok_or_else(not_running)?;
        let rule = slot.rule;
        match end.shown(Some("Succeeded on demand"), "Failed on demand") {
            Some(outcome) => self.complete_rule(seq, rule, outcome, now, fx),
            // Its timer, when it fires, finds the run not yet due and leaves it be.
            None => slot.due = Timestamp::NEVER,
        }
        Ok(())
    }

    fn take_run(&mut self, seq: u64) -> Box<Run> {
        let exec = self
            .executions
            .get_mut(&seq)
            .expect("running executions exist");
        exec.run.take().expect("running executions run")
    }

    fn put_run(&mut self, seq: u64, run: Box<Run>) {
        self.executions
            .get_mut(&seq)
            .expect("running executions exist")
            .run = Some(run);
    }
}

fn result_is_skip(condition: Option<&super::plan::ConditionPlan>) -> bool {
    condition.is_some_and(|c| c.result == ConditionResult::Skip)
}
