//! `RetryStageExecution`: runs a failed or stopped stage again in the same execution.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::StageRetryMode;
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `RetryStageExecution` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryStageExecutionInput {
    /// The pipeline.
    #[serde(default)]
    pub pipeline_name: String,
    /// The stage to run again.
    #[serde(default)]
    pub stage_name: String,
    /// The execution that failed in it: the stage's latest.
    #[serde(default)]
    pub pipeline_execution_id: String,
    /// `FAILED_ACTIONS` or `ALL_ACTIONS`.
    #[serde(default)]
    pub retry_mode: StageRetryMode,
}

impl RetryStageExecutionInput {
    /// Retries the actions of `stage` that did not succeed in execution `id`.
    pub fn failed_actions(
        pipeline: impl Into<String>,
        stage: impl Into<String>,
        id: impl Into<String>,
    ) -> Self {
        Self {
            pipeline_name: pipeline.into(),
            stage_name: stage.into(),
            pipeline_execution_id: id.into(),
            retry_mode: StageRetryMode::FailedActions,
        }
    }

    /// The same retry of every action of the stage.
    pub fn all_actions(mut self) -> Self {
        self.retry_mode = StageRetryMode::AllActions;
        self
    }
}

/// `RetryStageExecution` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryStageExecutionOutput {
    /// The execution retried: the same id.
    pub pipeline_execution_id: String,
}

/// `RetryStageExecution`.
pub(crate) struct RetryStageExecution;

impl Op for RetryStageExecution {
    const OPERATION: Operation = Operation::RetryStageExecution;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::Conflict,
        ErrorKind::PipelineNotFound,
        ErrorKind::StageNotFound,
        ErrorKind::StageNotRetryable,
        ErrorKind::NotLatestPipelineExecution,
        ErrorKind::ConcurrentPipelineExecutionsLimitExceeded,
    ];
    const CHANGES_STATE: bool = true;
    type Input = RetryStageExecutionInput;
    type Output = RetryStageExecutionOutput;

    fn target(input: &Self::Input) -> Option<&str> {
        Some(&input.pipeline_name)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.name("pipelineName", &input.pipeline_name, 100);
        v.name("stageName", &input.stage_name, 100);
        v.uuid("pipelineExecutionId", &input.pipeline_execution_id);
        v.enumeration("retryMode", &input.retry_mode);
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let slot = cx.pipeline(&input.pipeline_name)?;
        let id = cx.change(&slot, |engine, now, fx| engine.retry(input, now, fx))?;
        Ok(RetryStageExecutionOutput {
            pipeline_execution_id: id.to_string(),
        })
    }
}

impl Simulator {
    /// `RetryStageExecution`: the execution goes back to `InProgress` and runs the stage
    /// again (its failed actions, or all of them), then the stages after it.
    ///
    /// # Errors
    /// `ValidationException`, `ConflictException`, `PipelineNotFoundException`,
    /// `StageNotFoundException`, `StageNotRetryableException`,
    /// `NotLatestPipelineExecutionException`,
    /// `ConcurrentPipelineExecutionsLimitExceededException`.
    pub async fn retry_stage_execution(
        &self,
        input: RetryStageExecutionInput,
    ) -> Result<RetryStageExecutionOutput> {
        self.call::<RetryStageExecution>(input).await
    }
}
