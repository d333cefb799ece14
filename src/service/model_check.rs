//! Model checks of admission and of jobs through the real service: starts, token
//! replays, stops, deletes, tag changes, job polls, acknowledgements and results, and
//! the timer driver racing on one simulator, under thousands of schedules that shuttle
//! explores.
//!
//! Nothing here re-implements the service's locking: the threads call the public API
//! (`start_pipeline_execution`, `advance`, ...) of a real [`Simulator`], whose locks are
//! shuttle's while a check runs (see `crate::sync`). So every interleaving explored is
//! one the service's own code could take, through `Cx`, the registry, the scheduler and
//! the engine. A checker thread reads the pipeline at arbitrary points in between and
//! checks the engine's own invariants (`PipelineEngine::check_invariants`: stage
//! occupants, waiters, the limit) and what any reader may rely on:
//! - QUEUED and PARALLEL never show more executions in progress than the limit;
//! - SUPERSEDED never keeps two executions waiting in front of a stage;
//! - one `clientRequestToken` starts at most one execution;
//! - once every timer has fired, nothing is in progress and no stage is locked, so no
//!   update was lost;
//! - the execution `CreatePipeline` starts begins exactly once, before any other;
//! - a disabled transition holds executions as a locked stage does, and enabling it
//!   lets every one through;
//! - a retried stage takes its lock and counts against the limit like a start, and a
//!   rollback waits for its stage like one;
//! - a stage checking a condition holds its lock and runs no action, and an override,
//!   a failed rule's automatic rollback and an automatic retry keep every rule above;
//! - a job goes to one poller within the acknowledgement window and none is lost, a
//!   nonce is accepted once, a job ends once, and the board and the engines agree on
//!   which jobs runs wait for.

use std::collections::BTreeSet;
use std::time::Duration;

use shuttle::future::block_on;
use shuttle::sync::Arc;
use shuttle::thread;

use super::jobs::{JobBoard, JobInfo};
use super::scope_parts::ScopePart;
use crate::model::*;
use crate::sync::model_checking;
use crate::{ActionResult, Simulator};

const LIMIT: u32 = 2;
const ACTION: Duration = Duration::from_secs(10);

fn simulator(mode: ExecutionMode) -> Simulator {
    let sim = Simulator::builder()
        .seed(1)
        .virtual_time()
        .action_duration(ACTION)
        .max_concurrent_executions(LIMIT)
        // The invariants count the executions the threads start.
        .start_on_create(false)
        .build();
    let pipeline = PipelineDeclaration::two_stage_example("P").v2(mode);
    block_on(sim.create_pipeline(pipeline)).expect("a valid pipeline");
    sim
}

/// Checks what a reader of pipeline `P` may rely on at any moment, and the engine's own
/// invariants under its lock.
fn check_invariants(sim: &Simulator, mode: &ExecutionMode) {
    if let Some(slot) = sim.scope.slot("P") {
        slot.engine.lock().check_invariants();
    }
    let Ok(listed) = block_on(sim.list_pipeline_executions("P")) else {
        return;
    };
    let in_progress = listed
        .pipeline_execution_summaries
        .iter()
        .filter(|e| e.status == PipelineExecutionStatus::InProgress)
        .count();
    if *mode != ExecutionMode::Superseded {
        assert!(in_progress <= LIMIT as usize, "{in_progress} in progress");
    }
    if *mode == ExecutionMode::Superseded
        && let Ok(state) = block_on(sim.get_pipeline_state("P"))
    {
        for stage in &state.stage_states {
            assert!(
                stage.inbound_executions.len() <= 1,
                "{}: {} waiting",
                stage.stage_name,
                stage.inbound_executions.len()
            );
        }
    }
}

