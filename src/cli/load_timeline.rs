//! The timeline of a `pipesim load` run, for `--report`: answers and latencies per time
//! bucket.
//!
//! The run is cut into buckets of equal width ([`bucket_width`]). Each connection fills
//! its own current [`Bucket`] (a small HDR histogram and its answers by type) without a
//! lock, and merges it into the shared [`Timeline`] once, when the next bucket begins or
//! the connection ends. The hot path gains a histogram record and a short list look-up
//! per request, nothing shared. [`Timeline::series`] turns the buckets into the
//! [`Series`] that `load_report` charts.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use parking_lot::Mutex;

/// Significant figures of a bucket's histogram: 1% is plenty for a chart, and an
/// auto-resizing histogram of 2 figures stays a few KB.
const BUCKET_SIGFIG: u8 = 2;

/// At most this many points per series; a longer run has adjacent buckets merged.
const MAX_POINTS: usize = 300;

/// The width of a bucket: one second, or finer so that a short run still gets at least
/// 30 points. A run that ends after a number of requests (`duration` None) has no known
/// length and gets 100 ms buckets, merged later if there are too many.
pub(crate) fn bucket_width(duration: Option<Duration>) -> Duration {
    const WIDTHS_MS: [u64; 7] = [1000, 500, 250, 100, 50, 20, 10];
    let Some(duration) = duration else {
        return Duration::from_millis(100);
    };
    WIDTHS_MS
        .iter()
        .map(|ms| Duration::from_millis(*ms))
        .find(|width| duration.as_secs_f64() / width.as_secs_f64() >= 30.0)
        .unwrap_or(Duration::from_millis(10))
}

/// What the run saw in one bucket: latencies of the requests answered in it, and every
/// answer by type (connection errors too).
#[derive(Clone, Debug)]
pub(crate) struct Bucket {
    latency_us: Histogram<u64>,
    /// A short list, not a map: a run sees a handful of types, and looking one up by
    /// `&str` allocates nothing.
    answers: Vec<(String, u64)>,
}

impl Bucket {
    fn new() -> Self {
        Self {
            latency_us: Histogram::new(BUCKET_SIGFIG).expect("valid significant figures"),
            answers: Vec::new(),
        }
    }

    fn count(&mut self, kind: &str, n: u64) {
        match self.answers.iter_mut().find(|(k, _)| k == kind) {
            Some((_, count)) => *count += n,
            None => self.answers.push((kind.to_owned(), n)),
        }
    }

    fn add(&mut self, other: &Bucket) {
        self.latency_us
            .add(&other.latency_us)
            .expect("auto-resizing histograms add");
        for (kind, n) in &other.answers {
            self.count(kind, *n);
        }
    }

    fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }
}

/// The run's buckets, merged from every connection.
pub(crate) struct Timeline {
    started: Instant,
    width: Duration,
    /// Buckets by index from `started`. Guards the merge of a connection's finished
    /// bucket: taken once per connection per bucket, never per request, and never held
    /// across an `.await`.
    buckets: Mutex<Vec<Bucket>>,
}

impl Timeline {
    pub(crate) fn new(started: Instant, width: Duration) -> Arc<Self> {
        Arc::new(Self {
            started,
            width,
            buckets: Mutex::new(Vec::new()),
        })
    }

    /// A recorder for one connection.
    pub(crate) fn recorder(self: &Arc<Self>) -> Recorder {
        Recorder {
            timeline: Arc::clone(self),
            index: 0,
            bucket: Bucket::new(),
        }
    }

    fn merge(&self, index: usize, bucket: &Bucket) {
        let mut buckets = self.buckets.lock();
        if buckets.len() <= index {
            buckets.resize_with(index + 1, Bucket::new);
        }
        buckets[index].add(bucket);
    }

    /// The series to chart, once every recorder is dropped; `seconds` is how long the
    /// run took, so that the last, partial bucket's rate is per second of its own length.
    pub(crate) fn series(&self, seconds: f64) -> Series {
        let buckets = self.buckets.lock();
        let per_point = buckets.len().div_ceil(MAX_POINTS).max(1);
        let width = self.width.as_secs_f64() * per_point as f64;
        let kinds: Vec<&str> = {
            let mut kinds: Vec<&str> = buckets
                .iter()
                .flat_map(|b| b.answers.iter().map(|(k, _)| k.as_str()))
                .collect();
            kinds.sort_unstable();
            kinds.dedup();
            kinds
        };
        let mut series = Series {
            width,
            points: Vec::new(),
            answers: kinds
                .iter()
                .map(|k| ((*k).to_owned(), Vec::new()))
                .collect(),
        };
        for (i, chunk) in buckets.chunks(per_point).enumerate() {
            let mut merged = Bucket::new();
            chunk.iter().for_each(|b| merged.add(b));
            let start = i as f64 * width;
            let length = (seconds - start).clamp(f64::MIN_POSITIVE, width);
            let h = &merged.latency_us;
            let ms = |q: f64| (!h.is_empty()).then(|| h.value_at_quantile(q) as f64 / 1000.0);
            series.points.push(Point {
                start,
                rate: h.len() as f64 / length,
                latency_ms: [ms(0.5), ms(0.9), ms(0.99), ms(0.999)],
            });
            for (kind, rates) in &mut series.answers {
                let n = merged
                    .answers
                    .iter()
                    .find(|(k, _)| k == kind)
                    .map_or(0, |(_, n)| *n);
                rates.push(n as f64 / length);
            }
        }
        series
    }
}

