//! `pipesim load`: a load generator for any CodePipeline endpoint that speaks plain
//! HTTP (pipesim, or moto, LocalStack and the like).
//!
//! Each connection is one HTTP/1.1 keep-alive connection driven by its own task, which
//! sends the next request as soon as the last is answered or, at a fixed rate, when its
//! turn comes. At a fixed rate, latency is measured from when a request was due, not
//! when it was sent, so a stalled server shows up in the percentiles instead of hiding
//! behind fewer requests (coordinated omission).
//!
//! With `--report FILE.html`, each connection also records its answers per time bucket,
//! and the run ends by writing one HTML page with charts (see `load_timeline` and
//! `load_report`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use axum::http::{Request, Uri, header};
use clap::{Args, ValueEnum};
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use tokio::net::TcpStream;

use pipesim::model::{ExecutionMode, Operation, PipelineDeclaration, Timestamp};

use super::bench_jobs::{
    WORKER_BATCH, WORKER_PROVIDER, create_worker_type, worker_pipeline, worker_type,
};
use super::load_report::{self, Page};
use super::load_timeline::{self, Recorder, Timeline};

/// Flags of `pipesim load`.
#[derive(Debug, Args)]
pub(crate) struct LoadArgs {
    /// The endpoint, as given to an SDK: `http://127.0.0.1:8409`.
    #[arg(long)]
    endpoint: String,

    /// Operations and their weights, such as
    /// `StartPipelineExecution=8,GetPipelineExecution=1,GetPipelineState=1`.
    /// Operations: StartPipelineExecution, GetPipelineExecution, ListPipelineExecutions,
    /// GetPipelineState, GetPipeline, ListPipelines.
    #[arg(long, default_value = "StartPipelineExecution=1", value_parser = parse_mix)]
    mix: Mix,

    /// Open connections, each with one request in flight.
    #[arg(long, default_value_t = 64, value_name = "N")]
    connections: usize,

    /// Requests per second over all connections; as fast as possible when absent.
    #[arg(long, value_name = "PER_SECOND")]
    rate: Option<f64>,

    /// How long to run, in seconds (ignored with --requests).
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    duration: f64,

    /// Send this many requests in all, then stop.
    #[arg(long, value_name = "N")]
    requests: Option<u64>,

    /// Give every start a fresh clientRequestToken, as the AWS SDKs do.
    #[arg(long)]
    tokens: bool,

    /// Pipeline name; with --pipelines N > 1, the names are NAME-0 .. NAME-(N-1).
    #[arg(long, default_value = "LoadTest")]
    pipeline: String,

    /// How many pipelines to spread the load over.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pipelines: usize,

    /// Create the pipelines first (a pipeline that exists already is used as it is).
    #[arg(long)]
    create: bool,

    /// Execution mode of pipelines that --create makes.
    #[arg(long, value_enum, default_value_t = Mode::Superseded)]
    execution_mode: Mode,

    /// Account and region to name in each request's SigV4 credential scope (the
    /// signature itself is a placeholder: pipesim reads the scope and ignores it).
    #[arg(long, default_value = "123456789012")]
    account: String,

    /// See --account.
    #[arg(long, default_value = "us-east-1")]
    region: String,

    /// Also run N job-worker connections. Each polls for the jobs of the custom action
    /// type `Build/Custom/PipesimWorker/1` (PollForJobs, maxBatchSize 10), acknowledges
    /// each job it is handed (AcknowledgeJob) and reports it succeeded
    /// (PutJobSuccessResult), while the --connections connections run the mix, whose
    /// starts post the jobs. With --create, that type is created and each pipeline's
    /// second stage is its action `Work`. A worker whose poll finds no job waits 10 ms
    /// before polling again. The workers' calls are reported on their own.
    #[arg(long, default_value_t = 0, value_name = "N")]
    job_workers: usize,

    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,

