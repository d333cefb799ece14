//! The per-pipeline state machine: pure and synchronous.
//!
//! A `PipelineEngine` owns everything about one pipeline: its versions, its
//! executions, its stage locks and its idempotency tokens. Every operation takes `now`
//! and draws randomness only from the pipeline's own seeded generator; nothing here
//! knows about tokio, locks or I/O. What should happen later comes back as `Effects`:
//! timers for the scheduler and events for subscribers.
//!
//! Each CodePipeline rule lives in one method:
//!
//! | rule | where | file |
//! |---|---|---|
//! | busy pipeline answers `ConflictException` | `PipelineEngine::check_not_busy` | `admission.rs` |
//! | token replay and mismatch | `PipelineEngine::start` via `tokens` | `admission.rs` |
//! | variables and source revisions against the declaration | `PipelineEngine::start_details` | `admission.rs` |
//! | concurrency limit of QUEUED and PARALLEL | `PipelineEngine::check_limit` | `admission.rs` |
//! | stage locks, SUPERSEDED's single waiter, QUEUED's FIFO | `PipelineEngine::enter_or_wait` | `admission.rs` |
//! | run-order groups, stage and execution outcome | `PipelineEngine::group_done` | `progress.rs` |
//! | stop and wait, abandon, duplicate and late stops | `PipelineEngine::stop` | `control.rs` |
//! | manual approvals | `PipelineEngine::put_approval` | `control.rs` |
//! | update fails waiting approvals and cancels active executions | `PipelineEngine::update`, `settle_cancel` | `control.rs` |
//! | a rollback runs one stage with an earlier execution's revisions | `PipelineEngine::rollback` | `rollback.rs` |
//! | a failed stage runs again in the same execution | `PipelineEngine::retry` | `retry.rs` |
//! | disabled transitions hold executions; enabling lets them in | `PipelineEngine::set_transition` | `transitions.rs` |
//! | stage conditions: entry, success and failure rules and their results | `PipelineEngine::check_condition`, `condition_decided` | `conditions.rs` |
//! | CreatePipeline starts an execution | `PipelineEngine::start_after_create` | `admission.rs` |
//! | bounded history | `PipelineEngine::evict_history` | `progress.rs` |
//!
//! The `impl PipelineEngine` is split by concern; every file reads and writes the
//! fields declared here:
//!
//! | file | what it owns |
//! |---|---|
//! | `mod.rs` | the types, construction, and the calls about the pipeline itself: summary, declaration, settings, delete |
//! | `admission.rs` | starting an execution: busy, tokens, variables, limits, entering or waiting at a stage |
//! | `progress.rs` | moving an execution: action groups, timers, outcomes, leaving a stage, history |
//! | `control.rs` | changing a pipeline from outside: update, stop, approvals, actions finished on demand |
//! | `views.rs` | the read-only answers: executions by id, listings, pipeline state, counters |
//! | `warm.rs` | loading what a read is about to walk in one pass, so its cache misses overlap (large accounts) |
//! | `ids.rs` | execution ids that encode their start order |
//! | `provider.rs` | what a simulated action shows of its provider: revisions, console links, run ids, output variables |
//! | `resolve.rs` | variable references in action configuration, resolved for one execution |
//! | `transitions.rs` | disabling and enabling the transition into a stage |
//! | `action_log.rs`, `action_views.rs` | every action run, bounded, and `ListActionExecutions` |
//! | `deploy_targets.rs` | the instances an EC2 deploy action run deployed to, for `ListDeployActionExecutionTargets` |
//! | `rule_views.rs` | `ListRuleExecutions`: the rule log's runs, in the action log's type |
//! | `retry.rs` | retrying a failed or stopped stage in the same execution |
//! | `rollback.rs` | rolling a stage back to an earlier execution's revisions |
//! | `git.rs` | starting an execution from a git event a trigger takes |
//! | `script.rs` | scripted action and rule runs: how their next runs end |
//! | `jobs.rs` | runs a job worker finishes: posting their jobs, results, continuations, timeouts |
//! | `conditions.rs` | stage conditions: checking their rules, their results, overrides |
//! | `external.rs` | starts from a source: `PutActionRevision` and webhook deliveries |
//! | `rules.rs` | what a rule checks: `VariableCheck`, `DeploymentWindow`, the others |
//! | `saved.rs` | the engine's state in a state file's snapshot |
//! | `deployment_window.rs` | the `DeploymentWindow` rule: a cron expression in a time zone, whether a moment is inside it and when it next opens |

