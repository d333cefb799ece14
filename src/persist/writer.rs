//! The [`Journal`]: opening a state file (reading its records, dropping a torn tail),
//! appending records, waiting until they are durable, writing them in groups, the
//! thread that syncs the file, and closing.
//!
//! ## Group commit without a thread hop
//!
//! A call appends its record to the `pending` buffer under its own lock and then waits
//! in [`Journal::durable`]. Waiting starts with one yield to the runtime, so that the
//! other calls ready on the same worker thread append their records too; then the first
//! waiter whose record is not yet written becomes the *leader*: it takes the whole
//! buffer and writes it with one `write` to the file (the page cache), on its own
//! thread. Everyone whose record was in that batch is then written. Under load that is
//! one write for every round of the runtime's queue, and no call waits for another
//! thread to wake up, which is what a dedicated writer thread cost on every batch.
//!
//! The `pipesim-journal` thread only syncs: at once after each write under
//! [`Fsync::Always`] (writes go on while it syncs, so the next sync carries everything
//! written meanwhile), once a second under [`Fsync::EverySec`]. It also writes records
//! that no call waits for (a timer's), within [`TICK`], and writes and syncs everything
//! when the journal closes.
//!
//! ## Locks
//!
//! All in [`Shared`] but the first, none held across `.await`:
//! - `Journal::syncer`, the sync thread's handle: taken only by `close`, alone;
//! - `leader`, the right to write (with the leader's spare buffer): taken with
//!   `try_lock` by a waiting call, and with `lock` by the sync thread; it comes first:
//!   its holder takes `pending` briefly, releases it, then takes `output`;
//! - `pending`, the buffer of appended records and the journal's condition: held
//!   briefly by `append` (under the caller's own lock), `appended`, `durable`, `close`,
//!   a leader taking its batch, and the sync thread while it waits on `work`;
//! - `output`, the file: held by a leader while it writes, and by the sync thread while
//!   it takes a handle to sync (the sync itself runs with no lock held);
//! - `header`, the framed settings header: set alone by `set_header`;
//! - `compaction_wanted`: set by a leader with no other lock but `leader` held
//!   (compaction clears it and waits on it, alone too).
//!
//! Compaction (`compaction.rs`) takes `output` and `header` inside `pending`, and never
//! takes `leader`; nothing takes `pending` while holding `output`, so there is no cycle.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};
use tokio::sync::Notify;

use super::compact::{CallParts, Encoder, FireParts, Strings};
use super::compaction::compacting_path;
use super::frame::{frame, read_records};
use super::{Fsync, Header, MAGIC, Record, StateError};

/// How long a record that no call waits for (a timer's) may stay in memory before the
/// sync thread writes it.
const TICK: Duration = Duration::from_millis(100);

/// How often [`Fsync::EverySec`] syncs.
const EVERY: Duration = Duration::from_secs(1);

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
    syncer: Mutex<Option<JoinHandle<()>>>,
    /// The lock file, held while the journal is open so that no other simulator, in
    /// this process or another, opens the same file.
    lock: Mutex<Option<File>>,
}

/// How long opening waits for a state file's lock: long enough for a simulator dropped
/// in this process to finish the compaction it is running, short enough to say soon
/// that another server has the file.
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// Takes the lock file beside `path`, waiting up to [`LOCK_WAIT`] for another holder.
fn lock(path: &Path) -> Result<File, StateError> {
    let mut lock = path.as_os_str().to_owned();
    lock.push(".lock");
    let lock = PathBuf::from(lock);
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock)
        .map_err(|source| StateError::Io {
            path: lock.clone(),
            source,
        })?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < LOCK_WAIT => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(StateError::InUse {
                    path: path.to_owned(),
                    lock,
                });
            }
            Err(std::fs::TryLockError::Error(source)) => {
                return Err(StateError::Io { path: lock, source });
            }
        }
    }
}

