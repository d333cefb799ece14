//! A job worker for a custom CodePipeline action, with the AWS SDK for Rust: the loop
//! of AWS's Jenkins plugin (poll on the queryable `ProjectName`, acknowledge with the
//! nonce, build, report), against pipesim or AWS alike.
//!
//! ```text
//! cargo run --release -- serve &
//! cargo run --example job_worker -- --endpoint-url http://127.0.0.1:8409 \
//!     --provider MyJenkins --project web --steps 3 --max-polls 20 -- make test
//! ```
//!
//! The command after `--`, if any, runs at each step: a non-zero exit fails the job as
//! `JobFailed` with the end of its output.
//!
//! The loop is `worker::run`; `tests/wire/job_worker.rs` runs it in process.

mod worker;

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_codepipeline::Client;
use aws_sdk_codepipeline::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_codepipeline::types::{ActionCategory, ActionOwner, ActionTypeId, FailureType};

#[tokio::main]
async fn main() -> Result<(), worker::Error> {
    let mut endpoint = std::env::var("PIPESIM_URL").unwrap_or("http://127.0.0.1:8409".into());
    let (mut provider, mut project) = ("MyJenkins".to_owned(), "web".to_owned());
    let (mut steps, mut max_polls) = (1u32, 10usize);
    let mut command = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--" {
            command = args.by_ref().collect();
            break;
        }
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--endpoint-url" => endpoint = value,
            "--provider" => provider = value,
            "--project" => project = value,
            "--steps" => steps = value.parse()?,
            "--max-polls" => max_polls = value.parse()?,
            _ => return Err(format!("unknown flag {flag}").into()),
        }
    }
    let config = aws_sdk_codepipeline::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "example"))
        .build();
    let client = Client::from_conf(config);

    let worker = worker::Worker {
        action_type_id: ActionTypeId::builder()
            .category(ActionCategory::Build)
            .owner(ActionOwner::Custom)
            .provider(provider)
            .version("1")
            .build()?,
        query: BTreeMap::from([("ProjectName".to_owned(), project)]),
        max_polls,
        poll_interval: Duration::from_secs(1),
    };
    let outcomes = worker::run(&client, &worker, |job| {
        let work = match run_step(&command) {
            Ok(()) => worker::stepped_build(job, steps),
            Err(message) => worker::Work::Failed {
                failure_type: FailureType::JobFailed,
                message,
                external_execution_id: None,
            },
        };
        async move { work }
    })
    .await?;
    for outcome in &outcomes {
        println!("{outcome:?}");
    }
    println!("jobs: {}", outcomes.len());
    Ok(())
}

/// Runs the step's command (none: nothing to run); a failure says how it exited and
/// the end of what it printed, within the API's 5000 characters.
fn run_step(command: &[String]) -> Result<(), String> {
    let Some((program, args)) = command.split_first() else {
        return Ok(());
    };
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .map_err(|err| format!("{program} did not start: {err}"))?;
    if out.status.success() {
        return Ok(());
    }
    let printed = String::from_utf8_lossy(if out.stderr.is_empty() {
        &out.stdout
    } else {
        &out.stderr
    });
    let tail: String = printed
        .trim()
        .chars()
        .rev()
        .take(500)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    Err(format!("{program} exited with {}: {tail}", out.status))
}
