//! Durable state: a simulator opened on a state file comes back with everything it
//! had, and goes on exactly as if it had never stopped.

use std::path::PathBuf;
use std::time::Duration;

use tempfile::TempDir;

use crate::common::*;
use crate::helpers::*;
use pipesim::faults::{FaultRule, RateLimit};
use pipesim::model::*;
use pipesim::persist::{Fsync, StateError};
use pipesim::{Outcome, PipelineSettings, Simulator, SimulatorBuilder};

/// A state file's path in a fresh directory, removed when the returned guard drops: keep
/// it alive for as long as the test uses the file.
fn state_file() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pipesim.state");
    (dir, path)
}

fn builder() -> SimulatorBuilder {
    Simulator::builder()
        .virtual_time()
        .action_duration(ACTION)
        .action_outcome(Outcome::FailWithProbability(0.3))
}

/// [`builder`] with actions that always succeed and pipelines that start nothing by
/// themselves: for the tests that fail actions and rules on purpose.
fn scripted() -> SimulatorBuilder {
    builder()
        .action_outcome(Outcome::Succeed)
        .start_on_create(false)
}

/// Everything a client can see of the simulator.
async fn observe(sim: &Simulator) -> Vec<String> {
    let mut seen = vec![format!("now {:?}", sim.now())];
    let pipelines = sim
        .list_pipelines(ListPipelinesInput::default())
        .await
        .unwrap();
    seen.push(format!("{pipelines:?}"));
    for pipeline in pipelines.pipelines {
        let name = pipeline.name.as_str();
        seen.push(format!("{:?}", sim.get_pipeline_state(name).await.unwrap()));
        let list = sim.list_pipeline_executions(name).await.unwrap();
        for summary in &list.pipeline_execution_summaries {
            let id = summary.pipeline_execution_id.as_str();
            seen.push(format!(
                "{:?}",
                sim.get_pipeline_execution((name, id)).await.unwrap()
            ));
        }
        seen.push(format!("{list:?}"));
        let actions = sim.list_action_executions(name).await.unwrap();
        seen.push(format!("{actions:?}"));
        let rules = sim.list_rule_executions(name).await.unwrap();
        seen.push(format!("{rules:?}"));
        let arn = format!("arn:aws:codepipeline:us-east-1:123456789012:{name}");
        seen.push(format!(
            "{:?}",
            sim.list_tags_for_resource(arn.as_str()).await.unwrap()
        ));
    }
    seen.push(format!(
        "{:?}",
        sim.faults().iter().map(|f| &f.id).collect::<Vec<_>>()
    ));
    seen.push(format!(
        "{:?}",
        sim.rate_limits().iter().map(|l| &l.id).collect::<Vec<_>>()
    ));
    seen
}

/// A history with every kind of change: modes, tokens, stops, approvals, updates,
/// deletes and re-creates, tags, settings, rules, failures drawn from the seed.
async fn make_history(sim: &Simulator) -> Vec<String> {
    create(sim, two_stages("Queued").v2(ExecutionMode::Queued)).await;
    create(sim, with_approval("Approved")).await;
    create(sim, two_stages("Gone")).await;
    sim.configure_pipeline(
        "Queued",
        PipelineSettings::new().max_concurrent_executions(3),
    )
    .unwrap();
    let mut ids = Vec::new();
    for n in 0..6 {
        let input =
            StartPipelineExecutionInput::new("Queued").client_request_token(format!("t{n}"));
        match sim.start_pipeline_execution(input).await {
            Ok(out) => ids.push(out.pipeline_execution_id),
            Err(err) => ids.push(err.error_type().to_owned()),
        }
        sim.advance(ACTION / 3).await;
    }
    // Held in front of Deploy across the restart, then let in.
    let freeze = DisableStageTransitionInput::inbound("Queued", "Deploy", "Freeze");
    sim.disable_stage_transition(freeze).await.unwrap();
    let first = start(sim, "Approved").await;
    sim.advance(ACTION).await;
    let token = approval_token(sim, "Approved", "Approve", "Manual").await;
    sim.put_approval_result(approval(
        "Approved",
        "Approve",
        "Manual",
        &token,
        ApprovalStatus::Approved,
    ))
    .await
    .unwrap();
    let second = start(sim, "Approved").await;
    sim.stop_pipeline_execution(StopPipelineExecutionInput {
        pipeline_name: "Approved".into(),
        pipeline_execution_id: second.clone(),
        abandon: Some(true),
        reason: Some("no".into()),
    })
    .await
    .unwrap();
    sim.delete_pipeline("Gone").await.unwrap();
    create(sim, two_stages("Gone")).await;
    start(sim, "Gone").await;
    sim.update_pipeline(two_stages("Gone")).await.unwrap();
    let arn = "arn:aws:codepipeline:us-east-1:123456789012:Queued";
    sim.tag_resource(TagResourceInput {
        resource_arn: arn.into(),
        tags: vec![
            Tag {
                key: "team".into(),
                value: "a".into(),
            },
            Tag {
                key: "x".into(),
                value: "1".into(),
            },
        ],
    })
    .await
    .unwrap();
    sim.untag_resource(UntagResourceInput {
        resource_arn: arn.into(),
        tag_keys: vec!["x".into()],
    })
    .await
    .unwrap();
    sim.add_fault(FaultRule::error("ThrottlingException").pipeline("Nobody"))
        .unwrap();
    let removed = sim
        .add_fault(FaultRule::error("InternalFailure").pipeline("Nobody"))
        .unwrap();
    sim.add_fault(FaultRule::latency(Duration::from_millis(1)).pipeline("Nobody"))
        .unwrap();
    assert!(sim.remove_fault(&removed));
    sim.add_rate_limit(RateLimit::new(1000.0).operation("GetPipeline"))
        .unwrap();
    sim.flush().await.unwrap();
    ids.push(first);
    ids.push(second);
    ids
}

