//! `UpdatePipeline`: stores a new version of a pipeline; what is running under the old
//! one cannot finish.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::action_types::{self, ActionTypeRegistry};
use crate::model::validate;
use crate::model::{PipelineDeclaration, PipelineType};
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `UpdatePipeline` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdatePipelineInput {
    /// The new declaration; its name picks the pipeline.
    #[serde(default)]
    pub pipeline: PipelineDeclaration,
}

/// `UpdatePipeline` output: the stored declaration with its new version.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdatePipelineOutput {
    /// The declaration as stored.
    pub pipeline: PipelineDeclaration,
}

/// `UpdatePipeline`.
pub(crate) struct UpdatePipeline;

impl Op for UpdatePipeline {
    const OPERATION: Operation = Operation::UpdatePipeline;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::InvalidStageDeclaration,
        ErrorKind::InvalidActionDeclaration,
        ErrorKind::InvalidBlockerDeclaration,
        ErrorKind::InvalidStructure,
        ErrorKind::LimitExceeded,
    ];
    const CHANGES_STATE: bool = true;
    type Input = UpdatePipelineInput;
    type Output = UpdatePipelineOutput;

    fn target(input: &Self::Input) -> Option<&str> {
        Some(&input.pipeline.name)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        if input.pipeline.pipeline_type.is_some() {
            return validate::pipeline_declaration(&input.pipeline);
        }
        // An omitted type keeps the pipeline's own, which only `apply` knows: the
        // checks that depend on it run there again.
        let mut pipeline = input.pipeline.clone();
        pipeline.pipeline_type = Some(PipelineType::V2);
        validate::pipeline_declaration(&pipeline)
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let slot = cx.pipeline(&input.pipeline.name)?;
        // Custom actions need the scope's custom types, which validation cannot see. A
        // type deleted between the check and the update is kept by the pipeline, as
        // AWS keeps pipelines that use a deleted type.
        cx.live_check(|| {
            cx.read_part(|types: &ActionTypeRegistry| types.check_pipeline(&input.pipeline))
        })?;
        let pipeline = cx.change(&slot, |engine, now, fx| {
            engine.update(input.pipeline.clone(), now, fx)
        })?;
        let pipeline = action_types::mask_secrets(pipeline);
        let pipeline = cx.read_part(|types: &ActionTypeRegistry| types.mask(pipeline));
        Ok(UpdatePipelineOutput { pipeline })
    }
}

impl From<PipelineDeclaration> for UpdatePipelineInput {
    fn from(pipeline: PipelineDeclaration) -> Self {
        Self { pipeline }
    }
}

impl Simulator {
    /// `UpdatePipeline`: stores a new version. Active executions end `Cancelled`.
    ///
    /// # Errors
    /// As [`create_pipeline`](Self::create_pipeline) for the declaration, and
    /// `PipelineNotFoundException`.
    pub async fn update_pipeline(
        &self,
        input: impl Into<UpdatePipelineInput>,
    ) -> Result<UpdatePipelineOutput> {
        self.call::<UpdatePipeline>(input.into()).await
    }
}
