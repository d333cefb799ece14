//! A rule as installed: the checks a [`FaultRule`] passes when it is added (a known
//! operation, an error that operation can answer, sane numbers), which calls it matches
//! (operation, pipeline glob, scope, window), and the error it answers when it fires.
//!
//! Nothing here takes a lock: [`Faults`](super::Faults) calls it with its state's lock
//! held, or before taking it.

use std::time::Duration;

use crate::error::{Error, ErrorKind};
use crate::model::{Operation, Timestamp};
use crate::sim::rng::Rng;

use super::{Call, FaultRule, FaultRuleStatus, GENERIC_ERRORS, InvalidRule, MAX_LATENCY};

/// A rule as installed, with what it has done so far and its own generator.
pub(super) struct ActiveRule {
    pub(super) status: FaultRuleStatus,
    pub(super) operation: Option<Operation>,
    pub(super) error: Option<&'static str>,
    pub(super) added: Timestamp,
    pub(super) rng: Rng,
}

impl ActiveRule {
    /// Whether `call` is one the rule applies to, at `now`.
    pub(super) fn matches(&self, call: &Call<'_>, now: Timestamp) -> bool {
        let rule = &self.status.rule;
        let since = now.since(self.added).as_secs_f64();
        self.operation.is_none_or(|op| op == call.operation)
            && rule.pipeline.as_deref().is_none_or(|glob| {
                glob == "*" || call.pipeline.is_some_and(|p| glob_match(glob, p))
            })
            && rule.account.as_deref().is_none_or(|a| a == call.account)
            && rule.region.as_deref().is_none_or(|r| r == call.region)
            && rule.from_seconds.is_none_or(|from| since >= from)
            && rule.until_seconds.is_none_or(|until| since < until)
    }
}

/// The error a firing rule answers.
pub(super) fn injected(error_type: &'static str, rule: &FaultRule, id: &str) -> Error {
    let message = rule.message.clone().unwrap_or_else(|| match error_type {
        "ThrottlingException" => "Rate exceeded".to_owned(),
        "InternalFailure" => {
            "The request processing has failed because of an unknown error, exception or failure."
                .to_owned()
        }
        "ServiceUnavailable" => "Service is unavailable. Please retry.".to_owned(),
        other => format!("{other} injected by pipesim fault rule {id}"),
    });
    let error = Error::from_type(error_type, message).expect("checked when the rule was added");
    match rule.status {
        Some(status) if status != error.http_status() => Error::WithStatus {
            error: Box::new(error),
            status,
        },
        _ => error,
    }
}

/// The operation a rule or limit names; `None` for any.
pub(super) fn operation_of(name: Option<&str>) -> Result<Option<Operation>, InvalidRule> {
    match name {
        None | Some("*") => Ok(None),
        Some(name) => Operation::from_name(name).map(Some).ok_or_else(|| {
            let known: Vec<&str> = Operation::ALL.iter().map(|op| op.name()).collect();
            InvalidRule(format!(
                "operation '{name}' is not one pipesim serves: {} (or '*')",
                known.join(", ")
            ))
        }),
    }
}