    /// Also write the run as one self-contained HTML page: throughput, latency
    /// percentiles and answers by type over time, the whole run's latency distribution,
    /// the settings and the summary.
    #[arg(long, value_name = "FILE.html")]
    report: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Mode {
    #[value(name = "SUPERSEDED")]
    Superseded,
    #[value(name = "QUEUED")]
    Queued,
    #[value(name = "PARALLEL")]
    Parallel,
}

/// Weighted operations.
#[derive(Clone, Debug)]
pub(crate) struct Mix(Vec<(Operation, u32)>);

const LOAD_OPERATIONS: [Operation; 6] = [
    Operation::StartPipelineExecution,
    Operation::GetPipelineExecution,
    Operation::ListPipelineExecutions,
    Operation::GetPipelineState,
    Operation::GetPipeline,
    Operation::ListPipelines,
];

fn parse_mix(text: &str) -> Result<Mix, String> {
    let mut mix = Vec::new();
    for part in text.split(',').filter(|p| !p.trim().is_empty()) {
        let (name, weight) = part.split_once('=').unwrap_or((part, "1"));
        let operation = Operation::from_name(name.trim())
            .filter(|op| LOAD_OPERATIONS.contains(op))
            .ok_or_else(|| {
                let known: Vec<_> = LOAD_OPERATIONS.iter().map(|op| op.name()).collect();
                format!("'{}' is not one of {}", name.trim(), known.join(", "))
            })?;
        let weight: u32 = weight
            .trim()
            .parse()
            .map_err(|_| format!("the weight of {operation} is not a whole number"))?;
        if weight > 0 {
            mix.push((operation, weight));
        }
    }
    if mix.is_empty() {
        return Err("the mix names no operation with a weight above 0".into());
    }
    Ok(Mix(mix))
}

impl Mix {
    /// The operation of the `i`-th request: weights interleaved deterministically.
    fn pick(&self, i: u64) -> Operation {
        let total: u64 = self.0.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut at = i % total;
        for (operation, weight) in &self.0 {
            if at < u64::from(*weight) {
                return *operation;
            }
            at -= u64::from(*weight);
        }
        self.0[0].0
    }
}

/// The whole run's result.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    pub(crate) endpoint: String,
    pub(crate) connections: usize,
    pub(crate) requests: u64,
    pub(crate) seconds: f64,
    pub(crate) requests_per_sec: f64,
    pub(crate) latency_ms: Latency,
    /// Answers by type: `200`, an error's `__type`, `HTTP <status>`, or `connection error`.
    pub(crate) responses: BTreeMap<String, u64>,
    /// What the --job-workers connections did, when there were any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) job_workers: Option<JobWorkerReport>,
}