#[tokio::test]
async fn a_reopened_state_file_gives_back_every_pipeline_execution_tag_and_rule() {
    let (_dir, path) = state_file();
    let sim = builder().seed(SEED).open(&path, Fsync::Always).unwrap();
    make_history(&sim).await;
    let before = observe(&sim).await;
    drop(sim);

    let reopened = builder().open(&path, Fsync::Always).unwrap();
    assert_eq!(reopened.seed(), SEED, "the seed comes from the file");
    assert_eq!(observe(&reopened).await, before);
}

#[tokio::test]
async fn a_restored_simulator_goes_on_exactly_as_one_that_never_stopped() {
    let (_dir, path) = state_file();
    let sim = builder().seed(SEED).open(&path, Fsync::EverySec).unwrap();
    let twin = builder().seed(SEED).build();
    assert_eq!(make_history(&sim).await, make_history(&twin).await);
    drop(sim);

    let reopened = builder().open(&path, Fsync::EverySec).unwrap();
    for sim in [&reopened, &twin] {
        sim.advance(ACTION * 2).await;
        let thaw = EnableStageTransitionInput::inbound("Queued", "Deploy");
        sim.enable_stage_transition(thaw).await.unwrap();
        start(sim, "Queued").await;
        sim.advance(Duration::from_secs(3600)).await;
    }
    assert_eq!(observe(&reopened).await, observe(&twin).await);
}

#[tokio::test]
async fn tokens_survive_a_restart_and_replay_the_same_execution() {
    let (_dir, path) = state_file();
    let sim = builder().seed(SEED).open(&path, Fsync::Always).unwrap();
    create(&sim, two_stages("P")).await;
    let input = StartPipelineExecutionInput::new("P").client_request_token("deploy-1");
    let first = sim.start_pipeline_execution(input.clone()).await.unwrap();
    drop(sim);

    let reopened = builder().open(&path, Fsync::Always).unwrap();
    let id = first.pipeline_execution_id.as_str();
    reopened.get_pipeline_execution(("P", id)).await.unwrap();
    assert_eq!(
        reopened.start_pipeline_execution(input).await.unwrap(),
        first
    );
    let list = reopened.list_pipeline_executions("P").await.unwrap();
    // The execution CreatePipeline started, and the tokened one.
    assert_eq!(
        list.pipeline_execution_summaries.len(),
        2,
        "the replay started nothing"
    );
}

#[tokio::test]
async fn a_state_file_refuses_other_settings_and_changes_nothing() {
    let (_dir, path) = state_file();
    let sim = builder().seed(SEED).open(&path, Fsync::Always).unwrap();
    create(&sim, two_stages("P")).await;
    drop(sim);
    let bytes = std::fs::read(&path).unwrap();

    let err = builder()
        .seed(SEED + 1)
        .open(&path, Fsync::Always)
        .unwrap_err();
    assert!(matches!(err, StateError::SettingsDiffer { .. }), "{err}");
    assert!(
        err.to_string().contains("seed was 42 and is 43 now"),
        "{err}"
    );
    let err = builder()
        .seed(SEED)
        .max_concurrent_executions(5)
        .open(&path, Fsync::Always)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("max_concurrent_executions was 50 and is 5 now"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[tokio::test]
async fn calls_that_fail_validation_are_not_journaled() {
    let (_dir, path) = state_file();
    let sim = builder().seed(SEED).open(&path, Fsync::Always).unwrap();
    create(&sim, two_stages("P")).await;
    sim.flush().await.unwrap();
    let len = std::fs::metadata(&path).unwrap().len();
    let err = sim.start_pipeline_execution("bad name!").await.unwrap_err();
    assert_eq!(err.error_type(), "ValidationException");
    let err = sim.start_pipeline_execution("Missing").await.unwrap_err();
    assert_eq!(err.error_type(), "PipelineNotFoundException");
    sim.flush().await.unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), len);
}

