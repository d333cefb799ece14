//! What moves time: the task that fires timers as real time reaches them, virtual time's
//! [`Simulator::advance`], and the thread that compacts the state file when its writer
//! asks.
//!
//! Locks: firing a timer takes the world lock (shared), the pipeline's engine, then the
//! scheduler's heap to push the timers it schedules, as a call does. `advance` holds the
//! async `Inner::advance` mutex across its firings so that virtual time moves in one
//! place at a time; it holds no other lock across an `.await`.

use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::sync::Notify;

use crate::persist::{self, Record};

use super::{Inner, Simulator, TimerItem};

/// Compacts the state file whenever its writer asks, until the simulator is gone. Holds
/// the simulator only while compacting, so it never keeps it alive.
pub(super) fn spawn_compactor(
    inner: Weak<Inner>,
    signal: persist::CompactionSignal,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("pipesim-compact".into())
        .spawn(move || {
            while let Some(wanted) = signal.wait(Duration::from_secs(1)) {
                let Some(inner) = inner.upgrade() else { return };
                if wanted {
                    if let Err(err) = inner.compact() {
                        tracing::warn!(%err, "cannot compact the state file; it stays as it was");
                    }
                    signal.done();
                }
            }
        })
        .map(drop)
}

/// Fires timers as real (or tokio-paused) time reaches them: the one task that moves
/// every execution forward. Ends when the simulator is dropped.
pub(super) async fn drive(inner: Weak<Inner>, wake: Arc<Notify>) {
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

impl Inner {
    /// Fires one timer at the clock's moment, and journals it: a timer firing is a
    /// change like a call.
    pub(super) fn fire(&self, (slot, timer): TimerItem) {
        let _world = self.hold();
        let mut engine = slot.engine.lock();
        let mut effects = self.effects();
        let now = self.clock.now();
        if let Some(journal) = self.journal.get() {
            let ident = &slot.ident;
            journal.append_fire(&persist::FireParts {
                account: &ident.account,
                region: &ident.region,
                name: &ident.name,
                incarnation: slot.incarnation,
                at: now.as_millis(),
                timer,
            });
        }
        engine.fire(timer, now, &mut effects);
        self.dispatch(&slot, effects);
    }
}

impl Simulator {
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
            if fired.is_multiple_of(1024) {
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
}
