//! A whole recovery rehearsal, as docs/scenarios.md shows it: a deploy fails, the
//! automation retries it, it fails again, and the automation rolls the stage back to the
//! last release that deployed.

use std::time::Duration;

use crate::helpers::*;
use pipesim::model::*;
use pipesim::{ActionResult, EventKind, Simulator};

use PipelineExecutionStatus::*;

#[tokio::test]
async fn a_failed_deploy_is_retried_fails_again_and_is_rolled_back() {
    let sim = Simulator::builder()
        .seed(7)
        .virtual_time()
        .action_duration(Duration::from_secs(30))
        .build();
    let mut events = sim.events();
    sim.create_pipeline(two_stages("web").v2(ExecutionMode::Queued))
        .await
        .unwrap();
    // The release CreatePipeline started deploys.
    sim.advance(Duration::from_secs(120)).await;
    let listed = sim.list_pipeline_executions("web").await.unwrap();
    let good = listed.pipeline_execution_summaries[0].clone();
    assert_eq!(
        (good.status, &*good.trigger.trigger_type),
        (Succeeded, "CreatePipeline")
    );

    let bad = start(&sim, "web").await;
    sim.advance(Duration::from_secs(45)).await;
    let fail_deploy = || sim.finish_action("web", &bad, "Deploy", "Ship", ActionResult::Failed);
    fail_deploy().await.unwrap();
    assert_eq!(status(&sim, "web", &bad).await, Failed);

    let retry = RetryStageExecutionInput::failed_actions("web", "Deploy", &bad);
    sim.retry_stage_execution(retry).await.unwrap();
    assert_eq!(status(&sim, "web", &bad).await, InProgress);
    let retried = events
        .wait_for(|e| matches!(&e.kind, EventKind::StageRetried { stage } if &**stage == "Deploy"))
        .await
        .unwrap();
    assert_eq!(retried.execution_id.to_string(), bad);
    fail_deploy().await.unwrap();
    assert_eq!(status(&sim, "web", &bad).await, Failed);

    let mut deployed = ListPipelineExecutionsInput::new("web");
    deployed.filter = Some(PipelineExecutionFilter {
        succeeded_in_stage: Some(SucceededInStageFilter {
            stage_name: Some("Deploy".into()),
        }),
    });
    let target = sim.list_pipeline_executions(deployed).await.unwrap();
    let target = &target.pipeline_execution_summaries[0].pipeline_execution_id;
    assert_eq!(*target, good.pipeline_execution_id);
    let rollback = sim
        .rollback_stage(RollbackStageInput::new("web", "Deploy", target))
        .await
        .unwrap()
        .pipeline_execution_id;
    let started = events
        .wait_for(|e| matches!(&e.kind, EventKind::RolledBack { .. }))
        .await
        .unwrap();
    assert_eq!(started.execution_id.to_string(), rollback);
    let EventKind::RolledBack { stage, target: to } = &started.kind else {
        unreachable!()
    };
    assert_eq!(
        (&**stage, to.to_string()),
        ("Deploy", good.pipeline_execution_id.clone())
    );
    sim.advance(Duration::from_secs(60)).await;
    let rolled_back = execution(&sim, "web", &rollback).await;
    assert_eq!(rolled_back.status, Succeeded);
    assert_eq!(rolled_back.execution_type, Some(ExecutionType::Rollback));
}
