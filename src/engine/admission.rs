//! Admission: how an execution gets in. `start` checks that the pipeline is not busy,
//! replays or refuses a known `clientRequestToken`, resolves variables and source
//! revision overrides against the declaration, and applies the concurrency limit of
//! QUEUED and PARALLEL; then the new execution enters its first stage, or waits in front
//! of it when the stage is locked (SUPERSEDED's single waiter, QUEUED's FIFO).

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::events::EventKind;
use crate::model::{
    ArtifactRevision, ExecutionId, PipelineExecutionStatus, PipelineVariable,
    ResolvedPipelineVariable, SourceRevision, SourceRevisionOverride, StageExecutionStatus,
    StartPipelineExecutionInput, Timestamp,
};

use super::execution::{Details, Execution, Position, Run};
use super::plan::Mode;
use super::tokens::{StartParams, TokenCheck};
use super::{Effects, PipelineEngine};

impl PipelineEngine {
    /// Starts an execution of a validated input, or replays a known token.
    pub(crate) fn start(
        &mut self,
        input: &StartPipelineExecutionInput,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<ExecutionId> {
        self.check_not_busy(now)?;
        self.tokens.expire(now);
        let variables = input.variables.as_deref().unwrap_or_default();
        let revisions = input.source_revisions.as_deref().unwrap_or_default();
        // Only a token needs the parameters remembered and compared.
        let params = input
            .client_request_token
            .as_ref()
            .and_then(|_| StartParams::canonical(variables, revisions));
        if let Some(token) = &input.client_request_token {
            match self.tokens.check(token, params.as_deref()) {
                TokenCheck::Replay(id) => return Ok(id),
                TokenCheck::Mismatch => {
                    return Err(Error::Validation(format!(
                        "clientRequestToken '{token}' was already used to start an execution of pipeline '{}' with different parameters",
                        self.ident.name
                    )));
                }
                TokenCheck::New => {}
            }
        }
        let details = self.start_details(variables, revisions)?;
        self.check_limit()?;

        let seq = self.next_seq;
        let id = self.ids.encode(seq);
        self.next_seq += 1;
        self.executions.insert(
            seq,
            Execution {
                id,
                started: now,
                updated: now,
                version: self.plan.version,
                status: PipelineExecutionStatus::InProgress,
                mode: self.plan.mode,
                details,
                run: Some(Box::new(Run::new())),
            },
        );
        self.active.push(seq);
        if let Some(token) = &input.client_request_token {
            self.tokens.remember(
                token,
                id,
                params,
                now.after(self.config.token_window),
                self.config.history_limit,
            );
        }
        fx.event(&self.ident, id, now, || {
            EventKind::Execution(PipelineExecutionStatus::InProgress)
        });
        self.enter_or_wait(seq, 0, now, fx);
        self.evict_history();
        Ok(id)
    }

    /// A pipeline being deleted, or inside the window after an update, is busy.
    pub(super) fn check_not_busy(&self, now: Timestamp) -> Result<()> {
        if self.deleted || now < self.busy_until {
            return Err(Error::Conflict(format!(
                "Pipeline '{}' is busy handling ongoing activities, try again later",
                self.ident.name
            )));
        }
        Ok(())
    }

    /// QUEUED and PARALLEL pipelines admit at most their limit of active executions.
    fn check_limit(&self) -> Result<()> {
        if !self.plan.mode.is_limited() {
            return Ok(());
        }
        let limit = self
            .settings
            .max_concurrent_executions
            .unwrap_or(self.config.max_concurrent_executions);
        if self.active.len() >= limit as usize {
            return Err(Error::ConcurrentPipelineExecutionsLimitExceeded(format!(
                "Pipeline '{}' already has {} active executions, the limit for its {} execution mode",
                self.ident.name,
                self.active.len(),
                self.plan.mode.as_model()
            )));
        }
        Ok(())
    }

    /// Resolves variables against the declarations and checks source revision overrides.
    fn start_details(
        &self,
        variables: &[PipelineVariable],
        revisions: &[SourceRevisionOverride],
    ) -> Result<Option<Box<Details>>> {
        let name = &self.ident.name;
        if !variables.is_empty() && !self.plan.v2 {
            return Err(Error::Validation(format!(
                "Pipeline '{name}' is a V1 pipeline; pipeline variables need a V2 pipeline"
            )));
        }
        for (i, variable) in variables.iter().enumerate() {
            if variables[..i].iter().any(|v| v.name == variable.name) {
                return Err(Error::Validation(format!(
                    "Variable '{}' is given more than once",
                    variable.name
                )));
            }
            if !self.plan.variables.iter().any(|d| d.name == variable.name) {
                return Err(Error::Validation(format!(
                    "Variable '{}' is not declared in pipeline '{name}'",
                    variable.name
                )));
            }
        }
        let mut resolved = Vec::with_capacity(self.plan.variables.len());
        for declared in &self.plan.variables {
            let given = variables
                .iter()
                .find(|v| v.name == declared.name)
                .map(|v| &v.value);
            let Some(value) = given.or(declared.default_value.as_ref()) else {
                return Err(Error::Validation(format!(
                    "Variable '{}' of pipeline '{name}' has no default value and must be given",
                    declared.name
                )));
            };
            resolved.push(ResolvedPipelineVariable {
                name: declared.name.clone(),
                resolved_value: value.clone(),
            });
        }
        let mut artifact_revisions = Vec::with_capacity(revisions.len());
        let mut source_revisions = Vec::with_capacity(revisions.len());
        for (i, revision) in revisions.iter().enumerate() {
            if revisions[..i]
                .iter()
                .any(|r| r.action_name == revision.action_name)
            {
                return Err(Error::Validation(format!(
                    "Source revision override for action '{}' is given more than once",
                    revision.action_name
                )));
            }
            let Some(action) = self.plan.source_action(&revision.action_name) else {
                return Err(Error::Validation(format!(
                    "Source revision override names action '{}', which is not a source action of pipeline '{name}'",
                    revision.action_name
                )));
            };
            artifact_revisions.push(ArtifactRevision {
                name: action
                    .output_artifact
                    .clone()
                    .unwrap_or_else(|| action.name.to_string()),
                revision_id: revision.revision_value.clone(),
                revision_summary: None,
            });
            source_revisions.push(SourceRevision {
                action_name: revision.action_name.clone(),
                revision_id: Some(revision.revision_value.clone()),
                revision_summary: None,
            });
        }
        if resolved.is_empty() && revisions.is_empty() {
            return Ok(None);
        }
        Ok(Some(Box::new(Details {
            variables: resolved,
            artifact_revisions,
            source_revisions,
            ..Details::default()
        })))
    }

    /// Places an execution at `stage`: inside if it may enter, else in front of it.
    /// In SUPERSEDED mode the newcomer supersedes whoever was already waiting there.
    pub(super) fn enter_or_wait(
        &mut self,
        seq: u64,
        stage: usize,
        now: Timestamp,
        fx: &mut Effects,
    ) {
        let mode = self.plan.mode;
        if mode.locks_stages() {
            let runtime = &mut self.stages[stage];
            if runtime.occupant.is_some() {
                let superseded = if mode == Mode::Superseded {
                    runtime.waiting.pop_front()
                } else {
                    None
                };
                runtime.waiting.push_back(seq);
                let exec = self
                    .executions
                    .get_mut(&seq)
                    .expect("placed executions exist");
                let run = exec.run.as_mut().expect("placed executions run");
                run.stage = stage as u16;
                run.position = Position::Waiting;
                let plan = &self.plan;
                fx.event(&self.ident, exec.id, now, || EventKind::StageWaiting {
                    stage: Arc::clone(&plan.stages[stage].name),
                });
                if let Some(older) = superseded {
                    self.finish(
                        older,
                        PipelineExecutionStatus::Superseded,
                        StageExecutionStatus::Cancelled,
                        None,
                        now,
                        fx,
                    );
                }
                return;
            }
            runtime.occupant = Some(seq);
        }
        self.enter(seq, stage, now, fx);
    }

    /// Moves an execution inside `stage` (whose lock it holds, if stages lock).
    pub(super) fn enter(&mut self, seq: u64, stage: usize, now: Timestamp, fx: &mut Effects) {
        let exec = self
            .executions
            .get_mut(&seq)
            .expect("entering executions exist");
        let run = exec.run.as_mut().expect("entering executions run");
        run.stage = stage as u16;
        run.position = Position::Inside;
        self.stages[stage].latest = Some((exec.id, StageExecutionStatus::InProgress));
        let plan = &self.plan;
        fx.event(&self.ident, exec.id, now, || EventKind::Stage {
            stage: Arc::clone(&plan.stages[stage].name),
            status: StageExecutionStatus::InProgress,
        });
        self.start_group(seq, 0, now, fx);
    }
}