/// The job-worker connections' result: their calls (polls, acknowledgements and
/// results), timed and counted by answer as the mix's requests are, and the jobs they
/// completed.
#[derive(Debug, Serialize)]
pub(crate) struct JobWorkerReport {
    pub(crate) connections: usize,
    /// Jobs acknowledged and reported succeeded, each answered 200.
    pub(crate) jobs_completed: u64,
    pub(crate) jobs_per_sec: f64,
    /// Every call: polls, acknowledgements and results.
    pub(crate) calls: u64,
    pub(crate) calls_per_sec: f64,
    pub(crate) polls: u64,
    /// Polls answered with no job (each followed by a 10 ms wait).
    pub(crate) empty_polls: u64,
    pub(crate) latency_ms: Latency,
    /// Answers by type, as for the mix's requests.
    pub(crate) responses: BTreeMap<String, u64>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Latency {
    pub(crate) p50: f64,
    pub(crate) p90: f64,
    pub(crate) p99: f64,
    #[serde(rename = "p99.9")]
    pub(crate) p999: f64,
    pub(crate) max: f64,
}

impl Latency {
    /// The percentiles of a histogram of microseconds, in milliseconds.
    fn of(histogram: &Histogram<u64>) -> Self {
        let ms = |q: f64| histogram.value_at_quantile(q) as f64 / 1000.0;
        Self {
            p50: ms(0.5),
            p90: ms(0.9),
            p99: ms(0.99),
            p999: ms(0.999),
            max: histogram.max() as f64 / 1000.0,
        }
    }
}

/// Where requests go, and the headers every one of them carries.
struct Target {
    address: String,
    host: String,
    authorization: String,
}

pub(crate) async fn run(args: LoadArgs) -> Result<(), String> {
    if args.connections == 0 {
        return Err("--connections must be at least 1".into());
    }
    if args.pipelines == 0 {
        return Err("--pipelines must be at least 1".into());
    }
    if let Some(rate) = args.rate
        && !(rate > 0.0 && rate.is_finite())
    {
        return Err(format!("--rate {rate} is not a positive number"));
    }
    let target = Arc::new(target(&args)?);
    let names: Arc<[String]> = if args.pipelines == 1 {
        vec![args.pipeline.clone()].into()
    } else {
        (0..args.pipelines)
            .map(|i| format!("{}-{i}", args.pipeline))
            .collect()
    };
    if args.create {
        let with_workers = args.job_workers > 0;
        create_pipelines(&target, &names, args.execution_mode, with_workers).await?;
    }

    let duration = Duration::from_secs_f64(args.duration.max(0.001));
    let budget = args.requests;
    let sent = Arc::new(AtomicU64::new(0));
    let bar = progress(budget, duration);
    let started = Instant::now();
    let started_at = SystemTime::now();
    let timeline = args.report.as_ref().map(|_| {
        let width = load_timeline::bucket_width(budget.is_none().then_some(duration));
        Timeline::new(started, width)
    });
    let interval = args
        .rate
        .map(|rate| Duration::from_secs_f64(args.connections as f64 / rate));
    let mix = Arc::new(args.mix.clone());
    let workers: Vec<_> = (0..args.connections)
        .map(|c| {
            let worker = Worker {
                target: Arc::clone(&target),
                names: Arc::clone(&names),
                mix: Arc::clone(&mix),
                tokens: args.tokens,
                sent: Arc::clone(&sent),
                budget,
                deadline: started + duration,
                interval,
                // Spread the connections' first turns over one interval.
                first_due: started
                    + interval.map_or(Duration::ZERO, |i| {
                        i.mul_f64(c as f64 / args.connections as f64)
                    }),
                connection: c,
                recorder: timeline.as_ref().map(Timeline::recorder),
            };
            tokio::spawn(worker.run())
        })
        .collect();
    // Job workers run until the mix's connections are done.
    let stop = Arc::new(AtomicBool::new(false));
    let jobs_done = Arc::new(AtomicU64::new(0));
    let job_workers: Vec<_> = (0..args.job_workers)
        .map(|_| {
            let worker = JobWorker {
                target: Arc::clone(&target),
                stop: Arc::clone(&stop),
                jobs_done: Arc::clone(&jobs_done),
            };
            tokio::spawn(worker.run())
        })
        .collect();
    let ticker = {
        let (bar, sent, jobs_done) = (bar.clone(), Arc::clone(&sent), Arc::clone(&jobs_done));
        let with_jobs = args.job_workers > 0;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let done = sent.load(Ordering::Relaxed);
                let elapsed = started.elapsed();
                bar.set_position(if budget.is_some() {
                    done
                } else {
                    elapsed.as_millis() as u64
                });
                let jobs = if with_jobs {
                    format!(", {} jobs", jobs_done.load(Ordering::Relaxed))
                } else {
                    String::new()
                };
                bar.set_message(format!(
                    "{done} requests, {:.0}/s{jobs}",
                    done as f64 / elapsed.as_secs_f64()
                ));
            }
        })
    };
    let mut histogram =
        Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3).expect("valid histogram bounds");
    let mut responses = BTreeMap::new();
    for worker in workers {
        let outcome = worker
            .await
            .map_err(|err| format!("a load task failed: {err}"))?;
        histogram
            .add(&outcome.latency_us)
            .expect("histograms of one shape add");
        for (kind, n) in outcome.responses {
            *responses.entry(kind).or_insert(0) += n;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let mut jobs = JobOutcome::new();
    for worker in job_workers {
        let outcome = worker
            .await
            .map_err(|err| format!("a job-worker task failed: {err}"))?;
        jobs.add(outcome);
    }
    let seconds = started.elapsed().as_secs_f64();
    ticker.abort();
    bar.finish_and_clear();

    let requests = histogram.len();
    let report = Report {
        endpoint: args.endpoint.clone(),
        connections: args.connections,
        requests,
        seconds,
        requests_per_sec: requests as f64 / seconds,
        latency_ms: Latency::of(&histogram),
        responses,
        job_workers: (args.job_workers > 0).then(|| jobs.report(args.job_workers, seconds)),
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&report).map_err(|err| err.to_string())?
        );
    } else {
        print_report(&report, &args.mix);
    }
    if let (Some(path), Some(timeline)) = (&args.report, timeline) {
        let page = Page {
            settings: settings(&args, started_at),
            summary: &report,
            distribution: load_report::distribution(&histogram),
            series: timeline.series(seconds),
        };
        let html = load_report::render(&page)?;
        std::fs::write(path, html)
            .map_err(|err| format!("cannot write --report {}: {err}", path.display()))?;
    }
    Ok(())
}

