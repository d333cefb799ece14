//! `PutJobFailureResult`: a job worker reports that a job failed.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::engine::jobs::{JobKind, JobResult};
use crate::error::{ErrorKind, Result};
use crate::model::jobs::FailureDetails;
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `PutJobFailureResult` input (the output is empty).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutJobFailureResultInput {
    /// The job.
    #[serde(default)]
    pub job_id: String,
    /// Why it failed: the action's `errorDetails` code and message.
    #[serde(default)]
    pub failure_details: FailureDetails,
}

/// `PutJobFailureResult`.
pub(crate) struct PutJobFailureResult;

impl Op for PutJobFailureResult {
    const OPERATION: Operation = Operation::PutJobFailureResult;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::JobNotFound,
        ErrorKind::InvalidJobState,
    ];
    const CHANGES_STATE: bool = true;
    type Input = PutJobFailureResultInput;
    type Output = ();

    fn target(_: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.uuid("jobId", &input.job_id);
        input.failure_details.check("failureDetails", &mut v);
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let result = JobResult::Failure(&input.failure_details);
        super::put_result(cx, (JobKind::Job, &input.job_id, None), &result)
    }
}

impl Simulator {
    /// `PutJobFailureResult`: the job's action fails, showing the failure's type as its
    /// `errorDetails.code` and its message as `errorDetails.message`.
    ///
    /// # Errors
    /// `ValidationException`, `JobNotFoundException`, `InvalidJobStateException` for a
    /// job that ended.
    pub async fn put_job_failure_result(&self, input: PutJobFailureResultInput) -> Result<()> {
        self.call::<PutJobFailureResult>(input).await
    }
}
