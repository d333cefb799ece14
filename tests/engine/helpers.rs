//! Pipelines whose timings are easy to reason about, and the calls the engine tests make
//! over and over.

use pipesim::model::*;
use pipesim::{Error, Simulator};

use crate::common::SEED;

/// Source(Fetch) then Deploy(Ship).
pub fn two_stages(name: &str) -> PipelineDeclaration {
    PipelineDeclaration::two_stage_example(name)
}

/// Source(Fetch), then Approve(Manual), then Deploy(Ship).
pub fn with_approval(name: &str) -> PipelineDeclaration {
    let mut pipeline = two_stages(name);
    pipeline.stages.insert(
        1,
        StageDeclaration::new(
            "Approve",
            vec![ActionDeclaration::new(
                "Manual",
                ActionTypeId::manual_approval(),
            )],
        ),
    );
    pipeline
}

pub async fn create(sim: &Simulator, pipeline: PipelineDeclaration) {
    sim.create_pipeline(pipeline)
        .await
        .expect("test pipelines are valid");
}

/// Starts with `input` and answers the execution id; panics if the start is refused.
pub async fn start_with(sim: &Simulator, input: StartPipelineExecutionInput) -> String {
    sim.start_pipeline_execution(input)
        .await
        .expect("start succeeds")
        .pipeline_execution_id
}

pub async fn start(sim: &Simulator, name: &str) -> String {
    sim.start_pipeline_execution(name)
        .await
        .expect("start succeeds")
        .pipeline_execution_id
}

/// `GetPipelineExecution` of an execution that exists.
pub async fn execution(sim: &Simulator, name: &str, id: &str) -> PipelineExecution {
    sim.get_pipeline_execution((name, id))
        .await
        .expect("execution exists")
        .pipeline_execution
}

pub async fn status(sim: &Simulator, name: &str, id: &str) -> PipelineExecutionStatus {
    sim.get_pipeline_execution((name, id))
        .await
        .expect("execution exists")
        .pipeline_execution
        .status
}

/// The wire name of the error a call returned; panics on success.
pub fn error_type<T: std::fmt::Debug>(result: Result<T, Error>) -> &'static str {
    match result {
        Ok(value) => panic!("expected an error, got {value:?} (seed {SEED})"),
        Err(err) => err.error_type(),
    }
}

/// The approval token of `stage`/`action` from GetPipelineState.
pub async fn approval_token(sim: &Simulator, name: &str, stage: &str, action: &str) -> String {
    let state = sim.get_pipeline_state(name).await.unwrap();
    let stage = state
        .stage_states
        .iter()
        .find(|s| s.stage_name == stage)
        .unwrap();
    let action = stage
        .action_states
        .iter()
        .find(|a| a.action_name == action)
        .unwrap();
    action
        .latest_execution
        .as_ref()
        .and_then(|e| e.token.clone())
        .expect("approval is waiting")
}

pub fn approval(
    name: &str,
    stage: &str,
    action: &str,
    token: &str,
    status: ApprovalStatus,
) -> PutApprovalResultInput {
    PutApprovalResultInput {
        pipeline_name: name.into(),
        stage_name: stage.into(),
        action_name: action.into(),
        result: ApprovalResult {
            summary: "reviewed".into(),
            status,
        },
        token: token.into(),
    }
}

/// Approves the approval waiting in `Approve`/`Manual` that GetPipelineState shows.
pub async fn approve(sim: &Simulator, name: &str) {
    let token = approval_token(sim, name, "Approve", "Manual").await;
    sim.put_approval_result(approval(
        name,
        "Approve",
        "Manual",
        &token,
        ApprovalStatus::Approved,
    ))
    .await
    .expect("approval is waiting");
}
