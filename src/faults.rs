//! Rehearsing a misbehaving CodePipeline: fault rules and rate limits.
//!
//! A [`FaultRule`] matches calls by operation, pipeline name (exact or glob), account and
//! region, and acts on them: it answers an error, adds latency, or both. It fires with a
//! probability, for the next N matching calls, after the first K, or inside a window of
//! simulated time. A [`RateLimit`] is a token bucket per operation, optionally per
//! pipeline or account; calls beyond it answer `ThrottlingException: Rate exceeded`, as
//! CodePipeline does under fan-out.
//!
//! Rules apply to the embedded API and the wire alike: [`Simulator`](crate::Simulator)
//! checks them at the start of every operation, before validation, as a service's front
//! door would. Each rule draws from its own generator, derived from the simulator's seed
//! and the rule's id, and buckets refill by the simulator's clock, so a scenario with the
//! same seed and the same sequence of calls replays exactly, in virtual time too.
//!
//! When no rule or limit is installed, the check is one atomic load.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::{Operation, Timestamp};
use crate::sim::rng::Rng;

/// Errors every operation may answer besides its modeled ones: the service's own
/// failures, which the SDKs retry.
pub const GENERIC_ERRORS: [&str; 3] = [
    "ThrottlingException",
    "InternalFailure",
    "ServiceUnavailable",
];

/// The longest latency a rule may add: ten minutes.
pub const MAX_LATENCY: Duration = Duration::from_secs(600);

/// A fault rule, with the field names of the admin API and scenario files.
///
/// Every field but one of `error` and `latency_ms` is optional: `operation` and
/// `pipeline` default to any, `probability` to 1.
///
/// ```
/// use pipesim::faults::FaultRule;
///
/// // The next three starts of any pipeline whose name starts with "deploy-" are throttled.
/// let rule = FaultRule::error("ThrottlingException")
///     .operation("StartPipelineExecution")
///     .pipeline("deploy-*")
///     .times(3);
/// # let _ = rule;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    /// The operation's name (`StartPipelineExecution`), or `*`; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// A pipeline name, or a glob with `*` and `?`; any when absent. Calls that name no
    /// pipeline (`ListPipelines`) match only rules without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<String>,
    /// Only calls in this account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Only calls in this region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The error to answer, by shape name: one the operation's model lists, or
    /// `ThrottlingException`, `InternalFailure` (500) or `ServiceUnavailable` (503).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The error's message; a default one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The HTTP status to answer the error with; the error's own when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Chance (0 to 1) that a matching call is hit; 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Fire at most this many times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// Let the first this-many matching calls through untouched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
    /// Latency to add before answering, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Active from this many seconds of simulated time after the rule is added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_seconds: Option<f64>,
    /// Active until this many seconds of simulated time after the rule is added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_seconds: Option<f64>,
}

impl FaultRule {
    /// A rule that answers `error_type` (for example `ThrottlingException`).
    pub fn error(error_type: &str) -> Self {
        Self {
            error: Some(error_type.to_owned()),
            ..Self::default()
        }
    }

    /// A rule that only adds latency.
    pub fn latency(latency: Duration) -> Self {
        Self {
            latency_ms: Some(latency.as_millis().try_into().unwrap_or(u64::MAX)),
            ..Self::default()
        }
    }

    /// Only calls of this operation.
    pub fn operation(mut self, operation: &str) -> Self {
        self.operation = Some(operation.to_owned());
        self
    }

    /// Only calls naming a pipeline that matches this name or glob.
    pub fn pipeline(mut self, glob: &str) -> Self {
        self.pipeline = Some(glob.to_owned());
        self
    }

    /// Only calls in this account and region.
    pub fn scope(mut self, account: &str, region: &str) -> Self {
        self.account = Some(account.to_owned());
        self.region = Some(region.to_owned());
        self
    }

    /// The error's message.
    pub fn message(mut self, message: &str) -> Self {
        self.message = Some(message.to_owned());
        self
    }

    /// The chance that a matching call is hit.
    pub fn probability(mut self, probability: f64) -> Self {
        self.probability = Some(probability);
        self
    }

