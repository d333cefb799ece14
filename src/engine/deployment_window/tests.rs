use chrono::{Datelike, NaiveDate, TimeZone, Weekday};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::DeploymentWindow;
use crate::model::Timestamp;

const NEW_YORK: Tz = Tz::America__New_York;
const MINUTE: u64 = 60_000;

fn window(cron: &str, time_zone: Option<&str>) -> DeploymentWindow {
    DeploymentWindow::parse(cron, time_zone).unwrap_or_else(|e| panic!("{cron}: {e}"))
}

fn error(cron: &str, time_zone: Option<&str>) -> String {
    DeploymentWindow::parse(cron, time_zone).expect_err("an invalid rule")
}

/// The moment `y-m-d h:min` UTC.
fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
    at(Tz::UTC, y, m, d, h, min)
}

/// The moment local time in `tz` is `y-m-d h:min` (the time must exist once).
fn at(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
    let t = tz
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("one moment");
    Timestamp::from_millis(t.timestamp_millis() as u64)
}

fn weekday(y: i32, m: u32, d: u32) -> Weekday {
    NaiveDate::from_ymd_opt(y, m, d).unwrap().weekday()
}

/// The days of `y-m` on which `w` is open at noon UTC.
fn open_days(w: &DeploymentWindow, y: i32, m: u32) -> Vec<u32> {
    (1..=31)
        .filter(|d| NaiveDate::from_ymd_opt(y, m, *d).is_some())
        .filter(|d| w.contains(utc(y, m, *d, 12, 0)))
        .collect()
}

/// Asserts that `a` and `b` agree on every minute of the week from `from`.
fn same_week(a: &DeploymentWindow, b: &DeploymentWindow, from: Timestamp) {
    for i in 0..7 * 24 * 60 {
        let t = Timestamp::from_millis(from.as_millis() + i * MINUTE);
        assert_eq!(a.contains(t), b.contains(t), "at minute {i}");
    }
}

#[test]
fn the_docs_example_is_open_on_weekdays_through_the_hour_of_five() {
    let w = window("0 0 9-17 ? * MON-FRI *", Some("America/New_York"));
    assert_eq!(weekday(2026, 3, 9), Weekday::Mon);
    assert!(w.contains(at(NEW_YORK, 2026, 3, 9, 10, 30)));
    assert!(w.contains(at(NEW_YORK, 2026, 3, 9, 9, 0)));
    assert!(w.contains(at(NEW_YORK, 2026, 3, 9, 17, 30)));
    assert!(w.contains(at(NEW_YORK, 2026, 3, 9, 17, 59)));
    assert!(!w.contains(at(NEW_YORK, 2026, 3, 9, 18, 0)));
    assert!(!w.contains(at(NEW_YORK, 2026, 3, 9, 8, 59)));
    assert!(w.contains(at(NEW_YORK, 2026, 3, 13, 12, 0)), "Friday");
    assert!(!w.contains(at(NEW_YORK, 2026, 3, 14, 10, 30)), "Saturday");
    assert!(!w.contains(at(NEW_YORK, 2026, 3, 15, 10, 30)), "Sunday");
}

#[test]
fn a_minutes_field_of_zero_allows_the_whole_hour() {
    let zero = window("0 0 9-17 ? * MON-FRI *", Some("America/New_York"));
    let every = window("* * 9-17 ? * MON-FRI *", Some("America/New_York"));
    same_week(&zero, &every, utc(2026, 3, 7, 0, 0));
}

#[test]
fn midnight_allows_the_whole_day() {
    let midnight = window("0 0 0 ? * SAT *", None);
    let every = window("* * * ? * SAT *", None);
    same_week(&midnight, &every, utc(2026, 3, 2, 0, 0));
    assert!(midnight.contains(utc(2026, 3, 7, 23, 59)));
    assert!(!midnight.contains(utc(2026, 3, 6, 23, 59)));
}

