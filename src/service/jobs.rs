//! The job board of one account and region: every job its pipelines posted, from the
//! moment a run starts waiting for it until it ends, and the choices polls make.
//!
//! Engines post and end jobs through their effects ([`JobChange`]), applied here under
//! the engine's lock, so the board never offers a job whose run is over. The job
//! operations (`crate::ops::jobs`) read and change it through `Cx`:
//!
//! - a poll picks jobs live and is journaled with its pick, since which jobs were
//!   queued at that instant depends on how calls of other pipelines interleaved; replay
//!   hands out exactly the jobs the live poll did;
//! - an acknowledgement changes only the board;
//! - a result changes the run's engine and the board under both locks, engine first.
//!
//! Jobs that ended are kept (the newest [`ENDED_KEPT`]) so that late calls about them
//! answer `InvalidJobStateException` rather than `JobNotFoundException`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::scope_parts::ScopePart;
use crate::engine::jobs::{JobChange, JobKind};
use crate::error::{Error, Result};
use crate::model::jobs::{Job, JobData, JobDetails, ThirdPartyJob, ThirdPartyJobDetails};
use crate::model::{ActionTypeId, JobStatus, Timestamp};

/// How many ended jobs a board keeps for late calls about them \[choice\].
pub(crate) const ENDED_KEPT: usize = 10_000;

/// How long a job handed out by a poll waits for its acknowledgement before polls hand
/// it out again, with a new nonce \[choice\]: AWS's sample job worker says a job "not
/// acknowledged in time" is handed out again, but not after how long.
pub(crate) const ACKNOWLEDGE_WITHIN: std::time::Duration = std::time::Duration::from_secs(60);

/// One account and region's jobs.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct JobBoard {
    /// Every job kept, by id.
    jobs: BTreeMap<Uuid, BoardJob>,
    /// Jobs a poll may hand out (queued, or dispatched and not acknowledged), in the
    /// order they were posted: by the moment, then by id, so the order does not depend
    /// on how pipelines' calls interleaved.
    queued: BTreeSet<(u64, Uuid)>,
    /// Jobs that ended, oldest first, for forgetting beyond [`ENDED_KEPT`].
    ended: VecDeque<Uuid>,
}

/// One job on the board.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BoardJob {
    kind: JobKind,
    status: JobStatus,
    /// When it was posted, epoch milliseconds.
    posted: u64,
    /// How often a poll handed it out; its nonce is this count.
    dispatches: u32,
    /// When a poll last handed it out, epoch milliseconds.
    #[serde(default)]
    dispatched: u64,
    /// The execution its run belongs to.
    execution: String,
    data: JobData,
}

impl BoardJob {
    fn nonce(&self) -> Option<String> {
        (self.dispatches > 0).then(|| self.dispatches.to_string())
    }
}

/// A job as a harness sees it: `Simulator::jobs` and `GET /_pipesim/jobs`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobInfo {
    /// The job's id.
    pub job_id: String,
    /// `Job` (PollForJobs) or `ThirdParty` (PollForThirdPartyJobs).
    pub kind: String,
    /// Where it stands.
    pub status: JobStatus,
    /// The pipeline.
    pub pipeline_name: String,
    /// The execution.
    pub pipeline_execution_id: String,
    /// The stage.
    pub stage_name: String,
    /// The action.
    pub action_name: String,
    /// The action's type, which pollers poll for.
    pub action_type_id: ActionTypeId,
    /// The nonce the last poll handed out, once polled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// A third-party job's client id, which is also its client token \[choice\].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// A third-party job's client id: derived from its id, so it needs no storage. pipesim
/// accepts it as the job's client token too \[choice\].
pub(crate) fn client_id(job: Uuid) -> Uuid {
    let bits = job.as_u128() ^ 0x005e_edc1_1e47_u128.rotate_left(64);
    uuid::Builder::from_random_bytes(bits.to_be_bytes()).into_uuid()
}