    /// Fire at most `times` times.
    pub fn times(mut self, times: u64) -> Self {
        self.times = Some(times);
        self
    }

    /// Let the first `calls` matching calls through.
    pub fn after(mut self, calls: u64) -> Self {
        self.after = Some(calls);
        self
    }
}

/// What a rule or limit has done so far, as `GET /_pipesim/faults` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRuleStatus {
    /// The rule's id, `fault-1`, `fault-2`, ... in the order rules were added.
    pub id: String,
    /// The rule as added.
    #[serde(flatten)]
    pub rule: FaultRule,
    /// Calls that matched its operation, pipeline, scope and window.
    pub matched: u64,
    /// Calls it acted on.
    pub fired: u64,
}

/// What a rate limit is counted per.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LimitPer {
    /// One bucket for all calls of the operation.
    #[default]
    Operation,
    /// One bucket per pipeline name (and account and region).
    Pipeline,
    /// One bucket per account and region.
    Account,
}

/// A token bucket: `burst` calls at once, refilled at `rate_per_second`.
///
/// ```
/// use pipesim::faults::RateLimit;
///
/// // CodePipeline-like: five starts per second, five at once, per account.
/// let limit = RateLimit::new(5.0).operation("StartPipelineExecution").burst(5.0);
/// # let _ = limit;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RateLimit {
    /// The operation's name, or `*`; every operation when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Calls per second the bucket refills with.
    pub rate_per_second: f64,
    /// Calls the bucket holds; `ratePerSecond` (at least 1) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst: Option<f64>,
    /// One bucket per operation (default), per pipeline, or per account.
    #[serde(default)]
    pub per: LimitPer,
}

impl RateLimit {
    /// A limit of `rate_per_second` on every operation.
    pub fn new(rate_per_second: f64) -> Self {
        Self {
            rate_per_second,
            ..Self::default()
        }
    }

    /// Only this operation.
    pub fn operation(mut self, operation: &str) -> Self {
        self.operation = Some(operation.to_owned());
        self
    }

    /// The bucket's size.
    pub fn burst(mut self, burst: f64) -> Self {
        self.burst = Some(burst);
        self
    }

    /// What the bucket is counted per.
    pub fn per(mut self, per: LimitPer) -> Self {
        self.per = per;
        self
    }
}

/// What a rate limit has done so far.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimitStatus {
    /// The limit's id, `limit-1`, `limit-2`, ...
    pub id: String,
    /// The limit as added.
    #[serde(flatten)]
    pub limit: RateLimit,
    /// Calls it let through.
    pub allowed: u64,
    /// Calls it throttled.
    pub throttled: u64,
}

/// A rule or limit that cannot be installed, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidRule(pub String);

/// One call, as rules see it.
pub(crate) struct Call<'a> {
    pub(crate) operation: Operation,
    pub(crate) pipeline: Option<&'a str>,
    pub(crate) account: &'a str,
    pub(crate) region: &'a str,
}

/// What the rules decided about one call.
#[derive(Debug, Default)]
pub(crate) struct Verdict {
    pub(crate) latency: Duration,
    pub(crate) error: Option<Error>,
}

struct ActiveRule {
    status: FaultRuleStatus,
    operation: Option<Operation>,
    error: Option<&'static str>,
    added: Timestamp,
    rng: Rng,
}

struct ActiveLimit {
    status: RateLimitStatus,
    operation: Option<Operation>,
    burst: f64,
    buckets: HashMap<String, Bucket>,
}

struct Bucket {
    tokens: f64,
    at: Timestamp,
}

#[derive(Default)]
struct State {
    rules: Vec<ActiveRule>,
    limits: Vec<ActiveLimit>,
    next_rule: u64,
    next_limit: u64,
}

/// The rules and limits of a simulator as a state file's snapshot holds them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SavedFaults {
    next_rule: u64,
    next_limit: u64,
    /// Id, rule, and when it was added.
    rules: Vec<(String, FaultRule, Timestamp)>,
    /// Id and limit.
    limits: Vec<(String, RateLimit)>,
}

