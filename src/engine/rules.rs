//! What a rule of a stage condition checks, and whether a declared rule can be checked.
//!
//! pipesim evaluates the rules whose answer it can know: `VariableCheck` compares a
//! variable of the execution with a value, and `DeploymentWindow` waits, running, until
//! the simulated clock is inside its cron window (the rule reference: a CloudWatchAlarm
//! rule beside it "might succeed before the deployment window ... opens"). The others (`CloudWatchAlarm`,
//! `LambdaInvoke`, `Commands`, `CodeBuild`) look at things outside the simulator, so
//! they succeed unless a script says otherwise (`Simulator::script_rule`).

use std::time::Duration;

use crate::model::{ErrorDetails, RuleDeclaration, Timestamp};

use super::PipelineEngine;
use super::conditions::RuleOutcome;
use super::deployment_window::DeploymentWindow;
use super::plan::CondKind;
use crate::model::ActionExecutionStatus::{Failed, Succeeded};

/// The operators of `VariableCheck`, as the rule reference lists them.
const OPERATORS: [&str; 4] = ["EQ", "NE", "CONTAINS", "MATCHES"];

/// Whether pipesim can evaluate `rule` as declared: a `VariableCheck`'s operator is
/// known and its `MATCHES` pattern compiles; a `DeploymentWindow`'s cron and time zone
/// parse.
///
/// # Errors
/// One sentence saying what is wrong.
pub(crate) fn check(rule: &RuleDeclaration) -> Result<(), String> {
    match rule.rule_type_id.provider.as_str() {
        "VariableCheck" => {
            let operator = rule.config_value("Operator").unwrap_or_default();
            if !OPERATORS.contains(&operator) {
                return Err(format!(
                    "Operator '{operator}' is not one of {}",
                    OPERATORS.join(", ")
                ));
            }
            if operator == "MATCHES" {
                let pattern = rule.config_value("Value").unwrap_or_default();
                regex_lite::Regex::new(pattern).map_err(|err| {
                    format!("Value '{pattern}' is not a regular expression: {err}")
                })?;
            }
            Ok(())
        }
        "DeploymentWindow" => {
            let cron = rule.config_value("Cron").unwrap_or_default();
            DeploymentWindow::parse(cron, rule.config_value("TimeZone")).map(|_| ())
        }
        _ => Ok(()),
    }
}

/// What a rule found when it was due.
pub(super) enum Verdict {
    /// It ended.
    Ended(RuleOutcome),
    /// It keeps running until then: a deployment window that opens later.
    WaitUntil(Timestamp),
}

impl PipelineEngine {
    /// What rule `rule` of the `kind` condition of the stage `seq` is inside, which
    /// started at `started`, finds now.
    pub(super) fn evaluate_rule(
        &self,
        seq: u64,
        (kind, rule): (CondKind, u8),
        started: Timestamp,
        now: Timestamp,
    ) -> Verdict {
        let exec = &self.executions[&seq];
        let declaration = self.declaration_of(exec);
        let stage = exec.run.as_ref().map_or(0, |run| usize::from(run.stage));
        let declared = kind
            .of(&declaration.stages[stage])
            .and_then(|c| c.rule_list().get(usize::from(rule)));
        let Some(declared) = declared else {
            return Verdict::Ended((Succeeded, None, None));
        };
        match declared.rule_type_id.provider.as_str() {
            "VariableCheck" => {
                let variable = declared.config_value("Variable").unwrap_or_default();
                let resolved = self.resolve_value(declaration, exec, variable);
                Verdict::Ended(variable_check(
                    variable,
                    &resolved,
                    declared.config_value("Operator").unwrap_or_default(),
                    declared.config_value("Value").unwrap_or_default(),
                ))
            }
            "DeploymentWindow" => {
                let cron = declared.config_value("Cron").unwrap_or_default();
                let zone = declared.config_value("TimeZone");
                // Checked when the pipeline was declared; a window that never opens
                // fails rather than waiting for ever.
                let never = || {
                    Verdict::Ended(failed(
                        "OutsideDeploymentWindow",
                        format!(
                            "The deployment window '{cron}' does not open in the next five years"
                        ),
                    ))
                };
                // A declared timeout ends the wait for a window that opens too late.
                let minutes = declared
                    .timeout_in_minutes
                    .and_then(|m| u64::try_from(m).ok());
                let deadline = minutes.map(|m| started.after(Duration::from_secs(m * 60)));
                let window = match DeploymentWindow::parse(cron, zone) {
                    Ok(window) => window,
                    Err(_) => return never(),
                };
                if window.contains(now) {
                    return Verdict::Ended((
                        Succeeded,
                        Some(format!("The deployment window '{cron}' is open")),
                        None,
                    ));
                }
                match (window.next_open(now), deadline) {
                    (Some(open), None) => Verdict::WaitUntil(open),
                    (Some(open), Some(deadline)) if open <= deadline => Verdict::WaitUntil(open),
                    (_, Some(deadline)) if now < deadline => Verdict::WaitUntil(deadline),
                    (_, Some(_)) => Verdict::Ended(failed(
                        "RuleTimedOut",
                        format!(
                            "The deployment window '{cron}' did not open within the rule's {} minutes",
                            minutes.unwrap_or_default()
                        ),
                    )),
                    (None, None) => never(),
                }
            }
            _ => Verdict::Ended((Succeeded, None, None)),
        }
    }
}

/// `VariableCheck`: `resolved` (what `variable` resolved to) against `value`.
fn variable_check(variable: &str, resolved: &str, operator: &str, value: &str) -> RuleOutcome {
    if resolved.contains("#{") {
        return failed(
            "VariableNotFound",
            format!("Variable '{variable}' could not be resolved"),
        );
    }
    let holds = match operator {
        "EQ" => resolved == value,
        "NE" => resolved != value,
        "CONTAINS" => resolved.contains(value),
        "MATCHES" => regex_lite::Regex::new(value).is_ok_and(|re| re.is_match(resolved)),
        _ => false,
    };
    let summary = format!("'{resolved}' {operator} '{value}' is {holds}");
    if holds {
        (Succeeded, Some(summary), None)
    } else {
        failed("VariableCheckFailed", summary)
    }
}

fn failed(code: &str, message: String) -> RuleOutcome {
    let error = ErrorDetails {
        code: code.to_owned(),
        message: message.clone(),
    };
    (Failed, Some(message), Some(error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_check_compares_case_sensitively_with_each_operator() {
        let holds = |resolved: &str, op: &str, value: &str| {
            variable_check("#{v.x}", resolved, op, value).0 == Succeeded
        };
        assert!(holds("main", "EQ", "main"));
        assert!(!holds("Main", "EQ", "main"));
        assert!(holds("main", "NE", "dev"));
        assert!(holds("release/1.2", "CONTAINS", "release/"));
        assert!(holds("v1.2.3", "MATCHES", r"^v\d+\.\d+\.\d+$"));
        assert!(!holds("v1.2", "MATCHES", r"^v\d+\.\d+\.\d+$"));
    }

    #[test]
    fn an_unresolved_variable_fails_the_rule() {
        let (status, _, error) = variable_check("#{variables.X}", "#{variables.X}", "EQ", "a");
        assert_eq!(status, Failed);
        assert_eq!(error.unwrap().code, "VariableNotFound");
    }
}
