//! `pipesim load --report FILE.html`: one self-contained HTML page about a load run.
//!
//! [`render`] turns a finished run ([`Page`]: the settings, the summary, the whole run's
//! latency [`distribution`] and the per-bucket series that `load_timeline` collected)
//! into HTML, with four charts drawn by plotters' SVG backend and inlined. It is pure (no
//! I/O, no clock), so tests feed it fixed data.
//!
//! The page fetches nothing: no script, no style sheet, no web font. plotters is built
//! without its `ttf` feature, so it reads no font file either: it estimates text widths
//! and writes `<text>` elements for the browser to set in its own sans-serif.

use std::fmt::Write as _;
use std::ops::Range;

use hdrhistogram::Histogram;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::load::{JobWorkerReport, Report};
use super::load_timeline::Series;

/// Chart size in SVG pixels; the page scales them to its width.
const CHART: (u32, u32) = (900, 320);

/// Line colours, distinct from each other on white (plotters' palette has a yellow).
const COLORS: [RGBColor; 8] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
];

/// Text size of labels, in SVG pixels.
const FONT: (&str, u32) = ("sans-serif", 14);

/// The whole run's latency distribution for the classic HDR plot: (percentile, ms) from
/// 0 up to the highest percentile the run's request count can tell apart, ending at the
/// maximum.
pub(crate) fn distribution(latency_us: &Histogram<u64>) -> Vec<(f64, f64)> {
    if latency_us.is_empty() {
        return Vec::new();
    }
    let top = nines_top(latency_us.len());
    let mut points: Vec<(f64, f64)> = latency_us
        .iter_quantiles(4)
        .map(|v| {
            (
                v.quantile_iterated_to() * 100.0,
                v.value_iterated_to() as f64,
            )
        })
        .filter(|(p, _)| 1.0 / (1.0 - p / 100.0) < top)
        .map(|(p, us)| (p, us / 1000.0))
        .collect();
    points.push((100.0 - 100.0 / top, latency_us.max() as f64 / 1000.0));
    points
}

/// The right end of the nines axis, as 1 / (1 - quantile): the power of ten at or above
/// the request count, between 100 (p99) and 10^6 (p99.9999).
fn nines_top(requests: u64) -> f64 {
    let exponent = (requests.max(1) as f64).log10().ceil().clamp(2.0, 6.0);
    10f64.powf(exponent)
}

/// Everything the page shows.
pub(crate) struct Page<'a> {
    /// The run's settings as (label, value), in order.
    pub(crate) settings: Vec<(&'static str, String)>,
    pub(crate) summary: &'a Report,
    /// (percentile, ms), from [`distribution`].
    pub(crate) distribution: Vec<(f64, f64)>,
    pub(crate) series: Series,
}

/// Section titles, in page order.
pub(crate) const SECTIONS: [&str; 6] = [
    "Settings",
    "Summary",
    "Throughput over time",
    "Latency percentiles over time",
    "Latency percentile distribution",
    "Answers by type over time",
];

