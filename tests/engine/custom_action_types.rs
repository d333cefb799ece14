//! Custom action types (`CreateCustomActionType`, `DeleteCustomActionType`), the list of
//! action types (`ListActionTypes`), pipelines that use custom types, their tags, and
//! `GetActionType` / `UpdateActionType`.

use pipesim::model::action_types::{
    ACTION_TYPES, ActionTypeDeclaration, ActionTypeExecutor, ActionTypeIdentifier, ActionTypeInfo,
    ActionTypeProperty, ActionTypeSettingsInfo, ArtifactCounts, ConfigurationProperty,
};
use pipesim::model::*;
use pipesim::{Error, Simulator};

use crate::common::*;
use crate::helpers::*;

const ARN_PREFIX: &str = "arn:aws:codepipeline:us-east-1:123456789012";

fn refusal<T: std::fmt::Debug>(result: Result<T, Error>) -> (&'static str, String) {
    match result {
        Ok(value) => panic!("expected an error, got {value:?} (seed {SEED})"),
        Err(err) => (err.error_type(), err.message().to_owned()),
    }
}

fn property(name: &str, required: bool) -> ConfigurationProperty {
    ConfigurationProperty {
        name: name.into(),
        required,
        key: required,
        ..ConfigurationProperty::default()
    }
}

/// `Custom/Build/<provider>/1`: one input, one output, `Project` required and
/// queryable, `Token` secret, `Branch` optional.
fn jenkins(provider: &str) -> CreateCustomActionTypeInput {
    CreateCustomActionTypeInput::new(
        ActionCategory::Build,
        provider,
        "1",
        ArtifactCounts::new(1, 1),
        ArtifactCounts::new(0, 1),
    )
    .property(ConfigurationProperty {
        queryable: true,
        ..property("Project", true)
    })
    .property(ConfigurationProperty {
        secret: true,
        key: false,
        ..property("Token", true)
    })
    .property(property("Branch", false))
}

fn custom_id(provider: &str, version: &str) -> ActionTypeId {
    ActionTypeId {
        category: ActionCategory::Build,
        owner: ActionOwner::Custom,
        provider: provider.into(),
        version: version.into(),
    }
}

/// Source(Fetch), then Build(Jenkins) of `Custom/Build/<provider>/1`.
fn pipeline_with(name: &str, provider: &str) -> PipelineDeclaration {
    let mut pipeline = two_stages(name);
    pipeline.stages[1].actions = vec![
        ActionDeclaration::new("Jenkins", custom_id(provider, "1"))
            .config("Project", "web-app")
            .config("Token", "s3cr3t")
            .input("Src"),
    ];
    pipeline
}

async fn custom_types(sim: &Simulator) -> Vec<ActionTypeInfo> {
    sim.list_action_types(ActionOwner::Custom)
        .await
        .unwrap()
        .action_types
}

fn delete_input(provider: &str, version: &str) -> DeleteCustomActionTypeInput {
    DeleteCustomActionTypeInput::new(ActionCategory::Build, provider, version)
}

#[tokio::test]
async fn a_custom_action_type_is_created_with_owner_custom_listed_and_usable() {
    let sim = sim();
    let created = sim
        .create_custom_action_type(jenkins("Jenkins"))
        .await
        .unwrap();
    assert_eq!(created.action_type.id, custom_id("Jenkins", "1"));
    assert_eq!(created.action_type.action_configuration_properties.len(), 3);
    assert!(created.tags.is_empty());
    assert_eq!(custom_types(&sim).await, vec![created.action_type]);
    create(&sim, pipeline_with("P", "Jenkins")).await;
}