/// The run's settings as the report lists them.
fn settings(args: &LoadArgs, started_at: SystemTime) -> Vec<(&'static str, String)> {
    let mix: Vec<String> = args
        .mix
        .0
        .iter()
        .map(|(op, w)| format!("{op}={w}"))
        .collect();
    let pipelines = if args.pipelines == 1 {
        args.pipeline.clone()
    } else {
        format!(
            "{n}: {name}-0 .. {name}-{last}",
            n = args.pipelines,
            name = args.pipeline,
            last = args.pipelines - 1
        )
    };
    let yes = |flag: bool| if flag { "yes" } else { "no" }.to_owned();
    vec![
        ("endpoint", args.endpoint.clone()),
        ("mix", mix.join(",")),
        ("connections", args.connections.to_string()),
        (
            "rate",
            args.rate.map_or("as fast as possible".into(), |rate| {
                format!("{rate} per second")
            }),
        ),
        (
            "length",
            args.requests
                .map_or(format!("{} s", args.duration), |n| format!("{n} requests")),
        ),
        ("pipelines", pipelines),
        (
            "create",
            if args.create {
                let mode = args.execution_mode.to_possible_value();
                format!("yes, {}", mode.as_ref().map_or("", |v| v.get_name()))
            } else {
                "no".into()
            },
        ),
        ("tokens", yes(args.tokens)),
        (
            "job workers",
            if args.job_workers > 0 {
                format!(
                    "{}, polling {} {} at a time (their calls are not in the charts)",
                    args.job_workers, WORKER_PROVIDER, WORKER_BATCH
                )
            } else {
                "none".into()
            },
        ),
        (
            "started",
            Timestamp::from_system_time(started_at).to_rfc3339(),
        ),
        ("pipesim", env!("CARGO_PKG_VERSION").into()),
    ]
}

fn target(args: &LoadArgs) -> Result<Target, String> {
    let uri: Uri = args
        .endpoint
        .parse()
        .map_err(|err| format!("--endpoint '{}' is not a URL: {err}", args.endpoint))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some("https") => {
            return Err("https endpoints are not supported: pipesim load speaks plain HTTP".into());
        }
        _ => {
            return Err(format!(
                "--endpoint '{}' must start with http://",
                args.endpoint
            ));
        }
    }
    let host = uri
        .host()
        .ok_or_else(|| format!("--endpoint '{}' names no host", args.endpoint))?;
    let port = uri.port_u16().unwrap_or(80);
    Ok(Target {
        address: format!("{host}:{port}"),
        host: format!("{host}:{port}"),
        authorization: format!(
            "AWS4-HMAC-SHA256 Credential={}/20250101/{}/codepipeline/aws4_request, \
             SignedHeaders=content-type;host;x-amz-target, Signature=0",
            args.account, args.region
        ),
    })
}