fn explore(mode: ExecutionMode) {
    let sim = Arc::new(simulator(mode.clone()));
    let tokened = StartPipelineExecutionInput::new("P").client_request_token("deploy-1");
    let mut starts = Vec::new();
    // Two starts with one token, as an SDK retry races its first attempt, and two plain.
    for input in [
        tokened.clone(),
        tokened,
        StartPipelineExecutionInput::new("P"),
        StartPipelineExecutionInput::new("P"),
    ] {
        let sim = Arc::clone(&sim);
        starts.push(thread::spawn(move || {
            block_on(sim.start_pipeline_execution(input))
                .ok()
                .map(|out| out.pipeline_execution_id)
        }));
    }
    // A stop of whichever execution is newest, racing everything else.
    let stopper = {
        let sim = Arc::clone(&sim);
        thread::spawn(move || {
            let listed = block_on(sim.list_pipeline_executions("P")).expect("P exists");
            if let Some(newest) = listed.pipeline_execution_summaries.first() {
                let input =
                    StopPipelineExecutionInput::new("P", &newest.pipeline_execution_id).abandon();
                let _ = block_on(sim.stop_pipeline_execution(input));
            }
        })
    };
    // Tags change under their own lock while the engine is busy.
    let tagger = {
        let sim = Arc::clone(&sim);
        thread::spawn(move || {
            let input = TagResourceInput {
                resource_arn: "arn:aws:codepipeline:us-east-1:123456789012:P".into(),
                tags: vec![Tag::new("team", "a")],
            };
            block_on(sim.tag_resource(input)).expect("P exists");
        })
    };
    // The clock, firing timers while calls arrive.
    let driver = {
        let sim = Arc::clone(&sim);
        thread::spawn(move || {
            for _ in 0..3 {
                block_on(sim.advance(ACTION));
                thread::yield_now();
            }
        })
    };
    let checker = {
        let (sim, mode) = (Arc::clone(&sim), mode.clone());
        thread::spawn(move || {
            for _ in 0..3 {
                check_invariants(&sim, &mode);
                thread::yield_now();
            }
        })
    };
    let started: Vec<Option<String>> = starts.into_iter().map(|t| t.join().unwrap()).collect();
    for thread in [stopper, tagger, driver, checker] {
        thread.join().unwrap();
    }

    // One token, one execution: both tokened starts that were admitted answer one id.
    let tokened: Vec<&String> = started[..2].iter().flatten().collect();
    assert!(tokened.windows(2).all(|w| w[0] == w[1]), "{tokened:?}");

    // Let everything finish: nothing may stay in progress or locked.
    block_on(sim.advance(ACTION * 20));
    check_invariants(&sim, &mode);
    let stats = sim.pipeline_stats("P").expect("P exists");
    assert_eq!(stats.active_executions, 0, "an update was lost");
    let state = block_on(sim.get_pipeline_state("P")).expect("P exists");
    assert!(
        state
            .stage_states
            .iter()
            .all(|s| s.inbound_executions.is_empty()),
        "{state:?}"
    );
    let tags =
        block_on(sim.list_tags_for_resource("arn:aws:codepipeline:us-east-1:123456789012:P"))
            .expect("P exists");
    assert_eq!(tags.tags, vec![Tag::new("team", "a")]);
}

#[test]
fn queued_admission_holds_under_any_schedule() {
    model_checking(|| shuttle::check_random(|| explore(ExecutionMode::Queued), 1000));
}

#[test]
fn parallel_admission_holds_under_any_schedule() {
    model_checking(|| shuttle::check_random(|| explore(ExecutionMode::Parallel), 1000));
}

#[test]
fn superseded_admission_holds_under_any_schedule() {
    model_checking(|| shuttle::check_random(|| explore(ExecutionMode::Superseded), 1000));
}

#[test]
fn queued_admission_holds_under_pct_schedules() {
    model_checking(|| shuttle::check_pct(|| explore(ExecutionMode::Queued), 1000, 3));
}