/// The page as one HTML document with inline SVG charts.
///
/// # Errors
///
/// When plotters fails to draw a chart (it writes into a string, so only on a bug).
pub(crate) fn render(page: &Page<'_>) -> Result<String, String> {
    let s = page.summary;
    let mut html = String::with_capacity(64 * 1024);
    html.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
    );
    let _ = writeln!(html, "<title>pipesim load: {}</title>", escape(&s.endpoint));
    html.push_str(STYLE);
    html.push_str("</head>\n<body>\n");
    let _ = writeln!(html, "<h1>pipesim load: {}</h1>", escape(&s.endpoint));

    let _ = writeln!(html, "<h2>{}</h2>\n<table>", SECTIONS[0]);
    for (label, value) in &page.settings {
        row(&mut html, label, value);
    }
    html.push_str("</table>\n");

    let _ = writeln!(html, "<h2>{}</h2>\n<table>", SECTIONS[1]);
    row(&mut html, "requests", &s.requests.to_string());
    row(&mut html, "seconds", &format!("{:.2}", s.seconds));
    row(
        &mut html,
        "throughput",
        &format!("{:.0} per second", s.requests_per_sec),
    );
    latency_rows(&mut html, &s.latency_ms);
    html.push_str("</table>\n<h3>Answers by type</h3>\n<table>\n");
    for (kind, n) in &s.responses {
        row(&mut html, kind, &n.to_string());
    }
    html.push_str("</table>\n");
    if let Some(jobs) = &s.job_workers {
        job_worker_summary(&mut html, jobs);
    }

    let series = &page.series;
    let bucket = format!("{} ms buckets", (series.width * 1000.0).round());
    let xs = 0.0..(series.points.len() as f64 * series.width).max(series.width);

    let rate: Vec<(f64, f64)> = series.points.iter().map(|p| (p.start, p.rate)).collect();
    chart_section(&mut html, SECTIONS[2], &bucket, |area| {
        time_chart(
            area,
            xs.clone(),
            "requests per second",
            &[("requests/s", rate)],
        )
    })?;

    let latency: Vec<(&str, Vec<(f64, f64)>)> = ["p50", "p90", "p99", "p99.9"]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let points = series
                .points
                .iter()
                .filter_map(|p| p.latency_ms[i].map(|ms| (p.start, ms)))
                .collect();
            (*name, points)
        })
        .collect();
    chart_section(&mut html, SECTIONS[3], &bucket, |area| {
        time_chart(area, xs.clone(), "latency ms", &latency)
    })?;

    let note = "the whole run; percentile on a log axis of nines";
    chart_section(&mut html, SECTIONS[4], note, |area| {
        nines_chart(area, &page.distribution)
    })?;

    let answers: Vec<(&str, Vec<(f64, f64)>)> = series
        .answers
        .iter()
        .map(|(kind, rates)| {
            let points = series.points.iter().zip(rates);
            (kind.as_str(), points.map(|(p, r)| (p.start, *r)).collect())
        })
        .collect();
    chart_section(&mut html, SECTIONS[5], &bucket, |area| {
        time_chart(area, xs.clone(), "answers per second", &answers)
    })?;

    let _ = writeln!(
        html,
        "<p class=\"note\">Made by pipesim {}.</p>\n</body>\n</html>",
        escape(env!("CARGO_PKG_VERSION"))
    );
    Ok(html)
}

const STYLE: &str = "<style>\n\
body { font-family: sans-serif; margin: 2em auto; max-width: 960px; padding: 0 1em; color: #222; }\n\
table { border-collapse: collapse; margin-bottom: 1em; }\n\
td { padding: 0.15em 1em 0.15em 0; border-bottom: 1px solid #ddd; }\n\
td.n { text-align: right; font-variant-numeric: tabular-nums; }\n\
svg { max-width: 100%; height: auto; }\n\
.note { color: #666; font-size: 0.9em; }\n\
</style>\n";

/// The job-worker connections' summary: jobs, calls, latency and answers, as the mix's.
fn job_worker_summary(html: &mut String, jobs: &JobWorkerReport) {
    html.push_str("<h3>Job workers</h3>\n<table>\n");
    row(html, "connections", &jobs.connections.to_string());
    row(html, "jobs completed", &jobs.jobs_completed.to_string());
    row(
        html,
        "jobs",
        &format!("{:.0} per second", jobs.jobs_per_sec),
    );
    row(
        html,
        "calls (poll, ack, put)",
        &format!("{} ({:.0} per second)", jobs.calls, jobs.calls_per_sec),
    );
    row(
        html,
        "polls",
        &format!("{} ({} empty)", jobs.polls, jobs.empty_polls),
    );
    latency_rows(html, &jobs.latency_ms);
    for (kind, n) in &jobs.responses {
        row(html, &format!("answered {kind}"), &n.to_string());
    }
    html.push_str("</table>\n");
}

/// The latency percentiles of a summary table, one row each.
fn latency_rows(html: &mut String, l: &super::load::Latency) {
    for (label, ms) in [
        ("p50 ms", l.p50),
        ("p90 ms", l.p90),
        ("p99 ms", l.p99),
        ("p99.9 ms", l.p999),
        ("max ms", l.max),
    ] {
        row(html, label, &format!("{ms:.3}"));
    }
}

fn row(html: &mut String, label: &str, value: &str) {
    let _ = writeln!(
        html,
        "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
        escape(label),
        escape(value)
    );
}