fn print_report(report: &Report, mix: &Mix) {
    let mix: Vec<String> = mix.0.iter().map(|(op, w)| format!("{op}={w}")).collect();
    println!("endpoint     {}", report.endpoint);
    println!("mix          {}", mix.join(","));
    println!("connections  {}", report.connections);
    println!(
        "requests     {} in {:.2} s: {:.0} per second",
        report.requests, report.seconds, report.requests_per_sec
    );
    let l = &report.latency_ms;
    println!(
        "latency ms   p50 {:.3}  p90 {:.3}  p99 {:.3}  p99.9 {:.3}  max {:.3}",
        l.p50, l.p90, l.p99, l.p999, l.max
    );
    println!("responses");
    for (kind, n) in &report.responses {
        println!("  {n:>12}  {kind}");
    }
    if let Some(jobs) = &report.job_workers {
        println!(
            "job workers  {} connections: {} jobs completed, {:.0} per second",
            jobs.connections, jobs.jobs_completed, jobs.jobs_per_sec
        );
        println!(
            "calls        {} in {:.2} s: {:.0} per second ({} polls, {} of them empty)",
            jobs.calls, report.seconds, jobs.calls_per_sec, jobs.polls, jobs.empty_polls
        );
        let l = &jobs.latency_ms;
        println!(
            "latency ms   p50 {:.3}  p90 {:.3}  p99 {:.3}  p99.9 {:.3}  max {:.3}",
            l.p50, l.p90, l.p99, l.p999, l.max
        );
        println!("responses");
        for (kind, n) in &jobs.responses {
            println!("  {n:>12}  {kind}");
        }
    }
}

