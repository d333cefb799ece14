//! `PutActionRevision` and the webhook operations through the Rust SDK: their answers
//! and every modeled error as the SDK's typed error.

use aws_sdk_codepipeline::Client;
use aws_sdk_codepipeline::primitives::DateTime;
use aws_sdk_codepipeline::types::{
    ActionRevision, ExecutionMode, Tag, WebhookAuthConfiguration, WebhookAuthenticationType,
    WebhookDefinition, WebhookFilterRule,
};
use pipesim::PipelineSettings;
use pipesim::faults::FaultRule;
use pipesim::testing::{TestServer, serve_simulator};

use crate::common::sim;
use crate::sdk::{client, pipeline};

async fn server() -> TestServer {
    serve_simulator(sim()).await
}

async fn create(client: &Client, name: &str, mode: ExecutionMode) {
    client
        .create_pipeline()
        .pipeline(pipeline(name, mode, false))
        .send()
        .await
        .expect("pipeline created");
}

fn revision(id: &str) -> ActionRevision {
    ActionRevision::builder()
        .revision_id(id)
        .revision_change_id(format!("change-{id}"))
        .created(DateTime::from_secs(1_735_000_000))
        .build()
        .unwrap()
}

fn hook(name: &str, pipeline: &str, json_path: &str) -> WebhookDefinition {
    WebhookDefinition::builder()
        .name(name)
        .target_pipeline(pipeline)
        .target_action("Fetch")
        .filters(
            WebhookFilterRule::builder()
                .json_path(json_path)
                .match_equals("refs/heads/main")
                .build()
                .unwrap(),
        )
        .authentication(WebhookAuthenticationType::GithubHmac)
        .authentication_configuration(
            WebhookAuthConfiguration::builder()
                .secret_token("s3cret")
                .build(),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn put_action_revision_and_its_typed_errors_through_the_sdk() {
    let server = server().await;
    let client = client(&server);
    create(&client, "P", ExecutionMode::Queued).await;
    let put = |stage: &str, action: &str, id: &str| {
        client
            .put_action_revision()
            .pipeline_name("P")
            .stage_name(stage)
            .action_name(action)
            .action_revision(revision(id))
            .send()
    };
    let first = put("Source", "Fetch", "v-1").await.unwrap();
    assert!(first.new_revision());
    let again = put("Source", "Fetch", "v-1").await.unwrap();
    assert!(!again.new_revision());
    assert_eq!(again.pipeline_execution_id(), first.pipeline_execution_id());
    let got = client
        .get_pipeline_execution()
        .pipeline_name("P")
        .pipeline_execution_id(first.pipeline_execution_id().unwrap())
        .send()
        .await
        .unwrap();
    let execution = got.pipeline_execution().unwrap();
    let trigger = execution.trigger().unwrap();
    assert_eq!(
        trigger.trigger_type().unwrap().as_str(),
        "PutActionRevision"
    );
    assert_eq!(execution.artifact_revisions()[0].revision_id(), Some("v-1"));

    let err = put("Build", "Fetch", "v-2")
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_stage_not_found_exception(), "{err:?}");
    let err = put("Source", "Other", "v-2")
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_action_not_found_exception(), "{err:?}");
    let err = put("Source", "Fetch", "")
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_validation_exception(), "{err:?}");
    let err = client
        .put_action_revision()
        .pipeline_name("Missing")
        .stage_name("Source")
        .action_name("Fetch")
        .action_revision(revision("v-2"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_pipeline_not_found_exception(), "{err:?}");
    server
        .simulator()
        .configure_pipeline("P", PipelineSettings::new().max_concurrent_executions(1))
        .unwrap();
    let err = put("Source", "Fetch", "v-2")
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        err.is_concurrent_pipeline_executions_limit_exceeded_exception(),
        "{err:?}"
    );
}

