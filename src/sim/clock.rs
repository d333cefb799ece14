//! The one clock every timestamp comes from: virtual or real.
//!
//! Virtual time stands still until [`Simulator::advance`](crate::Simulator::advance)
//! moves it. Real time follows `tokio::time::Instant`, so a test that pauses the tokio
//! clock (`#[tokio::test(start_paused = true)]`) gets virtual time that tokio advances
//! by itself whenever every task is idle.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::model::Timestamp;

/// A source of "now" for the simulator.
#[derive(Debug)]
pub(crate) enum Clock {
    /// Moves only when told to; never goes backwards.
    Virtual { now_millis: AtomicU64 },
    /// Wall-clock start plus tokio's monotonic time since.
    Real {
        start: Timestamp,
        origin: tokio::time::Instant,
    },
}

impl Clock {
    pub(crate) fn virtual_at(start: Timestamp) -> Self {
        Self::Virtual {
            now_millis: AtomicU64::new(start.as_millis()),
        }
    }

    pub(crate) fn real(start: Timestamp) -> Self {
        Self::Real {
            start,
            origin: tokio::time::Instant::now(),
        }
    }

    pub(crate) fn is_virtual(&self) -> bool {
        matches!(self, Self::Virtual { .. })
    }

    pub(crate) fn now(&self) -> Timestamp {
        match self {
            Self::Virtual { now_millis } => {
                Timestamp::from_millis(now_millis.load(Ordering::Acquire))
            }
            Self::Real { start, origin } => start.after(origin.elapsed()),
        }
    }

    /// Moves virtual time forward to `to` (never back). Real time ignores it.
    pub(crate) fn advance_to(&self, to: Timestamp) {
        if let Self::Virtual { now_millis } = self {
            now_millis.fetch_max(to.as_millis(), Ordering::AcqRel);
        }
    }

    /// The tokio instant at which real time reaches `at`.
    pub(crate) fn instant_of(&self, at: Timestamp) -> tokio::time::Instant {
        match self {
            Self::Real { start, origin } => *origin + at.since(*start),
            Self::Virtual { .. } => tokio::time::Instant::now() + Duration::from_secs(3600),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_time_never_goes_backwards() {
        let clock = Clock::virtual_at(Timestamp::from_millis(1_000));
        clock.advance_to(Timestamp::from_millis(5_000));
        clock.advance_to(Timestamp::from_millis(2_000));
        assert_eq!(clock.now(), Timestamp::from_millis(5_000));
    }
}
