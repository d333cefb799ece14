//! Replay of a state file's journal: the recorded engine calls, made again in order.
//!
//! Each record carries the simulated moment its call happened at, and replay passes
//! exactly that moment to the engine, so every draw, id and status comes out as it did.
//! Timers are the one thing replay does not take from the clock: each timer that fired
//! in the live run has its own record, and fires at that point of the replay. Timers
//! scheduled but not yet fired when the file ends go to the scheduler, and fire when
//! their time comes (at once, in real time, for those that fell due while pipesim was
//! down).
//!
//! A call of the CodePipeline API is recorded as its operation's name and input, and
//! replays through the very same [`Op::apply`] as the live call, with a [`Cx`] that
//! takes its moment from the record (see `call`). The harness's own changes (timers,
//! fault rules, finishing actions, settings, reset, webhook deliveries) have records of
//! their own.
//!
//! A compacted file starts with a snapshot, in chunks: [`restore`] puts everything they
//! hold back, timers included, and the records after them replay on top. A snapshot
//! whose chunks are out of order, or which ends before its last chunk, is refused.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use crate::engine::behaviour::ActionEnd;
use crate::engine::{Effects, PipelineEngine, PipelineIdent, Timer};
use crate::model::Timestamp;
use crate::ops::{Op, with_operations};
use crate::persist::{Key, Record, Snapshot};

use super::harness::RunOf;
use super::{Cx, EngineCell, Inner, PipelineSlot, TimerItem};

/// Copies of one timer of one pipeline: when each was scheduled (a running count, so
/// replay schedules them in the order the live run did), when it is due, the pipeline.
type Scheduled = VecDeque<(u64, Timestamp, Arc<PipelineSlot>)>;

/// Timers the replayed calls scheduled and no replayed firing has used yet, by the
/// pipeline slot's address and the timer.
#[derive(Default)]
pub(super) struct Pending {
    by_timer: HashMap<(usize, Timer), Scheduled>,
    scheduled: u64,
}

impl Pending {
    pub(super) fn add(&mut self, slot: &Arc<PipelineSlot>, effects: Effects) {
        for (due, timer) in effects.timers {
            self.add_one(slot, due, timer);
        }
    }

    fn add_one(&mut self, slot: &Arc<PipelineSlot>, due: Timestamp, timer: Timer) {
        self.scheduled += 1;
        self.by_timer
            .entry((Arc::as_ptr(slot) as usize, timer))
            .or_default()
            .push_back((self.scheduled, due, Arc::clone(slot)));
    }

    fn fired(&mut self, slot: &Arc<PipelineSlot>, timer: Timer) {
        let key = (Arc::as_ptr(slot) as usize, timer);
        if let Some(waiting) = self.by_timer.get_mut(&key) {
            waiting.pop_front();
            if waiting.is_empty() {
                self.by_timer.remove(&key);
            }
        }
    }

    fn into_timers(self) -> impl Iterator<Item = (Timestamp, TimerItem)> {
        let mut timers: Vec<(u64, Timestamp, TimerItem)> = self
            .by_timer
            .into_iter()
            .flat_map(|((_, timer), waiting)| {
                waiting
                    .into_iter()
                    .map(move |(order, due, slot)| (order, due, (slot, timer)))
            })
            .collect();
        timers.sort_by_key(|(order, _, _)| *order);
        timers.into_iter().map(|(_, due, item)| (due, item))
    }
}

/// Replays `records` into a simulator that has just been built and holds nothing.
///
/// # Errors
/// A snapshot that does not fit the pipeline it describes.
pub(super) fn replay(inner: &Inner, records: Vec<Record>) -> Result<(), String> {
    let count = records.len();
    let pending = RefCell::new(Pending::default());
    let mut skipped = 0usize;
    let mut chunks = Chunks::default();
    for record in records {
        if let Record::Snapshot { snapshot } = record {
            restore(inner, *snapshot, &mut pending.borrow_mut(), &mut chunks)?;
        } else {
            chunks.complete()?;
            if !apply(inner, record, &pending)? {
                skipped += 1;
            }
        }
    }
    chunks.complete()?;
    inner.scheduler.schedule(pending.into_inner().into_timers());
    if count > 0 {
        tracing::info!(
            records = count,
            late_calls = skipped,
            "state restored from the state file"
        );
    }
    Ok(())
}

/// Where a snapshot's chunks have got to: the next chunk expected, while one is being
/// read.
#[derive(Default)]
struct Chunks {
    next: Option<u64>,
}