/// What the journal's callers, its sync thread and compaction share.
pub(super) struct Shared {
    pub(super) path: PathBuf,
    pub(super) pending: Mutex<Pending>,
    /// Wakes the sync thread after a write under [`Fsync::Always`], or when closing.
    work: Condvar,
    /// The right to write, with the leader's spare buffer (see the module docs).
    leader: Mutex<Vec<u8>>,
    /// Records written to the file (in the page cache at least).
    pub(super) written: AtomicU64,
    /// Records durable under the fsync policy; callers wait on `progress` for it.
    pub(super) durable: AtomicU64,
    pub(super) progress: Notify,
    fsync: Fsync,
    /// The file appended to. Compaction swaps it for the compacted file.
    pub(super) output: Mutex<Output>,
    /// The settings header's frame, which every compacted file starts with.
    pub(super) header: Mutex<Vec<u8>>,
    /// Bytes in the file, and how many it had after the last compaction.
    pub(super) size: AtomicU64,
    pub(super) compacted_size: AtomicU64,
    compact_after: u64,
    /// Whether a compaction is asked for (by a leader when the file has grown enough,
    /// or at open) and whether the compaction thread is running one.
    pub(super) compaction_wanted: Mutex<CompactionState>,
    pub(super) compaction_wake: Condvar,
}

/// The compaction thread's work: asked for, and running.
#[derive(Default)]
pub(super) struct CompactionState {
    pub(super) wanted: bool,
    pub(super) running: bool,
}

/// The file being appended to.
pub(super) struct Output {
    /// Shared so that the sync thread can sync it without holding `output`.
    pub(super) file: Arc<File>,
    /// Which file this is: a batch taken for an earlier one is in the compacted file
    /// already, and is not written again.
    pub(super) generation: u64,
}

/// Records appended and not yet written, and the journal's condition.
#[derive(Default)]
pub(super) struct Pending {
    pub(super) buffer: Vec<u8>,
    pub(super) appended: u64,
    pub(super) generation: u64,
    /// While a compaction runs: the records appended since its snapshot, which the
    /// compacted file must carry after it.
    pub(super) since_snapshot: Option<Vec<u8>>,
    /// The numbers of the strings compact records name (`compact.rs`).
    pub(super) strings: Strings,
    /// Where a compact record is encoded before it is framed.
    scratch: Vec<u8>,
    pub(super) closing: bool,
    /// Set by the sync thread when it has written and synced everything after
    /// `closing`.
    closed: bool,
    /// Set when a write or sync failed: nothing after it can be made durable.
    failed: Option<String>,
}