/// A create racing a delete and a start of the same name: whichever order the registry
/// takes them in, the start either finds a whole pipeline or none, and a late call on a
/// deleted pipeline changes nothing that a re-created one shows.
#[test]
fn creates_deletes_and_starts_of_one_name_are_atomic() {
    model_checking(|| {
        shuttle::check_random(
            || {
                let sim = Arc::new(simulator(ExecutionMode::Queued));
                let deleter = {
                    let sim = Arc::clone(&sim);
                    thread::spawn(move || block_on(sim.delete_pipeline("P")).expect("valid"))
                };
                let creator = {
                    let sim = Arc::clone(&sim);
                    thread::spawn(move || {
                        let pipeline = PipelineDeclaration::two_stage_example("P");
                        block_on(sim.create_pipeline(pipeline)).is_ok()
                    })
                };
                let starter = {
                    let sim = Arc::clone(&sim);
                    thread::spawn(move || block_on(sim.start_pipeline_execution("P")))
                };
                deleter.join().unwrap();
                let recreated = creator.join().unwrap();
                let started = starter.join().unwrap();
                match block_on(sim.list_pipeline_executions("P")) {
                    Ok(listed) => {
                        assert!(listed.pipeline_execution_summaries.len() <= 1);
                        if let (Ok(out), Some(only)) =
                            (&started, listed.pipeline_execution_summaries.first())
                        {
                            assert_eq!(out.pipeline_execution_id, only.pipeline_execution_id);
                        }
                    }
                    Err(err) => {
                        assert!(!recreated, "{err}");
                        assert_eq!(err.error_type(), "PipelineNotFoundException");
                    }
                }
            },
            1000,
        );
    });
}

/// The execution `CreatePipeline` starts, racing starts and the clock that fires its
/// timer: whichever comes first starts it, exactly once, and it is the oldest execution.
#[test]
fn the_create_execution_starts_once_and_first_under_any_schedule() {
    model_checking(|| {
        shuttle::check_random(
            || {
                let sim = Arc::new(
                    Simulator::builder()
                        .seed(1)
                        .virtual_time()
                        .action_duration(ACTION)
                        .build(),
                );
                let pipeline =
                    PipelineDeclaration::two_stage_example("P").v2(ExecutionMode::Queued);
                block_on(sim.create_pipeline(pipeline)).expect("a valid pipeline");
                let starters: Vec<_> = (0..2)
                    .map(|_| {
                        let sim = Arc::clone(&sim);
                        thread::spawn(move || block_on(sim.start_pipeline_execution("P")))
                    })
                    .collect();
                let driver = {
                    let sim = Arc::clone(&sim);
                    thread::spawn(move || block_on(sim.advance(Duration::from_secs(2))))
                };
                for starter in starters {
                    starter.join().unwrap().expect("starts are admitted");
                }
                driver.join().unwrap();
                block_on(sim.advance(Duration::from_secs(2)));
                let listed = block_on(sim.list_pipeline_executions("P")).expect("P exists");
                let oldest_first: Vec<&str> = listed
                    .pipeline_execution_summaries
                    .iter()
                    .rev()
                    .map(|s| s.trigger.trigger_type.as_str())
                    .collect();
                assert_eq!(
                    oldest_first,
                    [
                        "CreatePipeline",
                        "StartPipelineExecution",
                        "StartPipelineExecution"
                    ]
                );
            },
            500,
        );
    });
}

/// Races `change` on pipeline `P` against a start, a stop of the newest execution, the
/// clock and a reader that checks the invariants, then lets every timer fire: the
/// invariants hold throughout, and at the end nothing is left in progress or waiting.
fn race(mode: ExecutionMode, prepare: fn(&Simulator) -> String, change: fn(&Simulator, &str)) {
    let sim = Arc::new(simulator(mode.clone()));
    let prepared = prepare(&sim);
    let changer = {
        let sim = Arc::clone(&sim);
        thread::spawn(move || change(&sim, &prepared))
    };
    let starter = {
        let sim = Arc::clone(&sim);
        thread::spawn(move || {
            let _ = block_on(sim.start_pipeline_execution("P"));
        })
    };
    let stopper = {
        let sim = Arc::clone(&sim);
        thread::spawn(move || {
            let listed = block_on(sim.list_pipeline_executions("P")).expect("P exists");
            if let Some(newest) = listed.pipeline_execution_summaries.first() {
                let stop = StopPipelineExecutionInput::new("P", &newest.pipeline_execution_id);
                let _ = block_on(sim.stop_pipeline_execution(stop.abandon()));
            }
        })
    };
    let driver = {
        let sim = Arc::clone(&sim);
        thread::spawn(move || block_on(sim.advance(ACTION)))
    };
    let checker = {
        let (sim, mode) = (Arc::clone(&sim), mode.clone());
        thread::spawn(move || check_invariants(&sim, &mode))
    };
    for thread in [changer, starter, stopper, driver, checker] {
        thread.join().unwrap();
    }
    block_on(sim.advance(ACTION * 20));
    check_invariants(&sim, &mode);
    assert_eq!(
        sim.pipeline_stats("P").expect("P exists").active_executions,
        0,
        "an update was lost"
    );
    let state = block_on(sim.get_pipeline_state("P")).expect("P exists");
    assert!(
        state
            .stage_states
            .iter()
            .all(|s| s.inbound_executions.is_empty())
    );
}

