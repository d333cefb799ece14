//! The async handle users embed: [`Simulator`], and its [`SimulatorBuilder`].
//! `replay` brings a simulator back from its state file; `snapshot` writes the snapshot
//! a compaction puts at the head of it.
//!
//! The simulator shards state per pipeline: each account and region has a map from
//! pipeline name to a slot holding that pipeline's [`PipelineEngine`] behind its own
//! mutex. An operation looks the slot up, validates, locks the one engine for the few
//! microseconds the pure state machine needs, and hands the resulting timers to the
//! scheduler. No lock is ever held across an `.await`, and no operation ever holds two
//! pipeline locks, so work on one pipeline never waits on another.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime};

use dashmap::DashMap;
use parking_lot::Mutex;
use tokio::sync::{Notify, broadcast};

use crate::engine::behaviour::{ActionBehaviour, ActionResult, Outcome, PipelineSettings};
use crate::engine::paging::{self, PageKind};
use crate::engine::{Effects, EngineConfig, PipelineEngine, PipelineIdent, Timer};
use crate::error::{Error, Result};
use crate::events::{Event, EventStream};
use crate::faults::{
    Call, FaultRule, FaultRuleStatus, Faults, InvalidRule, RateLimit, RateLimitStatus,
};
use crate::model::validate;
use crate::model::*;
use crate::persist::{self, Fsync, Journal, Key, Record, StateError};
use crate::sim::clock::Clock;
use crate::sim::rng::{self, Rng};
use crate::sim::scheduler::Scheduler;

mod replay;
mod snapshot;

/// The account pipesim uses when none is given.
pub const DEFAULT_ACCOUNT: &str = "123456789012";
/// The region pipesim uses when none is given.
pub const DEFAULT_REGION: &str = "us-east-1";
/// The resource part of an ARN (the pipeline name, for a pipeline), as fault rules
/// match it.
fn arn_resource(arn: &str) -> Option<&str> {
    arn.rsplit(':').next().filter(|r| !r.is_empty())
}

/// Tags one resource may carry.
const MAX_TAGS: usize = 50;

/// Where virtual time starts by default: 2025-01-01T00:00:00Z.
pub const DEFAULT_VIRTUAL_START: Timestamp = Timestamp::from_millis(1_735_689_600_000);

/// A simulated CodePipeline service. Cheap to clone: clones share all state.
///
/// A handle acts in one account and region (by default [`DEFAULT_ACCOUNT`] and
/// [`DEFAULT_REGION`]); [`with_scope`](Self::with_scope) gives a handle on another.
/// Pipelines of one scope are invisible to every other.
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

type TimerItem = (Arc<PipelineSlot>, Timer);

struct Inner {
    seed: u64,
    config: EngineConfig,
    max_pipelines: usize,
    clock: Clock,
    scheduler: Scheduler<TimerItem>,
    /// One registry per (account, region), created on first use.
    scopes: DashMap<(String, String), Arc<Scope>>,
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
    /// while a snapshot is taken, so a snapshot falls between two changes. Only taken
    /// with a state file.
    world: parking_lot::RwLock<()>,
    /// One compaction at a time.
    compacting: Mutex<()>,
    /// The state file, when the simulator has one; set once its journal is replayed,
    /// so that replay records nothing.
    journal: std::sync::OnceLock<Journal>,
}

/// The pipelines of one account and region.
struct Scope {
    account: Arc<str>,
    region: Arc<str>,
    pipelines: DashMap<Box<str>, Arc<PipelineSlot>>,
    /// Serialises creates and deletes, so the name check, the pipeline limit and the
    /// insert happen as one step. Counts how often each name was created, so that a
    /// re-created pipeline draws fresh ids from the seed.
    registry: Mutex<HashMap<String, u64>>,
}

/// One pipeline's state behind its own lock.
pub(crate) struct PipelineSlot {
    /// How many pipelines of this name the scope had created, this one included.
    incarnation: u64,
    /// Held only for one pure engine call; never across `.await`.
    engine: Mutex<PipelineEngine>,
    /// The pipeline's tags, in the order their keys were first set. Apart from the
    /// engine because executions never read them.
    tags: Mutex<Vec<Tag>>,
}

/// Builds a [`Simulator`]. Every setting has a default chosen to make harnesses fast.
#[derive(Clone, Debug)]
pub struct SimulatorBuilder {
    seed: Option<u64>,
    virtual_time: bool,
    start_time: Option<SystemTime>,
    config: EngineConfig,
    max_pipelines: usize,
    account: String,
    region: String,
    event_capacity: usize,
    compact_after: u64,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        Self {
            seed: None,
            virtual_time: false,
            start_time: None,
            config: EngineConfig {
                default_action: ActionBehaviour::succeed_after(Duration::from_millis(100)),
                approval_timeout: Duration::from_secs(7 * 24 * 3600),
                max_concurrent_executions: 50,
                history_limit: 10_000,
                token_window: Duration::from_secs(24 * 3600),
                update_conflict_window: Duration::ZERO,
            },
            max_pipelines: 1000,
            account: DEFAULT_ACCOUNT.into(),
            region: DEFAULT_REGION.into(),
            event_capacity: 4096,
            compact_after: 64 << 20,
        }
    }
}

impl SimulatorBuilder {
    /// Seeds every id, duration draw and outcome. Without a seed, a random one is
    /// chosen; [`Simulator::seed`] tells which, so a run can be replayed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Virtual time: the clock stands still until [`Simulator::advance`] moves it.
    /// Without this, the simulator follows tokio's clock (real time, or tokio's paused
    /// test clock).
    pub fn virtual_time(mut self) -> Self {
        self.virtual_time = true;
        self
    }

    /// Where the clock starts. Default: now in real time, [`DEFAULT_VIRTUAL_START`] in
    /// virtual time.
    pub fn start_time(mut self, start: SystemTime) -> Self {
        self.start_time = Some(start);
        self
    }

