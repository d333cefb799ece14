//! `PutThirdPartyJobSuccessResult`: a partner reports that a third-party job succeeded.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::engine::jobs::{JobKind, JobResult};
use crate::error::{ErrorKind, Result};
use crate::model::jobs::{CurrentRevision, ExecutionDetails};
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `PutThirdPartyJobSuccessResult` input (the output is empty).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutThirdPartyJobSuccessResultInput {
    /// The job.
    #[serde(default)]
    pub job_id: String,
    /// The client token of the job.
    #[serde(default)]
    pub client_token: String,
    /// The revision a source job found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_revision: Option<CurrentRevision>,
    /// The run goes on: a new job carrying this token is queued for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
    /// Summary, external id and progress, shown on the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_details: Option<ExecutionDetails>,
}

/// `PutThirdPartyJobSuccessResult`.
pub(crate) struct PutThirdPartyJobSuccessResult;

impl Op for PutThirdPartyJobSuccessResult {
    const OPERATION: Operation = Operation::PutThirdPartyJobSuccessResult;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::JobNotFound,
        ErrorKind::InvalidJobState,
        ErrorKind::InvalidClientToken,
    ];
    const CHANGES_STATE: bool = true;
    type Input = PutThirdPartyJobSuccessResultInput;
    type Output = ();

    fn target(_: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.length("jobId", &input.job_id, 1, 512);
        v.length("clientToken", &input.client_token, 1, 256);
        super::check_success(
            &mut v,
            (
                input.current_revision.as_ref(),
                input.continuation_token.as_deref(),
                input.execution_details.as_ref(),
            ),
        );
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let result = JobResult::Success {
            details: input.execution_details.as_ref(),
            continuation_token: input.continuation_token.as_deref(),
            current_revision: input.current_revision.as_ref(),
            output_variables: None,
        };
        let job = (
            JobKind::ThirdParty,
            input.job_id.as_str(),
            Some(input.client_token.as_str()),
        );
        super::put_result(cx, job, &result)
    }
}

impl Simulator {
    /// `PutThirdPartyJobSuccessResult`: as `PutJobSuccessResult`, for a third-party job.
    ///
    /// # Errors
    /// `ValidationException`, `JobNotFoundException`, `InvalidJobStateException`,
    /// `InvalidClientTokenException`.
    pub async fn put_third_party_job_success_result(
        &self,
        input: PutThirdPartyJobSuccessResultInput,
    ) -> Result<()> {
        self.call::<PutThirdPartyJobSuccessResult>(input).await
    }
}