fn progress(budget: Option<u64>, duration: Duration) -> ProgressBar {
    let bar = ProgressBar::new(budget.unwrap_or(duration.as_millis() as u64)).with_style(
        ProgressStyle::with_template("load [{bar:30}] {msg}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

/// Creates `names` (a pipeline that exists already is used as it is); `with_workers`
/// first creates the job workers' custom action type, and makes each pipeline's second
/// stage its action.
async fn create_pipelines(
    target: &Target,
    names: &[String],
    mode: Mode,
    with_workers: bool,
) -> Result<(), String> {
    let mut connection = Connection::open(target)
        .await
        .map_err(|err| format!("cannot connect to {}: {err}", target.address))?;
    if with_workers {
        let body = serde_json::to_string(&create_worker_type()).map_err(|e| e.to_string())?;
        let (kind, answer) = connection
            .call(target, Operation::CreateCustomActionType, Bytes::from(body))
            .await
            .map_err(|err| format!("CreateCustomActionType failed: {err}"))?;
        // A type that exists already is used as it is.
        let exists = kind == "ValidationException"
            && String::from_utf8_lossy(&answer).contains("already exists");
        if kind != "200" && !exists {
            return Err(format!(
                "CreateCustomActionType {WORKER_PROVIDER} answered {kind}"
            ));
        }
    }
    for name in names {
        let mut pipeline = if with_workers {
            worker_pipeline(name)
        } else {
            PipelineDeclaration::two_stage_example(name)
        };
        pipeline = match mode {
            Mode::Superseded => pipeline,
            Mode::Queued => pipeline.v2(ExecutionMode::Queued),
            Mode::Parallel => pipeline.v2(ExecutionMode::Parallel),
        };
        let body = serde_json::json!({ "pipeline": pipeline }).to_string();
        let (kind, _) = connection
            .call(target, Operation::CreatePipeline, Bytes::from(body))
            .await
            .map_err(|err| format!("CreatePipeline {name} failed: {err}"))?;
        if kind != "200" && kind != "PipelineNameInUseException" {
            return Err(format!("CreatePipeline {name} answered {kind}"));
        }
    }
    Ok(())
}

/// One keep-alive HTTP/1.1 connection.
struct Connection {
    sender: http1::SendRequest<Full<Bytes>>,
}

impl Connection {
    async fn open(target: &Target) -> std::io::Result<Self> {
        let stream = TcpStream::connect(&target.address).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(std::io::Error::other)?;
        tokio::spawn(async move {
            // Ends when the server closes the connection; the next call then fails.
            let _ = connection.await;
        });
        Ok(Self { sender })
    }

    /// Sends one call; answers its type and its body.
    async fn call(
        &mut self,
        target: &Target,
        operation: Operation,
        body: Bytes,
    ) -> Result<(String, Bytes), hyper::Error> {
        let request = Request::post("/")
            .header(header::HOST, &target.host)
            .header(header::CONTENT_TYPE, "application/x-amz-json-1.1")
            .header(
                "x-amz-target",
                format!("CodePipeline_20150709.{}", operation.name()),
            )
            .header(header::AUTHORIZATION, &target.authorization)
            .body(Full::new(body))
            .expect("a well-formed request");
        self.sender.ready().await?;
        let response = self.sender.send_request(request).await?;
        let status = response.status();
        let error_type = response
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(':').next().unwrap_or(v).to_owned());
        let body = response.into_body().collect().await?.to_bytes();
        let kind = if status.is_success() {
            status.as_u16().to_string()
        } else if let Some(error_type) = error_type {
            error_type
        } else {
            serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["__type"].as_str().map(str::to_owned))
                .map(|t| t.rsplit('#').next().unwrap_or(&t).to_owned())
                .unwrap_or_else(|| format!("HTTP {}", status.as_u16()))
        };
        Ok((kind, body))
    }
}

struct Worker {
    target: Arc<Target>,
    names: Arc<[String]>,
    mix: Arc<Mix>,
    tokens: bool,
    sent: Arc<AtomicU64>,
    budget: Option<u64>,
    deadline: Instant,
    interval: Option<Duration>,
    first_due: Instant,
    connection: usize,
    /// Answers by time bucket, with --report.
    recorder: Option<Recorder>,
}

struct Outcome {
    latency_us: Histogram<u64>,
    responses: BTreeMap<String, u64>,
}

impl Worker {
    async fn run(mut self) -> Outcome {
        let mut latency_us =
            Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3).expect("valid histogram bounds");
        let mut responses: BTreeMap<String, u64> = BTreeMap::new();
        let mut connection: Option<Connection> = None;
        // This connection's latest start, and its pipeline: reads of an execution ask for
        // it, so they name one that exists whatever the history limit drops.
        let mut last_execution: Option<(String, String)> = None;
        let mut due = self.first_due;
        for i in 0u64.. {
            match self.budget {
                Some(budget) => {
                    if self.sent.fetch_add(1, Ordering::Relaxed) >= budget {
                        break;
                    }
                }
                None => {
                    if Instant::now() >= self.deadline {
                        break;
                    }
                    self.sent.fetch_add(1, Ordering::Relaxed);
                }
            }
            if self.interval.is_some() {
                tokio::time::sleep_until(due.into()).await;
            }
            let began = if self.interval.is_some() {
                due
            } else {
                Instant::now()
            };
            let n = i * 7919 + self.connection as u64;
            let name = &self.names[(i as usize * 31 + self.connection) % self.names.len()];
            let last = last_execution
                .as_ref()
                .map(|(p, id)| (p.as_str(), id.as_str()));
            let (operation, body) = self.request(self.mix.pick(n), name, last);
            let conn = match connection.as_mut() {
                Some(conn) => conn,
                None => match Connection::open(&self.target).await {
                    Ok(conn) => connection.insert(conn),
                    Err(_) => {
                        if let Some(recorder) = &mut self.recorder {
                            recorder.record(Instant::now(), CONNECTION_ERROR, None);
                        }
                        *responses.entry(CONNECTION_ERROR.into()).or_insert(0) += 1;
                        due = next_due(due, self.interval);
                        continue;
                    }
                },
            };
            let kind = match conn.call(&self.target, operation, body).await {
                Ok((kind, body)) => {
                    if operation == Operation::StartPipelineExecution && kind == "200" {
                        last_execution = serde_json::from_slice::<serde_json::Value>(&body)
                            .ok()
                            .and_then(|v| v["pipelineExecutionId"].as_str().map(str::to_owned))
                            .map(|id| (name.clone(), id));
                    }
                    kind
                }
                Err(_) => {
                    connection = None;
                    CONNECTION_ERROR.to_owned()
                }
            };
            let answered = Instant::now();
            let micros = answered.duration_since(began).as_micros().max(1) as u64;
            latency_us.saturating_record(micros);
            if let Some(recorder) = &mut self.recorder {
                recorder.record(answered, &kind, Some(micros));
            }
            *responses.entry(kind).or_insert(0) += 1;
            due = next_due(due, self.interval);
        }
        Outcome {
            latency_us,
            responses,
        }
    }

    /// The operation to send and its body; calls that need an execution id ask for
    /// `execution` (a pipeline and the id of an execution of it), and start one first
    /// when this connection has none yet.
    fn request(
        &self,
        operation: Operation,
        name: &str,
        execution: Option<(&str, &str)>,
    ) -> (Operation, Bytes) {
        use serde_json::json;
        let body = match (operation, execution) {
            (Operation::GetPipelineExecution, Some((pipeline, id))) => {
                json!({"pipelineName": pipeline, "pipelineExecutionId": id})
            }
            (Operation::ListPipelineExecutions, _) => {
                json!({"pipelineName": name, "maxResults": 10})
            }
            (Operation::GetPipelineState | Operation::GetPipeline, _) => json!({"name": name}),
            (Operation::ListPipelines, _) => json!({}),
            _ => {
                let mut body = json!({"name": name});
                if self.tokens {
                    body["clientRequestToken"] = uuid::Uuid::new_v4().to_string().into();
                }
                return (
                    Operation::StartPipelineExecution,
                    Bytes::from(body.to_string()),
                );
            }
        };
        (operation, Bytes::from(body.to_string()))
    }
}

