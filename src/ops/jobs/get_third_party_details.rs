//! `GetThirdPartyJobDetails`: a third-party job's data and nonce.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::jobs::ThirdPartyJobDetails;
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;
use crate::service::jobs::JobBoard;

/// `GetThirdPartyJobDetails` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetThirdPartyJobDetailsInput {
    /// The job.
    #[serde(default)]
    pub job_id: String,
    /// The client token of the job.
    #[serde(default)]
    pub client_token: String,
}

/// `GetThirdPartyJobDetails` output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetThirdPartyJobDetailsOutput {
    /// The job, with the nonce `AcknowledgeThirdPartyJob` needs.
    pub job_details: ThirdPartyJobDetails,
}

/// `GetThirdPartyJobDetails`.
pub(crate) struct GetThirdPartyJobDetails;

impl Op for GetThirdPartyJobDetails {
    const OPERATION: Operation = Operation::GetThirdPartyJobDetails;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::JobNotFound,
        ErrorKind::Validation,
        ErrorKind::InvalidClientToken,
        ErrorKind::InvalidJob,
    ];
    const CHANGES_STATE: bool = false;
    type Input = GetThirdPartyJobDetailsInput;
    type Output = GetThirdPartyJobDetailsOutput;

    fn target(_: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.length("jobId", &input.job_id, 1, 512);
        v.length("clientToken", &input.client_token, 1, 256);
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let job_details = cx.read_part(|board: &JobBoard| {
            board.third_party_details(&input.job_id, &input.client_token)
        })?;
        Ok(GetThirdPartyJobDetailsOutput { job_details })
    }
}

impl Simulator {
    /// `GetThirdPartyJobDetails`: a third-party job's data and nonce.
    ///
    /// # Errors
    /// `ValidationException`, `JobNotFoundException`, `InvalidClientTokenException`.
    pub async fn get_third_party_job_details(
        &self,
        input: GetThirdPartyJobDetailsInput,
    ) -> Result<GetThirdPartyJobDetailsOutput> {
        self.call::<GetThirdPartyJobDetails>(input).await
    }
}
