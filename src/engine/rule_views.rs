//! What `ListRuleExecutions` answers: the rule log's runs, newest first, each with the
//! rule declaration it ran under, derived when listed. The rule log is an
//! [`ActionLog`](super::action_log::ActionLog) whose runs hold a rule code in place of an
//! action index, so its pages are cut exactly as `ListActionExecutions` cuts its own.

use crate::error::Result;
use crate::model::{
    ActionExecutionStatus, ArtifactDetail, ListRuleExecutionsOutput, RuleExecutionDetail,
    RuleExecutionFilter, RuleExecutionInput, RuleExecutionOutput, RuleExecutionResult, RuleOwner,
    RuleTypeId,
};

use super::PipelineEngine;
use super::action_log::ActionRun;
use super::conditions::rule_of_code;
use super::paging::PageKind;

impl PipelineEngine {
    /// One `ListRuleExecutions` page, newest first.
    ///
    /// # Errors
    /// `InvalidNextTokenException`, `PipelineExecutionNotFoundException` for a filter
    /// naming an execution the pipeline does not have.
    pub(crate) fn list_rule_executions(
        &self,
        filter: Option<&RuleExecutionFilter>,
        max: usize,
        next_token: Option<&str>,
    ) -> Result<ListRuleExecutionsOutput> {
        let latest = filter.and_then(|f| f.latest_in_pipeline_execution.as_ref());
        let only = filter.and_then(|f| f.pipeline_execution_id.as_deref());
        let (runs, next_token) = self.log_page(
            &self.rule_log,
            PageKind::RuleExecutions,
            (only, latest),
            max,
            next_token,
        )?;
        Ok(ListRuleExecutionsOutput {
            rule_execution_details: runs
                .into_iter()
                .filter_map(|run| self.rule_detail(run))
                .collect(),
            next_token,
        })
    }

    /// One rule run, with what it ran with and found; `None` only if its version no
    /// longer declares the rule, which a retained version always does.
    fn rule_detail(&self, run: &ActionRun) -> Option<RuleExecutionDetail> {
        let declaration = self.declaration_at(run.version);
        let stage = declaration.stages.get(usize::from(run.stage))?;
        let (kind, index) = rule_of_code(u16::from(run.action));
        let rule = kind.of(stage)?.rule_list().get(usize::from(index))?;
        let configuration = rule.configuration.clone().unwrap_or_default();
        let resolved_configuration = match self.execution_by_id(run.execution) {
            Some(exec) => self.resolve_map(declaration, exec, rule.configuration.as_ref()),
            None => configuration.clone(),
        };
        let other = |key: &str| {
            rule.other
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let input_artifacts = rule
            .other
            .get("inputArtifacts")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|artifact| artifact.get("name")?.as_str())
            .map(|name| ArtifactDetail {
                name: name.to_owned(),
            })
            .collect();
        let id = &rule.rule_type_id;
        let execution_result =
            (run.status != ActionExecutionStatus::InProgress).then(|| RuleExecutionResult {
                external_execution_summary: run.summary.as_deref().map(str::to_owned),
                error_details: run.error.as_deref().cloned(),
                ..RuleExecutionResult::default()
            });
        Some(RuleExecutionDetail {
            pipeline_execution_id: run.execution.to_string(),
            rule_execution_id: run.id.to_string(),
            pipeline_version: i64::from(run.version),
            stage_name: stage.name.clone(),
            rule_name: rule.name.clone(),
            start_time: run.started,
            last_update_time: run.updated,
            updated_by: None,
            status: run.status,
            input: RuleExecutionInput {
                // The defaults a declaration may leave out, spelled out as run.
                rule_type_id: RuleTypeId {
                    category: id.category.clone(),
                    owner: Some(id.owner.clone().unwrap_or(RuleOwner::Aws)),
                    provider: id.provider.clone(),
                    version: Some(id.version.clone().unwrap_or_else(|| "1".to_owned())),
                },
                configuration,
                resolved_configuration,
                role_arn: Some(other("roleArn").unwrap_or_else(|| declaration.role_arn.clone())),
                region: Some(other("region").unwrap_or_else(|| self.ident.region.to_string())),
                input_artifacts,
            },
            output: RuleExecutionOutput { execution_result },
        })
    }
}