/// One job-worker connection: poll, acknowledge and succeed, until told to stop.
struct JobWorker {
    target: Arc<Target>,
    stop: Arc<AtomicBool>,
    /// Jobs completed by every worker, for the progress bar.
    jobs_done: Arc<AtomicU64>,
}

/// How long a job worker waits after a poll that found no job, or a call that failed.
const IDLE_POLL_WAIT: Duration = Duration::from_millis(10);

/// What job workers did: one worker's, or all of them added up.
struct JobOutcome {
    latency_us: Histogram<u64>,
    responses: BTreeMap<String, u64>,
    polls: u64,
    empty_polls: u64,
    jobs: u64,
}

impl JobOutcome {
    fn new() -> Self {
        Self {
            latency_us: Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3)
                .expect("valid histogram bounds"),
            responses: BTreeMap::new(),
            polls: 0,
            empty_polls: 0,
            jobs: 0,
        }
    }

    fn add(&mut self, other: JobOutcome) {
        self.latency_us
            .add(&other.latency_us)
            .expect("histograms of one shape add");
        for (kind, n) in other.responses {
            *self.responses.entry(kind).or_insert(0) += n;
        }
        self.polls += other.polls;
        self.empty_polls += other.empty_polls;
        self.jobs += other.jobs;
    }

    fn report(&self, connections: usize, seconds: f64) -> JobWorkerReport {
        let calls = self.latency_us.len();
        JobWorkerReport {
            connections,
            jobs_completed: self.jobs,
            jobs_per_sec: self.jobs as f64 / seconds,
            calls,
            calls_per_sec: calls as f64 / seconds,
            polls: self.polls,
            empty_polls: self.empty_polls,
            latency_ms: Latency::of(&self.latency_us),
            responses: self.responses.clone(),
        }
    }

    /// Sends one call on `connection` (opening it first if need be), timing it and
    /// counting its answer; answers the body of a 200.
    async fn call(
        &mut self,
        connection: &mut Option<Connection>,
        target: &Target,
        operation: Operation,
        body: serde_json::Value,
    ) -> Option<Bytes> {
        let began = Instant::now();
        let conn = match connection.as_mut() {
            Some(conn) => conn,
            None => match Connection::open(target).await {
                Ok(conn) => connection.insert(conn),
                Err(_) => {
                    *self.responses.entry(CONNECTION_ERROR.into()).or_insert(0) += 1;
                    return None;
                }
            },
        };
        let answer = conn
            .call(target, operation, Bytes::from(body.to_string()))
            .await;
        let micros = began.elapsed().as_micros().max(1) as u64;
        self.latency_us.saturating_record(micros);
        let (kind, body) = match answer {
            Ok(answer) => answer,
            Err(_) => {
                *connection = None;
                (CONNECTION_ERROR.to_owned(), Bytes::new())
            }
        };
        let ok = kind == "200";
        *self.responses.entry(kind).or_insert(0) += 1;
        ok.then_some(body)
    }
}