#[test]
fn other_minutes_are_matched_minute_by_minute() {
    let w = window("0 30 9 ? * MON *", None);
    assert!(w.contains(utc(2026, 3, 9, 9, 30)));
    assert!(w.contains(Timestamp::from_millis(
        utc(2026, 3, 9, 9, 30).as_millis() + 59_999
    )));
    assert!(!w.contains(utc(2026, 3, 9, 9, 31)));
    assert!(!w.contains(utc(2026, 3, 9, 9, 29)));
    // Minutes 0 and 30 are not "just minute 0": two minutes an hour.
    let w = window("0 0/30 9 ? * MON *", None);
    assert!(w.contains(utc(2026, 3, 9, 9, 0)));
    assert!(w.contains(utc(2026, 3, 9, 9, 30)));
    assert!(!w.contains(utc(2026, 3, 9, 9, 15)));
    // Hours of just 0 under other minutes are the hour after midnight, not the day.
    let w = window("0 15 0 ? * MON *", None);
    assert!(w.contains(utc(2026, 3, 9, 0, 15)));
    assert!(!w.contains(utc(2026, 3, 9, 1, 15)));
}

#[test]
fn the_seconds_field_is_checked_and_ignored() {
    let star = window("* * 9 ? * MON *", None);
    for seconds in ["0", "30", "0/15", "5-10", "*"] {
        let w = window(&format!("{seconds} * 9 ? * MON *"), None);
        same_week(&w, &star, utc(2026, 3, 9, 0, 0));
    }
    assert_eq!(
        error("60 * 9 ? * MON *", None),
        "Cron expression '60 * 9 ? * MON *' has an invalid seconds field '60': 60 is not a \
         number from 0 to 59"
    );
}

#[test]
fn l_is_the_last_day_of_the_month() {
    let w = window("* * * L * ? *", None);
    assert_eq!(open_days(&w, 2028, 2), [29]);
    assert_eq!(open_days(&w, 2027, 2), [28]);
    assert_eq!(open_days(&w, 2026, 4), [30]);
    assert_eq!(open_days(&w, 2026, 1), [31]);
}

#[test]
fn l_minus_n_is_n_days_before_the_last_day() {
    let w = window("* * * L-3 * ? *", None);
    assert_eq!(open_days(&w, 2026, 1), [28]);
    assert_eq!(open_days(&w, 2027, 2), [25]);
    // L-30 exists only in months of 31 days.
    let w = window("0 0 0 L-30 * ? *", None);
    assert_eq!(open_days(&w, 2026, 1), [1]);
    assert_eq!(open_days(&w, 2026, 2), [0u32; 0]);
    assert_eq!(
        w.next_open(utc(2026, 2, 1, 0, 0)),
        Some(utc(2026, 3, 1, 0, 0))
    );
}

#[test]
fn w_is_the_nearest_weekday_within_the_month() {
    let w = window("* * * 15W * ? *", None);
    assert_eq!(weekday(2026, 8, 15), Weekday::Sat);
    assert_eq!(
        open_days(&w, 2026, 8),
        [14],
        "a Saturday moves to the Friday"
    );
    assert_eq!(weekday(2026, 3, 15), Weekday::Sun);
    assert_eq!(open_days(&w, 2026, 3), [16], "a Sunday moves to the Monday");
    assert_eq!(weekday(2026, 4, 15), Weekday::Wed);
    assert_eq!(open_days(&w, 2026, 4), [15]);
    let first = window("* * * 1W * ? *", None);
    assert_eq!(weekday(2026, 8, 1), Weekday::Sat);
    assert_eq!(open_days(&first, 2026, 8), [3], "never back into July");
    let last = window("* * * 31W * ? *", None);
    assert_eq!(weekday(2026, 5, 31), Weekday::Sun);
    assert_eq!(open_days(&last, 2026, 5), [29], "never on into June");
    assert_eq!(open_days(&last, 2026, 4), [0u32; 0], "April has no 31st");
}

#[test]
fn lw_is_the_last_weekday_of_the_month() {
    let w = window("* * * LW * ? *", None);
    assert_eq!(weekday(2026, 5, 31), Weekday::Sun);
    assert_eq!(open_days(&w, 2026, 5), [29]);
    assert_eq!(weekday(2026, 2, 28), Weekday::Sat);
    assert_eq!(open_days(&w, 2026, 2), [27]);
    assert_eq!(weekday(2026, 3, 31), Weekday::Tue);
    assert_eq!(open_days(&w, 2026, 3), [31]);
}

