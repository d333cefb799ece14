//! Variable references in action configuration, resolved for one execution as
//! CodePipeline resolves them when the action runs.

use std::collections::BTreeMap;

use crate::common::*;
use crate::helpers::*;
use pipesim::model::*;

/// Source `Code` (CodeCommit, namespace `SourceVariables`), then `Compile` (CodeBuild)
/// whose configuration holds `env`.
fn referencing(env: &str) -> PipelineDeclaration {
    let mut source = ActionDeclaration::new(
        "Code",
        ActionTypeId::aws(ActionCategory::Source, "CodeCommit"),
    )
    .output("Code");
    source.configuration = Some(BTreeMap::from([
        ("RepositoryName".into(), "app".into()),
        ("BranchName".into(), "main".into()),
    ]));
    source
        .other
        .insert("namespace".into(), "SourceVariables".into());
    let mut build = ActionDeclaration::new("Compile", ActionTypeId::codebuild()).input("Code");
    build.configuration = Some(BTreeMap::from([
        ("ProjectName".into(), "app-build".into()),
        ("EnvironmentVariables".into(), env.into()),
    ]));
    PipelineDeclaration::new(
        "P",
        vec![
            StageDeclaration::new("Source", vec![source]),
            StageDeclaration::new("Build", vec![build]),
        ],
    )
    .v2(ExecutionMode::Queued)
    .variable("Env", Some("dev"))
}

async fn resolved_env(sim: &pipesim::Simulator, id: &str) -> String {
    sim.resolved_configuration("P", id, "Build", "Compile")
        .unwrap()
        .remove("EnvironmentVariables")
        .unwrap()
}

#[tokio::test]
async fn pipeline_variables_and_the_execution_id_resolve() {
    let sim = sim();
    create(
        &sim,
        referencing("#{variables.Env}:#{codepipeline.PipelineExecutionId}"),
    )
    .await;
    let input = StartPipelineExecutionInput::new("P").variable("Env", "prod");
    let id = start_with(&sim, input).await;
    assert_eq!(resolved_env(&sim, &id).await, format!("prod:{id}"));
    let defaulted = start(&sim, "P").await;
    assert_eq!(
        resolved_env(&sim, &defaulted).await,
        format!("dev:{defaulted}")
    );
}

#[tokio::test]
async fn output_variables_of_a_source_namespace_are_what_the_execution_fetched() {
    let sim = sim();
    create(
        &sim,
        referencing("#{SourceVariables.CommitId}@#{SourceVariables.BranchName}"),
    )
    .await;
    let id = start(&sim, "P").await;
    let commit = execution(&sim, "P", id.as_str()).await.artifact_revisions[0]
        .revision_id
        .clone();
    assert_eq!(resolved_env(&sim, &id).await, format!("{commit}@main"));
}

#[tokio::test]
async fn a_reference_the_execution_has_no_value_for_stays_as_written() {
    let sim = sim();
    create(&sim, referencing("#{SourceVariables.NoSuchKey}")).await;
    let id = start(&sim, "P").await;
    assert_eq!(
        resolved_env(&sim, &id).await,
        "#{SourceVariables.NoSuchKey}"
    );
}

#[tokio::test]
async fn resolving_names_an_execution_stage_and_action_that_exist() {
    let sim = sim();
    create(&sim, referencing("x")).await;
    let id = start(&sim, "P").await;
    let missing = "00000000-0000-4000-8000-000000000000";
    for (execution, stage, action, expected) in [
        (
            missing,
            "Build",
            "Compile",
            "PipelineExecutionNotFoundException",
        ),
        (id.as_str(), "Nope", "Compile", "StageNotFoundException"),
        (id.as_str(), "Build", "Nope", "ActionNotFoundException"),
    ] {
        let err = sim
            .resolved_configuration("P", execution, stage, action)
            .unwrap_err();
        assert_eq!(err.error_type(), expected);
    }
    assert_eq!(
        sim.resolved_configuration("Nope", &id, "Build", "Compile")
            .unwrap_err()
            .error_type(),
        "PipelineNotFoundException"
    );
}
