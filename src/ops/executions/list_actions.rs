//! `ListActionExecutions`: every action run of a pipeline, newest first, in pages.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{Error, ErrorKind, Result};
use crate::model::action_types::ActionTypeRegistry;
use crate::model::validate::Violations;
use crate::model::{ActionExecutionStatus, ActionTypeId, ErrorDetails, StartTimeRange, Timestamp};
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `ListActionExecutions` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListActionExecutionsInput {
    /// The pipeline.
    #[serde(default)]
    pub pipeline_name: String,
    /// Only the runs of one execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<ActionExecutionFilter>,
    /// 1..100; 100 when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
    /// From a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

impl ListActionExecutionsInput {
    /// The first page of `pipeline`'s action (or rule) runs.
    pub fn new(pipeline: impl Into<String>) -> Self {
        Self {
            pipeline_name: pipeline.into(),
            ..Self::default()
        }
    }

    /// The same list, of the runs of execution `id` only.
    pub fn of_execution(mut self, id: impl Into<String>) -> Self {
        self.filter = Some(ActionExecutionFilter {
            pipeline_execution_id: Some(id.into()),
            latest_in_pipeline_execution: None,
        });
        self
    }
}

/// Which runs `ListActionExecutions` (and `ListRuleExecutions`) lists.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionExecutionFilter {
    /// Every run of this execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_execution_id: Option<String>,
    /// The runs of this execution, all or each action's (or rule's) latest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_in_pipeline_execution: Option<LatestInPipelineExecutionFilter>,
}

/// The runs of one execution: every one, or each action's latest.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatestInPipelineExecutionFilter {
    /// The execution.
    #[serde(default)]
    pub pipeline_execution_id: String,
    /// `Latest` or `All`.
    #[serde(default)]
    pub start_time_range: StartTimeRange,
}

/// `ListActionExecutions` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListActionExecutionsOutput {
    /// This page, newest first.
    pub action_execution_details: Vec<ActionExecutionDetail>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// One run of one action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionExecutionDetail {
    /// The execution it belongs to.
    pub pipeline_execution_id: String,
    /// The run's id (a manual approval's token).
    pub action_execution_id: String,
    /// The pipeline version it ran.
    pub pipeline_version: i64,
    /// Its stage.
    pub stage_name: String,
    /// Its action.
    pub action_name: String,
    /// When it started.
    pub start_time: Timestamp,
    /// When its status last changed.
    pub last_update_time: Timestamp,
    /// Who answered it, for a manual approval answered by `PutApprovalResult`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    /// Its status.
    pub status: ActionExecutionStatus,
    /// What it ran with.
    pub input: ActionExecutionInput,
    /// What it produced.
    pub output: ActionExecutionOutput,
}

/// What an action run ran with.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionExecutionInput {
    /// The action type.
    pub action_type_id: ActionTypeId,
    /// The configuration as declared (secret properties masked).
    #[serde(default)]
    pub configuration: BTreeMap<String, String>,
    /// The configuration with its variable references resolved for the execution.
    #[serde(default)]
    pub resolved_configuration: BTreeMap<String, String>,
    /// The action's role, when it declares one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// Where it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The artifacts it consumed.
    #[serde(default)]
    pub input_artifacts: Vec<ArtifactDetail>,
    /// The namespace of its output variables, when it declares one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// What an action run produced.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionExecutionOutput {
    /// The artifacts it produced.
    #[serde(default)]
    pub output_artifacts: Vec<ArtifactDetail>,
    /// The provider's result, once the run has ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_result: Option<ActionExecutionResult>,
    /// Its output variables (a source action's, once it succeeded).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub output_variables: BTreeMap<String, String>,
}

/// The provider's result of an action run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionExecutionResult {
    /// The provider's id of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_execution_id: Option<String>,
    /// What the provider said of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_execution_summary: Option<String>,
    /// The provider's page of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_execution_url: Option<String>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_details: Option<ErrorDetails>,
}

/// An artifact an action run consumed or produced.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactDetail {
    /// The artifact.
    pub name: String,
}

/// `ListActionExecutions`.
pub(crate) struct ListActionExecutions;

impl Op for ListActionExecutions {
    const OPERATION: Operation = Operation::ListActionExecutions;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::PipelineNotFound,
        ErrorKind::InvalidNextToken,
        ErrorKind::PipelineExecutionNotFound,
    ];
    const CHANGES_STATE: bool = false;
    type Input = ListActionExecutionsInput;
    type Output = ListActionExecutionsOutput;

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
        if let Some(filter) = &input.filter {
            filter_constraints(
                &mut v,
                filter.pipeline_execution_id.as_deref(),
                filter.latest_in_pipeline_execution.as_ref(),
            );
        }
        v.finish()
    }

    /// As recorded on the real service.
    fn pipeline_not_found(account: &str, name: &str) -> Error {
        Error::PipelineNotFound(format!(
            "The account with AWS account ID '{account}' does not include a pipeline named '{name}'"
        ))
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let slot = cx.pipeline(&input.pipeline_name)?;
        let max = input.max_results.map_or(100, |m| m as usize);
        let mut output = cx.read(&slot, |engine| {
            engine.list_action_executions(input.filter.as_ref(), max, input.next_token.as_deref())
        })?;
        // The engine masks AWS types' secrets; custom types' are the scope's to know.
        cx.read_part(|types: &ActionTypeRegistry| {
            for detail in &mut output.action_execution_details {
                let run = &mut detail.input;
                types.mask_configuration(&run.action_type_id, &mut run.configuration);
                types.mask_configuration(&run.action_type_id, &mut run.resolved_configuration);
            }
        });
        Ok(output)
    }
}

/// The model's constraints on the filter of `ListActionExecutions` and
/// `ListRuleExecutions` (their filters have the same members).
fn filter_constraints(
    v: &mut Violations,
    execution: Option<&str>,
    latest: Option<&LatestInPipelineExecutionFilter>,
) {
    if let Some(id) = execution {
        v.uuid("filter.pipelineExecutionId", id);
    }
    if let Some(latest) = latest {
        let path = "filter.latestInPipelineExecution";
        v.uuid(
            &format!("{path}.pipelineExecutionId"),
            &latest.pipeline_execution_id,
        );
        v.enumeration(&format!("{path}.startTimeRange"), &latest.start_time_range);
    }
}

impl From<&str> for ListActionExecutionsInput {
    fn from(pipeline: &str) -> Self {
        Self::new(pipeline)
    }
}

impl Simulator {
    /// `ListActionExecutions`: every action run of the pipeline, newest first, 100 per
    /// page unless `maxResults` says otherwise; each pipeline keeps as many runs as it
    /// keeps executions (`history_limit`).
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`, `InvalidNextTokenException`,
    /// `PipelineExecutionNotFoundException`.
    pub async fn list_action_executions(
        &self,
        input: impl Into<ListActionExecutionsInput>,
    ) -> Result<ListActionExecutionsOutput> {
        self.call::<ListActionExecutions>(input.into()).await
    }
}
