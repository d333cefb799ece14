//! `PutActionRevision`: a caller tells CodePipeline of a new revision of a source
//! action's source; a revision it has not been given before starts an execution that
//! fetches it. The rule is the engine's (`engine::external`).

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::engine::external::PutRevision;
use crate::error::{ErrorKind, Result};
use crate::model::Timestamp;
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// A revision of a source action, as `PutActionRevision` reports it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionRevisionInput {
    /// The revision (a commit, a version id): 1..1500 characters.
    #[serde(default)]
    pub revision_id: String,
    /// What changed to it (a deployment id, a timestamp): 1..100 characters.
    #[serde(default)]
    pub revision_change_id: String,
    /// When the revision was created.
    #[serde(default)]
    pub created: Timestamp,
}

/// `PutActionRevision` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutActionRevisionInput {
    /// The pipeline.
    #[serde(default)]
    pub pipeline_name: String,
    /// The stage of the source action: the first.
    #[serde(default)]
    pub stage_name: String,
    /// The source action.
    #[serde(default)]
    pub action_name: String,
    /// The new revision.
    #[serde(default)]
    pub action_revision: ActionRevisionInput,
}

impl PutActionRevisionInput {
    /// Reports revision `revision_id` (changed by `change_id`, created at `created`) of
    /// action `action` of stage `stage` of pipeline `pipeline`.
    pub fn new(
        pipeline: impl Into<String>,
        stage: impl Into<String>,
        action: impl Into<String>,
        (revision_id, change_id, created): (&str, &str, Timestamp),
    ) -> Self {
        Self {
            pipeline_name: pipeline.into(),
            stage_name: stage.into(),
            action_name: action.into(),
            action_revision: ActionRevisionInput {
                revision_id: revision_id.to_owned(),
                revision_change_id: change_id.to_owned(),
                created,
            },
        }
    }
}

/// `PutActionRevision` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutActionRevisionOutput {
    /// Whether the revision was new: it started an execution.
    pub new_revision: bool,
    /// The execution it started; for a revision given before, the execution that
    /// revision started.
    pub pipeline_execution_id: String,
}

/// `PutActionRevision`.
pub(crate) struct PutActionRevision;

impl Op for PutActionRevision {
    const OPERATION: Operation = Operation::PutActionRevision;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::PipelineNotFound,
        ErrorKind::StageNotFound,
        ErrorKind::ActionNotFound,
        ErrorKind::Validation,
        ErrorKind::ConcurrentPipelineExecutionsLimitExceeded,
    ];
    const CHANGES_STATE: bool = true;
    type Input = PutActionRevisionInput;
    type Output = PutActionRevisionOutput;

    fn target(input: &Self::Input) -> Option<&str> {
        Some(&input.pipeline_name)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.name("pipelineName", &input.pipeline_name, 100);
        v.name("stageName", &input.stage_name, 100);
        v.name("actionName", &input.action_name, 100);
        let revision = &input.action_revision;
        v.length("actionRevision.revisionId", &revision.revision_id, 1, 1500);
        v.length(
            "actionRevision.revisionChangeId",
            &revision.revision_change_id,
            1,
            100,
        );
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let slot = cx.pipeline(&input.pipeline_name)?;
        let revision = PutRevision {
            action: input.action_name.clone(),
            revision_id: input.action_revision.revision_id.clone(),
            change_id: input.action_revision.revision_change_id.clone(),
            created: input.action_revision.created,
        };
        let what = (input.stage_name.as_str(), input.action_name.as_str());
        let (new_revision, id) = cx.change(&slot, |engine, now, fx| {
            engine.put_action_revision(what, revision, now, fx)
        })?;
        Ok(PutActionRevisionOutput {
            new_revision,
            pipeline_execution_id: id.to_string(),
        })
    }
}

impl Simulator {
    /// `PutActionRevision`: a revision not given before for the source action starts
    /// an execution (trigger `PutActionRevision`) in which the action fetches it;
    /// the same revision again starts nothing.
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`, `StageNotFoundException`,
    /// `ActionNotFoundException` (also for an action that is not a source action),
    /// `ConcurrentPipelineExecutionsLimitExceededException`.
    pub async fn put_action_revision(
        &self,
        input: PutActionRevisionInput,
    ) -> Result<PutActionRevisionOutput> {
        self.call::<PutActionRevision>(input).await
    }
}
