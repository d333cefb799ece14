//! Compaction: replacing the journal with a shorter file that says the same. The
//! simulator takes a snapshot's cut with every change held off and calls
//! `begin_compaction`; from then on appended records are kept twice. `finish_compaction`
//! writes the header, the snapshot's records (written as the simulator serialises them,
//! a chunk at a time, while changes go on) and those records to `<journal>.compacting`,
//! syncs it, renames it over the journal and moves the writer to it. A crash before the rename leaves the
//! `.compacting` file behind, which the next open removes; the journal is whole.
//!
//! Locks (see `writer.rs`), none held across `.await`:
//! - `begin_compaction` holds `pending` to start keeping records; a failed
//!   `finish_compaction` holds it to stop;
//! - `finish_compaction` takes `header` alone to copy the header, then writes the
//!   snapshot with no journal lock held;
//!   then it holds `pending` while it writes and syncs the records appended since the
//!   snapshot, renames the file over the journal and moves the writer to it, so no
//!   append is lost or written twice (appends wait meanwhile). Inside `pending` it takes
//!   `header` (released at once), then `output`. Both are released before it clears
//!   `compaction_wanted`, which it takes alone;
//! - [`CompactionSignal::wait`] takes `pending` alone to see whether the journal is
//!   closing, then waits on `compaction_wake` with `compaction_wanted`;
//!   `Journal::wait_for_compaction` does the same, the other way round, never both.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::frame::frame;
use super::writer::{Journal, Shared};
use super::{MAGIC, StateError};

impl Journal {
    /// Marks the start of a compaction whose snapshot holds every record appended so
    /// far; records appended from now on are kept for the compacted file too. Call it
    /// with every change held off, as the snapshot is taken.
    pub(crate) fn begin_compaction(&self) {
        let mut pending = self.shared.pending.lock();
        // The records since the snapshot name strings by the numbers this file gave
        // them: the compacted file defines them all again, in the same order.
        pending.since_snapshot = Some(pending.strings.frames());
    }

    /// Writes the compacted file (the header, the snapshot's records, the records
    /// appended since the snapshot's cut) beside the journal, syncs it, and puts it in
    /// the journal's place. `write_snapshot` hands each of the snapshot's record
    /// payloads, in order, to the function it is given, which frames and writes it; it
    /// runs while appends go on. On an error the journal is left as it was, complete.
    pub(crate) fn finish_compaction(
        &self,
        write_snapshot: &mut SnapshotWriter<'_>,
    ) -> Result<u64, StateError> {
        let shared = &self.shared;
        let compacting = compacting_path(&shared.path);
        let result = self.write_compacted(&compacting, write_snapshot);
        if result.is_err() {
            shared.pending.lock().since_snapshot = None;
            let _ = std::fs::remove_file(&compacting);
        }
        result.map_err(|source| StateError::Io {
            path: compacting,
            source,
        })
    }

