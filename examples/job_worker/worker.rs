//! The job worker's loop, with the AWS SDK for Rust: poll for jobs of a custom action
//! type (on its queryable property), acknowledge each with its nonce, do the work, and
//! report success with execution details, a continuation token for a long job, or
//! failure. `tests/wire` runs it against an in-process pipesim.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use aws_sdk_codepipeline::Client;
use aws_sdk_codepipeline::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_codepipeline::types::{
    ActionTypeId, ExecutionDetails, FailureDetails, FailureType, Job, JobStatus,
};

/// What the work of one job answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Work {
    /// The work went well. With a continuation token it is not over: the action stays
    /// InProgress and CodePipeline posts a new job carrying the token.
    Done {
        summary: String,
        external_execution_id: Option<String>,
        percent_complete: i32,
        continuation_token: Option<String>,
    },
    /// The work failed: `failure_type` becomes the action's `errorDetails.code`.
    Failed {
        failure_type: FailureType,
        message: String,
        external_execution_id: Option<String>,
    },
}

/// What became of one job this worker was handed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Reported a success that ended the action.
    Succeeded { job_id: String },
    /// Reported a success with this continuation token.
    Continued { job_id: String, token: String },
    /// Reported a failure of this type.
    Failed {
        job_id: String,
        failure_type: FailureType,
    },
    /// Not this worker's any more: its nonce was refused (the job was handed out again
    /// after a minute unacknowledged), or it was no longer waiting.
    Skipped { job_id: String, reason: String },
}

/// Which jobs the worker takes, and how long it keeps polling.
#[derive(Clone, Debug)]
pub struct Worker {
    /// The custom action type to poll for.
    pub action_type_id: ActionTypeId,
    /// `queryParam`: only jobs whose queryable property has this value.
    pub query: BTreeMap<String, String>,
    /// How many polls before the loop returns.
    pub max_polls: usize,
    /// How long to wait after a poll that found nothing.
    pub poll_interval: Duration,
}

/// The SDK's error for any call of the loop.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Polls `worker.max_polls` times and handles each job with `work`; answers what became
/// of every job, in order.
///
/// # Errors
/// A call other than `AcknowledgeJob`'s refused nonce failed.
pub async fn run<W, F>(client: &Client, worker: &Worker, mut work: W) -> Result<Vec<Outcome>, Error>
where
    W: FnMut(&Job) -> F,
    F: Future<Output = Work>,
{
    let mut outcomes = Vec::new();
    for _ in 0..worker.max_polls {
        let polled = client
            .poll_for_jobs()
            .action_type_id(worker.action_type_id.clone())
            .max_batch_size(1)
            .set_query_param(Some(worker.query.clone().into_iter().collect()))
            .send()
            .await?;
        if polled.jobs().is_empty() {
            if !worker.poll_interval.is_zero() {
                tokio::time::sleep(worker.poll_interval).await;
            }
            continue;
        }
        for job in polled.jobs() {
            outcomes.push(handle(client, job, &mut work).await?);
        }
    }
    Ok(outcomes)
}

async fn handle<W, F>(client: &Client, job: &Job, work: &mut W) -> Result<Outcome, Error>
where
    W: FnMut(&Job) -> F,
    F: Future<Output = Work>,
{
    let job_id = job.id().unwrap_or_default().to_owned();
    // The nonce proves the job was handed to this worker; once it was handed out again
    // with a new nonce, the old one is refused and the job belongs to another worker.
    let acked = client
        .acknowledge_job()
        .job_id(&job_id)
        .nonce(job.nonce().unwrap_or_default())
        .send()
        .await;
    let status = match acked {
        Ok(out) => out.status().cloned(),
        Err(SdkError::ServiceError(err)) if err.err().is_invalid_nonce_exception() => {
            let reason = err.err().code().unwrap_or_default().to_owned();
            return Ok(Outcome::Skipped { job_id, reason });
        }
        Err(err) => return Err(err.into()),
    };
    if status != Some(JobStatus::InProgress) {
        let reason = format!("{status:?}");
        return Ok(Outcome::Skipped { job_id, reason });
    }

    match work(job).await {
        Work::Done {
            summary,
            external_execution_id,
            percent_complete,
            continuation_token,
        } => {
            let details = ExecutionDetails::builder()
                .summary(summary)
                .set_external_execution_id(external_execution_id)
                .percent_complete(percent_complete)
                .build();
            client
                .put_job_success_result()
                .job_id(&job_id)
                .execution_details(details)
                .set_continuation_token(continuation_token.clone())
                .send()
                .await?;
            Ok(match continuation_token {
                Some(token) => Outcome::Continued { job_id, token },
                None => Outcome::Succeeded { job_id },
            })
        }
        Work::Failed {
            failure_type,
            message,
            external_execution_id,
        } => {
            let details = FailureDetails::builder()
                .r#type(failure_type.clone())
                .message(message)
                .set_external_execution_id(external_execution_id)
                .build()?;
            client
                .put_job_failure_result()
                .job_id(&job_id)
                .failure_details(details)
                .send()
                .await?;
            Ok(Outcome::Failed {
                job_id,
                failure_type,
            })
        }
    }
}

/// A build in `steps` steps, one job each: every job but the last answers a
/// continuation token naming the next step (`step-2`, `step-3`, ...).
pub fn stepped_build(job: &Job, steps: u32) -> Work {
    let data = job.data();
    let step = data
        .and_then(|d| d.continuation_token())
        .and_then(|t| t.strip_prefix("step-"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1u32);
    let project = data
        .and_then(|d| d.action_configuration())
        .and_then(|c| c.configuration())
        .and_then(|c| c.get("ProjectName"))
        .cloned()
        .unwrap_or_default();
    let run = data
        .and_then(|d| d.pipeline_context())
        .and_then(|p| p.action())
        .and_then(|a| a.action_execution_id())
        .map(str::to_owned);
    if step < steps {
        return Work::Done {
            summary: format!("{project}: step {step} of {steps}"),
            external_execution_id: run,
            percent_complete: (step * 100 / steps) as i32,
            continuation_token: Some(format!("step-{}", step + 1)),
        };
    }
    Work::Done {
        summary: format!("{project}: built in {steps} step(s)"),
        external_execution_id: run,
        percent_complete: 100,
        continuation_token: None,
    }
}
