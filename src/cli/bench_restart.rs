//! `restart/at-scale`: a restart of a large state, on one thread in virtual time.
//!
//! The state is built in memory, without a state file, because journaling every call
//! of 10 million executions (a start and two timer firings each) would write gigabytes
//! only to be compacted away. Then the simulator starts keeping its state in a file in a
//! temporary directory (`Simulator::start_state_file`, which writes the settings header
//! and compacts at once), is compacted once more (the measured compaction), dropped, and
//! opened again from the file (the measured restore: until it serves calls; the
//! compaction an open asks for then runs beside them, and is timed too). The heap is
//! read from the C allocator (`cli::heap`) before the restart and after the restore and
//! its compaction.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;

use pipesim::model::PipelineDeclaration;
use pipesim::persist::Fsync;
use pipesim::{Compaction, Simulator};

use super::bench::{Report, current_thread_runtime, progress};
use super::heap;

/// What `restart/at-scale` measured, flattened into its report.
#[derive(Debug, Serialize)]
pub(super) struct Restart {
    /// Seconds to build the state in memory (not part of the restart).
    build_seconds: f64,
    /// Heap bytes in use for the simulator that built the state.
    heap_bytes_before: i64,
    /// Milliseconds every change was held off by the compaction.
    compaction_pause_ms: f64,
    /// Milliseconds the longest one pipeline's calls waited for its part of the
    /// snapshot.
    compaction_longest_pipeline_wait_ms: f64,
    /// Seconds from the start of the compaction to the compacted file in place.
    compaction_seconds: f64,
    state_file_bytes: u64,
    /// Seconds to open the state file again: read, restore, ready for calls.
    restore_seconds: f64,
    /// Seconds from the start of the open until the compaction it asks for, which runs
    /// while calls are served, is done.
    compacted_after_open_seconds: f64,
    /// Heap bytes in use for the restored simulator.
    heap_bytes_after: i64,
    /// `heap_bytes_after / heap_bytes_before`.
    heap_ratio: f64,
}

impl Restart {
    pub(super) fn notes(&self, report: &Report) -> String {
        format!(
            "{} executions over {} pipelines: compaction paused {:.1} ms (a pipeline waited \
             at most {:.1} ms), took {:.1} s, {} MB; restore {:.2} s (compacted again {:.2} s \
             after the open began); heap {} MB before, {} MB after (x{:.2})",
            report.retained_executions.unwrap_or_default(),
            report.pipelines.unwrap_or_default(),
            self.compaction_pause_ms,
            self.compaction_longest_pipeline_wait_ms,
            self.compaction_seconds,
            self.state_file_bytes / 1_000_000,
            self.restore_seconds,
            self.compacted_after_open_seconds,
            self.heap_bytes_before / 1_000_000,
            self.heap_bytes_after / 1_000_000,
            self.heap_ratio
        )
    }
}

/// The settings both the building and the restored simulator use: a state file only
/// opens under the settings it was written with.
fn builder(seed: u64, pipelines: u64) -> pipesim::SimulatorBuilder {
    Simulator::builder()
        .seed(seed)
        .virtual_time()
        .start_on_create(false)
        .max_pipelines(pipelines as usize)
}

