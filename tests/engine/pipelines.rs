//! Pipelines: create, get, update, delete, list, tags, and account/region scoping.

use std::time::Duration;

use crate::common::*;
use crate::helpers::*;
use pipesim::Simulator;
use pipesim::model::*;

#[tokio::test]
async fn create_stores_version_one_with_service_defaults() {
    let sim = sim();
    let out = sim
        .create_pipeline(CreatePipelineInput {
            pipeline: two_stages("P"),
            tags: vec![Tag::new("team", "core")],
        })
        .await
        .unwrap();
    assert_eq!(out.pipeline.version, Some(1));
    assert_eq!(out.pipeline.execution_mode, Some(ExecutionMode::Superseded));
    assert_eq!(out.pipeline.pipeline_type, Some(PipelineType::V1));
    assert_eq!(out.tags, [Tag::new("team", "core")]);
    let got = sim.get_pipeline("P").await.unwrap();
    assert_eq!(got.pipeline, out.pipeline);
    assert_eq!(
        got.metadata.pipeline_arn,
        "arn:aws:codepipeline:us-east-1:123456789012:P"
    );
    assert_eq!(got.metadata.created, sim.now());
}

#[tokio::test]
async fn names_are_unique_per_account_and_region() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    assert_eq!(
        error_type(sim.create_pipeline(two_stages("P")).await),
        "PipelineNameInUseException"
    );
    let other_region = sim.with_scope("123456789012", "eu-west-1");
    other_region.create_pipeline(two_stages("P")).await.unwrap();
}

#[tokio::test]
async fn pipelines_of_one_scope_are_invisible_to_another() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let other = sim.with_scope("210987654321", "us-east-1");
    let err = other.start_pipeline_execution("P").await.unwrap_err();
    assert_eq!(
        err.message(),
        "Pipeline with name P does not exist in account 210987654321."
    );
    assert!(
        other
            .list_pipelines(ListPipelinesInput::default())
            .await
            .unwrap()
            .pipelines
            .is_empty()
    );
}

#[tokio::test]
async fn an_account_and_region_hold_a_limited_number_of_pipelines() {
    let sim = Simulator::builder().virtual_time().max_pipelines(2).build();
    create(&sim, two_stages("A")).await;
    create(&sim, two_stages("B")).await;
    assert_eq!(
        error_type(sim.create_pipeline(two_stages("C")).await),
        "LimitExceededException"
    );
    sim.delete_pipeline("A").await.unwrap();
    create(&sim, two_stages("C")).await;
}

#[tokio::test]
async fn invalid_declarations_are_rejected_and_store_nothing() {
    let sim = sim();
    let mut one_stage = two_stages("P");
    one_stage.stages.truncate(1);
    assert_eq!(
        error_type(sim.create_pipeline(one_stage).await),
        "InvalidStructureException"
    );
    let mut bad_role = two_stages("P");
    bad_role.role_arn = "not-an-arn".into();
    assert_eq!(
        error_type(sim.create_pipeline(bad_role).await),
        "ValidationException"
    );
    let queued_v1 = PipelineDeclaration {
        execution_mode: Some(ExecutionMode::Queued),
        ..two_stages("P")
    };
    assert_eq!(
        error_type(sim.create_pipeline(queued_v1).await),
        "InvalidStructureException"
    );
    let mut empty_stage = two_stages("P");
    empty_stage.stages[1].actions.clear();
    assert_eq!(
        error_type(sim.create_pipeline(empty_stage).await),
        "InvalidStageDeclarationException"
    );
    let reserved = CreatePipelineInput {
        pipeline: two_stages("P"),
        tags: vec![Tag::new("aws:owner", "x")],
    };
    assert_eq!(
        error_type(sim.create_pipeline(reserved).await),
        "InvalidTagsException"
    );
    assert_eq!(
        error_type(sim.get_pipeline("P").await),
        "PipelineNotFoundException"
    );
}

#[tokio::test]
async fn only_the_last_ten_versions_are_readable_older_ones_read_as_a_missing_pipeline() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    for _ in 0..11 {
        sim.update_pipeline(two_stages("P")).await.unwrap();
    }
    let version = |v| {
        sim.get_pipeline(GetPipelineInput {
            name: "P".into(),
            version: Some(v),
        })
    };
    for readable in 3..=12 {
        assert_eq!(
            version(readable).await.unwrap().pipeline.version,
            Some(readable)
        );
    }
    for older in [1, 2] {
        let err = version(older).await.unwrap_err();
        assert_eq!(err.error_type(), "PipelineNotFoundException");
        assert_eq!(
            err.message(),
            "Account '123456789012' does not have a pipeline with name 'P'"
        );
    }
    assert_eq!(
        error_type(version(13).await),
        "PipelineVersionNotFoundException"
    );
}

