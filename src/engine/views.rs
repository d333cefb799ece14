//! Views: what the read-only calls answer. Finding an execution by id (decoded, not
//! looked up), `GetPipelineExecution`, one page of `ListPipelineExecutions`,
//! `GetPipelineState`, and the counters the simulator's statistics read. Nothing here
//! changes the engine.

use crate::error::{Error, Result};
use crate::model::{
    ActionExecution, ActionState, ExecutionId, ExecutionTrigger, ExecutionType,
    GetPipelineStateOutput, ListPipelineExecutionsOutput, PipelineExecution,
    PipelineExecutionSummary, StageExecution, StageExecutionStatus, StageState, TransitionState,
};

use super::PipelineEngine;
use super::execution::{Execution, Run};
use super::paging::{self, PageKind};

impl PipelineEngine {
    pub(super) fn run(&self, seq: u64) -> Option<&Run> {
        self.executions.get(&seq)?.run.as_deref()
    }

    pub(super) fn seq_of(&self, id: &str) -> Result<u64> {
        id.parse::<ExecutionId>()
            .ok()
            .and_then(|id| self.ids.decode(id))
            .filter(|seq| self.executions.contains_key(seq))
            .ok_or_else(|| {
                Error::PipelineExecutionNotFound(format!(
                    "Pipeline Execution with id '{id}' does not exist in pipeline with name '{}'",
                    self.ident.name
                ))
            })
    }

    fn trigger(&self, exec: &Execution) -> ExecutionTrigger {
        ExecutionTrigger {
            trigger_type: exec.trigger.as_str().into(),
            trigger_detail: self.ident.caller_arn(),
        }
    }

    /// `GetPipelineExecution` of one execution.
    pub(crate) fn execution(&self, id: &str) -> Result<PipelineExecution> {
        let exec = &self.executions[&self.seq_of(id)?];
        let details = exec.details.as_deref();
        Ok(PipelineExecution {
            pipeline_name: self.ident.name.to_string(),
            pipeline_version: i64::from(exec.version),
            pipeline_execution_id: exec.id.to_string(),
            status: exec.status,
            status_summary: details.and_then(|d| d.status_summary.clone()),
            artifact_revisions: details
                .map(|d| d.artifact_revisions.clone())
                .unwrap_or_default(),
            variables: details.map(|d| d.variables.clone()).unwrap_or_default(),
            trigger: self.trigger(exec),
            execution_mode: exec.mode.as_model(),
            execution_type: ExecutionType::Standard,
        })
    }

    /// One `ListPipelineExecutions` page, newest first. A page costs the same however
    /// long the history is: it is a range walk from the token's position.
    pub(crate) fn list_executions(
        &self,
        max: usize,
        next_token: Option<&str>,
    ) -> Result<ListPipelineExecutionsOutput> {
        let upper = match next_token {
            None => u64::MAX,
            Some(token) => paging::decode(PageKind::Executions, token)?
                .parse::<u64>()
                .map_err(|_| Error::InvalidNextToken(format!("Invalid nextToken: {token}")))?,
        };
        let mut newest_first = self.executions.newest_first(upper);
        let page = newest_first
            .by_ref()
            .take(max)
            .map(|(_, exec)| self.execution_summary(exec))
            .collect();
        let next_token = newest_first
            .next()
            .map(|(seq, _)| paging::encode(PageKind::Executions, &seq.to_string()));
        Ok(ListPipelineExecutionsOutput {
            pipeline_execution_summaries: page,
            next_token,
        })
    }

    fn execution_summary(&self, exec: &Execution) -> PipelineExecutionSummary {
        let details = exec.details.as_deref();
        PipelineExecutionSummary {
            pipeline_execution_id: exec.id.to_string(),
            status: exec.status,
            status_summary: details.and_then(|d| d.status_summary.clone()),
            start_time: exec.started,
            last_update_time: exec.updated,
            source_revisions: details
                .map(|d| d.source_revisions.clone())
                .unwrap_or_default(),
            trigger: self.trigger(exec),
            stop_trigger: details.and_then(|d| d.stop_trigger.clone()),
            execution_mode: exec.mode.as_model(),
            execution_type: ExecutionType::Standard,
        }
    }

    /// `GetPipelineState`: every stage's latest run, waiting executions and actions.
    pub(crate) fn state(&self) -> GetPipelineStateOutput {
        let stage_execution = |seq: &u64, status| {
            self.executions.get(seq).map(|exec| StageExecution {
                pipeline_execution_id: exec.id.to_string(),
                status,
                execution_type: ExecutionType::Standard,
            })
        };
        let stage_states = self
            .plan
            .stages
            .iter()
            .zip(&self.stages)
            .map(|(plan, runtime)| {
                let inbound: Vec<StageExecution> = runtime
                    .waiting
                    .iter()
                    .filter_map(|seq| stage_execution(seq, StageExecutionStatus::InProgress))
                    .collect();
                StageState {
                    stage_name: plan.name.to_string(),
                    inbound_execution: inbound.first().cloned(),
                    inbound_executions: inbound,
                    inbound_transition_state: TransitionState::default(),
                    action_states: plan
                        .actions
                        .iter()
                        .zip(&runtime.actions)
                        .map(|(action, latest)| ActionState {
                            action_name: action.name.to_string(),
                            latest_execution: latest.as_ref().map(|l| ActionExecution {
                                action_execution_id: l.id.to_string(),
                                status: l.status,
                                summary: l.summary.clone(),
                                last_status_change: l.changed,
                                token: l.token.map(|t| t.to_string()),
                                error_details: l.error.clone(),
                            }),
                        })
                        .collect(),
                    latest_execution: runtime.latest.map(|(id, status)| StageExecution {
                        pipeline_execution_id: id.to_string(),
                        status,
                        execution_type: ExecutionType::Standard,
                    }),
                }
            })
            .collect();
        GetPipelineStateOutput {
            pipeline_name: self.ident.name.to_string(),
            pipeline_version: i64::from(self.plan.version),
            stage_states,
            created: self.created,
            updated: self.updated,
        }
    }

    /// How many executions are active (InProgress or Stopping).
    pub(crate) fn active_count(&self) -> usize {
        self.active.len()
    }

    /// How many executions the history holds.
    pub(crate) fn history_len(&self) -> usize {
        self.executions.len()
    }

    /// How many idempotency tokens are remembered.
    pub(crate) fn token_count(&self) -> usize {
        self.tokens.len()
    }
}
