//! `OverrideStageCondition`: lets an execution past the entry or success condition of a
//! stage while its rules still run.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::ConditionType;
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `OverrideStageCondition` input (the output is empty).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OverrideStageConditionInput {
    /// The pipeline.
    #[serde(default)]
    pub pipeline_name: String,
    /// The stage whose condition to override.
    #[serde(default)]
    pub stage_name: String,
    /// The execution the condition is being checked for: the stage's latest.
    #[serde(default)]
    pub pipeline_execution_id: String,
    /// `BEFORE_ENTRY` or `ON_SUCCESS`.
    #[serde(default)]
    pub condition_type: ConditionType,
}

impl OverrideStageConditionInput {
    /// Overrides the `condition_type` condition of `stage` for execution `id`.
    pub fn new(
        pipeline: impl Into<String>,
        stage: impl Into<String>,
        id: impl Into<String>,
        condition_type: ConditionType,
    ) -> Self {
        Self {
            pipeline_name: pipeline.into(),
            stage_name: stage.into(),
            pipeline_execution_id: id.into(),
            condition_type,
        }
    }
}

/// `OverrideStageCondition`.
pub(crate) struct OverrideStageCondition;

impl Op for OverrideStageCondition {
    const OPERATION: Operation = Operation::OverrideStageCondition;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::Conflict,
        ErrorKind::PipelineNotFound,
        ErrorKind::StageNotFound,
        ErrorKind::ConditionNotOverridable,
        ErrorKind::NotLatestPipelineExecution,
        ErrorKind::ConcurrentPipelineExecutionsLimitExceeded,
    ];
    const CHANGES_STATE: bool = true;
    type Input = OverrideStageConditionInput;
    /// The service model gives it no output: the answer has no body.
    type Output = ();

    fn target(input: &Self::Input) -> Option<&str> {
        Some(&input.pipeline_name)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.name("pipelineName", &input.pipeline_name, 100);
        v.name("stageName", &input.stage_name, 100);
        v.uuid("pipelineExecutionId", &input.pipeline_execution_id);
        v.enumeration("conditionType", &input.condition_type);
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let slot = cx.pipeline(&input.pipeline_name)?;
        cx.change(&slot, |engine, now, fx| {
            engine.override_condition(input, now, fx)
        })
    }
}

impl Simulator {
    /// `OverrideStageCondition`: the condition being checked ends `Overridden`, its
    /// running rules `Abandoned`, and the execution goes on as if it held (into the
    /// stage's actions, or out of the stage).
    ///
    /// # Errors
    /// `ValidationException`, `ConflictException`, `PipelineNotFoundException`,
    /// `StageNotFoundException`, `ConditionNotOverridableException` (no such condition
    /// is being checked, or its result is `SKIP`), `NotLatestPipelineExecutionException`.
    pub async fn override_stage_condition(&self, input: OverrideStageConditionInput) -> Result<()> {
        self.call::<OverrideStageCondition>(input).await
    }
}
