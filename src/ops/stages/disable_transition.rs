//! `DisableStageTransition`: holds executions in front of a stage.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::StageTransitionType;
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// The model's pattern of a disabled transition's reason.
const REASON_PATTERN: &str = r"[a-zA-Z0-9!@ \(\)\.\*\?\-]+";

fn is_reason_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!@ ().*?-".contains(c)
}

/// `DisableStageTransition` input (the output is empty).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisableStageTransitionInput {
    /// The pipeline.
    #[serde(default)]
    pub pipeline_name: String,
    /// The stage whose transition to disable.
    #[serde(default)]
    pub stage_name: String,
    /// Into the stage (`Inbound`) or out of it (`Outbound`).
    #[serde(default)]
    pub transition_type: StageTransitionType,
    /// Shown as `inboundTransitionState.disabledReason`: 1..300 of
    /// `[a-zA-Z0-9!@ \(\)\.\*\?\-]`.
    #[serde(default)]
    pub reason: String,
}

impl DisableStageTransitionInput {
    /// Disables the transition into `stage` of `pipeline`, for `reason`.
    pub fn inbound(
        pipeline: impl Into<String>,
        stage: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            pipeline_name: pipeline.into(),
            stage_name: stage.into(),
            transition_type: StageTransitionType::Inbound,
            reason: reason.into(),
        }
    }
}

/// `DisableStageTransition`.
pub(crate) struct DisableStageTransition;

impl Op for DisableStageTransition {
    const OPERATION: Operation = Operation::DisableStageTransition;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::PipelineNotFound,
        ErrorKind::StageNotFound,
    ];
    const CHANGES_STATE: bool = true;
    type Input = DisableStageTransitionInput;
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
        v.length("reason", &input.reason, 1, 300);
        v.pattern("reason", &input.reason, REASON_PATTERN, is_reason_char);
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let slot = cx.pipeline(&input.pipeline_name)?;
        cx.change(&slot, |engine, now, fx| {
            let reason = Some(input.reason.as_str());
            engine.set_transition(&input.stage_name, &input.transition_type, reason, now, fx)
        })
    }
}

impl Simulator {
    /// `DisableStageTransition`: executions that reach the transition wait in front of
    /// the stage, as in front of a locked one, until it is enabled again.
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`, `StageNotFoundException`.
    pub async fn disable_stage_transition(&self, input: DisableStageTransitionInput) -> Result<()> {
        self.call::<DisableStageTransition>(input).await
    }
}
