//! `PutJobSuccessResult`: a job worker reports that a job succeeded, or that its run
//! goes on (a continuation token).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::engine::jobs::{JobKind, JobResult};
use crate::error::{Error, ErrorKind, Result};
use crate::model::jobs::{CurrentRevision, ExecutionDetails};
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `PutJobSuccessResult` input (the output is empty).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutJobSuccessResultInput {
    /// The job.
    #[serde(default)]
    pub job_id: String,
    /// The revision a source job found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_revision: Option<CurrentRevision>,
    /// The run goes on: a new job carrying this token is queued for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
    /// Summary, external id and progress, shown on the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_details: Option<ExecutionDetails>,
    /// The action's output variables (only without a continuation token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_variables: Option<BTreeMap<String, String>>,
}

impl PutJobSuccessResultInput {
    /// Reports that job `job_id` succeeded.
    pub fn new(job_id: impl Into<String>) -> Self {
        Self {
            job_id: job_id.into(),
            ..Self::default()
        }
    }
}

/// `PutJobSuccessResult`.
pub(crate) struct PutJobSuccessResult;

impl Op for PutJobSuccessResult {
    const OPERATION: Operation = Operation::PutJobSuccessResult;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::JobNotFound,
        ErrorKind::InvalidJobState,
        ErrorKind::OutputVariablesSizeExceeded,
    ];
    const CHANGES_STATE: bool = true;
    type Input = PutJobSuccessResultInput;
    type Output = ();

    fn target(_: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.uuid("jobId", &input.job_id);
        super::check_success(
            &mut v,
            (
                input.current_revision.as_ref(),
                input.continuation_token.as_deref(),
                input.execution_details.as_ref(),
            ),
        );
        for key in input.output_variables.iter().flatten().map(|(k, _)| k) {
            v.pattern("outputVariables.key", key, r"[A-Za-z0-9@\-_]+", |c| {
                c.is_ascii_alphanumeric() || "@-_".contains(c)
            });
        }
        v.finish()?;
        if input.continuation_token.is_some() && input.output_variables.is_some() {
            // The model: output variables "can be included only when there is no
            // continuation token on the request"; the wording is pipesim's.
            return Err(Error::Validation(
                "Output variables can be included only when there is no continuation token".into(),
            ));
        }
        let size: usize = input
            .output_variables
            .iter()
            .flatten()
            .map(|(k, v)| k.chars().count() + v.chars().count())
            .sum();
        if size > super::OUTPUT_VARIABLES_MAX {
            return Err(Error::OutputVariablesSizeExceeded(
                "Exceeded the total size limit for all variables in the pipeline.".into(),
            ));
        }
        Ok(())
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let result = JobResult::Success {
            details: input.execution_details.as_ref(),
            continuation_token: input.continuation_token.as_deref(),
            current_revision: input.current_revision.as_ref(),
            output_variables: input.output_variables.as_ref(),
        };
        super::put_result(cx, (JobKind::Job, &input.job_id, None), &result)
    }
}

impl Simulator {
    /// `PutJobSuccessResult`: the job's action succeeds (with its summary, external id
    /// and output variables), or, with a continuation token, stays `InProgress` while a
    /// new job carrying the token is queued for it.
    ///
    /// # Errors
    /// `ValidationException`, `JobNotFoundException`, `InvalidJobStateException` for a
    /// job that ended, `OutputVariablesSizeExceededException`.
    pub async fn put_job_success_result(&self, input: PutJobSuccessResultInput) -> Result<()> {
        self.call::<PutJobSuccessResult>(input).await
    }
}
