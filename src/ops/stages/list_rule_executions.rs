//! `ListRuleExecutions`: every run of a stage condition's rules, newest first, in pages.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{Error, ErrorKind, Result};
use crate::model::{ActionExecutionStatus, ArtifactDetail, ErrorDetails, RuleTypeId, Timestamp};
use crate::ops::executions::ListActionExecutions;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `ListRuleExecutions` input: the service model gives it the members of
/// `ListActionExecutions`' (`pipelineName`, `filter`, `maxResults`, `nextToken`), and the
/// two are checked alike.
pub type ListRuleExecutionsInput = crate::ops::executions::ListActionExecutionsInput;

/// Which runs `ListRuleExecutions` lists: the service model's `RuleExecutionFilter` has
/// the members of `ActionExecutionFilter`.
pub type RuleExecutionFilter = crate::ops::executions::ActionExecutionFilter;

/// `ListRuleExecutions` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListRuleExecutionsOutput {
    /// This page, newest first.
    pub rule_execution_details: Vec<RuleExecutionDetail>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// One run of one rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleExecutionDetail {
    /// The execution it belongs to.
    pub pipeline_execution_id: String,
    /// The run's id.
    pub rule_execution_id: String,
    /// The pipeline version it ran.
    pub pipeline_version: i64,
    /// The stage whose condition it belongs to.
    pub stage_name: String,
    /// Its rule.
    pub rule_name: String,
    /// When it started.
    pub start_time: Timestamp,
    /// When its status last changed.
    pub last_update_time: Timestamp,
    /// Who changed it (pipesim never sets it: no operation answers a rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    /// Its status (`RuleExecutionStatus` has the values of `ActionExecutionStatus`).
    pub status: ActionExecutionStatus,
    /// What it ran with.
    pub input: RuleExecutionInput,
    /// What it produced.
    pub output: RuleExecutionOutput,
}

/// What a rule run ran with.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleExecutionInput {
    /// The rule type.
    pub rule_type_id: RuleTypeId,
    /// The configuration as declared.
    #[serde(default)]
    pub configuration: BTreeMap<String, String>,
    /// The configuration with its variable references resolved for the execution.
    #[serde(default)]
    pub resolved_configuration: BTreeMap<String, String>,
    /// The rule's role, or the pipeline's when it declares none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// Where it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The artifacts it consumed.
    #[serde(default)]
    pub input_artifacts: Vec<ArtifactDetail>,
}

/// What a rule run produced.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleExecutionOutput {
    /// The rule's result, once the run has ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_result: Option<RuleExecutionResult>,
}

/// The result of a rule run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleExecutionResult {
    /// The provider's id of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_execution_id: Option<String>,
    /// What the rule found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_execution_summary: Option<String>,
    /// The provider's page of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_execution_url: Option<String>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_details: Option<ErrorDetails>,
}

/// `ListRuleExecutions`.
pub(crate) struct ListRuleExecutions;

impl Op for ListRuleExecutions {
    const OPERATION: Operation = Operation::ListRuleExecutions;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::PipelineNotFound,
        ErrorKind::InvalidNextToken,
        ErrorKind::PipelineExecutionNotFound,
    ];
    const CHANGES_STATE: bool = false;
    type Input = ListRuleExecutionsInput;
    type Output = ListRuleExecutionsOutput;

    fn target(input: &Self::Input) -> Option<&str> {
        Some(&input.pipeline_name)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        ListActionExecutions::validate(input)
    }

    /// Worded as `ListActionExecutions` answers it on the real service.
    fn pipeline_not_found(account: &str, name: &str) -> Error {
        ListActionExecutions::pipeline_not_found(account, name)
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let slot = cx.pipeline(&input.pipeline_name)?;
        let max = input.max_results.map_or(100, |m| m as usize);
        cx.read(&slot, |engine| {
            engine.list_rule_executions(input.filter.as_ref(), max, input.next_token.as_deref())
        })
    }
}

impl Simulator {
    /// `ListRuleExecutions`: every run of the rules of the pipeline's stage conditions,
    /// newest first, 100 per page unless `maxResults` says otherwise; each pipeline keeps
    /// as many rule runs as it keeps executions (`history_limit`).
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`, `InvalidNextTokenException`,
    /// `PipelineExecutionNotFoundException`.
    pub async fn list_rule_executions(
        &self,
        input: impl Into<ListRuleExecutionsInput>,
    ) -> Result<ListRuleExecutionsOutput> {
        self.call::<ListRuleExecutions>(input.into()).await
    }
}