    fn write_compacted(
        &self,
        compacting: &Path,
        write_snapshot: &mut SnapshotWriter<'_>,
    ) -> std::io::Result<u64> {
        let shared = &self.shared;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, File::create(compacting)?);
        out.write_all(MAGIC)?;
        let header = shared.header.lock().clone();
        out.write_all(&header)?;
        let mut written = (MAGIC.len() + header.len()) as u64;
        let mut framed = Vec::new();
        write_snapshot(&mut |payload: &[u8]| {
            framed.clear();
            frame(&mut framed, payload);
            written += framed.len() as u64;
            out.write_all(&framed)
        })?;
        drop(framed);
        let mut file = out
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        file.sync_data()?;
        // Appends wait from here until the compacted file has taken the journal's place,
        // so that it misses none of them: one write and one sync of the few records
        // that came in while the snapshot was written.
        let mut pending = shared.pending.lock();
        if pending.closing {
            // Closed meanwhile: its lock is let go, and another simulator may have the
            // file now. The journal is whole without this.
            return Err(std::io::Error::other(
                "the state file was closed while it was being compacted",
            ));
        }
        let since = pending.since_snapshot.take().unwrap_or_default();
        file.write_all(&since)?;
        file.sync_data()?;
        std::fs::rename(compacting, &shared.path)?;
        // From here on the compacted file is the journal, so nothing may fail before the
        // writer is moved to it. The rename should survive a power cut too: sync the
        // directory, and only warn when that is not possible.
        if let Some(dir) = shared.path.parent().filter(|d| !d.as_os_str().is_empty())
            && let Err(err) = File::open(dir).and_then(|dir| dir.sync_all())
        {
            tracing::warn!(%err, dir = %dir.display(), "cannot sync the state file's directory");
        }
        let size = written + since.len() as u64;
        let mut output = shared.output.lock();
        output.file = Arc::new(file);
        output.generation += 1;
        pending.generation = output.generation;
        pending.buffer.clear();
        shared.size.store(size, Ordering::Release);
        shared.compacted_size.store(size, Ordering::Release);
        shared.written.fetch_max(pending.appended, Ordering::AcqRel);
        shared.durable.fetch_max(pending.appended, Ordering::AcqRel);
        drop(output);
        drop(pending);
        // Requests a leader made while this compaction ran are answered by it.
        shared.compaction_wanted.lock().wanted = false;
        shared.progress.notify_waiters();
        Ok(size)
    }

    /// A handle the compaction thread waits on, which keeps nothing else alive.
    pub(crate) fn compaction_signal(&self) -> CompactionSignal {
        CompactionSignal(Arc::clone(&self.shared))
    }
}

/// What writes a snapshot's records: it hands each payload, in order, to the function
/// it is given (which frames and writes it), and stops at the first error.
pub(crate) type SnapshotWriter<'a> =
    dyn FnMut(&mut dyn FnMut(&[u8]) -> std::io::Result<()>) -> std::io::Result<()> + 'a;

/// Where a compaction writes the file that will replace the journal.
pub(super) fn compacting_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".compacting");
    PathBuf::from(name)
}

/// What the compaction thread waits on.
pub(crate) struct CompactionSignal(Arc<Shared>);

impl CompactionSignal {
    /// Asks for a compaction, as a leader does when the file has grown.
    pub(crate) fn request(&self) {
        self.0.compaction_wanted.lock().wanted = true;
        self.0.compaction_wake.notify_all();
    }

    /// Waits up to `timeout` for a compaction to be asked for: `Some(true)` when it was
    /// (the caller runs it, then calls [`done`](Self::done)), `Some(false)` when it was
    /// not, `None` once the journal is closed.
    pub(crate) fn wait(&self, timeout: Duration) -> Option<bool> {
        let shared = &self.0;
        if shared.pending.lock().closing {
            return None;
        }
        let mut state = shared.compaction_wanted.lock();
        if !state.wanted {
            shared.compaction_wake.wait_for(&mut state, timeout);
        }
        let wanted = std::mem::take(&mut state.wanted);
        state.running = wanted;
        Some(wanted)
    }

    /// Says that the compaction [`wait`](Self::wait) answered for has ended.
    pub(crate) fn done(&self) {
        self.0.compaction_wanted.lock().running = false;
        self.0.compaction_wake.notify_all();
    }
}

impl Journal {
    /// Blocks until no compaction is asked for or running, or the journal is closed.
    pub(crate) fn wait_for_compaction(&self) {
        let shared = &self.shared;
        let mut state = shared.compaction_wanted.lock();
        while state.wanted || state.running {
            // The compaction thread stops once the journal closes: look now and then.
            let timed_out = shared
                .compaction_wake
                .wait_for(&mut state, Duration::from_millis(50))
                .timed_out();
            if timed_out {
                drop(state);
                if shared.pending.lock().closing {
                    return;
                }
                state = shared.compaction_wanted.lock();
            }
        }
    }
}