#[test]
fn hash_is_the_nth_day_of_the_week_in_the_month() {
    let third_friday = window("* * * ? * 6#3 *", None);
    assert_eq!(open_days(&third_friday, 2026, 3), [20]);
    assert_eq!(weekday(2026, 3, 20), Weekday::Fri);
    let fifth_monday = window("0 0 0 ? * MON#5 *", None);
    assert_eq!(open_days(&fifth_monday, 2026, 3), [30]);
    assert_eq!(open_days(&fifth_monday, 2026, 4), [0u32; 0]);
    assert_eq!(
        fifth_monday.next_open(utc(2026, 4, 1, 0, 0)),
        Some(utc(2026, 6, 29, 0, 0))
    );
}

#[test]
fn l_after_a_day_of_the_week_is_its_last_in_the_month_and_alone_is_saturday() {
    let last_friday = window("* * * ? * 6L *", None);
    assert_eq!(open_days(&last_friday, 2026, 3), [27]);
    assert_eq!(open_days(&window("* * * ? * FRIL *", None), 2026, 3), [27]);
    let saturday = window("* * * ? * L *", None);
    assert_eq!(open_days(&saturday, 2026, 3), [7, 14, 21, 28]);
}

#[test]
fn ranges_may_wrap_around_except_years() {
    let w = window("* * 22-1 ? * FRI-MON *", None);
    assert!(w.contains(utc(2026, 3, 6, 23, 0)), "Friday 23:00");
    assert!(w.contains(utc(2026, 3, 9, 1, 0)), "Monday 01:00");
    assert!(!w.contains(utc(2026, 3, 9, 2, 0)));
    assert!(!w.contains(utc(2026, 3, 10, 23, 0)), "Tuesday");
    assert_eq!(
        error("* * * ? * * 2030-2027", None),
        "Cron expression '* * * ? * * 2030-2027' has an invalid year field '2030-2027': the \
         range 2030-2027 runs backwards"
    );
}

#[test]
fn the_year_field_limits_the_years() {
    let w = window("* * * ? * * 2027,2029-2030", None);
    assert!(!w.contains(utc(2026, 12, 31, 23, 59)));
    assert!(w.contains(utc(2027, 1, 1, 0, 0)));
    assert!(!w.contains(utc(2028, 6, 1, 0, 0)));
    assert!(w.contains(utc(2030, 6, 1, 0, 0)));
    assert_eq!(
        w.next_open(utc(2026, 6, 1, 0, 0)),
        Some(utc(2027, 1, 1, 0, 0))
    );
    assert_eq!(
        w.next_open(utc(2028, 6, 1, 0, 0)),
        Some(utc(2029, 1, 1, 0, 0))
    );
    assert_eq!(w.next_open(utc(2031, 1, 1, 0, 0)), None);
    let steps = window("* * * ? * * 2026/2", None);
    assert!(steps.contains(utc(2028, 1, 1, 0, 0)));
    assert!(!steps.contains(utc(2029, 1, 1, 0, 0)));
}

#[test]
fn next_open_looks_five_years_ahead() {
    let from = utc(2026, 6, 1, 0, 0);
    assert_eq!(
        window("* * * ? * * 2031", None).next_open(from),
        Some(utc(2031, 1, 1, 0, 0))
    );
    assert_eq!(window("* * * ? * * 2032", None).next_open(from), None);
}

#[test]
fn one_day_field_must_be_a_question_mark() {
    assert_eq!(
        error("0 0 9 * * MON *", None),
        "Cron expression '0 0 9 * * MON *' sets both day-of-month and day-of-week; one of \
         them must be '?'"
    );
    assert_eq!(
        error("0 0 9 ? * ? *", None),
        "Cron expression '0 0 9 ? * ? *' has '?' in both day-of-month and day-of-week; only \
         one of them can be '?'"
    );
    assert_eq!(
        error("0 0 ? * * ? *", None),
        "Cron expression '0 0 ? * * ? *' has an invalid hours field '?': '?' is allowed only \
         in the day-of-month and day-of-week fields"
    );
}

#[test]
fn names_and_letters_are_read_without_regard_to_case() {
    let upper = window("0 0 9-17 ? JAN-DEC MON-FRI *", None);
    let lower = window("0 0 9-17 ? jan-dec mon-fri *", None);
    same_week(&upper, &lower, utc(2026, 3, 7, 0, 0));
    assert_eq!(window("0 0 0 lw * ?", None), window("0 0 0 LW * ?", None));
    assert_eq!(window("0 0 0 15w * ?", None), window("0 0 0 15W * ?", None));
    assert_eq!(window("0 0 0 ? * fril", None), window("0 0 0 ? * 6L", None));
    assert_eq!(
        window("0 0 0 ? * Fri#3", None),
        window("0 0 0 ? * 6#3", None)
    );
}

