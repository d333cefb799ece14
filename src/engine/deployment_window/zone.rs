//! The time zone of a deployment window, in the three formats the rule's page lists:
//! a Region/City name from the IANA database (with its daylight-saving rules), `UTC` or
//! `UTC+HH:MM` / `UTC-HH:MM` (the default is `UTC`), or a 3 to 5 letter abbreviation.
//!
//! For abbreviations the page links to a table of Java time-zone ids and warns that some
//! abbreviations are ambiguous ("CST for Central Standard Time, China Standard Time, and
//! Cuba Standard Time"). pipesim reads them as Java's short ids do, which is that table:
//! so `CST` is America/Chicago, `PST` is America/Los_Angeles (daylight saving included),
//! `EST`, `MST` and `HST` are fixed offsets, and `BST` is Bangladesh, not British Summer
//! Time. Java has no daylight-time abbreviations (`EDT`, `PDT`, `CEST`...); pipesim adds
//! the common ones as the fixed offsets they name. Any other IANA name of 3 to 5 letters
//! (`GMT`, `CET`, `EET`, `WET`, `Japan`...) is read from the IANA database.

use chrono::{FixedOffset, LocalResult, NaiveDateTime, TimeDelta, TimeZone};
use chrono_tz::Tz;

/// Where local time comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Zone {
    /// `UTC`, `UTC±HH:MM` and the fixed abbreviations: local time never jumps.
    Fixed(FixedOffset),
    /// An IANA zone: local time may skip forward or repeat when its offset changes.
    Region(Tz),
}

/// What an abbreviation stands for.
enum Meaning {
    Region(Tz),
    /// Minutes east of UTC.
    Offset(i32),
}

/// Java's short zone ids (`ZoneId.SHORT_IDS`), the abbreviations of the table the docs
/// link to, then the daylight-time abbreviations pipesim adds.
const ABBREVIATIONS: &[(&str, Meaning)] = &[
    ("ACT", Meaning::Region(Tz::Australia__Darwin)),
    ("AET", Meaning::Region(Tz::Australia__Sydney)),
    ("AGT", Meaning::Region(Tz::America__Argentina__Buenos_Aires)),
    ("ART", Meaning::Region(Tz::Africa__Cairo)),
    ("AST", Meaning::Region(Tz::America__Anchorage)),
    ("BET", Meaning::Region(Tz::America__Sao_Paulo)),
    ("BST", Meaning::Region(Tz::Asia__Dhaka)),
    ("CAT", Meaning::Region(Tz::Africa__Harare)),
    ("CNT", Meaning::Region(Tz::America__St_Johns)),
    ("CST", Meaning::Region(Tz::America__Chicago)),
    ("CTT", Meaning::Region(Tz::Asia__Shanghai)),
    ("EAT", Meaning::Region(Tz::Africa__Addis_Ababa)),
    ("ECT", Meaning::Region(Tz::Europe__Paris)),
    ("IET", Meaning::Region(Tz::America__Indiana__Indianapolis)),
    ("IST", Meaning::Region(Tz::Asia__Kolkata)),
    ("JST", Meaning::Region(Tz::Asia__Tokyo)),
    ("MIT", Meaning::Region(Tz::Pacific__Apia)),
    ("NET", Meaning::Region(Tz::Asia__Yerevan)),
    ("NST", Meaning::Region(Tz::Pacific__Auckland)),
    ("PLT", Meaning::Region(Tz::Asia__Karachi)),
    ("PNT", Meaning::Region(Tz::America__Phoenix)),
    ("PRT", Meaning::Region(Tz::America__Puerto_Rico)),
    ("PST", Meaning::Region(Tz::America__Los_Angeles)),
    ("SST", Meaning::Region(Tz::Pacific__Guadalcanal)),
    ("VST", Meaning::Region(Tz::Asia__Ho_Chi_Minh)),
    ("EST", Meaning::Offset(-5 * 60)),
    ("MST", Meaning::Offset(-7 * 60)),
    ("HST", Meaning::Offset(-10 * 60)),
    // Not in Java's table; each is the offset its name spells out, all year round.
    ("EDT", Meaning::Offset(-4 * 60)),
    ("CDT", Meaning::Offset(-5 * 60)),
    ("MDT", Meaning::Offset(-6 * 60)),
    ("PDT", Meaning::Offset(-7 * 60)),
    ("AKST", Meaning::Offset(-9 * 60)),
    ("AKDT", Meaning::Offset(-8 * 60)),
    ("WEST", Meaning::Offset(60)),
    ("CEST", Meaning::Offset(2 * 60)),
    ("EEST", Meaning::Offset(3 * 60)),
    ("AEST", Meaning::Offset(10 * 60)),
    ("AEDT", Meaning::Offset(11 * 60)),
];

