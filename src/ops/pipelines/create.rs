//! `CreatePipeline`: stores a new pipeline at version 1.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{Error, ErrorKind, Result};
use crate::model::action_types::{self, ActionTypeRegistry};
use crate::model::validate;
use crate::model::{PipelineDeclaration, Tag};
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `CreatePipeline` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePipelineInput {
    /// The pipeline to create.
    #[serde(default)]
    pub pipeline: PipelineDeclaration,
    /// At most 50 tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl CreatePipelineInput {
    /// Creates `pipeline` with no tags.
    pub fn new(pipeline: PipelineDeclaration) -> Self {
        Self {
            pipeline,
            tags: Vec::new(),
        }
    }
}

/// `CreatePipeline` output: the stored declaration (with `version` 1) and the tags.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePipelineOutput {
    /// The declaration as stored.
    pub pipeline: PipelineDeclaration,
    /// The tags as stored; absent when none were sent, as AWS answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

/// `CreatePipeline`.
pub(crate) struct CreatePipeline;

impl Op for CreatePipeline {
    const OPERATION: Operation = Operation::CreatePipeline;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::PipelineNameInUse,
        ErrorKind::InvalidStageDeclaration,
        ErrorKind::InvalidActionDeclaration,
        ErrorKind::InvalidBlockerDeclaration,
        ErrorKind::InvalidStructure,
        ErrorKind::LimitExceeded,
        ErrorKind::TooManyTags,
        ErrorKind::InvalidTags,
        ErrorKind::ConcurrentModification,
    ];
    const CHANGES_STATE: bool = true;
    type Input = CreatePipelineInput;
    type Output = CreatePipelineOutput;

    fn target(input: &Self::Input) -> Option<&str> {
        Some(&input.pipeline.name)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        validate::pipeline_declaration(&input.pipeline)?;
        validate::tags("tags", &input.tags)
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let name = &input.pipeline.name;
        cx.registry(|registry| {
            if registry.contains(name) {
                return Err(Error::PipelineNameInUse(format!(
                    "A pipeline with the name '{name}' already exists in account '{}'",
                    cx.account()
                )));
            }
            if registry.len() >= registry.limit() {
                return Err(Error::LimitExceeded(format!(
                    "Account '{}' already has {} pipelines in region '{}', the limit",
                    cx.account(),
                    registry.limit(),
                    cx.region()
                )));
            }
            // Custom actions need the scope's custom types, which validation cannot see.
            cx.live_check(|| {
                cx.read_part(|types: &ActionTypeRegistry| types.check_pipeline(&input.pipeline))
            })?;
            let slot = registry.insert(input.pipeline.clone(), input.tags.clone());
            let pipeline = cx.read(&slot, |engine| engine.declaration(None).cloned())?;
            let pipeline = action_types::mask_secrets(pipeline);
            let pipeline = cx.read_part(|types: &ActionTypeRegistry| types.mask(pipeline));
            Ok(CreatePipelineOutput {
                pipeline,
                tags: input.tags.clone(),
            })
        })
    }
}

impl From<PipelineDeclaration> for CreatePipelineInput {
    fn from(pipeline: PipelineDeclaration) -> Self {
        Self::new(pipeline)
    }
}

impl Simulator {
    /// `CreatePipeline`.
    ///
    /// # Errors
    /// `ValidationException`, `InvalidStructureException`,
    /// `InvalidStageDeclarationException`, `InvalidActionDeclarationException`,
    /// `InvalidTagsException`, `TooManyTagsException`, `PipelineNameInUseException`,
    /// `LimitExceededException`.
    pub async fn create_pipeline(
        &self,
        input: impl Into<CreatePipelineInput>,
    ) -> Result<CreatePipelineOutput> {
        self.call::<CreatePipeline>(input.into()).await
    }
}
