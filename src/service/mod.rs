//! The async handle users embed: [`Simulator`], built by [`SimulatorBuilder`].
//!
//! | file | what it owns |
//! |---|---|
//! | `mod.rs` | the shared state ([`Simulator`], `Inner`, `Scope`, `PipelineSlot`) and its locks |
//! | `builder` | [`SimulatorBuilder`]: settings, defaults, building from nothing or a state file |
//! | `call` | how a CodePipeline call runs (`Simulator::call`) and the `Cx` operations reach state through |
//! | `registry` | the accounts and regions, and the pipelines of each |
//! | `driver` | what moves time: the timer task, `advance`, the compaction thread |
//! | `harness` | what only a harness does: fault rules, finishing actions, settings, reset, the state file |
//! | `replay` | bringing a simulator back from its state file |
//! | `jobs` | each account and region's job board: the jobs custom, third-party and job-worker actions wait for |
//! | `registered_types` | a harness's registration of an action type for an account (`GetActionType`) |
//! | `scope_parts` | what a scope holds besides pipelines (custom action types, webhooks, jobs), each part behind its own lock |
//! | `snapshot` | the snapshot a compaction writes: its cut, then its pass |
//! | `engine_cell` | a pipeline's engine and tags behind their locks, saved for a snapshot before anything changes them after its cut |
//! | `webhooks` | the webhooks part of a scope, and deliveries to a webhook's URL |
//! | `overview` | read-only views across every account and region, for the dashboard |
//!
//! The CodePipeline operations themselves live in `crate::ops`, one file each.
//!
//! ## State and locks
//!
//! State is sharded per pipeline: each account and region (a `Scope`) maps pipeline
//! names to a `PipelineSlot` holding that pipeline's `PipelineEngine` behind its own
//! mutex. A call looks the slot up, validates, locks the one engine for the few
//! microseconds the pure state machine needs, and hands the resulting timers to the
//! scheduler. No lock is ever held across an `.await`, and no call holds two pipelines'
//! locks, so work on one pipeline never waits on another.
//!
//! Locks are taken in this order, and never the other way:
//!
//! 1. `Inner::world`, shared by every change, exclusive while a compaction takes its
//!    snapshot's cut (only with a state file; `snapshot`);
//! 2. `Inner::rules` (fault rules and rate limits), or a `Scope`'s `registry` (creates
//!    and deletes);
//! 3. one pipeline's `engine` (its `EngineCell`); a compaction's pass locks one engine
//!    at a time;
//! 4. one pipeline's `tags`: a call that changes tags holds no engine, and saving a
//!    pipeline for a snapshot reads its tags with its engine held; or one of a scope's
//!    parts (`scope_parts`), alone or under the one engine whose change posts to it;
//! 5. the scheduler's heap and the journal's buffer, innermost, held only to push.
//!
//! DashMap shard locks are held only to look up or insert, never while another lock is
//! taken.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::sync::Mutex;
use dashmap::DashMap;
use tokio::sync::broadcast;

use crate::engine::{Effects, EngineConfig, PipelineEngine, PipelineIdent, Timer};
use crate::error::{Error, Result};
use crate::events::{Event, EventStream};
use crate::faults::{Call, Faults};
use crate::model::{Operation, Timestamp};
use crate::persist::{Journal, Key, Record, StateError};
use crate::sim::clock::Clock;
use crate::sim::scheduler::Scheduler;

mod builder;
mod call;
mod driver;
mod engine_cell;
mod git;
pub(crate) mod harness;
pub(crate) mod jobs;
#[cfg(test)]
mod model_check;
#[cfg(feature = "server")]
pub(crate) mod overview;
mod registered_types;
mod registry;
mod replay;
pub(crate) mod scope_parts;
mod snapshot;
pub(crate) mod webhooks;

pub use builder::SimulatorBuilder;
pub(crate) use call::Cx;
use engine_cell::EngineCell;
pub use git::{GitEventOutcome, GitNotStarted, GitStart};
pub use harness::{Compaction, PipelineStats};
use registry::ScopeKey;

/// The account pipesim uses when none is given.
pub const DEFAULT_ACCOUNT: &str = "123456789012";
/// The region pipesim uses when none is given.
pub const DEFAULT_REGION: &str = "us-east-1";
/// The ARN calls are made as unless the builder says otherwise; `{account}` stands for
/// the call's account.
pub const DEFAULT_CALLER_ARN: &str = "arn:aws:iam::{account}:root";

/// What webhook URLs start with until `Simulator::set_public_url` says otherwise:
/// `pipesim serve`'s default address.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8409";

/// Where virtual time starts by default: 2025-01-01T00:00:00Z.
pub const DEFAULT_VIRTUAL_START: Timestamp = Timestamp::from_millis(1_735_689_600_000);

