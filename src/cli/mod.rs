//! The `pipesim` command line: argument parsing, logging, and one module per
//! subcommand.
//!
//! | subcommand | module | what it is for |
//! |---|---|---|
//! | `serve` | `serve` | the CodePipeline API over HTTP |
//! | `bench` | `bench` | in-process throughput and memory of the embedded simulator |
//! | `bench --scenario jobs/worker` | `bench_jobs` | job workers in process, and the pipeline `load --job-workers` shares |
//! | `bench --scenario memory/pipelines`, `memory/action-runs`, `reads/at-scale` | `bench_scale` | bytes per pipeline and per action run; reads with 10 vs 100,000 pipelines |
//! | `bench --scenario restart/at-scale` | `bench_restart` | a state file of 10 million executions: the compaction's pause, the restore's time and memory |
//! | `load` | `load` | a load generator for any CodePipeline endpoint |
//! | `load --report` | `load_timeline` | a load run's answers and latencies per time bucket |
//! | `load --report` | `load_report` | the HTML page of a load run, with SVG charts |

mod bench;
mod bench_jobs;
mod bench_recovery;
mod bench_restart;
mod bench_scale;
mod heap;
mod load;
mod load_report;
mod load_timeline;
mod serve;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// A fast, faithful simulator of the AWS CodePipeline execution engine.
#[derive(Debug, Parser)]
#[command(name = "pipesim", version, about, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the CodePipeline API (AWS JSON 1.1) over HTTP, for boto3, the AWS CLI and
    /// the AWS SDKs (`--endpoint-url http://127.0.0.1:8409`).
    ///
    /// Logging follows RUST_LOG (default `info`); `RUST_LOG=pipesim=debug` shows every
    /// call and every error answered.
    Serve(serve::ServeArgs),
    /// Measure the embedded simulator: starts per second on every core, and bytes per
    /// retained execution.
    Bench(bench::BenchArgs),
    /// Drive a CodePipeline endpoint (pipesim or another) with load and report
    /// throughput, latency percentiles and answers by type.
    Load(load::LoadArgs),
}

/// Runs the command line; the exit code is 0 on success, 1 on failure, 2 on bad flags.
pub(crate) fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let result = match cli.command {
        Command::Serve(args) => runtime().and_then(|rt| rt.block_on(serve::run(args))),
        Command::Bench(args) => bench::run(args),
        Command::Load(args) => runtime().and_then(|rt| rt.block_on(load::run(args))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("pipesim: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Parses a flag's number of seconds: above 0, at most an hour.
fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s > 0.0 && s <= 3600.0 => Ok(s),
        _ => Err(format!(
            "'{text}' is not a number of seconds above 0 and at most 3600"
        )),
    }
}

/// A multi-threaded tokio runtime on every core.
fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the tokio runtime: {err}"))
}
