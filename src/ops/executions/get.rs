//! `GetPipelineExecution`: one execution in full.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::PipelineExecution;
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `GetPipelineExecution` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPipelineExecutionInput {
    /// The pipeline.
    #[serde(default)]
    pub pipeline_name: String,
    /// The execution.
    #[serde(default)]
    pub pipeline_execution_id: String,
}

/// `GetPipelineExecution` output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPipelineExecutionOutput {
    /// The execution.
    pub pipeline_execution: PipelineExecution,
}

/// `GetPipelineExecution`.
pub(crate) struct GetPipelineExecution;

impl Op for GetPipelineExecution {
    const OPERATION: Operation = Operation::GetPipelineExecution;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::PipelineNotFound,
        ErrorKind::PipelineExecutionNotFound,
    ];
    const CHANGES_STATE: bool = false;
    type Input = GetPipelineExecutionInput;
    type Output = GetPipelineExecutionOutput;

    fn target(input: &Self::Input) -> Option<&str> {
        Some(&input.pipeline_name)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.name("pipelineName", &input.pipeline_name, 100);
        v.uuid("pipelineExecutionId", &input.pipeline_execution_id);
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let slot = cx.pipeline(&input.pipeline_name)?;
        let pipeline_execution = cx.read(&slot, |engine| {
            engine.execution(&input.pipeline_execution_id)
        })?;
        Ok(GetPipelineExecutionOutput { pipeline_execution })
    }
}

impl From<(&str, &str)> for GetPipelineExecutionInput {
    fn from((pipeline_name, pipeline_execution_id): (&str, &str)) -> Self {
        Self {
            pipeline_name: pipeline_name.to_owned(),
            pipeline_execution_id: pipeline_execution_id.to_owned(),
        }
    }
}

impl Simulator {
    /// `GetPipelineExecution`.
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`,
    /// `PipelineExecutionNotFoundException` (also for an id of another pipeline).
    pub async fn get_pipeline_execution(
        &self,
        input: impl Into<GetPipelineExecutionInput>,
    ) -> Result<GetPipelineExecutionOutput> {
        self.call::<GetPipelineExecution>(input.into()).await
    }
}