/// Escapes text for HTML content and quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

type Area<'b> = DrawingArea<SVGBackend<'b>, Shift>;
type DrawResult = Result<(), Box<dyn std::error::Error + 'static>>;

/// Appends a titled section with one chart drawn by `draw`.
fn chart_section(
    html: &mut String,
    title: &str,
    note: &str,
    draw: impl FnOnce(&Area<'_>) -> DrawResult,
) -> Result<(), String> {
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, CHART).into_drawing_area();
        area.fill(&WHITE).map_err(|err| err.to_string())?;
        draw(&area).map_err(|err| format!("cannot draw '{title}': {err}"))?;
        area.present().map_err(|err| err.to_string())?;
    }
    let _ = writeln!(
        html,
        "<h2>{}</h2>\n<p class=\"note\">{}</p>\n{svg}",
        escape(title),
        escape(note)
    );
    Ok(())
}

/// Lines over the run's seconds.
fn time_chart(
    area: &Area<'_>,
    xs: Range<f64>,
    y_label: &str,
    lines: &[(&str, Vec<(f64, f64)>)],
) -> DrawResult {
    let top = lines
        .iter()
        .flat_map(|(_, points)| points.iter().map(|(_, y)| *y))
        .fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .margin_right(40)
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d(xs, 0.0..nice_top(top))?;
    chart
        .configure_mesh()
        .x_desc("seconds")
        .y_desc(y_label)
        .label_style(FONT)
        .axis_desc_style(FONT)
        .x_label_formatter(&|x| number_label(*x))
        .y_label_formatter(&|y| number_label(*y))
        .max_light_lines(0)
        .draw()?;
    for (i, (name, points)) in lines.iter().enumerate() {
        let color = COLORS[i % COLORS.len()].stroke_width(2);
        chart
            .draw_series(LineSeries::new(points.iter().copied(), color))?
            .label(*name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color));
    }
    legend(&mut chart)
}

/// The HDR plot: latency over percentile, the percentile axis in nines (x = 1 / (1 - q)
/// on a log scale, so 90%, 99%, 99.9% are evenly spaced).
fn nines_chart(area: &Area<'_>, points: &[(f64, f64)]) -> DrawResult {
    let top_x = points
        .last()
        .map_or(100.0, |(p, _)| 1.0 / (1.0 - p / 100.0))
        .max(100.0);
    let top_y = points.iter().map(|(_, ms)| *ms).fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .margin_right(40)
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d((1.0..top_x * 1.0001).log_scale(), 0.0..nice_top(top_y))?;
    chart
        .configure_mesh()
        .x_desc("percentile")
        .y_desc("latency ms")
        .label_style(FONT)
        .axis_desc_style(FONT)
        .x_label_formatter(&|x| nines_label(*x))
        .y_label_formatter(&|y| number_label(*y))
        .max_light_lines(0)
        .draw()?;
    let color = COLORS[0].stroke_width(2);
    let line = points.iter().map(|(p, ms)| (1.0 / (1.0 - p / 100.0), *ms));
    chart
        .draw_series(LineSeries::new(line, color))?
        .label("latency")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color));
    legend(&mut chart)
}

fn legend<'b, X, Y>(chart: &mut ChartContext<'b, SVGBackend<'b>, Cartesian2d<X, Y>>) -> DrawResult
where
    X: plotters::coord::ranged1d::Ranged,
    Y: plotters::coord::ranged1d::Ranged,
{
    chart
        .configure_series_labels()
        .label_font(FONT)
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK.mix(0.3))
        .draw()?;
    Ok(())
}

/// The label of a point on the nines axis: 10 is 90%, 1000 is 99.9%.
fn nines_label(x: f64) -> String {
    let percent = 100.0 - 100.0 / x;
    let nines = x.log10().round() as usize;
    if percent < 1e-9 {
        "0%".into()
    } else {
        format!("{percent:.prec$}%", prec = nines.saturating_sub(2))
    }
}

