//! Durable state: an append-only journal of every call that changed state.
//!
//! The engine is deterministic: the same calls, at the same simulated moments, with the
//! same seed, give the same pipelines, execution ids, draws and statuses. So the journal
//! records calls rather than state, like Redis's append-only file records commands:
//! each record is one state-changing engine call (a start, a stop, an approval, a
//! timer that moved an execution, a tag change, a fault rule...) with the moment it
//! happened. A restart replays the journal through the same engine code and arrives at
//! the same state, with every execution, token, tag and rule.
//!
//! ## File format
//!
//! The file starts with [`MAGIC`], then one frame per record:
//!
//! ```text
//! length: u32 LE | payload crc32: u32 LE | header crc32: u32 LE | payload (JSON)
//! ```
//!
//! The header checksum covers the first eight bytes, so a damaged length is detected
//! instead of being trusted. Reading stops at the first frame that does not check out:
//! when it is the last thing in the file (a write that `kill -9` or a power cut tore), the
//! file is truncated to the last good record and the loss is logged; anywhere else the
//! file is corrupt and opening it fails with [`StateError::Corrupt`], saying where and
//! how to keep the good records. Nothing is dropped silently.
//!
//! ## Durability
//!
//! Calls append their record to an in-memory buffer while they hold their pipeline's
//! lock, so the journal has each pipeline's calls in the order they happened. One writer
//! thread moves the buffer to the file. A caller is answered only once its record is
//! written ([`Fsync::EverySec`]: in the operating system's page cache, which survives the
//! process being killed) or synced ([`Fsync::Always`]: on the disk, which survives a power
//! cut). Records that arrive while the writer is busy go out together in the next write
//! and sync (group commit), so `always` costs one sync per batch, not per call.

mod record;

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};
use tokio::sync::Notify;

pub(crate) use record::{Header, Key, Record, SNAPSHOT_OP, SavedTimer, Snapshot};

/// The first bytes of a state file.
pub const MAGIC: &[u8; 8] = b"PSJRNL01";

/// The largest record pipesim writes is one pipeline declaration with its tags, far
/// below this; a length above it is damage, not data.
const MAX_RECORD: u32 = 64 << 20;

const FRAME_HEADER: usize = 12;

/// When a state file's writes reach the disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Fsync {
    /// Sync before answering: every acknowledged call survives a power cut. Calls wait
    /// for the disk, batched with the calls that arrive meanwhile.
    Always,
    /// Write before answering, sync once a second: every acknowledged call survives the
    /// process being killed; a power cut loses at most the last second.
    #[default]
    EverySec,
}

impl std::str::FromStr for Fsync {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "always" => Ok(Fsync::Always),
            "everysec" => Ok(Fsync::EverySec),
            _ => Err(format!(
                "'{text}' is not an fsync policy: use always or everysec"
            )),
        }
    }
}

impl std::fmt::Display for Fsync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Fsync::Always => "always",
            Fsync::EverySec => "everysec",
        })
    }
}

/// Why a state file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Reading or writing the file failed.
    #[error("state file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The file is not a pipesim state file.
    #[error("{path} is not a pipesim state file (it does not start with {magic:?})", magic = String::from_utf8_lossy(MAGIC))]
    NotAStateFile {
        /// The file.
        path: PathBuf,
    },
    /// A record in the middle of the file is damaged.
    #[error(
        "state file {path} is corrupt at byte {offset}: {why}. The {good} records before it \
         are intact; to restart from them, truncate the file to {offset} bytes \
         (truncate -s {offset} {path}), or move it aside to start empty"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Where the damaged record starts.
        offset: u64,
        /// The intact records before it.
        good: u64,
        /// What is wrong with it.
        why: String,
    },
    /// The records check out but cannot be applied: a snapshot that does not fit the
    /// pipeline it describes, say.
    #[error("state file {path} cannot be restored: {why}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What does not fit.
        why: String,
    },
    /// The file was written by a simulator with other settings, which would replay to
    /// other state.
    #[error(
        "state file {path} was written with other settings, so replaying it would not give \
         back its state: {why}. Start with the same settings, or with a new state file"
    )]
    SettingsDiffer {
        /// The file.
        path: PathBuf,
        /// Which setting differs, and how.
        why: String,
    },
}

/// What [`Journal::open`] found in the file.
pub(crate) struct Opened {
    pub(crate) journal: Journal,
    /// The header of an existing file; `None` when the file is new or was empty.
    pub(crate) header: Option<Header>,
    pub(crate) records: Vec<Record>,
}