#[tokio::test]
async fn update_bumps_the_version_and_keeps_old_versions_readable() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let mut changed = two_stages("P");
    changed.stages[1].name = "Release".into();
    let out = sim.update_pipeline(changed).await.unwrap();
    assert_eq!(out.pipeline.version, Some(2));
    let v1 = sim
        .get_pipeline(GetPipelineInput {
            name: "P".into(),
            version: Some(1),
        })
        .await
        .unwrap();
    assert_eq!(v1.pipeline.stages[1].name, "Deploy");
    let current = sim.get_pipeline("P").await.unwrap();
    assert_eq!(current.pipeline.stages[1].name, "Release");
    let missing = sim
        .get_pipeline(GetPipelineInput {
            name: "P".into(),
            version: Some(3),
        })
        .await;
    assert_eq!(error_type(missing), "PipelineVersionNotFoundException");
    let zero = sim
        .get_pipeline(GetPipelineInput {
            name: "P".into(),
            version: Some(0),
        })
        .await;
    assert_eq!(error_type(zero), "ValidationException");
}

#[tokio::test]
async fn update_of_a_missing_pipeline_is_not_found() {
    let sim = sim();
    assert_eq!(
        error_type(sim.update_pipeline(two_stages("Nope")).await),
        "PipelineNotFoundException"
    );
}

#[tokio::test]
async fn delete_removes_the_pipeline_and_deleting_a_missing_one_succeeds() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    start(&sim, "P").await;
    sim.delete_pipeline("P").await.unwrap();
    assert_eq!(
        error_type(sim.start_pipeline_execution("P").await),
        "PipelineNotFoundException"
    );
    sim.delete_pipeline("P").await.unwrap();
    assert_eq!(
        error_type(sim.delete_pipeline("bad name").await),
        "ValidationException"
    );
}

#[tokio::test]
async fn a_recreated_pipeline_starts_with_fresh_ids() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let first = start(&sim, "P").await;
    sim.delete_pipeline("P").await.unwrap();
    create(&sim, two_stages("P")).await;
    assert_ne!(start(&sim, "P").await, first);
}

#[tokio::test]
async fn list_pipelines_pages_by_name() {
    let sim = sim();
    for name in ["c", "a", "b", "e", "d"] {
        create(&sim, two_stages(name)).await;
    }
    let mut input = ListPipelinesInput {
        next_token: None,
        max_results: Some(2),
    };
    let mut names = Vec::new();
    loop {
        let page = sim.list_pipelines(input.clone()).await.unwrap();
        names.extend(page.pipelines.iter().map(|p| p.name.clone()));
        match page.next_token {
            Some(token) => input.next_token = Some(token),
            None => break,
        }
    }
    assert_eq!(names, ["a", "b", "c", "d", "e"]);
    let bad = ListPipelinesInput {
        next_token: Some("nonsense".into()),
        max_results: None,
    };
    assert_eq!(
        error_type(sim.list_pipelines(bad).await),
        "InvalidNextTokenException"
    );
    let too_many = ListPipelinesInput {
        next_token: None,
        max_results: Some(1001),
    };
    assert_eq!(
        error_type(sim.list_pipelines(too_many).await),
        "ValidationException"
    );
}

#[tokio::test]
async fn the_bench_pipeline_json_is_accepted() {
    let json = r#"{"pipeline": {"name": "MyFirstPipeline", "roleArn": "arn:aws:iam::123456789012:role/pipeline-role",
      "artifactStore": {"type": "S3", "location": "pipeline-artifacts"},
      "stages": [
        {"name": "Source", "actions": [{"name": "Source", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
          "configuration": {"S3Bucket": "app-source", "S3ObjectKey": "app.zip"}, "outputArtifacts": [{"name": "SourceArtifact"}]}]},
        {"name": "Deploy", "actions": [{"name": "Deploy", "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "S3", "version": "1"},
          "configuration": {"BucketName": "app-site", "Extract": "true"}, "inputArtifacts": [{"name": "SourceArtifact"}]}]}]}}"#;
    let input: CreatePipelineInput = serde_json::from_str(json).unwrap();
    let sim = sim();
    sim.create_pipeline(input).await.unwrap();
    start(&sim, "MyFirstPipeline").await;
}

const ARN: &str = "arn:aws:codepipeline:us-east-1:123456789012:P";

fn tag(key: &str, value: &str) -> Tag {
    Tag {
        key: key.into(),
        value: value.into(),
    }
}

