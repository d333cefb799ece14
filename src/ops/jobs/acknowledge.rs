//! `AcknowledgeJob`: a job worker claims a job it polled.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::engine::jobs::JobKind;
use crate::error::{ErrorKind, Result};
use crate::model::JobStatus;
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;
use crate::service::jobs::JobBoard;

/// `AcknowledgeJob` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AcknowledgeJobInput {
    /// The job.
    #[serde(default)]
    pub job_id: String,
    /// The nonce the poll handed out with it.
    #[serde(default)]
    pub nonce: String,
}

/// `AcknowledgeJob` and `AcknowledgeThirdPartyJob` output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AcknowledgeJobOutput {
    /// `InProgress` once claimed; a job that ended answers its final status.
    pub status: JobStatus,
}

/// `AcknowledgeJob`.
pub(crate) struct AcknowledgeJob;

impl Op for AcknowledgeJob {
    const OPERATION: Operation = Operation::AcknowledgeJob;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::InvalidNonce,
        ErrorKind::JobNotFound,
    ];
    const CHANGES_STATE: bool = true;
    type Input = AcknowledgeJobInput;
    type Output = AcknowledgeJobOutput;

    fn target(_: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.uuid("jobId", &input.job_id);
        v.length("nonce", &input.nonce, 1, 50);
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let status = cx.change_part(|board: &mut JobBoard, _| {
            board.acknowledge(JobKind::Job, &input.job_id, &input.nonce, None)
        })?;
        Ok(AcknowledgeJobOutput { status })
    }
}

impl Simulator {
    /// `AcknowledgeJob`: claims a polled job; it is `InProgress` from now on. A nonce is
    /// accepted once, and only the one the job's latest poll handed out.
    ///
    /// # Errors
    /// `ValidationException`, `JobNotFoundException`, `InvalidNonceException`.
    pub async fn acknowledge_job(
        &self,
        input: AcknowledgeJobInput,
    ) -> Result<AcknowledgeJobOutput> {
        self.call::<AcknowledgeJob>(input).await
    }
}
