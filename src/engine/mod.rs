//! The per-pipeline state machine: pure and synchronous.
//!
//! A [`PipelineEngine`] owns everything about one pipeline: its versions, its
//! executions, its stage locks and its idempotency tokens. Every operation takes `now`
//! and draws randomness only from the pipeline's own seeded generator; nothing here
//! knows about tokio, locks or I/O. What should happen later comes back as [`Effects`]:
//! timers for the scheduler and events for subscribers.
//!
//! Each CodePipeline rule lives in one method:
//!
//! | rule | where |
//! |---|---|
//! | busy pipeline answers `ConflictException` | [`PipelineEngine::check_not_busy`] |
//! | token replay and mismatch | [`PipelineEngine::start`] via [`tokens`] |
//! | variables and source revisions against the declaration | `PipelineEngine::start_details` |
//! | concurrency limit of QUEUED and PARALLEL | `PipelineEngine::check_limit` |
//! | stage locks, SUPERSEDED's single waiter, QUEUED's FIFO | `PipelineEngine::enter_or_wait` |
//! | run-order groups, stage and execution outcome | `PipelineEngine::group_done` |
//! | stop and wait, abandon, duplicate and late stops | [`PipelineEngine::stop`] |
//! | manual approvals | [`PipelineEngine::put_approval`] |
//! | update cancels active executions | [`PipelineEngine::update`] |
//! | bounded history | `PipelineEngine::evict_history` |

pub mod behaviour;
pub(crate) mod execution;
pub(crate) mod history;
pub(crate) mod ids;
pub(crate) mod paging;
pub(crate) mod plan;
pub(crate) mod saved;
pub(crate) mod tokens;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use crate::error::{Error, Result};
use crate::events::{Event, EventKind};
use crate::model::{
    ActionExecution, ActionExecutionStatus, ActionState, ApprovalStatus, ArtifactRevision,
    ErrorDetails, ExecutionId, ExecutionMode, ExecutionTrigger, ExecutionType,
    GetPipelineStateOutput, ListPipelineExecutionsOutput, PipelineDeclaration, PipelineExecution,
    PipelineExecutionStatus, PipelineExecutionSummary, PipelineSummary, PipelineType,
    PipelineVariable, PutApprovalResultInput, ResolvedPipelineVariable, SourceRevision,
    SourceRevisionOverride, StageExecution, StageExecutionStatus, StageState,
    StartPipelineExecutionInput, StopExecutionTrigger, StopPipelineExecutionInput, Timestamp,
    TransitionState,
};
use crate::sim::rng::Rng;
use history::History;
use ids::IdCodec;

use behaviour::{ActionBehaviour, PipelineSettings};
use execution::{Details, Execution, Position, Run, Slot, StopKind};
use paging::PageKind;
use plan::{Mode, Plan};
use tokens::{StartParams, TokenCheck, TokenTable};

/// The simulator-wide settings every pipeline engine reads.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct EngineConfig {
    pub(crate) default_action: ActionBehaviour,
    pub(crate) approval_timeout: Duration,
    pub(crate) max_concurrent_executions: u32,
    pub(crate) history_limit: usize,
    pub(crate) token_window: Duration,
    pub(crate) update_conflict_window: Duration,
}

/// Who a pipeline is: its scope, name and ARN.
#[derive(Debug)]
pub(crate) struct PipelineIdent {
    pub(crate) account: Arc<str>,
    pub(crate) region: Arc<str>,
    pub(crate) name: Arc<str>,
}

impl PipelineIdent {
    pub(crate) fn arn(&self) -> String {
        format!(
            "arn:aws:codepipeline:{}:{}:{}",
            self.region, self.account, self.name
        )
    }

    /// The caller ARN reported as `trigger.triggerDetail` for starts in this scope.
    fn caller_arn(&self) -> String {
        format!("arn:aws:iam::{}:root", self.account)
    }
}

/// Something the engine wants done later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub(crate) enum Timer {
    /// An action's simulated run ends (for a manual approval: it times out).
    ActionDue { seq: u64, stage: u16, action: u16 },
    /// An abandoning stop settles from `Stopping` to `Stopped`.
    SettleAbandon { seq: u64 },
}