/// Checks a rule's fields; answers the error's static shape name.
pub(super) fn check_rule(
    rule: &FaultRule,
    operation: Option<Operation>,
) -> Result<Option<&'static str>, InvalidRule> {
    let invalid = |why: String| Err(InvalidRule(why));
    if rule.error.is_none() && rule.latency_ms.is_none() {
        return invalid("a rule needs an error, a latencyMs, or both".into());
    }
    if let Some(p) = rule.probability
        && !(0.0..=1.0).contains(&p)
    {
        return invalid(format!("probability must be between 0 and 1, not {p}"));
    }
    if rule.times == Some(0) {
        return invalid("times must be at least 1".into());
    }
    if let Some(status) = rule.status {
        if !(400..=599).contains(&status) {
            return invalid(format!(
                "status must be an HTTP error status (400 to 599), not {status}"
            ));
        }
        if rule.error.is_none() {
            return invalid("status needs an error to answer with".into());
        }
    }
    if rule
        .latency_ms
        .is_some_and(|ms| Duration::from_millis(ms) > MAX_LATENCY)
    {
        return invalid(format!(
            "latencyMs must be at most {}",
            MAX_LATENCY.as_millis()
        ));
    }
    for (name, value) in [
        ("fromSeconds", rule.from_seconds),
        ("untilSeconds", rule.until_seconds),
    ] {
        if value.is_some_and(|v| !(v >= 0.0 && v.is_finite())) {
            return invalid(format!("{name} must be a number of seconds, at least 0"));
        }
    }
    if let (Some(from), Some(until)) = (rule.from_seconds, rule.until_seconds)
        && from >= until
    {
        return invalid(format!(
            "fromSeconds ({from}) must come before untilSeconds ({until})"
        ));
    }
    if let Some(glob) = &rule.pipeline
        && glob.is_empty()
    {
        return invalid("pipeline must not be empty; leave it out to match any".into());
    }
    let Some(error) = &rule.error else {
        return Ok(None);
    };
    let allowed: Vec<&'static str> = match operation {
        Some(op) => op
            .modeled_errors()
            .iter()
            .map(|kind| kind.name())
            .chain(GENERIC_ERRORS)
            .collect(),
        None => ErrorKind::ALL
            .iter()
            .filter(|kind| {
                GENERIC_ERRORS.contains(&kind.name())
                    || Operation::ALL
                        .iter()
                        .any(|op| op.modeled_errors().contains(kind))
            })
            .map(|kind| kind.name())
            .collect(),
    };
    match allowed.iter().find(|t| **t == error.as_str()) {
        Some(found) => Ok(Some(found)),
        None => invalid(format!(
            "error '{error}' is not one {} can answer: {}",
            operation.map_or("any operation".to_owned(), |op| op.name().to_owned()),
            allowed.join(", ")
        )),
    }
}

/// Whether `name` matches `glob`, where `*` is any run of characters and `?` any one.
pub(crate) fn glob_match(glob: &str, name: &str) -> bool {
    let (glob, name): (Vec<char>, Vec<char>) = (glob.chars().collect(), name.chars().collect());
    // Iterative wildcard matching with backtracking to the last `*`.
    let (mut g, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if g < glob.len() && (glob[g] == '?' || glob[g] == name[n]) {
            g += 1;
            n += 1;
        } else if g < glob.len() && glob[g] == '*' {
            star = Some((g, n));
            g += 1;
        } else if let Some((star_g, star_n)) = star {
            g = star_g + 1;
            n = star_n + 1;
            star = Some((star_g, star_n + 1));
        } else {
            return false;
        }
    }
    glob[g..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::Faults;

    #[test]
    fn globs_match_stars_and_single_characters() {
        assert!(glob_match("deploy-*", "deploy-web"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a?c", "abc"));
        assert!(glob_match("*-prod-*", "web-prod-eu"));
        assert!(!glob_match("deploy-*", "build-web"));
        assert!(!glob_match("a?c", "ac"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exactly"));
    }

    #[test]
    fn rules_are_checked_when_added() {
        let faults = Faults::new(1);
        let now = Timestamp::from_millis(0);
        let cases = [
            (
                FaultRule::default(),
                "a rule needs an error, a latencyMs, or both",
            ),
            (
                FaultRule::error("PipelineNotFoundException").operation("ListPipelines"),
                "error 'PipelineNotFoundException' is not one ListPipelines can answer",
            ),
            (
                FaultRule::error("NoSuchThing"),
                "error 'NoSuchThing' is not one any operation can answer",
            ),
            (
                FaultRule::error("ThrottlingException").operation("Launch"),
                "operation 'Launch' is not one pipesim serves",
            ),
            (
                FaultRule::error("ThrottlingException").probability(1.5),
                "probability must be between 0 and 1",
            ),
            (
                FaultRule::error("ThrottlingException").times(0),
                "times must be at least 1",
            ),
        ];
        for (rule, expected) in cases {
            let err = faults.add_rule(rule, now).unwrap_err();
            assert!(err.0.starts_with(expected), "{}", err.0);
        }
        assert!(!faults.armed(), "no rule was installed");
    }
}