/// The open journal: appends records and answers when they are durable.
pub(crate) struct Journal {
    shared: Arc<Shared>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

struct Shared {
    path: PathBuf,
    pending: Mutex<Pending>,
    /// Wakes the writer when the buffer fills from empty, or when closing.
    work: Condvar,
    /// Records durable under the fsync policy; callers wait on `progress` for it.
    durable: AtomicU64,
    progress: Notify,
    fsync: Fsync,
    /// The file the writer appends to. Compaction swaps it for the compacted file.
    output: Mutex<Output>,
    /// The settings header's frame, which every compacted file starts with.
    header: Mutex<Vec<u8>>,
    /// Bytes in the file, and how many it had after the last compaction.
    size: AtomicU64,
    compacted_size: AtomicU64,
    compact_after: u64,
    /// Set by the writer when the file has grown enough to compact.
    compaction_wanted: Mutex<bool>,
    compaction_wake: Condvar,
}

struct Output {
    file: File,
    /// Which file this is: a batch taken for an earlier one is in the compacted file
    /// already, and is not written again.
    generation: u64,
}

#[derive(Default)]
struct Pending {
    buffer: Vec<u8>,
    appended: u64,
    generation: u64,
    /// While a compaction runs: the records appended since its snapshot, which the
    /// compacted file must carry after it.
    since_snapshot: Option<Vec<u8>>,
    closing: bool,
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

    /// Marks the start of a compaction whose snapshot holds every record appended so
    /// far; records appended from now on are kept for the compacted file too. Call it
    /// with every change held off, as the snapshot is taken.
    pub(crate) fn begin_compaction(&self) {
        self.shared.pending.lock().since_snapshot = Some(Vec::new());
    }

    /// Writes the compacted file (the header, `snapshot`, the records appended since it)
    /// beside the journal, syncs it, and puts it in the journal's place. On an error the
    /// journal is left as it was, complete.
    pub(crate) fn finish_compaction(&self, snapshot: &[u8]) -> Result<u64, StateError> {
        let shared = &self.shared;
        let compacting = compacting_path(&shared.path);
        let result = self.write_compacted(&compacting, snapshot);
        if result.is_err() {
            shared.pending.lock().since_snapshot = None;
            let _ = std::fs::remove_file(&compacting);
        }
        result.map_err(|source| StateError::Io {
            path: compacting,
            source,
        })
    }

    fn write_compacted(&self, compacting: &Path, snapshot: &[u8]) -> std::io::Result<u64> {
        let shared = &self.shared;
        let mut file = File::create(compacting)?;
        file.write_all(MAGIC)?;
        file.write_all(&shared.header.lock())?;
        let mut framed = Vec::with_capacity(snapshot.len() + FRAME_HEADER);
        frame(&mut framed, snapshot);
        file.write_all(&framed)?;
        file.sync_data()?;
        // Appends wait from here until the compacted file has taken the journal's place,
        // so that it misses none of them: one write and one sync of the few records
        // that came in while the snapshot was written.
        let mut pending = shared.pending.lock();
        let since = pending.since_snapshot.take().unwrap_or_default();
        file.write_all(&since)?;
        file.sync_data()?;
        std::fs::rename(compacting, &shared.path)?;
        // From here on the compacted file is the journal, so nothing may fail before the
        // writer is moved to it. The rename should survive a power cut too: sync the
        // directory, and only warn when that is not possible.
        if let Some(dir) = shared.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Err(err) = File::open(dir).and_then(|dir| dir.sync_all()) {
                tracing::warn!(%err, dir = %dir.display(), "cannot sync the state file's directory");
            }
        }
        let size = (MAGIC.len() + shared.header.lock().len() + framed.len() + since.len()) as u64;
        let mut output = shared.output.lock();
        output.file = file;
        output.generation += 1;
        pending.generation = output.generation;
        pending.buffer.clear();
        shared.size.store(size, Ordering::Release);
        shared.compacted_size.store(size, Ordering::Release);
        shared.durable.fetch_max(pending.appended, Ordering::AcqRel);
        drop(output);
        drop(pending);
        // Requests the writer made while this compaction ran are answered by it.
        *shared.compaction_wanted.lock() = false;
        shared.progress.notify_waiters();
        Ok(size)
    }

    /// A handle the compaction thread waits on, which keeps nothing else alive.
    pub(crate) fn compaction_signal(&self) -> CompactionSignal {
        CompactionSignal(Arc::clone(&self.shared))
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

/// Where a compaction writes the file that will replace the journal.
fn compacting_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".compacting");
    PathBuf::from(name)
}

/// What the compaction thread waits on.
pub(crate) struct CompactionSignal(Arc<Shared>);

impl CompactionSignal {
    /// Waits up to `timeout` for the writer to ask for a compaction: `Some(true)` when
    /// it did, `Some(false)` when it did not, `None` once the journal is closed.
    pub(crate) fn wait(&self, timeout: Duration) -> Option<bool> {
        wait_for_compaction(&self.0, timeout)
    }
}