#[test]
fn a_cron_needs_six_or_seven_fields() {
    assert_eq!(
        error("0 0 9 * *", None),
        "Cron expression '0 0 9 * *' has 5 fields; it needs 6 or 7"
    );
    assert_eq!(
        error("0 0 9 ? * MON * 1", None),
        "Cron expression '0 0 9 ? * MON * 1' has 8 fields; it needs 6 or 7"
    );
    assert_eq!(
        error("", None),
        "Cron expression '' has 0 fields; it needs 6 or 7"
    );
}

#[test]
fn values_out_of_range_are_rejected() {
    let cases = [
        (
            "0 60 9 ? * MON *",
            "minutes field '60': 60 is not a number from 0 to 59",
        ),
        (
            "0 0 24 ? * MON *",
            "hours field '24': 24 is not a number from 0 to 23",
        ),
        (
            "0 0 9 32 * ? *",
            "day-of-month field '32': 32 is not a number from 1 to 31",
        ),
        (
            "0 0 9 0 * ? *",
            "day-of-month field '0': 0 is not a number from 1 to 31",
        ),
        (
            "0 0 9 ? 13 MON *",
            "month field '13': 13 is not a number from 1 to 12 or JAN to DEC",
        ),
        (
            "0 0 9 ? FOO MON *",
            "month field 'FOO': 'FOO' is not a number from 1 to 12 or JAN to DEC",
        ),
        (
            "0 0 9 ? * 8 *",
            "day-of-week field '8': 8 is not a number from 1 to 7 or SUN to SAT",
        ),
        (
            "0 0 9 ? * * 1969",
            "year field '1969': 1969 is not a number from 1970 to 2199",
        ),
        (
            "0 0 9 ? * * 2200",
            "year field '2200': 2200 is not a number from 1970 to 2199",
        ),
        (
            "0 */0 9 ? * * *",
            "minutes field '*/0': the increment 0 must be from 1 to 60",
        ),
        (
            "0 0 L ? * * *",
            "hours field 'L': 'L' is not a number from 0 to 23",
        ),
        (
            "0 0 9 ? * 6#6 *",
            "day-of-week field '6#6': '#6' must be from #1 to #5",
        ),
        (
            "0 0 9 1,L * ? *",
            "day-of-month field '1,L': 'L' and 'W' can't be combined with other values",
        ),
        (
            "0 0 9 L-31 * ? *",
            "day-of-month field 'L-31': the offset 31 from the last day is more than 30",
        ),
        (
            "0 0 9,,10 ? * * *",
            "hours field '9,,10': a value is missing where a number from 0 to 23 belongs",
        ),
    ];
    for (cron, problem) in cases {
        assert_eq!(
            error(cron, None),
            format!("Cron expression '{cron}' has an invalid {problem}")
        );
    }
}

#[test]
fn time_zones_take_the_three_documented_formats() {
    for zone in [
        "America/New_York",
        "Europe/Berlin",
        "America/Argentina/Buenos_Aires",
        "UTC",
        "UTC+05:30",
        "UTC-03:00",
        "EST",
        "IST",
        "PST",
        "pst",
        "GMT",
        "CET",
        "JST",
    ] {
        window("0 0 9 ? * * *", Some(zone));
    }
    for zone in [
        "Mars/Olympus",
        "UTC+5:30",
        "UTC+19:00",
        "UTC+05:60",
        "XY",
        "TOOLONG",
        "",
    ] {
        assert_eq!(
            error("0 0 9 ? * * *", Some(zone)),
            format!(
                "TimeZone '{zone}' is not a Region/City zone such as America/New_York, UTC or \
                 UTC+HH:MM, or a known 3 to 5 letter abbreviation such as EST"
            )
        );
    }
}

#[test]
fn a_time_zone_defaults_to_utc() {
    assert_eq!(
        window("0 0 9 ? * * *", None),
        window("0 0 9 ? * * *", Some("UTC"))
    );
    assert!(window("0 0 9 ? * * *", None).contains(utc(2026, 7, 1, 9, 30)));
}

