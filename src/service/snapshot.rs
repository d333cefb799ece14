//! A snapshot of everything a simulator holds, written when its state file is
//! compacted: every pipeline of every scope with its engine's whole state, the
//! incarnation counters, the fault rules and rate limits, and every waiting timer.
//!
//! A snapshot is taken in two steps, so that changes are held off only briefly:
//!
//! 1. **The cut** ([`Inner::cut`]), with the world lock held exclusively, so it falls
//!    between two changes (and the journal is told to keep the records appended after
//!    it, `Journal::begin_compaction`, under the same lock). It copies what is small:
//!    the clock, the fault rules, the timers, each scope's registry and parts, and the
//!    list of pipelines; and it marks every pipeline as unsaved, giving it its place in
//!    the snapshot. It serialises no engine, so it takes about a microsecond a pipeline.
//! 2. **The pass** ([`Inner::write_snapshot`]), with no world lock: the pipelines are
//!    visited in the snapshot's order and each is saved (serialised) under its own
//!    engine's lock, unless something saved it already. Any path that locks an engine
//!    or its tags saves the pipeline first if it is unsaved (`engine_cell`), so every
//!    pipeline is saved as it was at the cut, whatever happened since: a pipeline
//!    changed, or deleted, after the cut is in the snapshot as it was at the cut, and
//!    one created after it is not (its create is journaled after the cut).
//!
//! So the snapshot is exactly the state at the cut, and replaying it with the records
//! appended after the cut gives the live state. A change waits for a snapshot only
//! while the cut is taken, or while its own pipeline is saved (one pipeline's
//! serialisation, once per compaction).

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use crate::faults::SavedFaults;
use crate::persist::{Key, SNAPSHOT_OP, SavedTimer};

use super::engine_cell::{Pieces, Place};
use super::scope_parts::SavedParts;
use super::{Inner, PipelineSlot};

/// A chunk is closed once it holds this many bytes, so that each is one frame.
const CHUNK_BYTES: usize = 16 << 20;

/// The most one chunk may hold: the frame reader refuses records above 64 MiB
/// (`persist::frame`), so a pipeline whose own part is larger cannot be snapshotted.
const CHUNK_LIMIT: usize = (64 << 20) - 4096;

/// What a cut took: everything but the pipelines serialised, and the pipelines to save.
pub(super) struct Cut {
    /// Chunk 0: the clock, the fault rules and every scope without its pipelines.
    head: Vec<u8>,
    scopes: Vec<ScopeCut>,
    now: u64,
    /// The timers, serialised as a JSON array, for the last chunk.
    timers: Vec<u8>,
    pieces: Arc<Pieces>,
}

