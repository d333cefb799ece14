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
//!
//! | file | what it owns |
//! |---|---|
//! | `mod.rs` | the rule and limit types of the admin API and scenario files, and their statuses |
//! | `rules.rs` | a rule as installed: its checks when added, which calls it matches, the error it answers |
//! | `bucket.rs` | the token bucket of a rate limit: its checks when added, refill and take |
//! | `runtime.rs` | `Faults`, a simulator's installed rules and limits: add, remove, check a call, save and restore |
//!
//! One lock guards it all: the `Mutex` inside `Faults`, described in `runtime.rs`.

mod bucket;
mod rules;
mod runtime;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::Operation;

pub(crate) use runtime::{Faults, SavedFaults};

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