pub(crate) mod action_log;
mod action_views;
mod admission;
pub mod behaviour;
mod conditions;
mod control;
pub(crate) mod deploy_targets;
pub(crate) mod deployment_window;
pub(crate) mod execution;
pub(crate) mod external;
mod git;
pub(crate) mod history;
pub(crate) mod ids;
pub(crate) mod jobs;
pub(crate) mod paging;
pub(crate) mod plan;
mod progress;
mod provider;
mod resolve;
mod retry;
mod rollback;
mod rule_views;
pub(crate) mod rules;
pub(crate) mod saved;
mod script;
pub(crate) mod tokens;
mod transitions;
mod views;
pub(crate) mod warm;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use crate::error::{Error, Result};
use crate::events::{Event, EventKind};
use crate::model::{
    ActionExecutionStatus, ConditionExecutionStatus, ErrorDetails, ExecutionId, ExecutionMode,
    PipelineDeclaration, PipelineSummary, PipelineType, StageExecutionStatus, Timestamp,
};
use crate::sim::rng::Rng;
use action_log::ActionLog;
use history::History;
use ids::IdCodec;

use behaviour::{ActionBehaviour, PipelineSettings};
use plan::Plan;
use script::Scripts;
use tokens::TokenTable;

/// The simulator-wide settings every pipeline engine reads.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct EngineConfig {
    pub(crate) default_action: ActionBehaviour,
    pub(crate) approval_timeout: Duration,
    pub(crate) max_concurrent_executions: u32,
    pub(crate) history_limit: usize,
    pub(crate) token_window: Duration,
    pub(crate) update_conflict_window: Duration,
    /// Whether a new pipeline starts an execution by itself, as AWS's do.
    pub(crate) start_on_create: bool,
    /// How long a run waits for its job's result before it fails.
    #[serde(default = "default_job_timeout")]
    pub(crate) job_timeout: Duration,
}

/// How long a run waits for its job's result by default: AWS's quota for a custom
/// action (one hour for a Lambda invoke action is shorter; pipesim uses one timeout).
pub(crate) const DEFAULT_JOB_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

fn default_job_timeout() -> Duration {
    DEFAULT_JOB_TIMEOUT
}

/// How many versions of a pipeline `GetPipeline` answers: the current one and the nine
/// before it. As users report of the real service, asking for an older version answers
/// `PipelineNotFoundException`.
const READABLE_VERSIONS: i64 = 10;

/// Who a pipeline is: its scope, name and ARN.
#[derive(Debug)]
pub(crate) struct PipelineIdent {
    pub(crate) account: Arc<str>,
    pub(crate) region: Arc<str>,
    pub(crate) name: Arc<str>,
    /// The ARN calls in this scope are made as (`trigger.triggerDetail`, who answered an
    /// approval).
    pub(crate) caller: Arc<str>,
}

impl PipelineIdent {
    pub(crate) fn arn(&self) -> String {
        format!(
            "arn:aws:codepipeline:{}:{}:{}",
            self.region, self.account, self.name
        )
    }

    /// The caller ARN reported as `trigger.triggerDetail` for starts in this scope.
    pub(crate) fn caller_arn(&self) -> String {
        self.caller.to_string()
    }
}

/// Something the engine wants done later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub(crate) enum Timer {
    /// An action's simulated run ends (for a manual approval: it times out).
    ActionDue { seq: u64, stage: u16, action: u16 },
    /// An abandoning stop settles from `Stopping` to `Stopped`.
    SettleAbandon { seq: u64 },
    /// The execution AWS starts after `CreatePipeline` begins.
    StartAfterCreate,
    /// An execution an update cancelled ends `Cancelled`.
    SettleCancel { seq: u64 },
    /// A rule of the condition being checked decides.
    RuleDue { seq: u64, stage: u16, rule: u8 },
}

/// What an engine call asks of the world around it.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    pub(crate) timers: Vec<(Timestamp, Timer)>,
    /// `None` when nobody listens, so no event is built.
    pub(crate) events: Option<Vec<Event>>,
    /// Jobs posted and ended, for the account and region's job board.
    pub(crate) jobs: Vec<jobs::JobChange>,
}