/// A simulated CodePipeline service. Cheap to clone: clones share all state.
///
/// A handle acts in one account and region (by default [`DEFAULT_ACCOUNT`] and
/// [`DEFAULT_REGION`]); [`with_scope`](Self::with_scope) gives a handle on another.
/// Pipelines of one scope are invisible to every other.
///
/// The CodePipeline API (`create_pipeline`, `start_pipeline_execution`, ...) is defined
/// beside each operation in `crate::ops`; the harness API (fault rules, clock,
/// finishing actions) in this module.
#[derive(Clone)]
pub struct Simulator {
    inner: Arc<Inner>,
    scope: Arc<Scope>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("seed", &self.inner.seed)
            .field("account", &self.scope.account)
            .field("region", &self.scope.region)
            .finish_non_exhaustive()
    }
}

/// A timer and the pipeline it moves.
type TimerItem = (Arc<PipelineSlot>, Timer);

/// Everything a simulator shares between its handles.
struct Inner {
    seed: u64,
    config: EngineConfig,
    max_pipelines: usize,
    /// The caller ARN of every call, with `{account}` for the scope's account.
    caller_arn: Box<str>,
    clock: Clock,
    /// Every timer of every pipeline: the one heap that moves executions.
    scheduler: Scheduler<TimerItem>,
    /// One registry per account and region, created on first use.
    scopes: DashMap<ScopeKey, Arc<Scope>>,
    events: broadcast::Sender<Event>,
    /// Live [`EventStream`]s. Read on every operation instead of
    /// `broadcast::Sender::receiver_count`, which takes the channel's mutex.
    subscribers: Arc<AtomicUsize>,
    /// Serialises `advance` calls, so virtual time moves in one place at a time.
    advance: tokio::sync::Mutex<()>,
    faults: Faults,
    /// Orders changes of fault rules and rate limits with their journal records, so
    /// replay hands out the same rule ids.
    rules: Mutex<()>,
    /// Records replayed from the state file when the simulator was opened.
    restored: usize,
    /// Held shared by every change while it is made and journaled, and exclusively
    /// while a snapshot's cut is taken, so the cut falls between two changes. Only
    /// taken with a state file.
    world: crate::sync::RwLock<()>,
    /// One compaction at a time.
    compacting: Mutex<()>,
    /// The state file, when the simulator has one; set once its journal is replayed,
    /// so that replay records nothing.
    journal: std::sync::OnceLock<Journal>,
    /// What webhook URLs start with: the server's address (`set_public_url`).
    public_url: Mutex<Arc<str>>,
}

/// The pipelines of one account and region.
struct Scope {
    account: Arc<str>,
    region: Arc<str>,
    /// The ARN calls in this scope are made as.
    caller: Arc<str>,
    pipelines: DashMap<Box<str>, Arc<PipelineSlot>>,
    /// Serialises creates and deletes, so the name check, the pipeline limit and the
    /// insert happen as one step. Counts how often each name was created, so that a
    /// re-created pipeline draws fresh ids from the seed.
    registry: Mutex<HashMap<String, u64>>,
    /// Everything else the account and region holds, part by part.
    parts: scope_parts::ScopeParts,
}

/// One pipeline's state behind its own locks.
pub(crate) struct PipelineSlot {
    /// Who the pipeline is; the engine shares it.
    ident: Arc<PipelineIdent>,
    /// How many pipelines of this name the scope had created, this one included.
    incarnation: u64,
    /// The engine and the tags, each behind its own lock, reached only through
    /// [`EngineCell::lock`] and [`EngineCell::tags`], which save the pipeline for a
    /// snapshot being written before anything can change it.
    engine: EngineCell,
}

impl PipelineSlot {
    /// The slot's journal key.
    fn key(&self) -> Key {
        Key {
            account: self.ident.account.to_string(),
            region: self.ident.region.to_string(),
            name: self.ident.name.to_string(),
            incarnation: self.incarnation,
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Lets the driver notice the simulator is gone.
        self.scheduler.waker().notify_one();
    }
}

impl Inner {
    fn effects(&self) -> Effects {
        Effects::new(self.subscribers.load(Ordering::Acquire) > 0)
    }

    /// Hands an engine call's effects on. Called with the engine locked, so the events
    /// of one pipeline reach subscribers in the order they happened.
    fn dispatch(&self, slot: &Arc<PipelineSlot>, mut effects: Effects) {
        self.post_jobs(slot, std::mem::take(&mut effects.jobs));
        if !effects.timers.is_empty() {
            self.scheduler.schedule(
                effects
                    .timers
                    .into_iter()
                    .map(|(due, timer)| (due, (Arc::clone(slot), timer))),
            );
        }
        for event in effects.events.into_iter().flatten() {
            // Nobody listening any more is not an error.
            let _ = self.events.send(event);
        }
    }

    /// Holds snapshots off while a change is made and journaled; nothing to hold
    /// without a state file.
    fn hold(&self) -> Option<crate::sync::RwLockReadGuard<'_, ()>> {
        self.journal.get().map(|_| self.world.read())
    }

