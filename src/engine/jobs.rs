//! Runs of actions that a job worker finishes instead of the simulated clock.
//!
//! An action of a custom type, of a third-party type AWS does not run itself, or one set
//! to wait for a job worker ([`ActionBehaviour::job_worker`]) posts a job when its run
//! starts. The job leaves the engine as an effect ([`JobChange::Posted`]); the account and
//! region's job board (`crate::service::jobs`) hands it to pollers. The run then waits
//! for `PutJobSuccessResult` or `PutJobFailureResult` ([`PipelineEngine::job_result`]),
//! or for its timeout. Every way a run with a job ends reports [`JobChange::Ended`], so
//! the board never offers a job whose run is over.
//!
//! [`ActionBehaviour::job_worker`]: super::behaviour::ActionBehaviour::job_worker

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::events::EventKind;
use crate::model::action_types;
use crate::model::jobs::{
    ActionConfiguration, ActionContext, Artifact, ArtifactLocation, AwsSessionCredentials,
    CurrentRevision, ExecutionDetails, FailureDetails, JobData, PipelineContext,
    S3ArtifactLocation, StageContext,
};
use crate::model::{
    ActionDeclaration, ActionExecutionStatus, ActionOwner, ErrorDetails, JobStatus, Timestamp,
};

use super::behaviour::ActionBehaviour;
use super::execution::{Execution, Position};
use super::plan::ActionPlan;
use super::{Effects, EngineConfig, PipelineEngine, Timer};

/// Which job operations a job is handed out by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum JobKind {
    /// `PollForJobs` and its siblings: custom actions, and actions set to wait for a
    /// job worker.
    Job,
    /// `PollForThirdPartyJobs` and its siblings: third-party actions.
    ThirdParty,
}

impl JobKind {
    /// Whether runs of `action` wait for a job, and of which kind. Third-party types
    /// AWS runs itself (those in its own table, such as GitHub version 1) run by
    /// themselves like AWS's own, unless set to wait for a job worker.
    pub(crate) fn of(action: &ActionDeclaration, behaviour: ActionBehaviour) -> Option<Self> {
        if action.is_manual_approval() {
            return None;
        }
        let id = &action.action_type_id;
        match id.owner {
            ActionOwner::Custom => Some(Self::Job),
            ActionOwner::ThirdParty if action_types::find(id).is_none() => Some(Self::ThirdParty),
            _ => behaviour.job_worker.unwrap_or(false).then_some(Self::Job),
        }
    }
}

/// What an engine call did to jobs, for the job board.
#[derive(Debug)]
pub(crate) enum JobChange {
    /// A run started (or went on with a continuation token) and waits for this job.
    Posted(Box<PostedJob>),
    /// The run waiting for this job ended, or moved on to another job.
    Ended { id: Uuid, status: JobStatus },
}

/// A new job, as the board keeps it.
#[derive(Debug)]
pub(crate) struct PostedJob {
    pub(crate) id: Uuid,
    /// The execution the run belongs to (third-party job data does not name it).
    pub(crate) execution: String,
    pub(crate) kind: JobKind,
    pub(crate) data: JobData,
    pub(crate) at: Timestamp,
}

/// How a worker ends (or continues) the run its job belongs to.
#[derive(Debug)]
pub(crate) enum JobResult<'a> {
    /// `PutJobSuccessResult`. With a continuation token the run goes on under a new
    /// job carrying it.
    Success {
        details: Option<&'a ExecutionDetails>,
        continuation_token: Option<&'a str>,
        current_revision: Option<&'a CurrentRevision>,
        output_variables: Option<&'a BTreeMap<String, String>>,
    },
    /// `PutJobFailureResult`.
    Failure(&'a FailureDetails),
}

/// Where a job's run is: the execution, stage and action its data names.
#[derive(Clone, Copy, Debug)]
pub(crate) struct JobRun<'a> {
    pub(crate) job: Uuid,
    pub(crate) execution_id: &'a str,
    pub(crate) stage: &'a str,
    pub(crate) action: &'a str,
}

