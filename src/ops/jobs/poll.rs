//! `PollForJobs`: a job worker asks for queued jobs of its custom action type.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::engine::jobs::JobKind;
use crate::error::{ErrorKind, Result};
use crate::model::ActionTypeId;
use crate::model::jobs::Job;
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `PollForJobs` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PollForJobsInput {
    /// The custom action type to poll for.
    #[serde(default)]
    pub action_type_id: ActionTypeId,
    /// At most this many jobs (1 or more; 1 when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_batch_size: Option<i64>,
    /// Only jobs whose queryable configuration property has this value (0..1 entries).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query_param: BTreeMap<String, String>,
}

impl PollForJobsInput {
    /// Polls for one job of `action_type_id`.
    pub fn new(action_type_id: ActionTypeId) -> Self {
        Self {
            action_type_id,
            ..Self::default()
        }
    }
}

/// `PollForJobs` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PollForJobsOutput {
    /// The jobs handed out, oldest first; each is now `Dispatched` to this caller.
    #[serde(default)]
    pub jobs: Vec<Job>,
}

/// `PollForJobs`.
pub(crate) struct PollForJobs;

impl Op for PollForJobs {
    const OPERATION: Operation = Operation::PollForJobs;
    const ERRORS: &'static [ErrorKind] = &[ErrorKind::Validation, ErrorKind::ActionTypeNotFound];
    const CHANGES_STATE: bool = true;
    type Input = PollForJobsInput;
    type Output = PollForJobsOutput;

    fn target(_: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        super::check_poll(&mut v, &input.action_type_id, input.max_batch_size);
        v.list_length("queryParam", input.query_param.len(), 0, 1);
        for (key, value) in &input.query_param {
            v.length("queryParam.key", key, 1, 50);
            v.length("queryParam.value", value, 1, 50);
            v.pattern("queryParam.value", value, "[a-zA-Z0-9_-]+", |c| {
                c.is_ascii_alphanumeric() || c == '_' || c == '-'
            });
        }
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let account = cx.account().to_owned();
        let jobs = super::poll(
            cx,
            (JobKind::Job, &input.action_type_id),
            input.max_batch_size,
            &input.query_param,
            |board, picked, now| board.hand_out(picked, now, &account),
        )?;
        Ok(PollForJobsOutput { jobs })
    }
}

impl Simulator {
    /// `PollForJobs`: hands out queued jobs of a custom action type, oldest first, each
    /// with a nonce for `AcknowledgeJob`. A job handed out and not acknowledged within a
    /// minute is handed out again, with a new nonce.
    ///
    /// # Errors
    /// `ValidationException`, `ActionTypeNotFoundException`.
    pub async fn poll_for_jobs(&self, input: PollForJobsInput) -> Result<PollForJobsOutput> {
        self.call::<PollForJobs>(input).await
    }
}
