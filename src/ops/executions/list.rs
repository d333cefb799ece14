//! `ListPipelineExecutions`: a pipeline's retained executions, newest first, in pages.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::PipelineExecutionSummary;
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `ListPipelineExecutions` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPipelineExecutionsInput {
    /// The pipeline.
    #[serde(default)]
    pub pipeline_name: String,
    /// 1..100; 100 when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
    /// From a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Only the executions that succeeded in a stage of the current version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<PipelineExecutionFilter>,
}

/// Which executions `ListPipelineExecutions` lists.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineExecutionFilter {
    /// Executions that ran this stage of the current version to success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub succeeded_in_stage: Option<SucceededInStageFilter>,
}

/// A stage the listed executions succeeded in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SucceededInStageFilter {
    /// The stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_name: Option<String>,
}

impl ListPipelineExecutionsInput {
    /// The first page of `pipeline_name`'s executions.
    pub fn new(pipeline_name: impl Into<String>) -> Self {
        Self {
            pipeline_name: pipeline_name.into(),
            ..Self::default()
        }
    }
}

/// `ListPipelineExecutions` output, newest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPipelineExecutionsOutput {
    /// This page.
    pub pipeline_execution_summaries: Vec<PipelineExecutionSummary>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `ListPipelineExecutions`.
pub(crate) struct ListPipelineExecutions;

impl Op for ListPipelineExecutions {
    const OPERATION: Operation = Operation::ListPipelineExecutions;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::PipelineNotFound,
        ErrorKind::InvalidNextToken,
    ];
    const CHANGES_STATE: bool = false;
    type Input = ListPipelineExecutionsInput;
    type Output = ListPipelineExecutionsOutput;

    fn target(input: &Self::Input) -> Option<&str> {
        Some(&input.pipeline_name)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.name("pipelineName", &input.pipeline_name, 100);
        if let Some(max) = input.max_results {
            v.range("maxResults", max, 1, 100);
        }
        if let Some(token) = &input.next_token {
            v.length("nextToken", token, 1, 2048);
        }
        if let Some(stage) = succeeded_in(input) {
            v.name("filter.succeededInStage.stageName", stage, 100);
        }
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let slot = cx.pipeline(&input.pipeline_name)?;
        let max = input.max_results.map_or(100, |m| m as usize);
        cx.read(&slot, |engine| {
            engine.list_executions(max, input.next_token.as_deref(), succeeded_in(input))
        })
    }
}

/// The stage of `filter.succeededInStage`, when the list is filtered.
fn succeeded_in(input: &ListPipelineExecutionsInput) -> Option<&str> {
    input
        .filter
        .as_ref()?
        .succeeded_in_stage
        .as_ref()?
        .stage_name
        .as_deref()
}

impl From<&str> for ListPipelineExecutionsInput {
    fn from(pipeline_name: &str) -> Self {
        Self::new(pipeline_name)
    }
}

impl Simulator {
    /// `ListPipelineExecutions`, newest first, 100 per page unless `maxResults` says
    /// otherwise.
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`, `InvalidNextTokenException`.
    pub async fn list_pipeline_executions(
        &self,
        input: impl Into<ListPipelineExecutionsInput>,
    ) -> Result<ListPipelineExecutionsOutput> {
        self.call::<ListPipelineExecutions>(input.into()).await
    }
}
