//! Drives a running `pipesim serve` with the official AWS SDK for Rust: create a
//! pipeline, start it, follow it to the end, and read a typed error.
//!
//! ```text
//! cargo run --release -- serve --action-duration-ms 200 &
//! cargo run --example aws_sdk_rust                # or PIPESIM_URL=http://host:port
//! ```

use std::time::Duration;

use aws_sdk_codepipeline::Client;
use aws_sdk_codepipeline::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_codepipeline::types::{
    ActionCategory, ActionDeclaration, ActionOwner, ActionTypeId, ArtifactStore, ArtifactStoreType,
    InputArtifact, OutputArtifact, PipelineDeclaration, PipelineExecutionStatus, StageDeclaration,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let endpoint = std::env::var("PIPESIM_URL").unwrap_or("http://127.0.0.1:8409".into());
    let config = aws_sdk_codepipeline::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        // Any key works; a 12-digit access key id picks the account.
        .credentials_provider(Credentials::new("test", "test", None, None, "example"))
        .build();
    let client = Client::from_conf(config);

    client
        .create_pipeline()
        .pipeline(example_pipeline("SdkExample"))
        .send()
        .await?;
    let started = client
        .start_pipeline_execution()
        .name("SdkExample")
        .send()
        .await?;
    let id = started
        .pipeline_execution_id()
        .unwrap_or_default()
        .to_owned();
    println!("started {id}");

    loop {
        let execution = client
            .get_pipeline_execution()
            .pipeline_name("SdkExample")
            .pipeline_execution_id(&id)
            .send()
            .await?;
        let status = execution
            .pipeline_execution()
            .and_then(|e| e.status())
            .cloned();
        println!("status {status:?}");
        if status != Some(PipelineExecutionStatus::InProgress) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let err = client
        .start_pipeline_execution()
        .name("Missing")
        .send()
        .await
        .expect_err("no such pipeline")
        .into_service_error();
    println!("typed error: {}", err.is_pipeline_not_found_exception());

    client.delete_pipeline().name("SdkExample").send().await?;
    Ok(())
}

/// Source (S3) then Deploy (S3), built with the SDK's builders.
fn example_pipeline(name: &str) -> PipelineDeclaration {
    let type_id = |category, provider: &str| {
        ActionTypeId::builder()
            .category(category)
            .owner(ActionOwner::Aws)
            .provider(provider)
            .version("1")
            .build()
            .expect("every required field is set")
    };
    let source = ActionDeclaration::builder()
        .name("Fetch")
        .action_type_id(type_id(ActionCategory::Source, "S3"))
        .configuration("S3Bucket", "my-source-bucket")
        .configuration("S3ObjectKey", "app.zip")
        .output_artifacts(
            OutputArtifact::builder()
                .name("Src")
                .build()
                .expect("named"),
        )
        .build()
        .expect("every required field is set");
    let deploy = ActionDeclaration::builder()
        .name("Ship")
        .action_type_id(type_id(ActionCategory::Deploy, "S3"))
        .configuration("BucketName", "my-site-bucket")
        .configuration("Extract", "true")
        .input_artifacts(InputArtifact::builder().name("Src").build().expect("named"))
        .build()
        .expect("every required field is set");
    let stage = |name: &str, action| {
        StageDeclaration::builder()
            .name(name)
            .actions(action)
            .build()
            .expect("every required field is set")
    };
    PipelineDeclaration::builder()
        .name(name)
        .role_arn("arn:aws:iam::123456789012:role/pipeline-role")
        .artifact_store(
            ArtifactStore::builder()
                .r#type(ArtifactStoreType::S3)
                .location("my-artifacts")
                .build()
                .expect("every required field is set"),
        )
        .stages(stage("Source", source))
        .stages(stage("Deploy", deploy))
        .build()
        .expect("every required field is set")
}
