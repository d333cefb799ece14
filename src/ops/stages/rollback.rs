//! `RollbackStage`: runs one stage again with an earlier execution's revisions.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `RollbackStage` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RollbackStageInput {
    /// The pipeline.
    #[serde(default)]
    pub pipeline_name: String,
    /// The stage to roll back (not the source stage).
    #[serde(default)]
    pub stage_name: String,
    /// An execution of the current version that succeeded in the stage.
    #[serde(default)]
    pub target_pipeline_execution_id: String,
}

impl RollbackStageInput {
    /// Rolls `stage` of `pipeline` back to execution `target`.
    pub fn new(
        pipeline: impl Into<String>,
        stage: impl Into<String>,
        target: impl Into<String>,
    ) -> Self {
        Self {
            pipeline_name: pipeline.into(),
            stage_name: stage.into(),
            target_pipeline_execution_id: target.into(),
        }
    }
}

/// `RollbackStage` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RollbackStageOutput {
    /// The new execution, of type `ROLLBACK`.
    pub pipeline_execution_id: String,
}

/// `RollbackStage`.
pub(crate) struct RollbackStage;

impl Op for RollbackStage {
    const OPERATION: Operation = Operation::RollbackStage;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::Conflict,
        ErrorKind::PipelineNotFound,
        ErrorKind::PipelineExecutionNotFound,
        ErrorKind::PipelineExecutionOutdated,
        ErrorKind::StageNotFound,
        ErrorKind::UnableToRollbackStage,
    ];
    const CHANGES_STATE: bool = true;
    type Input = RollbackStageInput;
    type Output = RollbackStageOutput;

    fn target(input: &Self::Input) -> Option<&str> {
        Some(&input.pipeline_name)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.name("pipelineName", &input.pipeline_name, 100);
        v.name("stageName", &input.stage_name, 100);
        v.uuid(
            "targetPipelineExecutionId",
            &input.target_pipeline_execution_id,
        );
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let slot = cx.pipeline(&input.pipeline_name)?;
        let id = cx.change(&slot, |engine, now, fx| engine.rollback(input, now, fx))?;
        Ok(RollbackStageOutput {
            pipeline_execution_id: id.to_string(),
        })
    }
}

impl Simulator {
    /// `RollbackStage`: a new execution of type `ROLLBACK` (trigger `ManualRollback`)
    /// runs the stage with the target's source revisions and variables, then ends.
    ///
    /// # Errors
    /// `ValidationException`, `ConflictException`, `PipelineNotFoundException`,
    /// `PipelineExecutionNotFoundException`, `PipelineExecutionOutdatedException`,
    /// `StageNotFoundException`, `UnableToRollbackStageException`, and, as for a start,
    /// `ConcurrentPipelineExecutionsLimitExceededException`.
    pub async fn rollback_stage(&self, input: RollbackStageInput) -> Result<RollbackStageOutput> {
        self.call::<RollbackStage>(input).await
    }
}
