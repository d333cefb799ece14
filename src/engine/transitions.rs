//! Transitions: disabling a stage's inbound transition holds executions in front of the
//! stage, under the rules of a locked stage (SUPERSEDED keeps the newest waiter, QUEUED
//! and PARALLEL keep them all, oldest first); enabling it lets them in as the stage
//! allows, unless it was disabled for more than 30 days. A stage's outbound transition is
//! the next stage's inbound one.

use std::time::Duration;

use crate::error::Result;
use crate::events::EventKind;
use crate::model::{
    PipelineExecutionStatus, StageExecutionStatus, StageTransitionType, Timestamp, TransitionState,
};

/// How long a transition may stay disabled and still let its held executions resume.
const STALE_AFTER: Duration = Duration::from_secs(30 * 24 * 3600);

use super::{Effects, PipelineEngine, Transition};

impl PipelineEngine {
    /// Disables (`reason` given) or enables (`None`) the transition of `stage_name`.
    ///
    /// # Errors
    /// `StageNotFoundException`.
    pub(crate) fn set_transition(
        &mut self,
        stage_name: &str,
        transition: &StageTransitionType,
        reason: Option<&str>,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<()> {
        let stage = self.stage_named(stage_name)?;
        let stage = match transition {
            StageTransitionType::Outbound => stage + 1,
            _ => stage,
        };
        // The last stage's outbound transition leads nowhere: nothing waits behind it.
        let Some(runtime) = self.stages.get_mut(stage) else {
            return Ok(());
        };
        let was = std::mem::replace(
            &mut runtime.inbound,
            Transition {
                disabled: reason.map(str::to_owned),
                changed: Some(now),
            },
        );
        if reason.is_some() {
            return Ok(());
        }
        let disabled_since = was.disabled.and(was.changed);
        if disabled_since.is_some_and(|since| now.since(since) > STALE_AFTER) {
            self.drop_stale(stage, now, fx);
        } else {
            self.release(stage, now, fx);
        }
        Ok(())
    }

    /// Ends the executions held in front of a stage whose transition was disabled for
    /// more than 30 days: AWS does not resume them ("unless a new change is detected or
    /// you manually rerun the pipeline"). They end `Stopped` [choice].
    fn drop_stale(&mut self, stage: usize, now: Timestamp, fx: &mut Effects) {
        let name = std::sync::Arc::clone(&self.plan.stages[stage].name);
        let held: Vec<u64> = self.stages[stage].waiting.iter().copied().collect();
        for held in held {
            let summary = format!(
                "The transition into stage '{name}' was disabled for more than 30 days, so the execution did not resume"
            );
            let stopped = PipelineExecutionStatus::Stopped;
            self.finish(
                held,
                stopped,
                StageExecutionStatus::Stopped,
                Some(summary),
                now,
                fx,
            );
        }
    }

    /// Lets the executions held in front of an enabled stage in: the first, into a stage
    /// that locks and is free; all of them, in PARALLEL mode.
    fn release(&mut self, stage: usize, now: Timestamp, fx: &mut Effects) {
        let runtime = &mut self.stages[stage];
        let released = if self.plan.mode.locks_stages() {
            if runtime.occupant.is_some() {
                return;
            }
            runtime.occupant = runtime.waiting.pop_front();
            runtime.occupant.into_iter().collect()
        } else {
            Vec::from(std::mem::take(&mut runtime.waiting))
        };
        for next in released {
            if let Some(exec) = self.executions.get(&next) {
                let name = &self.plan.stages[stage].name;
                fx.event(&self.ident, exec.id, now, || {
                    EventKind::ReleasedAtTransition {
                        stage: std::sync::Arc::clone(name),
                    }
                });
            }
            self.enter(next, stage, now, fx);
        }
    }

    /// What `GetPipelineState` shows of a stage's inbound transition.
    pub(super) fn transition_state(&self, stage: usize) -> TransitionState {
        let transition = &self.stages[stage].inbound;
        TransitionState {
            enabled: transition.disabled.is_none(),
            disabled_reason: transition.disabled.clone(),
            last_changed_by: transition.changed.map(|_| self.ident.caller_arn()),
            last_changed_at: transition.changed,
        }
    }
}
