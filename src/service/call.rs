//! How a call of the CodePipeline API runs: [`Simulator::call`] and the [`Cx`] an
//! operation's [`Op::apply`] reaches state through.
//!
//! A live call goes: fault rules, validation, `apply`, then a wait until its journal
//! record is durable. Replay builds a [`Cx`] from a journal record instead and calls the
//! same `apply`, so the two cannot drift. The difference between them lives here and
//! nowhere else:
//!
//! | | live | replay |
//! |---|---|---|
//! | `now` | the clock | the moment recorded |
//! | a change | journaled under the lock that orders it | journaled already |
//! | timers | to the scheduler | kept until replay ends (see `replay`) |
//! | a pipeline lookup | by name | by name and the incarnation recorded |
//!
//! Locks: a change takes the world lock (shared; only with a state file), then one of a
//! scope's registry, one pipeline's engine, one pipeline's tags, or one of a scope's
//! parts. The registry may lock an engine under it (to build or delete one); an engine
//! and tags are never held together by a call.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::engine::{Effects, PipelineEngine};
use crate::error::{Error, Result};
use crate::model::{PipelineDeclaration, Tag, Timestamp};
use crate::ops::Op;
use crate::persist::CallParts;

use super::jobs::JobBoard;
use super::replay::Pending;
use super::scope_parts::ScopePart;
use super::{Inner, PipelineSlot, Scope, Simulator};

impl Simulator {
    /// Makes one call of operation `O`: the fault rules first (they may add latency or
    /// answer an error), then validation, then the operation itself; answers once the
    /// change is in the state file, when there is one.
    pub(crate) async fn call<O: Op>(&self, input: O::Input) -> Result<O::Output> {
        self.inject(O::OPERATION, O::target(&input)).await?;
        let (output, seq) = {
            let span = tracing::debug_span!(
                "call",
                operation = O::OPERATION.name(),
                pipeline = O::target(&input)
            );
            let _entered = span.enter();
            O::validate(&input)?;
            let cx = Cx::<O>::live(&self.inner, &self.scope, &input);
            let output = O::apply(&cx, &input);
            (output, cx.recorded())
        };
        self.inner.durable(seq).await?;
        output
    }
}

/// What an operation's `apply` reaches state through; see the module docs.
pub(crate) struct Cx<'a, O: Op> {
    inner: &'a Inner,
    scope: &'a Arc<Scope>,
    input: &'a O::Input,
    mode: Mode<'a>,
}

enum Mode<'a> {
    Live {
        /// Whether the call changed something yet: a call changes one thing.
        changed: Cell<bool>,
        /// The journal sequence number of the call's record, with a state file.
        recorded: Cell<Option<u64>>,
    },
    Replay {
        /// The incarnation of the pipeline the recorded call changed.
        incarnation: u64,
        at: Timestamp,
        /// What the live call chose, when its change depended on a choice.
        choice: Option<&'a serde_json::Value>,
        pending: &'a RefCell<Pending>,
        /// Whether the call reached what it changed live.
        reached: Cell<bool>,
    },
}

impl<'a, O: Op> Cx<'a, O> {
    fn live(inner: &'a Inner, scope: &'a Arc<Scope>, input: &'a O::Input) -> Self {
        Self {
            inner,
            scope,
            input,
            mode: Mode::Live {
                changed: Cell::new(false),
                recorded: Cell::new(None),
            },
        }
    }

    /// A context that replays a recorded call.
    pub(super) fn replay(
        inner: &'a Inner,
        scope: &'a Arc<Scope>,
        input: &'a O::Input,
        (incarnation, at): (u64, Timestamp),
        choice: Option<&'a serde_json::Value>,
        pending: &'a RefCell<Pending>,
    ) -> Self {
        Self {
            inner,
            scope,
            input,
            mode: Mode::Replay {
                incarnation,
                at,
                choice,
                pending,
                reached: Cell::new(false),
            },
        }
    }

    /// The journal record a live call made, for the wait until it is durable.
    fn recorded(&self) -> Option<u64> {
        match &self.mode {
            Mode::Live { recorded, .. } => recorded.get(),
            Mode::Replay { .. } => None,
        }
    }

