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
//! length: u32 LE | payload crc32: u32 LE | header crc32: u32 LE | payload
//! ```
//!
//! A payload is JSON (an object, so its first byte is `{`) or, for the records written
//! most (a call of the API, a timer firing), the compact binary form of `compact.rs`,
//! which names accounts, regions, pipelines and operations by number instead of
//! spelling them out: about 50 bytes for a start instead of about 190.
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
//! lock, so the journal has each pipeline's calls in the order they happened. A caller
//! is answered only once its record is written ([`Fsync::EverySec`]: in the operating
//! system's page cache, which survives the process being killed) or synced
//! ([`Fsync::Always`]: on the disk, which survives a power cut). Records that arrive
//! together go out in one write and one sync (group commit): the first waiting caller
//! writes the buffer on its own thread, and a sync thread syncs what was written, so
//! `always` costs one sync per batch, not per call (`writer.rs` says how).
//!
//! ## Layout and locks
//!
//! | file | what it owns |
//! |---|---|
//! | `mod.rs` | the file format's docs, [`MAGIC`], [`Fsync`], [`StateError`], comparing settings headers |
//! | `record.rs` | what a record says |
//! | `compact.rs` | the compact binary form of calls and timer firings, and its string numbers |
//! | `frame.rs` | framing a record, and reading frames back: torn tails and corruption |
//! | `writer.rs` | the `Journal`: opening, appending, group commit (waiting for durability, writing), the sync thread, closing |
//! | `compaction.rs` | replacing the journal with a snapshot and the records appended since (the `.compacting` file) |
//!
//! The journal's locks are all `parking_lot` locks inside its shared state (`writer.rs`
//! lists them), none held across `.await`. `leader` (the right to write) comes first;
//! then `pending` before `output` and `pending` before `header` where they nest (in
//! compaction). `output` and `header` are never held together, nothing takes `pending`
//! while holding `output`, and `compaction_wanted` and `syncer` are taken with no lock
//! but `leader` held. Callers append while holding their own lock (a pipeline's), so
//! `pending` always comes after the simulator's locks.

mod compact;
mod compaction;
mod frame;
mod record;
mod writer;

use std::path::PathBuf;

pub(crate) use compact::{CallParts, FireParts};
pub(crate) use compaction::CompactionSignal;
pub(crate) use record::{Header, Key, Record, SNAPSHOT_OP, SavedTimer, Snapshot};
pub(crate) use writer::Journal;

/// The first bytes of a state file.
pub const MAGIC: &[u8; 8] = b"PSJRNL01";

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

/// The format of the state files this pipesim writes, in every file's header. Format 2
/// lays execution ids out differently from format 1, so a format 1 file's executions
/// could not be found by their ids. Format 3 keeps what started each execution, derives
/// source revisions instead of storing them, and remembers tokens without parameters.
/// Format 4 writes calls and timer firings in the compact binary form (`compact.rs`).
pub const FORMAT: u32 = 4;

/// The earliest format this pipesim reads: a format 3 file (all JSON) is read and
/// converted to the current format on first open, the original kept beside it.
pub const CONVERTS_FROM: u32 = 3;

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
    /// Another simulator has the file open: its lock file is held.
    #[error(
        "state file {path} is in use by another pipesim (its lock, {lock}, is held): stop \
         that one first, or start with another state file"
    )]
    InUse {
        /// The file.
        path: PathBuf,
        /// The lock file beside it.
        lock: PathBuf,
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
    /// The file was written by an earlier pipesim in a format this one does not read.
    #[error(
        "state file {path} was written by an earlier pipesim (state file format {found}; this \
         one writes format {FORMAT}): {why}. Open it with the pipesim that wrote it, or move \
         it aside to start empty"
    )]
    OlderFormat {
        /// The file.
        path: PathBuf,
        /// The format its header names.
        found: u32,
        /// What changed since.
        why: &'static str,
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

#[cfg(test)]
mod tests;
