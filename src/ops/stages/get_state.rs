//! `GetPipelineState`: where every stage and action of a pipeline stands now.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::validate;
use crate::model::{StageState, Timestamp};
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `GetPipelineState` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPipelineStateInput {
    /// The pipeline.
    #[serde(default)]
    pub name: String,
}

/// `GetPipelineState` output: where every stage and action stands now.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPipelineStateOutput {
    /// The pipeline.
    pub pipeline_name: String,
    /// Its current version.
    pub pipeline_version: i64,
    /// One entry per stage, in order.
    pub stage_states: Vec<StageState>,
    /// When the pipeline was created.
    pub created: Timestamp,
    /// When it was last updated.
    pub updated: Timestamp,
}

/// `GetPipelineState`.
pub(crate) struct GetPipelineState;

impl Op for GetPipelineState {
    const OPERATION: Operation = Operation::GetPipelineState;
    const ERRORS: &'static [ErrorKind] = &[ErrorKind::Validation, ErrorKind::PipelineNotFound];
    const CHANGES_STATE: bool = false;
    type Input = GetPipelineStateInput;
    type Output = GetPipelineStateOutput;

    fn target(input: &Self::Input) -> Option<&str> {
        Some(&input.name)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        validate::pipeline_name("name", &input.name)
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let slot = cx.pipeline(&input.name)?;
        Ok(cx.read(&slot, |engine| engine.state()))
    }
}

impl From<&str> for GetPipelineStateInput {
    fn from(name: &str) -> Self {
        Self {
            name: name.to_owned(),
        }
    }
}

impl Simulator {
    /// `GetPipelineState`.
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`.
    pub async fn get_pipeline_state(
        &self,
        input: impl Into<GetPipelineStateInput>,
    ) -> Result<GetPipelineStateOutput> {
        self.call::<GetPipelineState>(input.into()).await
    }
}
