//! The cron expression of a deployment window: its fields parsed into sets of values,
//! which local minutes it allows, and the next run of allowed minutes.
//!
//! The syntax is Quartz's, as the rule's page lists it: lists (`,`), ranges (`-`, which
//! may wrap around the end of a cyclic field, as Quartz allows: `FRI-MON`, `22-2`),
//! increments (`/`), `*`, `?` in one of the two day fields, and `L`, `W`, `LW`, `L-n`,
//! `nL` and `n#k`. Letters are read without regard to case.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike, Weekday};

/// One field of the expression: its name in messages, its values and their names.
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    /// The names of the values from `min` on (`JAN` is 1, `SUN` is 1).
    names: &'static [&'static str],
    /// Whether a range may wrap around from `max` to `min` (every field but the year).
    cyclic: bool,
}

const SECONDS: Field = Field {
    name: "seconds",
    min: 0,
    max: 59,
    names: &[],
    cyclic: true,
};
const MINUTES: Field = Field {
    name: "minutes",
    min: 0,
    max: 59,
    names: &[],
    cyclic: true,
};
const HOURS: Field = Field {
    name: "hours",
    min: 0,
    max: 23,
    names: &[],
    cyclic: true,
};
const DAY_OF_MONTH: Field = Field {
    name: "day-of-month",
    min: 1,
    max: 31,
    names: &[],
    cyclic: true,
};
const MONTH: Field = Field {
    name: "month",
    min: 1,
    max: 12,
    names: &[
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ],
    cyclic: true,
};
const DAY_OF_WEEK: Field = Field {
    name: "day-of-week",
    min: 1,
    max: 7,
    names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    cyclic: true,
};
const YEAR: Field = Field {
    name: "year",
    min: 1970,
    max: 2199,
    names: &[],
    cyclic: false,
};

/// The values a field allows, as bits from the field's `min` (230 years fit in 256).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Set {
    min: u32,
    bits: [u64; 4],
}

impl Set {
    fn empty(field: &Field) -> Self {
        Self {
            min: field.min,
            bits: [0; 4],
        }
    }

    fn full(field: &Field) -> Self {
        let mut set = Self::empty(field);
        (field.min..=field.max).for_each(|v| set.insert(v));
        set
    }

    fn insert(&mut self, value: u32) {
        let i = (value - self.min) as usize;
        self.bits[i / 64] |= 1 << (i % 64);
    }

    fn contains(&self, value: u32) -> bool {
        let Some(i) = value.checked_sub(self.min).map(|i| i as usize) else {
            return false;
        };
        i < 256 && self.bits[i / 64] & (1 << (i % 64)) != 0
    }

    /// The smallest value in the set at or above `value`.
    fn next_from(&self, value: u32) -> Option<u32> {
        let mut i = value.saturating_sub(self.min) as usize;
        while i < 256 {
            let word = self.bits[i / 64] >> (i % 64);
            if word != 0 {
                return Some(self.min + (i + word.trailing_zeros() as usize) as u32);
            }
            i = (i / 64 + 1) * 64;
        }
        None
    }

    /// How many values from `value` on are in the set without a gap.
    fn run_from(&self, value: u32) -> u32 {
        (value..).take_while(|v| self.contains(*v)).count() as u32
    }

    fn is_only(&self, value: u32) -> bool {
        let mut only = Self {
            min: self.min,
            bits: [0; 4],
        };
        only.insert(value);
        *self == only
    }
}

/// Which days of a month the two day fields allow (one of them is always `?`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Days {
    /// Days of the month (day-of-week is `?`).
    OfMonth(Set),
    /// `L` and `L-n`: `before` days before the last day of the month.
    LastOfMonth { before: u32 },
    /// `LW`: the last weekday (Monday to Friday) of the month.
    LastWeekdayOfMonth,
    /// `nW`: the weekday nearest to day `n`, within the month.
    NearestWeekday(u32),
    /// Days of the week, 1 (Sunday) to 7 (Saturday) (day-of-month is `?`).
    OfWeek(Set),
    /// `nL`: the last such day of the week in the month.
    LastOfWeek(u32),
    /// `n#k`: the `k`th such day of the week in the month.
    NthOfWeek { weekday: u32, nth: u32 },
}