    /// How long every non-approval action runs unless a pipeline or action says
    /// otherwise. Default: 100 ms.
    pub fn action_duration(mut self, duration: Duration) -> Self {
        self.config.default_action.duration = Some(duration);
        self
    }

    /// Whether actions succeed unless a pipeline or action says otherwise. Default:
    /// [`Outcome::Succeed`].
    pub fn action_outcome(mut self, outcome: Outcome) -> Self {
        self.config.default_action.outcome = Some(outcome);
        self
    }

    /// How long a manual approval waits before it fails. Default: 7 days.
    pub fn approval_timeout(mut self, timeout: Duration) -> Self {
        self.config.approval_timeout = timeout;
        self
    }

    /// Active executions a QUEUED or PARALLEL pipeline admits. Default: 50.
    pub fn max_concurrent_executions(mut self, limit: u32) -> Self {
        self.config.max_concurrent_executions = limit;
        self
    }

    /// Executions retained per pipeline; the oldest finished ones are dropped beyond
    /// it. Default: 10,000.
    pub fn history_limit(mut self, limit: usize) -> Self {
        self.config.history_limit = limit;
        self
    }

    /// How long a `clientRequestToken` is remembered. Default: 24 hours.
    pub fn token_window(mut self, window: Duration) -> Self {
        self.config.token_window = window;
        self
    }

    /// How long after an `UpdatePipeline` starts and stops of that pipeline answer
    /// `ConflictException`. Default: zero.
    pub fn update_conflict_window(mut self, window: Duration) -> Self {
        self.config.update_conflict_window = window;
        self
    }

    /// Pipelines allowed per account and region. Default: 1000.
    pub fn max_pipelines(mut self, limit: usize) -> Self {
        self.max_pipelines = limit;
        self
    }

    /// The account and region of the handle [`build`](Self::build) returns.
    pub fn scope(mut self, account: &str, region: &str) -> Self {
        self.account = account.into();
        self.region = region.into();
        self
    }

    /// Events buffered per subscriber before a slow one starts missing them.
    /// Default: 4096.
    pub fn event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity.max(1);
        self
    }

    /// Builds the simulator.
    ///
    /// # Panics
    /// In real time (without [`virtual_time`](Self::virtual_time)), when called outside
    /// a tokio runtime: the timer driver needs one.
    pub fn build(self) -> Simulator {
        match self.build_with(None, None) {
            Ok(sim) => sim,
            Err(why) => unreachable!("with nothing to replay, building cannot fail: {why}"),
        }
    }

    /// Builds a simulator whose state lives in the file at `path`: every change is
    /// journaled there, and a simulator opened on the same file later (after a restart,
    /// a crash or `kill -9`) comes back with the same pipelines, executions, tokens,
    /// tags, fault rules and rate limits. See [`crate::persist`].
    ///
    /// An existing file fixes the seed and the settings it was written with: a seed left
    /// unset here is taken from the file, and a seed or setting that differs is an error.
    ///
    /// # Errors
    /// [`StateError`] when the file cannot be read or written, is damaged before its
    /// end, or was written under other settings.
    pub fn open(
        self,
        path: impl AsRef<std::path::Path>,
        fsync: Fsync,
    ) -> Result<Simulator, StateError> {
        let path = path.as_ref();
        let opened = Journal::open(path, fsync, self.compact_after)?;
        let mut builder = self;
        if let Some(header) = &opened.header {
            builder.seed = Some(builder.seed.unwrap_or(header.seed));
        }
        let seed = builder.seed.unwrap_or_else(rng::random_seed);
        builder.seed = Some(seed);
        let expected = builder.header(seed);
        match &opened.header {
            Some(header) => {
                if let Some(why) = persist::differences(header, &expected) {
                    return Err(StateError::SettingsDiffer {
                        path: path.to_owned(),
                        why,
                    });
                }
            }
            None => {
                opened.journal.append(&Record::Header(expected.clone()));
            }
        }
        opened
            .journal
            .set_header(opened.header.as_ref().unwrap_or(&expected));
        let sim = builder
            .build_with(Some(opened.journal), Some(opened.records))
            .map_err(|why| StateError::Unreadable {
                path: path.to_owned(),
                why,
            })?;
        tracing::info!(path = %path.display(), %fsync, "state file open");
        Ok(sim)
    }

    /// When a state file has grown past this many bytes and to twice its size after
    /// the last compaction, it is compacted: rewritten as one snapshot of the state,
    /// plus the changes since. Default: 64 MiB, as Redis rewrites its append-only file.
    pub fn compact_state_file_after(mut self, bytes: u64) -> Self {
        self.compact_after = bytes;
        self
    }

    fn header(&self, seed: u64) -> persist::Header {
        persist::Header {
            format: 1,
            seed,
            virtual_time: self.virtual_time,
            config: self.config,
            max_pipelines: self.max_pipelines,
        }
    }

    /// Builds the simulator, replays `replay` into it, then starts journaling to
    /// `journal`: a file that held state is compacted at once, so the next restart
    /// replays a snapshot and little else.
    fn build_with(
        self,
        journal: Option<Journal>,
        replay: Option<Vec<Record>>,
    ) -> Result<Simulator, String> {
        let seed = self.seed.unwrap_or_else(rng::random_seed);
        let clock = if self.virtual_time {
            Clock::virtual_at(
                self.start_time
                    .map_or(DEFAULT_VIRTUAL_START, Timestamp::from_system_time),
            )
        } else {
            Clock::real(Timestamp::from_system_time(
                self.start_time.unwrap_or_else(SystemTime::now),
            ))
        };
        let inner = Arc::new(Inner {
            seed,
            config: self.config,
            max_pipelines: self.max_pipelines,
            clock,
            scheduler: Scheduler::new(),
            scopes: DashMap::new(),
            events: broadcast::channel(self.event_capacity).0,
            subscribers: Arc::new(AtomicUsize::new(0)),
            advance: tokio::sync::Mutex::new(()),
            faults: Faults::new(seed),
            rules: Mutex::new(()),
            restored: replay.as_ref().map_or(0, Vec::len),
            world: parking_lot::RwLock::new(()),
            compacting: Mutex::new(()),
            journal: std::sync::OnceLock::new(),
        });
        let scope = inner.scope(&self.account, &self.region);
        if let Some(records) = replay {
            replay::replay(&inner, records)?;
        }
        if let Some(journal) = journal {
            let signal = journal.compaction_signal();
            let _ = inner.journal.set(journal);
            if inner.restored > 0 {
                if let Err(err) = inner.compact() {
                    tracing::warn!(%err, "cannot compact the state file; it stays as it was");
                }
            }
            spawn_compactor(Arc::downgrade(&inner), signal)
                .map_err(|err| format!("cannot start the compaction thread: {err}"))?;
        }
        if !self.virtual_time {
            let handle = tokio::runtime::Handle::try_current()
                .expect("a real-time pipesim Simulator must be built inside a tokio runtime");
            handle.spawn(drive(Arc::downgrade(&inner), inner.scheduler.waker()));
        }
        tracing::debug!(seed, virtual_time = self.virtual_time, "simulator built");
        Ok(Simulator { inner, scope })
    }
}