struct ScopeCut {
    /// `{"account":...,"region":...`: how a chunk opens the scope.
    key: Vec<u8>,
    pipelines: Vec<Arc<PipelineSlot>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SnapshotHead<'a> {
    op: &'static str,
    snapshot: HeadChunk<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HeadChunk<'a> {
    now: u64,
    chunk: u64,
    last: bool,
    faults: SavedFaults,
    scopes: Vec<ScopeHead<'a>>,
    /// The timers, when there is no pipeline and so no other chunk.
    timers: &'a [SavedTimer],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ScopeHead<'a> {
    account: &'a str,
    region: &'a str,
    registry: Vec<(String, u64)>,
    parts: SavedParts,
    pipelines: [(); 0],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ScopeKey<'a> {
    account: &'a str,
    region: &'a str,
}

/// `value` serialised as a JSON object, without its closing brace, so that more fields
/// can follow. `value` must serialise as an object with at least one field.
fn open_object(value: &impl Serialize) -> Vec<u8> {
    let mut json = serde_json::to_vec(value).expect("a snapshot always serialises");
    assert_eq!(json.pop(), Some(b'}'), "a snapshot's parts are objects");
    json
}

impl Inner {
    /// Takes a snapshot's cut. Call it with every change held off (the world lock held
    /// exclusively), so that the cut falls between two journal records.
    pub(super) fn cut(&self) -> Cut {
        let pieces = Arc::new(Pieces::default());
        let mut keys: HashMap<usize, Key> = HashMap::new();
        let mut scopes: Vec<_> = self.scopes();
        scopes.sort_by(|a, b| (&a.account, &a.region).cmp(&(&b.account, &b.region)));
        let mut cuts = Vec::with_capacity(scopes.len());
        let mut heads = Vec::with_capacity(scopes.len());
        let mut index = 0;
        for scope in &scopes {
            let mut registry: Vec<(String, u64)> = scope
                .registry
                .lock()
                .iter()
                .map(|(name, n)| (name.clone(), *n))
                .collect();
            registry.sort();
            let mut pipelines: Vec<(Box<str>, Arc<PipelineSlot>)> = scope
                .pipelines
                .iter()
                .map(|e| (e.key().clone(), Arc::clone(e.value())))
                .collect();
            pipelines.sort_by(|a, b| a.0.cmp(&b.0));
            let pipelines: Vec<Arc<PipelineSlot>> =
                pipelines.into_iter().map(|(_, slot)| slot).collect();
            for slot in &pipelines {
                keys.insert(Arc::as_ptr(slot) as usize, slot.key());
                slot.engine.mark(Place {
                    pieces: Arc::clone(&pieces),
                    index,
                    incarnation: slot.incarnation,
                });
                index += 1;
            }
            heads.push(ScopeHead {
                account: &scope.account,
                region: &scope.region,
                registry,
                parts: scope.parts.save(),
                pipelines: [],
            });
            cuts.push(ScopeCut {
                key: open_object(&ScopeKey {
                    account: &scope.account,
                    region: &scope.region,
                }),
                pipelines,
            });
        }
        // Timers of pipelines deleted since they were scheduled would be ignored when
        // they fire; they are left out.
        let timers: Vec<SavedTimer> = self
            .scheduler
            .pending()
            .into_iter()
            .filter_map(|(due, (slot, timer))| {
                let key = keys.get(&(Arc::as_ptr(&slot) as usize))?.clone();
                Some(SavedTimer {
                    key,
                    due: due.as_millis(),
                    timer,
                })
            })
            .collect();
        let now = self.clock.now().as_millis();
        let only = index == 0;
        let head = serde_json::to_vec(&SnapshotHead {
            op: SNAPSHOT_OP,
            snapshot: HeadChunk {
                now,
                chunk: 0,
                last: only,
                faults: self.faults.save(),
                scopes: heads,
                timers: if only { &timers } else { &[] },
            },
        })
        .expect("a snapshot always serialises");
        Cut {
            head,
            scopes: cuts,
            now,
            timers: serde_json::to_vec(&timers).expect("timers always serialise"),
            pieces,
        }
    }

    /// Writes the snapshot's records, as it was at `cut`, to `emit`: saves every
    /// pipeline the cut holds that nothing saved since, one at a time under its own
    /// lock, while changes go on. Answers the longest one pipeline was held while it was
    /// saved.
    ///
    /// # Errors
    /// What `emit` answers, or a pipeline too large for one record. Every pipeline of
    /// the cut is let go of even then.
    pub(super) fn write_snapshot(
        &self,
        cut: Cut,
        emit: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
    ) -> std::io::Result<std::time::Duration> {
        let Cut {
            head,
            scopes,
            now,
            timers,
            pieces,
        } = cut;
        let mut chunks = Chunks {
            emit,
            buffer: Vec::with_capacity(CHUNK_BYTES + (CHUNK_BYTES >> 2)),
            now,
            chunk: 0,
            scope: None,
            pipelines: 0,
        };
        let mut result = check_size(&head).and_then(|()| (chunks.emit)(&head));
        drop(head);
        let mut index = 0;
        for (at, scope) in scopes.iter().enumerate() {
            for slot in &scope.pipelines {
                if result.is_ok() {
                    result = chunks.push(at, &scope.key, |out| {
                        slot.engine.write_into(out, &pieces, index);
                    });
                } else {
                    slot.engine.let_go(&pieces, index);
                }
                index += 1;
            }
        }
        if index > 0 {
            result = result.and_then(|()| chunks.close(Some(&timers)));
        }
        result.map(|()| pieces.longest())
    }
}

/// The pipelines' chunks of a snapshot being written.
struct Chunks<'e> {
    emit: &'e mut dyn FnMut(&[u8]) -> std::io::Result<()>,
    /// The open chunk, empty when none is.
    buffer: Vec<u8>,
    now: u64,
    /// The number of the last chunk opened.
    chunk: u64,
    /// The scope open in the chunk, by its position.
    scope: Option<usize>,
    /// Pipelines in the open chunk.
    pipelines: usize,
}

