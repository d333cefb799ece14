//! Model checking of admission with shuttle: starts, stops, token replays and timers
//! racing on one pipeline, under thousands of randomly explored schedules.
//!
//! The simulator runs every operation on a pipeline as one call of the pure engine under
//! that pipeline's mutex, and hands timers to a separate scheduler lock, as here. So
//! every interleaving of concurrent calls is some order of whole engine calls and timer
//! firings. Shuttle controls the threads and locks below and explores those orders, with
//! the real engine. After every call the invariants are checked with the lock still held:
//! - QUEUED and PARALLEL never hold more active executions than the limit;
//! - SUPERSEDED never keeps two executions waiting in front of a stage;
//! - a stage's occupant is an active execution inside that stage;
//! - one `clientRequestToken` starts at most one execution;
//! - once every timer has fired, nothing is left active and no stage is locked, so no
//!   update was lost.

use shuttle::sync::{Arc, Mutex};
use shuttle::thread;

use super::plan::Mode;
use super::*;
use crate::model::{StartPipelineExecutionInput, StopPipelineExecutionInput};

const LIMIT: u32 = 2;

fn engine(mode: ExecutionMode) -> PipelineEngine {
    super::tests::engine_with_limit(mode, LIMIT)
}

impl PipelineEngine {
    fn check_invariants(&self) {
        let mode = self.plan.mode;
        if mode != Mode::Superseded {
            assert!(
                self.active.len() <= LIMIT as usize,
                "{} active",
                self.active.len()
            );
        }
        for (i, stage) in self.stages.iter().enumerate() {
            if mode == Mode::Superseded {
                assert!(
                    stage.waiting.len() <= 1,
                    "stage {i}: {:?} waiting",
                    stage.waiting
                );
            }
            if let Some(seq) = stage.occupant {
                let run = self.run(seq).expect("the occupant is active");
                assert_eq!(usize::from(run.stage), i, "the occupant is in its stage");
                assert!(self.active.contains(&seq));
            }
        }
    }
}

/// The shared state of one explored run: the engine behind its mutex, and the timers
/// it asked for behind the scheduler's.
struct Pipeline {
    engine: Mutex<PipelineEngine>,
    timers: Mutex<Vec<(Timestamp, Timer)>>,
    now: Mutex<Timestamp>,
}

impl Pipeline {
    fn call<T>(&self, op: impl FnOnce(&mut PipelineEngine, Timestamp, &mut Effects) -> T) -> T {
        let now = *self.now.lock().unwrap();
        let mut engine = self.engine.lock().unwrap();
        let mut fx = Effects::new(false);
        let out = op(&mut engine, now, &mut fx);
        engine.check_invariants();
        drop(engine);
        self.timers.lock().unwrap().extend(fx.timers);
        out
    }

    /// Fires the earliest pending timer, moving the clock to it; false when none is left.
    fn fire_one(&self) -> bool {
        let next = {
            let mut timers = self.timers.lock().unwrap();
            let earliest = timers
                .iter()
                .enumerate()
                .min_by_key(|(_, (due, _))| *due)
                .map(|(i, _)| i);
            earliest.map(|i| timers.swap_remove(i))
        };
        let Some((due, timer)) = next else {
            return false;
        };
        {
            let mut now = self.now.lock().unwrap();
            *now = (*now).max(due);
        }
        self.call(|engine, now, fx| engine.fire(timer, now, fx));
        true
    }
}

fn explore(mode: ExecutionMode) {
    let pipeline = Arc::new(Pipeline {
        engine: Mutex::new(engine(mode)),
        timers: Mutex::new(Vec::new()),
        now: Mutex::new(Timestamp::from_millis(0)),
    });
    let tokened = StartPipelineExecutionInput::new("P").client_request_token("deploy-1");
    let mut threads = Vec::new();
    // Two starts with one token, as an SDK retry races its first attempt.
    for _ in 0..2 {
        let (pipeline, input) = (Arc::clone(&pipeline), tokened.clone());
        threads.push(thread::spawn(move || {
            pipeline
                .call(|engine, now, fx| engine.start(&input, now, fx))
                .ok()
        }));
    }
    // Two plain starts.
    for _ in 0..2 {
        let pipeline = Arc::clone(&pipeline);
        threads.push(thread::spawn(move || {
            pipeline
                .call(|engine, now, fx| {
                    engine.start(&StartPipelineExecutionInput::new("P"), now, fx)
                })
                .ok()
        }));
    }
    // A stop of whichever execution is active first, racing everything else.
    let stopper = {
        let pipeline = Arc::clone(&pipeline);
        thread::spawn(move || {
            let active = pipeline.engine.lock().unwrap().active.first().copied();
            if let Some(seq) = active {
                let id = pipeline.engine.lock().unwrap().ids.encode(seq).to_string();
                let input = StopPipelineExecutionInput::new("P", id).abandon();
                let _ = pipeline.call(|engine, now, fx| engine.stop(&input, now, fx));
            }
        })
    };
    // The timer driver, firing while calls arrive.
    let driver = {
        let pipeline = Arc::clone(&pipeline);
        thread::spawn(move || {
            for _ in 0..3 {
                pipeline.fire_one();
                thread::yield_now();
            }
        })
    };
    let started: Vec<Option<ExecutionId>> =
        threads.into_iter().map(|t| t.join().unwrap()).collect();
    stopper.join().unwrap();
    driver.join().unwrap();

    // One token, one execution: both tokened starts that were admitted answer one id.
    let tokened: Vec<ExecutionId> = started[..2].iter().flatten().copied().collect();
    assert!(tokened.windows(2).all(|w| w[0] == w[1]), "{tokened:?}");

    // Let everything finish: nothing may stay active or locked.
    while pipeline.fire_one() {}
    let engine = pipeline.engine.lock().unwrap();
    assert!(engine.active.is_empty(), "{:?} still active", engine.active);
    assert!(
        engine
            .stages
            .iter()
            .all(|s| s.occupant.is_none() && s.waiting.is_empty())
    );
}

#[test]
fn queued_admission_holds_under_any_schedule() {
    shuttle::check_random(|| explore(ExecutionMode::Queued), 2000);
}

#[test]
fn parallel_admission_holds_under_any_schedule() {
    shuttle::check_random(|| explore(ExecutionMode::Parallel), 2000);
}

#[test]
fn superseded_admission_holds_under_any_schedule() {
    shuttle::check_random(|| explore(ExecutionMode::Superseded), 2000);
}

#[test]
fn queued_admission_holds_under_pct_schedules() {
    shuttle::check_pct(|| explore(ExecutionMode::Queued), 2000, 3);
}
