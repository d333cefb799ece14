//! Small value types shared by every layer: [`Timestamp`] and [`ExecutionId`].

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

/// A point in (simulated) time, in milliseconds since the Unix epoch.
///
/// On the wire it is a JSON number of epoch seconds with a fraction
/// (`1732460000.123`), as AWS JSON 1.1 sends timestamps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(u64);

impl Timestamp {
    /// A moment that never comes: the due time of an action held until it is finished on
    /// demand.
    pub const NEVER: Timestamp = Timestamp(u64::MAX);

    /// The moment `millis` milliseconds after the Unix epoch.
    pub const fn from_millis(millis: u64) -> Self {
        Self(millis)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Seconds since the Unix epoch, with a fraction: the wire form.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// The wall-clock moment `time`, truncated to milliseconds.
    pub fn from_system_time(time: SystemTime) -> Self {
        let since = time.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
        Self(u64::try_from(since.as_millis()).unwrap_or(u64::MAX))
    }

    /// This moment as a [`SystemTime`].
    pub fn to_system_time(self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.0)
    }

    /// The moment `duration` later, saturating at the end of time.
    pub fn after(self, duration: Duration) -> Self {
        let millis = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        Self(self.0.saturating_add(millis))
    }

    /// How long after `earlier` this moment is (zero if it is not later).
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }

    /// This moment in UTC as RFC 3339 to the second (`2026-11-26T06:28:01Z`), the form
    /// of the date variables source actions output.
    pub fn to_rfc3339(self) -> String {
        let t = self.to_utc().unwrap_or(DateTime::<Utc>::MAX_UTC);
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }

    /// This moment on chrono's calendar, the one calendar of the crate (RFC 3339 dates
    /// here, deployment windows in the engine); `None` past the year 262143.
    pub(crate) fn to_utc(self) -> Option<DateTime<Utc>> {
        i64::try_from(self.0)
            .ok()
            .and_then(DateTime::from_timestamp_millis)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.as_secs_f64())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let secs = f64::deserialize(deserializer)?;
        if !secs.is_finite() || secs < 0.0 {
            return Err(serde::de::Error::custom(
                "timestamp must be non-negative epoch seconds",
            ));
        }
        Ok(Self((secs * 1000.0).round() as u64))
    }
}

/// The id of one pipeline execution: a lowercase v4 UUID on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExecutionId(Uuid);

impl ExecutionId {
    /// Wraps a UUID.
    pub const fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    /// The UUID inside.
    pub const fn as_uuid(self) -> Uuid {
        self.0
    }
}

impl fmt::Display for ExecutionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// Execution ids travel as their lowercase hyphenated form.
impl Serialize for ExecutionId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ExecutionId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse()
            .map_err(|_| serde::de::Error::custom("an execution id is a lowercase UUID"))
    }
}

/// The error of parsing an [`ExecutionId`] that is not a lowercase hyphenated UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a lowercase hyphenated uuid")]
pub struct ParseExecutionIdError;

impl FromStr for ExecutionId {
    type Err = ParseExecutionIdError;

    /// Accepts exactly the model's pattern
    /// `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if !is_lowercase_uuid(s) {
            return Err(ParseExecutionIdError);
        }
        Uuid::parse_str(s)
            .map(Self)
            .map_err(|_| ParseExecutionIdError)
    }
}

/// Whether `s` matches `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`.
pub(crate) fn is_lowercase_uuid(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_travel_as_epoch_seconds_with_fraction() {
        let t = Timestamp::from_millis(1_732_460_000_123);
        assert_eq!(serde_json::to_string(&t).unwrap(), "1732460000.123");
        let back: Timestamp = serde_json::from_str("1732460000.123").unwrap();
        assert_eq!(back, t);
    }

    #[test]
    fn execution_ids_must_be_lowercase_uuids() {
        let id: ExecutionId = "3137f7cb-7cf7-4c21-9e55-0123456789ab".parse().unwrap();
        assert_eq!(id.to_string(), "3137f7cb-7cf7-4c21-9e55-0123456789ab");
        assert!(
            "3137F7CB-7CF7-4C21-9E55-0123456789AB"
                .parse::<ExecutionId>()
                .is_err()
        );
        assert!(
            "3137f7cb7cf74c219e550123456789ab"
                .parse::<ExecutionId>()
                .is_err()
        );
        assert!("".parse::<ExecutionId>().is_err());
    }

    #[test]
    fn timestamps_format_as_rfc3339_in_utc() {
        assert_eq!(
            Timestamp::from_millis(0).to_rfc3339(),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(
            Timestamp::from_millis(1_795_674_481_999).to_rfc3339(),
            "2026-11-26T06:28:01Z"
        );
        assert_eq!(
            Timestamp::from_millis(951_782_400_000).to_rfc3339(),
            "2000-02-29T00:00:00Z"
        );
    }
}