/// How long a Lambda invoke action waits for its function's reply (the quotas page:
/// "If the Lambda function has sent no reply after 20 minutes, the action times out").
pub(crate) const LAMBDA_REPLY_TIMEOUT: std::time::Duration =
    std::time::Duration::from_secs(20 * 60);

/// Whether `action` is a Lambda invoke action, whose function is its job worker.
pub(crate) fn is_lambda_invoke(action: &ActionDeclaration) -> bool {
    let id = &action.action_type_id;
    id.owner == ActionOwner::Aws
        && id.category == crate::model::ActionCategory::Invoke
        && id.provider == "Lambda"
}

/// The error of a run whose job timed out. A Lambda invoke action's is recorded (users'
/// reports quote it); the code, and a custom action's wording, are pipesim's \[choice\].
fn timed_out(action: &ActionDeclaration) -> ErrorDetails {
    let message = if is_lambda_invoke(action) {
        let function = action
            .configuration
            .as_ref()
            .and_then(|c| c.get("FunctionName"))
            .map_or("", String::as_str);
        format!(
            "The AWS Lambda function {function} failed to return a result. Check the function \
             to verify that it has permission to call the PutJobSuccessResult action and that \
             it made a call to PutJobSuccessResult."
        )
    } else {
        format!(
            "The action failed because no job worker completed the job for action '{}' \
             before it timed out",
            action.name
        )
    };
    ErrorDetails {
        code: "JobFailed".into(),
        message,
    }
}

impl Effects {
    fn job(&mut self, change: JobChange) {
        self.jobs.push(change);
    }
}

/// How long a run of `action` waits for its job's result: 20 minutes for a Lambda
/// function's reply, the simulator's job timeout (AWS's 24 hours for a custom action)
/// otherwise.
pub(super) fn job_timeout(action: &ActionPlan, config: &EngineConfig) -> std::time::Duration {
    if action.lambda {
        LAMBDA_REPLY_TIMEOUT.min(config.job_timeout)
    } else {
        config.job_timeout
    }
}