    /// Whether a replayed call reached what it changed when it was made.
    pub(super) fn reached(&self) -> bool {
        match &self.mode {
            Mode::Live { .. } => true,
            Mode::Replay { reached, .. } => reached.get(),
        }
    }

    /// The account the call acts in.
    pub(crate) fn account(&self) -> &str {
        &self.scope.account
    }

    /// The region the call acts in.
    pub(crate) fn region(&self) -> &str {
        &self.scope.region
    }

    /// The simulator's seed, for what a scope part draws (a webhook URL's token).
    pub(crate) fn seed(&self) -> u64 {
        self.inner.seed
    }

    /// What webhook URLs start with.
    pub(crate) fn public_url(&self) -> Arc<str> {
        Arc::clone(&self.inner.public_url.lock())
    }

    fn now(&self) -> Timestamp {
        match &self.mode {
            Mode::Live { .. } => self.inner.clock.now(),
            Mode::Replay { at, .. } => *at,
        }
    }

    /// Journals the call as changing incarnation `incarnation`. Called by each change
    /// primitive at the moment of its change, with the lock held that orders it.
    fn record(&self, incarnation: u64, at: Timestamp) {
        self.record_choice(incarnation, at, None);
    }

    /// Journals the call, with what it chose when its change depended on a choice.
    fn record_choice(&self, incarnation: u64, at: Timestamp, choice: Option<&serde_json::Value>) {
        debug_assert!(O::CHANGES_STATE, "{} is declared read-only", O::OPERATION);
        match &self.mode {
            Mode::Live { changed, recorded } => {
                // Replay applies a recorded call once, so a call must change one thing.
                debug_assert!(!changed.replace(true), "{} changed twice", O::OPERATION);
                let seq = self.inner.journal.get().map(|journal| {
                    let input = serde_json::to_string(self.input).expect("inputs always serialise");
                    let choice = choice.map(ToString::to_string);
                    journal.append_call(&CallParts {
                        operation: O::OPERATION.name(),
                        account: &self.scope.account,
                        region: &self.scope.region,
                        incarnation,
                        at: at.as_millis(),
                        input: &input,
                        choice: choice.as_deref(),
                    })
                });
                recorded.set(seq);
            }
            Mode::Replay { reached, .. } => reached.set(true),
        }
    }

    /// Hands an engine call's effects on: to the scheduler and subscribers live, to the
    /// timers kept for the end of replay otherwise.
    fn effects_done(&self, slot: &Arc<PipelineSlot>, effects: Effects) {
        match &self.mode {
            Mode::Live { .. } => self.inner.dispatch(slot, effects),
            Mode::Replay { pending, .. } => {
                let mut effects = effects;
                self.inner
                    .post_jobs(slot, std::mem::take(&mut effects.jobs));
                pending.borrow_mut().add(slot, effects);
            }
        }
    }

    fn effects(&self) -> Effects {
        match &self.mode {
            Mode::Live { .. } => self.inner.effects(),
            Mode::Replay { .. } => Effects::new(false),
        }
    }

    /// The pipeline of that name in the call's account and region.
    ///
    /// # Errors
    /// `PipelineNotFoundException`; in replay also when the pipeline of that name is not
    /// the incarnation the call reached live (it was deleted under the call).
    pub(crate) fn pipeline(&self, name: &str) -> Result<Arc<PipelineSlot>> {
        let slot = self.scope.slot(name);
        let slot = match &self.mode {
            Mode::Live { .. } => slot,
            Mode::Replay { incarnation, .. } => {
                slot.filter(|slot| slot.incarnation == *incarnation)
            }
        };
        slot.ok_or_else(|| O::pipeline_not_found(&self.scope.account, name))
    }

    /// Every pipeline of the call's account and region, in no order.
    pub(crate) fn pipelines(&self) -> Vec<Arc<PipelineSlot>> {
        self.scope.slots()
    }

    /// Reads a pipeline's engine.
    pub(crate) fn read<T>(
        &self,
        slot: &PipelineSlot,
        read: impl FnOnce(&PipelineEngine) -> T,
    ) -> T {
        read(&slot.engine.lock())
    }

