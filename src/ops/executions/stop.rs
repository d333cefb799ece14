//! `StopPipelineExecution`: stop-and-wait or abandon one execution.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `StopPipelineExecution` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StopPipelineExecutionInput {
    /// The pipeline.
    #[serde(default)]
    pub pipeline_name: String,
    /// The execution to stop.
    #[serde(default)]
    pub pipeline_execution_id: String,
    /// Abandon in-progress actions instead of letting them finish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abandon: Option<bool>,
    /// At most 200 characters; reported as `stopTrigger.reason`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl StopPipelineExecutionInput {
    /// Stop-and-wait of one execution.
    pub fn new(pipeline_name: impl Into<String>, pipeline_execution_id: impl Into<String>) -> Self {
        Self {
            pipeline_name: pipeline_name.into(),
            pipeline_execution_id: pipeline_execution_id.into(),
            ..Self::default()
        }
    }

    /// The same stop, abandoning in-progress actions.
    pub fn abandon(mut self) -> Self {
        self.abandon = Some(true);
        self
    }

    /// The same stop with a reason.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

/// `StopPipelineExecution` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StopPipelineExecutionOutput {
    /// The execution being stopped.
    pub pipeline_execution_id: String,
}

/// `StopPipelineExecution`.
pub(crate) struct StopPipelineExecution;

impl Op for StopPipelineExecution {
    const OPERATION: Operation = Operation::StopPipelineExecution;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::Conflict,
        ErrorKind::PipelineNotFound,
        ErrorKind::PipelineExecutionNotStoppable,
        ErrorKind::DuplicatedStopRequest,
    ];
    const CHANGES_STATE: bool = true;
    type Input = StopPipelineExecutionInput;
    type Output = StopPipelineExecutionOutput;

    fn target(input: &Self::Input) -> Option<&str> {
        Some(&input.pipeline_name)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.name("pipelineName", &input.pipeline_name, 100);
        v.uuid("pipelineExecutionId", &input.pipeline_execution_id);
        if let Some(reason) = &input.reason {
            v.length("reason", reason, 0, 200);
        }
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let slot = cx.pipeline(&input.pipeline_name)?;
        let id = cx.change(&slot, |engine, now, fx| engine.stop(input, now, fx))?;
        Ok(StopPipelineExecutionOutput {
            pipeline_execution_id: id.to_string(),
        })
    }
}

impl From<(&str, &str)> for StopPipelineExecutionInput {
    fn from((pipeline_name, pipeline_execution_id): (&str, &str)) -> Self {
        Self::new(pipeline_name, pipeline_execution_id)
    }
}

impl Simulator {
    /// `StopPipelineExecution`.
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`,
    /// `PipelineExecutionNotFoundException`, `ConflictException`,
    /// `PipelineExecutionNotStoppableException`, `DuplicatedStopRequestException`.
    pub async fn stop_pipeline_execution(
        &self,
        input: impl Into<StopPipelineExecutionInput>,
    ) -> Result<StopPipelineExecutionOutput> {
        self.call::<StopPipelineExecution>(input.into()).await
    }
}