#[tokio::test]
async fn a_closed_state_file_fails_changes_instead_of_losing_them() {
    let (_dir, path) = state_file();
    let sim = builder().seed(SEED).open(&path, Fsync::Always).unwrap();
    create(&sim, two_stages("P")).await;
    sim.close_state_file();
    let err = sim.start_pipeline_execution("P").await.unwrap_err();
    assert_eq!(err.error_type(), "InternalFailure");
    assert!(err.to_string().contains("closed"), "{err}");
}

#[tokio::test]
async fn a_change_is_in_the_file_by_the_time_it_is_answered() {
    for fsync in [Fsync::Always, Fsync::EverySec] {
        let (_dir, path) = state_file();
        let sim = builder().seed(SEED).open(&path, fsync).unwrap();
        create(&sim, two_stages("P")).await;
        for n in 0..50 {
            let token = format!("token-{n}-acknowledged");
            let input = StartPipelineExecutionInput::new("P").client_request_token(&token);
            sim.start_pipeline_execution(input).await.unwrap();
            let written = std::fs::read(&path).unwrap();
            let written = String::from_utf8_lossy(&written);
            assert!(
                written.contains(&token),
                "{fsync}: start {n} answered before it was written"
            );
        }
    }
}

fn file_text(path: &std::path::Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned()
}

