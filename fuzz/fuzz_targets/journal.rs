//! Coverage-guided fuzzing of the state-file reader: any bytes, as a state file, opened
//! by a simulator (the frame reader with its checksums and torn-tail recovery, the
//! record decoder, replay, and the compaction a restored file gets at once). Opening
//! must give a simulator or a `StateError`: never a panic, never a hang. A file that
//! opened must open again afterwards (it has been truncated and compacted by then).
//!
//! Nothing narrower than `SimulatorBuilder::open` reads and replays a file's bytes, so
//! each input is written to a file and opened. The first byte picks how the rest becomes
//! the file: even, the rest is the file as it is; odd, the rest is a run of record
//! payloads, each after its length (two bytes, little-endian; the last one takes what is
//! left), framed with correct checksums, so that mutations reach the record decoders
//! (JSON and compact) and replay instead of stopping at a checksum. The seeds in
//! `fuzz/seeds/journal/` are real state files in both forms. Run with
//! `cargo fuzz run journal fuzz/corpus/journal fuzz/seeds/journal` (see
//! docs/reliability.md).

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pipesim::Simulator;
use pipesim::persist::{Fsync, MAGIC};

/// The file every input is written to: one per process, in memory where the system
/// has a tmpfs, since opening syncs the file.
fn state_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let shm = PathBuf::from("/dev/shm");
        let base = if shm.is_dir() {
            shm
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("pipesim-fuzz-journal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a directory for the state file");
        dir.join("pipesim.state")
    })
}

/// The file's bytes for one input (see the module's doc).
fn file_bytes(data: &[u8]) -> Option<Vec<u8>> {
    let (&mode, rest) = data.split_first()?;
    if mode % 2 == 0 {
        return Some(rest.to_vec());
    }
    let mut bytes = MAGIC.to_vec();
    let mut rest = rest;
    while !rest.is_empty() {
        let len = match rest {
            [low, high, tail @ ..] => {
                rest = tail;
                usize::from(u16::from_le_bytes([*low, *high])).min(rest.len())
            }
            _ => rest.len(),
        };
        let (payload, tail) = rest.split_at(len);
        rest = tail;
        // The frame layout of `pipesim::persist`: length, payload checksum, checksum of
        // those eight bytes, payload.
        let mut header = [0u8; 8];
        header[..4].copy_from_slice(&(payload.len() as u32).to_le_bytes());
        header[4..].copy_from_slice(&crc32fast::hash(payload).to_le_bytes());
        bytes.extend_from_slice(&header);
        bytes.extend_from_slice(&crc32fast::hash(&header).to_le_bytes());
        bytes.extend_from_slice(payload);
    }
    Some(bytes)
}

/// The settings the seeds were written with: a file written under others is refused
/// before its records are replayed.
fn open(path: &PathBuf) -> Result<Simulator, pipesim::persist::StateError> {
    Simulator::builder()
        .virtual_time()
        .open(path, Fsync::EverySec)
}

fuzz_target!(|data: &[u8]| {
    let Some(bytes) = file_bytes(data) else {
        return;
    };
    let path = state_path();
    std::fs::write(path, &bytes).expect("the state file is written");
    match open(path) {
        Ok(sim) => {
            // The compaction an open asks for, so that it runs on the fuzzed state too.
            sim.wait_for_compaction();
            drop(sim);
            if let Err(err) = open(path) {
                panic!("a file that opened does not open again: {err}");
            }
        }
        Err(err) => assert!(!err.to_string().is_empty()),
    }
});