fn wait_for_compaction(shared: &Shared, timeout: Duration) -> Option<bool> {
    if shared.pending.lock().closing {
        return None;
    }
    let mut wanted = shared.compaction_wanted.lock();
    if !*wanted {
        shared.compaction_wake.wait_for(&mut wanted, timeout);
    }
    Some(std::mem::take(&mut *wanted))
}

/// How the settings a file was written with differ from this run's; `None` when
/// they are the same.
pub(crate) fn differences(file: &Header, run: &Header) -> Option<String> {
    let as_map = |header: &Header| match serde_json::to_value(header) {
        Ok(serde_json::Value::Object(mut map)) => {
            if let Some(serde_json::Value::Object(config)) = map.remove("config") {
                map.extend(config);
            }
            map
        }
        _ => serde_json::Map::new(),
    };
    let (file, run) = (as_map(file), as_map(run));
    let differ: Vec<String> = file
        .iter()
        .filter(|(name, value)| run.get(*name) != Some(value))
        .map(|(name, value)| {
            let now = run
                .get(name)
                .map_or("nothing".to_owned(), ToString::to_string);
            format!("{name} was {value} and is {now} now")
        })
        .collect();
    (!differ.is_empty()).then(|| differ.join("; "))
}

fn frame(buffer: &mut Vec<u8>, payload: &[u8]) {
    let len = u32::try_from(payload.len()).expect("a record is far below 4 GiB");
    let mut header = [0u8; 8];
    header[..4].copy_from_slice(&len.to_le_bytes());
    header[4..].copy_from_slice(&crc32fast::hash(payload).to_le_bytes());
    buffer.extend_from_slice(&header);
    buffer.extend_from_slice(&crc32fast::hash(&header).to_le_bytes());
    buffer.extend_from_slice(payload);
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

struct Scanned {
    records: Vec<Record>,
    /// Bytes up to the end of the last good record.
    good_len: u64,
}

/// Reads every frame of a state file: good frames, then either the end, a torn tail
/// (dropped, with `good_len` saying where), or damage (an error).
fn read_records(path: &Path, bytes: &[u8]) -> Result<Scanned, StateError> {
    if bytes.len() < MAGIC.len() {
        if MAGIC.starts_with(bytes) {
            // Torn while the magic itself was written: nothing was ever recorded.
            return Ok(Scanned {
                records: Vec::new(),
                good_len: 0,
            });
        }
        return Err(StateError::NotAStateFile {
            path: path.to_owned(),
        });
    }
    if &bytes[..MAGIC.len()] != MAGIC {
        return Err(StateError::NotAStateFile {
            path: path.to_owned(),
        });
    }
    let mut records = Vec::new();
    let mut at = MAGIC.len();
    let corrupt = |offset: usize, good: usize, why: String| StateError::Corrupt {
        path: path.to_owned(),
        offset: offset as u64,
        good: good as u64,
        why,
    };
    while at < bytes.len() {
        let rest = &bytes[at..];
        // A power cut can leave a zero-filled tail: as torn as a short one.
        let torn = Scanned {
            records: Vec::new(),
            good_len: at as u64,
        };
        if rest.len() < FRAME_HEADER || rest.iter().all(|b| *b == 0) {
            return Ok(Scanned { records, ..torn });
        }
        let header: [u8; 8] = rest[..8].try_into().expect("eight bytes");
        let header_crc = u32::from_le_bytes(rest[8..12].try_into().expect("four bytes"));
        if crc32fast::hash(&header) != header_crc {
            return Err(corrupt(
                at,
                records.len(),
                "the record's header fails its checksum".into(),
            ));
        }
        let len = u32::from_le_bytes(header[..4].try_into().expect("four bytes"));
        let payload_crc = u32::from_le_bytes(header[4..].try_into().expect("four bytes"));
        if len > MAX_RECORD {
            return Err(corrupt(
                at,
                records.len(),
                format!("the record claims {len} bytes"),
            ));
        }
        let end = FRAME_HEADER + len as usize;
        if rest.len() < end {
            return Ok(Scanned { records, ..torn });
        }
        let payload = &rest[FRAME_HEADER..end];
        if crc32fast::hash(payload) != payload_crc {
            if rest.len() == end {
                return Ok(Scanned { records, ..torn });
            }
            return Err(corrupt(
                at,
                records.len(),
                "the record fails its checksum".into(),
            ));
        }
        let record: Record = serde_json::from_slice(payload).map_err(|err| {
            corrupt(
                at,
                records.len(),
                format!("the record cannot be read: {err}"),
            )
        })?;
        records.push(record);
        at += end;
    }
    Ok(Scanned {
        records,
        good_len: at as u64,
    })
}

#[cfg(test)]
mod tests;
