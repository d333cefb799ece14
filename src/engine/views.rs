//! Views: what the read-only calls answer. Finding an execution by id (decoded, not
//! looked up), `GetPipelineExecution`, one page of `ListPipelineExecutions`,
//! `GetPipelineState`, and the counters the simulator's statistics read. Nothing here
//! changes the engine. Each answer first warms what it will read (`warm`), so that in a
//! large account its cache misses overlap instead of queueing.

use crate::error::{Error, Result};
use crate::model::{
    ActionCategory, ActionDeclaration, ActionExecution, ActionExecutionStatus, ActionRevision,
    ActionState, ArtifactRevision, ExecutionId, ExecutionTrigger, ExecutionType,
    GetPipelineStateOutput, ListPipelineExecutionsOutput, PipelineDeclaration, PipelineExecution,
    PipelineExecutionSummary, PipelineRollbackMetadata, SourceRevision, SourceRevisionOverride,
    SourceRevisionType, StageExecution, StageExecutionStatus, StageState,
};
use crate::model::{
    ConditionExecution, ConditionState, RuleExecution, RuleState, StageConditionState,
    StageConditionsExecution,
};

use super::execution::{Execution, Run};
use super::paging::{self, PageKind};
use super::plan::{CondKind, StagePlan};
use super::provider::{self, Revision};
use super::warm::Warm;
use super::{ActionLatest, PipelineEngine, StageRuntime};

impl PipelineEngine {
    pub(super) fn run(&self, seq: u64) -> Option<&Run> {
        self.executions.get(&seq)?.run.as_deref()
    }

    /// The index of the stage named `name` in the current version.
    ///
    /// # Errors
    /// `StageNotFoundException`.
    pub(super) fn stage_named(&self, name: &str) -> Result<usize> {
        self.plan.stage_index(name).ok_or_else(|| {
            Error::StageNotFound(format!(
                "Stage '{name}' was not found in pipeline '{}'",
                self.ident.name
            ))
        })
    }