/// Compacts the state file whenever its writer asks, until the simulator is gone. Holds
/// the simulator only while compacting, so it never keeps it alive.
fn spawn_compactor(inner: Weak<Inner>, signal: persist::CompactionSignal) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("pipesim-compact".into())
        .spawn(move || {
            while let Some(wanted) = signal.wait(Duration::from_secs(1)) {
                let Some(inner) = inner.upgrade() else { return };
                if wanted {
                    if let Err(err) = inner.compact() {
                        tracing::warn!(%err, "cannot compact the state file; it stays as it was");
                    }
                }
            }
        })
        .map(drop)
}

/// Fires timers as real (or tokio-paused) time reaches them: the one task that moves
/// every execution forward. Ends when the simulator is dropped.
async fn drive(inner: Weak<Inner>, wake: Arc<Notify>) {
    const BATCH: usize = 4096;
    loop {
        let next = {
            let Some(inner) = inner.upgrade() else { return };
            let mut fired = 0;
            while fired < BATCH {
                let Some((_, item)) = inner.scheduler.pop_due(inner.clock.now()) else {
                    break;
                };
                inner.fire(item);
                fired += 1;
            }
            if fired == BATCH {
                drop(inner);
                tokio::task::yield_now().await;
                continue;
            }
            inner
                .scheduler
                .next_due()
                .map(|due| inner.clock.instant_of(due))
        };
        match next {
            Some(at) => {
                tokio::select! {
                    () = tokio::time::sleep_until(at) => {}
                    () = wake.notified() => {}
                }
            }
            None => wake.notified().await,
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
    fn scope(&self, account: &str, region: &str) -> Arc<Scope> {
        let key = (account.to_owned(), region.to_owned());
        let entry = self.scopes.entry(key).or_insert_with(|| {
            Arc::new(Scope {
                account: Arc::from(account),
                region: Arc::from(region),
                pipelines: DashMap::new(),
                registry: Mutex::new(HashMap::new()),
            })
        });
        Arc::clone(entry.value())
    }

    fn effects(&self) -> Effects {
        Effects::new(self.subscribers.load(Ordering::Acquire) > 0)
    }

    /// Hands an engine call's effects on. Called with the engine locked, so the events
    /// of one pipeline reach subscribers in the order they happened.
    fn apply(&self, slot: &Arc<PipelineSlot>, effects: Effects) {
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

    fn fire(&self, (slot, timer): TimerItem) {
        let _world = self.hold();
        let mut engine = slot.engine.lock();
        let mut effects = self.effects();
        let now = self.clock.now();
        self.record(|| Record::Fire {
            key: slot.key(&engine),
            at: now.as_millis(),
            timer,
        });
        engine.fire(timer, now, &mut effects);
        self.apply(&slot, effects);
    }

    /// Holds snapshots off while a change is made and journaled; nothing to hold
    /// without a state file.
    fn hold(&self) -> Option<parking_lot::RwLockReadGuard<'_, ()>> {
        self.journal.get().map(|_| self.world.read())
    }

    /// Rewrites the state file as one snapshot of everything, plus the changes made
    /// while it was written. Changes wait while the snapshot is taken (serialised in
    /// memory), not while it is written.
    fn compact(&self) -> Result<(), StateError> {
        let Some(journal) = self.journal.get() else {
            return Ok(());
        };
        let _one = self.compacting.lock();
        let started = std::time::Instant::now();
        let snapshot = {
            let _world = self.world.write();
            let snapshot = self.snapshot();
            journal.begin_compaction();
            snapshot
        };
        let paused = started.elapsed();
        let bytes = journal.finish_compaction(&snapshot)?;
        tracing::info!(
            path = %journal.path().display(),
            bytes,
            paused_ms = paused.as_millis() as u64,
            took_ms = started.elapsed().as_millis() as u64,
            "state file compacted"
        );
        Ok(())
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

    /// Runs one engine call that changes state on a pipeline's slot, applies its
    /// effects and journals it. The record is made under the engine's lock, so the
    /// journal holds one pipeline's calls in the order the engine saw them.
    fn change_engine<T>(
        &self,
        slot: &Arc<PipelineSlot>,
        record: impl FnOnce(Key, u64) -> Record,
        call: impl FnOnce(&mut PipelineEngine, Timestamp, &mut Effects) -> T,
    ) -> (T, Option<u64>) {
        let _world = self.hold();
        let mut engine = slot.engine.lock();
        let mut effects = self.effects();
        let now = self.clock.now();
        let seq = self.record(|| record(slot.key(&engine), now.as_millis()));
        let out = call(&mut engine, now, &mut effects);
        self.apply(slot, effects);
        (out, seq)
    }
}

impl PipelineSlot {
    /// The slot's journal key. Takes the locked engine, which the caller holds anyway.
    fn key(&self, engine: &PipelineEngine) -> Key {
        let ident = engine.ident();
        Key {
            account: ident.account.to_string(),
            region: ident.region.to_string(),
            name: ident.name.to_string(),
            incarnation: self.incarnation,
        }
    }
}

impl Inner {
    /// Creates a validated pipeline at `now`: `CreatePipeline` and its replay.
    fn create(
        &self,
        scope: &Scope,
        input: CreatePipelineInput,
        now: Timestamp,
    ) -> Result<(CreatePipelineOutput, Option<u64>)> {
        let name = input.pipeline.name.clone();
        let _world = self.hold();
        let mut registry = scope.registry.lock();
        if scope.pipelines.contains_key(name.as_str()) {
            return Err(Error::PipelineNameInUse(format!(
                "A pipeline with the name '{name}' already exists in account '{}'",
                scope.account
            )));
        }
        if scope.pipelines.len() >= self.max_pipelines {
            return Err(Error::LimitExceeded(format!(
                "Account '{}' already has {} pipelines in region '{}', the limit",
                scope.account, self.max_pipelines, scope.region
            )));
        }
        let incarnation = registry.entry(name.clone()).or_default();
        *incarnation += 1;
        let incarnation = *incarnation;
        let seq = self.record(|| Record::Create {
            key: Key {
                account: scope.account.to_string(),
                region: scope.region.to_string(),
                name: name.clone(),
                incarnation,
            },
            at: now.as_millis(),
            pipeline: input.pipeline.clone(),
            tags: input.tags.clone(),
        });
        let parts: [&[u8]; 4] = [
            scope.account.as_bytes(),
            scope.region.as_bytes(),
            name.as_bytes(),
            &incarnation.to_le_bytes(),
        ];
        let ident = Arc::new(PipelineIdent {
            account: Arc::clone(&scope.account),
            region: Arc::clone(&scope.region),
            name: Arc::from(name.as_str()),
        });
        let engine = PipelineEngine::new(
            ident,
            input.pipeline,
            self.config,
            Rng::derive(self.seed, &parts),
            now,
        );
        let pipeline = engine.declaration(None)?.clone();
        scope.pipelines.insert(
            name.into_boxed_str(),
            Arc::new(PipelineSlot {
                incarnation,
                engine: Mutex::new(engine),
                tags: Mutex::new(input.tags.clone()),
            }),
        );
        drop(registry);
        let output = CreatePipelineOutput {
            pipeline,
            tags: input.tags,
        };
        Ok((output, seq))
    }

    /// Deletes a pipeline if the scope has one of that name: `DeletePipeline` and its
    /// replay.
    fn delete(&self, scope: &Scope, name: &str) -> Option<u64> {
        let _world = self.hold();
        let _registry = scope.registry.lock();
        let (_, slot) = scope.pipelines.remove(name)?;
        let mut engine = slot.engine.lock();
        let seq = self.record(|| Record::Delete {
            key: slot.key(&engine),
        });
        engine.delete();
        tracing::debug!(pipeline = %name, "pipeline deleted");
        seq
    }

    /// Changes the fault rules or rate limits and journals what `record` makes of the
    /// outcome (nothing for a change that changed nothing). Rule ids are handed out in
    /// the journal's order, so replay hands out the same ones.
    fn change_rules<T>(
        &self,
        change: impl FnOnce(&Faults, Timestamp) -> T,
        record: impl FnOnce(&T, u64) -> Option<Record>,
    ) -> T {
        let _world = self.hold();
        let _order = self.rules.lock();
        let now = self.clock.now();
        let out = change(&self.faults, now);
        if self.journal.get().is_some() {
            if let Some(record) = record(&out, now.as_millis()) {
                self.record(|| record);
            }
        }
        out
    }

    /// Changes a pipeline's tags and journals the result; a change that fails changes
    /// nothing.
    fn change_tags(
        &self,
        slot: &PipelineSlot,
        change: impl FnOnce(&mut Vec<Tag>) -> Result<()>,
    ) -> Result<Option<u64>> {
        let _world = self.hold();
        let mut tags = slot.tags.lock();
        change(&mut tags)?;
        Ok(self.record(|| Record::Tags {
            key: slot.key(&slot.engine.lock()),
            tags: tags.clone(),
        }))
    }
}

/// Counters that show what the simulator holds, for tests and benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PipelineStats {
    /// Executions InProgress or Stopping.
    pub active_executions: usize,
    /// Executions retained in history (active ones included).
    pub retained_executions: usize,
    /// Idempotency tokens remembered.
    pub remembered_tokens: usize,
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

    /// Moves time forward by `by`, firing every timer that falls due on the way, each
    /// at its own moment. In virtual time this is the only way time moves; in real
    /// time it sleeps (instantly when the tokio clock is paused).
    pub async fn advance(&self, by: Duration) {
        if !self.inner.clock.is_virtual() {
            tokio::time::sleep(by).await;
            return;
        }
        let _moving = self.inner.advance.lock().await;
        let target = self.inner.clock.now().after(by);
        let mut fired: u32 = 0;
        while let Some((due, item)) = self.inner.scheduler.pop_due(target) {
            self.inner.clock.advance_to(due);
            self.inner.fire(item);
            fired = fired.wrapping_add(1);
            if fired % 1024 == 0 {
                tokio::task::yield_now().await;
            }
        }
        self.inner.clock.advance_to(target);
        let seq = {
            let _world = self.inner.hold();
            self.inner.record(|| Record::Clock {
                at: target.as_millis(),
            })
        };
        // `advance` has no error to answer with; a failed state file is logged by its
        // writer and answered by the next call that changes state.
        let _ = self.inner.durable(seq).await;
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

    fn pipeline(&self, name: &str) -> Result<Arc<PipelineSlot>> {
        self.scope
            .pipelines
            .get(name)
            .map(|entry| Arc::clone(entry.value()))
            .ok_or_else(|| Error::pipeline_not_found(&self.scope.account, name))
    }

    /// `CreatePipeline`.
    ///
    /// # Errors
    /// `ValidationException`, `InvalidStructureException`,
    /// `InvalidStageDeclarationException`, `InvalidActionDeclarationException`,
    /// `InvalidTagsException`, `TooManyTagsException`, `PipelineNameInUseException`,
    /// `LimitExceededException`.
    pub async fn create_pipeline(
        &self,
        input: impl Into<CreatePipelineInput>,
    ) -> Result<CreatePipelineOutput> {
        let input = input.into();
        self.inject(Operation::CreatePipeline, Some(&input.pipeline.name))
            .await?;
        let entered =
            tracing::debug_span!("CreatePipeline", pipeline = %input.pipeline.name).entered();
        validate::pipeline_declaration(&input.pipeline)?;
        validate::tags("tags", &input.tags)?;
        let (output, seq) = self.inner.create(&self.scope, input, self.now())?;
        drop(entered);
        self.inner.durable(seq).await?;
        Ok(output)
    }

    /// `GetPipeline`, of the current version or of `version`.
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`,
    /// `PipelineVersionNotFoundException`.
    pub async fn get_pipeline(
        &self,
        input: impl Into<GetPipelineInput>,
    ) -> Result<GetPipelineOutput> {
        let input = input.into();
        self.inject(Operation::GetPipeline, Some(&input.name))
            .await?;
        let _entered = tracing::debug_span!("GetPipeline", pipeline = %input.name).entered();
        validate::get_pipeline(&input)?;
        let slot = self.pipeline(&input.name)?;
        let engine = slot.engine.lock();
        Ok(GetPipelineOutput {
            pipeline: engine.declaration(input.version)?.clone(),
            metadata: PipelineMetadata {
                pipeline_arn: engine.ident().arn(),
                created: engine.created(),
                updated: engine.updated(),
            },
        })
    }

    /// `UpdatePipeline`: stores a new version. Active executions end `Cancelled`.
    ///
    /// # Errors
    /// As [`create_pipeline`](Self::create_pipeline) for the declaration, and
    /// `PipelineNotFoundException`.
    pub async fn update_pipeline(
        &self,
        input: impl Into<UpdatePipelineInput>,
    ) -> Result<UpdatePipelineOutput> {
        let input = input.into();
        self.inject(Operation::UpdatePipeline, Some(&input.pipeline.name))
            .await?;
        let span = tracing::debug_span!("UpdatePipeline", pipeline = %input.pipeline.name);
        let entered = span.enter();
        validate::pipeline_declaration(&input.pipeline)?;
        let slot = self.pipeline(&input.pipeline.name)?;
        let (pipeline, seq) = self.inner.change_engine(
            &slot,
            |key, at| Record::Update {
                key,
                at,
                pipeline: input.pipeline.clone(),
            },
            |engine, now, fx| engine.update(input.pipeline.clone(), now, fx),
        );
        drop(entered);
        self.inner.durable(seq).await?;
        Ok(UpdatePipelineOutput { pipeline })
    }

    /// `DeletePipeline`. Deleting a pipeline that does not exist succeeds.
    ///
    /// # Errors
    /// `ValidationException`.
    pub async fn delete_pipeline(&self, input: impl Into<DeletePipelineInput>) -> Result<()> {
        let input = input.into();
        self.inject(Operation::DeletePipeline, Some(&input.name))
            .await?;
        let entered = tracing::debug_span!("DeletePipeline", pipeline = %input.name).entered();
        validate::pipeline_name("name", &input.name)?;
        let seq = self.inner.delete(&self.scope, &input.name);
        drop(entered);
        self.inner.durable(seq).await
    }

    /// `ListPipelines`, sorted by name, 100 per page unless `maxResults` says otherwise.
    ///
    /// # Errors
    /// `ValidationException`, `InvalidNextTokenException`.
    pub async fn list_pipelines(&self, input: ListPipelinesInput) -> Result<ListPipelinesOutput> {
        self.inject(Operation::ListPipelines, None).await?;
        let _entered = tracing::debug_span!("ListPipelines").entered();
        validate::list_pipelines(&input)?;
        let from = input
            .next_token
            .as_deref()
            .map(|t| paging::decode(PageKind::Pipelines, t))
            .transpose()?;
        let max = input.max_results.map_or(100, |m| m as usize);
        // Clone the slots out first, so no DashMap shard is read-locked while an engine is.
        let slots: Vec<Arc<PipelineSlot>> = self
            .scope
            .pipelines
            .iter()
            .map(|e| Arc::clone(e.value()))
            .collect();
        let mut pipelines: Vec<PipelineSummary> = slots
            .iter()
            .map(|slot| slot.engine.lock().summary())
            .collect();
        pipelines.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        let start = from.map_or(0, |from| pipelines.partition_point(|p| p.name < from));
        let mut page: Vec<PipelineSummary> = pipelines.drain(start..).collect();
        let next_token =
            (page.len() > max).then(|| paging::encode(PageKind::Pipelines, &page[max].name));
        page.truncate(max);
        Ok(ListPipelinesOutput {
            pipelines: page,
            next_token,
        })
    }

    /// `StartPipelineExecution`.
    ///
    /// ```
    /// # use pipesim::{Simulator, model::*};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), pipesim::Error> {
    /// let sim = Simulator::builder().seed(1).virtual_time().build();
    /// # sim.create_pipeline(PipelineDeclaration::two_stage_example("MyPipeline")).await?;
    /// let input = StartPipelineExecutionInput::new("MyPipeline").client_request_token("deploy-42");
    /// let first = sim.start_pipeline_execution(input.clone()).await?;
    /// // The same token and parameters replay the first execution instead of starting another.
    /// assert_eq!(sim.start_pipeline_execution(input).await?, first);
    ///
    /// let err = sim.start_pipeline_execution("Missing").await.unwrap_err();
    /// assert_eq!(err.error_type(), "PipelineNotFoundException");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`, `ConflictException`,
    /// `ConcurrentPipelineExecutionsLimitExceededException`.
    pub async fn start_pipeline_execution(
        &self,
        input: impl Into<StartPipelineExecutionInput>,
    ) -> Result<StartPipelineExecutionOutput> {
        let input = input.into();
        self.inject(Operation::StartPipelineExecution, Some(&input.name))
            .await?;
        let entered =
            tracing::debug_span!("StartPipelineExecution", pipeline = %input.name).entered();
        validate::start_pipeline_execution(&input)?;
        let slot = self.pipeline(&input.name)?;
        let (id, seq) = self.inner.change_engine(
            &slot,
            |key, at| Record::Start {
                key,
                at,
                input: input.clone(),
            },
            |engine, now, fx| engine.start(&input, now, fx),
        );
        drop(entered);
        self.inner.durable(seq).await?;
        let id = id?;
        tracing::debug!(execution = %id, "started");
        Ok(StartPipelineExecutionOutput {
            pipeline_execution_id: id.to_string(),
        })
    }

    /// `StopPipelineExecution`.
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`,
    /// `PipelineExecutionNotFoundException`, `ConflictException`,
    /// `PipelineExecutionNotStoppableException`, `DuplicatedStopRequestException`.
    pub async fn stop_pipeline_execution(
        &self,
        input: impl Into<StopPipelineExecutionInput>,
    ) -> Result<StopPipelineExecutionOutput> {
        let input = input.into();
        self.inject(Operation::StopPipelineExecution, Some(&input.pipeline_name))
            .await?;
        let entered = tracing::debug_span!("StopPipelineExecution", pipeline = %input.pipeline_name, execution = %input.pipeline_execution_id).entered();
        validate::stop_pipeline_execution(&input)?;
        let slot = self.pipeline(&input.pipeline_name)?;
        let (id, seq) = self.inner.change_engine(
            &slot,
            |key, at| Record::Stop {
                key,
                at,
                input: input.clone(),
            },
            |engine, now, fx| engine.stop(&input, now, fx),
        );
        drop(entered);
        self.inner.durable(seq).await?;
        let id = id?;
        Ok(StopPipelineExecutionOutput {
            pipeline_execution_id: id.to_string(),
        })
    }

    /// `GetPipelineExecution`.
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`,
    /// `PipelineExecutionNotFoundException` (also for an id of another pipeline).
    pub async fn get_pipeline_execution(
        &self,
        input: impl Into<GetPipelineExecutionInput>,
    ) -> Result<GetPipelineExecutionOutput> {
        let input = input.into();
        self.inject(Operation::GetPipelineExecution, Some(&input.pipeline_name))
            .await?;
        let _entered = tracing::debug_span!("GetPipelineExecution", pipeline = %input.pipeline_name, execution = %input.pipeline_execution_id).entered();
        validate::get_pipeline_execution(&input)?;
        let slot = self.pipeline(&input.pipeline_name)?;
        let pipeline_execution = slot.engine.lock().execution(&input.pipeline_execution_id)?;
        Ok(GetPipelineExecutionOutput { pipeline_execution })
    }

    /// `ListPipelineExecutions`, newest first, 100 per page unless `maxResults` says
    /// otherwise.
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`, `InvalidNextTokenException`.
    pub async fn list_pipeline_executions(
        &self,
        input: impl Into<ListPipelineExecutionsInput>,
    ) -> Result<ListPipelineExecutionsOutput> {
        let input = input.into();
        self.inject(
            Operation::ListPipelineExecutions,
            Some(&input.pipeline_name),
        )
        .await?;
        let _entered =
            tracing::debug_span!("ListPipelineExecutions", pipeline = %input.pipeline_name)
                .entered();
        validate::list_pipeline_executions(&input)?;
        let slot = self.pipeline(&input.pipeline_name)?;
        let max = input.max_results.map_or(100, |m| m as usize);
        let engine = slot.engine.lock();
        engine.list_executions(max, input.next_token.as_deref())
    }

    /// `GetPipelineState`.
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`.
    pub async fn get_pipeline_state(
        &self,
        input: impl Into<GetPipelineStateInput>,
    ) -> Result<GetPipelineStateOutput> {
        let input = input.into();
        self.inject(Operation::GetPipelineState, Some(&input.name))
            .await?;
        let _entered = tracing::debug_span!("GetPipelineState", pipeline = %input.name).entered();
        validate::pipeline_name("name", &input.name)?;
        let slot = self.pipeline(&input.name)?;
        let state = slot.engine.lock().state();
        Ok(state)
    }

    /// `PutApprovalResult`: answers a manual approval.
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`, `StageNotFoundException`,
    /// `ActionNotFoundException`, `InvalidApprovalTokenException`,
    /// `ApprovalAlreadyCompletedException`.
    pub async fn put_approval_result(
        &self,
        input: PutApprovalResultInput,
    ) -> Result<PutApprovalResultOutput> {
        self.inject(Operation::PutApprovalResult, Some(&input.pipeline_name))
            .await?;
        let entered =
            tracing::debug_span!("PutApprovalResult", pipeline = %input.pipeline_name).entered();
        validate::put_approval_result(&input)?;
        let slot = self.pipeline(&input.pipeline_name)?;
        let (approved_at, seq) = self.inner.change_engine(
            &slot,
            |key, at| Record::Approve {
                key,
                at,
                input: input.clone(),
            },
            |engine, now, fx| engine.put_approval(&input, now, fx),
        );
        drop(entered);
        self.inner.durable(seq).await?;
        let approved_at = approved_at?;
        Ok(PutApprovalResultOutput { approved_at })
    }

    /// The pipeline a tag operation's `resourceArn` names, if this scope holds it.
    fn tagged_pipeline(&self, arn: &validate::ResourceArn<'_>) -> Result<Arc<PipelineSlot>> {
        let not_found = || {
            Error::ResourceNotFound(format!(
                "The resource '{}' does not exist in account '{}' and region '{}'",
                arn.resource, self.scope.account, self.scope.region
            ))
        };
        if arn.account != &*self.scope.account || arn.region != &*self.scope.region {
            return Err(not_found());
        }
        // pipesim models pipelines only: webhooks and custom action types never exist.
        if arn.resource.contains(':') {
            return Err(not_found());
        }
        if validate::pipeline_name("resourceArn", arn.resource).is_err() {
            return Err(Error::InvalidArn(format!(
                "The ARN's resource '{}' is not a valid pipeline name",
                arn.resource
            )));
        }
        self.scope
            .pipelines
            .get(arn.resource)
            .map(|entry| Arc::clone(entry.value()))
            .ok_or_else(not_found)
    }

    /// `ListTagsForResource`: every tag of a pipeline, in one page.
    ///
    /// # Errors
    /// `ValidationException`, `InvalidArnException`, `ResourceNotFoundException`,
    /// `InvalidNextTokenException` (no token is ever issued).
    pub async fn list_tags_for_resource(
        &self,
        input: impl Into<ListTagsForResourceInput>,
    ) -> Result<ListTagsForResourceOutput> {
        let input = input.into();
        self.inject(
            Operation::ListTagsForResource,
            arn_resource(&input.resource_arn),
        )
        .await?;
        let _entered =
            tracing::debug_span!("ListTagsForResource", arn = %input.resource_arn).entered();
        let arn = validate::list_tags_for_resource(&input)?;
        let slot = self.tagged_pipeline(&arn)?;
        if let Some(token) = &input.next_token {
            return Err(Error::InvalidNextToken(format!(
                "The next token '{token}' was not issued by ListTagsForResource"
            )));
        }
        let tags = slot.tags.lock().clone();
        Ok(ListTagsForResourceOutput {
            tags,
            next_token: None,
        })
    }

    /// `TagResource`: sets tags on a pipeline, replacing the values of keys it has.
    /// Either every tag is set or, on an error, none is.
    ///
    /// # Errors
    /// `ValidationException`, `InvalidArnException`, `ResourceNotFoundException`,
    /// `InvalidTagsException`, `TooManyTagsException` (more than 50 once merged).
    pub async fn tag_resource(&self, input: TagResourceInput) -> Result<TagResourceOutput> {
        self.inject(Operation::TagResource, arn_resource(&input.resource_arn))
            .await?;
        let entered = tracing::debug_span!("TagResource", arn = %input.resource_arn).entered();
        let arn = validate::resource_arn("resourceArn", &input.resource_arn)?;
        validate::tags("tags", &input.tags)?;
        let slot = self.tagged_pipeline(&arn)?;
        let seq = self.inner.change_tags(&slot, |tags| {
            let added = input
                .tags
                .iter()
                .filter(|new| !tags.iter().any(|old| old.key == new.key))
                .count();
            if tags.len() + added > MAX_TAGS {
                return Err(Error::TooManyTags(format!(
                    "Tag limit exceeded: the pipeline has {} tags and {added} would be added; \
                     a resource can have at most {MAX_TAGS}",
                    tags.len()
                )));
            }
            for new in input.tags {
                match tags.iter_mut().find(|old| old.key == new.key) {
                    Some(old) => old.value = new.value,
                    None => tags.push(new),
                }
            }
            Ok(())
        })?;
        drop(entered);
        self.inner.durable(seq).await?;
        Ok(TagResourceOutput {})
    }

    /// `UntagResource`: removes tags by key; keys the pipeline does not have are ignored.
    ///
    /// # Errors
    /// `ValidationException`, `InvalidArnException`, `ResourceNotFoundException`.
    pub async fn untag_resource(&self, input: UntagResourceInput) -> Result<UntagResourceOutput> {
        self.inject(Operation::UntagResource, arn_resource(&input.resource_arn))
            .await?;
        let entered = tracing::debug_span!("UntagResource", arn = %input.resource_arn).entered();
        let arn = validate::resource_arn("resourceArn", &input.resource_arn)?;
        validate::tag_keys("tagKeys", &input.tag_keys)?;
        let slot = self.tagged_pipeline(&arn)?;
        let seq = self.inner.change_tags(&slot, |tags| {
            tags.retain(|tag| !input.tag_keys.contains(&tag.key));
            Ok(())
        })?;
        drop(entered);
        self.inner.durable(seq).await?;
        Ok(UntagResourceOutput {})
    }

    /// Ends a running action of an execution now, succeeded or failed, so a harness can
    /// script outcomes without probabilities. The execution moves on as if the action
    /// had ended by itself.
    ///
    /// # Errors
    /// `PipelineNotFoundException`, `PipelineExecutionNotFoundException`,
    /// `StageNotFoundException`, `ActionNotFoundException`, and `ValidationException`
    /// when the action is not running in that execution.
    pub async fn finish_action(
        &self,
        pipeline: &str,
        execution_id: &str,
        stage: &str,
        action: &str,
        result: ActionResult,
    ) -> Result<()> {
        let slot = self.pipeline(pipeline)?;
        let (out, seq) = self.inner.change_engine(
            &slot,
            |key, at| Record::FinishAction {
                key,
                at,
                execution_id: execution_id.to_owned(),
                stage: stage.to_owned(),
                action: action.to_owned(),
                result,
            },
            |engine, now, fx| engine.finish_action(execution_id, stage, action, result, now, fx),
        );
        self.inner.durable(seq).await?;
        out
    }

    /// Installs a fault rule; answers its id (`fault-1`, ...). See [`crate::faults`].
    ///
    /// # Errors
    /// [`InvalidRule`] saying what is wrong with the rule.
    pub fn add_fault(&self, rule: FaultRule) -> Result<String, InvalidRule> {
        let recorded = rule.clone();
        self.inner.change_rules(
            |faults, now| faults.add_rule(rule, now),
            |added, at| {
                added
                    .is_ok()
                    .then_some(Record::AddFault { at, rule: recorded })
            },
        )
    }

    /// Every fault rule, with how often it matched and fired.
    pub fn faults(&self) -> Vec<FaultRuleStatus> {
        self.inner.faults.rules()
    }

    /// Removes one fault rule; false when there was none with that id.
    pub fn remove_fault(&self, id: &str) -> bool {
        self.inner.change_rules(
            |faults, _| faults.remove_rule(id),
            |removed, _| removed.then(|| Record::RemoveFault { id: id.to_owned() }),
        )
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.inner.change_rules(
            |faults, _| faults.clear_rules(),
            |(), _| Some(Record::ClearFaults),
        );
    }

    /// Installs a rate limit; answers its id (`limit-1`, ...).
    ///
    /// # Errors
    /// [`InvalidRule`] saying what is wrong with the limit.
    pub fn add_rate_limit(&self, limit: RateLimit) -> Result<String, InvalidRule> {
        let recorded = limit.clone();
        self.inner.change_rules(
            |faults, _| faults.add_limit(limit),
            |added, _| {
                added
                    .is_ok()
                    .then_some(Record::AddRateLimit { limit: recorded })
            },
        )
    }

    /// Every rate limit, with how many calls it allowed and throttled.
    pub fn rate_limits(&self) -> Vec<RateLimitStatus> {
        self.inner.faults.limits()
    }

    /// Removes one rate limit; false when there was none with that id.
    pub fn remove_rate_limit(&self, id: &str) -> bool {
        self.inner.change_rules(
            |faults, _| faults.remove_limit(id),
            |removed, _| removed.then(|| Record::RemoveRateLimit { id: id.to_owned() }),
        )
    }

    /// Removes every rate limit.
    pub fn clear_rate_limits(&self) {
        self.inner.change_rules(
            |faults, _| faults.clear_limits(),
            |(), _| Some(Record::ClearRateLimits),
        );
    }

    /// Clears all state: every pipeline of every account and region, with its
    /// executions, tokens and tags; every timer, fault rule and rate limit. The clock
    /// keeps its time. Pipelines created afterwards draw the ids a fresh simulator
    /// with the same seed would.
    pub fn reset(&self) {
        let _world = self.inner.hold();
        self.inner.record(|| Record::Reset);
        self.inner.reset();
        tracing::info!("simulator reset");
    }

    /// Waits until every change made so far is in the state file (written or synced,
    /// as its [`Fsync`] policy says). Calls of the CodePipeline API wait for their own
    /// changes before they answer; this is for the rest (fault rules, rate limits,
    /// [`configure_pipeline`](Self::configure_pipeline), [`reset`](Self::reset)).
    /// Immediate without a state file.
    ///
    /// # Errors
    /// `InternalFailure` when the state file could not be written.
    pub async fn flush(&self) -> Result<()> {
        let seq = self.inner.journal.get().map(Journal::appended);
        self.inner.durable(seq).await
    }

    /// Compacts the state file now: rewrites it as one snapshot of the state plus the
    /// changes made while the snapshot was written, so a restart replays little. Runs by
    /// itself once the file outgrows [`SimulatorBuilder::compact_state_file_after`].
    /// Changes wait only while the snapshot is taken in memory. Does nothing without a
    /// state file.
    ///
    /// # Errors
    /// [`StateError::Io`] when the compacted file cannot be written; the state file is
    /// left as it was, complete.
    pub fn compact_state_file(&self) -> Result<(), StateError> {
        self.inner.compact()
    }

    /// Whether this simulator came back from a state file that held state.
    pub fn restored(&self) -> bool {
        self.inner.restored > 0
    }

    /// Writes and syncs the state file and closes it: for a clean shutdown. Calls that
    /// change state afterwards answer `InternalFailure`. Does nothing without a state
    /// file.
    pub fn close_state_file(&self) {
        if let Some(journal) = self.inner.journal.get() {
            journal.close();
            tracing::info!(path = %journal.path().display(), "state file synced and closed");
        }
    }
}

impl Inner {
    fn reset(&self) {
        let scopes: Vec<Arc<Scope>> = self
            .scopes
            .iter()
            .map(|entry| Arc::clone(entry.value()))
            .collect();
        for scope in scopes {
            let mut registry = scope.registry.lock();
            let slots: Vec<Arc<PipelineSlot>> = scope
                .pipelines
                .iter()
                .map(|entry| Arc::clone(entry.value()))
                .collect();
            scope.pipelines.clear();
            for slot in slots {
                slot.engine.lock().delete();
            }
            registry.clear();
        }
        self.scheduler.clear();
        self.faults.clear_rules();
        self.faults.clear_limits();
        self.faults.reset_ids();
    }
}

impl Simulator {
    /// Whether the clock is virtual (moved only by [`advance`](Self::advance)).
    pub fn is_virtual_time(&self) -> bool {
        self.inner.clock.is_virtual()
    }

    /// Sets how a pipeline's actions behave and how many executions it admits. Replaces
    /// the pipeline's previous settings; actions already running are not affected.
    ///
    /// # Errors
    /// `PipelineNotFoundException`.
    pub fn configure_pipeline(&self, name: &str, settings: PipelineSettings) -> Result<()> {
        let slot = self.pipeline(name)?;
        let _world = self.inner.hold();
        let mut engine = slot.engine.lock();
        self.inner.record(|| Record::Configure {
            key: slot.key(&engine),
            settings: settings.clone(),
        });
        engine.configure(settings);
        Ok(())
    }

    /// What one pipeline holds right now.
    ///
    /// # Errors
    /// `PipelineNotFoundException`.
    pub fn pipeline_stats(&self, name: &str) -> Result<PipelineStats> {
        let slot = self.pipeline(name)?;
        let engine = slot.engine.lock();
        Ok(PipelineStats {
            active_executions: engine.active_count(),
            retained_executions: engine.history_len(),
            remembered_tokens: engine.token_count(),
        })
    }
}