impl PipelineEngine {
    /// The `currentRevision` a job worker reported for source action `action`'s run in
    /// `exec`, if the action waits for job workers and its worker reported one.
    pub(super) fn reported_revision<'e>(
        &'e self,
        exec: &Execution,
        action: &str,
    ) -> Option<&'e str> {
        let plan = self.plan.source_action(action)?;
        plan.job?;
        let index = self.plan.stages[0]
            .actions
            .iter()
            .position(|a| a.name == plan.name)?;
        self.action_log
            .reported_of(exec.id, (0, index))?
            .revision
            .as_deref()
    }

    /// The jobs runs of this pipeline wait for.
    pub(crate) fn running_jobs(&self) -> Vec<Uuid> {
        self.executions
            .newest_first(u64::MAX)
            .filter_map(|(_, exec)| exec.run.as_deref())
            .flat_map(|run| &run.slots)
            .filter(|slot| slot.status == ActionExecutionStatus::InProgress)
            .filter_map(|slot| slot.job)
            .collect()
    }

    /// Posts the job a run of `action` in the running execution `seq` waits for.
    pub(super) fn post_job(
        &self,
        seq: u64,
        action: u16,
        (run_id, job): (Uuid, Uuid),
        continuation_token: Option<String>,
        now: Timestamp,
        fx: &mut Effects,
    ) {
        let exec = &self.executions[&seq];
        let run = exec.run.as_ref().expect("running executions run");
        let stage = usize::from(run.stage);
        let kind = self.plan.stages[stage].actions[usize::from(action)]
            .job
            .expect("only actions that wait for jobs post them");
        let declaration = self.declaration_at(exec.version);
        let stage_decl = &declaration.stages[stage];
        let action_decl = &stage_decl.actions[usize::from(action)];
        let bucket = declaration
            .artifact_store
            .as_ref()
            .map(|store| store.location.clone())
            .or_else(|| {
                let stores = declaration.artifact_stores.as_ref()?;
                let store = stores
                    .get(&*self.ident.region)
                    .or_else(|| stores.values().next())?;
                Some(store.location.clone())
            })
            .unwrap_or_default();
        let encryption_key = declaration
            .artifact_store
            .as_ref()
            .and_then(|store| store.other.get("encryptionKey").cloned());
        let hex = job.simple().to_string();
        // Keys as AWS lays them out: the pipeline's and the artifact's names cut short,
        // then a short random part (here from the job id, so it is stable).
        let artifact = |name: &str, salt: usize| {
            let short = |s: &str, n: usize| s.chars().take(n).collect::<String>();
            let start = (salt * 7) % (hex.len() - 7);
            Artifact {
                name: name.to_owned(),
                revision: None,
                location: ArtifactLocation {
                    location_type: "S3".into(),
                    s3_location: S3ArtifactLocation {
                        bucket_name: bucket.clone(),
                        object_key: format!(
                            "{}/{}/{}",
                            short(&self.ident.name, 20),
                            short(name, 10),
                            &hex[start..start + 7]
                        ),
                    },
                },
            }
        };
        let data = JobData {
            action_type_id: action_decl.action_type_id.clone(),
            action_configuration: ActionConfiguration {
                configuration: self.resolve(declaration, exec, action_decl),
            },
            pipeline_context: PipelineContext {
                pipeline_name: self.ident.name.to_string(),
                stage: StageContext {
                    name: stage_decl.name.clone(),
                },
                action: ActionContext {
                    name: action_decl.name.clone(),
                    action_execution_id: run_id.to_string(),
                },
                // The docs: "not populated for ThirdParty jobs".
                pipeline_arn: (kind == JobKind::Job).then(|| self.ident.arn()),
                pipeline_execution_id: (kind == JobKind::Job).then(|| exec.id.to_string()),
            },
            input_artifacts: action_decl
                .input_artifacts
                .iter()
                .enumerate()
                .map(|(i, a)| artifact(&a.name, i))
                .collect(),
            output_artifacts: action_decl
                .output_artifacts
                .iter()
                .enumerate()
                .map(|(i, a)| artifact(&a.name, i + 1))
                .collect(),
            artifact_credentials: AwsSessionCredentials {
                access_key_id: format!("ASIA{}", hex[..16].to_uppercase()),
                secret_access_key: format!("{hex}{}", &hex[..8]),
                session_token: format!("pipesim-session-{hex}"),
            },
            continuation_token,
            encryption_key,
        };
        let stage_plan = &self.plan.stages[stage];
        fx.event(&self.ident, exec.id, now, || EventKind::Job {
            stage: Arc::clone(&stage_plan.name),
            action: Arc::clone(&stage_plan.actions[usize::from(action)].name),
            job_id: job.to_string(),
            status: JobStatus::Queued,
        });
        fx.job(JobChange::Posted(Box::new(PostedJob {
            id: job,
            execution: exec.id.to_string(),
            kind,
            data,
            at: now,
        })));
    }

    /// A run whose job timed out fails; its job ends `TimedOut`.
    pub(super) fn job_timed_out(
        &mut self,
        seq: u64,
        action: u16,
        job: Uuid,
        now: Timestamp,
        fx: &mut Effects,
    ) {
        // The board keeps the first end it hears of: `TimedOut`, not the `Failed` the
        // action's end reports next.
        fx.job(JobChange::Ended {
            id: job,
            status: JobStatus::TimedOut,
        });
        let version = self.executions[&seq].version;
        let stage = usize::from(self.run(seq).expect("running executions run").stage);
        let declaration = self.declaration_at(version);
        let error = timed_out(&declaration.stages[stage].actions[usize::from(action)]);
        let outcome = (ActionExecutionStatus::Failed, None, Some(error));
        self.complete_action(seq, action, outcome, now, fx);
    }

    /// Reports that a run waiting for `job` ended with `status`.
    pub(super) fn job_ended(job: Option<Uuid>, status: ActionExecutionStatus, fx: &mut Effects) {
        if let Some(id) = job {
            let status = match status {
                ActionExecutionStatus::Succeeded => JobStatus::Succeeded,
                _ => JobStatus::Failed,
            };
            fx.job(JobChange::Ended { id, status });
        }
    }

    /// Ends, or continues under a new job, the run that waits for `run.job`.
    ///
    /// # Errors
    /// `InvalidJobStateException` when no run waits for that job any more.
    pub(crate) fn job_result(
        &mut self,
        run: JobRun<'_>,
        result: &JobResult<'_>,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<()> {
        let not_running = || {
            Error::InvalidJobState(format!(
                "Job with id '{}' is not in a state that accepts a result",
                run.job
            ))
        };
        let seq = self.seq_of(run.execution_id).map_err(|_| not_running())?;
        let stage = self.stage_named(run.stage).map_err(|_| not_running())?;
        let action = self
            .action_named(stage, run.action)
            .map_err(|_| not_running())?;
        let timeout = job_timeout(
            &self.plan.stages[stage].actions[usize::from(action)],
            &self.config,
        );
        let exec = self.executions.get_mut(&seq).ok_or_else(not_running)?;
        let exec_run = exec
            .run
            .as_mut()
            .filter(|r| r.position == Position::Inside && usize::from(r.stage) == stage)
            .ok_or_else(not_running)?;
        let slot = exec_run
            .slots
            .iter_mut()
            .find(|s| {
                s.action == action
                    && s.status == ActionExecutionStatus::InProgress
                    && s.job == Some(run.job)
            })
            .ok_or_else(not_running)?;
        let details = match result {
            JobResult::Success { details, .. } => details.cloned(),
            JobResult::Failure(failure) => {
                failure
                    .external_execution_id
                    .clone()
                    .map(|id| ExecutionDetails {
                        external_execution_id: Some(id),
                        ..ExecutionDetails::default()
                    })
            }
        };
        if let Some(id) = details
            .as_ref()
            .and_then(|d| d.external_execution_id.clone())
            && let Some(report) = self.action_log.report(slot.logged)
        {
            report.external_execution_id = Some(id);
        }
        if let Some(latest) = self.stages[stage].actions[usize::from(action)]
            .as_mut()
            .filter(|l| l.id == slot.id)
            && let Some(details) = &details
        {
            latest.job_details = Some(Box::new(details.clone()));
        }
        match result {
            JobResult::Success {
                continuation_token: Some(token),
                ..
            } => {
                // The run goes on under a new job that carries the token, with a new
                // timeout; the old job is done.
                let next = self.rng.uuid();
                slot.job = Some(next);
                slot.due = now.after(timeout);
                let run_id = slot.id;
                fx.timer(
                    slot.due,
                    Timer::ActionDue {
                        seq,
                        stage: stage as u16,
                        action,
                    },
                );
                if let Some(latest) = self.stages[stage].actions[usize::from(action)]
                    .as_mut()
                    .filter(|l| l.id == run_id)
                {
                    latest.changed = now;
                    latest.summary = details.as_ref().and_then(|d| d.summary.clone());
                }
                fx.job(JobChange::Ended {
                    id: run.job,
                    status: JobStatus::Succeeded,
                });
                self.post_job(
                    seq,
                    action,
                    (run_id, next),
                    Some((*token).to_owned()),
                    now,
                    fx,
                );
            }
            JobResult::Success {
                details,
                current_revision,
                output_variables,
                ..
            } => {
                if let Some(report) = self.action_log.report(slot.logged) {
                    if let Some(variables) = output_variables {
                        report.output_variables = (*variables).clone();
                    }
                    if let Some(revision) = current_revision {
                        report.revision = Some(revision.revision.clone());
                    }
                }
                let summary = details.and_then(|d| d.summary.clone());
                let outcome = (ActionExecutionStatus::Succeeded, summary, None);
                self.complete_action(seq, action, outcome, now, fx);
            }
            JobResult::Failure(failure) => {
                let error = ErrorDetails {
                    code: failure.failure_type.to_string(),
                    message: failure.message.clone(),
                };
                let outcome = (ActionExecutionStatus::Failed, None, Some(error));
                self.complete_action(seq, action, outcome, now, fx);
            }
        }
        Ok(())
    }
}
