//! Scripted action and rule runs: "fail twice, then succeed", without probabilities.
//!
//! A script names an action by its stage and action names and lists how its next runs
//! end. Each run of the action that starts takes the next entry, whichever execution it
//! belongs to (a retry, a rollback or a new start alike), so a recovery rehearsal reads
//! as the story it tells. Once the entries are used up, the action behaves as its
//! settings say again. Scripts name actions, not positions, so they outlive updates
//! that keep the action.

use std::collections::VecDeque;

use crate::error::{Error, Result};

use super::PipelineEngine;
use super::behaviour::ActionEnd;

/// Every scripted action of one pipeline with the runs it has left.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Scripts(Vec<ActionScript>);

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct ActionScript {
    stage: String,
    /// The action's name, or the rule's.
    action: String,
    /// Whether it scripts a rule of the stage's conditions rather than an action.
    #[serde(default)]
    rule: bool,
    runs: VecDeque<ActionEnd>,
}

impl Scripts {
    /// Replaces the script of one action or rule; no runs removes it.
    fn set(&mut self, stage: &str, action: &str, rule: bool, runs: Vec<ActionEnd>) {
        self.0
            .retain(|s| s.stage != stage || s.action != action || s.rule != rule);
        if !runs.is_empty() {
            self.0.push(ActionScript {
                stage: stage.to_owned(),
                action: action.to_owned(),
                rule,
                runs: runs.into(),
            });
        }
    }

    /// How the run of `stage`/`action` that starts now ends, if a script says.
    pub(super) fn next_run(&mut self, stage: &str, action: &str) -> Option<ActionEnd> {
        self.next(stage, action, false)
    }

    /// How the run of the rule `stage`/`rule` that starts now ends, if a script says.
    pub(super) fn next_rule_run(&mut self, stage: &str, rule: &str) -> Option<ActionEnd> {
        self.next(stage, rule, true)
    }

    fn next(&mut self, stage: &str, name: &str, rule: bool) -> Option<ActionEnd> {
        // Most pipelines have no script: keep their starts to one branch.
        if self.0.is_empty() {
            return None;
        }
        let i = self
            .0
            .iter()
            .position(|s| s.stage == stage && s.action == name && s.rule == rule)?;
        let end = self.0[i].runs.pop_front();
        if self.0[i].runs.is_empty() {
            self.0.swap_remove(i);
        }
        end
    }

    /// How many scripted runs the action (or rule) `stage`/`name` has left.
    pub(super) fn left(&self, stage: &str, name: &str, rule: bool) -> usize {
        self.0
            .iter()
            .find(|s| s.stage == stage && s.action == name && s.rule == rule)
            .map_or(0, |s| s.runs.len())
    }
}

impl PipelineEngine {
    /// Scripts how the next runs of one action end, replacing its earlier script.
    ///
    /// # Errors
    /// `StageNotFoundException`, `ActionNotFoundException`, and `ValidationException`
    /// for a manual approval, which `PutApprovalResult` answers.
    pub(crate) fn script_action(
        &mut self,
        stage_name: &str,
        action_name: &str,
        runs: Vec<ActionEnd>,
    ) -> Result<()> {
        let stage = self.stage_named(stage_name)?;
        let action = self.action_named(stage, action_name)?;
        if self.plan.stages[stage].actions[usize::from(action)].approval {
            return Err(Error::Validation(format!(
                "Action '{action_name}' of stage '{stage_name}' is a manual approval: \
                 PutApprovalResult answers it, a script cannot"
            )));
        }
        self.scripts.set(stage_name, action_name, false, runs);
        Ok(())
    }

    /// Scripts how the next runs of one rule of a stage's conditions end.
    ///
    /// # Errors
    /// `StageNotFoundException`, and `ValidationException` when no condition of the
    /// stage has the rule.
    pub(crate) fn script_rule(
        &mut self,
        stage_name: &str,
        rule_name: &str,
        runs: Vec<ActionEnd>,
    ) -> Result<()> {
        let stage = self.stage_named(stage_name)?;
        let declared = self.plan.stages[stage]
            .conditions
            .iter()
            .flatten()
            .any(|c| c.rules.iter().any(|r| **r == *rule_name));
        if !declared {
            return Err(Error::Validation(format!(
                "No condition of stage '{stage_name}' has a rule named '{rule_name}'"
            )));
        }
        self.scripts.set(stage_name, rule_name, true, runs);
        Ok(())
    }

    /// How many scripted runs an action (or, with `rule`, a rule) has left.
    pub(crate) fn scripted_runs_left(&self, stage: &str, name: &str, rule: bool) -> usize {
        self.scripts.left(stage, name, rule)
    }
}
