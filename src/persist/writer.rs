//! The [`Journal`]: opening a state file (reading its records, dropping a torn tail),
//! appending records, waiting until they are durable, the writer thread that moves them
//! to the file and syncs it, and closing.
//!
//! Locks, all in [`Shared`] but the first, none held across `.await`:
//! - `Journal::writer`, the writer thread's handle: taken only by `close`, alone;
//! - `pending`, the buffer of appended records and the journal's condition: held
//!   briefly by `append` (under the caller's own lock), `appended`, `durable` and
//!   `close`, and by the writer thread while it takes a batch, waits on `work`, or
//!   records that it failed or closed;
//! - `output`, the file: held by the writer thread while it writes and syncs a batch,
//!   with `pending` released, so appends go on meanwhile;
//! - `header`, the framed settings header: set alone by `set_header`;
//! - `compaction_wanted`: set by the writer thread with no other lock held (compaction
//!   clears it and waits on it, alone too).
//!
//! The writer never holds two of them at once. Compaction (`compaction.rs`) takes
//! `output` and `header` inside `pending`, so that order, `pending` first, is the only
//! nesting there is.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};
use tokio::sync::Notify;

use super::compaction::compacting_path;
use super::frame::{frame, read_records};
use super::{Fsync, Header, MAGIC, Record, StateError};

/// What [`Journal::open`] found in the file.
pub(crate) struct Opened {
    pub(crate) journal: Journal,
    /// The header of an existing file; `None` when the file is new or was empty.
    pub(crate) header: Option<Header>,
    pub(crate) records: Vec<Record>,
}