/// [`race`] in every execution mode, under shuttle's random schedules.
fn race_in_every_mode(prepare: fn(&Simulator) -> String, change: fn(&Simulator, &str)) {
    model_checking(|| {
        for mode in [
            ExecutionMode::Superseded,
            ExecutionMode::Queued,
            ExecutionMode::Parallel,
        ] {
            shuttle::check_random(move || race(mode.clone(), prepare, change), 300);
        }
    });
}

/// Nothing to prepare.
fn nothing(_: &Simulator) -> String {
    String::new()
}

/// An update cancels what is running: the executions it cancels settle.
#[test]
fn updates_racing_starts_stops_and_the_clock_leave_nothing_in_progress() {
    race_in_every_mode(nothing, |sim, _| {
        let pipeline = PipelineDeclaration::two_stage_example("P").v2(ExecutionMode::Queued);
        let _ = block_on(sim.update_pipeline(pipeline));
    });
}

/// A transition disabled and enabled again: the stage's lock and SUPERSEDED's single
/// waiter hold, and once enabled nothing is left held.
#[test]
fn transitions_hold_and_release_under_any_schedule() {
    race_in_every_mode(nothing, |sim, _| {
        let hold = DisableStageTransitionInput::inbound("P", "Deploy", "Freeze");
        block_on(sim.disable_stage_transition(hold)).expect("P has Deploy");
        thread::yield_now();
        let release = EnableStageTransitionInput::inbound("P", "Deploy");
        block_on(sim.enable_stage_transition(release)).expect("P has Deploy");
    });
}

/// An execution that failed in Deploy.
fn failed_in_deploy(sim: &Simulator) -> String {
    let failed = block_on(sim.start_pipeline_execution("P"))
        .expect("admitted")
        .pipeline_execution_id;
    block_on(sim.advance(ACTION));
    block_on(sim.finish_action("P", &failed, "Deploy", "Ship", ActionResult::Failed))
        .expect("Ship runs");
    failed
}

/// A retry of a failed stage takes the stage's lock and counts against the limit as a
/// start does.
#[test]
fn retries_hold_the_admission_rules_under_any_schedule() {
    race_in_every_mode(failed_in_deploy, |sim, failed| {
        let input = RetryStageExecutionInput::failed_actions("P", "Deploy", failed);
        let _ = block_on(sim.retry_stage_execution(input));
    });
}

/// An execution that succeeded in every stage.
fn succeeded(sim: &Simulator) -> String {
    let good = block_on(sim.start_pipeline_execution("P"))
        .expect("admitted")
        .pipeline_execution_id;
    block_on(sim.advance(ACTION * 2));
    good
}

/// A rollback waits for a locked stage and counts against the limit as a start does.
#[test]
fn rollbacks_hold_the_admission_rules_under_any_schedule() {
    race_in_every_mode(succeeded, |sim, good| {
        let input = RollbackStageInput::new("P", "Deploy", good);
        let _ = block_on(sim.rollback_stage(input));
    });
}

/// `P` again with conditions on Deploy: an entry rule that holds, a success rule that
/// fails its next run (rolling back to the execution that succeeded before it), and an
/// automatic retry on failure; answers that execution.
fn conditional(sim: &Simulator) -> String {
    let good = succeeded(sim);
    let declared = block_on(sim.get_pipeline("P")).expect("P exists").pipeline;
    let mode = declared.execution_mode.expect("a V2 pipeline has a mode");
    let mut pipeline = PipelineDeclaration::two_stage_example("P")
        .v2(mode)
        .variable("GO", Some("yes"));
    pipeline.stages[1] = std::mem::take(&mut pipeline.stages[1])
        .before_entry(Condition::new(
            ConditionResult::Fail,
            vec![
                RuleDeclaration::new("Go", "VariableCheck")
                    .config("Variable", "#{variables.GO}")
                    .config("Operator", "EQ")
                    .config("Value", "yes"),
            ],
        ))
        .on_success(Condition::new(
            ConditionResult::Rollback,
            vec![RuleDeclaration::new("Quiet", "CloudWatchAlarm").config("AlarmName", "errors")],
        ));
    block_on(sim.update_pipeline(pipeline)).expect("a valid pipeline");
    block_on(sim.advance(ACTION * 20));
    let alarm = crate::ActionEnd::failed("in ALARM");
    block_on(sim.script_rule("P", "Deploy", "Quiet", [alarm])).expect("Deploy has Quiet");
    good
}