#[tokio::test]
async fn custom_actions_must_name_a_live_custom_type_and_keep_to_its_properties() {
    let sim = sim();
    sim.create_custom_action_type(jenkins("Jenkins"))
        .await
        .unwrap();
    create(&sim, two_stages("Kept")).await;
    let invalid = |m: &str| ("InvalidActionDeclarationException", m.to_owned());
    let cases: Vec<(PipelineDeclaration, (&str, String))> = vec![
        (
            pipeline_with("Kept", "Unknown"),
            invalid(
                "ActionType (Category: 'Build', Provider: 'Unknown', Owner: 'Custom', Version: '1') in action 'Jenkins' is not available",
            ),
        ),
        (
            {
                let mut p = pipeline_with("Kept", "Jenkins");
                p.stages[1].actions[0]
                    .configuration
                    .as_mut()
                    .unwrap()
                    .remove("Token");
                p
            },
            invalid(
                "Action configuration for action 'Jenkins' is missing required configuration 'Token'",
            ),
        ),
        (
            {
                let mut p = pipeline_with("Kept", "Jenkins");
                p.stages[1].actions[0] = p.stages[1].actions[0].clone().config("Other", "x");
                p
            },
            invalid(
                "Action configuration for action 'Jenkins' contains unknown configuration 'Other'",
            ),
        ),
        (
            {
                let mut p = pipeline_with("Kept", "Jenkins");
                p.stages[1].actions[0].input_artifacts.clear();
                p
            },
            invalid(
                "Action Jenkins declares 0 input artifacts which is less than the minimum count (1)",
            ),
        ),
        (
            {
                let mut p = pipeline_with("Kept", "Jenkins");
                p.stages[1].actions[0] =
                    p.stages[1].actions[0].clone().config("Project", "web app!");
                p
            },
            invalid(
                "Action configuration for action 'Jenkins' has an invalid value for queryable configuration 'Project': it must be at most 20 alphanumeric characters, underscores or hyphens",
            ),
        ),
    ];
    for (pipeline, expected) in cases {
        assert_eq!(
            refusal(sim.update_pipeline(pipeline.clone()).await),
            expected
        );
        let mut fresh = pipeline;
        fresh.name = "Fresh".into();
        assert_eq!(refusal(sim.create_pipeline(fresh).await), expected);
    }
    assert_eq!(
        error_type(sim.get_pipeline("Fresh").await),
        "PipelineNotFoundException"
    );
    let kept = sim.get_pipeline("Kept").await.unwrap().pipeline;
    assert_eq!(kept.version, Some(1));
}

#[tokio::test]
async fn secret_properties_of_custom_types_are_masked_when_the_pipeline_and_its_runs_are_read() {
    let sim = sim();
    sim.create_custom_action_type(jenkins("Jenkins"))
        .await
        .unwrap();
    let created = sim
        .create_pipeline(pipeline_with("P", "Jenkins"))
        .await
        .unwrap();
    let updated = sim
        .update_pipeline(pipeline_with("P", "Jenkins"))
        .await
        .unwrap();
    let got = sim.get_pipeline("P").await.unwrap();
    for pipeline in [created.pipeline, updated.pipeline, got.pipeline] {
        let config = pipeline.stages[1].actions[0].configuration.clone().unwrap();
        assert_eq!(config["Token"], "****");
        assert_eq!(config["Project"], "web-app");
    }
    // So is the input of its runs.
    start(&sim, "P").await;
    sim.advance(ACTION * 3).await;
    let runs = sim
        .list_action_executions("P")
        .await
        .unwrap()
        .action_execution_details;
    let run = runs
        .iter()
        .find(|r| r.action_name == "Jenkins")
        .expect("Jenkins ran");
    assert_eq!(run.input.configuration["Token"], "****");
    assert_eq!(run.input.resolved_configuration["Token"], "****");
    assert_eq!(run.input.configuration["Project"], "web-app");
    // A deleted type's secrets stay masked.
    sim.delete_custom_action_type(delete_input("Jenkins", "1"))
        .await
        .unwrap();
    let got = sim.get_pipeline("P").await.unwrap().pipeline;
    assert_eq!(
        got.stages[1].actions[0].configuration.as_ref().unwrap()["Token"],
        "****"
    );
}

