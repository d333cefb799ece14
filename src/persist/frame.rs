//! Frames: how one record is laid out in a state file, and how a file's frames are read
//! back. A frame that does not check out is a torn tail when nothing follows it (the
//! last write was cut off: dropped, and the file truncated by the caller) and
//! corruption anywhere else (refused, saying where and how to keep the good records).
//!
//! No locks: these are functions over bytes. The writer frames records into its buffer
//! with the `pending` lock held; opening reads the file before any lock exists.

use std::path::Path;

use super::compact::{Decoded, decode, is_compact};
use super::{CONVERTS_FROM, MAGIC, Record, SNAPSHOT_OP, Snapshot, StateError};

/// The largest record pipesim writes is one pipeline declaration with its tags, far
/// below this; a length above it is damage, not data.
const MAX_RECORD: u32 = 64 << 20;

/// Length, payload checksum and header checksum: twelve bytes before every payload.
pub(super) const FRAME_HEADER: usize = 12;

/// Appends one frame holding `payload` to `buffer`.
pub(super) fn frame(buffer: &mut Vec<u8>, payload: &[u8]) {
    let len = u32::try_from(payload.len()).expect("a record is far below 4 GiB");
    let mut header = [0u8; 8];
    header[..4].copy_from_slice(&len.to_le_bytes());
    header[4..].copy_from_slice(&crc32fast::hash(payload).to_le_bytes());
    buffer.extend_from_slice(&header);
    buffer.extend_from_slice(&crc32fast::hash(&header).to_le_bytes());
    buffer.extend_from_slice(payload);
}

/// What [`read_records`] found.
pub(super) struct Scanned {
    pub(super) records: Vec<Record>,
    /// The strings the file's compact records name, by number.
    pub(super) strings: Vec<String>,
    /// Bytes up to the end of the last good record.
    pub(super) good_len: u64,
}

/// Reads every frame of a state file: good frames, then either the end, a torn tail
/// (dropped, with `good_len` saying where), or damage (an error).
pub(super) fn read_records(path: &Path, bytes: &[u8]) -> Result<Scanned, StateError> {
    if bytes.len() < MAGIC.len() {
        if MAGIC.starts_with(bytes) {
            // Torn while the magic itself was written: nothing was ever recorded.
            return Ok(Scanned {
                records: Vec::new(),
                strings: Vec::new(),
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
    let mut strings = Vec::new();
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
        let torn = |records, strings| Scanned {
            records,
            strings,
            good_len: at as u64,
        };
        if rest.len() < FRAME_HEADER || rest.iter().all(|b| *b == 0) {
            return Ok(torn(records, strings));
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
            return Ok(torn(records, strings));
        }
        let payload = &rest[FRAME_HEADER..end];
        if crc32fast::hash(payload) != payload_crc {
            if rest.len() == end {
                return Ok(torn(records, strings));
            }
            return Err(corrupt(
                at,
                records.len(),
                "the record fails its checksum".into(),
            ));
        }
        if records.is_empty() {
            check_format(path, payload)?;
        }
        let unreadable = |why: String| {
            corrupt(
                at,
                records.len(),
                format!("the record cannot be read: {why}"),
            )
        };
        if is_compact(payload) {
            match decode(payload, &strings).map_err(unreadable)? {
                Decoded::Intern(text) => strings.push(text),
                Decoded::Record(record) => records.push(*record),
            }
        } else {
            records.push(decode_json(payload).map_err(|err| unreadable(err.to_string()))?);
        }
        at += end;
    }
    Ok(Scanned {
        records,
        strings,
        good_len: at as u64,
    })
}

/// Decodes a JSON record. A snapshot, which holds nearly all of a compacted file's bytes,
/// is decoded straight into its type: through the tagged [`Record`], serde would first
/// buffer the whole payload as a generic tree (the tag need not come first), which made
/// restoring several times slower.
fn decode_json(payload: &[u8]) -> serde_json::Result<Record> {
    #[derive(serde::Deserialize)]
    struct SnapshotOnly {
        snapshot: Box<Snapshot>,
    }
    let is_snapshot = payload
        .strip_prefix(br#"{"op":""#)
        .and_then(|rest| rest.strip_prefix(SNAPSHOT_OP.as_bytes()))
        .is_some_and(|rest| rest.starts_with(br#"","#));
    if is_snapshot {
        let SnapshotOnly { snapshot } = serde_json::from_slice(payload)?;
        return Ok(Record::Snapshot { snapshot });
    }
    serde_json::from_slice(payload)
}

/// Refuses a file whose header names a format this pipesim can neither read nor convert,
/// before its records are decoded under this format's rules.
fn check_format(path: &Path, header: &[u8]) -> Result<(), StateError> {
    #[derive(serde::Deserialize)]
    struct Format {
        op: String,
        format: Option<u32>,
    }
    match serde_json::from_slice::<Format>(header) {
        Ok(Format {
            op,
            format: Some(found),
        }) if op == "header" && found < CONVERTS_FROM => Err(StateError::OlderFormat {
            path: path.to_owned(),
            found,
            why: if found < 2 {
                "execution ids are laid out differently since"
            } else {
                "executions, tokens and approvals are kept differently since"
            },
        }),
        _ => Ok(()),
    }
}