/// Overrides of an entry condition race starts, stops and the clock; a success rule's
/// automatic rollback waits for its stage and the limit like a start.
#[test]
fn conditions_hold_the_admission_rules_under_any_schedule() {
    race_in_every_mode(conditional, |sim, _| {
        let listed = block_on(sim.list_pipeline_executions("P")).expect("P exists");
        if let Some(newest) = listed.pipeline_execution_summaries.first() {
            let id = &newest.pipeline_execution_id;
            let input =
                OverrideStageConditionInput::new("P", "Deploy", id, ConditionType::BeforeEntry);
            let _ = block_on(sim.override_stage_condition(input));
        }
    });
}

// ---------------------------------------------------------------------------------------
// Jobs: polls, acknowledgements and results racing the runs that post and end the jobs.
// The board is a scope part behind its own lock; engines post and end jobs under their
// lock (`Inner::post_jobs`), a poll picks under the board's lock (`Cx::choose_in_part`),
// an acknowledgement changes only the board, and a result takes the engine's lock, then
// the board's (`Cx::change_with_jobs`).
// ---------------------------------------------------------------------------------------

/// The custom type the job workers of these checks poll for.
fn jenkins() -> ActionTypeId {
    ActionTypeId::custom(ActionCategory::Build, "MyJenkins")
}

/// A simulator with the custom type [`jenkins`] and the PARALLEL pipeline `P`: Source
/// (Fetch, [`ACTION`] long), then Build (Compile, a custom action whose run waits for
/// its job). Build is the last stage, so a job's result settles its execution at once.
fn job_simulator() -> Simulator {
    let sim = Simulator::builder()
        .seed(1)
        .virtual_time()
        .action_duration(ACTION)
        .start_on_create(false)
        .build();
    let jenkins_type = CreateCustomActionTypeInput::new(
        ActionCategory::Build,
        "MyJenkins",
        "1",
        crate::model::action_types::ArtifactCounts::new(1, 1),
        crate::model::action_types::ArtifactCounts::new(0, 1),
    );
    block_on(sim.create_custom_action_type(jenkins_type)).expect("a valid custom type");
    let mut pipeline = PipelineDeclaration::two_stage_example("P").v2(ExecutionMode::Parallel);
    let compile = ActionDeclaration::new("Compile", jenkins()).input("Src");
    pipeline.stages[1] = StageDeclaration::new("Build", vec![compile]);
    block_on(sim.create_pipeline(pipeline)).expect("a valid pipeline");
    sim
}

/// Checks that the engine of `P` and the board agree at this instant: the jobs that have
/// not ended are exactly those that runs wait for. Takes the engine's lock, then the
/// board's, the order every change that touches both takes them in, so no change is
/// seen half made.
fn check_jobs_agree(sim: &Simulator) {
    let Some(slot) = sim.scope.slot("P") else {
        return;
    };
    let engine = slot.engine.lock();
    let board = JobBoard::of(&sim.scope.parts).lock();
    let waited_for: BTreeSet<String> = engine
        .running_jobs()
        .iter()
        .map(ToString::to_string)
        .collect();
    let open: BTreeSet<String> = board
        .infos()
        .into_iter()
        .filter(|job| !job.status.is_final())
        .map(|job| job.job_id)
        .collect();
    assert_eq!(waited_for, open, "the board and the engine disagree");
}