#[tokio::test]
async fn a_deleted_custom_type_is_not_listed_nor_usable_and_its_version_only_restores_it() {
    let sim = sim();
    let created = sim
        .create_custom_action_type(jenkins("Jenkins"))
        .await
        .unwrap();
    create(&sim, pipeline_with("P", "Jenkins")).await;
    sim.delete_custom_action_type(delete_input("Jenkins", "1"))
        .await
        .unwrap();
    assert!(custom_types(&sim).await.is_empty());
    // The pipeline that uses it is kept, but can no longer be stored with it.
    assert_eq!(
        error_type(sim.update_pipeline(pipeline_with("P", "Jenkins")).await),
        "InvalidActionDeclarationException"
    );
    // Another definition under the deleted version is refused...
    let mut other = jenkins("Jenkins");
    other.output_artifact_details = ArtifactCounts::new(1, 1);
    let (error, message) = refusal(sim.create_custom_action_type(other.clone()).await);
    assert_eq!(error, "ValidationException");
    assert!(message.contains("cannot be reused"), "{message}");
    assert!(custom_types(&sim).await.is_empty());
    // ... a version never used is a new type, and the deleted definition restores it.
    other.version = "2".into();
    sim.create_custom_action_type(other).await.unwrap();
    sim.create_custom_action_type(jenkins("Jenkins"))
        .await
        .unwrap();
    let listed = custom_types(&sim).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0], created.action_type);
    sim.update_pipeline(pipeline_with("P", "Jenkins"))
        .await
        .unwrap();
}

#[tokio::test]
async fn deleting_a_custom_type_that_does_not_exist_succeeds() {
    let sim = sim();
    sim.delete_custom_action_type(delete_input("Nothing", "1"))
        .await
        .unwrap();
    sim.create_custom_action_type(jenkins("Jenkins"))
        .await
        .unwrap();
    sim.delete_custom_action_type(delete_input("Jenkins", "1"))
        .await
        .unwrap();
    sim.delete_custom_action_type(delete_input("Jenkins", "1"))
        .await
        .unwrap();
    assert!(custom_types(&sim).await.is_empty());
}

#[tokio::test]
async fn creating_a_custom_type_that_exists_is_refused() {
    let sim = sim();
    sim.create_custom_action_type(jenkins("Jenkins"))
        .await
        .unwrap();
    let (error, message) = refusal(sim.create_custom_action_type(jenkins("Jenkins")).await);
    assert_eq!(error, "ValidationException");
    assert_eq!(
        message,
        "A custom action type with category 'Build', provider 'Jenkins' and version '1' already exists in account '123456789012'"
    );
    assert_eq!(custom_types(&sim).await.len(), 1);
}

#[tokio::test]
async fn an_account_and_region_hold_at_most_fifty_custom_action_types() {
    let sim = sim();
    for i in 0..50 {
        sim.create_custom_action_type(jenkins(&format!("P{i:02}")))
            .await
            .unwrap();
    }
    assert_eq!(
        error_type(sim.create_custom_action_type(jenkins("OneMore")).await),
        "LimitExceededException"
    );
    // Deleted types do not count.
    sim.delete_custom_action_type(delete_input("P00", "1"))
        .await
        .unwrap();
    sim.create_custom_action_type(jenkins("OneMore"))
        .await
        .unwrap();
    assert_eq!(
        error_type(sim.create_custom_action_type(jenkins("P00")).await),
        "LimitExceededException"
    );
    assert_eq!(custom_types(&sim).await.len(), 50);
}