#[tokio::test]
async fn reopening_compacts_the_file_into_a_snapshot_that_restores_the_same_state() {
    let (_dir, path) = state_file();
    let sim = builder().seed(SEED).open(&path, Fsync::Always).unwrap();
    let twin = builder().seed(SEED).build();
    make_history(&sim).await;
    make_history(&twin).await;
    drop(sim);
    let journaled = std::fs::metadata(&path).unwrap().len();

    let reopened = builder().open(&path, Fsync::Always).unwrap();
    // The compaction an open asks for runs while calls are served.
    reopened.wait_for_compaction();
    assert!(
        file_text(&path).contains(r#""op":"snapshot""#),
        "the file was compacted"
    );
    assert_eq!(observe(&reopened).await, observe(&twin).await);
    // Changes after the snapshot go on the end of the compacted file.
    for sim in [&reopened, &twin] {
        start(sim, "Queued").await;
        sim.advance(ACTION).await;
    }
    drop(reopened);
    assert!(std::fs::metadata(&path).unwrap().len() < journaled * 4);

    let again = builder().open(&path, Fsync::Always).unwrap();
    for sim in [&again, &twin] {
        sim.advance(Duration::from_secs(3600)).await;
        start(sim, "Approved").await;
        sim.advance(ACTION).await;
    }
    assert_eq!(observe(&again).await, observe(&twin).await);
}

#[tokio::test]
async fn a_file_that_outgrows_its_limit_is_compacted_while_changes_go_on() {
    let (_dir, path) = state_file();
    let sim = builder()
        .seed(SEED)
        .compact_state_file_after(16 * 1024)
        .open(&path, Fsync::EverySec)
        .unwrap();
    let twin = builder().seed(SEED).build();
    for sim in [&sim, &twin] {
        create(sim, two_stages("P").v2(ExecutionMode::Parallel)).await;
    }
    for round in 0..400 {
        for sim in [&sim, &twin] {
            let token = format!("round-{round}");
            let input = StartPipelineExecutionInput::new("P").client_request_token(token);
            sim.start_pipeline_execution(input).await.unwrap();
            sim.advance(ACTION / 4).await;
        }
        if round % 100 == 99 {
            // The compaction thread runs on its own schedule; this makes one certain.
            sim.compact_state_file().unwrap();
        }
    }
    sim.flush().await.unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    drop(sim);
    let reopened = builder().open(&path, Fsync::EverySec).unwrap();
    assert_eq!(observe(&reopened).await, observe(&twin).await);
    assert!(
        size < 400 * 1024,
        "compaction kept the file small: {size} bytes"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compaction_racing_changes_loses_no_acknowledged_execution() {
    let (_dir, path) = state_file();
    let sim = builder().seed(SEED).open(&path, Fsync::EverySec).unwrap();
    for name in ["A", "B", "C"] {
        create(&sim, two_stages(name).v2(ExecutionMode::Parallel)).await;
        sim.configure_pipeline(
            name,
            PipelineSettings::new().max_concurrent_executions(10_000),
        )
        .unwrap();
    }
    let writers: Vec<_> = ["A", "B", "C"]
        .into_iter()
        .map(|name| {
            let sim = sim.clone();
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for _ in 0..300 {
                    let out = sim.start_pipeline_execution(name).await.unwrap();
                    ids.push((name, out.pipeline_execution_id));
                }
                ids
            })
        })
        .collect();
    let compactor = {
        let sim = sim.clone();
        tokio::task::spawn_blocking(move || {
            for _ in 0..20 {
                sim.compact_state_file().unwrap();
            }
        })
    };
    let mut acknowledged = Vec::new();
    for writer in writers {
        acknowledged.extend(writer.await.unwrap());
    }
    compactor.await.unwrap();
    drop(sim);

    let reopened = builder().open(&path, Fsync::EverySec).unwrap();
    for (name, id) in &acknowledged {
        reopened
            .get_pipeline_execution((*name, id.as_str()))
            .await
            .unwrap();
    }
    for name in ["A", "B", "C"] {
        let stats = reopened.pipeline_stats(name).unwrap();
        // 300 starts, and the execution CreatePipeline started.
        assert_eq!(
            stats.retained_executions, 301,
            "{name}: nothing lost, nothing doubled"
        );
    }
}

/// Changes on many pipelines (starts, timers, tags, deletes, re-creates) made while
/// compactions run back to back on another thread, and the same changes on a twin
/// without a state file: whatever each compaction's cut and pass caught of them, the
/// reopened file holds exactly the twin's state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compaction_racing_changes_on_many_pipelines_restores_exactly_the_live_state() {
    const PIPELINES: usize = 40;
    let (_dir, path) = state_file();
    let sim = builder().seed(SEED).open(&path, Fsync::EverySec).unwrap();
    let twin = builder().seed(SEED).build();
    let names: Vec<String> = (0..PIPELINES).map(|i| format!("P{i:02}")).collect();
    for sim in [&sim, &twin] {
        for name in &names {
            create(sim, two_stages(name).v2(ExecutionMode::Parallel)).await;
        }
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let compactor = {
        let (sim, stop) = (sim.clone(), std::sync::Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut compactions = 0;
            while !stop.load(std::sync::atomic::Ordering::Acquire) {
                sim.compact_state_file().unwrap();
                compactions += 1;
            }
            compactions
        })
    };
    for round in 0..30 {
        for sim in [&sim, &twin] {
            for (i, name) in names.iter().enumerate() {
                start(sim, name).await;
                if (i + round) % 7 == 0 {
                    let arn = format!("arn:aws:codepipeline:us-east-1:123456789012:{name}");
                    sim.tag_resource(TagResourceInput {
                        resource_arn: arn,
                        tags: vec![Tag {
                            key: "round".into(),
                            value: round.to_string(),
                        }],
                    })
                    .await
                    .unwrap();
                }
                if (i + round) % 13 == 0 {
                    sim.delete_pipeline(name.as_str()).await.unwrap();
                    create(sim, two_stages(name).v2(ExecutionMode::Parallel)).await;
                }
            }
            sim.advance(ACTION / 2).await;
        }
        // Let the compaction thread in between rounds too.
        tokio::task::yield_now().await;
    }
    stop.store(true, std::sync::atomic::Ordering::Release);
    let compactions = tokio::task::spawn_blocking(move || compactor.join().unwrap())
        .await
        .unwrap();
    assert!(compactions > 0);
    sim.flush().await.unwrap();
    drop(sim);
    let reopened = builder().open(&path, Fsync::EverySec).unwrap();
    assert_eq!(observe(&reopened).await, observe(&twin).await);
}

#[tokio::test]
async fn an_outdated_approval_a_cancelling_execution_and_a_pending_create_execution_survive_a_restart()
 {
    let (_dir, path) = state_file();
    let quiet_failures = || builder().action_outcome(Outcome::Succeed);
    let sim = quiet_failures()
        .seed(SEED)
        .open(&path, Fsync::Always)
        .unwrap();
    create(&sim, with_approval("P")).await;
    sim.advance(Duration::from_secs(2) + ACTION).await;
    let token = approval_token(&sim, "P", "Approve", "Manual").await;
    sim.update_pipeline(with_approval("P")).await.unwrap();
    create(&sim, two_stages("Later")).await;
    let before = observe(&sim).await;
    drop(sim);

    let reopened = quiet_failures().open(&path, Fsync::Always).unwrap();
    assert_eq!(observe(&reopened).await, before);
    let err = reopened
        .put_approval_result(approval(
            "P",
            "Approve",
            "Manual",
            &token,
            ApprovalStatus::Approved,
        ))
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        "The pipeline P has been updated, and the approval request you responded to is now out of date."
    );
    reopened.advance(Duration::from_secs(2)).await;
    let p = reopened.list_pipeline_executions("P").await.unwrap();
    assert_eq!(
        p.pipeline_execution_summaries[0].status,
        PipelineExecutionStatus::Cancelled
    );
    let later = reopened.list_pipeline_executions("Later").await.unwrap();
    let [created] = &later.pipeline_execution_summaries[..] else {
        panic!("one execution: {later:?}");
    };
    assert_eq!(created.trigger.trigger_type, "CreatePipeline");
}