#[test]
fn utc_offsets_shift_local_time() {
    let w = window("0 0 9 ? * * *", Some("UTC+05:30"));
    assert!(!w.contains(utc(2026, 3, 9, 3, 29)));
    assert!(w.contains(utc(2026, 3, 9, 3, 30)));
    assert!(w.contains(utc(2026, 3, 9, 4, 29)));
    assert!(!w.contains(utc(2026, 3, 9, 4, 30)));
    let w = window("0 0 9 ? * * *", Some("UTC-03:00"));
    assert!(w.contains(utc(2026, 3, 9, 12, 0)));
    assert!(!w.contains(utc(2026, 3, 9, 9, 0)));
    // The day of the week is the local one: Monday begins at 18:30 on Sunday in UTC.
    let w = window("* * * ? * MON *", Some("UTC+05:30"));
    assert!(w.contains(utc(2026, 3, 8, 18, 30)));
    assert!(!w.contains(utc(2026, 3, 8, 18, 29)));
}

#[test]
fn abbreviations_follow_the_linked_table_and_daylight_ones_are_fixed() {
    let nine =
        |zone: &str, y, m, d, h| window("0 0 9 ? * * *", Some(zone)).contains(utc(y, m, d, h, 0));
    // PST is America/Los_Angeles, daylight saving included.
    assert!(nine("PST", 2026, 1, 15, 17));
    assert!(nine("PST", 2026, 7, 15, 16));
    // EST is -05:00 all year; EDT -04:00 all year.
    assert!(nine("EST", 2026, 7, 15, 14));
    assert!(nine("EDT", 2026, 1, 15, 13));
    // CST is America/Chicago, MST -07:00, PDT -07:00, CDT -05:00, MDT -06:00.
    assert!(nine("CST", 2026, 7, 15, 14));
    assert!(nine("CST", 2026, 1, 15, 15));
    assert!(nine("MST", 2026, 7, 15, 16));
    assert!(nine("PDT", 2026, 1, 15, 16));
    assert!(nine("CDT", 2026, 1, 15, 14));
    assert!(nine("MDT", 2026, 1, 15, 15));
    // IST is India, JST Japan, BST Bangladesh (Java's reading, not British Summer Time).
    assert!(window("0 0 9 ? * * *", Some("IST")).contains(utc(2026, 1, 15, 3, 30)));
    assert!(nine("JST", 2026, 1, 15, 0));
    assert!(nine("BST", 2026, 7, 15, 3));
    // CET is the IANA zone with summer time; CEST +02:00 and AEST +10:00 are fixed.
    assert!(nine("CET", 2026, 1, 15, 8));
    assert!(nine("CET", 2026, 7, 15, 7));
    assert!(nine("CEST", 2026, 1, 15, 7));
    assert!(
        nine("AEST", 2026, 1, 14, 23),
        "09:00 on the 15th in Sydney's winter time"
    );
    assert!(nine("GMT", 2026, 7, 15, 9));
    assert!(nine("gmt", 2026, 7, 15, 9));
}

#[test]
fn a_region_zone_follows_daylight_saving() {
    let w = window("0 0 9-17 ? * MON-FRI *", Some("America/New_York"));
    // 09:00 is 14:00 UTC on Monday 2 March (EST) and 13:00 UTC on Monday 9 March (EDT).
    assert!(!w.contains(utc(2026, 3, 2, 13, 30)));
    assert!(w.contains(utc(2026, 3, 2, 14, 0)));
    assert!(w.contains(utc(2026, 3, 9, 13, 0)));
    assert!(!w.contains(utc(2026, 3, 9, 12, 59)));
}

#[test]
fn local_times_skipped_when_clocks_go_forward_never_open() {
    // New York skips 02:00-02:59 on Sunday 8 March 2026.
    let w = window("0 0 2 * * ? *", Some("America/New_York"));
    assert!(!w.contains(utc(2026, 3, 8, 6, 59)), "01:59 EST");
    assert!(!w.contains(utc(2026, 3, 8, 7, 0)), "03:00 EDT");
    assert_eq!(
        w.next_open(utc(2026, 3, 8, 5, 0)),
        Some(at(NEW_YORK, 2026, 3, 9, 2, 0))
    );
}