/// A directory of its own under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<Self, String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir =
            std::env::temp_dir().join(format!("pipesim-restart-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
        Ok(Self(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Builds `pipelines` two-stage SUPERSEDED pipelines with `executions` finished
/// executions spread evenly over them: rounds of one start on every pipeline, each
/// round run to `Succeeded` by a virtual second (both actions take 100 ms).
async fn build(sim: &Simulator, names: &[String], executions: u64) -> Result<u64, String> {
    for name in names {
        sim.create_pipeline(PipelineDeclaration::two_stage_example(name))
            .await
            .map_err(|err| format!("cannot create {name}: {err}"))?;
    }
    let bar = progress("restart/at-scale", None);
    let rounds = executions / names.len() as u64;
    let mut errors = 0;
    for round in 0..rounds {
        for name in names {
            if sim.start_pipeline_execution(name.as_str()).await.is_err() {
                errors += 1;
            }
        }
        sim.advance(Duration::from_secs(1)).await;
        if round % 10 == 0 {
            bar.set_message(format!(
                "building: {} of {} executions",
                round * names.len() as u64,
                rounds * names.len() as u64
            ));
        }
    }
    bar.finish_and_clear();
    Ok(errors)
}

/// `restart/at-scale`: see the module docs.
pub(super) fn restart_at_scale(
    seed: u64,
    pipelines: u64,
    executions: u64,
) -> Result<Report, String> {
    let per_pipeline = executions / pipelines;
    if per_pipeline == 0 || per_pipeline > 10_000 {
        return Err(format!(
            "restart/at-scale retains {executions} executions over {pipelines} pipelines: \
             between 1 and 10,000 per pipeline (the default history limit) are retained"
        ));
    }
    let dir = TempDir::new()?;
    let path = dir.0.join("state.psj");
    let names: Vec<String> = (0..pipelines).map(|i| format!("bench-{i:05}")).collect();
    let runtime = current_thread_runtime()?;
    let started = Instant::now();
    let measurement = heap::Measurement::start()?;
    let sim = builder(seed, pipelines).build();
    let errors = runtime.block_on(build(&sim, &names, executions))?;
    let build_seconds = started.elapsed().as_secs_f64();
    let heap_bytes_before = measurement.live_bytes();
    let retained = count_retained(&sim, &names)?;
    let bar = progress("restart/at-scale", None);
    bar.set_message("writing the state file");
    sim.start_state_file(&path, Fsync::EverySec, u64::MAX)
        .map_err(|err| err.to_string())?;
    bar.set_message("compacting");
    let compaction: Compaction = sim.compact_state_file().map_err(|err| err.to_string())?;
    runtime
        .block_on(sim.flush())
        .map_err(|err| err.to_string())?;
    sim.close_state_file();
    drop(sim);
    bar.set_message("restoring");
    let measurement = heap::Measurement::start()?;
    let restore_started = Instant::now();
    let sim = builder(seed, pipelines)
        .compact_state_file_after(u64::MAX)
        .open(&path, Fsync::EverySec)
        .map_err(|err| err.to_string())?;
    let restore_seconds = restore_started.elapsed().as_secs_f64();
    // The compaction the open asked for runs while calls are served; the heap is read
    // once it is done, so that none of its buffers count.
    sim.wait_for_compaction();
    let compacted_after_open_seconds = restore_started.elapsed().as_secs_f64();
    let heap_bytes_after = measurement.live_bytes();
    bar.finish_and_clear();
    let restored = count_retained(&sim, &names)?;
    if restored != retained {
        return Err(format!(
            "{retained} executions before the restart, {restored} after: the measurement is not valid"
        ));
    }
    drop(sim);
    let seconds = started.elapsed().as_secs_f64();
    let mut report = Report::throughput("restart/at-scale", retained, seconds, 1, errors);
    report.pipelines = Some(pipelines);
    report.retained_executions = Some(retained);
    report.restart = Some(Restart {
        build_seconds,
        heap_bytes_before,
        compaction_pause_ms: compaction.paused.as_secs_f64() * 1e3,
        compaction_longest_pipeline_wait_ms: compaction.longest_pipeline_wait.as_secs_f64() * 1e3,
        compaction_seconds: compaction.took.as_secs_f64(),
        state_file_bytes: compaction.bytes,
        restore_seconds,
        compacted_after_open_seconds,
        heap_bytes_after,
        heap_ratio: heap_bytes_after as f64 / heap_bytes_before as f64,
    });
    Ok(report)
}

/// Executions retained over all `names`, every one of them finished.
fn count_retained(sim: &Simulator, names: &[String]) -> Result<u64, String> {
    let mut retained = 0;
    for name in names {
        let stats = sim.pipeline_stats(name).map_err(|err| err.to_string())?;
        if stats.active_executions != 0 {
            return Err(format!(
                "{name} has {} executions running: the measurement is not valid",
                stats.active_executions
            ));
        }
        retained += stats.retained_executions as u64;
    }
    Ok(retained)
}