/// Checks that every job's status is its action run's: a job that has not ended waits
/// for an action in progress, a job that succeeded ended its run successfully, and a job
/// that failed or timed out ended it unsuccessfully (an abandoned run's job fails).
fn check_job_statuses_match_their_runs(sim: &Simulator) {
    let runs = block_on(sim.list_action_executions(ListActionExecutionsInput::new("P")))
        .expect("P exists")
        .action_execution_details;
    for job in sim.jobs() {
        let run = runs
            .iter()
            .find(|run| {
                run.pipeline_execution_id == job.pipeline_execution_id
                    && run.action_name == job.action_name
            })
            .expect("each job belongs to a run");
        let agree = match job.status {
            JobStatus::Created
            | JobStatus::Queued
            | JobStatus::Dispatched
            | JobStatus::InProgress => run.status == ActionExecutionStatus::InProgress,
            JobStatus::Succeeded => run.status == ActionExecutionStatus::Succeeded,
            JobStatus::Failed | JobStatus::TimedOut => matches!(
                run.status,
                ActionExecutionStatus::Failed | ActionExecutionStatus::Abandoned
            ),
        };
        assert!(agree, "job {:?}, its run {:?}", job.status, run.status);
    }
}

/// A job worker: polls twice (worker 1 for two jobs at a time), claims each job it is
/// handed and ends it, successfully (worker 0) or not (the others). Nothing else ends
/// these jobs and only this worker holds the nonce, so the claim and the result must be
/// accepted. Answers the ids of the jobs it was handed.
fn work(sim: &Simulator, worker: usize) -> Vec<String> {
    let mut handed = Vec::new();
    for _ in 0..2 {
        let mut poll = PollForJobsInput::new(jenkins());
        if worker == 1 {
            poll.max_batch_size = Some(2);
        }
        let polled = block_on(sim.poll_for_jobs(poll)).expect("jenkins is live");
        for job in polled.jobs {
            let claim = AcknowledgeJobInput {
                job_id: job.id.clone(),
                nonce: job.nonce.clone(),
            };
            let claimed = block_on(sim.acknowledge_job(claim)).expect("the nonce is this poll's");
            assert_eq!(claimed.status, JobStatus::InProgress);
            if worker == 0 {
                let success = PutJobSuccessResultInput::new(&job.id);
                block_on(sim.put_job_success_result(success)).expect("the job is open");
            } else {
                let failure = PutJobFailureResultInput {
                    job_id: job.id.clone(),
                    failure_details: FailureDetails {
                        failure_type: FailureType::JobFailed,
                        message: "the build broke".into(),
                        external_execution_id: None,
                    },
                };
                block_on(sim.put_job_failure_result(failure)).expect("the job is open");
            }
            handed.push(job.id);
        }
        thread::yield_now();
    }
    handed
}