impl Chunks<'_> {
    /// Adds one pipeline of scope `at` (whose key is `key`), written by `write`, to the
    /// open chunk; once the chunk is full it goes out and the pipeline opens the next.
    fn push(
        &mut self,
        at: usize,
        key: &[u8],
        write: impl FnOnce(&mut Vec<u8>),
    ) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            self.open();
        }
        let before = self.buffer.len();
        self.enter(at, key);
        let start = self.buffer.len();
        write(&mut self.buffer);
        if self.buffer.len() > CHUNK_BYTES && self.pipelines > 0 {
            let piece = self.buffer.split_off(start);
            self.buffer.truncate(before);
            self.close(None)?;
            self.open();
            self.enter(at, key);
            self.buffer.extend_from_slice(&piece);
        }
        self.pipelines += 1;
        Ok(())
    }

    fn open(&mut self) {
        self.chunk += 1;
        self.buffer.clear();
        self.buffer.extend_from_slice(
            format!(
                "{{\"op\":\"{SNAPSHOT_OP}\",\"snapshot\":{{\"now\":{},\"chunk\":{},\"scopes\":[",
                self.now, self.chunk
            )
            .as_bytes(),
        );
        self.scope = None;
        self.pipelines = 0;
    }

    /// Opens scope `at`'s pipelines in the chunk, unless they are open.
    fn enter(&mut self, at: usize, key: &[u8]) {
        if self.scope == Some(at) {
            self.buffer.push(b',');
            return;
        }
        if self.scope.is_some() {
            self.buffer.extend_from_slice(b"]},");
        }
        self.buffer.extend_from_slice(key);
        self.buffer.extend_from_slice(b",\"pipelines\":[");
        self.scope = Some(at);
    }

    /// Sends the open chunk out; the last one carries the timers.
    fn close(&mut self, timers: Option<&[u8]>) -> std::io::Result<()> {
        if self.scope.is_some() {
            self.buffer.extend_from_slice(b"]}");
        }
        self.buffer.extend_from_slice(b"]");
        if let Some(timers) = timers {
            self.buffer.extend_from_slice(b",\"timers\":");
            self.buffer.extend_from_slice(timers);
        }
        self.buffer.extend_from_slice(if timers.is_some() {
            b",\"last\":true}}"
        } else {
            b",\"last\":false}}"
        });
        check_size(&self.buffer)?;
        (self.emit)(&self.buffer)?;
        self.buffer.clear();
        Ok(())
    }
}

/// Refuses a chunk too large for one record, rather than writing a file that would not
/// open.
fn check_size(chunk: &[u8]) -> std::io::Result<()> {
    if chunk.len() > CHUNK_LIMIT {
        return Err(std::io::Error::other(format!(
            "a snapshot chunk of {} bytes is above the {} a record may hold: a pipeline \
             retains too much to be snapshotted (lower its history limit)",
            chunk.len(),
            CHUNK_LIMIT
        )));
    }
    Ok(())
}