/// The open journal: appends records and answers when they are durable.
pub(crate) struct Journal {
    pub(super) shared: Arc<Shared>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

/// What the journal's callers, its writer thread and compaction share.
pub(super) struct Shared {
    pub(super) path: PathBuf,
    pub(super) pending: Mutex<Pending>,
    /// Wakes the writer when the buffer fills from empty, or when closing.
    work: Condvar,
    /// Records durable under the fsync policy; callers wait on `progress` for it.
    pub(super) durable: AtomicU64,
    pub(super) progress: Notify,
    fsync: Fsync,
    /// The file the writer appends to. Compaction swaps it for the compacted file.
    pub(super) output: Mutex<Output>,
    /// The settings header's frame, which every compacted file starts with.
    pub(super) header: Mutex<Vec<u8>>,
    /// Bytes in the file, and how many it had after the last compaction.
    pub(super) size: AtomicU64,
    pub(super) compacted_size: AtomicU64,
    compact_after: u64,
    /// Set by the writer when the file has grown enough to compact.
    pub(super) compaction_wanted: Mutex<bool>,
    pub(super) compaction_wake: Condvar,
}

/// The file being appended to.
pub(super) struct Output {
    pub(super) file: File,
    /// Which file this is: a batch taken for an earlier one is in the compacted file
    /// already, and is not written again.
    pub(super) generation: u64,
}

/// Records appended and not yet handed to the writer, and the journal's condition.
#[derive(Default)]
pub(super) struct Pending {
    pub(super) buffer: Vec<u8>,
    pub(super) appended: u64,
    pub(super) generation: u64,
    /// While a compaction runs: the records appended since its snapshot, which the
    /// compacted file must carry after it.
    pub(super) since_snapshot: Option<Vec<u8>>,
    pub(super) closing: bool,
    /// Set by the writer when it has written its last record after `closing`.
    closed: bool,
    /// Set when a write failed: nothing after it can be made durable.
    failed: Option<String>,
}

impl Journal {
    /// Opens or creates the journal at `path`, reads every record it holds, and starts
    /// the writer.
    pub(crate) fn open(
        path: &Path,
        fsync: Fsync,
        compact_after: u64,
    ) -> Result<Opened, StateError> {
        let io = |source| StateError::Io {
            path: path.to_owned(),
            source,
        };
        // A compaction cut off by a crash leaves its half-written file; the journal it
        // was to replace is still whole.
        let _ = std::fs::remove_file(compacting_path(path));
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io)?;
        let (header, records) = if bytes.is_empty() {
            file.write_all(MAGIC).map_err(io)?;
            file.sync_data().map_err(io)?;
            (None, Vec::new())
        } else {
            let read = read_records(path, &bytes)?;
            if read.good_len < bytes.len() as u64 {
                tracing::warn!(
                    path = %path.display(),
                    kept = read.records.len(),
                    dropped_bytes = bytes.len() as u64 - read.good_len,
                    "the state file ends in a torn record (the last write was cut off); \
                     recovering to the last good record"
                );
                file.set_len(read.good_len).map_err(io)?;
                file.sync_data().map_err(io)?;
            }
            let mut records = read.records.into_iter();
            let header = match records.next() {
                Some(Record::Header(header)) => Some(header),
                Some(_) => {
                    return Err(StateError::Corrupt {
                        path: path.to_owned(),
                        offset: MAGIC.len() as u64,
                        good: 0,
                        why: "the first record is not the settings header".into(),
                    });
                }
                None => None,
            };
            (header, records.collect())
        };
        let size = file.seek(SeekFrom::End(0)).map_err(io)?;
        let shared = Arc::new(Shared {
            path: path.to_owned(),
            pending: Mutex::new(Pending::default()),
            work: Condvar::new(),
            durable: AtomicU64::new(0),
            progress: Notify::new(),
            fsync,
            output: Mutex::new(Output {
                file,
                generation: 0,
            }),
            header: Mutex::new(Vec::new()),
            size: AtomicU64::new(size),
            compacted_size: AtomicU64::new(size),
            compact_after,
            compaction_wanted: Mutex::new(false),
            compaction_wake: Condvar::new(),
        });
        let writer = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("pipesim-journal".into())
                .spawn(move || write_loop(&shared))
                .map_err(io)?
        };
        Ok(Opened {
            journal: Journal {
                shared,
                writer: Mutex::new(Some(writer)),
            },
            header,
            records,
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.shared.path
    }

    /// Sets the settings header every compacted file starts with (the one the file has,
    /// or the one just appended to a new file).
    pub(crate) fn set_header(&self, header: &Header) {
        let payload = serde_json::to_vec(&Record::Header(header.clone()))
            .expect("a header always serialises");
        let mut framed = Vec::new();
        frame(&mut framed, &payload);
        *self.shared.header.lock() = framed;
    }

    /// Appends a record; answers its sequence number for [`durable`](Self::durable).
    /// Call it with the lock held that orders the change it records.
    pub(crate) fn append(&self, record: &impl serde::Serialize) -> u64 {
        let payload = serde_json::to_vec(record).expect("journal records always serialise");
        self.append_payload(&payload)
    }

    fn append_payload(&self, payload: &[u8]) -> u64 {
        let mut pending = self.shared.pending.lock();
        let was_empty = pending.buffer.is_empty();
        frame(&mut pending.buffer, payload);
        if let Some(since) = &mut pending.since_snapshot {
            frame(since, payload);
        }
        pending.appended += 1;
        if was_empty {
            self.shared.work.notify_one();
        }
        pending.appended
    }

    /// The sequence number of the last record appended.
    pub(crate) fn appended(&self) -> u64 {
        self.shared.pending.lock().appended
    }

    /// Waits until record `seq` is durable under the fsync policy.
    pub(crate) async fn durable(&self, seq: u64) -> Result<(), String> {
        loop {
            let progress = self.shared.progress.notified();
            tokio::pin!(progress);
            progress.as_mut().enable();
            if self.shared.durable.load(Ordering::Acquire) >= seq {
                return Ok(());
            }
            {
                let pending = self.shared.pending.lock();
                if let Some(failed) = &pending.failed {
                    return Err(failed.clone());
                }
                if pending.closed {
                    return Err(format!(
                        "the state file {} is closed (pipesim is shutting down)",
                        self.shared.path.display()
                    ));
                }
            }
            progress.await;
        }
    }

    /// Writes and syncs everything appended, then stops the writer. Called once, when
    /// the simulator shuts down.
    pub(crate) fn close(&self) {
        self.shared.pending.lock().closing = true;
        self.shared.work.notify_one();
        self.shared.compaction_wake.notify_all();
        let writer = self.writer.lock().take();
        if let Some(writer) = writer {
            let _ = writer.join();
        }
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        self.close();
    }
}

/// The writer thread: moves the buffer to the file, syncs as the policy says, tells
/// waiting callers how far it got, and asks for a compaction when the file has grown.
fn write_loop(shared: &Shared) {
    const EVERY: Duration = Duration::from_secs(1);
    let mut last_sync = Instant::now();
    let mut unsynced = false;
    loop {
        let (batch, upto, generation, closing) = {
            let mut pending = shared.pending.lock();
            while pending.buffer.is_empty() && !pending.closing {
                let timed_out = shared.work.wait_for(&mut pending, EVERY).timed_out();
                if timed_out && unsynced {
                    break;
                }
            }
            (
                std::mem::take(&mut pending.buffer),
                pending.appended,
                pending.generation,
                pending.closing,
            )
        };
        let sync_now = shared.fsync == Fsync::Always
            || closing
            || (unsynced || !batch.is_empty()) && last_sync.elapsed() >= EVERY;
        let result = {
            let mut output = shared.output.lock();
            // A batch taken before a compaction swapped the file is in the new file.
            let current = output.generation == generation;
            let write = if current {
                output.file.write_all(&batch)
            } else {
                Ok(())
            };
            write.and_then(|()| {
                if sync_now {
                    output.file.sync_data()
                } else {
                    Ok(())
                }
            })
        };
        match result {
            Ok(()) => {
                if sync_now {
                    last_sync = Instant::now();
                    unsynced = false;
                } else if !batch.is_empty() {
                    unsynced = true;
                }
                shared.durable.fetch_max(upto, Ordering::AcqRel);
                let size = shared.size.fetch_add(batch.len() as u64, Ordering::AcqRel)
                    + batch.len() as u64;
                let compacted = shared.compacted_size.load(Ordering::Acquire);
                if size > shared.compact_after && size > 2 * compacted {
                    *shared.compaction_wanted.lock() = true;
                    shared.compaction_wake.notify_all();
                }
            }
            Err(err) => {
                let why = format!("cannot write state file {}: {err}", shared.path.display());
                tracing::error!("{why}; calls that change state now fail");
                shared.pending.lock().failed = Some(why);
                shared.progress.notify_waiters();
                return;
            }
        }
        if closing {
            shared.pending.lock().closed = true;
            shared.progress.notify_waiters();
            return;
        }
        shared.progress.notify_waiters();
    }
}