/// Two workers poll `jenkins` while executions start and the clock brings them to its
/// action, posting jobs: no job is handed to two pollers (the clock moves 20 seconds,
/// well within the acknowledgement window, so no job may be handed out again), no job is
/// lost (every job still queued is handed to the next poll), and the board and the
/// engines agree throughout and at the end.
fn hand_out_jobs() {
    let sim = Arc::new(job_simulator());
    // One job queued before anything races.
    block_on(sim.start_pipeline_execution("P")).expect("admitted");
    block_on(sim.advance(ACTION));
    let starters: Vec<_> = (0..2)
        .map(|_| {
            let sim = Arc::clone(&sim);
            thread::spawn(move || {
                block_on(sim.start_pipeline_execution("P")).expect("admitted");
            })
        })
        .collect();
    let workers: Vec<_> = (0..2)
        .map(|worker| {
            let sim = Arc::clone(&sim);
            thread::spawn(move || work(&sim, worker))
        })
        .collect();
    let driver = {
        let sim = Arc::clone(&sim);
        thread::spawn(move || {
            for _ in 0..2 {
                block_on(sim.advance(ACTION));
                thread::yield_now();
            }
        })
    };
    let checker = {
        let sim = Arc::clone(&sim);
        thread::spawn(move || {
            for _ in 0..3 {
                check_jobs_agree(&sim);
                thread::yield_now();
            }
        })
    };
    for thread in starters.into_iter().chain([driver, checker]) {
        thread.join().unwrap();
    }
    let handed: Vec<String> = workers
        .into_iter()
        .flat_map(|worker| worker.join().unwrap())
        .collect();

    // At most one poller per job.
    let distinct: BTreeSet<&String> = handed.iter().collect();
    assert_eq!(
        distinct.len(),
        handed.len(),
        "a job went to two pollers: {handed:?}"
    );
    check_jobs_agree(&sim);
    check_job_statuses_match_their_runs(&sim);

    // Every execution reaches Build (the last start was at most 20 seconds in), and
    // still inside the acknowledgement window: a job not handed out yet is queued, and
    // the next poll hands out exactly those.
    block_on(sim.advance(ACTION));
    let jobs = sim.jobs();
    assert_eq!(jobs.len(), 3, "one job per execution: {jobs:?}");
    let mut queued = BTreeSet::new();
    for job in &jobs {
        if job.status == JobStatus::Queued {
            queued.insert(job.job_id.clone());
        } else {
            assert!(distinct.contains(&job.job_id), "{job:?} ended unhanded");
            assert!(job.status.is_final(), "{job:?} was handed a result");
        }
    }
    let mut drain = PollForJobsInput::new(jenkins());
    drain.max_batch_size = Some(10);
    let drained = block_on(sim.poll_for_jobs(drain))
        .expect("jenkins is live")
        .jobs;
    let drained_ids: BTreeSet<String> = drained.iter().map(|job| job.id.clone()).collect();
    assert_eq!(drained_ids, queued, "a queued job was lost");
    for job in drained {
        block_on(sim.put_job_success_result(PutJobSuccessResultInput::new(&job.id)))
            .expect("the job is open");
    }

    // Every job ended, and with it its run and execution.
    block_on(sim.advance(ACTION * 20));
    check_jobs_agree(&sim);
    check_job_statuses_match_their_runs(&sim);
    assert!(sim.jobs().iter().all(|job| job.status.is_final()));
    assert_eq!(
        sim.pipeline_stats("P").expect("P exists").active_executions,
        0,
        "an update was lost"
    );
}

#[test]
fn a_job_goes_to_one_poller_and_none_is_lost_under_any_schedule() {
    model_checking(|| shuttle::check_random(hand_out_jobs, 1000));
}

#[test]
fn a_job_goes_to_one_poller_and_none_is_lost_under_pct_schedules() {
    model_checking(|| shuttle::check_pct(hand_out_jobs, 1000, 3));
}

/// A simulator whose execution of `P` waits for its one job, handed out by a poll;
/// answers the execution's id and the job.
fn one_job_handed_out(sim: &Simulator) -> (String, Job) {
    let id = block_on(sim.start_pipeline_execution("P"))
        .expect("admitted")
        .pipeline_execution_id;
    block_on(sim.advance(ACTION));
    let mut jobs = block_on(sim.poll_for_jobs(PollForJobsInput::new(jenkins())))
        .expect("jenkins is live")
        .jobs;
    assert_eq!(jobs.len(), 1, "one job queued");
    (id, jobs.remove(0))
}

/// Three claims of one job with its nonce, as a worker's retries race its first
/// attempt, and a poll: exactly one claim is accepted, the others answer
/// `InvalidNonceException`, and the poll, inside the acknowledgement window, hands out
/// nothing.
#[test]
fn a_nonce_is_accepted_once_under_any_schedule() {
    model_checking(|| {
        shuttle::check_random(
            || {
                let sim = Arc::new(job_simulator());
                let (_, job) = one_job_handed_out(&sim);
                let claims: Vec<_> = (0..3)
                    .map(|_| {
                        let sim = Arc::clone(&sim);
                        let claim = AcknowledgeJobInput {
                            job_id: job.id.clone(),
                            nonce: job.nonce.clone(),
                        };
                        thread::spawn(move || block_on(sim.acknowledge_job(claim)))
                    })
                    .collect();
                let poller = {
                    let sim = Arc::clone(&sim);
                    thread::spawn(move || {
                        block_on(sim.poll_for_jobs(PollForJobsInput::new(jenkins())))
                            .expect("jenkins is live")
                            .jobs
                    })
                };
                let mut accepted = 0;
                for claim in claims {
                    match claim.join().unwrap() {
                        Ok(out) => {
                            assert_eq!(out.status, JobStatus::InProgress);
                            accepted += 1;
                        }
                        Err(err) => assert_eq!(err.error_type(), "InvalidNonceException"),
                    }
                }
                assert_eq!(accepted, 1, "a nonce was accepted {accepted} times");
                assert!(
                    poller.join().unwrap().is_empty(),
                    "a claimed job went out again"
                );
                assert_eq!(sim.jobs()[0].status, JobStatus::InProgress);
                check_jobs_agree(&sim);
            },
            1000,
        );
    });
}