#[tokio::test]
async fn custom_type_definitions_are_checked_and_a_refused_one_changes_nothing() {
    let sim = sim();
    let with = |change: fn(&mut CreateCustomActionTypeInput)| {
        let mut input = jenkins("Jenkins");
        change(&mut input);
        input
    };
    let cases: Vec<(CreateCustomActionTypeInput, &str, &str)> = vec![
        (
            with(|i| i.provider = "bad provider".into()),
            "ValidationException",
            "1 validation error detected: Value at 'provider' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9A-Za-z_-]+",
        ),
        (
            with(|i| i.version = "1234567890".into()),
            "ValidationException",
            "1 validation error detected: Value at 'version' failed to satisfy constraint: Member must have length less than or equal to 9",
        ),
        (
            with(|i| i.input_artifact_details = ArtifactCounts::new(0, 6)),
            "ValidationException",
            "1 validation error detected: Value at 'inputArtifactDetails.maximumCount' failed to satisfy constraint: Member must have value less than or equal to 5",
        ),
        (
            with(|i| {
                let properties = i.configuration_properties.as_mut().unwrap();
                for n in 0..8 {
                    properties.push(property(&format!("Extra{n}"), false));
                }
            }),
            "ValidationException",
            "1 validation error detected: Value at 'configurationProperties' failed to satisfy constraint: Member must have length less than or equal to 10",
        ),
        (
            with(|i| i.configuration_properties.as_mut().unwrap()[2].queryable = true),
            "ValidationException",
            "An action type can have at most one queryable property, but 2 are queryable",
        ),
        (
            with(|i| i.configuration_properties.as_mut().unwrap()[0].secret = true),
            "ValidationException",
            "Queryable property 'Project' must be required and not secret",
        ),
        (
            with(|i| i.configuration_properties.as_mut().unwrap()[0].required = false),
            "ValidationException",
            "Queryable property 'Project' must be required and not secret",
        ),
        (
            with(|i| i.configuration_properties.as_mut().unwrap()[2].name = "Project".into()),
            "ValidationException",
            "Configuration property 'Project' is declared more than once",
        ),
        (
            with(|i| i.output_artifact_details = ArtifactCounts::new(2, 1)),
            "ValidationException",
            "The minimum count of output artifacts (2) is greater than the maximum count (1)",
        ),
        (
            with(|i| {
                i.settings = Some(ActionTypeSettingsInfo {
                    entity_url_template: Some("https://ci.example.com/job/{Config:Token}".into()),
                    ..ActionTypeSettingsInfo::default()
                })
            }),
            "ValidationException",
            "URL template 'https://ci.example.com/job/{Config:Token}' refers to '{Config:Token}', which is not a required, non-secret configuration property",
        ),
        (
            with(|i| i.tags = vec![Tag::new("aws:reserved", "x")]),
            "InvalidTagsException",
            "Tag key 'aws:reserved' uses the reserved prefix 'aws:'",
        ),
        (
            with(|i| i.tags = (0..51).map(|n| Tag::new(format!("k{n}"), "v")).collect()),
            "TooManyTagsException",
            "Tag limit exceeded: a resource can have at most 50 tags, 51 were given",
        ),
    ];
    for (input, error, message) in cases {
        assert_eq!(
            refusal(sim.create_custom_action_type(input).await),
            (error, message.to_owned())
        );
    }
    assert!(custom_types(&sim).await.is_empty());
    // A template naming a required, non-secret property is fine.
    sim.create_custom_action_type(with(|i| {
        i.settings = Some(ActionTypeSettingsInfo {
            entity_url_template: Some("https://ci.example.com/job/{Config:Project}".into()),
            execution_url_template: Some(
                "https://ci.example.com/job/{Config:Project}/{ExternalExecutionId}".into(),
            ),
            ..ActionTypeSettingsInfo::default()
        })
    }))
    .await
    .unwrap();
}

