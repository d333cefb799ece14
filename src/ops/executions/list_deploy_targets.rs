//! `ListDeployActionExecutionTargets`: the instances one run of an EC2 deploy action
//! deployed to, each with its lifecycle events, in pages.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{Error, ErrorKind, Result};
use crate::model::Timestamp;
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `ListDeployActionExecutionTargets` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListDeployActionExecutionTargetsInput {
    /// The pipeline of the run; optional in the model: without it every pipeline of the
    /// account and region is searched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_name: Option<String>,
    /// The run, as `ListActionExecutions` lists it.
    #[serde(default)]
    pub action_execution_id: String,
    /// Only the targets whose status is one of a filter's values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<TargetFilter>>,
    /// 1..100; 100 when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
    /// From a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

impl ListDeployActionExecutionTargetsInput {
    /// The first page of the targets of run `action_execution_id` of `pipeline`.
    pub fn new(pipeline: impl Into<String>, action_execution_id: impl Into<String>) -> Self {
        Self {
            pipeline_name: Some(pipeline.into()),
            action_execution_id: action_execution_id.into(),
            ..Self::default()
        }
    }

    /// The same list, of the targets whose status is one of `statuses` only.
    pub fn with_status(mut self, statuses: &[&str]) -> Self {
        self.filters = Some(vec![TargetFilter {
            name: Some(TARGET_STATUS.to_owned()),
            values: Some(statuses.iter().map(|s| (*s).to_owned()).collect()),
        }]);
        self
    }
}

/// The one filter name the model knows.
const TARGET_STATUS: &str = "TARGET_STATUS";

/// Which targets `ListDeployActionExecutionTargets` lists.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetFilter {
    /// `TARGET_STATUS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The statuses kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
}

/// `ListDeployActionExecutionTargets` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListDeployActionExecutionTargetsOutput {
    /// This page.
    #[serde(default)]
    pub targets: Vec<DeployActionExecutionTarget>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// One instance a deploy action run deployed to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeployActionExecutionTarget {
    /// The instance id (`i-` and 17 hex digits; `mi-` for an SSM managed node).
    pub target_id: String,
    /// `AWS::EC2::Instance` (or `AWS::SSM::ManagedInstance`).
    pub target_type: String,
    /// `InProgress`, `Succeeded`, `Failed` or `Abandoned`.
    pub status: String,
    /// When deployment to it started.
    pub start_time: Timestamp,
    /// When it ended, once it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<Timestamp>,
    /// Its lifecycle events, in order.
    #[serde(default)]
    pub events: Vec<DeployTargetEvent>,
}

/// One lifecycle event of a deployment to one target.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeployTargetEvent {
    /// The event.
    pub name: String,
    /// `Pending`, `InProgress`, `Succeeded`, `Failed`, `Skipped` or `Abandoned`.
    pub status: String,
    /// When it started, once it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Timestamp>,
    /// When it ended, once it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<Timestamp>,
    /// The SSM command that ran it and what it said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<DeployTargetEventContext>,
}

/// The SSM command behind a lifecycle event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeployTargetEventContext {
    /// The SSM command id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssm_command_id: Option<String>,
    /// What the event said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `ListDeployActionExecutionTargets`.
pub(crate) struct ListDeployActionExecutionTargets;

impl Op for ListDeployActionExecutionTargets {
    const OPERATION: Operation = Operation::ListDeployActionExecutionTargets;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::PipelineNotFound,
        ErrorKind::InvalidNextToken,
        ErrorKind::ActionExecutionNotFound,
    ];
    const CHANGES_STATE: bool = false;
    type Input = ListDeployActionExecutionTargetsInput;
    type Output = ListDeployActionExecutionTargetsOutput;

    fn target(input: &Self::Input) -> Option<&str> {
        input.pipeline_name.as_deref()
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        if let Some(name) = &input.pipeline_name {
            v.name("pipelineName", name, 100);
        }
        if let Some(max) = input.max_results {
            v.range("maxResults", max, 1, 100);
        }
        if let Some(token) = &input.next_token {
            v.length("nextToken", token, 1, 2048);
        }
        for (i, filter) in input.filters.iter().flatten().enumerate() {
            let path = format!("filters.{}.member", i + 1);
            if filter.name.as_deref().is_some_and(|n| n != TARGET_STATUS) {
                v.push(
                    &format!("{path}.name"),
                    format_args!("Member must satisfy enum value set: [{TARGET_STATUS}]"),
                );
            }
            for (j, value) in filter.values.iter().flatten().enumerate() {
                v.length(
                    &format!("{path}.values.{}.member", j + 1),
                    value,
                    1,
                    usize::MAX,
                );
            }
        }
        v.finish()
    }

    /// Worded as `ListActionExecutions` was seen to word it.
    fn pipeline_not_found(account: &str, name: &str) -> Error {
        Error::PipelineNotFound(format!(
            "The account with AWS account ID '{account}' does not include a pipeline named '{name}'"
        ))
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let id = input.action_execution_id.as_str();
        let slots = match &input.pipeline_name {
            Some(name) => vec![cx.pipeline(name)?],
            None => cx.pipelines(),
        };
        let targets = slots
            .iter()
            .find_map(|slot| cx.read(slot, |engine| engine.deploy_targets(id)))
            .ok_or_else(|| not_found(id, input.pipeline_name.as_deref()))?;
        let kept = |target: &DeployActionExecutionTarget| {
            input
                .filters
                .iter()
                .flatten()
                .all(|filter| match &filter.values {
                    // A filter without values keeps everything: it names no status to match.
                    Some(values) if !values.is_empty() => values.contains(&target.status),
                    _ => true,
                })
        };
        let max = input.max_results.map_or(100, |m| m as usize);
        let (targets, next_token) = crate::engine::deploy_targets::page(
            targets.into_iter().filter(kept).collect(),
            max,
            input.next_token.as_deref(),
        )?;
        Ok(ListDeployActionExecutionTargetsOutput {
            targets,
            next_token,
        })
    }
}

/// pipesim's wording, modelled on `PipelineExecutionNotFoundException`'s.
fn not_found(id: &str, pipeline: Option<&str>) -> Error {
    Error::ActionExecutionNotFound(match pipeline {
        Some(name) => {
            format!("Action execution with id '{id}' does not exist in pipeline with name '{name}'")
        }
        None => format!("Action execution with id '{id}' does not exist"),
    })
}

impl Simulator {
    /// `ListDeployActionExecutionTargets`: the instances one run of an EC2 deploy action
    /// deployed to, with their lifecycle events, 100 per page unless `maxResults` says
    /// otherwise. A run of any other action has none.
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`, `InvalidNextTokenException`,
    /// `ActionExecutionNotFoundException`.
    pub async fn list_deploy_action_execution_targets(
        &self,
        input: ListDeployActionExecutionTargetsInput,
    ) -> Result<ListDeployActionExecutionTargetsOutput> {
        self.call::<ListDeployActionExecutionTargets>(input).await
    }
}