/// The job id of a request, or `JobNotFoundException` worded as recorded.
pub(crate) fn job_id(id: &str) -> Result<Uuid> {
    Uuid::parse_str(id).map_err(|_| not_found(id))
}

fn not_found(id: &str) -> Error {
    Error::JobNotFound(format!("Job with id '{id}' does not exist"))
}

/// Where a job's run is, for handing a result to its engine.
#[derive(Debug)]
pub(crate) struct RunOfJob {
    pub(crate) pipeline: String,
    pub(crate) execution_id: String,
    pub(crate) stage: String,
    pub(crate) action: String,
}

impl JobBoard {
    /// Applies what an engine call did to jobs.
    pub(crate) fn apply(&mut self, changes: Vec<JobChange>) {
        for change in changes {
            match change {
                JobChange::Posted(job) => {
                    let posted = job.at.as_millis();
                    self.queued.insert((posted, job.id));
                    self.jobs.insert(
                        job.id,
                        BoardJob {
                            kind: job.kind,
                            status: JobStatus::Queued,
                            posted,
                            dispatches: 0,
                            dispatched: 0,
                            execution: job.execution,
                            data: job.data,
                        },
                    );
                }
                JobChange::Ended { id, status } => self.end(id, status),
            }
        }
    }

    /// Ends a job: the first end it hears of stands.
    fn end(&mut self, id: Uuid, status: JobStatus) {
        let Some(job) = self.jobs.get_mut(&id).filter(|job| !job.status.is_final()) else {
            return;
        };
        job.status = status;
        self.queued.remove(&(job.posted, id));
        self.ended.push_back(id);
        while self.ended.len() > ENDED_KEPT {
            if let Some(old) = self.ended.pop_front() {
                self.jobs.remove(&old);
            }
        }
    }

    /// Which jobs of `kind` and `action_type` a poll at `now` hands out: at most `max`,
    /// oldest first, whose configuration holds every `query` pair, among the queued
    /// ones and those handed out before but not acknowledged within
    /// [`ACKNOWLEDGE_WITHIN`].
    pub(crate) fn pick(
        &self,
        kind: JobKind,
        action_type: &ActionTypeId,
        (max, now): (usize, Timestamp),
        query: &BTreeMap<String, String>,
    ) -> Vec<Uuid> {
        let expired = now
            .as_millis()
            .saturating_sub(ACKNOWLEDGE_WITHIN.as_millis() as u64);
        self.queued
            .iter()
            .map(|(_, id)| (id, &self.jobs[id]))
            .filter(|(_, job)| {
                let open = job.status == JobStatus::Queued
                    || (job.status == JobStatus::Dispatched && job.dispatched <= expired);
                open && job.kind == kind
                    && job.data.action_type_id == *action_type
                    && query.iter().all(|(key, value)| {
                        job.data.action_configuration.configuration.get(key) == Some(value)
                    })
            })
            .take(max)
            .map(|(id, _)| *id)
            .collect()
    }

    /// Hands out the jobs a poll picked: each becomes `Dispatched` with a new nonce.
    /// A job acknowledged or ended since it was picked is left out.
    fn dispatch(&mut self, picked: &[Uuid], now: Timestamp) -> Vec<Uuid> {
        let mut handed = Vec::with_capacity(picked.len());
        for id in picked {
            let Some(job) = self.jobs.get_mut(id) else {
                continue;
            };
            if !matches!(job.status, JobStatus::Queued | JobStatus::Dispatched) {
                continue;
            }
            job.status = JobStatus::Dispatched;
            job.dispatches += 1;
            job.dispatched = now.as_millis();
            handed.push(*id);
        }
        handed
    }