    /// Rewrites the state file as one snapshot of everything, plus the changes made
    /// while it was written. Changes wait only while the snapshot's cut is taken, and a
    /// pipeline's calls while that pipeline is saved (`snapshot`).
    fn compact(&self) -> Result<Compaction, StateError> {
        let Some(journal) = self.journal.get() else {
            return Ok(Compaction::default());
        };
        let _one = self.compacting.lock();
        let started = std::time::Instant::now();
        let cut = {
            let _world = self.world.write();
            let cut = self.cut();
            journal.begin_compaction();
            cut
        };
        let paused = started.elapsed();
        let mut cut = Some(cut);
        let mut longest = std::time::Duration::ZERO;
        let bytes = journal.finish_compaction(&mut |emit| {
            let cut = cut.take().expect("a snapshot is written once");
            longest = self.write_snapshot(cut, emit)?;
            Ok(())
        })?;
        let compaction = Compaction {
            paused,
            longest_pipeline_wait: longest,
            took: started.elapsed(),
            bytes,
        };
        tracing::info!(
            path = %journal.path().display(),
            bytes,
            paused_ms = paused.as_millis() as u64,
            took_ms = compaction.took.as_millis() as u64,
            "state file compacted"
        );
        Ok(compaction)
    }

    /// Appends a record to the journal, if there is one; answers what
    /// [`durable`](Self::durable) waits for.
    fn record(&self, record: impl FnOnce() -> Record) -> Option<u64> {
        self.journal.get().map(|journal| journal.append(&record()))
    }

    /// Waits until a record is durable; a call is answered only then.
    async fn durable(&self, seq: Option<u64>) -> Result<()> {
        match (self.journal.get(), seq) {
            (Some(journal), Some(seq)) => {
                journal.durable(seq).await.map_err(Error::InternalFailure)
            }
            _ => Ok(()),
        }
    }

    /// Runs one engine call of the harness API on a pipeline, applies its effects and
    /// journals it. The record is made under the engine's lock, so the journal holds one
    /// pipeline's changes in the order the engine saw them.
    fn change_engine<T>(
        &self,
        slot: &Arc<PipelineSlot>,
        record: impl FnOnce(Key, u64) -> Record,
        change: impl FnOnce(&mut PipelineEngine, Timestamp, &mut Effects) -> T,
    ) -> (T, Option<u64>) {
        let _world = self.hold();
        let mut engine = slot.engine.lock();
        let mut effects = self.effects();
        let now = self.clock.now();
        let seq = self.record(|| record(slot.key(), now.as_millis()));
        let out = change(&mut engine, now, &mut effects);
        self.dispatch(slot, effects);
        (out, seq)
    }
}

impl Simulator {
    /// A builder with every default.
    ///
    /// ```
    /// use std::time::Duration;
    /// use pipesim::{Outcome, Simulator};
    ///
    /// let sim = Simulator::builder()
    ///     .seed(7)
    ///     .virtual_time()
    ///     .action_duration(Duration::from_secs(30))
    ///     .action_outcome(Outcome::FailWithProbability(0.1))
    ///     .build();
    /// assert_eq!(sim.seed(), 7);
    /// assert_eq!(sim.account(), "123456789012");
    /// ```
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }

    /// The seed this simulator runs with.
    pub fn seed(&self) -> u64 {
        self.inner.seed
    }

    /// The account this handle acts in.
    pub fn account(&self) -> &str {
        &self.scope.account
    }

    /// The region this handle acts in.
    pub fn region(&self) -> &str {
        &self.scope.region
    }

    /// A handle on the same simulator acting in another account and region.
    pub fn with_scope(&self, account: &str, region: &str) -> Simulator {
        Simulator {
            inner: Arc::clone(&self.inner),
            scope: self.inner.scope(account, region),
        }
    }

    /// The simulated time now.
    pub fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// Whether the clock is virtual (moved only by [`advance`](Self::advance)).
    pub fn is_virtual_time(&self) -> bool {
        self.inner.clock.is_virtual()
    }

    /// Subscribes to every execution transition from now on.
    pub fn events(&self) -> EventStream {
        EventStream::new(
            self.inner.events.subscribe(),
            Arc::clone(&self.inner.subscribers),
        )
    }

    /// Timers waiting in the scheduler (some may no longer apply).
    pub fn pending_timers(&self) -> usize {
        self.inner.scheduler.len()
    }

    /// Applies the fault rules and rate limits to one call: waits out any latency they
    /// add, and answers the error they inject. Free when none is installed.
    async fn inject(&self, operation: Operation, pipeline: Option<&str>) -> Result<()> {
        if !self.inner.faults.armed() {
            return Ok(());
        }
        let call = Call {
            operation,
            pipeline,
            account: &self.scope.account,
            region: &self.scope.region,
        };
        let verdict = self.inner.faults.check(&call, self.now());
        if !verdict.latency.is_zero() {
            tokio::time::sleep(verdict.latency).await;
        }
        match verdict.error {
            Some(err) => {
                tracing::debug!(%operation, error = err.error_type(), "fault injected");
                Err(err)
            }
            None => Ok(()),
        }
    }

    /// The pipeline of that name in this handle's account and region.
    fn pipeline(&self, name: &str) -> Result<Arc<PipelineSlot>> {
        self.scope
            .slot(name)
            .ok_or_else(|| Error::pipeline_not_found(&self.scope.account, name))
    }
}