impl Days {
    fn matches(&self, date: NaiveDate) -> bool {
        let day = date.day();
        let last = last_day_of_month(date);
        let weekday = date.weekday().number_from_sunday();
        match *self {
            Days::OfMonth(set) => set.contains(day),
            Days::LastOfMonth { before } => last.checked_sub(before) == Some(day),
            Days::LastWeekdayOfMonth => day == nearest_weekday(date, last, last),
            Days::NearestWeekday(n) => n <= last && day == nearest_weekday(date, n, last),
            Days::OfWeek(set) => set.contains(weekday),
            Days::LastOfWeek(w) => weekday == w && day + 7 > last,
            Days::NthOfWeek { weekday: w, nth } => weekday == w && (day - 1) / 7 + 1 == nth,
        }
    }
}

fn last_day_of_month(date: NaiveDate) -> u32 {
    (28..=31)
        .rev()
        .find(|d| date.with_day(*d).is_some())
        .unwrap_or(28)
}

/// Quartz's `W`: day `n` if it is a weekday; a Saturday moves to the Friday before and a
/// Sunday to the Monday after, never out of the month (the 1st on a Saturday moves to
/// Monday the 3rd, the last day on a Sunday to Friday two days before).
fn nearest_weekday(date: NaiveDate, n: u32, last: u32) -> u32 {
    match date.with_day(n).map(|d| d.weekday()) {
        Some(Weekday::Sat) if n == 1 => 3,
        Some(Weekday::Sat) => n - 1,
        Some(Weekday::Sun) if n == last => n - 2,
        Some(Weekday::Sun) => n + 1,
        _ => n,
    }
}

/// A run of consecutive allowed minutes within one local hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Run {
    /// The local time of its first minute.
    pub(super) start: NaiveDateTime,
    /// How many minutes it has (1 to 60).
    pub(super) minutes: u32,
}

/// A parsed cron expression, as the local minutes it allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Cron {
    minutes: Set,
    hours: Set,
    days: Days,
    months: Set,
    /// `None` when the year field is absent or `*`: every year.
    years: Option<Set>,
}

impl Cron {
    /// Parses the expression; `Err` says in one sentence what is wrong.
    pub(super) fn parse(expression: &str) -> Result<Self, String> {
        let fields: Vec<&str> = expression.split_whitespace().collect();
        if !(6..=7).contains(&fields.len()) {
            return Err(format!(
                "Cron expression '{expression}' has {} fields; it needs 6 or 7",
                fields.len()
            ));
        }
        let invalid = |field: &Field, text: &str, problem: String| {
            format!(
                "Cron expression '{expression}' has an invalid {} field '{text}': {problem}",
                field.name
            )
        };
        let set = |field: &Field, text: &str| {
            parse_set(&text.to_ascii_uppercase(), field).map_err(|p| invalid(field, text, p))
        };
        set(&SECONDS, fields[0])?;
        let mut minutes = set(&MINUTES, fields[1])?;
        let mut hours = set(&HOURS, fields[2])?;
        let day_of_month = parse_day_of_month(&fields[3].to_ascii_uppercase())
            .map_err(|p| invalid(&DAY_OF_MONTH, fields[3], p))?;
        let months = set(&MONTH, fields[4])?;
        let day_of_week = parse_day_of_week(&fields[5].to_ascii_uppercase())
            .map_err(|p| invalid(&DAY_OF_WEEK, fields[5], p))?;
        let years = match fields.get(6) {
            None | Some(&"*") => None,
            Some(text) => Some(set(&YEAR, text)?),
        };
        let days = match (day_of_month, day_of_week) {
            (Some(days), None) | (None, Some(days)) => days,
            (Some(_), Some(_)) => {
                return Err(format!(
                    "Cron expression '{expression}' sets both day-of-month and day-of-week; \
                     one of them must be '?'"
                ));
            }
            (None, None) => {
                return Err(format!(
                    "Cron expression '{expression}' has '?' in both day-of-month and \
                     day-of-week; only one of them can be '?'"
                ));
            }
        };
        // A window is a span, not an instant: a minutes field of just 0 names the top of
        // each allowed hour and so the whole hour; with hours of just 0 too, it names
        // midnight and so the whole day (see the module docs).
        if minutes.is_only(0) {
            minutes = Set::full(&MINUTES);
            if hours.is_only(0) {
                hours = Set::full(&HOURS);
            }
        }
        Ok(Self {
            minutes,
            hours,
            days,
            months,
            years,
        })
    }

