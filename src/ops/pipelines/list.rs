//! `ListPipelines`: the pipelines of an account and region, by name, in pages.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::engine::paging::{self, PageKind};
use crate::error::{ErrorKind, Result};
use crate::model::validate::Violations;
use crate::model::{ExecutionMode, PipelineType, Timestamp};
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `ListPipelines` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPipelinesInput {
    /// From a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// 1..1000; 100 when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
}

/// `ListPipelines` output, sorted by name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPipelinesOutput {
    /// This page.
    pub pipelines: Vec<PipelineSummary>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// One pipeline in a `ListPipelines` page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineSummary {
    /// The name.
    pub name: String,
    /// The current version.
    pub version: i64,
    /// V1 or V2.
    pub pipeline_type: PipelineType,
    /// The execution mode.
    pub execution_mode: ExecutionMode,
    /// When created.
    pub created: Timestamp,
    /// When last updated.
    pub updated: Timestamp,
}

/// `ListPipelines`.
pub(crate) struct ListPipelines;

impl Op for ListPipelines {
    const OPERATION: Operation = Operation::ListPipelines;
    const ERRORS: &'static [ErrorKind] = &[ErrorKind::Validation, ErrorKind::InvalidNextToken];
    const CHANGES_STATE: bool = false;
    type Input = ListPipelinesInput;
    type Output = ListPipelinesOutput;

    fn target(_: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        if let Some(max) = input.max_results {
            v.range("maxResults", max, 1, 1000);
        }
        if let Some(token) = &input.next_token {
            v.length("nextToken", token, 1, 2048);
        }
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let from = input
            .next_token
            .as_deref()
            .map(|t| paging::decode(PageKind::Pipelines, t))
            .transpose()?;
        let max = input.max_results.map_or(100, |m| m as usize);
        let mut pipelines: Vec<PipelineSummary> = cx
            .pipelines()
            .iter()
            .map(|slot| cx.read(slot, |engine| engine.summary()))
            .collect();
        pipelines.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        let start = from.map_or(0, |from| pipelines.partition_point(|p| p.name < from));
        let mut page: Vec<PipelineSummary> = pipelines.drain(start..).collect();
        let next_token =
            (page.len() > max).then(|| paging::encode(PageKind::Pipelines, &page[max].name));
        page.truncate(max);
        Ok(ListPipelinesOutput {
            pipelines: page,
            next_token,
        })
    }
}

impl Simulator {
    /// `ListPipelines`, sorted by name, 100 per page unless `maxResults` says otherwise.
    ///
    /// # Errors
    /// `ValidationException`, `InvalidNextTokenException`.
    pub async fn list_pipelines(&self, input: ListPipelinesInput) -> Result<ListPipelinesOutput> {
        self.call::<ListPipelines>(input).await
    }
}