fn tags_of(pairs: &[(&str, &str)]) -> Vec<Tag> {
    pairs.iter().map(|(k, v)| tag(k, v)).collect()
}

async fn tags(sim: &Simulator, arn: &str) -> Vec<Tag> {
    sim.list_tags_for_resource(arn).await.unwrap().tags
}

fn tag_input(arn: &str, tags: Vec<Tag>) -> TagResourceInput {
    TagResourceInput {
        resource_arn: arn.into(),
        tags,
    }
}

#[tokio::test]
async fn tags_given_at_create_are_listed_by_pipeline_arn() {
    let sim = sim();
    let mut input = CreatePipelineInput::new(two_stages("P"));
    input.tags = tags_of(&[("team", "web"), ("env", "prod")]);
    let out = sim.create_pipeline(input).await.unwrap();
    assert_eq!(out.tags, tags_of(&[("team", "web"), ("env", "prod")]));
    assert_eq!(
        sim.list_tags_for_resource(ARN).await.unwrap(),
        ListTagsForResourceOutput {
            tags: tags_of(&[("team", "web"), ("env", "prod")]),
            next_token: None,
        }
    );
}

#[tokio::test]
async fn tag_resource_adds_new_keys_and_replaces_values_of_old_ones() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let input = tag_input(ARN, tags_of(&[("team", "web"), ("env", "dev")]));
    sim.tag_resource(input).await.unwrap();
    let input = tag_input(ARN, tags_of(&[("env", "prod"), ("owner", "ana")]));
    sim.tag_resource(input).await.unwrap();
    assert_eq!(
        tags(&sim, ARN).await,
        tags_of(&[("team", "web"), ("env", "prod"), ("owner", "ana")])
    );
}

#[tokio::test]
async fn untag_resource_removes_keys_and_ignores_missing_ones() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let input = tag_input(ARN, tags_of(&[("a", "1"), ("b", "2"), ("c", "3")]));
    sim.tag_resource(input).await.unwrap();
    let untag = UntagResourceInput {
        resource_arn: ARN.into(),
        tag_keys: vec!["b".into(), "never-set".into()],
    };
    sim.untag_resource(untag).await.unwrap();
    assert_eq!(tags(&sim, ARN).await, tags_of(&[("a", "1"), ("c", "3")]));
}

#[tokio::test]
async fn more_than_fifty_tags_once_merged_are_refused_and_change_nothing() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let forty: Vec<Tag> = (0..40).map(|i| tag(&format!("k{i}"), "v")).collect();
    sim.tag_resource(tag_input(ARN, forty.clone()))
        .await
        .unwrap();
    // Ten replacements and eleven new keys: 51 in all.
    let mut more: Vec<Tag> = (30..40).map(|i| tag(&format!("k{i}"), "new")).collect();
    more.extend((40..51).map(|i| tag(&format!("k{i}"), "v")));
    let result = sim.tag_resource(tag_input(ARN, more)).await;
    assert_eq!(error_type(result), "TooManyTagsException");
    assert_eq!(tags(&sim, ARN).await, forty);
}

#[tokio::test]
async fn malformed_tags_are_refused_and_change_nothing() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    for (bad, expected) in [
        (tags_of(&[("aws:team", "x")]), "InvalidTagsException"),
        (tags_of(&[("k", "1"), ("k", "2")]), "InvalidTagsException"),
        (tags_of(&[("", "x")]), "ValidationException"),
    ] {
        let result = sim.tag_resource(tag_input(ARN, bad)).await;
        assert_eq!(error_type(result), expected);
    }
    for (key, expected) in [
        ("", "ValidationException"),
        ("AWS:x", "InvalidTagsException"),
    ] {
        let untag = UntagResourceInput {
            resource_arn: ARN.into(),
            tag_keys: vec![key.into()],
        };
        assert_eq!(error_type(sim.untag_resource(untag).await), expected);
    }
    assert_eq!(tags(&sim, ARN).await, vec![]);
}

