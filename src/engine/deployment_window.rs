//! The `DeploymentWindow` rule of stage conditions: whether a moment falls inside the
//! window a cron expression describes in a time zone, and when that window next opens.
//! Pure: the moment is passed in.
//!
//! The rule's configuration has `Cron` (required) and `TimeZone` (optional, UTC when
//! not set); the rule succeeds "when the date and time in the deployment window meet the
//! criteria in the cron expression". `Cron` is Quartz's syntax with six fields and an
//! optional year: seconds, minutes (0-59), hours (0-23), day-of-month (1-31, with `?`,
//! `L`, `L-n`, `nW` and `LW`), month (1-12 or JAN-DEC), day-of-week (1-7 or SUN-SAT, 1
//! being Sunday, with `?`, `L`, `nL` and `n#k`) and year (1970-2199). One of the two day
//! fields must be `?`, as in Quartz. Letters and names are read without regard to case.
//! `cron.rs` parses the expression and `zone.rs` the time zone.
//!
//! # pipesim's reading of the expression as a window
//!
//! A Quartz expression names instants; a window is a span of time. The docs name the
//! days and times "when the deployment will be allowed" and give `0 0 9-17 ? * MON-FRI *`
//! as their example, whose hour field by the docs' own wording means whole hours: '"10-12"
//! in the hour field means "the hours 10, 11 and 12"'. Read instant by instant, the
//! example would open for one minute an hour. pipesim reads a local moment as inside the
//! window when its local minute matches every field, with two readings of the time of
//! day:
//!
//! - The seconds field is checked for syntax and otherwise ignored: the docs' table lists
//!   no values for it ("Seconds | N/A | *"), yet their example puts `0` there.
//! - A minutes field that allows only minute 0 names the top of each hour the hours
//!   field allows, and so allows the whole of those hours: the example is open Monday to
//!   Friday from 09:00 to 17:59, and 17:30 is inside. If the hours field then allows only
//!   hour 0 too, the expression names midnight, and so the whole day: `0 0 0 ? * SAT *`
//!   is open all Saturday.
//!
//! Any other minutes field is matched minute by minute: `0 30 9 ? * MON *` is open from
//! 09:30 to 09:31 on Mondays and `* * 9-17 ? * MON-FRI *` is the example again.
//!
//! Other choices, each Quartz's: `L-3` is three days before the last day of the month
//! (January 28; the docs call it "the third-to-last day"); `nW` never leaves the month and
//! allows nothing in a month without day `n`; a range may wrap around (`FRI-MON`,
//! `22-2`), but not in the year field; an increment is from 1 to the field's size.
//!
//! Local time comes from the time zone: in a gap when clocks go forward no moment has
//! the skipped local times, so a window on them does not open that day; when clocks go
//! back, both moments with a repeated local time are inside.

mod cron;
#[cfg(test)]
mod tests;
mod zone;

use chrono::{LocalResult, NaiveDateTime, TimeDelta, Timelike};

use crate::model::Timestamp;

use cron::{Cron, Run};
use zone::Zone;

/// How far ahead [`DeploymentWindow::next_open`] looks: five years (one of them leap).
const HORIZON: TimeDelta = TimeDelta::days(5 * 365 + 1);

/// The last moment evaluated, 9999-12-31T23:59:59.999Z; the year field ends at 2199.
const LAST_MILLIS: u64 = 253_402_300_799_999;

/// A parsed DeploymentWindow rule: its cron expression and time zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DeploymentWindow {
    cron: Cron,
    zone: Zone,
}

impl DeploymentWindow {
    /// Parses `Cron` and `TimeZone` as a rule's configuration gives them.
    ///
    /// # Errors
    /// A one-sentence message saying what is wrong, such as "Cron expression '0 0 9 * *'
    /// has 5 fields; it needs 6 or 7", for an `InvalidStageDeclarationException` or a
    /// `ValidationException`.
    pub(crate) fn parse(cron: &str, time_zone: Option<&str>) -> Result<Self, String> {
        Ok(Self {
            cron: Cron::parse(cron)?,
            zone: Zone::parse(time_zone)?,
        })
    }