    /// Hands out the jobs a `PollForJobs` picked, as it answers them.
    pub(crate) fn hand_out(&mut self, picked: &[Uuid], now: Timestamp, account: &str) -> Vec<Job> {
        self.dispatch(picked, now)
            .into_iter()
            .map(|id| {
                let job = &self.jobs[&id];
                Job {
                    id: id.to_string(),
                    data: job.data.clone(),
                    nonce: job.nonce().unwrap_or_default(),
                    account_id: account.to_owned(),
                }
            })
            .collect()
    }

    /// Hands out the jobs a `PollForThirdPartyJobs` picked, as it answers them.
    pub(crate) fn hand_out_third_party(
        &mut self,
        picked: &[Uuid],
        now: Timestamp,
    ) -> Vec<ThirdPartyJob> {
        self.dispatch(picked, now)
            .into_iter()
            .map(|id| ThirdPartyJob {
                client_id: client_id(id).to_string(),
                job_id: id.to_string(),
            })
            .collect()
    }

    /// The job of that id and kind.
    ///
    /// # Errors
    /// `JobNotFoundException`, also for a job of the other kind.
    fn job(&self, kind: JobKind, id: &str) -> Result<(Uuid, &BoardJob)> {
        let uuid = job_id(id)?;
        self.jobs
            .get(&uuid)
            .filter(|job| job.kind == kind)
            .map(|job| (uuid, job))
            .ok_or_else(|| not_found(id))
    }

    /// Checks a third-party call's client token against the job's.
    fn check_client_token(id: Uuid, token: &str) -> Result<()> {
        if token == client_id(id).to_string() {
            Ok(())
        } else {
            Err(Error::InvalidClientToken(format!(
                "The client token was not valid for job with id '{id}'"
            )))
        }
    }

    /// `GetJobDetails`.
    ///
    /// # Errors
    /// `JobNotFoundException`.
    pub(crate) fn details(&self, id: &str, account: &str) -> Result<JobDetails> {
        let (uuid, job) = self.job(JobKind::Job, id)?;
        Ok(JobDetails {
            id: uuid.to_string(),
            data: job.data.clone(),
            account_id: account.to_owned(),
        })
    }

    /// `GetThirdPartyJobDetails`.
    ///
    /// # Errors
    /// `JobNotFoundException`, `InvalidClientTokenException`, and `InvalidJobException`
    /// for the id of a job of `PollForJobs` \[choice\].
    pub(crate) fn third_party_details(
        &self,
        id: &str,
        client_token: &str,
    ) -> Result<ThirdPartyJobDetails> {
        if let Ok(uuid) = Uuid::parse_str(id)
            && self
                .jobs
                .get(&uuid)
                .is_some_and(|job| job.kind == JobKind::Job)
        {
            return Err(Error::InvalidJob(format!(
                "Job with id '{id}' is not a third-party job"
            )));
        }
        let (uuid, job) = self.job(JobKind::ThirdParty, id)?;
        Self::check_client_token(uuid, client_token)?;
        Ok(ThirdPartyJobDetails {
            id: uuid.to_string(),
            data: job.data.clone(),
            nonce: job.nonce().unwrap_or_default(),
        })
    }

    /// `AcknowledgeJob` and `AcknowledgeThirdPartyJob`: a dispatched job whose nonce
    /// matches becomes `InProgress`. A nonce is accepted once. A job that ended answers
    /// its status, which job workers read as "do not run it".
    ///
    /// # Errors
    /// `JobNotFoundException`, `InvalidClientTokenException` (third-party), and
    /// `InvalidNonceException` for a job not handed out, a nonce other than the last one
    /// handed out (another worker's poll took the job since), or a job acknowledged
    /// already.
    pub(crate) fn acknowledge(
        &mut self,
        kind: JobKind,
        id: &str,
        nonce: &str,
        client_token: Option<&str>,
    ) -> Result<JobStatus> {
        let (uuid, job) = self.job(kind, id)?;
        if let Some(token) = client_token {
            Self::check_client_token(uuid, token)?;
        }
        if job.status.is_final() && job.nonce().as_deref() == Some(nonce) {
            return Ok(job.status);
        }
        if job.status != JobStatus::Dispatched || job.nonce().as_deref() != Some(nonce) {
            return Err(Error::InvalidNonce(format!(
                "The nonce '{nonce}' is not valid for job with id '{id}'"
            )));
        }
        let job = self.jobs.get_mut(&uuid).expect("found above");
        job.status = JobStatus::InProgress;
        self.queued.remove(&(job.posted, uuid));
        Ok(JobStatus::InProgress)
    }