#[tokio::test]
async fn tag_operations_name_resources_by_arn() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    for (arn, expected) in [
        ("P", "ValidationException"),
        ("arn:aws:s3:::bucket", "ValidationException"),
        (
            "arn:aws:codepipeline:us-east-1:12345:P",
            "ValidationException",
        ),
        (
            "arn:aws:codepipeline:us-east-1:123456789012:Missing",
            "ResourceNotFoundException",
        ),
        (
            "arn:aws:codepipeline:eu-west-1:123456789012:P",
            "ResourceNotFoundException",
        ),
        (
            "arn:aws:codepipeline:us-east-1:999999999999:P",
            "ResourceNotFoundException",
        ),
        (
            "arn:aws:codepipeline:us-east-1:123456789012:webhook:hook",
            "ResourceNotFoundException",
        ),
        (
            "arn:aws:codepipeline:us-east-1:123456789012:bad name",
            "InvalidArnException",
        ),
    ] {
        let result = sim.list_tags_for_resource(arn).await;
        assert_eq!(error_type(result), expected, "{arn}");
    }
    let input = ListTagsForResourceInput {
        resource_arn: ARN.into(),
        next_token: Some("anything".into()),
        max_results: None,
    };
    let result = sim.list_tags_for_resource(input).await;
    assert_eq!(error_type(result), "InvalidNextTokenException");
}

#[tokio::test]
async fn tags_of_a_deleted_pipeline_are_gone_with_it() {
    let sim = sim();
    let mut input = CreatePipelineInput::new(two_stages("P"));
    input.tags = tags_of(&[("team", "web")]);
    sim.create_pipeline(input).await.unwrap();
    sim.delete_pipeline("P").await.unwrap();
    create(&sim, two_stages("P")).await;
    assert_eq!(tags(&sim, ARN).await, vec![]);
}

/// The README's quick start creates `examples/pipeline.json`; it must stay valid.
#[tokio::test]
async fn the_shipped_example_pipeline_is_valid() {
    let sim = sim();
    let pipeline: PipelineDeclaration =
        serde_json::from_str(include_str!("../../examples/pipeline.json")).unwrap();
    let created = sim.create_pipeline(pipeline).await.unwrap();
    assert_eq!(created.pipeline.name, "MyPipeline");
    assert_eq!(created.pipeline.version, Some(1));
    assert_eq!(created.pipeline.stages.len(), 3);
}

#[tokio::test]
async fn create_pipeline_starts_an_execution_two_seconds_later() {
    let sim = builder().build();
    create(&sim, two_stages("P")).await;
    sim.advance(Duration::from_millis(1999)).await;
    let listed = sim.list_pipeline_executions("P").await.unwrap();
    assert!(listed.pipeline_execution_summaries.is_empty());
    sim.advance(Duration::from_millis(1)).await;
    let listed = sim.list_pipeline_executions("P").await.unwrap();
    let [only] = &listed.pipeline_execution_summaries[..] else {
        panic!("one execution: {listed:?}");
    };
    assert_eq!(only.trigger.trigger_type, "CreatePipeline");
    assert_eq!(
        only.trigger.trigger_detail,
        "arn:aws:iam::123456789012:root"
    );
    assert_eq!(only.status, PipelineExecutionStatus::InProgress);
    assert_eq!(only.start_time, sim.now());
    sim.advance(ACTION * 2).await;
    let id = only.pipeline_execution_id.as_str();
    let execution = sim.get_pipeline_execution(("P", id)).await.unwrap();
    assert_eq!(
        execution.pipeline_execution.status,
        PipelineExecutionStatus::Succeeded
    );
}

#[tokio::test]
async fn a_start_before_the_create_execution_finds_it_first_in_line() {
    let sim = builder().build();
    create(&sim, two_stages("P").v2(ExecutionMode::Queued)).await;
    let mine = start(&sim, "P").await;
    let listed = sim.list_pipeline_executions("P").await.unwrap();
    let triggers: Vec<_> = listed
        .pipeline_execution_summaries
        .iter()
        .map(|s| {
            (
                s.pipeline_execution_id.as_str(),
                s.trigger.trigger_type.as_str(),
            )
        })
        .collect();
    let created = triggers[1].0;
    assert_eq!(
        triggers,
        [
            (mine.as_str(), "StartPipelineExecution"),
            (created, "CreatePipeline")
        ]
    );
    let state = sim.get_pipeline_state("P").await.unwrap();
    let source = &state.stage_states[0];
    assert_eq!(
        source
            .latest_execution
            .as_ref()
            .unwrap()
            .pipeline_execution_id,
        created
    );
    assert_eq!(source.inbound_executions[0].pipeline_execution_id, mine);
    sim.advance(Duration::from_secs(2)).await;
    assert_eq!(
        sim.pipeline_stats("P").unwrap().retained_executions,
        2,
        "the timer finds it started and starts no other"
    );
}

#[tokio::test]
async fn a_quiet_simulator_starts_nothing_on_create() {
    let sim = builder().start_on_create(false).build();
    create(&sim, two_stages("P")).await;
    sim.advance(Duration::from_secs(60)).await;
    assert_eq!(sim.pipeline_stats("P").unwrap().retained_executions, 0);
}
