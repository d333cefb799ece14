//! What the answers show, field by field, as the real service sends them: declarations
//! echoed with defaults, the revision every source action fetched in the form of its
//! provider, console links and provider run ids in `GetPipelineState`.

use std::collections::BTreeMap;

use crate::common::*;
use crate::helpers::*;
use pipesim::model::*;

fn configured(mut action: ActionDeclaration, config: &[(&str, &str)]) -> ActionDeclaration {
    let configuration: BTreeMap<String, String> = config
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    action.configuration = Some(configuration);
    action
}

/// Four source actions, one per AWS source provider, then a CodeBuild build.
fn every_source(name: &str) -> PipelineDeclaration {
    let source = |provider| ActionTypeId::aws(ActionCategory::Source, provider);
    PipelineDeclaration::new(
        name,
        vec![
            StageDeclaration::new(
                "Source",
                vec![
                    configured(
                        ActionDeclaration::new("Code", source("CodeCommit")).output("Code"),
                        &[("RepositoryName", "app"), ("BranchName", "main")],
                    ),
                    configured(
                        ActionDeclaration::new("Git", source("CodeStarSourceConnection"))
                            .output("Git"),
                        &[
                            (
                                "ConnectionArn",
                                "arn:aws:codestar-connections:us-east-1:123456789012:connection/abc",
                            ),
                            ("FullRepositoryId", "org/app"),
                            ("BranchName", "main"),
                        ],
                    ),
                    configured(
                        ActionDeclaration::new("Bucket", source("S3")).output("Zip"),
                        &[("S3Bucket", "drops"), ("S3ObjectKey", "app.zip")],
                    ),
                    configured(
                        ActionDeclaration::new("Image", source("ECR")).output("Img"),
                        &[("RepositoryName", "app")],
                    ),
                ],
            ),
            StageDeclaration::new(
                "Build",
                vec![configured(
                    ActionDeclaration::new("Compile", ActionTypeId::codebuild())
                        .input("Code")
                        .output("Built"),
                    &[("ProjectName", "app-build")],
                )],
            ),
        ],
    )
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[tokio::test]
async fn every_source_action_reports_a_revision_of_its_providers_form() {
    let sim = sim();
    create(&sim, every_source("P")).await;
    let id = start(&sim, "P").await;
    let answered = execution(&sim, "P", id.as_str()).await;
    let revisions: Vec<_> = answered
        .artifact_revisions
        .iter()
        .map(|r| (r.name.as_str(), r.revision_id.as_str()))
        .collect();
    assert_eq!(
        revisions.iter().map(|r| r.0).collect::<Vec<_>>(),
        ["Code", "Git", "Zip", "Img"]
    );
    assert!(
        is_hex(revisions[0].1, 40),
        "a CodeCommit commit: {}",
        revisions[0].1
    );
    assert!(
        is_hex(revisions[1].1, 40),
        "a git commit: {}",
        revisions[1].1
    );
    assert_eq!(revisions[2].1.len(), 32, "an S3 version id");
    assert!(
        revisions[3].1.starts_with("sha256:") && is_hex(&revisions[3].1[7..], 64),
        "an image digest: {}",
        revisions[3].1
    );
    assert!(
        answered
            .artifact_revisions
            .iter()
            .all(|r| r.created == Some(sim.now()))
    );
    let summary = &sim
        .list_pipeline_executions("P")
        .await
        .unwrap()
        .pipeline_execution_summaries[0];
    let listed: Vec<_> = summary
        .source_revisions
        .iter()
        .map(|r| (r.action_name.as_str(), r.revision_id.as_deref().unwrap()))
        .collect();
    assert_eq!(
        listed,
        [
            ("Code", revisions[0].1),
            ("Git", revisions[1].1),
            ("Bucket", revisions[2].1),
            ("Image", revisions[3].1),
        ]
    );
    let again = start(&sim, "P").await;
    let next = execution(&sim, "P", again.as_str()).await;
    assert_ne!(
        next.artifact_revisions[0].revision_id, revisions[0].1,
        "each run fetches a new commit"
    );
}

#[tokio::test]
async fn a_revision_named_by_the_start_is_the_one_reported() {
    let sim = sim();
    create(&sim, every_source("P")).await;
    let commit = "0123456789abcdef0123456789abcdef01234567";
    let input = StartPipelineExecutionInput::new("P")
        .source_revision("Code", SourceRevisionType::CommitId, commit)
        .source_revision("Bucket", SourceRevisionType::S3ObjectKey, "other.zip");
    let id = start_with(&sim, input).await;
    let answered = execution(&sim, "P", id.as_str()).await;
    assert_eq!(answered.artifact_revisions[0].revision_id, commit);
    assert_eq!(
        answered.artifact_revisions[2].revision_id.len(),
        32,
        "an object key names the object; its version is still a version id"
    );
}

#[tokio::test]
async fn source_actions_show_their_current_revision_links_and_run_ids() {
    let sim = sim();
    create(&sim, every_source("P")).await;
    let id = start(&sim, "P").await;
    sim.advance(ACTION).await;
    let answered = execution(&sim, "P", id.as_str()).await;
    let state = sim.get_pipeline_state("P").await.unwrap();
    let code = &state.stage_states[0].action_states[0];
    let commit = &answered.artifact_revisions[0].revision_id;
    assert_eq!(
        code.current_revision.as_ref().map(|r| &r.revision_id),
        Some(commit)
    );
    assert_eq!(
        code.entity_url.as_deref(),
        Some(
            "https://us-east-1.console.aws.amazon.com/codesuite/codecommit/repositories/app/browse/refs/heads/main?region=us-east-1"
        )
    );
    assert!(
        code.revision_url
            .as_deref()
            .unwrap()
            .ends_with(&format!("/commit/{commit}?region=us-east-1"))
    );
    let latest = code.latest_execution.as_ref().unwrap();
    assert_eq!(latest.external_execution_id.as_ref(), Some(commit));
    assert!(latest.summary.is_some());
    let build = &state.stage_states[1].action_states[0];
    assert_eq!(
        build.entity_url.as_deref(),
        Some(
            "https://console.aws.amazon.com/codebuild/home?region=us-east-1#/projects/app-build/view"
        )
    );
    let run = build.latest_execution.as_ref().unwrap();
    let build_id = run.external_execution_id.as_deref().unwrap();
    assert!(build_id.starts_with("app-build:"), "{build_id}");
    assert!(
        run.external_execution_url
            .as_deref()
            .unwrap()
            .contains(build_id)
    );
    assert_eq!(build.current_revision, None);
}

#[tokio::test]
async fn stored_declarations_echo_every_action_with_its_defaults() {
    let sim = sim();
    let out = sim.create_pipeline(two_stages("P")).await.unwrap();
    let json = serde_json::to_value(&out).unwrap();
    for action in [
        &json["pipeline"]["stages"][0]["actions"][0],
        &json["pipeline"]["stages"][1]["actions"][0],
    ] {
        assert_eq!(action["runOrder"], 1);
        assert!(action["configuration"].is_object());
        assert!(action["inputArtifacts"].is_array());
        assert!(action["outputArtifacts"].is_array());
    }
    assert!(
        json.get("tags").is_none(),
        "no tags key when none were sent"
    );
    let got = sim.get_pipeline("P").await.unwrap();
    assert_eq!(got.pipeline, out.pipeline);
}

#[tokio::test]
async fn an_update_keeps_empty_variables_and_a_v2_type_left_out() {
    let sim = sim();
    create(&sim, two_stages("P").v2(ExecutionMode::Queued)).await;
    let mut update = two_stages("P");
    update.execution_mode = Some(ExecutionMode::Queued);
    update.variables = Some(Vec::new());
    let out = sim.update_pipeline(update).await.unwrap();
    assert_eq!(out.pipeline.pipeline_type, Some(PipelineType::V2));
    assert_eq!(out.pipeline.variables, Some(Vec::new()));
    let json = serde_json::to_value(&out).unwrap();
    assert_eq!(json["pipeline"]["variables"], serde_json::json!([]));
}

#[tokio::test]
async fn an_update_leaving_out_the_type_of_a_v1_pipeline_is_still_checked_as_v1() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let mut update = two_stages("P");
    update.execution_mode = Some(ExecutionMode::Queued);
    let err = sim.update_pipeline(update).await.unwrap_err();
    assert_eq!(err.error_type(), "InvalidStructureException");
    assert_eq!(
        sim.get_pipeline("P").await.unwrap().pipeline.version,
        Some(1)
    );
}

