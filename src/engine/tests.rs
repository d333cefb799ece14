//! Unit tests of the pure engine: no simulator, no tokio, time passed by hand.

use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::model::{
    PipelineExecutionStatus, StartPipelineExecutionInput, StopPipelineExecutionInput,
};

fn engine(mode: ExecutionMode) -> PipelineEngine {
    engine_with_limit(mode, 50)
}

/// Source(Fetch) then Deploy(Ship), 10 s actions, admitting `limit` active executions.
pub(super) fn engine_with_limit(mode: ExecutionMode, limit: u32) -> PipelineEngine {
    let declaration = PipelineDeclaration::two_stage_example("P").v2(mode);
    let ident = Arc::new(PipelineIdent {
        account: "123456789012".into(),
        region: "us-east-1".into(),
        name: "P".into(),
        caller: "arn:aws:iam::123456789012:root".into(),
    });
    let config = EngineConfig {
        default_action: ActionBehaviour::succeed_after(Duration::from_secs(10)),
        approval_timeout: Duration::from_secs(60),
        max_concurrent_executions: limit,
        history_limit: 100,
        token_window: Duration::from_secs(60),
        update_conflict_window: Duration::ZERO,
        start_on_create: false,
        job_timeout: crate::engine::DEFAULT_JOB_TIMEOUT,
    };
    PipelineEngine::new(
        ident,
        declaration,
        config,
        Rng::derive(1, &[]),
        Timestamp::from_millis(0),
    )
}

fn at(secs: u64) -> Timestamp {
    Timestamp::from_millis(secs * 1000)
}

fn status(engine: &PipelineEngine, id: ExecutionId) -> PipelineExecutionStatus {
    engine.execution(&id.to_string()).unwrap().status
}

#[test]
fn starting_asks_for_one_timer_per_action_of_the_first_group() {
    let mut engine = engine(ExecutionMode::Parallel);
    let mut fx = Effects::new(false);
    engine
        .start(&StartPipelineExecutionInput::new("P"), at(0), &mut fx)
        .unwrap();
    assert_eq!(
        fx.timers,
        [(
            at(10),
            Timer::ActionDue {
                seq: 0,
                stage: 0,
                action: 0
            }
        )]
    );
    assert!(
        fx.events.is_none(),
        "no events are built when nobody listens"
    );
}

#[test]
fn timers_that_no_longer_apply_are_ignored() {
    let mut engine = engine(ExecutionMode::Parallel);
    let mut fx = Effects::new(true);
    let id = engine
        .start(&StartPipelineExecutionInput::new("P"), at(0), &mut fx)
        .unwrap();
    let stale = fx.timers[0].1;
    let stop = StopPipelineExecutionInput::new("P", id.to_string()).abandon();
    engine.stop(&stop, at(1), &mut fx).unwrap();
    let mut later = Effects::new(true);
    engine.fire(stale, at(10), &mut later);
    assert!(later.timers.is_empty() && later.events.as_ref().is_some_and(Vec::is_empty));
    assert_eq!(status(&engine, id), PipelineExecutionStatus::Stopping);
    engine.fire(Timer::SettleAbandon { seq: 0 }, at(10), &mut later);
    assert_eq!(status(&engine, id), PipelineExecutionStatus::Stopped);
}

#[test]
fn the_engine_moves_only_when_its_timers_fire() {
    let mut engine = engine(ExecutionMode::Queued);
    let mut fx = Effects::new(false);
    let id = engine
        .start(&StartPipelineExecutionInput::new("P"), at(0), &mut fx)
        .unwrap();
    // However late it is asked, nothing moved: time is what the caller says it is.
    assert_eq!(status(&engine, id), PipelineExecutionStatus::InProgress);
    let mut pending = std::mem::take(&mut fx.timers);
    while let Some((due, timer)) = pending.pop() {
        let mut next = Effects::new(false);
        engine.fire(timer, due, &mut next);
        pending.extend(next.timers);
    }
    assert_eq!(status(&engine, id), PipelineExecutionStatus::Succeeded);
    assert_eq!(engine.active_count(), 0);
}

#[test]
fn a_pipeline_being_deleted_answers_conflict() {
    let mut engine = engine(ExecutionMode::Queued);
    let mut fx = Effects::new(false);
    let id = engine
        .start(&StartPipelineExecutionInput::new("P"), at(0), &mut fx)
        .unwrap();
    // A call that found the pipeline just before DeletePipeline removed it.
    engine.delete();
    let err = engine
        .start(&StartPipelineExecutionInput::new("P"), at(1), &mut fx)
        .unwrap_err();
    assert_eq!(err.error_type(), "ConflictException");
    let stop = StopPipelineExecutionInput::new("P", id.to_string());
    assert_eq!(
        engine.stop(&stop, at(1), &mut fx).unwrap_err().error_type(),
        "ConflictException"
    );
}

impl PipelineEngine {
    /// Asserts the engine's own invariants: the limit of QUEUED and PARALLEL, one waiter
    /// per stage in SUPERSEDED, and stage occupants that are active executions inside
    /// their stage. The service's model checks call it at arbitrary points.
    pub(crate) fn check_invariants(&self) {
        let mode = self.plan.mode;
        let limit = self.config.max_concurrent_executions as usize;
        if mode != plan::Mode::Superseded {
            assert!(self.active.len() <= limit, "{} active", self.active.len());
        }
        for (i, stage) in self.stages.iter().enumerate() {
            if mode == plan::Mode::Superseded {
                assert!(
                    stage.waiting.len() <= 1,
                    "stage {i}: {:?} waiting",
                    stage.waiting
                );
            }
            if let Some(seq) = stage.occupant {
                let run = self.run(seq).expect("the occupant is active");
                if run.check.is_some() {
                    let running = |s: &&execution::Slot| {
                        s.status == crate::model::ActionExecutionStatus::InProgress
                    };
                    assert!(
                        run.slots.iter().find(running).is_none(),
                        "no action runs while a condition is checked"
                    );
                }
            }
            if let Some(seq) = stage.occupant {
                let run = self.run(seq).expect("the occupant is active");
                assert_eq!(usize::from(run.stage), i, "the occupant is in its stage");
                assert!(self.active.contains(&seq));
            }
        }
    }
}
