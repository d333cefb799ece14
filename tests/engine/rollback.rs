//! `RollbackStage`: a new execution of type `ROLLBACK` runs one stage again with an
//! earlier execution's revisions, and `ListPipelineExecutions` finds the executions that
//! succeeded in a stage.

use std::collections::BTreeMap;

use crate::common::*;
use crate::helpers::*;
use pipesim::model::*;
use pipesim::{ActionResult, Simulator};

use PipelineExecutionStatus::*;

/// Source(Fetch), Build(Compile), Deploy(Ship).
fn three_stages() -> PipelineDeclaration {
    let mut pipeline = two_stages("P").v2(ExecutionMode::Queued);
    let mut compile = ActionDeclaration::new("Compile", ActionTypeId::codebuild()).input("Src");
    compile.configuration = Some(BTreeMap::from([(
        "ProjectName".to_owned(),
        "app".to_owned(),
    )]));
    pipeline
        .stages
        .insert(1, StageDeclaration::new("Build", vec![compile]));
    pipeline
}

/// Runs one execution to success and a second one that fails in Deploy.
async fn good_then_bad(sim: &Simulator) -> (String, String) {
    let good = start(sim, "P").await;
    sim.advance(ACTION * 3).await;
    let bad = start(sim, "P").await;
    sim.advance(ACTION * 2).await;
    sim.finish_action("P", &bad, "Deploy", "Ship", ActionResult::Failed)
        .await
        .unwrap();
    assert_eq!(status(sim, "P", &good).await, Succeeded);
    assert_eq!(status(sim, "P", &bad).await, Failed);
    (good, bad)
}

#[tokio::test]
async fn a_rollback_runs_the_stage_alone_with_the_targets_revisions() {
    let sim = sim();
    create(&sim, three_stages()).await;
    let (good, _) = good_then_bad(&sim).await;
    let out = sim
        .rollback_stage(RollbackStageInput::new("P", "Deploy", &good))
        .await
        .unwrap();
    let id = out.pipeline_execution_id;
    let rollback = execution(&sim, "P", &id).await;
    assert_eq!(rollback.execution_type, Some(ExecutionType::Rollback));
    assert_eq!(
        rollback
            .rollback_metadata
            .as_ref()
            .unwrap()
            .rollback_target_pipeline_execution_id
            .as_deref(),
        Some(good.as_str())
    );
    assert_eq!(rollback.trigger.trigger_type, "ManualRollback");
    let target = execution(&sim, "P", &good).await;
    assert_eq!(
        rollback.artifact_revisions[0].revision_id,
        target.artifact_revisions[0].revision_id
    );
    let state = sim.get_pipeline_state("P").await.unwrap();
    let deploy = state.stage_states[2].latest_execution.as_ref().unwrap();
    assert_eq!(deploy.pipeline_execution_id, id);
    assert_eq!(deploy.execution_type, Some(ExecutionType::Rollback));
    assert_ne!(
        state.stage_states[1]
            .latest_execution
            .as_ref()
            .unwrap()
            .pipeline_execution_id,
        id,
        "Build does not run"
    );
    sim.advance(ACTION).await;
    assert_eq!(status(&sim, "P", &id).await, Succeeded);
}

#[tokio::test]
async fn only_an_execution_of_the_current_version_that_succeeded_in_the_stage_is_a_target() {
    let sim = sim();
    create(&sim, three_stages()).await;
    let (good, bad) = good_then_bad(&sim).await;
    let rollback = |stage: &str, target: &str| RollbackStageInput::new("P", stage, target);
    let err = sim
        .rollback_stage(rollback("Deploy", &bad))
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "UnableToRollbackStageException");
    // The failed execution did succeed in Build.
    let built = sim.rollback_stage(rollback("Build", &bad)).await.unwrap();
    assert_eq!(
        error_type(sim.rollback_stage(rollback("Source", &good)).await),
        "UnableToRollbackStageException",
        "a source stage cannot be rolled back"
    );
    assert_eq!(
        error_type(
            sim.rollback_stage(rollback("Build", &built.pipeline_execution_id))
                .await
        ),
        "UnableToRollbackStageException",
        "nor to a rollback"
    );
    let missing = "00000000-0000-4000-8000-000000000000";
    assert_eq!(
        error_type(sim.rollback_stage(rollback("Deploy", missing)).await),
        "PipelineExecutionNotFoundException"
    );
    assert_eq!(
        error_type(sim.rollback_stage(rollback("Nope", &good)).await),
        "StageNotFoundException"
    );
    sim.advance(ACTION).await;
    sim.update_pipeline(three_stages()).await.unwrap();
    assert_eq!(
        error_type(sim.rollback_stage(rollback("Deploy", &good)).await),
        "PipelineExecutionOutdatedException"
    );
}

#[tokio::test]
async fn executions_are_listed_by_the_stage_they_succeeded_in() {
    let sim = sim();
    create(&sim, three_stages()).await;
    let (good, bad) = good_then_bad(&sim).await;
    let succeeded_in = |stage: &str| {
        let mut input = ListPipelineExecutionsInput::new("P");
        input.filter = Some(PipelineExecutionFilter {
            succeeded_in_stage: Some(SucceededInStageFilter {
                stage_name: Some(stage.into()),
            }),
        });
        input
    };
    let ids = |out: ListPipelineExecutionsOutput| -> Vec<String> {
        out.pipeline_execution_summaries
            .into_iter()
            .map(|s| s.pipeline_execution_id)
            .collect()
    };
    let deploy = sim
        .list_pipeline_executions(succeeded_in("Deploy"))
        .await
        .unwrap();
    assert_eq!(ids(deploy), [good.as_str()]);
    let build = sim
        .list_pipeline_executions(succeeded_in("Build"))
        .await
        .unwrap();
    assert_eq!(ids(build), [bad, good.clone()]);
    let mut paged = succeeded_in("Build");
    paged.max_results = Some(1);
    let first = sim.list_pipeline_executions(paged.clone()).await.unwrap();
    paged.next_token = first.next_token.clone();
    let second = sim.list_pipeline_executions(paged).await.unwrap();
    assert_eq!(ids(second), [good]);
    let none = sim
        .list_pipeline_executions(succeeded_in("Nope"))
        .await
        .unwrap();
    assert!(none.pipeline_execution_summaries.is_empty());
}
