//! The token bucket of a rate limit: the checks a [`RateLimit`] passes when it is added
//! (a positive rate, a burst of at least one), and one bucket per key (the operation,
//! the account or the pipeline, as the limit says) that refills by the simulator's clock
//! and gives one token per call.
//!
//! Nothing here takes a lock: [`Faults`](super::Faults) calls it with its state's lock
//! held, or before taking it.

use std::collections::HashMap;

use crate::model::{Operation, Timestamp};

use super::{Call, InvalidRule, LimitPer, RateLimit, RateLimitStatus};

/// A rate limit as installed, with its buckets and what it has done so far.
pub(super) struct ActiveLimit {
    pub(super) status: RateLimitStatus,
    pub(super) operation: Option<Operation>,
    burst: f64,
    buckets: HashMap<String, Bucket>,
}

struct Bucket {
    tokens: f64,
    at: Timestamp,
}

/// Checks a limit's rate and burst; answers the burst its buckets hold.
pub(super) fn checked_burst(limit: &RateLimit) -> Result<f64, InvalidRule> {
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
    Ok(burst)
}

impl ActiveLimit {
    /// A limit with no bucket yet: each starts full when its first call comes.
    pub(super) fn new(status: RateLimitStatus, operation: Option<Operation>, burst: f64) -> Self {
        Self {
            status,
            operation,
            burst,
            buckets: HashMap::new(),
        }
    }

    /// Refills the bucket `call` counts against for the time since its last call, and
    /// takes a token from it: true when there was one, false when the call is throttled.
    pub(super) fn take(&mut self, call: &Call<'_>, now: Timestamp) -> bool {
        let key = match self.status.limit.per {
            LimitPer::Operation => String::new(),
            LimitPer::Account => format!("{}/{}", call.account, call.region),
            LimitPer::Pipeline => format!(
                "{}/{}/{}",
                call.account,
                call.region,
                call.pipeline.unwrap_or_default()
            ),
        };
        let burst = self.burst;
        let bucket = self.buckets.entry(key).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let refill = now.since(bucket.at).as_secs_f64() * self.status.limit.rate_per_second;
        bucket.tokens = (bucket.tokens + refill).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            self.status.allowed += 1;
            true
        } else {
            self.status.throttled += 1;
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(per: LimitPer, rate: f64, burst: f64) -> ActiveLimit {
        let limit = RateLimit::new(rate).burst(burst).per(per);
        let burst = checked_burst(&limit).unwrap();
        let status = RateLimitStatus {
            id: "limit-1".into(),
            limit,
            allowed: 0,
            throttled: 0,
        };
        ActiveLimit::new(status, None, burst)
    }

    fn call(pipeline: &str) -> Call<'_> {
        Call {
            operation: Operation::StartPipelineExecution,
            pipeline: Some(pipeline),
            account: "123456789012",
            region: "us-east-1",
        }
    }

    #[test]
    fn a_bucket_gives_its_burst_then_refills_with_the_clock() {
        let mut limit = limit(LimitPer::Operation, 2.0, 3.0);
        let at = Timestamp::from_millis;
        let taken: Vec<bool> = (0..4).map(|_| limit.take(&call("A"), at(0))).collect();
        assert_eq!(taken, [true, true, true, false]);
        // Half a second at two per second is one token, and never more than the burst.
        assert!(limit.take(&call("A"), at(500)));
        assert!(!limit.take(&call("A"), at(500)));
        assert_eq!((limit.status.allowed, limit.status.throttled), (4, 2));
        for _ in 0..3 {
            assert!(limit.take(&call("A"), at(60_000)));
        }
        assert!(!limit.take(&call("A"), at(60_000)));
    }

    #[test]
    fn per_pipeline_limits_keep_one_bucket_per_pipeline() {
        let mut limit = limit(LimitPer::Pipeline, 1.0, 1.0);
        let now = Timestamp::from_millis(0);
        assert!(limit.take(&call("A"), now));
        assert!(!limit.take(&call("A"), now));
        assert!(limit.take(&call("B"), now));
    }

    #[test]
    fn rates_and_bursts_are_checked_when_added() {
        let err = checked_burst(&RateLimit::new(0.0)).unwrap_err();
        assert!(err.0.starts_with("ratePerSecond must be a positive number"));
        let err = checked_burst(&RateLimit::new(1.0).burst(0.5)).unwrap_err();
        assert!(err.0.starts_with("burst must be at least 1"));
        assert_eq!(checked_burst(&RateLimit::new(0.5)), Ok(1.0));
        assert_eq!(checked_burst(&RateLimit::new(5.0)), Ok(5.0));
    }
}