/// One connection's share of the timeline: its current bucket, filled without a lock
/// and merged into the timeline when the next bucket begins or the recorder is dropped.
pub(crate) struct Recorder {
    timeline: Arc<Timeline>,
    index: usize,
    bucket: Bucket,
}

impl Recorder {
    /// Records one answer of type `kind` that came at `at`, with its latency unless the
    /// request never went out.
    pub(crate) fn record(&mut self, at: Instant, kind: &str, latency_us: Option<u64>) {
        let since = at.saturating_duration_since(self.timeline.started);
        let index = (since.as_nanos() / self.timeline.width.as_nanos()) as usize;
        if index != self.index {
            self.flush();
            self.index = index;
        }
        if let Some(micros) = latency_us {
            // `record`, not `saturating_record`: the latter clamps to the histogram's
            // current range instead of growing it.
            if self.bucket.latency_us.record(micros).is_err() {
                self.bucket.latency_us.saturating_record(micros);
            }
        }
        self.bucket.count(kind, 1);
    }

    fn flush(&mut self) {
        if !self.bucket.is_empty() {
            self.timeline.merge(self.index, &self.bucket);
            self.bucket = Bucket::new();
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.flush();
    }
}

/// The charted series: one point per bucket (or per few merged buckets).
#[derive(Debug, Default)]
pub(crate) struct Series {
    /// Seconds per point.
    pub(crate) width: f64,
    pub(crate) points: Vec<Point>,
    /// Answers per second of each type, one value per point.
    pub(crate) answers: BTreeMap<String, Vec<f64>>,
}

#[derive(Debug)]
pub(crate) struct Point {
    /// Seconds from the start of the run.
    pub(crate) start: f64,
    /// Requests answered per second.
    pub(crate) rate: f64,
    /// p50, p90, p99 and p99.9 in ms; None where no request was answered.
    pub(crate) latency_ms: [Option<f64>; 4],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_run_gets_at_least_thirty_buckets_and_a_long_one_seconds() {
        assert_eq!(
            bucket_width(Some(Duration::from_secs(60))),
            Duration::from_secs(1)
        );
        assert_eq!(
            bucket_width(Some(Duration::from_secs(30))),
            Duration::from_secs(1)
        );
        assert_eq!(
            bucket_width(Some(Duration::from_secs(5))),
            Duration::from_millis(100)
        );
        assert_eq!(
            bucket_width(Some(Duration::from_secs(1))),
            Duration::from_millis(20)
        );
        assert_eq!(bucket_width(None), Duration::from_millis(100));
    }

    #[test]
    fn recorders_merge_into_buckets_that_add_up_to_every_answer() {
        let started = Instant::now();
        let timeline = Timeline::new(started, Duration::from_millis(100));
        let at = |ms| started + Duration::from_millis(ms);
        {
            let mut a = timeline.recorder();
            let mut b = timeline.recorder();
            a.record(at(10), "200", Some(1000));
            b.record(at(20), "200", Some(3000));
            a.record(at(150), "ThrottlingException", Some(2000));
            b.record(at(160), "connection error", None);
            a.record(at(250), "200", Some(1000));
        }
        let series = timeline.series(0.3);
        assert_eq!(series.points.len(), 3);
        let rates: Vec<f64> = series.points.iter().map(|p| p.rate.round()).collect();
        // Requests with a latency, per second of each 100 ms bucket.
        assert_eq!(rates, [20.0, 10.0, 10.0]);
        let answers =
            |kind: &str| -> Vec<f64> { series.answers[kind].iter().map(|r| r.round()).collect() };
        assert_eq!(answers("200"), [20.0, 0.0, 10.0]);
        assert_eq!(answers("connection error"), [0.0, 10.0, 0.0]);
        // p50 of 1 ms and 3 ms, within the bucket histograms' 1%.
        let p50 = series.points[0].latency_ms[0].unwrap();
        assert!((p50 - 1.0).abs() < 0.01, "{p50}");
    }

    #[test]
    fn a_long_run_is_merged_to_at_most_max_points() {
        let started = Instant::now();
        let timeline = Timeline::new(started, Duration::from_millis(10));
        {
            let mut recorder = timeline.recorder();
            for ms in 0..10_000 {
                recorder.record(started + Duration::from_millis(ms), "200", Some(500));
            }
        }
        let series = timeline.series(10.0);
        assert!(series.points.len() <= MAX_POINTS, "{}", series.points.len());
        assert!(series.points.iter().all(|p| (p.rate - 1000.0).abs() < 1e-6));
    }
}