    /// Whether the local minute of `local` is allowed.
    pub(super) fn matches(&self, local: NaiveDateTime) -> bool {
        self.year_allowed(local.year())
            && self.months.contains(local.month())
            && self.days.matches(local.date())
            && self.hours.contains(local.hour())
            && self.minutes.contains(local.minute())
    }

    fn year_allowed(&self, year: i32) -> bool {
        self.years
            .is_none_or(|years| u32::try_from(year).is_ok_and(|y| years.contains(y)))
    }

    /// The first run of allowed minutes that starts at or after the minute of `from`,
    /// skipping whole years, months, days and hours that allow nothing; `None` if none
    /// starts on or before the day `limit`.
    pub(super) fn next_run(&self, from: NaiveDateTime, limit: NaiveDate) -> Option<Run> {
        let (mut date, mut hour, mut minute) = (from.date(), from.hour(), from.minute());
        loop {
            if date > limit {
                return None;
            }
            if let Some(years) = self.years {
                let year = years.next_from(u32::try_from(date.year()).unwrap_or(0))?;
                if i64::from(year) != i64::from(date.year()) {
                    date = NaiveDate::from_ymd_opt(year as i32, 1, 1)?;
                    (hour, minute) = (0, 0);
                    continue;
                }
            }
            if !self.months.contains(date.month()) {
                date = match self.months.next_from(date.month() + 1) {
                    Some(month) => date.with_day(1)?.with_month(month)?,
                    None => NaiveDate::from_ymd_opt(date.year() + 1, self.months.next_from(1)?, 1)?,
                };
                (hour, minute) = (0, 0);
                continue;
            }
            if !self.days.matches(date) {
                date = date.succ_opt()?;
                (hour, minute) = (0, 0);
                continue;
            }
            let Some(next_hour) = self.hours.next_from(hour) else {
                date = date.succ_opt()?;
                (hour, minute) = (0, 0);
                continue;
            };
            if next_hour != hour {
                (hour, minute) = (next_hour, 0);
            }
            let Some(next_minute) = self.minutes.next_from(minute) else {
                (hour, minute) = (hour + 1, 0);
                if hour == 24 {
                    date = date.succ_opt()?;
                    hour = 0;
                }
                continue;
            };
            return Some(Run {
                start: date.and_hms_opt(hour, next_minute, 0)?,
                minutes: self.minutes.run_from(next_minute),
            });
        }
    }
}

/// `?` for "no specific value", or the days the day-of-month field allows.
fn parse_day_of_month(text: &str) -> Result<Option<Days>, String> {
    let days = match text {
        "?" => return Ok(None),
        "L" => Days::LastOfMonth { before: 0 },
        "LW" => Days::LastWeekdayOfMonth,
        _ if text.starts_with("L-") => {
            let before = number(&text[2..])?;
            if before > 30 {
                return Err(format!(
                    "the offset {before} from the last day is more than 30"
                ));
            }
            Days::LastOfMonth { before }
        }
        _ if text.len() > 1 && text.ends_with('W') && !text.contains([',', '-', '/', '*']) => {
            Days::NearestWeekday(value(&text[..text.len() - 1], &DAY_OF_MONTH)?)
        }
        _ if text.contains(['L', 'W']) => {
            return Err("'L' and 'W' can't be combined with other values".to_owned());
        }
        _ => Days::OfMonth(parse_set(text, &DAY_OF_MONTH)?),
    };
    Ok(Some(days))
}