#[test]
fn local_times_repeated_when_clocks_go_back_open_twice() {
    // New York repeats 01:00-01:59 on Sunday 1 November 2026: 05:xx UTC, then 06:xx.
    let w = window("0 0 1 * * ? *", Some("America/New_York"));
    assert!(w.contains(utc(2026, 11, 1, 5, 30)));
    assert!(w.contains(utc(2026, 11, 1, 6, 30)));
    assert!(!w.contains(utc(2026, 11, 1, 7, 0)));
    assert_eq!(
        w.next_open(utc(2026, 11, 1, 4, 0)),
        Some(utc(2026, 11, 1, 5, 0))
    );
    // 01:45 the first time is closed; 01:00 the second time comes 15 minutes later,
    // though it is earlier local time.
    let w = window("* 0-29 1 * * ? *", Some("America/New_York"));
    assert!(!w.contains(utc(2026, 11, 1, 5, 45)));
    assert_eq!(
        w.next_open(utc(2026, 11, 1, 5, 45)),
        Some(utc(2026, 11, 1, 6, 0))
    );
}

#[test]
fn next_open_finds_a_repeated_time_that_comes_later_in_local_order() {
    // At 01:15 EDT, 01:00-01:09 has passed and comes again at 06:00 UTC; 01:30-01:39 EDT
    // (05:30 UTC) comes first, though the walk meets it second.
    let w = window("* 0-9,30-39 1 * * ? *", Some("America/New_York"));
    assert_eq!(
        w.next_open(utc(2026, 11, 1, 5, 15)),
        Some(utc(2026, 11, 1, 5, 30))
    );
    assert_eq!(
        w.next_open(utc(2026, 11, 1, 5, 40)),
        Some(utc(2026, 11, 1, 6, 0))
    );
}

#[test]
fn next_open_is_now_inside_the_window() {
    let w = window("0 0 9-17 ? * MON-FRI *", Some("America/New_York"));
    let now = Timestamp::from_millis(at(NEW_YORK, 2026, 3, 9, 10, 30).as_millis() + 1234);
    assert_eq!(w.next_open(now), Some(now));
}

#[test]
fn next_open_of_a_closed_window_is_monday_at_nine() {
    let w = window("0 0 9-17 ? * MON-FRI *", Some("America/New_York"));
    let monday = Some(at(NEW_YORK, 2026, 3, 9, 9, 0));
    assert_eq!(
        w.next_open(at(NEW_YORK, 2026, 3, 7, 12, 0)),
        monday,
        "from Saturday"
    );
    assert_eq!(
        w.next_open(at(NEW_YORK, 2026, 3, 6, 18, 0)),
        monday,
        "from Friday 18:00"
    );
    assert_eq!(w.next_open(at(NEW_YORK, 2026, 3, 9, 8, 59)), monday);
}

#[test]
fn next_open_of_an_impossible_expression_is_none() {
    let from = utc(2026, 1, 1, 0, 0);
    assert_eq!(window("0 0 0 30 FEB ? *", None).next_open(from), None);
    assert_eq!(window("0 0 0 31 APR ? *", None).next_open(from), None);
    assert_eq!(window("* * * ? * * 2025", None).next_open(from), None);
}

const EXPRESSIONS: &[&str] = &[
    "0 0 9-17 ? * MON-FRI *",
    "0 30 9 ? * MON *",
    "* 0-29 1 * * ? *",
    "0 0 2 * * ? *",
    "0 0/20 22-2 ? * FRI-MON *",
    "0 0 0 LW * ? *",
    "0 0 12 ? * 6#3 *",
];
const ZONES: &[&str] = &[
    "America/New_York",
    "Australia/Lord_Howe",
    "UTC+05:30",
    "PST",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// `next_open` is inside the window and nothing between `at` and it is: checked
    /// minute by minute for three days.
    #[test]
    fn next_open_is_the_first_moment_inside(
        expression in 0..EXPRESSIONS.len(),
        zone in 0..ZONES.len(),
        // 2026 and 2027, at any millisecond.
        at in 1_767_225_600_000u64..1_830_297_600_000,
    ) {
        let w = window(EXPRESSIONS[expression], Some(ZONES[zone]));
        let at = Timestamp::from_millis(at);
        let next = w.next_open(at);
        if let Some(next) = next {
            prop_assert!(w.contains(next), "{next:?} is closed");
        }
        let horizon = at.as_millis() + 3 * 24 * 60 * MINUTE;
        let until = next.map_or(horizon, |n| n.as_millis().min(horizon));
        let mut t = at.as_millis();
        while t < until {
            prop_assert!(!w.contains(Timestamp::from_millis(t)), "{t} is open before {next:?}");
            t = (t / MINUTE + 1) * MINUTE;
        }
    }
}
