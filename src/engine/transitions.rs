//! Transitions: disabling a stage's inbound transition holds executions in front of the
//! stage, under the rules of a locked stage (SUPERSEDED keeps the newest waiter, QUEUED
//! and PARALLEL keep them all, oldest first); enabling it lets them in as the stage
//! allows. A stage's outbound transition is the next stage's inbound one.

use crate::error::Result;
use crate::events::EventKind;
use crate::model::{StageTransitionType, Timestamp, TransitionState};

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
        runtime.inbound = Transition {
            disabled: reason.map(str::to_owned),
            changed: Some(now),
        };
        if reason.is_none() {
            self.release(stage, now, fx);
        }
        Ok(())
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