impl Effects {
    pub(crate) fn new(record_events: bool) -> Self {
        Self {
            timers: Vec::new(),
            events: record_events.then(Vec::new),
            jobs: Vec::new(),
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
    /// The transition into the stage.
    #[serde(default)]
    inbound: Transition,
    /// The execution last retried in the stage, and how often it was.
    #[serde(default)]
    retried: Option<(ExecutionId, u32)>,
    /// The execution that made its automatic retry in the stage, and whether that
    /// retry was the latest.
    #[serde(default)]
    auto_retried: Option<(ExecutionId, bool)>,
    /// The latest run of each kind of condition, by `CondKind` index.
    #[serde(default)]
    conditions: [Option<ConditionLatest>; 3],
}

/// The latest run of one condition of a stage.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct ConditionLatest {
    execution: ExecutionId,
    status: ConditionExecutionStatus,
    changed: Timestamp,
    summary: Option<String>,
    /// The latest run of each rule, in declaration order.
    rules: Vec<Option<RuleLatest>>,
}

/// The latest run of one rule.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct RuleLatest {
    id: Uuid,
    status: ActionExecutionStatus,
    changed: Timestamp,
    summary: Option<String>,
    error: Option<ErrorDetails>,
}

/// A stage's inbound transition: enabled unless disabled with a reason.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
struct Transition {
    /// Why it is disabled; `None` while it is enabled.
    disabled: Option<String>,
    /// When it was last disabled or enabled, if ever.
    changed: Option<Timestamp>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct ActionLatest {
    /// The action execution's id; a manual approval's token too.
    id: Uuid,
    /// The execution the run belongs to.
    execution: ExecutionId,
    status: ActionExecutionStatus,
    changed: Timestamp,
    /// A manual approval: `id` is its token.
    approval: bool,
    summary: Option<String>,
    error: Option<ErrorDetails>,
    /// A manual approval answered by `PutApprovalResult` (shown as `lastUpdatedBy`).
    #[serde(default)]
    answered: bool,
    /// A manual approval an update cancelled: its token is out of date.
    #[serde(default)]
    outdated: bool,
    /// What a job worker last reported of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    job_details: Option<Box<crate::model::jobs::ExecutionDetails>>,
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
    /// The execution AWS starts after `CreatePipeline` has not begun yet.
    create_start_pending: bool,
    /// Every action run, for `ListActionExecutions`, bounded like `executions`.
    action_log: ActionLog,
    /// How the next runs of some actions end, as a harness scripted them.
    scripts: Scripts,
    /// Every rule run, for `ListRuleExecutions`, bounded like `action_log`; a run's
    /// "action" is its `rule_code`.
    rule_log: ActionLog,
    /// The latest revision `PutActionRevision` put for each source action.
    put_revisions: Vec<external::RememberedRevision>,
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
            create_start_pending: config.start_on_create,
            action_log: ActionLog::default(),
            scripts: Scripts::default(),
            rule_log: ActionLog::default(),
            put_revisions: Vec::new(),
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
        let current = self.versions.len() as i64;
        if (1..=current - READABLE_VERSIONS).contains(&version) {
            // AWS's known behaviour: older versions read as a missing pipeline.
            return Err(Error::pipeline_not_found(
                &self.ident.account,
                &self.ident.name,
            ));
        }
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

    /// The pipeline's settings with action `stage`/`action` set to wait for a job worker
    /// (or not), for [`configure`](Self::configure).
    ///
    /// # Errors
    /// `StageNotFoundException`, `ActionNotFoundException`.
    pub(crate) fn settings_with_job_worker(
        &self,
        (stage, action): (&str, &str),
        on: bool,
    ) -> Result<PipelineSettings> {
        let index = self.stage_named(stage)?;
        self.action_named(index, action)?;
        let mut settings = self.settings.clone();
        settings
            .per_action
            .entry((stage.to_owned(), action.to_owned()))
            .or_default()
            .job_worker = Some(on);
        Ok(settings)
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
        self.action_log = ActionLog::default();
    }
}

/// The declaration as stored: with its version and the service's defaults filled in.
fn stored_declaration(mut declaration: PipelineDeclaration, version: u32) -> PipelineDeclaration {
    declaration.version = Some(i64::from(version));
    declaration
        .execution_mode
        .get_or_insert(ExecutionMode::Superseded);
    declaration.pipeline_type.get_or_insert(PipelineType::V1);
    // AWS echoes every action with its defaults filled in (recorded).
    for action in declaration.stages.iter_mut().flat_map(|s| &mut s.actions) {
        action.run_order.get_or_insert(1);
        action.configuration.get_or_insert_default();
    }
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
                runtime.inbound = old_runtime.inbound;
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
mod tests;