/// `?` for "no specific value", or the days the day-of-week field allows.
fn parse_day_of_week(text: &str) -> Result<Option<Days>, String> {
    let days = match text {
        "?" => return Ok(None),
        // `L` alone is the last day of the week: Saturday.
        "L" => Days::OfWeek({
            let mut set = Set::empty(&DAY_OF_WEEK);
            set.insert(7);
            set
        }),
        _ if text.len() > 1 && text.ends_with('L') && !text.contains([',', '-', '/', '*']) => {
            Days::LastOfWeek(value(&text[..text.len() - 1], &DAY_OF_WEEK)?)
        }
        _ if text.contains('#') && !text.contains([',', '-', '/', '*']) => {
            let (weekday, nth) = text.split_once('#').unwrap_or_default();
            let weekday = value(weekday, &DAY_OF_WEEK)?;
            let nth = number(nth)?;
            if !(1..=5).contains(&nth) {
                return Err(format!("'#{nth}' must be from #1 to #5"));
            }
            Days::NthOfWeek { weekday, nth }
        }
        _ if text.contains(['L', '#']) => {
            return Err("'L' and '#' can't be combined with other values".to_owned());
        }
        _ => Days::OfWeek(parse_set(text, &DAY_OF_WEEK)?),
    };
    Ok(Some(days))
}

/// A comma-separated list of `*`, values, ranges and increments (`text` in capitals).
fn parse_set(text: &str, field: &Field) -> Result<Set, String> {
    if text == "?" {
        return Err("'?' is allowed only in the day-of-month and day-of-week fields".to_owned());
    }
    let span = field.max - field.min + 1;
    let mut set = Set::empty(field);
    for item in text.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, Some(number(step)?)),
            None => (item, None),
        };
        if let Some(step) = step
            && (step == 0 || step > span)
        {
            return Err(format!("the increment {step} must be from 1 to {span}"));
        }
        let (start, end) = if range == "*" {
            (field.min, field.max)
        } else if let Some((start, end)) = range.split_once('-') {
            (value(start, field)?, value(end, field)?)
        } else {
            let start = value(range, field)?;
            (start, if step.is_some() { field.max } else { start })
        };
        if end < start && !field.cyclic {
            return Err(format!("the range {start}-{end} runs backwards"));
        }
        // A range may wrap around the end of the field, as Quartz allows: `FRI-MON`.
        let count = (end + span - start) % span + 1;
        for i in (0..count).step_by(step.unwrap_or(1) as usize) {
            set.insert(field.min + (start - field.min + i) % span);
        }
    }
    Ok(set)
}

/// One value of `field`: a number in its range, or one of its names.
fn value(token: &str, field: &Field) -> Result<u32, String> {
    if let Some(i) = field.names.iter().position(|name| *name == token) {
        return Ok(field.min + i as u32);
    }
    let range = format!("{} to {}", field.min, field.max);
    let expected = match field.names {
        [] => format!("a number from {range}"),
        names => format!(
            "a number from {range} or {} to {}",
            names[0],
            names[names.len() - 1]
        ),
    };
    match token.parse::<u32>() {
        Ok(v) if token.bytes().all(|b| b.is_ascii_digit()) => {
            if (field.min..=field.max).contains(&v) {
                Ok(v)
            } else {
                Err(format!("{v} is not {expected}"))
            }
        }
        _ if token.is_empty() => Err(format!("a value is missing where {expected} belongs")),
        _ => Err(format!("'{token}' is not {expected}")),
    }
}

/// A plain number: an increment, an offset from the last day, or the `k` of `n#k`.
fn number(token: &str) -> Result<u32, String> {
    match token.parse::<u32>() {
        Ok(n) if token.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(format!("'{token}' is not a number")),
    }
}
