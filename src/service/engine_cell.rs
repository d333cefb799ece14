//! A pipeline's engine and tags behind their locks, saved for a compaction's snapshot
//! before anything changes them after the snapshot's cut: the copy-on-write that lets
//! a compaction hold every change off only for the cut, not for the whole snapshot.
//!
//! A compaction takes its cut with the world lock held exclusively (`snapshot.rs`):
//! it marks every pipeline it holds as unsaved, handing each a place in the snapshot.
//! From then on each pipeline is saved (its part of the snapshot serialised) exactly
//! once, under its engine's lock, by whichever comes first: the compaction's own pass,
//! which visits the pipelines in the snapshot's order, or any path that locks the
//! engine or the tags. The only way to those locks is [`EngineCell::lock`] and
//! [`EngineCell::tags`], whose first step is the check (one atomic load), so no path
//! can change a pipeline the snapshot has not saved yet: the snapshot is the state at
//! the cut, and the journal records appended after the cut apply on top of it.
//!
//! Locks: `engine`, then `waiting` (held only to take or hand over the place), then
//! `tags`, then the cut's `pieces`; the world lock is never taken here.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::engine::PipelineEngine;
use crate::engine::saved::SavedRef;
use crate::model::Tag;
use crate::sync::{Mutex, MutexGuard};

/// One pipeline's engine and tags, and its place in a snapshot being written.
pub(crate) struct EngineCell {
    /// Held only for one pure engine call; never across `.await`.
    engine: Mutex<PipelineEngine>,
    /// The pipeline's tags, in the order their keys were first set. Apart from the
    /// engine because executions never read them.
    tags: Mutex<Vec<Tag>>,
    /// Whether a cut holds this pipeline and it is not saved yet: `waiting` is set.
    unsaved: AtomicBool,
    waiting: Mutex<Option<Box<Place>>>,
}

/// Where a pipeline's part of a snapshot goes.
pub(super) struct Place {
    pub(super) pieces: Arc<Pieces>,
    /// Its position among the snapshot's pipelines.
    pub(super) index: usize,
    pub(super) incarnation: u64,
}

/// The parts of a snapshot saved before the compaction's pass reached them, and the
/// longest any pipeline was held saving its part.
#[derive(Default)]
pub(super) struct Pieces {
    saved: Mutex<std::collections::HashMap<usize, Vec<u8>>>,
    longest_nanos: AtomicU64,
}

impl Pieces {
    fn held(&self, took: Duration) {
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.longest_nanos.fetch_max(nanos, Ordering::AcqRel);
    }

    /// The longest a pipeline was held while its part was saved.
    pub(super) fn longest(&self) -> Duration {
        Duration::from_nanos(self.longest_nanos.load(Ordering::Acquire))
    }
}

/// One pipeline as a snapshot holds it (read back as `persist::PipelineSnapshot`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PipelineRef<'a> {
    name: &'a str,
    incarnation: u64,
    tags: &'a [Tag],
    engine: SavedRef<'a>,
}

impl EngineCell {
    pub(super) fn new(engine: PipelineEngine, tags: Vec<Tag>) -> Self {
        Self {
            engine: Mutex::new(engine),
            tags: Mutex::new(tags),
            unsaved: AtomicBool::new(false),
            waiting: Mutex::new(None),
        }
    }

    /// Locks the engine, first saving the pipeline for the snapshot being written if
    /// that has not been done.
    pub(crate) fn lock(&self) -> MutexGuard<'_, PipelineEngine> {
        let engine = self.engine.lock();
        if self.unsaved.load(Ordering::Acquire) {
            self.save(&engine);
        }
        engine
    }

    /// Locks the tags, first saving the pipeline for the snapshot being written if that
    /// has not been done.
    pub(crate) fn tags(&self) -> MutexGuard<'_, Vec<Tag>> {
        if self.unsaved.load(Ordering::Acquire) {
            let engine = self.engine.lock();
            self.save(&engine);
        }
        self.tags.lock()
    }

    /// Gives the pipeline its place in a snapshot whose cut is being taken. Called with
    /// the world lock held exclusively, so no change is under way.
    pub(super) fn mark(&self, place: Place) {
        *self.waiting.lock() = Some(Box::new(place));
        self.unsaved.store(true, Ordering::Release);
    }

    /// Saves the pipeline into its place, if it still has one; `engine` is its locked
    /// engine.
    fn save(&self, engine: &PipelineEngine) {
        let Some(place) = self.waiting.lock().take() else {
            return;
        };
        self.unsaved.store(false, Ordering::Release);
        let started = Instant::now();
        let mut piece = Vec::new();
        self.write(&mut piece, &place, engine);
        place.pieces.held(started.elapsed());
        place.pieces.saved.lock().insert(place.index, piece);
    }

    fn write(&self, out: &mut Vec<u8>, place: &Place, engine: &PipelineEngine) {
        let tags = self.tags.lock();
        let pipeline = PipelineRef {
            name: &engine.ident().name,
            incarnation: place.incarnation,
            tags: &tags,
            engine: engine.saved(),
        };
        serde_json::to_writer(out, &pipeline).expect("a pipeline always serialises");
    }

    /// Lets go of the pipeline's place in a snapshot that will not be written (its
    /// compaction failed), and of its part if it was saved already.
    pub(super) fn let_go(&self, pieces: &Pieces, index: usize) {
        let _engine = self.engine.lock();
        if self.waiting.lock().take().is_some() {
            self.unsaved.store(false, Ordering::Release);
        } else {
            pieces.saved.lock().remove(&index);
        }
    }

    /// The compaction's pass: appends the pipeline's part of the snapshot at `index` of
    /// `pieces` to `out`, saving it now unless a change or a read saved it already.
    pub(super) fn write_into(&self, out: &mut Vec<u8>, pieces: &Pieces, index: usize) {
        let engine = self.engine.lock();
        let place = self.waiting.lock().take();
        match place {
            Some(place) => {
                self.unsaved.store(false, Ordering::Release);
                let started = Instant::now();
                self.write(out, &place, &engine);
                pieces.held(started.elapsed());
            }
            None => {
                drop(engine);
                let piece = pieces.saved.lock().remove(&index);
                out.extend_from_slice(&piece.expect("a pipeline taken from its place is saved"));
            }
        }
    }
}