#[tokio::test]
async fn a_retried_stage_survives_a_restart_mid_run() {
    let (_dir, path) = state_file();
    let sim = scripted().seed(SEED).open(&path, Fsync::Always).unwrap();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    sim.advance(ACTION).await;
    sim.finish_action("P", &id, "Deploy", "Ship", pipesim::ActionResult::Failed)
        .await
        .unwrap();
    let retry = RetryStageExecutionInput::failed_actions("P", "Deploy", &id);
    sim.retry_stage_execution(retry).await.unwrap();
    let before = observe(&sim).await;
    drop(sim);

    let reopened = scripted().open(&path, Fsync::Always).unwrap();
    assert_eq!(observe(&reopened).await, before);
    reopened.advance(ACTION).await;
    assert_eq!(
        status(&reopened, "P", &id).await,
        PipelineExecutionStatus::Succeeded
    );
}

#[tokio::test]
async fn a_rollback_survives_a_restart_with_its_target() {
    let (_dir, path) = state_file();
    let sim = scripted().seed(SEED).open(&path, Fsync::Always).unwrap();
    create(&sim, two_stages("P")).await;
    let good = start(&sim, "P").await;
    sim.advance(ACTION * 2).await;
    let rollback = sim
        .rollback_stage(RollbackStageInput::new("P", "Deploy", &good))
        .await
        .unwrap()
        .pipeline_execution_id;
    let before = observe(&sim).await;
    drop(sim);

    let reopened = scripted().open(&path, Fsync::Always).unwrap();
    assert_eq!(observe(&reopened).await, before);
    reopened.advance(ACTION).await;
    assert_eq!(
        status(&reopened, "P", &rollback).await,
        PipelineExecutionStatus::Succeeded
    );
}

#[tokio::test]
async fn scripts_and_held_actions_survive_restarts_from_the_journal_and_the_snapshot() {
    let (_dir, path) = state_file();
    let sim = scripted().seed(SEED).open(&path, Fsync::Always).unwrap();
    create(&sim, two_stages("P")).await;
    let fail = |message: &str| pipesim::ActionEnd::failed(message).code("Scripted");
    sim.script_action("P", "Deploy", "Ship", [fail("first"), fail("second")])
        .await
        .unwrap();
    let first = start(&sim, "P").await;
    sim.advance(ACTION * 2).await;
    let held = start(&sim, "P").await;
    sim.hold_action("P", &held, "Source", "Fetch")
        .await
        .unwrap();
    sim.advance(ACTION).await;
    let before = observe(&sim).await;
    drop(sim);

    // The first reopening replays the journal; the second restores its snapshot.
    for _ in 0..2 {
        let reopened = scripted().open(&path, Fsync::Always).unwrap();
        assert_eq!(observe(&reopened).await, before);
        assert_eq!(
            reopened.scripted_runs_left("P", "Deploy", "Ship").unwrap(),
            1
        );
    }
    let reopened = scripted().open(&path, Fsync::Always).unwrap();
    reopened.advance(ACTION * 10).await;
    assert_eq!(
        status(&reopened, "P", &held).await,
        PipelineExecutionStatus::InProgress
    );
    reopened
        .finish_action(
            "P",
            &held,
            "Source",
            "Fetch",
            pipesim::ActionResult::Succeeded,
        )
        .await
        .unwrap();
    reopened.advance(ACTION).await;
    assert_eq!(
        status(&reopened, "P", &first).await,
        PipelineExecutionStatus::Failed
    );
    assert_eq!(
        status(&reopened, "P", &held).await,
        PipelineExecutionStatus::Failed
    );
    assert_eq!(
        reopened.scripted_runs_left("P", "Deploy", "Ship").unwrap(),
        0
    );
}