/// What an engine call asks of the world around it.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    pub(crate) timers: Vec<(Timestamp, Timer)>,
    /// `None` when nobody listens, so no event is built.
    pub(crate) events: Option<Vec<Event>>,
}

impl Effects {
    pub(crate) fn new(record_events: bool) -> Self {
        Self {
            timers: Vec::new(),
            events: record_events.then(Vec::new),
        }
    }

    fn timer(&mut self, due: Timestamp, timer: Timer) {
        self.timers.push((due, timer));
    }

    fn event(
        &mut self,
        ident: &PipelineIdent,
        id: ExecutionId,
        at: Timestamp,
        kind: impl FnOnce() -> EventKind,
    ) {
        if let Some(events) = &mut self.events {
            events.push(Event {
                account: Arc::clone(&ident.account),
                region: Arc::clone(&ident.region),
                pipeline: Arc::clone(&ident.name),
                execution_id: id,
                at,
                kind: kind(),
            });
        }
    }
}

/// What the pipeline shows of one stage, and who holds its lock.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct StageRuntime {
    /// The execution inside a locked stage (SUPERSEDED and QUEUED only).
    occupant: Option<u64>,
    /// Executions waiting to enter, oldest first (at most one in SUPERSEDED).
    waiting: VecDeque<u64>,
    latest: Option<(ExecutionId, StageExecutionStatus)>,
    /// The latest run of each action, in declaration order.
    actions: Vec<Option<ActionLatest>>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct ActionLatest {
    id: Uuid,
    status: ActionExecutionStatus,
    changed: Timestamp,
    token: Option<Uuid>,
    summary: Option<String>,
    error: Option<ErrorDetails>,
}

/// One pipeline: its versions, executions, stage locks and tokens.
#[derive(Debug)]
pub(crate) struct PipelineEngine {
    ident: Arc<PipelineIdent>,
    config: EngineConfig,
    settings: PipelineSettings,
    /// Every version ever stored; version `n` is at index `n - 1`.
    versions: Vec<PipelineDeclaration>,
    plan: Arc<Plan>,
    created: Timestamp,
    updated: Timestamp,
    stages: Vec<StageRuntime>,
    /// Every retained execution by start order (`seq`), oldest first.
    executions: History,
    /// Execution ids encode `seq`, so a lookup by id needs no index.
    ids: IdCodec,
    /// Executions that are InProgress or Stopping.
    active: Vec<u64>,
    next_seq: u64,
    tokens: TokenTable,
    rng: Rng,
    /// Until then, starts and stops answer `ConflictException` (after an update).
    busy_until: Timestamp,
    /// Set by `DeletePipeline`: the engine only answers `ConflictException` now.
    deleted: bool,
}

impl PipelineEngine {
    /// A new pipeline from a validated declaration; returns it with the stored declaration.
    pub(crate) fn new(
        ident: Arc<PipelineIdent>,
        declaration: PipelineDeclaration,
        config: EngineConfig,
        mut rng: Rng,
        now: Timestamp,
    ) -> Self {
        let ids = IdCodec::new(&mut rng);
        let stored = stored_declaration(declaration, 1);
        let settings = PipelineSettings::default();
        let plan = Arc::new(Plan::compile(&stored, 1, &settings, config.default_action));
        let stages = stage_runtimes(&plan, None, Vec::new());
        Self {
            ident,
            config,
            settings,
            versions: vec![stored],
            plan,
            created: now,
            updated: now,
            stages,
            executions: History::default(),
            ids,
            active: Vec::new(),
            next_seq: 0,
            tokens: TokenTable::default(),
            rng,
            busy_until: now,
            deleted: false,
        }
    }

    pub(crate) fn ident(&self) -> &Arc<PipelineIdent> {
        &self.ident
    }

    pub(crate) fn created(&self) -> Timestamp {
        self.created
    }

