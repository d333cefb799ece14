//! `GetPipeline`: a pipeline's declaration, of its current version or an older one.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::engine::warm::Warm;
use crate::error::{ErrorKind, Result};
use crate::model::action_types::{self, ActionTypeRegistry};
use crate::model::validate::Violations;
use crate::model::{PipelineDeclaration, Timestamp};
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `GetPipeline` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPipelineInput {
    /// The pipeline.
    #[serde(default)]
    pub name: String,
    /// A past version; the current one when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// `GetPipeline` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPipelineOutput {
    /// The declaration of the requested version.
    pub pipeline: PipelineDeclaration,
    /// ARN and timestamps.
    pub metadata: PipelineMetadata,
}

/// Facts about a pipeline that are not part of its declaration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineMetadata {
    /// `arn:aws:codepipeline:<region>:<account>:<name>`.
    pub pipeline_arn: String,
    /// When the pipeline was created.
    pub created: Timestamp,
    /// When it was last updated.
    pub updated: Timestamp,
}

/// `GetPipeline`.
pub(crate) struct GetPipeline;

impl Op for GetPipeline {
    const OPERATION: Operation = Operation::GetPipeline;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::PipelineNotFound,
        ErrorKind::PipelineVersionNotFound,
    ];
    const CHANGES_STATE: bool = false;
    type Input = GetPipelineInput;
    type Output = GetPipelineOutput;

    fn target(input: &Self::Input) -> Option<&str> {
        Some(&input.name)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.name("name", &input.name, 100);
        if let Some(version) = input.version {
            v.range("version", version, 1, i64::MAX);
        }
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let slot = cx.pipeline(&input.name)?;
        let mut output = cx.read(&slot, |engine| {
            let declaration = engine.declaration(input.version)?;
            // The clone would take the declaration's cache misses one by one.
            Warm::default()
                .str(&engine.ident().name)
                .declaration(declaration)
                .done();
            Ok(GetPipelineOutput {
                pipeline: action_types::mask_secrets(declaration.clone()),
                metadata: PipelineMetadata {
                    pipeline_arn: engine.ident().arn(),
                    created: engine.created(),
                    updated: engine.updated(),
                },
            })
        })?;
        output.pipeline = cx.read_part(|types: &ActionTypeRegistry| types.mask(output.pipeline));
        Ok(output)
    }
}

impl From<&str> for GetPipelineInput {
    fn from(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            version: None,
        }
    }
}

impl Simulator {
    /// `GetPipeline`, of the current version or of `version`.
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`,
    /// `PipelineVersionNotFoundException`.
    pub async fn get_pipeline(
        &self,
        input: impl Into<GetPipelineInput>,
    ) -> Result<GetPipelineOutput> {
        self.call::<GetPipeline>(input.into()).await
    }
}
