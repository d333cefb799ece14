//! [`Faults`]: the rules and limits installed in one simulator. Adding, listing,
//! removing and clearing them; judging every call (rate limits first, then rules in the
//! order they were added); and saving them to, and restoring them from, a state file's
//! snapshot.
//!
//! Locks: one, the `state` mutex (`parking_lot`), never held across `.await`.
//! - [`Faults::check`] holds it for the whole judgement of one call, so the buckets,
//!   counters and generators of one call change together;
//! - every add, remove and clear holds it for the change and stores `armed` under it, so
//!   the lock-free fast path ([`Faults::armed`]) never says "nothing installed" while
//!   something is;
//! - [`Faults::restore`] takes it once per saved rule or limit and once at the end: it
//!   is for a simulator being restored from a state file, which serves no call yet.
//!
//! Rules and limits are checked (`rules.rs`, `bucket.rs`) before the lock is taken.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::Timestamp;
use crate::sim::rng::Rng;

use super::bucket::{ActiveLimit, checked_burst};
use super::rules::{ActiveRule, check_rule, injected, operation_of};
use super::{Call, FaultRule, FaultRuleStatus, InvalidRule, RateLimit, RateLimitStatus, Verdict};

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
        let burst = checked_burst(&limit)?;
        let mut state = self.state.lock();
        state.next_limit += 1;
        let id = format!("limit-{}", state.next_limit);
        state.limits.push(ActiveLimit::new(
            RateLimitStatus {
                id: id.clone(),
                limit,
                allowed: 0,
                throttled: 0,
            },
            operation,
            burst,
        ));
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
            if !limit.take(call, now) {
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