#[tokio::test]
async fn a_condition_being_checked_and_rule_scripts_survive_restarts() {
    let (_dir, path) = state_file();
    let sim = scripted().seed(SEED).open(&path, Fsync::Always).unwrap();
    let alarm = RuleDeclaration::new("Quiet", "CloudWatchAlarm").config("AlarmName", "errors");
    let mut pipeline = two_stages("P").v2(ExecutionMode::Queued);
    pipeline.stages[1] = std::mem::take(&mut pipeline.stages[1])
        .on_success(Condition::new(ConditionResult::Fail, vec![alarm]));
    create(&sim, pipeline).await;
    let fail = pipesim::ActionEnd::failed("in ALARM");
    sim.script_rule("P", "Deploy", "Quiet", [fail.clone(), fail])
        .await
        .unwrap();
    let first = start(&sim, "P").await;
    sim.advance(ACTION * 3).await;
    let checking = start(&sim, "P").await;
    sim.advance(ACTION * 2).await;
    let before = observe(&sim).await;
    drop(sim);

    // The first reopening replays the journal; the second restores its snapshot.
    for _ in 0..2 {
        let reopened = scripted().open(&path, Fsync::Always).unwrap();
        assert_eq!(observe(&reopened).await, before);
        assert_eq!(
            reopened
                .scripted_rule_runs_left("P", "Deploy", "Quiet")
                .unwrap(),
            0
        );
    }
    let reopened = scripted().open(&path, Fsync::Always).unwrap();
    reopened.advance(ACTION).await;
    assert_eq!(
        status(&reopened, "P", &first).await,
        PipelineExecutionStatus::Failed
    );
    assert_eq!(
        status(&reopened, "P", &checking).await,
        PipelineExecutionStatus::Failed
    );
}

/// Git events that start executions of two pipelines, with a commit message and a
/// pull request, then part of their runs.
async fn git_history(sim: &Simulator) {
    let on_repo = |name| {
        PipelineDeclaration::connection_example(name, "acme/web", "main").v2(ExecutionMode::Queued)
    };
    let pull = GitPullRequestFilter {
        events: None,
        branches: Some(FilterCriteria::including(["main"])),
        file_paths: None,
    };
    let reviewed = on_repo("Reviewed").trigger(GitConfiguration {
        source_action_name: "Code".into(),
        push: None,
        pull_request: Some(vec![pull]),
    });
    create(sim, on_repo("Pushed")).await;
    create(sim, reviewed).await;
    let push = GitEvent::push("acme/web", "main", "0a1b2c3d").message("Ship it");
    sim.git_event(push).await.unwrap();
    sim.advance(ACTION / 2).await;
    let opened = GitEvent::pull_request(
        "acme/web",
        GitPullRequestEventType::Open,
        ("feature/x", "main"),
        "4e5f6a7b",
    );
    sim.git_event(opened).await.unwrap();
    sim.advance(ACTION).await;
}

