//! `AcknowledgeThirdPartyJob`: a partner claims a third-party job it polled.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::engine::jobs::JobKind;
use crate::error::{ErrorKind, Result};
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;
use crate::service::jobs::JobBoard;

use super::AcknowledgeJobOutput;

/// `AcknowledgeThirdPartyJob` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AcknowledgeThirdPartyJobInput {
    /// The job.
    #[serde(default)]
    pub job_id: String,
    /// The nonce `GetThirdPartyJobDetails` showed.
    #[serde(default)]
    pub nonce: String,
    /// The client token of the job.
    #[serde(default)]
    pub client_token: String,
}

/// `AcknowledgeThirdPartyJob`.
pub(crate) struct AcknowledgeThirdPartyJob;

impl Op for AcknowledgeThirdPartyJob {
    const OPERATION: Operation = Operation::AcknowledgeThirdPartyJob;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::InvalidNonce,
        ErrorKind::JobNotFound,
        ErrorKind::InvalidClientToken,
    ];
    const CHANGES_STATE: bool = true;
    type Input = AcknowledgeThirdPartyJobInput;
    type Output = AcknowledgeJobOutput;

    fn target(_: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.length("jobId", &input.job_id, 1, 512);
        v.length("nonce", &input.nonce, 1, 50);
        v.length("clientToken", &input.client_token, 1, 256);
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let status = cx.change_part(|board: &mut JobBoard, _| {
            let token = Some(input.client_token.as_str());
            board.acknowledge(JobKind::ThirdParty, &input.job_id, &input.nonce, token)
        })?;
        Ok(AcknowledgeJobOutput { status })
    }
}

impl Simulator {
    /// `AcknowledgeThirdPartyJob`: claims a polled third-party job.
    ///
    /// # Errors
    /// `ValidationException`, `JobNotFoundException`, `InvalidNonceException`,
    /// `InvalidClientTokenException`.
    pub async fn acknowledge_third_party_job(
        &self,
        input: AcknowledgeThirdPartyJobInput,
    ) -> Result<AcknowledgeJobOutput> {
        self.call::<AcknowledgeThirdPartyJob>(input).await
    }
}
