//! What `ListActionExecutions` answers: the action log's runs, newest first, each with
//! the declaration it ran under and what its provider shows, derived when listed.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::model::action_types;
use crate::model::{
    ActionCategory, ActionExecutionDetail, ActionExecutionFilter, ActionExecutionInput,
    ActionExecutionOutput, ActionExecutionResult, ActionExecutionStatus, ArtifactDetail,
    LatestInPipelineExecutionFilter, ListActionExecutionsOutput, StartTimeRange,
};

use super::PipelineEngine;
use super::action_log::{ActionLog, ActionRun};
use super::paging::{self, PageKind};
use super::provider;

impl PipelineEngine {
    /// One `ListActionExecutions` page, newest first.
    ///
    /// # Errors
    /// `InvalidNextTokenException`, `PipelineExecutionNotFoundException` for a filter
    /// naming an execution the pipeline does not have.
    pub(crate) fn list_action_executions(
        &self,
        filter: Option<&ActionExecutionFilter>,
        max: usize,
        next_token: Option<&str>,
    ) -> Result<ListActionExecutionsOutput> {
        let latest = filter.and_then(|f| f.latest_in_pipeline_execution.as_ref());
        let only = filter.and_then(|f| f.pipeline_execution_id.as_deref());
        let (runs, next_token) = self.log_page(
            &self.action_log,
            PageKind::ActionExecutions,
            (only, latest),
            max,
            next_token,
        )?;
        Ok(ListActionExecutionsOutput {
            action_execution_details: runs
                .into_iter()
                .map(|run| self.action_detail(run))
                .collect(),
            next_token,
        })
    }

    /// One page of `log` (the action log or the rule log), newest first, with the token
    /// of the next page: the runs of one execution when the filter names one, and with
    /// `startTimeRange` `Latest` only each action's (or rule's) latest run of it.
    ///
    /// # Errors
    /// `InvalidNextTokenException`, `PipelineExecutionNotFoundException` for a filter
    /// naming an execution the pipeline does not have.
    pub(super) fn log_page<'a>(
        &self,
        log: &'a ActionLog,
        kind: PageKind,
        (only, latest): (Option<&str>, Option<&LatestInPipelineExecutionFilter>),
        max: usize,
        next_token: Option<&str>,
    ) -> Result<(Vec<&'a ActionRun>, Option<String>)> {
        let upper = match next_token {
            None => u64::MAX,
            Some(token) => paging::decode(kind, token)?
                .parse::<u64>()
                .map_err(|_| Error::InvalidNextToken(format!("Invalid nextToken: {token}")))?,
        };
        let only = only.or(latest.map(|l| l.pipeline_execution_id.as_str()));
        let execution = match only {
            Some(id) => Some(self.executions[&self.seq_of(id)?].id),
            None => None,
        };
        let latest_only = latest.is_some_and(|l| l.start_time_range == StartTimeRange::Latest);
        let mut seen: Vec<(u8, u8)> = Vec::new();
        let mut runs = log.newest_first().filter(|run| {
            if execution.is_some_and(|id| run.execution != id) {
                return false;
            }
            // Each action's latest run: the first of it met, newest first, on every page.
            if latest_only {
                if seen.contains(&(run.stage, run.action)) {
                    return false;
                }
                seen.push((run.stage, run.action));
            }
            run.number <= upper
        });
        let page = runs.by_ref().take(max).collect();
        let next_token = runs
            .next()
            .map(|run| paging::encode(kind, &run.number.to_string()));
        Ok((page, next_token))
    }

    /// One run, with what it ran with and produced.
    fn action_detail(&self, run: &ActionRun) -> ActionExecutionDetail {
        let declaration = self.declaration_at(run.version);
        let stage = &declaration.stages[usize::from(run.stage)];
        let action = &stage.actions[usize::from(run.action)];
        let exec = self.execution_by_id(run.execution);
        let region = &*self.ident.region;
        let masked = action_types::mask_action(action);
        let resolved = match exec {
            Some(exec) => {
                action_types::mask_configuration(action, self.resolve(declaration, exec, action))
            }
            None => masked.clone(),
        };
        let other = |key: &str| {
            action
                .other
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let ended = run.status != ActionExecutionStatus::InProgress;
        let source = run.stage == 0 && action.action_type_id.category == ActionCategory::Source;
        let mut output_variables = BTreeMap::new();
        let execution_result = ended.then(|| {
            let mut result = ActionExecutionResult {
                external_execution_summary: run.summary.as_deref().map(str::to_owned),
                error_details: run.error.as_deref().cloned(),
                ..ActionExecutionResult::default()
            };
            if source {
                // A source action never runs in a rollback, which cannot roll back the
                // source stage: it fetched for its own execution.
                let fetched_by = run.execution;
                let given = exec.and_then(|e| self.named_revision(e, &action.name));
                let index = usize::from(run.action);
                let revision = provider::source_revision(action, region, fetched_by, index, given);
                result.external_execution_id = Some(revision.id);
                result.external_execution_url = revision.url;
                result.external_execution_summary =
                    result.external_execution_summary.or(revision.summary);
                if run.status == ActionExecutionStatus::Succeeded {
                    let started = exec.map_or(run.started, |e| e.started);
                    let scope = (&*self.ident.account, region);
                    output_variables = provider::output_variables(
                        action, scope, fetched_by, index, given, started,
                    )
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect();
                }
            } else if let Some((id, url)) = provider::external_execution(action, region, run.id) {
                result.external_execution_id = Some(id);
                result.external_execution_url = url;
            }
            // What a job worker reported wins over what pipesim would make up.
            if let Some(reported) = self.action_log.reported(run.number) {
                if let Some(id) = &reported.external_execution_id {
                    result.external_execution_id = Some(id.clone());
                    result.external_execution_url = None;
                }
                if run.status == ActionExecutionStatus::Succeeded
                    && !reported.output_variables.is_empty()
                {
                    output_variables = reported.output_variables.clone();
                }
            }
            result
        });
        ActionExecutionDetail {
            pipeline_execution_id: run.execution.to_string(),
            action_execution_id: run.id.to_string(),
            pipeline_version: i64::from(run.version),
            stage_name: stage.name.clone(),
            action_name: action.name.clone(),
            start_time: run.started,
            last_update_time: run.updated,
            updated_by: run.answered.then(|| self.ident.caller_arn()),
            status: run.status,
            input: ActionExecutionInput {
                action_type_id: action.action_type_id.clone(),
                configuration: masked,
                resolved_configuration: resolved,
                role_arn: other("roleArn"),
                region: Some(other("region").unwrap_or_else(|| region.to_owned())),
                input_artifacts: artifacts(&action.input_artifacts),
                namespace: other("namespace"),
            },
            output: ActionExecutionOutput {
                output_artifacts: artifacts(&action.output_artifacts),
                execution_result,
                output_variables,
            },
        }
    }
}

pub(super) fn artifacts(refs: &[crate::model::ArtifactRef]) -> Vec<ArtifactDetail> {
    refs.iter()
        .map(|a| ArtifactDetail {
            name: a.name.clone(),
        })
        .collect()
}
