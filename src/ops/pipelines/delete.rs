//! `DeletePipeline`: removes a pipeline with its executions, tokens and tags.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::validate;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `DeletePipeline` input (the output is empty).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletePipelineInput {
    /// The pipeline.
    #[serde(default)]
    pub name: String,
}

/// `DeletePipeline`.
pub(crate) struct DeletePipeline;

impl Op for DeletePipeline {
    const OPERATION: Operation = Operation::DeletePipeline;
    const ERRORS: &'static [ErrorKind] =
        &[ErrorKind::Validation, ErrorKind::ConcurrentModification];
    const CHANGES_STATE: bool = true;
    type Input = DeletePipelineInput;
    /// The service model gives `DeletePipeline` no output: the answer has no body.
    type Output = ();

    fn target(input: &Self::Input) -> Option<&str> {
        Some(&input.name)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        validate::pipeline_name("name", &input.name)
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        // Deleting a pipeline that does not exist succeeds, as in AWS.
        cx.registry(|registry| {
            registry.remove(&input.name);
            Ok(())
        })
    }
}

impl From<&str> for DeletePipelineInput {
    fn from(name: &str) -> Self {
        Self {
            name: name.to_owned(),
        }
    }
}

impl Simulator {
    /// `DeletePipeline`. Deleting a pipeline that does not exist succeeds.
    ///
    /// # Errors
    /// `ValidationException`.
    pub async fn delete_pipeline(&self, input: impl Into<DeletePipelineInput>) -> Result<()> {
        self.call::<DeletePipeline>(input.into()).await
    }
}