#[tokio::test]
async fn list_action_types_pages_fifty_at_a_time_and_filters_by_owner() {
    let sim = sim();
    for i in 0..30 {
        sim.create_custom_action_type(jenkins(&format!("P{i:02}")))
            .await
            .unwrap();
    }
    let mut all = Vec::new();
    let mut input = ListActionTypesInput::default();
    loop {
        let page = sim.list_action_types(input.clone()).await.unwrap();
        assert!(page.action_types.len() <= ACTION_TYPES_PAGE);
        all.extend(page.action_types);
        match page.next_token {
            Some(token) => input.next_token = Some(token),
            None => break,
        }
    }
    assert_eq!(all.len(), ACTION_TYPES.len() + 30);
    for (listed, table) in all.iter().zip(ACTION_TYPES) {
        assert_eq!(*listed, ActionTypeInfo::from(table));
    }
    assert_eq!(all[ACTION_TYPES.len()].id, custom_id("P00", "1"));
    for owner in [ActionOwner::Aws, ActionOwner::ThirdParty] {
        let listed = sim.list_action_types(owner.clone()).await.unwrap();
        let expected = ACTION_TYPES.iter().filter(|t| t.id.owner == owner).count();
        assert_eq!(listed.action_types.len(), expected);
        assert!(listed.action_types.iter().all(|t| t.id.owner == owner));
    }
    assert_eq!(custom_types(&sim).await.len(), 30);
    let in_region = ListActionTypesInput {
        region_filter: Some("eu-west-1".into()),
        ..ActionOwner::Custom.into()
    };
    assert_eq!(
        sim.list_action_types(in_region)
            .await
            .unwrap()
            .action_types
            .len(),
        30
    );
    let bad =
        |input: ListActionTypesInput| async { error_type(sim.list_action_types(input).await) };
    assert_eq!(
        bad(ListActionTypesInput {
            next_token: Some("made-up".into()),
            ..Default::default()
        })
        .await,
        "InvalidNextTokenException"
    );
    assert_eq!(
        bad(ListActionTypesInput {
            region_filter: Some("eu".into()),
            ..Default::default()
        })
        .await,
        "ValidationException"
    );
}

#[tokio::test]
async fn custom_action_types_carry_tags_by_their_arn() {
    let sim = sim();
    let mut input = jenkins("Jenkins");
    input.tags = vec![Tag::new("team", "ci")];
    let created = sim.create_custom_action_type(input).await.unwrap();
    assert_eq!(created.tags, vec![Tag::new("team", "ci")]);
    let arn = format!("{ARN_PREFIX}:actiontype:Custom/Build/Jenkins/1");
    let tags = |arn: String| {
        let sim = sim.clone();
        async move {
            sim.list_tags_for_resource(arn.as_str())
                .await
                .map(|o| o.tags)
        }
    };
    assert_eq!(
        tags(arn.clone()).await.unwrap(),
        vec![Tag::new("team", "ci")]
    );
    sim.tag_resource(TagResourceInput {
        resource_arn: arn.clone(),
        tags: vec![Tag::new("env", "prod"), Tag::new("team", "build")],
    })
    .await
    .unwrap();
    assert_eq!(
        tags(arn.clone()).await.unwrap(),
        vec![Tag::new("team", "build"), Tag::new("env", "prod")]
    );
    sim.untag_resource(UntagResourceInput {
        resource_arn: arn.clone(),
        tag_keys: vec!["team".into()],
    })
    .await
    .unwrap();
    assert_eq!(
        tags(arn.clone()).await.unwrap(),
        vec![Tag::new("env", "prod")]
    );
    let too_many = TagResourceInput {
        resource_arn: arn.clone(),
        tags: (0..50).map(|n| Tag::new(format!("k{n}"), "v")).collect(),
    };
    assert_eq!(
        error_type(sim.tag_resource(too_many).await),
        "TooManyTagsException"
    );
    assert_eq!(
        tags(arn.clone()).await.unwrap(),
        vec![Tag::new("env", "prod")]
    );
    for (other, expected) in [
        (
            format!("{ARN_PREFIX}:actiontype:Custom/Build/Other/1"),
            "ResourceNotFoundException",
        ),
        (
            format!("{ARN_PREFIX}:actiontype:AWS/Source/S3/1"),
            "ResourceNotFoundException",
        ),
        (
            format!("{ARN_PREFIX}:actiontype:Custom/Build/Jenkins"),
            "InvalidArnException",
        ),
    ] {
        assert_eq!(error_type(tags(other).await), expected);
    }
    sim.delete_custom_action_type(delete_input("Jenkins", "1"))
        .await
        .unwrap();
    assert_eq!(error_type(tags(arn).await), "ResourceNotFoundException");
}