    /// The run a result for job `id` goes to, if the job can still take one.
    ///
    /// # Errors
    /// `JobNotFoundException`, `InvalidClientTokenException` (third-party), and
    /// `InvalidJobStateException` for a job that ended.
    pub(crate) fn open_run(
        &self,
        kind: JobKind,
        id: &str,
        client_token: Option<&str>,
    ) -> Result<(Uuid, RunOfJob)> {
        let (uuid, job) = self.job(kind, id)?;
        if let Some(token) = client_token {
            Self::check_client_token(uuid, token)?;
        }
        if job.status.is_final() {
            return Err(Error::InvalidJobState(format!(
                "Job with id '{id}' is in status {:?} and can no longer take a result",
                job.status
            )));
        }
        let context = &job.data.pipeline_context;
        Ok((
            uuid,
            RunOfJob {
                pipeline: context.pipeline_name.clone(),
                execution_id: job.execution.clone(),
                stage: context.stage.name.clone(),
                action: context.action.name.clone(),
            },
        ))
    }

    /// Every job kept, oldest first, for a harness.
    pub(crate) fn infos(&self) -> Vec<JobInfo> {
        let mut jobs: Vec<(&Uuid, &BoardJob)> = self.jobs.iter().collect();
        jobs.sort_by_key(|(id, job)| (job.posted, **id));
        jobs.into_iter()
            .map(|(id, job)| {
                let context = &job.data.pipeline_context;
                JobInfo {
                    job_id: id.to_string(),
                    kind: match job.kind {
                        JobKind::Job => "Job".into(),
                        JobKind::ThirdParty => "ThirdParty".into(),
                    },
                    status: job.status,
                    pipeline_name: context.pipeline_name.clone(),
                    pipeline_execution_id: job.execution.clone(),
                    stage_name: context.stage.name.clone(),
                    action_name: context.action.name.clone(),
                    action_type_id: job.data.action_type_id.clone(),
                    nonce: job.nonce(),
                    client_id: (job.kind == JobKind::ThirdParty)
                        .then(|| client_id(*id).to_string()),
                }
            })
            .collect()
    }

    /// Ends the jobs of a pipeline that is deleted.
    pub(crate) fn end_all(&mut self, jobs: Vec<Uuid>) {
        for id in jobs {
            self.end(id, JobStatus::Failed);
        }
    }
}

impl super::Inner {
    /// Hands what an engine call did to jobs to its account and region's board. Called
    /// with the engine locked, so a pipeline's jobs reach the board in the order its
    /// engine made them.
    pub(super) fn post_jobs(&self, slot: &super::PipelineSlot, changes: Vec<JobChange>) {
        if changes.is_empty() {
            return;
        }
        let scope = self.scope(&slot.ident.account, &slot.ident.region);
        JobBoard::of(&scope.parts).lock().apply(changes);
    }
}

impl crate::Simulator {
    /// Every job of this handle's account and region that the board keeps, oldest
    /// first: how a harness playing a Lambda function (or checking a job worker) finds
    /// job ids without polling. `GET /_pipesim/jobs` answers the same.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> pipesim::Result<()> {
    /// use pipesim::Simulator;
    ///
    /// let sim = Simulator::builder().virtual_time().build();
    /// assert!(sim.jobs().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn jobs(&self) -> Vec<JobInfo> {
        JobBoard::of(&self.scope.parts).lock().infos()
    }
}