/// An axis label: whole numbers from 10 up, else at most three decimals.
fn number_label(value: f64) -> String {
    if value.abs() >= 10.0 {
        format!("{value:.0}")
    } else {
        let text = format!("{value:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// A round upper bound for an axis: the next of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a
/// power of ten at least 5% above `top` (and 1 for an empty chart).
fn nice_top(top: f64) -> f64 {
    if !(top > 0.0 && top.is_finite()) {
        return 1.0;
    }
    let power = 10f64.powf(top.log10().floor());
    [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|bound| *bound >= top * 1.05)
        .unwrap_or(10.0 * power)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::cli::load::Latency;
    use crate::cli::load_timeline::Point;

    fn report(endpoint: &str) -> Report {
        Report {
            endpoint: endpoint.to_owned(),
            connections: 4,
            requests: 12_345,
            seconds: 2.0,
            requests_per_sec: 6172.5,
            latency_ms: Latency {
                p50: 0.25,
                p90: 0.5,
                p99: 1.5,
                p999: 4.75,
                max: 9.125,
            },
            responses: BTreeMap::from([
                ("200".to_owned(), 12_340),
                ("ThrottlingException".to_owned(), 5),
            ]),

            job_workers: None,
        }
    }

    fn page(summary: &Report) -> Page<'_> {
        let points = (0..4)
            .map(|i| Point {
                start: f64::from(i) * 0.5,
                rate: 6000.0 + f64::from(i),
                latency_ms: [Some(0.25), Some(0.5), Some(1.5), Some(4.75)],
            })
            .collect();
        Page {
            settings: vec![
                ("endpoint", summary.endpoint.clone()),
                ("connections", "4".into()),
            ],
            summary,
            distribution: vec![(0.0, 0.1), (50.0, 0.25), (99.0, 1.5), (99.99, 9.125)],
            series: Series {
                width: 0.5,
                points,
                answers: BTreeMap::from([("200".to_owned(), vec![6000.0; 4])]),
            },
        }
    }

    #[test]
    fn a_report_shows_the_summary_numbers_and_every_section() {
        let summary = report("http://127.0.0.1:8409");
        let html = render(&page(&summary)).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        for section in SECTIONS {
            assert!(html.contains(&format!("<h2>{section}</h2>")), "{section}");
        }
        for number in [
            "12345",
            "6172 per second",
            "0.250",
            "4.750",
            "9.125",
            "12340",
        ] {
            assert!(
                html.contains(&format!("<td class=\"n\">{number}")),
                "{number}"
            );
        }
        assert!(html.contains("<td>ThrottlingException</td><td class=\"n\">5</td>"));
        assert_eq!(html.matches("<svg").count(), 4);
        assert!(html.contains("500 ms buckets"));
    }

    #[test]
    fn every_string_from_outside_is_escaped() {
        let hostile = "http://x/<script>alert('1')</script>&\"";
        let mut summary = report(hostile);
        summary.responses.insert("<img src=x onerror=y>".into(), 1);
        let mut page = page(&summary);
        page.series
            .answers
            .insert("</svg><script>".into(), vec![1.0; 4]);
        let html = render(&page).unwrap();
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("http://x/&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt;&amp;&quot;")
        );
    }

    #[test]
    fn the_nines_axis_labels_percentiles() {
        assert_eq!(nines_label(1.0), "0%");
        assert_eq!(nines_label(10.0), "90%");
        assert_eq!(nines_label(100.0), "99%");
        assert_eq!(nines_label(1000.0), "99.9%");
        assert_eq!(nines_label(1e6), "99.9999%");
    }

    #[test]
    fn axis_labels_drop_noise_digits() {
        assert_eq!(number_label(2000.0), "2000");
        assert_eq!(number_label(0.30000000000000004), "0.3");
        assert_eq!(number_label(0.0), "0");
        assert_eq!(number_label(2.5), "2.5");
    }

    #[test]
    fn the_distribution_ends_at_the_maximum_within_the_nines_the_count_supports() {
        let mut h = Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3).unwrap();
        for us in 1..=1000 {
            h.record(us).unwrap();
        }
        let points = distribution(&h);
        assert_eq!(points.first().unwrap().0, 0.0);
        assert_eq!(*points.last().unwrap(), (99.9, 1.0));
        assert!(
            points
                .windows(2)
                .all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1)
        );
    }
}
