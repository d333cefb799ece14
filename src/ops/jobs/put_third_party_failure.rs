//! `PutThirdPartyJobFailureResult`: a partner reports that a third-party job failed.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::engine::jobs::{JobKind, JobResult};
use crate::error::{ErrorKind, Result};
use crate::model::jobs::FailureDetails;
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `PutThirdPartyJobFailureResult` input (the output is empty).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutThirdPartyJobFailureResultInput {
    /// The job.
    #[serde(default)]
    pub job_id: String,
    /// The client token of the job.
    #[serde(default)]
    pub client_token: String,
    /// Why it failed.
    #[serde(default)]
    pub failure_details: FailureDetails,
}

/// `PutThirdPartyJobFailureResult`.
pub(crate) struct PutThirdPartyJobFailureResult;

impl Op for PutThirdPartyJobFailureResult {
    const OPERATION: Operation = Operation::PutThirdPartyJobFailureResult;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::JobNotFound,
        ErrorKind::InvalidJobState,
        ErrorKind::InvalidClientToken,
    ];
    const CHANGES_STATE: bool = true;
    type Input = PutThirdPartyJobFailureResultInput;
    type Output = ();

    fn target(_: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.length("jobId", &input.job_id, 1, 512);
        v.length("clientToken", &input.client_token, 1, 256);
        input.failure_details.check("failureDetails", &mut v);
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let result = JobResult::Failure(&input.failure_details);
        let job = (
            JobKind::ThirdParty,
            input.job_id.as_str(),
            Some(input.client_token.as_str()),
        );
        super::put_result(cx, job, &result)
    }
}

impl Simulator {
    /// `PutThirdPartyJobFailureResult`: as `PutJobFailureResult`, for a third-party job.
    ///
    /// # Errors
    /// `ValidationException`, `JobNotFoundException`, `InvalidJobStateException`,
    /// `InvalidClientTokenException`.
    pub async fn put_third_party_job_failure_result(
        &self,
        input: PutThirdPartyJobFailureResultInput,
    ) -> Result<()> {
        self.call::<PutThirdPartyJobFailureResult>(input).await
    }
}