/// What a late call could change: the board, the pipeline's state and its action runs.
fn job_state(
    sim: &Simulator,
) -> (
    Vec<JobInfo>,
    GetPipelineStateOutput,
    ListActionExecutionsOutput,
) {
    (
        sim.jobs(),
        block_on(sim.get_pipeline_state("P")).expect("P exists"),
        block_on(sim.list_action_executions(ListActionExecutionsInput::new("P")))
            .expect("P exists"),
    )
}

/// A worker's result for a claimed job races a stop-and-abandon of its execution and
/// the clock reaching the job's timeout: the job ends exactly once, by whichever came
/// first (`Succeeded` for the result, `Failed` for the stop, `TimedOut` for the
/// clock); the others are refused; and a result after the end answers
/// `InvalidJobStateException` and changes nothing.
#[test]
fn a_job_ends_once_when_its_result_races_a_stop_and_its_timeout() {
    model_checking(|| {
        shuttle::check_random(
            || {
                let sim = Arc::new(job_simulator());
                let (execution, job) = one_job_handed_out(&sim);
                let claim = AcknowledgeJobInput {
                    job_id: job.id.clone(),
                    nonce: job.nonce.clone(),
                };
                block_on(sim.acknowledge_job(claim)).expect("the nonce is this poll's");
                let putter = {
                    let (sim, id) = (Arc::clone(&sim), job.id.clone());
                    thread::spawn(move || {
                        block_on(sim.put_job_success_result(PutJobSuccessResultInput::new(id)))
                    })
                };
                let stopper = {
                    let sim = Arc::clone(&sim);
                    thread::spawn(move || {
                        let stop = StopPipelineExecutionInput::new("P", execution).abandon();
                        block_on(sim.stop_pipeline_execution(stop))
                    })
                };
                let driver = {
                    let sim = Arc::clone(&sim);
                    thread::spawn(move || {
                        block_on(sim.advance(crate::engine::DEFAULT_JOB_TIMEOUT));
                    })
                };
                let checker = {
                    let sim = Arc::clone(&sim);
                    thread::spawn(move || check_jobs_agree(&sim))
                };
                let put = putter.join().unwrap();
                let stopped = stopper.join().unwrap();
                driver.join().unwrap();
                checker.join().unwrap();

                let ended = sim.jobs()[0].status;
                match (&put, &stopped) {
                    (Ok(()), Err(_)) => assert_eq!(ended, JobStatus::Succeeded),
                    (Err(err), Ok(_)) => {
                        assert_eq!(err.error_type(), "InvalidJobStateException");
                        assert_eq!(ended, JobStatus::Failed);
                    }
                    (Err(err), Err(_)) => {
                        assert_eq!(err.error_type(), "InvalidJobStateException");
                        assert_eq!(ended, JobStatus::TimedOut);
                    }
                    (Ok(()), Ok(_)) => panic!("both the result and the stop ended the job"),
                }
                check_jobs_agree(&sim);
                check_job_statuses_match_their_runs(&sim);

                let before = job_state(&sim);
                let late = block_on(
                    sim.put_job_success_result(PutJobSuccessResultInput::new(job.id.clone())),
                );
                assert_eq!(
                    late.expect_err("the job ended").error_type(),
                    "InvalidJobStateException"
                );
                let late_failure = PutJobFailureResultInput {
                    job_id: job.id.clone(),
                    failure_details: FailureDetails {
                        failure_type: FailureType::JobFailed,
                        message: "late".into(),
                        external_execution_id: None,
                    },
                };
                let late = block_on(sim.put_job_failure_result(late_failure));
                assert_eq!(
                    late.expect_err("the job ended").error_type(),
                    "InvalidJobStateException"
                );
                assert_eq!(job_state(&sim), before, "a late result changed something");
            },
            1000,
        );
    });
}
