//! Actions against their action types at CreatePipeline and UpdatePipeline: required and
//! unknown configuration, artifact counts, types that do not exist, and the variable
//! references of action configuration.

use pipesim::model::action_types::ACTION_TYPES;
use pipesim::model::*;
use pipesim::{Error, Simulator};

use crate::common::*;
use crate::helpers::*;

/// The error type and message of a refused call; panics on success.
fn refusal<T: std::fmt::Debug>(result: Result<T, Error>) -> (&'static str, String) {
    match result {
        Ok(value) => panic!("expected an error, got {value:?} (seed {SEED})"),
        Err(err) => (err.error_type(), err.message().to_owned()),
    }
}

fn invalid_action(message: &str) -> (&'static str, String) {
    ("InvalidActionDeclarationException", message.to_owned())
}

/// Refused by CreatePipeline, which then stores nothing, and by UpdatePipeline of a valid
/// pipeline of the same name, which then keeps version 1 as it was.
async fn refused_by_create_and_update(pipeline: PipelineDeclaration, message: &str) {
    let sim = sim();
    let name = pipeline.name.clone();
    assert_eq!(
        refusal(sim.create_pipeline(pipeline.clone()).await),
        invalid_action(message)
    );
    assert_eq!(
        error_type(sim.get_pipeline(name.as_str()).await),
        "PipelineNotFoundException"
    );
    let created = sim
        .create_pipeline(two_stages(&name))
        .await
        .unwrap()
        .pipeline;
    assert_eq!(
        refusal(sim.update_pipeline(pipeline).await),
        invalid_action(message)
    );
    let got = sim.get_pipeline(name.as_str()).await.unwrap().pipeline;
    assert_eq!(got, created);
    assert_eq!(got.version, Some(1));
}

fn config_of(pipeline: &mut PipelineDeclaration, stage: usize) -> &mut Configuration {
    pipeline.stages[stage].actions[0]
        .configuration
        .get_or_insert_with(Default::default)
}

type Configuration = std::collections::BTreeMap<String, String>;

#[tokio::test]
async fn an_action_missing_required_configuration_is_refused() {
    let mut pipeline = two_stages("P");
    config_of(&mut pipeline, 0).remove("S3Bucket");
    refused_by_create_and_update(
        pipeline,
        "Action configuration for action 'Fetch' is missing required configuration 'S3Bucket'",
    )
    .await;
    let mut pipeline = two_stages("P");
    pipeline.stages[1].actions[0].configuration = None;
    refused_by_create_and_update(
        pipeline,
        "Action configuration for action 'Ship' is missing required configuration 'BucketName'",
    )
    .await;
}

#[tokio::test]
async fn an_action_with_unknown_configuration_is_refused() {
    let mut pipeline = two_stages("P");
    config_of(&mut pipeline, 1).insert("Bucket".into(), "b".into());
    refused_by_create_and_update(
        pipeline,
        "Action configuration for action 'Ship' contains unknown configuration 'Bucket'",
    )
    .await;
    // Keys are compared exactly, case included.
    let mut pipeline = two_stages("P");
    config_of(&mut pipeline, 0).insert("s3bucket".into(), "b".into());
    refused_by_create_and_update(
        pipeline,
        "Action configuration for action 'Fetch' contains unknown configuration 's3bucket'",
    )
    .await;
}

#[tokio::test]
async fn artifact_counts_outside_the_action_type_are_refused() {
    let mut pipeline = two_stages("P");
    pipeline.stages[1].actions[0].input_artifacts.clear();
    refused_by_create_and_update(
        pipeline,
        "Action Ship declares 0 input artifacts which is less than the minimum count (1)",
    )
    .await;
    let mut pipeline = two_stages("P");
    pipeline.stages[0].actions[0]
        .output_artifacts
        .push(ArtifactRef::new("Extra"));
    refused_by_create_and_update(
        pipeline,
        "Action Fetch declares 2 output artifacts which is greater than the maximum count (1)",
    )
    .await;
    let mut pipeline = two_stages("P");
    pipeline.stages[1].actions[0]
        .output_artifacts
        .push(ArtifactRef::new("Out"));
    refused_by_create_and_update(
        pipeline,
        "Action Ship declares 1 output artifacts which is greater than the maximum count (0)",
    )
    .await;
}