    /// Whether `at` is inside the window.
    pub(crate) fn contains(&self, at: Timestamp) -> bool {
        utc(at).is_some_and(|utc| self.cron.matches(self.zone.local(utc)))
    }

    /// The first moment at or after `at` inside the window, within the next 5 years;
    /// `None` if none.
    ///
    /// Walks the runs of allowed local minutes, skipping whole years, months, days and
    /// hours that allow nothing: at most a step a day over the five years, never a step
    /// a minute.
    pub(crate) fn next_open(&self, at: Timestamp) -> Option<Timestamp> {
        let start = utc(at)?;
        if self.cron.matches(self.zone.local(start)) {
            return Some(at);
        }
        // Local minutes are walked in local order, which is the order of moments except
        // where clocks go back: then later moments have earlier local times for a while.
        // The walk starts early by any fall in the offset over the next day, and having
        // found a moment, goes on by any fall over the day before it, to find an earlier
        // one. This assumes no zone changes its offset twice within a day.
        let day = TimeDelta::days(1);
        let end = start + HORIZON;
        let mut stop = self.zone.local(end) + day;
        let mut from = self.zone.local(start).with_second(0)? - self.zone.fall(start, start + day);
        let mut best: Option<NaiveDateTime> = None;
        while let Some(run) = self.cron.next_run(from, stop.date()) {
            if run.start > stop {
                break;
            }
            let length = TimeDelta::minutes(i64::from(run.minutes));
            self.for_each_span(&run, |open, close| {
                let candidate = open.max(start);
                if close > start && best.is_none_or(|best| candidate < best) {
                    best = Some(candidate);
                    let fall = self.zone.fall(candidate - day, candidate);
                    stop = stop.min(run.start + length - TimeDelta::minutes(1) + fall);
                }
            });
            from = run.start + length;
        }
        best.filter(|best| *best < end).map(timestamp)
    }

    /// Calls `f(open, close)` with the spans of moments (in UTC, `close` excluded) whose
    /// local times are in `run`: one span, two when clocks go back over all of it, and a
    /// minute at a time where the offset changes inside it.
    fn for_each_span(&self, run: &Run, mut f: impl FnMut(NaiveDateTime, NaiveDateTime)) {
        let length = TimeDelta::minutes(i64::from(run.minutes));
        let minute = TimeDelta::minutes(1);
        let last = run.start + length - minute;
        match (self.zone.moments(run.start), self.zone.moments(last)) {
            (LocalResult::Single(a), LocalResult::Single(b)) if b - a == length - minute => {
                f(a, a + length);
            }
            (LocalResult::Ambiguous(a1, a2), LocalResult::Ambiguous(b1, b2))
                if b1 - a1 == length - minute && b2 - a2 == length - minute =>
            {
                f(a1, a1 + length);
                f(a2, a2 + length);
            }
            _ => {
                for i in 0..i64::from(run.minutes) {
                    match self.zone.moments(run.start + TimeDelta::minutes(i)) {
                        LocalResult::Single(t) => f(t, t + minute),
                        LocalResult::Ambiguous(t1, t2) => {
                            f(t1, t1 + minute);
                            f(t2, t2 + minute);
                        }
                        LocalResult::None => {}
                    }
                }
            }
        }
    }
}

/// `at` in UTC, or `None` past [`LAST_MILLIS`].
fn utc(at: Timestamp) -> Option<NaiveDateTime> {
    if at.as_millis() > LAST_MILLIS {
        return None;
    }
    at.to_utc().map(|t| t.naive_utc())
}

fn timestamp(utc: NaiveDateTime) -> Timestamp {
    Timestamp::from_millis(u64::try_from(utc.and_utc().timestamp_millis()).unwrap_or(0))
}
