//! `PollForThirdPartyJobs`: a partner asks for queued jobs of its third-party action type.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::engine::jobs::JobKind;
use crate::error::{ErrorKind, Result};
use crate::model::ActionTypeId;
use crate::model::jobs::ThirdPartyJob;
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `PollForThirdPartyJobs` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PollForThirdPartyJobsInput {
    /// The third-party action type to poll for.
    #[serde(default)]
    pub action_type_id: ActionTypeId,
    /// At most this many jobs (1 or more; 1 when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_batch_size: Option<i64>,
}

/// `PollForThirdPartyJobs` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PollForThirdPartyJobsOutput {
    /// The jobs handed out: only their ids; `GetThirdPartyJobDetails` gives the rest.
    #[serde(default)]
    pub jobs: Vec<ThirdPartyJob>,
}

/// `PollForThirdPartyJobs`.
pub(crate) struct PollForThirdPartyJobs;

impl Op for PollForThirdPartyJobs {
    const OPERATION: Operation = Operation::PollForThirdPartyJobs;
    const ERRORS: &'static [ErrorKind] = &[ErrorKind::ActionTypeNotFound, ErrorKind::Validation];
    const CHANGES_STATE: bool = true;
    type Input = PollForThirdPartyJobsInput;
    type Output = PollForThirdPartyJobsOutput;

    fn target(_: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        super::check_poll(&mut v, &input.action_type_id, input.max_batch_size);
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let jobs = super::poll(
            cx,
            (JobKind::ThirdParty, &input.action_type_id),
            input.max_batch_size,
            &Default::default(),
            |board, picked, now| board.hand_out_third_party(picked, now),
        )?;
        Ok(PollForThirdPartyJobsOutput { jobs })
    }
}

impl Simulator {
    /// `PollForThirdPartyJobs`: hands out queued jobs of a third-party action type as
    /// `{clientId, jobId}`.
    ///
    /// # Errors
    /// `ValidationException`, `ActionTypeNotFoundException`.
    pub async fn poll_for_third_party_jobs(
        &self,
        input: PollForThirdPartyJobsInput,
    ) -> Result<PollForThirdPartyJobsOutput> {
        self.call::<PollForThirdPartyJobs>(input).await
    }
}
