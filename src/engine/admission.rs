//! Admission: how an execution gets in. `start` checks that the pipeline is not busy,
//! replays or refuses a known `clientRequestToken`, resolves variables and source
//! revision overrides against the declaration, and applies the concurrency limit of
//! QUEUED and PARALLEL; then the new execution enters its first stage, or waits in front
//! of it when the stage is locked (SUPERSEDED's single waiter, QUEUED's FIFO).

use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::events::EventKind;
use crate::model::{
    ExecutionId, PipelineExecutionStatus, PipelineVariable, ResolvedPipelineVariable,
    SourceRevisionOverride, StageExecutionStatus, StartPipelineExecutionInput, Timestamp,
};

use super::execution::{Details, Execution, Position, Run, Trigger};
use super::plan::Mode;
use super::{Effects, PipelineEngine, Timer};

/// How long after `CreatePipeline` its execution starts (recorded: about two seconds).
pub(crate) const CREATE_START_DELAY: Duration = Duration::from_secs(2);

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
        // AWS answers a known token with its execution whatever the other parameters.
        if let Some(id) = input
            .client_request_token
            .as_deref()
            .and_then(|token| self.tokens.started(token))
        {
            return Ok(id);
        }
        let variables = input.variables.as_deref().unwrap_or_default();
        let revisions = input.source_revisions.as_deref().unwrap_or_default();
        let (details, missing) = self.start_details(variables, revisions)?;
        // The execution CreatePipeline starts comes first, even when a start beats it.
        self.start_after_create(now, fx);
        self.check_limit()?;
        let trigger = Trigger::StartPipelineExecution;
        let id = self.begin_execution(trigger, details, missing, 0, now, fx);
        if let Some(token) = &input.client_request_token {
            self.tokens.remember(
                token,
                id,
                now.after(self.config.token_window),
                self.config.history_limit,
            );
        }
        Ok(id)
    }

    /// Schedules the execution AWS starts by itself after `CreatePipeline`, when this
    /// simulator starts one.
    pub(crate) fn schedule_start_after_create(&self, fx: &mut Effects) {
        if self.create_start_pending {
            let due = self.created.after(CREATE_START_DELAY);
            fx.timer(due, Timer::StartAfterCreate);
        }
    }

    /// Starts the execution AWS starts by itself after `CreatePipeline`, if it has not
    /// begun yet: when its timer fires, or first thing when a start comes before it.
    pub(crate) fn start_after_create(&mut self, now: Timestamp, fx: &mut Effects) {
        if !std::mem::take(&mut self.create_start_pending) || self.check_not_busy(now).is_err() {
            return;
        }
        let Ok((details, missing)) = self.start_details(&[], &[]) else {
            return;
        };
        self.begin_execution(Trigger::CreatePipeline, details, missing, 0, now, fx);
    }

    /// Records a new execution of the current version and places it at `stage` (the
    /// first, but for a rollback), or, when required variables are `missing` (its
    /// summary), fails it at once: the start succeeds, the execution does not.
    pub(super) fn begin_execution(
        &mut self,
        trigger: Trigger,
        details: Option<Box<Details>>,
        missing: Option<String>,
        stage: usize,
        now: Timestamp,
        fx: &mut Effects,
    ) -> ExecutionId {
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
                trigger,
                passed: 0,
                details,
                run: Some(Box::new(Run::new())),
            },
        );
        self.active.push(seq);
        fx.event(&self.ident, id, now, || {
            EventKind::Execution(PipelineExecutionStatus::InProgress)
        });
        match missing {
            Some(summary) => {
                let failed = PipelineExecutionStatus::Failed;
                self.finish(
                    seq,
                    failed,
                    StageExecutionStatus::Failed,
                    Some(summary),
                    now,
                    fx,
                );
            }
            None => self.enter_or_wait(seq, stage, now, fx),
        }
        self.evict_history();
        id
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
    pub(super) fn check_limit(&self) -> Result<()> {
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
    /// As AWS does, names the pipeline does not declare (in any case) are ignored; a
    /// declared variable with neither a value nor a default does not refuse the start but
    /// fails the execution: the second value is its `statusSummary`.
    pub(super) fn start_details(
        &self,
        variables: &[PipelineVariable],
        revisions: &[SourceRevisionOverride],
    ) -> Result<(Option<Box<Details>>, Option<String>)> {
        let name = &self.ident.name;
        let mut resolved = Vec::with_capacity(self.plan.variables.len());
        let mut missing = Vec::new();
        for declared in &self.plan.variables {
            let given = variables
                .iter()
                .find(|v| v.name == declared.name)
                .map(|v| &v.value);
            match given.or(declared.default_value.as_ref()) {
                Some(value) => resolved.push(ResolvedPipelineVariable {
                    name: declared.name.clone(),
                    resolved_value: value.clone(),
                }),
                None => missing.push(declared.name.as_str()),
            }
        }
        let missing = (!missing.is_empty()).then(|| {
            format!(
                "Values for required variables haven't been provided: {}",
                missing.join(", ")
            )
        });
        for (i, revision) in revisions.iter().enumerate() {
            // An S3 source may take both a key and a version id; anything else once.
            if revisions[..i].iter().any(|r| {
                r.action_name == revision.action_name && r.revision_type == revision.revision_type
            }) {
                return Err(Error::Validation(format!(
                    "Source revision override for action '{}' is given more than once",
                    revision.action_name
                )));
            }
            if self.plan.source_action(&revision.action_name).is_none() {
                return Err(Error::Validation(format!(
                    "Source revision override names action '{}', which is not a source action of pipeline '{name}'",
                    revision.action_name
                )));
            }
        }
        if resolved.is_empty() && revisions.is_empty() {
            return Ok((None, missing));
        }
        let details = Details {
            variables: resolved,
            overrides: revisions.to_vec(),
            ..Details::default()
        };
        Ok((Some(Box::new(details)), missing))
    }

    /// Places an execution at `stage`: inside if it may enter, else in front of it, where
    /// a locked stage or a disabled inbound transition holds it. In SUPERSEDED mode the
    /// newcomer supersedes whoever was already waiting there.
    pub(super) fn enter_or_wait(
        &mut self,
        seq: u64,
        stage: usize,
        now: Timestamp,
        fx: &mut Effects,
    ) {
        let mode = self.plan.mode;
        {
            let runtime = &mut self.stages[stage];
            let held = runtime.inbound.disabled.is_some()
                || (mode.locks_stages() && runtime.occupant.is_some());
            if held {
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
                if runtime.inbound.disabled.is_some() {
                    fx.event(&self.ident, exec.id, now, || EventKind::HeldAtTransition {
                        stage: Arc::clone(&plan.stages[stage].name),
                    });
                }
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
            if mode.locks_stages() {
                runtime.occupant = Some(seq);
            }
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
        if !self.check_condition(seq, (stage, super::plan::CondKind::BeforeEntry), now, fx) {
            self.start_group(seq, 0, now, fx);
        }
    }
}