#[tokio::test]
async fn git_starts_survive_a_restart_by_replay_and_by_snapshot() {
    let (_dir, path) = state_file();
    let sim = scripted().seed(SEED).open(&path, Fsync::Always).unwrap();
    let twin = scripted().seed(SEED).build();
    git_history(&sim).await;
    git_history(&twin).await;
    drop(sim);

    // Replayed from the journal (and compacted on reopening)...
    let reopened = scripted().open(&path, Fsync::Always).unwrap();
    assert_eq!(observe(&reopened).await, observe(&twin).await);
    let push = GitEvent::push("acme/web", "main", "8c9d0e1f");
    for sim in [&reopened, &twin] {
        sim.git_event(push.clone()).await.unwrap();
    }
    reopened.wait_for_compaction();
    drop(reopened);
    // ...and read back from the snapshot, with the start after it replayed on top.
    let again = scripted().open(&path, Fsync::Always).unwrap();
    assert!(file_text(&path).contains(r#""op":"snapshot""#));
    assert_eq!(observe(&again).await, observe(&twin).await);
    let list = again.list_pipeline_executions("Pushed").await.unwrap();
    let newest = &list.pipeline_execution_summaries[0];
    assert_eq!(newest.trigger.trigger_type, "WebhookV2");
    assert_eq!(
        newest.source_revisions[0].revision_id,
        Some("8c9d0e1f".into())
    );
}

#[tokio::test]
async fn custom_and_registered_action_types_survive_restarts_from_the_journal_and_the_snapshot_and_reset_clears_them()
 {
    use pipesim::model::action_types::{ArtifactCounts, ConfigurationProperty};
    let (_dir, path) = state_file();
    let custom = |provider: &str| {
        CreateCustomActionTypeInput::new(
            ActionCategory::Deploy,
            provider,
            "1",
            ArtifactCounts::new(0, 1),
            ArtifactCounts::new(0, 0),
        )
        .property(ConfigurationProperty {
            name: "Target".into(),
            required: true,
            ..ConfigurationProperty::default()
        })
    };
    let listed = |sim: &Simulator| {
        let sim = sim.clone();
        async move {
            let ids: Vec<String> = sim
                .list_action_types(ActionOwner::Custom)
                .await
                .unwrap()
                .action_types
                .into_iter()
                .map(|t| t.id.provider)
                .collect();
            let arn = "arn:aws:codepipeline:us-east-1:123456789012:actiontype:Custom/Deploy/Kept/1";
            let tags = sim.list_tags_for_resource(arn).await.unwrap().tags;
            (ids, tags)
        }
    };
    let sim = scripted().seed(SEED).open(&path, Fsync::Always).unwrap();
    let mut kept = custom("Kept");
    kept.tags = vec![Tag::new("team", "ops")];
    sim.create_custom_action_type(kept).await.unwrap();
    sim.create_custom_action_type(custom("Gone")).await.unwrap();
    sim.delete_custom_action_type(DeleteCustomActionTypeInput::new(
        ActionCategory::Deploy,
        "Gone",
        "1",
    ))
    .await
    .unwrap();
    sim.tag_resource(TagResourceInput {
        resource_arn: "arn:aws:codepipeline:us-east-1:123456789012:actiontype:Custom/Deploy/Kept/1"
            .into(),
        tags: vec![Tag::new("env", "prod")],
    })
    .await
    .unwrap();
    let expected = (
        vec!["Kept".to_owned()],
        vec![Tag::new("team", "ops"), Tag::new("env", "prod")],
    );
    assert_eq!(listed(&sim).await, expected);
    // A registered type and its update come back too.
    let mut registered = pipesim::model::action_types::ActionTypeDeclaration {
        id: pipesim::model::action_types::ActionTypeIdentifier {
            category: ActionCategory::Test,
            owner: "ThirdParty".into(),
            provider: "Tester".into(),
            version: "1".into(),
        },
        ..Default::default()
    };
    registered.executor.executor_type = ExecutorType::JobWorker;
    sim.register_action_type(registered.clone()).unwrap();
    registered.description = Some("Runs tests".into());
    sim.update_action_type(registered.clone()).await.unwrap();
    drop(sim);

    // From the journal (the reopen compacts it), then from the snapshot.
    for _ in 0..2 {
        let sim = scripted().open(&path, Fsync::Always).unwrap();
        assert_eq!(listed(&sim).await, expected);
        let got = sim.get_action_type(registered.id.clone()).await.unwrap();
        assert_eq!(got.action_type.as_ref(), Some(&registered));
        // The deleted version still only restores its definition.
        let mut changed = custom("Gone");
        changed.output_artifact_details = ArtifactCounts::new(1, 1);
        assert_eq!(
            error_type(sim.create_custom_action_type(changed).await),
            "ValidationException"
        );
    }

    let sim = scripted().open(&path, Fsync::Always).unwrap();
    sim.reset();
    assert_eq!(
        error_type(sim.get_action_type(registered.id.clone()).await),
        "ActionTypeNotFoundException"
    );
    assert!(
        sim.list_action_types(ActionOwner::Custom)
            .await
            .unwrap()
            .action_types
            .is_empty()
    );
    drop(sim);
    let sim = scripted().open(&path, Fsync::Always).unwrap();
    assert!(
        sim.list_action_types(ActionOwner::Custom)
            .await
            .unwrap()
            .action_types
            .is_empty()
    );
}

/// Two pipelines at their custom action, one job polled and acknowledged, one polled
/// only, and a third-party job posted.
async fn job_history(sim: &Simulator) {
    use crate::jobs::{create_jenkins, custom_pipeline, jenkins};
    create_jenkins(sim, false).await;
    create(sim, custom_pipeline("A")).await;
    create(sim, custom_pipeline("B")).await;
    let mut partner = two_stages("C");
    partner.stages[1].actions[0] = ActionDeclaration::new(
        "Check",
        ActionTypeId::third_party(ActionCategory::Test, "Partner"),
    )
    .input("Src");
    create(sim, partner).await;
    for name in ["A", "B", "C"] {
        start(sim, name).await;
    }
    sim.advance(ACTION).await;
    let mut poll = PollForJobsInput::new(jenkins());
    poll.max_batch_size = Some(1);
    let first = sim.poll_for_jobs(poll.clone()).await.unwrap().jobs;
    let ack = AcknowledgeJobInput {
        job_id: first[0].id.clone(),
        nonce: first[0].nonce.clone(),
    };
    sim.acknowledge_job(ack).await.unwrap();
    sim.poll_for_jobs(poll).await.unwrap();
}

#[tokio::test]
async fn jobs_survive_a_restart_from_the_journal_and_the_snapshot_with_their_nonces() {
    let (_dir, path) = state_file();
    let sim = scripted().seed(SEED).open(&path, Fsync::Always).unwrap();
    let twin = scripted().seed(SEED).build();
    job_history(&sim).await;
    job_history(&twin).await;
    assert_eq!(sim.jobs(), twin.jobs());
    drop(sim);

    // From the journal (the reopening compacts it), then from the snapshot.
    for _ in 0..2 {
        let reopened = scripted().open(&path, Fsync::Always).unwrap();
        assert_eq!(reopened.jobs(), twin.jobs());
        assert_eq!(observe(&reopened).await, observe(&twin).await);
    }
    let reopened = scripted().open(&path, Fsync::Always).unwrap();
    reopened.wait_for_compaction();
    assert!(file_text(&path).contains(r#""op":"snapshot""#));
    // The polled job's nonce still acknowledges it, and results still end the runs.
    let polled = reopened
        .jobs()
        .into_iter()
        .find(|job| job.status == JobStatus::Dispatched)
        .unwrap();
    let ack = AcknowledgeJobInput {
        job_id: polled.job_id.clone(),
        nonce: polled.nonce.clone().unwrap(),
    };
    let acked = reopened.acknowledge_job(ack).await.unwrap();
    assert_eq!(acked.status, JobStatus::InProgress);
    for job in reopened.jobs().iter().filter(|job| job.kind == "Job") {
        let done = PutJobSuccessResultInput::new(&job.job_id);
        reopened.put_job_success_result(done).await.unwrap();
    }
    reopened.advance(ACTION).await;
    for name in ["A", "B"] {
        let list = reopened.list_pipeline_executions(name).await.unwrap();
        assert_eq!(
            list.pipeline_execution_summaries[0].status,
            PipelineExecutionStatus::Succeeded
        );
    }
}

/// The seeds of the `journal` fuzz target (`fuzz/fuzz_targets/journal.rs`): real state
/// files, written under the settings the target opens with, as they are (first byte 0)
/// and as payloads each after its two-byte length (first byte 1). Run after the format changes:
/// `cargo test --test engine writes_the_journal_fuzz_seeds -- --ignored`.
#[tokio::test]
#[ignore = "writes fuzz/seeds/journal; run by hand after the state file format changes"]
async fn writes_the_journal_fuzz_seeds() {
    let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/journal");
    std::fs::create_dir_all(&seeds).unwrap();
    let (_dir, path) = state_file();
    let target = || Simulator::builder().virtual_time();
    let sim = target().seed(SEED).open(&path, Fsync::EverySec).unwrap();
    sim.create_pipeline(PipelineDeclaration::two_stage_example("P"))
        .await
        .unwrap();
    sim.start_pipeline_execution("P").await.unwrap();
    sim.advance(Duration::from_secs(30)).await;
    sim.tag_resource(TagResourceInput {
        resource_arn: "arn:aws:codepipeline:us-east-1:123456789012:P".into(),
        tags: vec![Tag {
            key: "team".into(),
            value: "a".into(),
        }],
    })
    .await
    .unwrap();
    sim.add_fault(FaultRule::error("ThrottlingException").pipeline("Nobody"))
        .unwrap();
    sim.flush().await.unwrap();
    drop(sim);
    let calls = std::fs::read(&path).unwrap();
    // Reopening compacts the file into a snapshot; one more call follows it.
    let sim = target().open(&path, Fsync::EverySec).unwrap();
    sim.wait_for_compaction();
    sim.start_pipeline_execution("P").await.unwrap();
    sim.flush().await.unwrap();
    drop(sim);
    let snapshot = std::fs::read(&path).unwrap();
    for (name, file) in [("calls", calls), ("snapshot", snapshot)] {
        let raw = [&[0u8][..], &file].concat();
        std::fs::write(seeds.join(name), raw).unwrap();
        // The payloads: after the magic, each frame is a length, two checksums and the
        // payload.
        let (mut at, mut framed) = (pipesim::persist::MAGIC.len(), vec![1u8]);
        while at + 12 <= file.len() {
            let len = u32::from_le_bytes(file[at..at + 4].try_into().unwrap()) as usize;
            framed.extend_from_slice(&u16::try_from(len).unwrap().to_le_bytes());
            framed.extend_from_slice(&file[at + 12..at + 12 + len]);
            at += 12 + len;
        }
        std::fs::write(seeds.join(format!("{name}-framed")), framed).unwrap();
    }
}

#[tokio::test]
async fn a_state_file_in_use_by_another_simulator_is_refused_naming_its_lock() {
    let (_dir, path) = state_file();
    let first = builder().seed(SEED).open(&path, Fsync::Always).unwrap();
    create(&first, two_stages("P")).await;

    let refused = builder().seed(SEED).open(&path, Fsync::Always);
    let Err(err) = refused else {
        panic!("a second simulator opened the same state file");
    };
    assert!(matches!(err, StateError::InUse { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("in use by another pipesim"), "{message}");
    assert!(message.contains(".lock"), "{message}");
    // The first goes on as if nothing happened, and once it is gone the file opens.
    let id = start(&first, "P").await;
    drop(first);
    let reopened = builder().open(&path, Fsync::Always).unwrap();
    assert_eq!(
        execution(&reopened, "P", &id).await.pipeline_execution_id,
        id
    );
}