#[tokio::test]
async fn webhooks_and_their_typed_errors_through_the_sdk() {
    let server = server().await;
    let client = client(&server);
    create(&client, "P", ExecutionMode::Superseded).await;
    let put = client
        .put_webhook()
        .webhook(hook("H", "P", "$.ref"))
        .tags(Tag::builder().key("team").value("web").build().unwrap())
        .send()
        .await
        .unwrap();
    let item = put.webhook().unwrap();
    let arn = "arn:aws:codepipeline:us-east-1:123456789012:webhook:H";
    assert_eq!(item.arn(), Some(arn));
    assert!(
        item.url()
            .starts_with(&format!("{}/_pipesim/webhooks/H/deliver?", server.url()))
    );
    let shown = item
        .definition()
        .unwrap()
        .authentication_configuration()
        .unwrap();
    assert_eq!(shown.secret_token(), None);

    client
        .put_webhook()
        .webhook(hook("G", "P", "$.ref"))
        .send()
        .await
        .unwrap();
    let page = client.list_webhooks().max_results(1).send().await.unwrap();
    assert_eq!(page.webhooks()[0].definition().unwrap().name(), "G");
    let rest = client
        .list_webhooks()
        .next_token(page.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.webhooks()[0].definition().unwrap().name(), "H");
    let err = client
        .list_webhooks()
        .next_token("made-up")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_next_token_exception());
    let err = client
        .list_webhooks()
        .max_results(101)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_validation_exception());

    client
        .register_webhook_with_third_party()
        .webhook_name("H")
        .send()
        .await
        .unwrap();
    assert!(
        server
            .simulator()
            .webhook_registered_with_third_party("H")
            .unwrap()
    );
    client
        .deregister_webhook_with_third_party()
        .webhook_name("H")
        .send()
        .await
        .unwrap();
    let err = client
        .register_webhook_with_third_party()
        .webhook_name("X")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_webhook_not_found_exception());
    let err = client
        .deregister_webhook_with_third_party()
        .webhook_name("bad name")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_validation_exception());
    let err = client
        .deregister_webhook_with_third_party()
        .webhook_name("X")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_webhook_not_found_exception());

    let tags = client
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags()[0].key(), "team");

    let err = client
        .put_webhook()
        .webhook(hook("H", "P", "$.commits["))
        .send()
        .await;
    assert!(
        err.unwrap_err()
            .into_service_error()
            .is_invalid_webhook_filter_pattern_exception()
    );
    let mut open = hook("H", "P", "$.ref");
    open.authentication = WebhookAuthenticationType::Unauthenticated;
    let err = client.put_webhook().webhook(open).send().await.unwrap_err();
    assert!(
        err.into_service_error()
            .is_invalid_webhook_authentication_parameters_exception()
    );
    let err = client
        .put_webhook()
        .webhook(hook("H", "Missing", "$.ref"))
        .send()
        .await;
    assert!(
        err.unwrap_err()
            .into_service_error()
            .is_pipeline_not_found_exception()
    );
    let mut long = hook("H", "P", "$.ref");
    long.name = "x".repeat(101);
    let err = client.put_webhook().webhook(long).send().await.unwrap_err();
    assert!(err.into_service_error().is_validation_exception());
    let reserved = Tag::builder().key("aws:x").value("v").build().unwrap();
    let err = client
        .put_webhook()
        .webhook(hook("H", "P", "$.ref"))
        .tags(reserved)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_tags_exception());
    let mut crowded = client.put_webhook().webhook(hook("H", "P", "$.ref"));
    for i in 0..51 {
        crowded = crowded.tags(
            Tag::builder()
                .key(format!("k{i}"))
                .value("v")
                .build()
                .unwrap(),
        );
    }
    let err = crowded.send().await.unwrap_err();
    assert!(err.into_service_error().is_too_many_tags_exception());
    for i in 2..300 {
        let name = format!("h{i:03}");
        client
            .put_webhook()
            .webhook(hook(&name, "P", "$.ref"))
            .send()
            .await
            .unwrap();
    }
    let err = client
        .put_webhook()
        .webhook(hook("one-more", "P", "$.ref"))
        .send()
        .await;
    assert!(
        err.unwrap_err()
            .into_service_error()
            .is_limit_exceeded_exception()
    );

    // pipesim changes atomically: only a fault rule answers ConcurrentModificationException.
    let sim = server.simulator();
    for operation in ["PutWebhook", "DeleteWebhook"] {
        let rule = FaultRule::error("ConcurrentModificationException").operation(operation);
        sim.add_fault(rule).unwrap();
    }
    let err = client
        .put_webhook()
        .webhook(hook("H", "P", "$.ref"))
        .send()
        .await;
    assert!(
        err.unwrap_err()
            .into_service_error()
            .is_concurrent_modification_exception()
    );
    let err = client.delete_webhook().name("H").send().await.unwrap_err();
    assert!(
        err.into_service_error()
            .is_concurrent_modification_exception()
    );
    sim.clear_faults();
    let err = client
        .delete_webhook()
        .name("no spaces")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_validation_exception());
    client.delete_webhook().name("H").send().await.unwrap();
    client.delete_webhook().name("H").send().await.unwrap();
}