impl Chunks {
    /// Refuses a snapshot whose last chunk has not come. A compacted file is written
    /// whole and synced before it takes the journal's place, so a missing chunk is
    /// damage, and restoring part of the pipelines would lose the others silently.
    fn complete(&self) -> Result<(), String> {
        match self.next {
            Some(next) => Err(format!(
                "the snapshot ends before its last chunk (chunk {next} is missing)"
            )),
            None => Ok(()),
        }
    }
}

/// Restores one chunk of a snapshot into a simulator that held nothing before its
/// chunk 0 (see [`Snapshot`] for what each chunk holds).
fn restore(
    inner: &Inner,
    snapshot: Snapshot,
    pending: &mut Pending,
    chunks: &mut Chunks,
) -> Result<(), String> {
    let expected = chunks.next.unwrap_or(0);
    if snapshot.chunk != expected {
        return Err(format!(
            "the snapshot's chunk {} comes where chunk {expected} belongs",
            snapshot.chunk
        ));
    }
    chunks.next = (!snapshot.last).then_some(expected + 1);
    moment(inner, snapshot.now);
    for saved in snapshot.scopes {
        let scope = inner.scope(&saved.account, &saved.region);
        if snapshot.chunk == 0 {
            *scope.registry.lock() = saved.registry.into_iter().collect();
            scope.parts.restore(saved.parts)?;
        }
        for pipeline in saved.pipelines {
            let ident = Arc::new(PipelineIdent {
                account: Arc::clone(&scope.account),
                region: Arc::clone(&scope.region),
                name: Arc::from(pipeline.name.as_str()),
                caller: Arc::clone(&scope.caller),
            });
            let engine =
                PipelineEngine::restore(Arc::clone(&ident), inner.config, pipeline.engine)?;
            scope.pipelines.insert(
                pipeline.name.into_boxed_str(),
                Arc::new(PipelineSlot {
                    ident,
                    incarnation: pipeline.incarnation,
                    engine: EngineCell::new(engine, pipeline.tags),
                }),
            );
        }
    }
    if let Some(faults) = snapshot.faults {
        inner
            .faults
            .restore(faults)
            .map_err(|err| format!("a saved fault rule or rate limit is invalid: {err}"))?;
    }
    for saved in snapshot.timers {
        let slot = slot(inner, &saved.key)
            .ok_or_else(|| format!("a saved timer names no pipeline: {:?}", saved.key))?;
        pending.add_one(&slot, Timestamp::from_millis(saved.due), saved.timer);
    }
    Ok(())
}

/// The slot of the incarnation a record names; `None` when it was deleted (a late
/// call on a deleted pipeline, which changed nothing when it was made either).
pub(super) fn slot(inner: &Inner, key: &Key) -> Option<Arc<PipelineSlot>> {
    let scope = inner.scope(&key.account, &key.region);
    let slot = scope
        .pipelines
        .get(key.name.as_str())
        .map(|entry| Arc::clone(entry.value()))?;
    (slot.incarnation == key.incarnation).then_some(slot)
}

/// Makes one engine call of the harness again at its moment, keeping the timers it
/// schedules.
fn call(
    inner: &Inner,
    pending: &RefCell<Pending>,
    key: &Key,
    at: u64,
    call: impl FnOnce(&mut PipelineEngine, Timestamp, &mut Effects),
) -> bool {
    let Some(slot) = slot(inner, key) else {
        return false;
    };
    let at = moment(inner, at);
    let mut effects = Effects::new(false);
    let mut engine = slot.engine.lock();
    call(&mut engine, at, &mut effects);
    inner.post_jobs(&slot, std::mem::take(&mut effects.jobs));
    drop(engine);
    pending.borrow_mut().add(&slot, effects);
    true
}

/// `at` as a timestamp; virtual time follows the replay forward.
fn moment(inner: &Inner, at: u64) -> Timestamp {
    let at = Timestamp::from_millis(at);
    inner.clock.advance_to(at);
    at
}

/// Replays one recorded call of operation `O` through its `apply`; false when it named
/// a pipeline that is gone.
fn replay_call<O: Op>(
    inner: &Inner,
    (account, region): (&str, &str),
    (incarnation, at): (u64, u64),
    input: &O::Input,
    choice: Option<&serde_json::Value>,
    pending: &RefCell<Pending>,
) -> bool {
    let scope = inner.scope(account, region);
    let at = moment(inner, at);
    let cx = Cx::<O>::replay(inner, &scope, input, (incarnation, at), choice, pending);
    // The live call answered whatever it answered; replay wants only its changes.
    let _ = O::apply(&cx, input);
    cx.reached()
}