/// Every installed rule and limit of one simulator.
pub(crate) struct Faults {
    seed: u64,
    /// Whether any rule or limit is installed: the fast path's one load.
    armed: AtomicBool,
    /// Held only while a call is judged or a rule is added; never across `.await`.
    state: Mutex<State>,
}

impl Faults {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            seed,
            armed: AtomicBool::new(false),
            state: Mutex::new(State::default()),
        }
    }

    pub(crate) fn armed(&self) -> bool {
        self.armed.load(Ordering::Acquire)
    }

    fn rearm(&self, state: &State) {
        let armed = !state.rules.is_empty() || !state.limits.is_empty();
        self.armed.store(armed, Ordering::Release);
    }

    pub(crate) fn add_rule(&self, rule: FaultRule, now: Timestamp) -> Result<String, InvalidRule> {
        let operation = operation_of(rule.operation.as_deref())?;
        let error = check_rule(&rule, operation)?;
        let mut state = self.state.lock();
        state.next_rule += 1;
        let id = format!("fault-{}", state.next_rule);
        let rng = Rng::derive(self.seed, &[b"fault", id.as_bytes()]);
        state.rules.push(ActiveRule {
            status: FaultRuleStatus {
                id: id.clone(),
                rule,
                matched: 0,
                fired: 0,
            },
            operation,
            error,
            added: now,
            rng,
        });
        self.rearm(&state);
        Ok(id)
    }

    pub(crate) fn rules(&self) -> Vec<FaultRuleStatus> {
        self.state
            .lock()
            .rules
            .iter()
            .map(|r| r.status.clone())
            .collect()
    }

    pub(crate) fn remove_rule(&self, id: &str) -> bool {
        let mut state = self.state.lock();
        let before = state.rules.len();
        state.rules.retain(|r| r.status.id != id);
        self.rearm(&state);
        state.rules.len() != before
    }

    pub(crate) fn clear_rules(&self) {
        let mut state = self.state.lock();
        state.rules.clear();
        self.rearm(&state);
    }

    /// Numbers rules and limits from 1 again, as in a fresh simulator.
    pub(crate) fn reset_ids(&self) {
        let mut state = self.state.lock();
        state.next_rule = 0;
        state.next_limit = 0;
    }

    pub(crate) fn add_limit(&self, limit: RateLimit) -> Result<String, InvalidRule> {
        let operation = operation_of(limit.operation.as_deref())?;
        if !(limit.rate_per_second > 0.0 && limit.rate_per_second.is_finite()) {
            return Err(InvalidRule(format!(
                "ratePerSecond must be a positive number, not {}",
                limit.rate_per_second
            )));
        }
        let burst = limit.burst.unwrap_or(limit.rate_per_second.max(1.0));
        if !(burst >= 1.0 && burst.is_finite()) {
            return Err(InvalidRule(format!(
                "burst must be at least 1, not {burst}"
            )));
        }
        let mut state = self.state.lock();
        state.next_limit += 1;
        let id = format!("limit-{}", state.next_limit);
        state.limits.push(ActiveLimit {
            status: RateLimitStatus {
                id: id.clone(),
                limit,
                allowed: 0,
                throttled: 0,
            },
            operation,
            burst,
            buckets: HashMap::new(),
        });
        self.rearm(&state);
        Ok(id)
    }

    pub(crate) fn limits(&self) -> Vec<RateLimitStatus> {
        self.state
            .lock()
            .limits
            .iter()
            .map(|l| l.status.clone())
            .collect()
    }

    pub(crate) fn remove_limit(&self, id: &str) -> bool {
        let mut state = self.state.lock();
        let before = state.limits.len();
        state.limits.retain(|l| l.status.id != id);
        self.rearm(&state);
        state.limits.len() != before
    }

    pub(crate) fn clear_limits(&self) {
        let mut state = self.state.lock();
        state.limits.clear();
        self.rearm(&state);
    }

    /// The installed rules and limits, for a state file's snapshot. Their counters and
    /// buckets are not kept: they start again from zero and full after a restart.
    pub(crate) fn save(&self) -> SavedFaults {
        let state = self.state.lock();
        SavedFaults {
            next_rule: state.next_rule,
            next_limit: state.next_limit,
            rules: state
                .rules
                .iter()
                .map(|r| (r.status.id.clone(), r.status.rule.clone(), r.added))
                .collect(),
            limits: state
                .limits
                .iter()
                .map(|l| (l.status.id.clone(), l.status.limit.clone()))
                .collect(),
        }
    }

    /// Installs saved rules and limits under their own ids.
    pub(crate) fn restore(&self, saved: SavedFaults) -> Result<(), InvalidRule> {
        let number = |id: &str| -> u64 {
            id.rsplit('-')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(1)
        };
        for (id, rule, added) in saved.rules {
            self.state.lock().next_rule = number(&id).saturating_sub(1);
            self.add_rule(rule, added)?;
        }
        for (id, limit) in saved.limits {
            self.state.lock().next_limit = number(&id).saturating_sub(1);
            self.add_limit(limit)?;
        }
        let mut state = self.state.lock();
        state.next_rule = saved.next_rule;
        state.next_limit = saved.next_limit;
        Ok(())
    }

    /// Judges one call: rate limits first (a throttled call goes no further), then the
    /// rules in the order they were added. Latencies of every rule that fires add up;
    /// the first rule that answers an error ends the check.
    pub(crate) fn check(&self, call: &Call<'_>, now: Timestamp) -> Verdict {
        let mut state = self.state.lock();
        for limit in &mut state.limits {
            if limit.operation.is_some_and(|op| op != call.operation) {
                continue;
            }
            let key = match limit.status.limit.per {
                LimitPer::Operation => String::new(),
                LimitPer::Account => format!("{}/{}", call.account, call.region),
                LimitPer::Pipeline => format!(
                    "{}/{}/{}",
                    call.account,
                    call.region,
                    call.pipeline.unwrap_or_default()
                ),
            };
            let burst = limit.burst;
            let bucket = limit.buckets.entry(key).or_insert(Bucket {
                tokens: burst,
                at: now,
            });
            let refill = now.since(bucket.at).as_secs_f64() * limit.status.limit.rate_per_second;
            bucket.tokens = (bucket.tokens + refill).min(burst);
            bucket.at = now;
            if bucket.tokens >= 1.0 {
                bucket.tokens -= 1.0;
                limit.status.allowed += 1;
            } else {
                limit.status.throttled += 1;
                return Verdict {
                    latency: Duration::ZERO,
                    error: Some(Error::Throttling("Rate exceeded".into())),
                };
            }
        }
        let mut verdict = Verdict::default();
        for rule in &mut state.rules {
            if !rule.matches(call, now) {
                continue;
            }
            rule.status.matched += 1;
            let spec = &rule.status.rule;
            if spec.after.is_some_and(|after| rule.status.matched <= after)
                || spec.times.is_some_and(|times| rule.status.fired >= times)
                || !rule.rng.chance(spec.probability.unwrap_or(1.0))
            {
                continue;
            }
            rule.status.fired += 1;
            verdict.latency += Duration::from_millis(spec.latency_ms.unwrap_or(0));
            if let Some(error_type) = rule.error {
                verdict.error = Some(injected(error_type, spec, &rule.status.id));
                break;
            }
        }
        verdict
    }
}

impl ActiveRule {
    fn matches(&self, call: &Call<'_>, now: Timestamp) -> bool {
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
fn injected(error_type: &'static str, rule: &FaultRule, id: &str) -> Error {
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

fn operation_of(name: Option<&str>) -> Result<Option<Operation>, InvalidRule> {
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
fn check_rule(
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
        None => Error::TYPES
            .iter()
            .copied()
            .filter(|t| {
                GENERIC_ERRORS.contains(t)
                    || Operation::ALL
                        .iter()
                        .any(|op| op.modeled_errors().iter().any(|kind| kind.name() == *t))
            })
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