#[tokio::test]
async fn an_aws_action_type_that_does_not_exist_is_refused() {
    let mut pipeline = two_stages("P");
    pipeline.stages[1].actions[0].action_type_id = ActionTypeId::aws(ActionCategory::Build, "S3");
    refused_by_create_and_update(
        pipeline,
        "ActionType (Category: 'Build', Provider: 'S3', Owner: 'AWS', Version: '1') in action 'Ship' is not available",
    )
    .await;
    let mut pipeline = two_stages("P");
    pipeline.stages[1].actions[0].action_type_id.version = "2".into();
    refused_by_create_and_update(
        pipeline,
        "ActionType (Category: 'Deploy', Provider: 'S3', Owner: 'AWS', Version: '2') in action 'Ship' is not available",
    )
    .await;
}

#[tokio::test]
async fn third_party_action_types_the_table_does_not_hold_are_not_checked() {
    let sim = sim();
    let mut pipeline = two_stages("P");
    pipeline.stages[1].actions = vec![
        ActionDeclaration::new(
            "Load",
            ActionTypeId {
                owner: ActionOwner::ThirdParty,
                ..ActionTypeId::aws(ActionCategory::Test, "SomePartner")
            },
        )
        .config("AnyKey", "any value"),
    ];
    sim.create_pipeline(pipeline).await.unwrap();
}

#[tokio::test]
async fn properties_required_only_in_some_cases_are_refused_when_missing() {
    // S3 deploy: ObjectKey when Extract is false.
    let mut pipeline = two_stages("P");
    config_of(&mut pipeline, 1).insert("Extract".into(), "false".into());
    refused_by_create_and_update(
        pipeline.clone(),
        "Action configuration for action 'Ship' is missing required configuration 'ObjectKey'",
    )
    .await;
    config_of(&mut pipeline, 1).insert("ObjectKey".into(), "site.zip".into());
    sim().create_pipeline(pipeline).await.unwrap();

    // CloudFormation: each action mode's properties.
    let cloudformation = |config: &[(&str, &str)]| {
        let mut pipeline = two_stages("P");
        let mut action = ActionDeclaration::new(
            "Stack",
            ActionTypeId::aws(ActionCategory::Deploy, "CloudFormation"),
        )
        .input("Src");
        for (key, value) in config {
            action = action.config(*key, *value);
        }
        pipeline.stages[1].actions = vec![action];
        pipeline
    };
    let missing = |key: &str| {
        format!("Action configuration for action 'Stack' is missing required configuration '{key}'")
    };
    let base = [("ActionMode", "CHANGE_SET_EXECUTE"), ("StackName", "app")];
    refused_by_create_and_update(cloudformation(&base), &missing("ChangeSetName")).await;
    let base = [("ActionMode", "CREATE_UPDATE"), ("StackName", "app")];
    refused_by_create_and_update(cloudformation(&base), &missing("RoleArn")).await;
    let with_role = [
        ("ActionMode", "CREATE_UPDATE"),
        ("StackName", "app"),
        ("RoleArn", "arn:aws:iam::123456789012:role/cfn"),
    ];
    refused_by_create_and_update(cloudformation(&with_role), &missing("TemplatePath")).await;
    let complete = [
        ("ActionMode", "CREATE_UPDATE"),
        ("StackName", "app"),
        ("RoleArn", "arn:aws:iam::123456789012:role/cfn"),
        ("TemplatePath", "Src::template.yml"),
    ];
    sim()
        .create_pipeline(cloudformation(&complete))
        .await
        .unwrap();
    let delete = [("ActionMode", "DELETE_ONLY"), ("StackName", "app")];
    refused_by_create_and_update(cloudformation(&delete), &missing("RoleArn")).await;

    // CodeBuild: PrimarySource with more than one input artifact.
    let mut pipeline = two_stages("P");
    pipeline.stages[0].actions.push(
        ActionDeclaration::new("Fetch2", ActionTypeId::s3_source())
            .config("S3Bucket", "b")
            .config("S3ObjectKey", "k")
            .output("Src2"),
    );
    pipeline.stages[1].actions = vec![
        ActionDeclaration::new("Build", ActionTypeId::codebuild())
            .config("ProjectName", "app")
            .input("Src")
            .input("Src2"),
    ];
    refused_by_create_and_update(
        pipeline.clone(),
        "Action configuration for action 'Build' is missing required configuration 'PrimarySource'",
    )
    .await;
    config_of(&mut pipeline, 1).insert("PrimarySource".into(), "Src".into());
    sim().create_pipeline(pipeline).await.unwrap();
}