    /// The index in stage `stage` of the action named `name`.
    pub(super) fn action_named(&self, stage: usize, name: &str) -> Result<u16> {
        let stage_plan = &self.plan.stages[stage];
        let index = stage_plan.actions.iter().position(|a| *a.name == *name);
        index.map(|i| i as u16).ok_or_else(|| {
            Error::ActionNotFound(format!(
                "Action '{name}' was not found in stage '{}' of pipeline '{}'",
                stage_plan.name, self.ident.name
            ))
        })
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
            trigger_detail: exec
                .details
                .as_deref()
                .and_then(|d| d.trigger_detail.clone())
                .unwrap_or_else(|| self.ident.caller_arn()),
        }
    }

    /// `GetPipelineExecution` of one execution.
    pub(crate) fn execution(&self, id: &str) -> Result<PipelineExecution> {
        self.warm_executions();
        let exec = &self.executions[&self.seq_of(id)?];
        let details = exec.details.as_deref();
        Ok(PipelineExecution {
            pipeline_name: self.ident.name.to_string(),
            pipeline_version: i64::from(exec.version),
            pipeline_execution_id: exec.id.to_string(),
            status: exec.status,
            status_summary: details.and_then(|d| d.status_summary.clone()),
            artifact_revisions: self
                .source_revisions(exec)
                .map(|(action, revision)| ArtifactRevision {
                    name: action
                        .output_artifacts
                        .first()
                        .map_or_else(|| action.name.clone(), |a| a.name.clone()),
                    revision_id: revision.id,
                    revision_summary: revision.summary,
                    created: Some(exec.started),
                    revision_url: revision.url,
                })
                .collect(),
            variables: details.map(|d| d.variables.clone()).unwrap_or_default(),
            trigger: self.trigger(exec),
            execution_mode: exec.mode.as_model(),
            execution_type: execution_type(exec),
            rollback_metadata: rollback_metadata(exec),
        })
    }

    /// Warms what an execution's answer reads besides the execution (see `warm`): the
    /// pipeline's name, and the first stage of the current declaration, where the
    /// source actions are (an execution of an older version reads that one cold). The
    /// history is found meanwhile, its misses in flight with these.
    fn warm_executions(&self) {
        let mut warm = Warm::default();
        warm.str(&self.ident.name);
        if let Some(stage) = self.versions.last().and_then(|d| d.stages.first()) {
            warm.stage(stage);
        }
        warm.done();
    }

    /// The declaration an execution ran.
    pub(super) fn declaration_of(&self, exec: &Execution) -> &PipelineDeclaration {
        self.declaration_at(exec.version)
    }

    /// The declaration of `version` (the current one, should it be gone).
    pub(super) fn declaration_at(&self, version: u32) -> &PipelineDeclaration {
        let current = self
            .versions
            .last()
            .expect("a pipeline always has a version");
        self.versions
            .get((version as usize).wrapping_sub(1))
            .unwrap_or(current)
    }

    /// The retained execution of that id.
    pub(super) fn execution_by_id(&self, id: ExecutionId) -> Option<&Execution> {
        self.executions.get(&self.ids.decode(id)?)
    }

    /// The revision the start of `exec` named for source action `action`, if any: one
    /// `PutActionRevision` gave it, or a source revision override with the commit
    /// message a git event gave it; for a source action a job worker runs, the
    /// `currentRevision` its worker reported.
    pub(super) fn named_revision<'e>(
        &'e self,
        exec: &'e Execution,
        action: &str,
    ) -> Option<provider::Given<'e>> {
        if let Some(revision) = self.reported_revision(exec, action) {
            return Some(provider::Given {
                id: revision,
                message: None,
            });
        }
        let details = exec.details.as_deref()?;
        if let Some(put) = details.put_revision.as_ref().filter(|p| p.action == action) {
            return Some(provider::Given {
                id: &put.revision_id,
                message: None,
            });
        }
        named_revision(&details.overrides, action).map(|id| provider::Given {
            id,
            message: details.commit_message.as_deref(),
        })
    }

    /// The revision each source action of an execution fetched: the one its start
    /// named, else one derived from the execution's id.
    fn source_revisions<'e>(
        &'e self,
        exec: &'e Execution,
    ) -> impl Iterator<Item = (&'e ActionDeclaration, Revision)> + 'e {
        let fetched_by = exec.fetched_by();
        self.declaration_of(exec)
            .stages
            .first()
            .into_iter()
            .flat_map(|stage| stage.actions.iter().enumerate())
            .filter(|(_, action)| action.action_type_id.category == ActionCategory::Source)
            .map(move |(index, action)| {
                let given = self.named_revision(exec, &action.name);
                let revision =
                    provider::source_revision(action, &self.ident.region, fetched_by, index, given);
                (action, revision)
            })
    }

    /// One `ListPipelineExecutions` page, newest first. A page costs the same however
    /// long the history is: it is a range walk from the token's position.
    /// With `succeeded_in`, only the executions of the current version that ran that
    /// stage to success are listed (none, for a stage the pipeline does not have).
    pub(crate) fn list_executions(
        &self,
        max: usize,
        next_token: Option<&str>,
        succeeded_in: Option<&str>,
    ) -> Result<ListPipelineExecutionsOutput> {
        let upper = match next_token {
            None => u64::MAX,
            Some(token) => paging::decode(PageKind::Executions, token)?
                .parse::<u64>()
                .map_err(|_| Error::InvalidNextToken(format!("Invalid nextToken: {token}")))?,
        };
        let stage = succeeded_in.map(|name| self.plan.stage_index(name));
        let version = self.plan.version;
        self.warm_executions();
        let mut newest_first = self.executions.newest_first(upper).filter(|(_, exec)| {
            stage.is_none_or(|stage| {
                stage.is_some_and(|s| exec.version == version && exec.succeeded_in(s))
            })
        });
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
            source_revisions: self
                .source_revisions(exec)
                .map(|(action, revision)| SourceRevision {
                    action_name: action.name.clone(),
                    revision_id: Some(revision.id),
                    revision_summary: revision.summary,
                    revision_url: revision.url,
                })
                .collect(),
            trigger: self.trigger(exec),
            stop_trigger: details.and_then(|d| d.stop_trigger.clone()),
            execution_mode: exec.mode.as_model(),
            execution_type: execution_type(exec),
            rollback_metadata: rollback_metadata(exec),
        }
    }

    /// `GetPipelineState`: every stage's latest run, waiting executions and actions.
    pub(crate) fn state(&self) -> GetPipelineStateOutput {
        self.warm_state();
        let stage_execution = |seq: &u64, status| {
            self.executions.get(seq).map(|exec| StageExecution {
                pipeline_execution_id: exec.id.to_string(),
                status,
                execution_type: execution_type(exec),
            })
        };
        let declaration = self
            .versions
            .last()
            .expect("a pipeline always has a version");
        let stage_states = self
            .plan
            .stages
            .iter()
            .zip(&self.stages)
            .zip(&declaration.stages)
            .enumerate()
            .map(|(index, ((plan, runtime), declared))| {
                let inbound: Vec<StageExecution> = runtime
                    .waiting
                    .iter()
                    .filter_map(|seq| stage_execution(seq, StageExecutionStatus::InProgress))
                    .collect();
                StageState {
                    stage_name: plan.name.to_string(),
                    inbound_execution: inbound.first().cloned(),
                    inbound_executions: inbound,
                    inbound_transition_state: self.transition_state(index),
                    action_states: declared
                        .actions
                        .iter()
                        .zip(&runtime.actions)
                        .enumerate()
                        .map(|(i, (action, latest))| {
                            let source = index == 0 && plan.actions[i].source;
                            self.action_state(action, i, source, latest.as_ref())
                        })
                        .collect(),
                    latest_execution: runtime.latest.map(|(id, status)| StageExecution {
                        pipeline_execution_id: id.to_string(),
                        status,
                        execution_type: self.execution_by_id(id).and_then(execution_type),
                    }),
                    retry_stage_metadata: self.retry_metadata(index),
                    before_entry_condition_state: condition_state(
                        plan,
                        runtime,
                        CondKind::BeforeEntry,
                    ),
                    on_success_condition_state: condition_state(plan, runtime, CondKind::OnSuccess),
                    on_failure_condition_state: condition_state(plan, runtime, CondKind::OnFailure),
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

    /// Warms what `GetPipelineState` reads (see `warm`): the current declaration, the
    /// plan's stage names, and each action's latest run.
    fn warm_state(&self) {
        let mut warm = Warm::default();
        warm.str(&self.ident.name);
        if let Some(declaration) = self.versions.last() {
            warm.declaration(declaration);
        }
        for (plan, runtime) in self.plan.stages.iter().zip(&self.stages) {
            warm.str(&plan.name);
            for latest in runtime.actions.iter().flatten() {
                warm.str(latest.summary.as_deref().unwrap_or_default());
            }
            if let Some(exec) = runtime.latest.and_then(|(id, _)| self.execution_by_id(id)) {
                warm.flag(exec.details.is_some());
            }
        }
        warm.done();
    }

    /// One action of `GetPipelineState`: its latest run, and what its provider shows.
    fn action_state(
        &self,
        action: &ActionDeclaration,
        index: usize,
        source: bool,
        latest: Option<&ActionLatest>,
    ) -> ActionState {
        let region = &*self.ident.region;
        let mut state = ActionState {
            action_name: action.name.clone(),
            entity_url: provider::entity_url(action, region),
            ..ActionState::default()
        };
        let Some(latest) = latest else {
            return state;
        };
        let mut execution = ActionExecution {
            action_execution_id: latest.id.to_string(),
            status: latest.status,
            summary: latest.summary.clone(),
            last_status_change: latest.changed,
            token: (latest.approval && latest.status == ActionExecutionStatus::InProgress)
                .then(|| latest.id.to_string()),
            last_updated_by: latest.answered.then(|| self.ident.caller_arn()),
            external_execution_id: None,
            external_execution_url: None,
            percent_complete: None,
            error_details: latest.error.clone(),
        };
        if source {
            let exec = self.execution_by_id(latest.execution);
            let given = exec.and_then(|exec| self.named_revision(exec, &action.name));
            let revision =
                provider::source_revision(action, region, latest.execution, index, given);
            // A revision PutActionRevision gave shows its change id and creation time.
            let put = exec
                .and_then(|exec| exec.details.as_deref())
                .and_then(|d| d.put_revision.as_ref())
                .filter(|put| put.action == action.name);
            state.current_revision = Some(ActionRevision {
                revision_id: revision.id.clone(),
                revision_change_id: put.map(|p| p.change_id.clone()),
                created: put.map(|p| p.created),
            });
            state.revision_url.clone_from(&revision.url);
            execution.summary = execution.summary.or(revision.summary);
            execution.external_execution_id = Some(revision.id);
            execution.external_execution_url = revision.url;
        } else if let Some((id, url)) = provider::external_execution(action, region, latest.id) {
            execution.external_execution_id = Some(id);
            execution.external_execution_url = url;
        }
        // What a job worker reported wins over what pipesim would make up.
        if let Some(details) = latest.job_details.as_deref() {
            execution.summary = details.summary.clone().or(execution.summary);
            execution.percent_complete = details.percent_complete;
            if let Some(id) = &details.external_execution_id {
                execution.external_execution_id = Some(id.clone());
                execution.external_execution_url = None;
            }
        }
        state.latest_execution = Some(execution);
        state
    }

    /// How many executions are active (InProgress or Stopping).
    pub(crate) fn active_count(&self) -> usize {
        self.active.len()
    }

    /// How many executions the history holds.
    pub(crate) fn history_len(&self) -> usize {
        self.executions.len()
    }

    /// How many action runs are retained.
    pub(crate) fn action_run_count(&self) -> usize {
        self.action_log.len()
    }

    /// How many idempotency tokens are remembered.
    pub(crate) fn token_count(&self) -> usize {
        self.tokens.len()
    }
}

/// The revision a start named for source action `action`: a commit, version id or image
/// digest. An S3 object key names the object, not its revision.
fn named_revision<'o>(overrides: &'o [SourceRevisionOverride], action: &str) -> Option<&'o str> {
    overrides
        .iter()
        .find(|o| o.action_name == action && o.revision_type != SourceRevisionType::S3ObjectKey)
        .map(|o| o.revision_value.as_str())
}

/// `ROLLBACK` for a rollback; nothing for a standard execution, as AWS answers.
fn execution_type(exec: &Execution) -> Option<ExecutionType> {
    exec.rollback().map(|_| ExecutionType::Rollback)
}

fn rollback_metadata(exec: &Execution) -> Option<PipelineRollbackMetadata> {
    exec.rollback().map(|r| PipelineRollbackMetadata {
        rollback_target_pipeline_execution_id: Some(r.target.to_string()),
    })
}

/// What `GetPipelineState` shows of one kind of condition of a stage: `None` when the
/// stage declares no such condition with rules; its rules without runs until it is
/// first checked.
fn condition_state(
    plan: &StagePlan,
    runtime: &StageRuntime,
    kind: CondKind,
) -> Option<StageConditionState> {
    let condition = plan.conditions[kind.index()].as_ref()?;
    let latest = runtime.conditions[kind.index()].as_ref();
    let rule_states = condition
        .rules
        .iter()
        .enumerate()
        .map(|(i, name)| RuleState {
            rule_name: name.to_string(),
            latest_execution: latest
                .and_then(|l| l.rules.get(i))
                .and_then(Option::as_ref)
                .map(|rule| RuleExecution {
                    rule_execution_id: rule.id.to_string(),
                    status: rule.status,
                    summary: rule.summary.clone(),
                    last_status_change: rule.changed,
                    error_details: rule.error.clone(),
                }),
        })
        .collect();
    Some(StageConditionState {
        latest_execution: latest.map(|l| StageConditionsExecution {
            status: l.status,
            summary: l.summary.clone(),
        }),
        condition_states: vec![ConditionState {
            latest_execution: latest.map(|l| ConditionExecution {
                status: l.status,
                summary: l.summary.clone(),
                last_status_change: l.changed,
            }),
            rule_states,
        }],
    })
}