impl JobWorker {
    async fn run(self) -> JobOutcome {
        use serde_json::json;
        let mut outcome = JobOutcome::new();
        let mut connection: Option<Connection> = None;
        let poll = json!({"actionTypeId": worker_type(), "maxBatchSize": WORKER_BATCH});
        while !self.stop.load(Ordering::Relaxed) {
            outcome.polls += 1;
            let answer = outcome
                .call(
                    &mut connection,
                    &self.target,
                    Operation::PollForJobs,
                    poll.clone(),
                )
                .await;
            let Some(body) = answer else {
                tokio::time::sleep(IDLE_POLL_WAIT).await;
                continue;
            };
            let jobs: Vec<(String, String)> = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| {
                    let jobs = v["jobs"].as_array()?;
                    Some(
                        jobs.iter()
                            .filter_map(|job| {
                                Some((
                                    job["id"].as_str()?.to_owned(),
                                    job["nonce"].as_str()?.to_owned(),
                                ))
                            })
                            .collect(),
                    )
                })
                .unwrap_or_default();
            if jobs.is_empty() {
                outcome.empty_polls += 1;
                tokio::time::sleep(IDLE_POLL_WAIT).await;
                continue;
            }
            for (id, nonce) in jobs {
                let ack = json!({"jobId": id, "nonce": nonce});
                let acked = outcome
                    .call(
                        &mut connection,
                        &self.target,
                        Operation::AcknowledgeJob,
                        ack,
                    )
                    .await;
                if acked.is_none() {
                    continue;
                }
                let put = json!({"jobId": id});
                let put = outcome
                    .call(
                        &mut connection,
                        &self.target,
                        Operation::PutJobSuccessResult,
                        put,
                    )
                    .await;
                if put.is_some() {
                    outcome.jobs += 1;
                    self.jobs_done.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        outcome
    }
}

/// The answer type of a request that got no HTTP answer.
const CONNECTION_ERROR: &str = "connection error";

fn next_due(due: Instant, interval: Option<Duration>) -> Instant {
    interval.map_or(due, |interval| due + interval)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mix_interleaves_operations_by_weight() {
        let mix = parse_mix("StartPipelineExecution=3, GetPipelineState=1").unwrap();
        let picked: Vec<_> = (0..8).map(|i| mix.pick(i)).collect();
        let starts = picked
            .iter()
            .filter(|op| **op == Operation::StartPipelineExecution)
            .count();
        assert_eq!(starts, 6);
        assert_eq!(picked[3], Operation::GetPipelineState);
    }

    #[test]
    fn a_bare_name_weighs_one_and_zero_weights_drop_out() {
        let mix = parse_mix("ListPipelines,GetPipeline=0").unwrap();
        assert_eq!(mix.0, vec![(Operation::ListPipelines, 1)]);
        assert!(parse_mix("GetPipeline=0").is_err());
        assert!(parse_mix("GetPipeline=x").is_err());
        assert!(parse_mix("CreatePipeline=1").is_err());
    }
}