    pub(crate) fn updated(&self) -> Timestamp {
        self.updated
    }

    /// The declaration of `version`, or of the current version.
    pub(crate) fn declaration(&self, version: Option<i64>) -> Result<&PipelineDeclaration> {
        let Some(version) = version else {
            return Ok(self
                .versions
                .last()
                .expect("a pipeline always has a version"));
        };
        usize::try_from(version - 1)
            .ok()
            .and_then(|i| self.versions.get(i))
            .ok_or_else(|| {
                Error::PipelineVersionNotFound(format!(
                    "Pipeline '{}' does not have version {version}",
                    self.ident.name
                ))
            })
    }

    pub(crate) fn summary(&self) -> PipelineSummary {
        let current = self
            .versions
            .last()
            .expect("a pipeline always has a version");
        PipelineSummary {
            name: self.ident.name.to_string(),
            version: i64::from(self.plan.version),
            pipeline_type: current.pipeline_type.clone().unwrap_or(PipelineType::V1),
            execution_mode: self.plan.mode.as_model(),
            created: self.created,
            updated: self.updated,
        }
    }

    /// Replaces the settings and recompiles the current version under them. Actions
    /// already running keep the duration and outcome they were started with.
    pub(crate) fn configure(&mut self, settings: PipelineSettings) {
        self.settings = settings;
        let current = self
            .versions
            .last()
            .expect("a pipeline always has a version");
        self.plan = Arc::new(Plan::compile(
            current,
            self.plan.version,
            &self.settings,
            self.config.default_action,
        ));
    }

    /// Marks the pipeline deleted and frees its executions; late calls that still hold
    /// the engine answer `ConflictException`.
    pub(crate) fn delete(&mut self) {
        self.deleted = true;
        self.executions.clear();
        self.active.clear();
        self.tokens = TokenTable::default();
        self.stages.clear();
    }

