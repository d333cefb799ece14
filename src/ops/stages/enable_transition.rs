//! `EnableStageTransition`: lets the executions held in front of a stage in.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::StageTransitionType;
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `EnableStageTransition` input (the output is empty).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnableStageTransitionInput {
    /// The pipeline.
    #[serde(default)]
    pub pipeline_name: String,
    /// The stage whose transition to enable.
    #[serde(default)]
    pub stage_name: String,
    /// Into the stage (`Inbound`) or out of it (`Outbound`).
    #[serde(default)]
    pub transition_type: StageTransitionType,
}

impl EnableStageTransitionInput {
    /// Enables the transition into `stage` of `pipeline`.
    pub fn inbound(pipeline: impl Into<String>, stage: impl Into<String>) -> Self {
        Self {
            pipeline_name: pipeline.into(),
            stage_name: stage.into(),
            transition_type: StageTransitionType::Inbound,
        }
    }
}

/// `EnableStageTransition`.
pub(crate) struct EnableStageTransition;

impl Op for EnableStageTransition {
    const OPERATION: Operation = Operation::EnableStageTransition;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::PipelineNotFound,
        ErrorKind::StageNotFound,
    ];
    const CHANGES_STATE: bool = true;
    type Input = EnableStageTransitionInput;
    /// The service model gives it no output: the answer has no body.
    type Output = ();

    fn target(input: &Self::Input) -> Option<&str> {
        Some(&input.pipeline_name)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.name("pipelineName", &input.pipeline_name, 100);
        v.name("stageName", &input.stage_name, 100);
        v.enumeration("transitionType", &input.transition_type);
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let slot = cx.pipeline(&input.pipeline_name)?;
        cx.change(&slot, |engine, now, fx| {
            engine.set_transition(&input.stage_name, &input.transition_type, None, now, fx)
        })
    }
}

impl Simulator {
    /// `EnableStageTransition`: the executions held in front of the stage enter it as
    /// the stage allows (one at a time into a stage that locks).
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`, `StageNotFoundException`.
    pub async fn enable_stage_transition(&self, input: EnableStageTransitionInput) -> Result<()> {
        self.call::<EnableStageTransition>(input).await
    }
}
