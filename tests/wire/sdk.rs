//! Clients and pipelines as the AWS SDK for Rust builds them, for the tests that talk to
//! pipesim through the SDK.

use std::time::Duration;

use aws_sdk_codepipeline::Client;
use aws_sdk_codepipeline::config::retry::RetryConfig;
use aws_sdk_codepipeline::config::{BehaviorVersion, Credentials, Region};
use pipesim::testing::TestServer;

use aws_sdk_codepipeline::types::{
    ActionCategory, ActionDeclaration, ActionOwner, ActionTypeId, ArtifactStore, ArtifactStoreType,
    ExecutionMode, InputArtifact, OutputArtifact, PipelineDeclaration, PipelineType,
    StageDeclaration,
};

/// An SDK client of `server`, signing with `access_key_id` in `region`.
pub fn client_as(server: &TestServer, access_key_id: &str, region: &str) -> Client {
    let config = aws_sdk_codepipeline::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(server.url())
        .region(Region::new(region.to_owned()))
        // The SDK's standard retries, with backoff short enough for a test.
        .retry_config(RetryConfig::standard().with_initial_backoff(Duration::from_millis(1)))
        .credentials_provider(Credentials::new(
            access_key_id,
            "secret",
            None,
            None,
            "pipesim-tests",
        ))
        .build();
    Client::from_conf(config)
}

/// An SDK client in the default account and region.
pub fn client(server: &TestServer) -> Client {
    client_as(server, "AKIAIOSFODNN7EXAMPLE", "us-east-1")
}

pub fn action(
    name: &str,
    category: ActionCategory,
    provider: &str,
    configuration: &[(&str, &str)],
    input: Option<&str>,
    output: Option<&str>,
) -> ActionDeclaration {
    let type_id = ActionTypeId::builder()
        .category(category)
        .owner(ActionOwner::Aws)
        .provider(provider)
        .version("1")
        .build()
        .unwrap();
    let mut action = ActionDeclaration::builder()
        .name(name)
        .action_type_id(type_id);
    for (key, value) in configuration {
        action = action.configuration(*key, *value);
    }
    if let Some(input) = input {
        action = action.input_artifacts(InputArtifact::builder().name(input).build().unwrap());
    }
    if let Some(output) = output {
        action = action.output_artifacts(OutputArtifact::builder().name(output).build().unwrap());
    }
    action.build().unwrap()
}

pub fn stage(name: &str, action: ActionDeclaration) -> StageDeclaration {
    StageDeclaration::builder()
        .name(name)
        .actions(action)
        .build()
        .unwrap()
}

/// Source(Fetch), then Approve(Manual) when `approval`, then Deploy(Ship): as the SDK
/// builds it, so CreatePipeline decodes real SDK output.
pub fn pipeline(name: &str, mode: ExecutionMode, approval: bool) -> PipelineDeclaration {
    let mut stages = vec![stage(
        "Source",
        action(
            "Fetch",
            ActionCategory::Source,
            "S3",
            &[("S3Bucket", "app-source"), ("S3ObjectKey", "app.zip")],
            None,
            Some("Src"),
        ),
    )];
    if approval {
        stages.push(stage(
            "Approve",
            action(
                "Manual",
                ActionCategory::Approval,
                "Manual",
                &[],
                None,
                None,
            ),
        ));
    }
    stages.push(stage(
        "Deploy",
        action(
            "Ship",
            ActionCategory::Deploy,
            "S3",
            &[("BucketName", "app-site"), ("Extract", "true")],
            Some("Src"),
            None,
        ),
    ));
    let pipeline_type = if mode == ExecutionMode::Superseded {
        PipelineType::V1
    } else {
        PipelineType::V2
    };
    PipelineDeclaration::builder()
        .name(name)
        .role_arn("arn:aws:iam::123456789012:role/pipeline-role")
        .artifact_store(
            ArtifactStore::builder()
                .r#type(ArtifactStoreType::S3)
                .location("artifacts")
                .build()
                .unwrap(),
        )
        .set_stages(Some(stages))
        .execution_mode(mode)
        .pipeline_type(pipeline_type)
        .build()
        .unwrap()
}