    /// Changes a pipeline's engine at the call's moment, journals the call, and hands
    /// the engine's timers and events on. The record is made under the engine's lock, so
    /// the journal has each pipeline's calls in the order the engine saw them.
    pub(crate) fn change<T>(
        &self,
        slot: &Arc<PipelineSlot>,
        change: impl FnOnce(&mut PipelineEngine, Timestamp, &mut Effects) -> T,
    ) -> T {
        let _world = self.inner.hold();
        let mut engine = slot.engine.lock();
        let mut effects = self.effects();
        let now = self.now();
        self.record(slot.incarnation, now);
        let out = change(&mut engine, now, &mut effects);
        self.effects_done(slot, effects);
        out
    }

    /// A pipeline's tags.
    pub(crate) fn tags(&self, slot: &PipelineSlot) -> Vec<Tag> {
        slot.engine.tags().clone()
    }

    /// Changes a pipeline's tags and journals the call; a change that fails changes
    /// nothing and is not journaled.
    ///
    /// # Errors
    /// Whatever `change` answers.
    pub(crate) fn change_tags(
        &self,
        slot: &PipelineSlot,
        change: impl FnOnce(&mut Vec<Tag>) -> Result<()>,
    ) -> Result<()> {
        let _world = self.inner.hold();
        let mut tags = slot.engine.tags();
        let mut changed = tags.clone();
        change(&mut changed)?;
        self.record(slot.incarnation, self.now());
        *tags = changed;
        Ok(())
    }

    /// Changes one part of the call's account and region by a choice the live call
    /// makes (`choose`, which sees the part and the moment, and may refuse the call) and
    /// journals the choice with the call, so replay applies the very choice the live
    /// call made, whatever else interleaved with it then: replay does not choose again.
    /// `apply` must change nothing when it answers an error.
    ///
    /// # Errors
    /// Whatever `choose` or `apply` answers.
    pub(crate) fn choose_in_part<P: ScopePart, C: Serialize + DeserializeOwned, T>(
        &self,
        choose: impl FnOnce(&P, Timestamp) -> Result<C>,
        apply: impl FnOnce(&mut P, C, Timestamp) -> Result<T>,
    ) -> Result<T> {
        let _world = self.inner.hold();
        let mut part = P::of(&self.scope.parts).lock();
        let now = self.now();
        let choice = match &self.mode {
            Mode::Live { .. } => choose(&part, now)?,
            Mode::Replay { choice, .. } => {
                let recorded = choice.ok_or_else(|| {
                    Error::InternalFailure(format!(
                        "{} was recorded without its choice",
                        O::OPERATION
                    ))
                })?;
                serde_json::from_value(recorded.clone()).map_err(|err| {
                    Error::InternalFailure(format!("{}'s recorded choice: {err}", O::OPERATION))
                })?
            }
        };
        let recorded = match &self.mode {
            Mode::Live { .. } if self.inner.journal.get().is_some() => {
                Some(serde_json::to_value(&choice).expect("a choice always serialises"))
            }
            _ => None,
        };
        let out = apply(&mut part, choice, now)?;
        self.record_choice(0, now, recorded.as_ref());
        Ok(out)
    }

    /// Changes a pipeline's engine together with its account and region's job board, at
    /// the call's moment, under both locks (the engine's first), and journals the call;
    /// the jobs the engine posts or ends go to the board before either lock is let go.
    /// `change` must change nothing when it answers an error: such a call is not
    /// journaled.
    ///
    /// # Errors
    /// Whatever `change` answers.
    pub(crate) fn change_with_jobs<T>(
        &self,
        slot: &Arc<PipelineSlot>,
        change: impl FnOnce(&mut PipelineEngine, &mut JobBoard, Timestamp, &mut Effects) -> Result<T>,
    ) -> Result<T> {
        let _world = self.inner.hold();
        let mut engine = slot.engine.lock();
        let mut board = JobBoard::of(&self.scope.parts).lock();
        let mut effects = self.effects();
        let now = self.now();
        let out = change(&mut engine, &mut board, now, &mut effects)?;
        self.record(slot.incarnation, now);
        board.apply(std::mem::take(&mut effects.jobs));
        drop(board);
        self.effects_done(slot, effects);
        Ok(out)
    }