impl Zone {
    /// Parses the rule's `TimeZone`; `None` (not set) is UTC.
    pub(super) fn parse(text: Option<&str>) -> Result<Self, String> {
        let Some(text) = text else {
            return Ok(Zone::Fixed(
                FixedOffset::east_opt(0).expect("UTC is an offset"),
            ));
        };
        let zone = if let Some(offset) = text.strip_prefix("UTC") {
            utc_offset(offset).map(Zone::Fixed)
        } else if text.contains('/') {
            text.parse::<Tz>().ok().map(Zone::Region)
        } else if (3..=5).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphabetic()) {
            abbreviation(text)
        } else {
            None
        };
        zone.ok_or_else(|| {
            format!(
                "TimeZone '{text}' is not a Region/City zone such as America/New_York, UTC or \
                 UTC+HH:MM, or a known 3 to 5 letter abbreviation such as EST"
            )
        })
    }

    /// The local time at the moment `utc`.
    pub(super) fn local(&self, utc: NaiveDateTime) -> NaiveDateTime {
        match self {
            Zone::Fixed(offset) => offset.from_utc_datetime(&utc).naive_local(),
            Zone::Region(tz) => tz.from_utc_datetime(&utc).naive_local(),
        }
    }

    /// The moments (in UTC) whose local time is `local`: none in a gap when clocks go
    /// forward, two when they go back.
    pub(super) fn moments(&self, local: NaiveDateTime) -> LocalResult<NaiveDateTime> {
        match self {
            Zone::Fixed(offset) => offset.from_local_datetime(&local).map(|t| t.naive_utc()),
            Zone::Region(tz) => tz.from_local_datetime(&local).map(|t| t.naive_utc()),
        }
    }

    /// How far the offset falls from `earlier` to `later` (zero if it does not): how
    /// long local times repeat when clocks go back in between.
    pub(super) fn fall(&self, earlier: NaiveDateTime, later: NaiveDateTime) -> TimeDelta {
        let offset = |utc| self.local(utc) - utc;
        (offset(earlier) - offset(later)).max(TimeDelta::zero())
    }
}

/// The offset after `UTC`: nothing, or `+HH:MM` / `-HH:MM` up to 18 hours as Java allows.
fn utc_offset(text: &str) -> Option<FixedOffset> {
    if text.is_empty() {
        return FixedOffset::east_opt(0);
    }
    let bytes = text.as_bytes();
    let sign = match bytes.first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return None,
    };
    let digits = |i: usize| {
        bytes[i..i + 2]
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| u32::from(bytes[i] - b'0') * 10 + u32::from(bytes[i + 1] - b'0'))
    };
    if bytes.len() != 6 || bytes[3] != b':' {
        return None;
    }
    let (hours, minutes) = (digits(1)?, digits(4)?);
    let seconds = (hours * 60 + minutes) * 60;
    if minutes > 59 || seconds > 18 * 3600 {
        return None;
    }
    FixedOffset::east_opt(sign * seconds as i32)
}

/// An abbreviation from the table, or another IANA name of 3 to 5 letters; the table's
/// abbreviations are read without regard to case.
fn abbreviation(text: &str) -> Option<Zone> {
    let upper = text.to_ascii_uppercase();
    if let Some((_, meaning)) = ABBREVIATIONS.iter().find(|(name, _)| *name == upper) {
        return Some(match meaning {
            Meaning::Region(tz) => Zone::Region(*tz),
            Meaning::Offset(minutes) => Zone::Fixed(FixedOffset::east_opt(minutes * 60)?),
        });
    }
    match upper.as_str() {
        "UTC" | "GMT" => FixedOffset::east_opt(0).map(Zone::Fixed),
        _ => text
            .parse::<Tz>()
            .or_else(|_| upper.parse::<Tz>())
            .ok()
            .map(Zone::Region),
    }
}