/// Declares [`replay_recorded`] from the registry of operations.
macro_rules! replay_any_operation {
    ($($family:ident::$op:ident),+ $(,)?) => {
        /// Replays a recorded call of the operation named `operation`, its input read
        /// from JSON.
        fn replay_recorded(
            inner: &Inner,
            operation: &str,
            scope: (&str, &str),
            (incarnation, at): (u64, u64),
            input: serde_json::Value,
            choice: Option<&serde_json::Value>,
            pending: &RefCell<Pending>,
        ) -> Result<bool, String> {
            use crate::ops::*;
            let unreadable = |err: serde_json::Error| {
                format!("a recorded {operation} call cannot be read: {err}")
            };
            match Operation::from_name(operation) {
                $(Some(Operation::$op) => {
                    let input = serde_json::from_value::<<$family::$op as Op>::Input>(input)
                        .map_err(unreadable)?;
                    Ok(replay_call::<$family::$op>(
                        inner, scope, (incarnation, at), &input, choice, pending,
                    ))
                })+
                _ => Err(format!(
                    "the state file records a call of '{operation}', an operation this \
                     version of pipesim does not serve; open it with the version that wrote it"
                )),
            }
        }
    };
}
with_operations!(replay_any_operation);

/// Applies one record; false when it named a pipeline that is gone.
///
/// # Errors
/// A recorded call that cannot be read.
fn apply(inner: &Inner, record: Record, pending: &RefCell<Pending>) -> Result<bool, String> {
    Ok(match record {
        Record::Header(_) | Record::Snapshot { .. } => true,
        Record::Call {
            operation,
            account,
            region,
            incarnation,
            at,
            input,
            choice,
        } => {
            return replay_recorded(
                inner,
                &operation,
                (&account, &region),
                (incarnation, at),
                input,
                choice.as_ref(),
                pending,
            );
        }
        // The harness's own records.
        Record::Fire { key, at, timer } => {
            let Some(slot) = slot(inner, &key) else {
                return Ok(false);
            };
            pending.borrow_mut().fired(&slot, timer);
            call(inner, pending, &key, at, |e, at, fx| e.fire(timer, at, fx))
        }
        Record::FinishAction {
            key,
            at,
            execution_id,
            stage,
            action,
            rule,
            result,
            code,
            message,
        } => call(inner, pending, &key, at, |e, at, fx| {
            let end = ActionEnd {
                result,
                code,
                message,
            };
            let run = (execution_id.as_str(), stage.as_str(), action.as_str());
            let _ = RunOf::from_record(rule).finish(e, run, &end, at, fx);
        }),
        Record::GitEvent { key, at, event } => call(inner, pending, &key, at, |e, at, fx| {
            let _ = e.start_from_git(&event, at, fx);
        }),
        Record::ScriptAction {
            key,
            stage,
            action,
            rule,
            runs,
        } => match slot(inner, &key) {
            Some(slot) => {
                let mut engine = slot.engine.lock();
                let of = RunOf::from_record(rule);
                of.script(&mut engine, &stage, &action, runs).is_ok()
            }
            None => false,
        },
        Record::Configure { key, settings } => match slot(inner, &key) {
            Some(slot) => {
                slot.engine.lock().configure(settings);
                true
            }
            None => false,
        },
        Record::AddFault { at, rule } => inner
            .faults
            .add_rule(rule, Timestamp::from_millis(at))
            .is_ok(),
        Record::RemoveFault { id } => inner.faults.remove_rule(&id),
        Record::ClearFaults => {
            inner.faults.clear_rules();
            true
        }
        Record::AddRateLimit { limit } => inner.faults.add_limit(limit).is_ok(),
        Record::RemoveRateLimit { id } => inner.faults.remove_limit(&id),
        Record::ClearRateLimits => {
            inner.faults.clear_limits();
            true
        }
        Record::WebhookDelivered { key, at, webhook } => {
            let at = moment(inner, at);
            super::webhooks::replay_delivery(inner, pending, &key, at, &webhook)
        }
        Record::Reset => {
            inner.reset();
            *pending.borrow_mut() = Pending::default();
            true
        }
        Record::Clock { at } => {
            moment(inner, at);
            true
        }
        Record::RegisterActionType {
            account,
            region,
            declaration,
        } => {
            super::registered_types::replay(inner, &account, &region, *declaration);
            true
        }
    })
}