impl Journal {
    /// Opens or creates the journal at `path`, reads every record it holds, and starts
    /// the sync thread.
    pub(crate) fn open(
        path: &Path,
        fsync: Fsync,
        compact_after: u64,
    ) -> Result<Opened, StateError> {
        let io = |source| StateError::Io {
            path: path.to_owned(),
            source,
        };
        let lock = lock(path)?;
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
        let (header, records, strings) = if bytes.is_empty() {
            file.write_all(MAGIC).map_err(io)?;
            file.sync_data().map_err(io)?;
            (None, Vec::new(), Vec::new())
        } else {
            let file_len = bytes.len() as u64;
            let read = read_records(path, &bytes)?;
            drop(bytes);
            if read.good_len < file_len {
                tracing::warn!(
                    path = %path.display(),
                    kept = read.records.len(),
                    dropped_bytes = file_len - read.good_len,
                    "the state file ends in a torn record (the last write was cut off); \
                     recovering to the last good record"
                );
                file.set_len(read.good_len).map_err(io)?;
                file.sync_data().map_err(io)?;
            }
            let mut records = read.records.into_iter();
            let read = read.strings;
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
            (header, records.collect(), read)
        };
        let size = file.seek(SeekFrom::End(0)).map_err(io)?;
        let shared = Arc::new(Shared {
            path: path.to_owned(),
            pending: Mutex::new(Pending {
                strings: Strings::from_texts(strings),
                ..Pending::default()
            }),
            work: Condvar::new(),
            leader: Mutex::new(Vec::new()),
            written: AtomicU64::new(0),
            durable: AtomicU64::new(0),
            progress: Notify::new(),
            fsync,
            output: Mutex::new(Output {
                file: Arc::new(file),
                generation: 0,
            }),
            header: Mutex::new(Vec::new()),
            size: AtomicU64::new(size),
            compacted_size: AtomicU64::new(size),
            compact_after,
            compaction_wanted: Mutex::new(CompactionState::default()),
            compaction_wake: Condvar::new(),
        });
        let syncer = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("pipesim-journal".into())
                .spawn(move || sync_loop(&shared))
                .map_err(io)?
        };
        Ok(Opened {
            journal: Journal {
                shared,
                syncer: Mutex::new(Some(syncer)),
                lock: Mutex::new(Some(lock)),
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

    /// Appends a record as JSON; answers its sequence number for
    /// [`durable`](Self::durable). Call it with the lock held that orders the change it
    /// records.
    pub(crate) fn append(&self, record: &impl serde::Serialize) -> u64 {
        let payload = serde_json::to_vec(record).expect("journal records always serialise");
        let mut pending = self.shared.pending.lock();
        frame(&mut pending.buffer, &payload);
        if let Some(since) = &mut pending.since_snapshot {
            frame(since, &payload);
        }
        pending.appended += 1;
        pending.appended
    }

    /// Appends a call of the API in the compact form, as [`append`](Self::append) does.
    pub(crate) fn append_call(&self, call: &CallParts<'_>) -> u64 {
        self.append_compact(|encoder| encoder.call(call))
    }

    /// Appends a timer firing in the compact form, as [`append`](Self::append) does.
    pub(crate) fn append_fire(&self, fire: &FireParts<'_>) -> u64 {
        self.append_compact(|encoder| encoder.fire(fire))
    }

    /// Encodes under `pending`, which orders the strings it defines with their uses.
    fn append_compact(&self, encode: impl FnOnce(&mut Encoder<'_>)) -> u64 {
        let mut guard = self.shared.pending.lock();
        let pending = &mut *guard;
        let mut payload = std::mem::take(&mut pending.scratch);
        payload.clear();
        encode(&mut Encoder {
            strings: &mut pending.strings,
            payload: &mut payload,
            frames: &mut pending.buffer,
            since: pending.since_snapshot.as_mut(),
        });
        frame(&mut pending.buffer, &payload);
        if let Some(since) = &mut pending.since_snapshot {
            frame(since, &payload);
        }
        pending.scratch = payload;
        pending.appended += 1;
        pending.appended
    }

    /// The sequence number of the last record appended.
    pub(crate) fn appended(&self) -> u64 {
        self.shared.pending.lock().appended
    }

    /// Waits until record `seq` is durable under the fsync policy, writing it (with
    /// every record appended before it) when no other call is writing.
    pub(crate) async fn durable(&self, seq: u64) -> Result<(), String> {
        let shared = &*self.shared;
        if shared.durable.load(Ordering::Acquire) >= seq {
            return Ok(());
        }
        // Let the calls ready on this thread append their records first, so that one
        // write carries them all.
        tokio::task::yield_now().await;
        loop {
            let progress = shared.progress.notified();
            tokio::pin!(progress);
            progress.as_mut().enable();
            if shared.durable.load(Ordering::Acquire) >= seq {
                return Ok(());
            }
            {
                let pending = shared.pending.lock();
                if let Some(failed) = &pending.failed {
                    return Err(failed.clone());
                }
                if pending.closed {
                    return Err(format!(
                        "the state file {} is closed (pipesim is shutting down)",
                        shared.path.display()
                    ));
                }
            }
            if shared.written.load(Ordering::Acquire) < seq
                && let Some(mut spare) = shared.leader.try_lock()
            {
                shared.write_pending(&mut spare);
                continue;
            }
            progress.await;
        }
    }

    /// Writes and syncs everything appended, then stops the sync thread. Called once,
    /// when the simulator shuts down.
    pub(crate) fn close(&self) {
        self.shared.pending.lock().closing = true;
        self.shared.work.notify_one();
        self.shared.compaction_wake.notify_all();
        let syncer = self.syncer.lock().take();
        if let Some(syncer) = syncer {
            let _ = syncer.join();
        }
        // A compaction still running gives up rather than replace the file now.
        self.lock.lock().take();
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        self.close();
    }
}

impl Shared {
    /// Writes every record appended so far with one write. Call it holding `leader`,
    /// whose spare buffer `spare` is.
    fn write_pending(&self, spare: &mut Vec<u8>) {
        let (upto, generation) = {
            let mut pending = self.pending.lock();
            if pending.failed.is_some() {
                return;
            }
            std::mem::swap(&mut pending.buffer, spare);
            (pending.appended, pending.generation)
        };
        if spare.is_empty() {
            return;
        }
        let result = {
            let output = self.output.lock();
            // A batch taken before a compaction swapped the file is in the new file.
            if output.generation == generation {
                (&*output.file).write_all(spare)
            } else {
                Ok(())
            }
        };
        let bytes = spare.len() as u64;
        spare.clear();
        if let Err(err) = result {
            self.fail(&format!(
                "cannot write state file {}: {err}",
                self.path.display()
            ));
            return;
        }
        self.written.fetch_max(upto, Ordering::AcqRel);
        let size = self.size.fetch_add(bytes, Ordering::AcqRel) + bytes;
        let compacted = self.compacted_size.load(Ordering::Acquire);
        if size > self.compact_after && size > 2 * compacted {
            self.compaction_wanted.lock().wanted = true;
            self.compaction_wake.notify_all();
        }
        match self.fsync {
            Fsync::EverySec => {
                self.durable.fetch_max(upto, Ordering::AcqRel);
                self.progress.notify_waiters();
            }
            Fsync::Always => {
                // Under `pending`, which the sync thread checks `written` under, so the
                // wake-up cannot fall between its check and its wait.
                let _pending = self.pending.lock();
                self.work.notify_one();
            }
        }
    }

    fn fail(&self, why: &str) {
        tracing::error!("{why}; calls that change state now fail");
        self.pending.lock().failed = Some(why.to_owned());
        self.progress.notify_waiters();
    }
}

/// The sync thread: syncs what leaders wrote as the policy says, writes records no call
/// waits for, and writes and syncs everything when the journal closes.
fn sync_loop(shared: &Shared) {
    let mut synced = 0;
    let mut last_sync = Instant::now();
    loop {
        let (stray, closing) = {
            let mut pending = shared.pending.lock();
            loop {
                if pending.failed.is_some() {
                    return;
                }
                let unsynced = shared.written.load(Ordering::Acquire) > synced;
                if pending.closing || shared.fsync == Fsync::Always && unsynced {
                    break;
                }
                if shared.work.wait_for(&mut pending, TICK).timed_out() {
                    break;
                }
            }
            (!pending.buffer.is_empty(), pending.closing)
        };
        if stray || closing {
            shared.write_pending(&mut shared.leader.lock());
        }
        let written = shared.written.load(Ordering::Acquire);
        let due = shared.fsync == Fsync::Always || closing || last_sync.elapsed() >= EVERY;
        if written > synced && due {
            let file = Arc::clone(&shared.output.lock().file);
            if let Err(err) = file.sync_data() {
                shared.fail(&format!(
                    "cannot sync state file {}: {err}",
                    shared.path.display()
                ));
                return;
            }
            synced = written;
            last_sync = Instant::now();
            shared.durable.fetch_max(written, Ordering::AcqRel);
            shared.progress.notify_waiters();
        }
        if closing {
            shared.pending.lock().closed = true;
            shared.progress.notify_waiters();
            return;
        }
    }
}