#[tokio::test]
async fn get_and_update_action_type_answer_for_the_types_registered_to_the_account() {
    let sim = sim();
    sim.create_custom_action_type(jenkins("Jenkins"))
        .await
        .unwrap();
    let id = ActionTypeIdentifier {
        category: ActionCategory::Test,
        owner: "ThirdParty".into(),
        provider: "TestProvider".into(),
        version: "1".into(),
    };
    let (error, message) = refusal(sim.get_action_type(id.clone()).await);
    assert_eq!(error, "ActionTypeNotFoundException");
    assert_eq!(
        message,
        "ActionType (Category: 'Test', Provider: 'TestProvider', Owner: 'ThirdParty', Version: '1') was not found"
    );
    // AWS's own types and custom ones are not declared this way.
    let s3 = ActionTypeIdentifier {
        category: ActionCategory::Source,
        owner: "AWS".into(),
        provider: "S3".into(),
        version: "1".into(),
    };
    assert_eq!(
        error_type(sim.get_action_type(s3).await),
        "ActionTypeNotFoundException"
    );
    let custom = ActionTypeIdentifier {
        category: ActionCategory::Build,
        owner: "Custom".into(),
        provider: "Jenkins".into(),
        version: "1".into(),
    };
    assert_eq!(
        refusal(sim.get_action_type(custom).await),
        ("ValidationException", "1 validation error detected: Value at 'owner' failed to satisfy constraint: Member must satisfy regular expression pattern: AWS|ThirdParty".to_owned())
    );
    let declaration = ActionTypeDeclaration {
        id,
        executor: ActionTypeExecutor {
            executor_type: ExecutorType::JobWorker,
            job_timeout: Some(600),
            ..ActionTypeExecutor::default()
        },
        ..ActionTypeDeclaration::default()
    };
    assert_eq!(
        error_type(sim.update_action_type(declaration.clone()).await),
        "ActionTypeNotFoundException"
    );
    let mut too_short = declaration.clone();
    too_short.executor.job_timeout = Some(59);
    let too_short_error = (
        "ValidationException",
        "1 validation error detected: Value at 'actionType.executor.jobTimeout' failed to satisfy constraint: Member must have value greater than or equal to 60".to_owned(),
    );
    assert_eq!(
        refusal(sim.update_action_type(too_short.clone()).await),
        too_short_error
    );
    let mut two_queryable = declaration.clone();
    let queryable = ActionTypeProperty {
        name: "Suite".into(),
        key: true,
        queryable: Some(true),
        ..ActionTypeProperty::default()
    };
    two_queryable.properties = Some(vec![
        queryable.clone(),
        ActionTypeProperty {
            name: "Other".into(),
            ..queryable.clone()
        },
    ]);
    assert_eq!(
        refusal(sim.update_action_type(two_queryable).await),
        (
            "ValidationException",
            "An action type can have at most one queryable property, but 2 are queryable"
                .to_owned()
        )
    );

    // Once registered for the account (outside the API), both answer for it.
    assert_eq!(
        refusal(sim.register_action_type(too_short)),
        too_short_error
    );
    sim.register_action_type(declaration.clone()).unwrap();
    let got = sim.get_action_type(declaration.id.clone()).await.unwrap();
    assert_eq!(got.action_type.as_ref(), Some(&declaration));
    let mut updated = declaration.clone();
    updated.description = Some("Runs the test suites".into());
    updated.properties = Some(vec![queryable]);
    sim.update_action_type(updated.clone()).await.unwrap();
    let got = sim.get_action_type(declaration.id.clone()).await.unwrap();
    assert_eq!(got.action_type, Some(updated));
    // Another account or region has none.
    let elsewhere = sim.with_scope("210987654321", "us-east-1");
    assert_eq!(
        error_type(elsewhere.get_action_type(declaration.id).await),
        "ActionTypeNotFoundException"
    );
}

#[tokio::test]
async fn the_shipped_example_custom_action_type_is_accepted() {
    let sim = sim();
    let input: CreateCustomActionTypeInput =
        serde_json::from_str(include_str!("../../examples/custom-action-type.json")).unwrap();
    let created = sim.create_custom_action_type(input).await.unwrap();
    assert_eq!(created.action_type.id.provider, "MyJenkins");
    assert_eq!(created.tags, vec![Tag::new("team", "build")]);
}