    /// Stores a new version of a validated declaration. Active executions cannot finish
    /// under the old version: each ends `Cancelled` (a `Stopping` one ends `Stopped`),
    /// with its stage run `Cancelled` and its in-progress actions `Abandoned`.
    pub(crate) fn update(
        &mut self,
        declaration: PipelineDeclaration,
        now: Timestamp,
        fx: &mut Effects,
    ) -> PipelineDeclaration {
        // Waiting executions go first, so that unlocking a stage admits nobody.
        let mut active = self.active.clone();
        active.sort_by_key(|seq| {
            self.run(*seq)
                .is_some_and(|run| run.position == Position::Inside)
        });
        for seq in active {
            let stopping = self
                .executions
                .get(&seq)
                .is_some_and(|e| e.status == PipelineExecutionStatus::Stopping);
            let (status, summary) = if stopping {
                (PipelineExecutionStatus::Stopped, None)
            } else {
                let why = "The pipeline was updated before the execution could complete".to_owned();
                (PipelineExecutionStatus::Cancelled, Some(why))
            };
            self.finish(
                seq,
                status,
                StageExecutionStatus::Cancelled,
                summary,
                now,
                fx,
            );
        }
        let version = u32::try_from(self.versions.len() + 1).unwrap_or(u32::MAX);
        let stored = stored_declaration(declaration, version);
        let plan = Arc::new(Plan::compile(
            &stored,
            version,
            &self.settings,
            self.config.default_action,
        ));
        let previous = std::mem::take(&mut self.stages);
        self.stages = stage_runtimes(&plan, Some(&self.plan), previous);
        self.plan = plan;
        self.versions.push(stored.clone());
        self.updated = now;
        self.busy_until = now.after(self.config.update_conflict_window);
        stored
    }

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
    fn check_not_busy(&self, now: Timestamp) -> Result<()> {
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
    fn enter_or_wait(&mut self, seq: u64, stage: usize, now: Timestamp, fx: &mut Effects) {
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
    fn enter(&mut self, seq: u64, stage: usize, now: Timestamp, fx: &mut Effects) {
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

    /// Starts every action of one run-order group, each with its own timer.
    fn start_group(&mut self, seq: u64, group: usize, now: Timestamp, fx: &mut Effects) {
        let plan = Arc::clone(&self.plan);
        let exec = self
            .executions
            .get_mut(&seq)
            .expect("running executions exist");
        let run = exec.run.as_mut().expect("running executions run");
        let stage = usize::from(run.stage);
        let stage_plan = &plan.stages[stage];
        run.group = group as u16;
        run.slots.clear();
        for &action in &stage_plan.groups[group] {
            let action_plan = &stage_plan.actions[usize::from(action)];
            let id = self.rng.uuid();
            let (due, succeeds, token) = if action_plan.approval {
                (
                    now.after(self.config.approval_timeout),
                    false,
                    Some(self.rng.uuid()),
                )
            } else {
                (
                    now.after(action_plan.duration),
                    action_plan.outcome.succeeds(&mut self.rng),
                    None,
                )
            };
            run.slots.push(Slot {
                action,
                status: ActionExecutionStatus::InProgress,
                succeeds,
                id,
                token,
            });
            self.stages[stage].actions[usize::from(action)] = Some(ActionLatest {
                id,
                status: ActionExecutionStatus::InProgress,
                changed: now,
                token,
                summary: None,
                error: None,
            });
            fx.timer(
                due,
                Timer::ActionDue {
                    seq,
                    stage: stage as u16,
                    action,
                },
            );
            fx.event(&self.ident, exec.id, now, || EventKind::Action {
                stage: Arc::clone(&stage_plan.name),
                action: Arc::clone(&action_plan.name),
                status: ActionExecutionStatus::InProgress,
            });
        }
    }

    /// Applies a timer. Timers are never cancelled, so one that no longer applies (its
    /// execution finished, moved on or was evicted) is ignored here.
    pub(crate) fn fire(&mut self, timer: Timer, now: Timestamp, fx: &mut Effects) {
        if self.deleted {
            return;
        }
        match timer {
            Timer::ActionDue { seq, stage, action } => {
                let Some(run) = self.run(seq) else { return };
                if run.position != Position::Inside || run.stage != stage {
                    return;
                }
                let Some(slot) = run
                    .slots
                    .iter()
                    .find(|s| s.action == action && s.status == ActionExecutionStatus::InProgress)
                else {
                    return;
                };
                let outcome = if slot.succeeds {
                    (ActionExecutionStatus::Succeeded, None, None)
                } else if slot.token.is_some() {
                    let message = "The approval request timed out without an answer".to_owned();
                    let error = ErrorDetails {
                        code: "ApprovalTimedOut".into(),
                        message: message.clone(),
                    };
                    (ActionExecutionStatus::Failed, Some(message), Some(error))
                } else {
                    let error = ErrorDetails {
                        code: "JobFailed".into(),
                        message: "The simulated action failed".into(),
                    };
                    (ActionExecutionStatus::Failed, None, Some(error))
                };
                self.complete_action(seq, action, outcome, now, fx);
            }
            Timer::SettleAbandon { seq } => {
                if self
                    .run(seq)
                    .is_some_and(|run| run.stop == Some(StopKind::Abandon))
                {
                    self.finish_stopped(seq, now, fx);
                }
            }
        }
    }

    /// Records the end of one in-progress action; when it was the last of its group,
    /// decides what the execution does next.
    fn complete_action(
        &mut self,
        seq: u64,
        action: u16,
        (status, summary, error): (ActionExecutionStatus, Option<String>, Option<ErrorDetails>),
        now: Timestamp,
        fx: &mut Effects,
    ) {
        let Some(exec) = self.executions.get_mut(&seq) else {
            return;
        };
        let Some(run) = exec.run.as_mut() else { return };
        let Some(slot) = run
            .slots
            .iter_mut()
            .find(|s| s.action == action && s.status == ActionExecutionStatus::InProgress)
        else {
            return;
        };
        slot.status = status;
        let stage = usize::from(run.stage);
        if let Some(latest) = self.stages[stage].actions[usize::from(action)]
            .as_mut()
            .filter(|l| l.id == slot.id)
        {
            latest.status = status;
            latest.changed = now;
            latest.summary = summary;
            latest.error = error;
        }
        let stage_plan = &self.plan.stages[stage];
        fx.event(&self.ident, exec.id, now, || EventKind::Action {
            stage: Arc::clone(&stage_plan.name),
            action: Arc::clone(&stage_plan.actions[usize::from(action)].name),
            status,
        });
        if run
            .slots
            .iter()
            .all(|s| s.status != ActionExecutionStatus::InProgress)
        {
            self.group_done(seq, now, fx);
        }
    }

    /// A run-order group has finished: stop, fail, run the next group, or leave the stage.
    fn group_done(&mut self, seq: u64, now: Timestamp, fx: &mut Effects) {
        let Some(run) = self.run(seq) else { return };
        let (stage, group, stop) = (usize::from(run.stage), usize::from(run.group), run.stop);
        let failed = run
            .slots
            .iter()
            .find(|s| s.status == ActionExecutionStatus::Failed)
            .map(|s| s.action);
        let plan = Arc::clone(&self.plan);
        let stage_plan = &plan.stages[stage];
        // A requested stop wins over the outcome of the actions it waited for.
        if stop.is_some() {
            self.finish_stopped(seq, now, fx);
        } else if let Some(action) = failed {
            let summary = format!(
                "Action '{}' in stage '{}' failed",
                stage_plan.actions[usize::from(action)].name,
                stage_plan.name
            );
            self.finish(
                seq,
                PipelineExecutionStatus::Failed,
                StageExecutionStatus::Failed,
                Some(summary),
                now,
                fx,
            );
        } else if group + 1 < stage_plan.groups.len() {
            self.start_group(seq, group + 1, now, fx);
        } else if stage + 1 == plan.stages.len() {
            self.finish(
                seq,
                PipelineExecutionStatus::Succeeded,
                StageExecutionStatus::Succeeded,
                None,
                now,
                fx,
            );
        } else {
            let exec = self
                .executions
                .get_mut(&seq)
                .expect("running executions exist");
            let id = exec.id;
            let mut run = exec.run.take().expect("running executions run");
            let next = self.vacate(seq, id, &mut run, StageExecutionStatus::Succeeded, now, fx);
            self.executions.get_mut(&seq).expect("still there").run = Some(run);
            self.admit(next, stage, now, fx);
            self.enter_or_wait(seq, stage + 1, now, fx);
        }
    }

    /// Ends an execution with `status`; if it was inside a stage, that stage run ends
    /// with `stage_status` and the stage's lock passes to the next waiting execution.
    fn finish(
        &mut self,
        seq: u64,
        status: PipelineExecutionStatus,
        stage_status: StageExecutionStatus,
        summary: Option<String>,
        now: Timestamp,
        fx: &mut Effects,
    ) {
        let Some(exec) = self.executions.get_mut(&seq) else {
            return;
        };
        let Some(mut run) = exec.run.take() else {
            return;
        };
        let id = exec.id;
        let stage = usize::from(run.stage);
        let next = match run.position {
            Position::Inside => self.vacate(seq, id, &mut run, stage_status, now, fx),
            Position::Waiting => {
                self.stages[stage].waiting.retain(|&waiting| waiting != seq);
                None
            }
            Position::Left => None,
        };
        let exec = self
            .executions
            .get_mut(&seq)
            .expect("finishing executions exist");
        exec.status = status;
        exec.updated = now;
        if let Some(summary) = summary {
            exec.details.get_or_insert_default().status_summary = Some(summary);
        }
        if let Some(i) = self.active.iter().position(|&active| active == seq) {
            self.active.swap_remove(i);
        }
        fx.event(&self.ident, id, now, || EventKind::Execution(status));
        self.admit(next, stage, now, fx);
    }

    /// Ends an execution `Stopped`, on request.
    fn finish_stopped(&mut self, seq: u64, now: Timestamp, fx: &mut Effects) {
        let stopped = PipelineExecutionStatus::Stopped;
        self.finish(seq, stopped, StageExecutionStatus::Stopped, None, now, fx);
    }

    /// Takes an execution out of its stage: abandons what still runs, records the stage
    /// run's end, and unlocks the stage. Returns who should enter the stage next.
    fn vacate(
        &mut self,
        seq: u64,
        id: ExecutionId,
        run: &mut Run,
        status: StageExecutionStatus,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Option<u64> {
        let stage = usize::from(run.stage);
        let stage_plan = &self.plan.stages[stage];
        let runtime = &mut self.stages[stage];
        abandon_in_progress(&self.ident, stage_plan, runtime, id, run, now, fx);
        run.position = Position::Left;
        if runtime.latest.is_some_and(|(latest, _)| latest == id) {
            runtime.latest = Some((id, status));
        }
        fx.event(&self.ident, id, now, || EventKind::Stage {
            stage: Arc::clone(&stage_plan.name),
            status,
        });
        if runtime.occupant != Some(seq) {
            return None;
        }
        runtime.occupant = runtime.waiting.pop_front();
        runtime.occupant
    }

    /// Lets the execution that was given a stage's lock enter it.
    fn admit(&mut self, next: Option<u64>, stage: usize, now: Timestamp, fx: &mut Effects) {
        if let Some(next) = next {
            self.enter(next, stage, now, fx);
        }
    }

    /// Stops an execution: stop-and-wait lets in-progress actions finish; abandon gives
    /// them up and settles at the next tick of the clock.
    pub(crate) fn stop(
        &mut self,
        input: &StopPipelineExecutionInput,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<ExecutionId> {
        self.check_not_busy(now)?;
        let seq = self.seq_of(&input.pipeline_execution_id)?;
        let abandon = input.abandon.unwrap_or(false);
        let exec = self
            .executions
            .get_mut(&seq)
            .expect("indexed executions exist");
        let id = exec.id;
        let Some(run) = exec.run.as_mut() else {
            return Err(Error::PipelineExecutionNotStoppable(format!(
                "Pipeline execution '{id}' of pipeline '{}' cannot be stopped: it has already finished with status {}",
                self.ident.name, exec.status
            )));
        };
        match (run.stop, abandon) {
            (Some(StopKind::Abandon), _) | (Some(StopKind::Wait), false) => {
                return Err(Error::DuplicatedStopRequest(format!(
                    "Pipeline execution '{id}' of pipeline '{}' is already being stopped",
                    self.ident.name
                )));
            }
            _ => {}
        }
        run.stop = Some(if abandon {
            StopKind::Abandon
        } else {
            StopKind::Wait
        });
        let details = exec.details.get_or_insert_default();
        let reason = input
            .reason
            .clone()
            .or_else(|| details.stop_trigger.take().and_then(|t| t.reason));
        details.stop_trigger = Some(StopExecutionTrigger { reason });
        if run.position != Position::Inside {
            // Nothing runs in front of a stage, so there is nothing to wait for.
            self.finish_stopped(seq, now, fx);
            return Ok(id);
        }
        let stage = usize::from(run.stage);
        let stage_plan = &self.plan.stages[stage];
        let runtime = &mut self.stages[stage];
        if abandon {
            abandon_in_progress(&self.ident, stage_plan, runtime, id, run, now, fx);
            fx.timer(now, Timer::SettleAbandon { seq });
        }
        if exec.status != PipelineExecutionStatus::Stopping {
            exec.status = PipelineExecutionStatus::Stopping;
            exec.updated = now;
            if runtime.latest.is_some_and(|(latest, _)| latest == id) {
                runtime.latest = Some((id, StageExecutionStatus::Stopping));
            }
            fx.event(&self.ident, id, now, || EventKind::Stage {
                stage: Arc::clone(&stage_plan.name),
                status: StageExecutionStatus::Stopping,
            });
            fx.event(&self.ident, id, now, || {
                EventKind::Execution(PipelineExecutionStatus::Stopping)
            });
        }
        Ok(id)
    }

    /// Answers a manual approval waiting with `input.token`.
    pub(crate) fn put_approval(
        &mut self,
        input: &PutApprovalResultInput,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<Timestamp> {
        let name = &self.ident.name;
        let stage = self.plan.stage_index(&input.stage_name).ok_or_else(|| {
            Error::StageNotFound(format!(
                "Stage '{}' was not found in pipeline '{name}'",
                input.stage_name
            ))
        })?;
        let action = self.plan.stages[stage]
            .actions
            .iter()
            .position(|a| *a.name == *input.action_name)
            .ok_or_else(|| {
                Error::ActionNotFound(format!(
                    "Action '{}' was not found in stage '{}' of pipeline '{name}'",
                    input.action_name, input.stage_name
                ))
            })? as u16;
        let token = Uuid::parse_str(&input.token).ok();
        let holder = self.active.iter().copied().find(|&seq| {
            self.run(seq).is_some_and(|run| {
                run.position == Position::Inside
                    && usize::from(run.stage) == stage
                    && run
                        .slots
                        .iter()
                        .any(|s| s.action == action && s.token.is_some() && s.token == token)
            })
        });
        let waiting = holder.and_then(|seq| {
            let run = self.run(seq)?;
            run.slots
                .iter()
                .any(|s| {
                    s.action == action
                        && s.token == token
                        && s.status == ActionExecutionStatus::InProgress
                })
                .then_some(seq)
        });
        let Some(seq) = waiting else {
            let answered_before = self.stages[stage].actions[usize::from(action)]
                .as_ref()
                .is_some_and(|latest| latest.token.is_some() && latest.token == token);
            return Err(if holder.is_some() || answered_before {
                Error::ApprovalAlreadyCompleted(format!(
                    "The approval of action '{}' with token '{}' has already been completed",
                    input.action_name, input.token
                ))
            } else {
                Error::InvalidApprovalToken(format!(
                    "Token '{}' does not match any approval waiting in action '{}'",
                    input.token, input.action_name
                ))
            });
        };
        let outcome = match input.result.status {
            ApprovalStatus::Approved => (
                ActionExecutionStatus::Succeeded,
                Some(input.result.summary.clone()),
                None,
            ),
            _ => {
                let error = ErrorDetails {
                    code: "ApprovalRejected".into(),
                    message: "The approval request was rejected".into(),
                };
                (
                    ActionExecutionStatus::Failed,
                    Some(input.result.summary.clone()),
                    Some(error),
                )
            }
        };
        self.complete_action(seq, action, outcome, now, fx);
        Ok(now)
    }

    /// Ends a running action of an execution now, as a harness scripts it; the action's
    /// own timer, when it fires later, no longer applies.
    pub(crate) fn finish_action(
        &mut self,
        execution_id: &str,
        stage_name: &str,
        action_name: &str,
        result: behaviour::ActionResult,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<()> {
        let seq = self.seq_of(execution_id)?;
        let name = &self.ident.name;
        let stage = self.plan.stage_index(stage_name).ok_or_else(|| {
            Error::StageNotFound(format!(
                "Stage '{stage_name}' was not found in pipeline '{name}'"
            ))
        })?;
        let action = self.plan.stages[stage]
            .actions
            .iter()
            .position(|a| *a.name == *action_name)
            .ok_or_else(|| {
                Error::ActionNotFound(format!(
                    "Action '{action_name}' was not found in stage '{stage_name}' of pipeline '{name}'"
                ))
            })? as u16;
        let running = self.run(seq).is_some_and(|run| {
            run.position == Position::Inside
                && usize::from(run.stage) == stage
                && run
                    .slots
                    .iter()
                    .any(|s| s.action == action && s.status == ActionExecutionStatus::InProgress)
        });
        if !running {
            return Err(Error::Validation(format!(
                "Action '{action_name}' of stage '{stage_name}' is not running in execution '{execution_id}'"
            )));
        }
        let outcome = match result {
            behaviour::ActionResult::Succeeded => (
                ActionExecutionStatus::Succeeded,
                Some("Succeeded on demand".to_owned()),
                None,
            ),
            behaviour::ActionResult::Failed => (
                ActionExecutionStatus::Failed,
                None,
                Some(ErrorDetails {
                    code: "JobFailed".into(),
                    message: "Failed on demand".into(),
                }),
            ),
        };
        self.complete_action(seq, action, outcome, now, fx);
        Ok(())
    }

    /// Drops the oldest finished executions beyond the history limit.
    fn evict_history(&mut self) {
        while self.executions.len() > self.config.history_limit {
            if !self.executions.evict_oldest_finished() {
                break;
            }
        }
    }

    fn run(&self, seq: u64) -> Option<&Run> {
        self.executions.get(&seq)?.run.as_deref()
    }

    fn seq_of(&self, id: &str) -> Result<u64> {
        id.parse::<ExecutionId>()
            .ok()
            .and_then(|id| self.ids.decode(id))
            .filter(|seq| self.executions.contains_key(seq))
            .ok_or_else(|| {
                Error::PipelineExecutionNotFound(format!(
                    "Pipeline execution '{id}' does not exist in pipeline '{}'",
                    self.ident.name
                ))
            })
    }

    fn trigger(&self) -> ExecutionTrigger {
        ExecutionTrigger {
            trigger_type: "StartPipelineExecution".into(),
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
            trigger: self.trigger(),
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
            trigger: self.trigger(),
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

/// Marks every in-progress action of `run` `Abandoned`, in the run and in the stage's
/// view of its latest action runs.
fn abandon_in_progress(
    ident: &PipelineIdent,
    stage_plan: &plan::StagePlan,
    runtime: &mut StageRuntime,
    id: ExecutionId,
    run: &mut Run,
    now: Timestamp,
    fx: &mut Effects,
) {
    let in_progress = run
        .slots
        .iter_mut()
        .filter(|s| s.status == ActionExecutionStatus::InProgress);
    for slot in in_progress {
        slot.status = ActionExecutionStatus::Abandoned;
        let latest = runtime.actions[usize::from(slot.action)].as_mut();
        if let Some(latest) = latest.filter(|l| l.id == slot.id) {
            latest.status = ActionExecutionStatus::Abandoned;
            latest.changed = now;
        }
        fx.event(ident, id, now, || EventKind::Action {
            stage: Arc::clone(&stage_plan.name),
            action: Arc::clone(&stage_plan.actions[usize::from(slot.action)].name),
            status: ActionExecutionStatus::Abandoned,
        });
    }
}

/// The declaration as stored: with its version and the service's defaults filled in.
fn stored_declaration(mut declaration: PipelineDeclaration, version: u32) -> PipelineDeclaration {
    declaration.version = Some(i64::from(version));
    declaration
        .execution_mode
        .get_or_insert(ExecutionMode::Superseded);
    declaration.pipeline_type.get_or_insert(PipelineType::V1);
    declaration
}

/// Stage runtimes for `plan`, carrying over the latest runs of stages and actions whose
/// names did not change.
fn stage_runtimes(
    plan: &Plan,
    previous_plan: Option<&Plan>,
    mut previous: Vec<StageRuntime>,
) -> Vec<StageRuntime> {
    plan.stages
        .iter()
        .map(|stage| {
            let old = previous_plan
                .and_then(|p| p.stage_index(&stage.name))
                .filter(|&i| i < previous.len());
            let mut runtime = StageRuntime {
                actions: vec![None; stage.actions.len()],
                ..StageRuntime::default()
            };
            if let (Some(i), Some(old_plan)) = (old, previous_plan) {
                let old_runtime = std::mem::take(&mut previous[i]);
                runtime.latest = old_runtime.latest;
                for (slot, action) in runtime.actions.iter_mut().zip(&stage.actions) {
                    let old_index = old_plan.stages[i]
                        .actions
                        .iter()
                        .position(|a| a.name == action.name);
                    *slot = old_index.and_then(|j| old_runtime.actions.get(j).cloned().flatten());
                }
            }
            runtime
        })
        .collect()
}

#[cfg(test)]
mod model_check;
#[cfg(test)]
mod tests;