/// A pipeline in which `action_type` is used once, with its minimal configuration and as
/// few artifacts as it allows: stage Source with the S3 source Fetch (output `Src`), and
/// the action under test either beside it (a source) or in a second stage.
fn pipeline_using(name: &str, action_type: &action_types::ActionType) -> PipelineDeclaration {
    let id = &action_type.id;
    let mut action = ActionDeclaration::new(
        "Tested",
        ActionTypeId {
            category: id.category.clone(),
            owner: id.owner.clone(),
            provider: id.provider.into(),
            version: id.version.into(),
        },
    );
    action.configuration = Some(action_type.minimal_configuration("example"));
    for _ in 0..action_type.input_artifact_details.minimum_count {
        action = action.input("Src");
    }
    for i in 0..action_type.output_artifact_details.minimum_count {
        action = action.output(format!("Tested{i}"));
    }
    let mut pipeline = two_stages(name).v2(ExecutionMode::Queued);
    if id.category == ActionCategory::Source {
        pipeline.stages[0].actions.push(action);
    } else {
        pipeline.stages[1].actions = vec![action];
    }
    pipeline
}

#[tokio::test]
async fn every_aws_action_type_in_the_table_accepts_its_required_configuration() {
    let sim: Simulator = sim();
    for (i, action_type) in ACTION_TYPES.iter().enumerate() {
        let pipeline = pipeline_using(&format!("P{i}"), action_type);
        if let Err(err) = sim.create_pipeline(pipeline).await {
            panic!("{:?} refused: {err}", action_type.id);
        }
    }
}

#[tokio::test]
async fn every_required_property_in_the_table_is_enforced() {
    let sim = sim();
    for action_type in ACTION_TYPES {
        let required = action_type
            .action_configuration_properties
            .iter()
            .filter(|property| property.required);
        for property in required {
            let mut pipeline = pipeline_using("P", action_type);
            let stage = usize::from(action_type.id.category != ActionCategory::Source);
            let tested = pipeline.stages[stage].actions.last_mut().unwrap();
            tested.configuration.as_mut().unwrap().remove(property.name);
            assert_eq!(
                refusal(sim.create_pipeline(pipeline).await),
                invalid_action(&format!(
                    "Action configuration for action 'Tested' is missing required configuration '{}'",
                    property.name
                )),
                "{:?}",
                action_type.id
            );
        }
    }
}

#[tokio::test]
async fn references_to_undeclared_namespaces_are_refused() {
    let mut pipeline = two_stages("P");
    config_of(&mut pipeline, 1).insert("ObjectKey".into(), "#{SourceVariables.ETag}".into());
    refused_by_create_and_update(
        pipeline.clone(),
        "Action configuration for action 'Ship' references the namespace 'SourceVariables', which no action of the pipeline declares",
    )
    .await;
    pipeline.stages[0].actions[0] = pipeline.stages[0].actions[0]
        .clone()
        .in_namespace("SourceVariables");
    config_of(&mut pipeline, 1).insert(
        "CacheControl".into(),
        "#{codepipeline.PipelineExecutionId}".into(),
    );
    let sim = sim();
    let created = sim.create_pipeline(pipeline).await.unwrap().pipeline;
    assert_eq!(
        created.stages[0].actions[0].namespace(),
        Some("SourceVariables")
    );
}

#[tokio::test]
async fn references_to_undeclared_pipeline_variables_are_refused() {
    let mut pipeline = two_stages("P").v2(ExecutionMode::Queued);
    config_of(&mut pipeline, 1).insert("ObjectKey".into(), "#{variables.Key}.zip".into());
    refused_by_create_and_update(
        pipeline.clone(),
        "Action configuration for action 'Ship' references the pipeline variable 'Key', which the pipeline does not declare",
    )
    .await;
    let pipeline = pipeline.variable("Key", Some("site"));
    sim().create_pipeline(pipeline).await.unwrap();
}

#[tokio::test]
async fn namespaces_are_unique_in_a_pipeline() {
    let mut pipeline = two_stages("P");
    for stage in &mut pipeline.stages {
        stage.actions[0] = stage.actions[0].clone().in_namespace("Vars");
    }
    refused_by_create_and_update(
        pipeline,
        "Namespaces must be unique across the pipeline definition. The following occur more than once in the pipeline. StageName=[Deploy], ActionName=[Ship], Namespace=[Vars]",
    )
    .await;
}