    /// Makes a check against state the call does not change (another part of the
    /// scope) only live. A call the check refuses changes nothing and is not journaled,
    /// so replay sees only calls it let through; checking again there could refuse one
    /// of them, if a change to what the check reads was journaled in between.
    ///
    /// # Errors
    /// Whatever `check` answers.
    pub(crate) fn live_check(&self, check: impl FnOnce() -> Result<()>) -> Result<()> {
        match self.mode {
            Mode::Live { .. } => check(),
            Mode::Replay { .. } => Ok(()),
        }
    }

    /// Reads one part of the call's account and region (`scope_parts`).
    pub(crate) fn read_part<P: ScopePart, T>(&self, read: impl FnOnce(&P) -> T) -> T {
        read(&P::of(&self.scope.parts).lock())
    }

    /// Changes one part of the call's account and region at the call's moment and
    /// journals the call, under the part's lock. `change` must change nothing when it
    /// answers an error: such a call is not journaled.
    ///
    /// # Errors
    /// Whatever `change` answers.
    pub(crate) fn change_part<P: ScopePart, T>(
        &self,
        change: impl FnOnce(&mut P, Timestamp) -> Result<T>,
    ) -> Result<T> {
        let _world = self.inner.hold();
        let mut part = P::of(&self.scope.parts).lock();
        let now = self.now();
        let out = change(&mut part, now)?;
        // A scope's part belongs to no pipeline: incarnation 0.
        self.record(0, now);
        Ok(out)
    }

    /// Works on the registry of the call's account and region under its lock, so that a
    /// check of names and limits and the change it allows are one step.
    ///
    /// # Errors
    /// Whatever `work` answers.
    pub(crate) fn registry<T>(
        &self,
        work: impl FnOnce(&mut Registry<'_, 'a, O>) -> Result<T>,
    ) -> Result<T> {
        let _world = self.inner.hold();
        let counters = self.scope.registry.lock();
        work(&mut Registry {
            cx: self,
            created: counters,
        })
    }
}

/// One account and region's pipelines, locked for a create or a delete.
pub(crate) struct Registry<'r, 'a, O: Op> {
    cx: &'r Cx<'a, O>,
    /// How often each name was created, so that a re-created pipeline draws fresh ids
    /// from the seed.
    created: crate::sync::MutexGuard<'r, std::collections::HashMap<String, u64>>,
}

impl<O: Op> Registry<'_, '_, O> {
    /// Whether a pipeline of that name exists.
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.cx.scope.pipelines.contains_key(name)
    }

    /// How many pipelines the account and region hold.
    pub(crate) fn len(&self) -> usize {
        self.cx.scope.pipelines.len()
    }

    /// How many pipelines an account and region may hold.
    pub(crate) fn limit(&self) -> usize {
        self.cx.inner.max_pipelines
    }

    /// Creates a pipeline from a validated declaration whose name is free, and journals
    /// the call.
    pub(crate) fn insert(
        &mut self,
        declaration: PipelineDeclaration,
        tags: Vec<Tag>,
    ) -> Arc<PipelineSlot> {
        let counter = self.created.entry(declaration.name.clone()).or_default();
        *counter += 1;
        let incarnation = *counter;
        let now = self.cx.now();
        self.cx.record(incarnation, now);
        let slot = self
            .cx
            .inner
            .new_slot(self.cx.scope, declaration, tags, incarnation, now);
        self.cx
            .scope
            .pipelines
            .insert(Box::from(&*slot.ident.name), Arc::clone(&slot));
        let mut effects = self.cx.effects();
        slot.engine.lock().schedule_start_after_create(&mut effects);
        self.cx.effects_done(&slot, effects);
        slot
    }

    /// Deletes the pipeline of that name, if there is one, and journals the call.
    pub(crate) fn remove(&mut self, name: &str) -> bool {
        let Some((_, slot)) = self.cx.scope.pipelines.remove(name) else {
            return false;
        };
        self.cx.record(slot.incarnation, self.cx.now());
        let mut engine = slot.engine.lock();
        // Its jobs end with it: a late result finds them ended, not running.
        let jobs = engine.running_jobs();
        engine.delete();
        if !jobs.is_empty() {
            JobBoard::of(&self.cx.scope.parts).lock().end_all(jobs);
        }
        drop(engine);
        tracing::debug!(pipeline = %name, "pipeline deleted");
        true
    }
}
