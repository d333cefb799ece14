//! The `pipesim` binary: `serve` announces its address, answers, and exits 0 on SIGTERM;
//! `bench` and `load` report what they measured, `load --report` as an offline HTML page;
//! bad flags are refused before anything starts.
//!
//! The tests run the binary this crate was built with, or the one `PIPESIM_BIN` names:
//! CI runs the soaks (`--ignored`) against an optimised build of the binary alone, so
//! that it need not build every test dependency a second time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

mod dashboard;

fn pipesim(args: &[&str]) -> Command {
    let binary =
        std::env::var_os("PIPESIM_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_pipesim").into());
    let mut command = Command::new(binary);
    command.args(args).env("RUST_LOG", "info");
    command
}

/// A `pipesim serve` child, killed when dropped so a failing test never leaves one
/// behind.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `pipesim serve --port 0 ...` and reads its address from the ready line.
fn serve(extra: &[&str]) -> Server {
    let mut args = vec!["serve", "--port", "0"];
    args.extend_from_slice(extra);
    let mut child = pipesim(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pipesim starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let ready = lines
        .by_ref()
        .map(|line| line.expect("readable stderr"))
        .find(|line| line.contains("pipesim listening on"))
        .expect("a ready line");
    let addr = ready
        .split("pipesim listening on http://")
        .nth(1)
        .unwrap_or_else(|| panic!("not a ready line: {ready}"))
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Server { child, addr }
}

/// One HTTP/1.1 exchange on a fresh connection; answers the whole response.
fn http(addr: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("the server accepts connections");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[cfg(unix)]
#[test]
fn serve_announces_its_address_answers_and_exits_cleanly_on_sigterm() {
    let mut server = serve(&["--seed", "77", "--action-duration-ms", "5"]);
    let addr = server.addr.clone();

    let health = http(
        &addr,
        "GET /_pipesim/health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    );
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains(r#""seed":77"#), "{health}");

    let body = r#"{"name":"Missing"}"#;
    let answer = http(
        &addr,
        &format!(
            "POST / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\
             x-amz-target: CodePipeline_20150709.StartPipelineExecution\r\n\
             content-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("PipelineNotFoundException"), "{answer}");

    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = server.child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "pipesim serve exits 0 on SIGTERM");
}

#[test]
fn bad_flags_are_refused_with_a_clear_message() {
    for (flag, value, expected) in [
        (
            "--account",
            "12345",
            "'12345' is not a 12-digit AWS account id",
        ),
        (
            "--action-failure-probability",
            "1.5",
            "1.5 is not a probability between 0.0 and 1.0",
        ),
        ("--port", "99999", "invalid value '99999'"),
        (
            "--caller-arn",
            "deployer",
            "'deployer' is not an ARN (arn:partition:service:region:account:resource)",
        ),
    ] {
        let output = pipesim(&["serve", flag, value]).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{flag} {value}: {stderr}");
    }
}

#[test]
fn a_taken_port_is_reported_and_exits_nonzero() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = pipesim(&["serve", "--port", &port]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("pipesim: cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
}

/// Runs `pipesim` to completion and parses the JSON lines it printed.
fn json_lines(args: &[&str]) -> Vec<serde_json::Value> {
    let output = pipesim(args).output().expect("pipesim runs");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// `pipesim bench --scenario <scenario> <args> --json`'s report, which must name its
/// scenario and have seen no error.
fn bench_report(scenario: &str, args: &[&str]) -> serde_json::Value {
    let command = [&["bench", "--scenario", scenario], args, &["--json"]].concat();
    let report = json_lines(&command).remove(0);
    assert_eq!(report["scenario"], scenario);
    assert_eq!(report["errors"], 0, "{report}");
    report
}

#[test]
fn bench_json_prints_one_line_per_scenario_with_its_throughput() {
    let lines = json_lines(&[
        "bench",
        "--scenario",
        "start/many-pipelines",
        "--seconds",
        "0.2",
        "--threads",
        "1",
        "--json",
    ]);
    assert_eq!(lines.len(), 1);
    let report = &lines[0];
    let mut fields: Vec<_> = report.as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "errors",
            "ops",
            "ops_per_sec",
            "scenario",
            "seconds",
            "threads"
        ],
        "a throughput scenario reports no memory fields: {report}"
    );
    assert_eq!(report["scenario"], "start/many-pipelines");
    assert_eq!(report["errors"], 0);
    assert_eq!(report["threads"], 1);
    let ops = report["ops"].as_u64().expect("ops is a whole count");
    assert!(ops > 0, "{report}");
    for field in ["seconds", "ops_per_sec"] {
        let value = report[field].as_f64().unwrap();
        assert!(value.is_finite() && value > 0.0, "{field}: {report}");
    }
}

#[test]
fn bench_memory_measures_bytes_per_retained_execution_within_budget() {
    let lines = json_lines(&[
        "bench",
        "--scenario",
        "memory/retained-executions",
        "--executions",
        "2000",
        "--json",
    ]);
    let report = &lines[0];
    assert_eq!(report["scenario"], "memory/retained-executions");
    assert_eq!(report["ops"], 2000);
    // The warm-up batch is retained too.
    assert_eq!(report["retained_executions"], 3000);
    let bytes = report["bytes_per_execution"].as_f64().unwrap();
    // The memory budget of a retained finished execution (docs/performance.md).
    assert!(bytes > 0.0 && bytes <= 300.0, "{bytes} bytes per execution");
}

#[test]
#[ignore = "soak: run with `cargo test --release --test cli -- --ignored`, or against any build with PIPESIM_BIN=path"]
fn bench_steady_state_memory_does_not_grow_once_history_is_full() {
    let lines = json_lines(&[
        "bench",
        "--scenario",
        "memory/steady-state",
        "--executions",
        "200000",
        "--json",
    ]);
    let report = &lines[0];
    assert_eq!(report["retained_executions"], 10_000);
    let growth = report["growth_bytes"].as_i64().unwrap();
    // 100,000 tokened starts long after the cap was reached: a leak would show as at
    // least one token or execution (tens of bytes) per start, megabytes in all.
    assert!(growth < 100_000, "{growth} bytes grew");
}

#[cfg(unix)]
#[test]
fn load_reports_throughput_latency_and_answers_by_type() {
    let server = serve(&["--action-duration-ms", "5"]);
    let endpoint = format!("http://{}", server.addr);
    let lines = json_lines(&[
        "load",
        "--endpoint",
        &endpoint,
        "--requests",
        "300",
        "--connections",
        "4",
        "--create",
        "--execution-mode",
        "SUPERSEDED",
        "--tokens",
        "--mix",
        "StartPipelineExecution=2,GetPipelineExecution=1,GetPipelineState=1",
        "--json",
    ]);
    assert_eq!(lines.len(), 1);
    let report = &lines[0];
    assert_eq!(report["endpoint"], endpoint.as_str());
    assert_eq!(report["requests"], 300);
    assert_eq!(report["connections"], 4);
    // Every request of a valid mix is answered 200, counted once.
    assert_eq!(report["responses"], serde_json::json!({"200": 300}));
    assert_latency_percentiles(&report["latency_ms"]);

    // Without --create the pipeline is missing: every answer is that error, counted by
    // type, here at a fixed rate.
    let lines = json_lines(&[
        "load",
        "--endpoint",
        &endpoint,
        "--pipeline",
        "Missing",
        "--requests",
        "20",
        "--connections",
        "2",
        "--rate",
        "400",
        "--json",
    ]);
    assert_eq!(lines[0]["requests"], 20);
    assert_eq!(
        lines[0]["responses"],
        serde_json::json!({"PipelineNotFoundException": 20})
    );
    assert_latency_percentiles(&lines[0]["latency_ms"]);

    drop(server);
}

#[cfg(unix)]
#[test]
fn load_reads_ask_for_executions_that_exist_across_many_pipelines() {
    // Each read asks the pipeline that started the execution, not the next in turn.
    let server = serve(&["--action-duration-ms", "5"]);
    let endpoint = format!("http://{}", server.addr);
    let lines = json_lines(&[
        "load",
        "--endpoint",
        &endpoint,
        "--requests",
        "400",
        "--connections",
        "4",
        "--pipelines",
        "8",
        "--create",
        "--mix",
        "StartPipelineExecution=1,GetPipelineExecution=1",
        "--json",
    ]);
    assert_eq!(lines[0]["responses"], serde_json::json!({"200": 400}));
}

#[test]
fn load_report_is_one_offline_html_page_whose_totals_match_the_json_summary() {
    let server = serve(&["--action-duration-ms", "5"]);
    let endpoint = format!("http://{}", server.addr);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.html");
    let lines = json_lines(&[
        "load",
        "--endpoint",
        &endpoint,
        "--duration",
        "1",
        "--connections",
        "4",
        "--create",
        "--json",
        "--report",
        path.to_str().unwrap(),
    ]);
    drop(server);
    let html = std::fs::read_to_string(&path).expect("the report is written");

    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..80]);
    assert!(html.contains("<svg"));
    for section in [
        "Settings",
        "Summary",
        "Throughput over time",
        "Latency percentiles over time",
        "Latency percentile distribution",
        "Answers by type over time",
    ] {
        assert!(
            html.contains(&format!("<h2>{section}</h2>")),
            "no {section}"
        );
    }
    assert!(html.contains(&endpoint));

    // Nothing to fetch: the only URLs are the endpoint and the SVG namespace.
    let mut urls: Vec<&str> = ["http://", "https://"]
        .iter()
        .flat_map(|scheme| html.match_indices(scheme))
        .map(|(at, _)| {
            let rest = &html[at..];
            let end = rest
                .find(|c: char| c.is_whitespace() || "\"'<>()".contains(c))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect();
    urls.sort_unstable();
    urls.dedup();
    assert_eq!(urls, [endpoint.as_str(), "http://www.w3.org/2000/svg"]);

    let requests = lines[0]["requests"].as_u64().unwrap();
    assert!(requests > 0);
    assert!(
        html.contains(&format!(
            "<tr><td>requests</td><td class=\"n\">{requests}</td></tr>"
        )),
        "the report's total is not the {requests} that --json printed"
    );
}

/// A load report's latency: every percentile present and above zero, and each at most
/// the next (p50 <= p90 <= p99 <= p99.9 <= max).
fn assert_latency_percentiles(latency: &serde_json::Value) {
    let values: Vec<f64> = ["p50", "p90", "p99", "p99.9", "max"]
        .iter()
        .map(|q| {
            latency[q]
                .as_f64()
                .unwrap_or_else(|| panic!("no {q}: {latency}"))
        })
        .collect();
    assert!(values[0] > 0.0, "{latency}");
    assert!(
        values.windows(2).all(|pair| pair[0] <= pair[1]),
        "percentiles out of order: {latency}"
    );
}

#[test]
fn load_refuses_endpoints_and_mixes_it_cannot_send() {
    let output = pipesim(&[
        "load",
        "--endpoint",
        "https://codepipeline.us-east-1.amazonaws.com",
    ])
    .output()
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("https endpoints are not supported"),
        "{stderr}"
    );

    let output = pipesim(&[
        "load",
        "--endpoint",
        "http://127.0.0.1:1",
        "--mix",
        "DeletePipeline=1",
    ])
    .output()
    .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("'DeletePipeline' is not one of StartPipelineExecution"),
        "{stderr}"
    );
}

/// POSTs `body` to `path`, with an `X-Amz-Target` when `target` is given.
fn post(addr: &str, path: &str, target: Option<&str>, body: &str) -> String {
    let target = target
        .map(|op| format!("x-amz-target: CodePipeline_20150709.{op}\r\n"))
        .unwrap_or_default();
    http(
        addr,
        &format!(
            "POST {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n{target}\
             content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
}

#[cfg(unix)]
#[test]
fn serve_runs_a_scenario_file_in_virtual_time_moved_by_the_admin_api() {
    let scenario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/scenarios/concurrency-limit.json"
    );
    let server = serve(&["--scenario", scenario]);
    let start = || {
        post(
            &server.addr,
            "/",
            Some("StartPipelineExecution"),
            r#"{"name":"release"}"#,
        )
    };
    for _ in 0..3 {
        let answer = start();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    let answer = start();
    assert!(
        answer.contains("ConcurrentPipelineExecutionsLimitExceededException"),
        "{answer}"
    );
    // Actions take ten minutes of virtual time, which moves only when told to.
    let advanced = post(
        &server.addr,
        "/_pipesim/clock/advance",
        None,
        r#"{"seconds":1200}"#,
    );
    assert!(advanced.starts_with("HTTP/1.1 200"), "{advanced}");
    let answer = start();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn a_bad_scenario_file_stops_serve_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "[[faults]]\nerror = \"NoSuchError\"\n").unwrap();
    let output = pipesim(&["serve", "--port", "0", "--scenario", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("fault 1: error 'NoSuchError' is not one any operation can answer"),
        "{stderr}"
    );
    let missing = pipesim(&["serve", "--scenario", "/no/such/file.toml"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read /no/such/file.toml"));
}

/// One CodePipeline call on a fresh connection; `None` when the connection failed
/// (the server was killed), else the status code and body.
fn call(addr: &str, operation: &str, body: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).ok()?;
    let request = format!(
        "POST / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\
         x-amz-target: CodePipeline_20150709.{operation}\r\n\
         content-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    let status = answer.get(9..12)?.parse().ok()?;
    let body = answer.split_once("\r\n\r\n")?.1.to_owned();
    Some((status, body))
}

fn create_body(name: &str) -> String {
    let pipeline = pipesim::model::PipelineDeclaration::two_stage_example(name);
    serde_json::json!({ "pipeline": pipeline }).to_string()
}

/// How many rounds the kill -9 soaks run (`PIPESIM_KILL_ROUNDS`, 3 by default so CI stays
/// quick; 50 before a release) and the seed of their kill moments (`PIPESIM_KILL_SEED`,
/// else the clock). The seed is printed, so a failing run can be replayed.
fn kill_soak_settings(fsync: &str) -> (usize, u64) {
    let rounds = std::env::var("PIPESIM_KILL_ROUNDS").map_or(3, |rounds| {
        rounds.parse().expect("PIPESIM_KILL_ROUNDS is a number")
    });
    let seed = std::env::var("PIPESIM_KILL_SEED").map_or_else(
        |_| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        },
        |seed| seed.parse().expect("PIPESIM_KILL_SEED is a number"),
    );
    eprintln!(
        "kill -9 soak, --fsync {fsync}: {rounds} rounds; replay with PIPESIM_KILL_SEED={seed}"
    );
    (rounds, seed)
}

/// splitmix64: enough to pick kill moments, and the same moments again from a seed.
struct KillDice(u64);

impl KillDice {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % bound
    }
}

/// A start the server answered 200, with the token it was made with and when.
#[derive(Clone)]
struct Acknowledged {
    pipeline: &'static str,
    token: String,
    id: String,
    at: std::time::Instant,
    /// How long before the kill that ended its round it was acknowledged.
    before_kill: std::time::Duration,
}

/// A `pipesim serve` child whose whole log goes to a channel, so a test can kill it
/// before it is ready and see its compactions. Killed when dropped.
struct LoggedServer {
    child: Child,
    log: std::sync::mpsc::Receiver<String>,
    /// Compactions logged after the ready line, as far as the log has been read.
    compactions: usize,
}

impl Drop for LoggedServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl LoggedServer {
    fn spawn(extra: &[&str]) -> Self {
        let mut args = vec!["serve", "--port", "0"];
        args.extend_from_slice(extra);
        let mut child = pipesim(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("pipesim starts");
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let (sender, log) = std::sync::mpsc::channel();
        // Reads until the server dies, so it never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        LoggedServer {
            child,
            log,
            compactions: 0,
        }
    }

    /// Waits for the ready line and answers the address.
    fn ready(&self) -> String {
        loop {
            let line = self.log.recv().expect("a ready line before the log ends");
            if let Some(rest) = line.split("pipesim listening on http://").nth(1) {
                return rest.split_whitespace().next().unwrap().to_owned();
            }
        }
    }

    /// Compactions logged after the ready line so far.
    fn compactions(&mut self) -> usize {
        self.compactions += self
            .log
            .try_iter()
            .filter(|line| line.contains("state file compacted"))
            .count();
        self.compactions
    }

    /// SIGKILL: no shutdown, no flush, no sync.
    fn kill_9(&mut self) -> std::time::Instant {
        self.child.kill().unwrap();
        let killed = std::time::Instant::now();
        self.child.wait().unwrap();
        killed
    }
}

/// Where in a round the kill falls.
#[derive(Debug)]
enum KillMoment {
    /// This long into the load.
    UnderLoad(std::time::Duration),
    /// While a compaction under load is writing its `.compacting` file.
    DuringCompaction,
    /// This long after a compaction under load put its file in the journal's place.
    AfterCompaction(std::time::Duration),
    /// While the compaction every start makes is writing its file, before the server
    /// listens: a crash during recovery.
    DuringStartupCompaction,
}

/// How many rounds share one state file. A file is compacted when it doubles, so as its
/// history grows its compactions grow rare; a fresh file every few rounds keeps them
/// coming however many rounds run.
const KILL_ROUNDS_PER_FILE: usize = 5;

/// The kill -9 soak: `PIPESIM_KILL_ROUNDS` rounds, on a fresh state file every
/// [`KILL_ROUNDS_PER_FILE`] rounds.
fn kill_9_soak(fsync: &str, may_lose: std::time::Duration) {
    let (rounds, seed) = kill_soak_settings(fsync);
    let mut dice = KillDice(seed);
    for first in (0..rounds).step_by(KILL_ROUNDS_PER_FILE) {
        let last = rounds.min(first + KILL_ROUNDS_PER_FILE);
        kill_9_rounds(fsync, may_lose, first..last, &mut dice);
    }
}

/// Kill -9 rounds against one state file: each round starts the server on what the
/// last kill left, checks that every start acknowledged in the previous round came back
/// (by id, and by replaying its token), runs tokened starts from 8 clients and kills the
/// server at a random moment, often one inside or just after a compaction (the file is
/// compacted whenever it doubles). A last start checks every start of every round.
/// `may_lose` is how long before the kill an acknowledged start may be lost.
fn kill_9_rounds(
    fsync: &str,
    may_lose: std::time::Duration,
    rounds: std::ops::Range<usize>,
    dice: &mut KillDice,
) {
    use std::time::{Duration, Instant};
    // On the target directory's disk, where a sync takes as long as on a real server
    // (a temporary directory may be in memory, where it is free).
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let state = dir.path().join("pipesim.state");
    let compacting = dir.path().join("pipesim.state.compacting");
    let state = state.to_str().unwrap();
    let flags = [
        "--state-file",
        state,
        "--fsync",
        fsync,
        "--action-duration-ms",
        "20",
        // 0 MiB: compacted each time the file doubles, so compactions are frequent.
        "--compact-after-mb",
        "0",
    ];
    let pipelines = ["A", "B", "C", "D"];
    let mut all: Vec<Acknowledged> = Vec::new();
    let mut last_round: Vec<Acknowledged> = Vec::new();
    for round in rounds.clone() {
        let moment = match dice.below(4) {
            0 => KillMoment::UnderLoad(Duration::from_millis(20 + dice.below(1500))),
            1 => KillMoment::DuringCompaction,
            2 => KillMoment::AfterCompaction(Duration::from_micros(dice.below(3000))),
            // A new file is not compacted at start.
            _ if round == rounds.start => {
                KillMoment::UnderLoad(Duration::from_millis(dice.below(500)))
            }
            _ => KillMoment::DuringStartupCompaction,
        };
        let mut server = LoggedServer::spawn(&flags);
        if matches!(moment, KillMoment::DuringStartupCompaction) {
            let deadline = Instant::now() + Duration::from_secs(5);
            while !compacting.exists() && Instant::now() < deadline {
                std::hint::spin_loop();
            }
            let caught = compacting.exists();
            server.kill_9();
            eprintln!(
                "{fsync} round {round}: killed during startup compaction (caught it: {caught})"
            );
            // Nothing new was acknowledged; the next round checks the last one again.
            continue;
        }
        let addr = server.ready();
        check_acknowledged(&addr, &last_round, may_lose);
        if round == rounds.start {
            for name in pipelines {
                let (status, body) = call(&addr, "CreatePipeline", &create_body(name)).unwrap();
                assert_eq!(status, 200, "{body}");
            }
        }
        let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let clients: Vec<_> = (0..8)
            .map(|client| {
                let addr = addr.clone();
                let acknowledged = std::sync::Arc::clone(&acknowledged);
                std::thread::spawn(move || {
                    let pipeline = pipelines[client % pipelines.len()];
                    for n in 0.. {
                        let token = format!("r{round}-c{client}-n{n}");
                        let body =
                            format!(r#"{{"name":"{pipeline}","clientRequestToken":"{token}"}}"#);
                        // Until the server is killed under it.
                        let Some((status, answer)) = call(&addr, "StartPipelineExecution", &body)
                        else {
                            break;
                        };
                        let at = Instant::now();
                        assert_eq!(status, 200, "{answer}");
                        let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
                        let id = answer["pipelineExecutionId"].as_str().unwrap().to_owned();
                        acknowledged.lock().unwrap().push(Acknowledged {
                            pipeline,
                            token,
                            id,
                            at,
                            before_kill: Duration::ZERO,
                        });
                    }
                })
            })
            .collect();
        let started = Instant::now();
        let caught = match moment {
            KillMoment::UnderLoad(after) => {
                std::thread::sleep(after);
                true
            }
            KillMoment::DuringCompaction => {
                let deadline = started + Duration::from_secs(5);
                while !compacting.exists() && Instant::now() < deadline {
                    std::hint::spin_loop();
                }
                compacting.exists()
            }
            KillMoment::AfterCompaction(after) => {
                let deadline = started + Duration::from_secs(5);
                let before = server.compactions();
                while server.compactions() == before && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_micros(200));
                }
                let caught = Instant::now() < deadline;
                std::thread::sleep(after);
                caught
            }
            KillMoment::DuringStartupCompaction => true,
        };
        let killed_at = server.kill_9();
        for client in clients {
            client.join().unwrap();
        }
        last_round = std::mem::take(&mut *acknowledged.lock().unwrap());
        for start in &mut last_round {
            start.before_kill = killed_at.saturating_duration_since(start.at);
        }
        eprintln!(
            "{fsync} round {round}: killed {moment:?} after {} acknowledged starts, {:?} in \
             (the moment came: {caught}; compactions since it listened: {})",
            last_round.len(),
            killed_at - started,
            server.compactions(),
        );
        all.extend(last_round.iter().cloned());
    }
    // The seed and settings come back from the file; the flags only name it.
    let server = LoggedServer::spawn(&flags);
    let addr = server.ready();
    check_acknowledged(&addr, &all, may_lose);
}

/// Every start in `acknowledged` is there, and its token answers its id again, except
/// those acknowledged less than `may_lose` before the kill, which may be gone.
fn check_acknowledged(addr: &str, acknowledged: &[Acknowledged], may_lose: std::time::Duration) {
    let mut lost = 0;
    for Acknowledged {
        pipeline,
        token,
        id,
        before_kill,
        ..
    } in acknowledged
    {
        let body = format!(r#"{{"pipelineName":"{pipeline}","pipelineExecutionId":"{id}"}}"#);
        let (status, answer) = call(addr, "GetPipelineExecution", &body).unwrap();
        if status != 200 && *before_kill < may_lose {
            lost += 1;
            continue;
        }
        assert_eq!(
            status, 200,
            "execution {id} of {pipeline}, acknowledged {before_kill:?} before the kill, \
             was lost: {answer}"
        );
        assert!(answer.contains(id.as_str()), "{answer}");
        let body = format!(r#"{{"name":"{pipeline}","clientRequestToken":"{token}"}}"#);
        let (status, answer) = call(addr, "StartPipelineExecution", &body).unwrap();
        assert_eq!(status, 200, "{answer}");
        let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(
            answer["pipelineExecutionId"],
            id.as_str(),
            "token {token} of execution {id}, acknowledged {before_kill:?} before the kill, \
             now starts another"
        );
    }
    if lost > 0 {
        eprintln!("{lost} starts acknowledged within {may_lose:?} of the kill were lost");
    }
}

#[test]
#[ignore = "soak: PIPESIM_KILL_ROUNDS=50 cargo test --release --test cli -- --ignored kill_9"]
fn with_fsync_always_every_acknowledged_start_survives_kill_9() {
    kill_9_soak("always", std::time::Duration::ZERO);
}

#[test]
#[ignore = "soak: PIPESIM_KILL_ROUNDS=50 cargo test --release --test cli -- --ignored kill_9"]
fn with_fsync_everysec_every_acknowledged_start_survives_kill_9() {
    // `everysec` answers once a record is written to the operating system, which a
    // killed process cannot take back: only a power cut may lose the last second.
    kill_9_soak("everysec", std::time::Duration::ZERO);
}

#[test]
fn require_auth_needs_well_formed_credentials() {
    let output = pipesim(&["serve", "--require-auth"])
        .env_remove("PIPESIM_CREDENTIALS")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--credential"));
    let output = pipesim(&["serve", "--require-auth", "--credential", "AKIA1:secret"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("a credential is ACCESS_KEY_ID:SECRET_ACCESS_KEY:ACCOUNT"),
        "{stderr}"
    );
}

#[test]
fn require_auth_refuses_unsigned_calls_with_missing_authentication_token() {
    let server = serve(&[
        "--require-auth",
        "--credential",
        "AKIATEST:s3cret:111122223333",
    ]);
    let (status, body) = call(&server.addr, "ListPipelines", "{}").unwrap();
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains(r#""__type":"MissingAuthenticationTokenException""#),
        "{body}"
    );
}

#[test]
fn a_corrupt_state_file_stops_the_server_with_where_and_how_to_recover() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("pipesim.state");
    std::fs::write(&state, "not a journal").unwrap();
    let output = pipesim(&[
        "serve",
        "--port",
        "0",
        "--state-file",
        state.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not a pipesim state file"), "{stderr}");
    assert_eq!(
        std::fs::read(&state).unwrap(),
        b"not a journal",
        "refusing changed nothing"
    );
    let output = pipesim(&["serve", "--fsync", "always"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "--fsync needs --state-file");
}

#[cfg(unix)]
#[test]
fn sigterm_with_a_state_file_syncs_it_and_a_restart_has_everything() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("pipesim.state");
    let flags = ["--state-file", state.to_str().unwrap(), "--virtual-time"];
    let mut server = serve(&flags);
    let (status, body) = call(&server.addr, "CreatePipeline", &create_body("P")).unwrap();
    assert_eq!(status, 200, "{body}");
    let (_, body) = call(&server.addr, "StartPipelineExecution", r#"{"name":"P"}"#).unwrap();
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    let id = answer["pipelineExecutionId"].as_str().unwrap().to_owned();
    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(server.child.wait().unwrap().code(), Some(0));

    let restarted = serve(&flags);
    let body = format!(r#"{{"pipelineName":"P","pipelineExecutionId":"{id}"}}"#);
    let (status, answer) = call(&restarted.addr, "GetPipelineExecution", &body).unwrap();
    assert_eq!(status, 200, "{answer}");
    assert!(
        answer.contains(r#""status":"InProgress""#),
        "virtual time stood still: {answer}"
    );
}

#[test]
fn a_scenario_is_installed_into_a_new_state_file_only() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("pipesim.state");
    let flags = [
        "--scenario",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/scenarios/flaky-deploy.toml"
        ),
        "--state-file",
        state.to_str().unwrap(),
    ];
    drop(serve(&flags));
    // Installed again, its pipelines would be taken names and the start would fail.
    let restarted = serve(&flags);
    let (status, body) = call(&restarted.addr, "ListPipelines", "{}").unwrap();
    assert_eq!(status, 200, "{body}");
    let listed: serde_json::Value = serde_json::from_str(&body).unwrap();
    let names: Vec<_> = listed["pipelines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["web"], "the scenario's pipeline came back, once");
}

/// How many executions `ListPipelineExecutions` shows for `name`.
fn execution_count(addr: &str, name: &str) -> usize {
    let (status, body) = call(
        addr,
        "ListPipelineExecutions",
        &format!(r#"{{"pipelineName":"{name}"}}"#),
    )
    .expect("the server answers");
    assert_eq!(status, 200, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    body["pipelineExecutionSummaries"].as_array().unwrap().len()
}

#[test]
fn serve_starts_an_execution_on_create_unless_told_not_to() {
    for (flags, expected) in [
        (&["--virtual-time"][..], 1),
        (&["--virtual-time", "--no-start-on-create"][..], 0),
    ] {
        let server = serve(flags);
        let (status, body) = call(&server.addr, "CreatePipeline", &create_body("P")).unwrap();
        assert_eq!(status, 200, "{body}");
        let advanced = post(
            &server.addr,
            "/_pipesim/clock/advance",
            None,
            r#"{"seconds":2}"#,
        );
        assert!(advanced.starts_with("HTTP/1.1 200"), "{advanced}");
        assert_eq!(execution_count(&server.addr, "P"), expected, "{flags:?}");
    }
}

#[test]
fn bench_measures_the_action_history_a_retry_loop_and_conditions_without_errors() {
    for scenario in ["actions/list", "retry/loop", "conditions/gated"] {
        let report = &bench_report(scenario, &["--seconds", "0.2"]);
        assert!(report["ops"].as_u64().unwrap() > 0, "{report}");
    }
    let lines = json_lines(&[
        "bench",
        "--scenario",
        "actions/list",
        "--seconds",
        "0.2",
        "--json",
    ]);
    assert_eq!(lines[0]["retained_action_runs"], 10_000);
}

#[test]
fn bench_job_workers_complete_every_job_posted_counting_poll_ack_and_put_calls() {
    let report = &bench_report("jobs/worker", &["--seconds", "0.2", "--threads", "2"]);
    assert_eq!(report["threads"], 2);
    // Whole rounds of one job per pipeline (1000), each job completed.
    let jobs = report["ops"].as_u64().unwrap();
    assert!(jobs > 0 && jobs.is_multiple_of(1000), "{report}");
    // Each job is acknowledged and succeeded once; polls hand out 10 at most, and each
    // worker's round ends with a poll that finds none.
    let calls = report["calls"].as_u64().unwrap();
    let rounds = jobs / 1000;
    assert!(calls >= 2 * jobs + jobs / 10 + 2 * rounds, "{report}");
    let per_sec = report["calls_per_sec"].as_f64().unwrap();
    assert!(per_sec.is_finite() && per_sec > 0.0, "{report}");
}

#[cfg(unix)]
#[test]
fn load_job_workers_poll_acknowledge_and_succeed_the_jobs_starts_post_without_errors() {
    let server = serve(&["--action-duration-ms", "5"]);
    let endpoint = format!("http://{}", server.addr);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.html");
    let lines = json_lines(&[
        "load",
        "--endpoint",
        &endpoint,
        "--create",
        "--pipelines",
        "8",
        "--connections",
        "2",
        "--rate",
        "200",
        "--duration",
        "1.5",
        "--job-workers",
        "2",
        "--report",
        path.to_str().unwrap(),
        "--json",
    ]);
    let report = &lines[0];
    let starts = report["requests"].as_u64().unwrap();
    assert!(starts > 0, "{report}");
    assert_eq!(report["responses"], serde_json::json!({ "200": starts }));
    let jobs = &report["job_workers"];
    assert_eq!(jobs["connections"], 2);
    let completed = jobs["jobs_completed"].as_u64().unwrap();
    assert!(completed > 0, "{report}");
    // Every call answered 200: each completed job took an acknowledgement and a result,
    // and every other call was a poll.
    let calls = jobs["calls"].as_u64().unwrap();
    assert_eq!(jobs["responses"], serde_json::json!({ "200": calls }));
    assert_eq!(calls, jobs["polls"].as_u64().unwrap() + 2 * completed);
    assert_latency_percentiles(&jobs["latency_ms"]);
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.contains("<h3>Job workers</h3>"), "the page shows them");
    drop(server);
}

/// The log lines `pipesim serve` with `flags` writes until its first answer, and a little
/// after: enough to hold every warning it gives at start.
#[cfg(unix)]
fn start_log(flags: &[&str]) -> Vec<String> {
    let mut args = vec!["serve", "--port", "0"];
    args.extend_from_slice(flags);
    let mut child = pipesim(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pipesim starts");
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut log = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        match rx.recv_timeout(std::time::Duration::from_millis(300)) {
            Ok(line) => log.push(line),
            Err(_) if log.iter().any(|l| l.contains("pipesim listening on")) => break,
            Err(_) => {}
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    log
}

#[cfg(unix)]
#[test]
fn listening_beyond_loopback_with_the_admin_api_open_warns_naming_the_flags() {
    let warning = "the admin API (reset, faults, rate limits, clock, actions) is open to anyone";
    let open = start_log(&["--host", "0.0.0.0"]);
    let line = open.iter().find(|l| l.contains(warning));
    let line = line.unwrap_or_else(|| panic!("no warning in {open:?}"));
    assert!(line.contains("WARN"), "{line}");
    assert!(
        line.contains("--admin-token TOKEN") && line.contains("--no-admin"),
        "{line}"
    );
    for flags in [
        &["--host", "0.0.0.0", "--admin-token", "s3cret"][..],
        &["--host", "0.0.0.0", "--no-admin"],
        &[],
    ] {
        let log = start_log(flags);
        assert!(
            log.iter().any(|l| l.contains("pipesim listening on")),
            "{log:?}"
        );
        assert!(
            !log.iter().any(|l| l.contains(warning)),
            "{flags:?}: {log:?}"
        );
    }
}

#[test]
fn bench_memory_pipelines_reports_bytes_per_two_and_ten_stage_pipeline() {
    let report = &bench_report("memory/pipelines", &["--pipelines", "50"]);
    assert_eq!(report["pipelines"], 50);
    assert_eq!(report["ops"], 100);
    let two = report["bytes_per_pipeline"].as_f64().unwrap();
    let ten = report["bytes_per_10_stage_pipeline"].as_f64().unwrap();
    assert!(two > 0.0 && ten > two, "{report}");
    assert!(
        report["counted"].as_str().unwrap().contains("tags"),
        "{report}"
    );
}

#[test]
fn bench_memory_action_runs_reports_bytes_per_retained_action_run() {
    let report = &bench_report("memory/action-runs", &["--executions", "1000"]);
    // The smallest limit the scenario runs to: three times 1024, both halves.
    assert_eq!(report["ops"], 3072);
    assert_eq!(report["retained_executions"], 3072);
    assert_eq!(report["retained_action_runs"], 3072);
    for field in ["bytes_per_action_run", "bytes_per_execution"] {
        let bytes = report[field].as_f64().unwrap();
        assert!(bytes > 0.0, "{field}: {report}");
    }
}

#[test]
fn bench_reads_at_scale_reports_ns_per_read_for_both_pipeline_counts() {
    let report = &bench_report(
        "reads/at-scale",
        &["--pipelines", "40", "--seconds", "0.02"],
    );
    assert_eq!(report["pipelines"], 40);
    assert_eq!(report["few_pipelines"], 10);
    let reads: Vec<_> = report["reads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["read"].as_str().unwrap())
        .collect();
    assert_eq!(
        reads,
        [
            "GetPipeline",
            "ListPipelineExecutions",
            "GetPipelineExecution",
            "GetPipelineState"
        ]
    );
    for read in report["reads"].as_array().unwrap() {
        for field in ["ns_few", "ns_many", "ratio"] {
            let value = read[field].as_f64().unwrap();
            assert!(value.is_finite() && value > 0.0, "{field}: {read}");
        }
    }
}

#[test]
fn bench_restart_at_scale_reports_the_compactions_pause_and_the_restores_time_and_memory() {
    let report = &bench_report(
        "restart/at-scale",
        &["--pipelines", "10", "--executions", "1000"],
    );
    assert_eq!(report["pipelines"], 10);
    assert_eq!(report["retained_executions"], 1000);
    assert_eq!(report["ops"], 1000);
    for field in [
        "build_seconds",
        "compaction_pause_ms",
        "compaction_longest_pipeline_wait_ms",
        "compaction_seconds",
        "restore_seconds",
        "heap_ratio",
    ] {
        let value = report[field].as_f64().unwrap();
        assert!(value.is_finite() && value > 0.0, "{field}: {report}");
    }
    for field in ["heap_bytes_before", "heap_bytes_after", "state_file_bytes"] {
        assert!(report[field].as_i64().unwrap() > 0, "{field}: {report}");
    }
}
