//! `GetJobDetails`: a job's data, in any status.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::jobs::JobDetails;
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;
use crate::service::jobs::JobBoard;

/// `GetJobDetails` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetJobDetailsInput {
    /// The job.
    #[serde(default)]
    pub job_id: String,
}

/// `GetJobDetails` output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetJobDetailsOutput {
    /// The job, without its nonce.
    pub job_details: JobDetails,
}

/// `GetJobDetails`.
pub(crate) struct GetJobDetails;

impl Op for GetJobDetails {
    const OPERATION: Operation = Operation::GetJobDetails;
    const ERRORS: &'static [ErrorKind] = &[ErrorKind::Validation, ErrorKind::JobNotFound];
    const CHANGES_STATE: bool = false;
    type Input = GetJobDetailsInput;
    type Output = GetJobDetailsOutput;

    fn target(_: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.uuid("jobId", &input.job_id);
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let job_details =
            cx.read_part(|board: &JobBoard| board.details(&input.job_id, cx.account()))?;
        Ok(GetJobDetailsOutput { job_details })
    }
}

impl Simulator {
    /// `GetJobDetails`: a job's data.
    ///
    /// # Errors
    /// `ValidationException`, `JobNotFoundException`.
    pub async fn get_job_details(&self, input: GetJobDetailsInput) -> Result<GetJobDetailsOutput> {
        self.call::<GetJobDetails>(input).await
    }
}