#[tokio::test]
async fn every_stage_lists_its_inbound_executions_even_when_none_wait() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let state = sim.get_pipeline_state("P").await.unwrap();
    let json = serde_json::to_value(&state).unwrap();
    for stage in json["stageStates"].as_array().unwrap() {
        assert_eq!(stage["inboundExecutions"], serde_json::json!([]));
        assert_eq!(stage["inboundTransitionState"]["enabled"], true);
    }
}

/// GitHub (version 1) source `Code`, then an S3 deploy of its output.
fn github_v1(token: &str) -> PipelineDeclaration {
    let mut pipeline = two_stages("P");
    let source = &mut pipeline.stages[0].actions[0];
    source.action_type_id = ActionTypeId {
        category: ActionCategory::Source,
        owner: ActionOwner::ThirdParty,
        provider: "GitHub".into(),
        version: "1".into(),
    };
    source.configuration = Some(BTreeMap::from([
        ("Owner".into(), "org".into()),
        ("Repo".into(), "app".into()),
        ("Branch".into(), "main".into()),
        ("OAuthToken".into(), token.into()),
    ]));
    pipeline
}

#[tokio::test]
async fn secret_configuration_is_answered_masked_and_kept() {
    let sim = sim();
    let token = "ghp_0123456789abcdef";
    let masked = |p: &PipelineDeclaration| {
        p.stages[0].actions[0].configuration.as_ref().unwrap()["OAuthToken"].clone()
    };
    let created = sim.create_pipeline(github_v1(token)).await.unwrap();
    assert_eq!(masked(&created.pipeline), "****");
    assert_eq!(
        masked(&sim.get_pipeline("P").await.unwrap().pipeline),
        "****"
    );
    let updated = sim.update_pipeline(github_v1(token)).await.unwrap();
    assert_eq!(masked(&updated.pipeline), "****");
    assert_eq!(
        created.pipeline.stages[0].actions[0]
            .configuration
            .as_ref()
            .unwrap()["Owner"],
        "org",
        "only secrets are masked"
    );
    let id = start(&sim, "P").await;
    let kept = sim
        .resolved_configuration("P", &id, "Source", "Fetch")
        .unwrap();
    assert_eq!(kept["OAuthToken"], token, "the secret itself is kept");
}
