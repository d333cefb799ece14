//! Starts that come from a source: `PutActionRevision`, and webhooks (`PutWebhook`,
//! `ListWebhooks`, `DeleteWebhook`, registration, deliveries), through the embedded
//! API; with restarts from the journal and from a compacted snapshot.

use std::path::PathBuf;

use tempfile::TempDir;

use crate::common::*;
use crate::helpers::*;
use pipesim::model::*;
use pipesim::persist::Fsync;
use pipesim::{PipelineSettings, Simulator};

const CREATED: Timestamp = Timestamp::from_millis(1_735_000_000_000);

fn revision(id: &str, change: &str) -> PutActionRevisionInput {
    PutActionRevisionInput::new("P", "Source", "Fetch", (id, change, CREATED))
}

fn hook(name: &str) -> WebhookDefinition {
    WebhookDefinition::new(name, "P", "Fetch").filter("$.ref", "refs/heads/{S3Bucket}")
}

fn push(branch: &str) -> WebhookDelivery {
    WebhookDelivery::new(format!(
        r#"{{"ref": "refs/heads/{branch}", "after": "abc"}}"#
    ))
}

async fn items(sim: &Simulator) -> Vec<ListWebhookItem> {
    sim.list_webhooks(ListWebhooksInput::default())
        .await
        .unwrap()
        .webhooks
}

// PutActionRevision

#[tokio::test]
async fn a_new_revision_starts_an_execution_that_fetches_it() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let out = sim
        .put_action_revision(revision("v-1", "deploy-1"))
        .await
        .unwrap();
    assert!(out.new_revision);
    let exec = execution(&sim, "P", &out.pipeline_execution_id).await;
    assert_eq!(exec.trigger.trigger_type, "PutActionRevision");
    assert_eq!(
        exec.trigger.trigger_detail,
        "arn:aws:iam::123456789012:root"
    );
    assert_eq!(exec.artifact_revisions[0].revision_id, "v-1");
    sim.advance(ACTION).await;
    let state = sim.get_pipeline_state("P").await.unwrap();
    let current = state.stage_states[0].action_states[0]
        .current_revision
        .clone()
        .unwrap();
    assert_eq!(current.revision_id, "v-1");
    assert_eq!(current.revision_change_id.as_deref(), Some("deploy-1"));
    assert_eq!(current.created, Some(CREATED));
}

#[tokio::test]
async fn the_same_revision_again_starts_nothing_and_answers_the_execution_it_started() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let first = sim.put_action_revision(revision("v-1", "a")).await.unwrap();
    let again = sim.put_action_revision(revision("v-1", "b")).await.unwrap();
    assert!(!again.new_revision);
    assert_eq!(again.pipeline_execution_id, first.pipeline_execution_id);
    let listed = sim.list_pipeline_executions("P").await.unwrap();
    assert_eq!(listed.pipeline_execution_summaries.len(), 1);
    // Another revision is new again, and the one before it is no longer remembered.
    let second = sim.put_action_revision(revision("v-2", "c")).await.unwrap();
    assert!(second.new_revision);
    let back = sim.put_action_revision(revision("v-1", "d")).await.unwrap();
    assert!(back.new_revision);
}

#[tokio::test]
async fn put_action_revision_names_a_missing_pipeline_stage_or_source_action() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let mut missing = revision("v", "c");
    missing.pipeline_name = "Q".into();
    assert_eq!(
        error_type(sim.put_action_revision(missing).await),
        "PipelineNotFoundException"
    );
    let mut stage = revision("v", "c");
    stage.stage_name = "Build".into();
    assert_eq!(
        error_type(sim.put_action_revision(stage).await),
        "StageNotFoundException"
    );
    let mut action = revision("v", "c");
    action.action_name = "Other".into();
    assert_eq!(
        error_type(sim.put_action_revision(action).await),
        "ActionNotFoundException"
    );
    let deploy = PutActionRevisionInput::new("P", "Deploy", "Ship", ("v", "c", CREATED));
    assert_eq!(
        error_type(sim.put_action_revision(deploy).await),
        "ActionNotFoundException"
    );
    let mut empty = revision("", "c");
    empty.action_revision.revision_change_id = "x".repeat(101);
    assert_eq!(
        error_type(sim.put_action_revision(empty).await),
        "ValidationException"
    );
    let listed = sim.list_pipeline_executions("P").await.unwrap();
    assert!(listed.pipeline_execution_summaries.is_empty());
}

#[tokio::test]
async fn put_action_revision_goes_through_the_concurrency_limit_of_a_queued_pipeline() {
    let sim = sim();
    create(&sim, two_stages("P").v2(ExecutionMode::Queued)).await;
    sim.configure_pipeline(
        "P",
        PipelineSettings::default().max_concurrent_executions(1),
    )
    .unwrap();
    sim.put_action_revision(revision("v-1", "a")).await.unwrap();
    assert_eq!(
        error_type(sim.put_action_revision(revision("v-2", "b")).await),
        "ConcurrentPipelineExecutionsLimitExceededException"
    );
    // The refused revision was not remembered: once there is room it is new.
    sim.advance(ACTION * 2).await;
    assert!(
        sim.put_action_revision(revision("v-2", "b"))
            .await
            .unwrap()
            .new_revision
    );
}

// Webhooks

#[tokio::test]
async fn put_webhook_answers_its_url_arn_and_definition_without_the_secret() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let definition = hook("H").github_hmac("s3cret");
    let put = sim
        .put_webhook(PutWebhookInput::new(definition.clone()).tag("team", "web"))
        .await
        .unwrap()
        .webhook;
    assert_eq!(
        put.arn.as_deref(),
        Some("arn:aws:codepipeline:us-east-1:123456789012:webhook:H")
    );
    assert!(
        put.url.starts_with(
            "http://127.0.0.1:8409/_pipesim/webhooks/H/deliver?account=123456789012&region=us-east-1&t="
        ),
        "{}",
        put.url
    );
    assert_eq!(
        put.definition.authentication_configuration.secret_token,
        None
    );
    assert_eq!(put.definition.filters, definition.filters);
    assert_eq!(put.tags, Some(vec![Tag::new("team", "web")]));
    assert_eq!(put.last_triggered, None);
    assert_eq!(items(&sim).await, vec![put]);
}

#[tokio::test]
async fn putting_a_webhook_again_replaces_it_and_keeps_its_url_while_a_deleted_one_gets_a_new_url()
{
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let first = sim
        .put_webhook(PutWebhookInput::new(hook("H")))
        .await
        .unwrap();
    let replaced = hook("H").filter("$.repository.name", "app");
    let again = sim
        .put_webhook(PutWebhookInput::new(replaced))
        .await
        .unwrap();
    assert_eq!(again.webhook.url, first.webhook.url);
    assert_eq!(again.webhook.definition.filters.len(), 2);
    assert_eq!(items(&sim).await.len(), 1);
    sim.delete_webhook("H").await.unwrap();
    assert!(items(&sim).await.is_empty());
    // Deleting what is not there succeeds, as documented.
    sim.delete_webhook("H").await.unwrap();
    let recreated = sim
        .put_webhook(PutWebhookInput::new(hook("H")))
        .await
        .unwrap();
    assert_ne!(recreated.webhook.url, first.webhook.url);
}

#[tokio::test]
async fn put_webhook_checks_its_filters_authentication_target_and_tags() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let put = |definition: WebhookDefinition| sim.put_webhook(PutWebhookInput::new(definition));
    let bad_path = WebhookDefinition::new("H", "P", "Fetch").filter("$.commits[", "x");
    assert_eq!(
        error_type(put(bad_path).await),
        "InvalidWebhookFilterPatternException"
    );
    let mut no_secret = hook("H").github_hmac("s");
    no_secret.authentication_configuration.secret_token = None;
    assert_eq!(
        error_type(put(no_secret).await),
        "InvalidWebhookAuthenticationParametersException"
    );
    assert_eq!(
        error_type(put(hook("H").ip_range("10.0.0.0/40")).await),
        "InvalidWebhookAuthenticationParametersException"
    );
    let mut unauthenticated_with_secret = hook("H");
    unauthenticated_with_secret
        .authentication_configuration
        .secret_token = Some("s".into());
    assert_eq!(
        error_type(put(unauthenticated_with_secret).await),
        "InvalidWebhookAuthenticationParametersException"
    );
    let mut unknown = hook("H");
    unknown.authentication = WebhookAuthenticationType::from("BASIC");
    assert_eq!(error_type(put(unknown).await), "ValidationException");
    let mut too_many = hook("H");
    too_many.filters = vec![too_many.filters[0].clone(); 6];
    assert_eq!(error_type(put(too_many).await), "ValidationException");
    assert_eq!(
        error_type(put(WebhookDefinition::new("H", "Q", "Fetch")).await),
        "PipelineNotFoundException"
    );
    assert_eq!(
        error_type(put(WebhookDefinition::new("H", "P", "Ship")).await),
        "ValidationException"
    );
    let reserved = PutWebhookInput::new(hook("H")).tag("aws:team", "web");
    assert_eq!(
        error_type(sim.put_webhook(reserved).await),
        "InvalidTagsException"
    );
    let mut crowded = PutWebhookInput::new(hook("H"));
    for i in 0..51 {
        crowded = crowded.tag(format!("k{i}"), "v");
    }
    assert_eq!(
        error_type(sim.put_webhook(crowded).await),
        "TooManyTagsException"
    );
    assert!(items(&sim).await.is_empty(), "refused puts change nothing");
}

#[tokio::test]
async fn an_account_holds_at_most_300_webhooks_in_a_region() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    for i in 0..300 {
        sim.put_webhook(PutWebhookInput::new(hook(&format!("h{i:03}"))))
            .await
            .unwrap();
    }
    assert_eq!(
        error_type(
            sim.put_webhook(PutWebhookInput::new(hook("one-more")))
                .await
        ),
        "LimitExceededException"
    );
    // Replacing one is no new webhook, and another region has its own quota.
    sim.put_webhook(PutWebhookInput::new(hook("h000")))
        .await
        .unwrap();
    let west = sim.with_scope("123456789012", "us-west-2");
    create(&west, two_stages("P")).await;
    west.put_webhook(PutWebhookInput::new(hook("one-more")))
        .await
        .unwrap();
}

#[tokio::test]
async fn list_webhooks_pages_by_name_and_refuses_a_made_up_token() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    for name in ["c", "a", "b"] {
        sim.put_webhook(PutWebhookInput::new(hook(name)))
            .await
            .unwrap();
    }
    let first = sim
        .list_webhooks(ListWebhooksInput {
            next_token: None,
            max_results: Some(2),
        })
        .await
        .unwrap();
    let names: Vec<&str> = first
        .webhooks
        .iter()
        .map(|w| w.definition.name.as_str())
        .collect();
    assert_eq!(names, ["a", "b"]);
    let rest = sim
        .list_webhooks(ListWebhooksInput {
            next_token: first.next_token,
            max_results: Some(2),
        })
        .await
        .unwrap();
    assert_eq!(rest.webhooks[0].definition.name, "c");
    assert_eq!(rest.next_token, None);
    let made_up = ListWebhooksInput {
        next_token: Some("page-2".into()),
        max_results: None,
    };
    assert_eq!(
        error_type(sim.list_webhooks(made_up).await),
        "InvalidNextTokenException"
    );
}

#[tokio::test]
async fn registering_with_the_third_party_marks_the_webhook_and_needs_one() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    sim.put_webhook(PutWebhookInput::new(hook("H")))
        .await
        .unwrap();
    assert!(!sim.webhook_registered_with_third_party("H").unwrap());
    sim.register_webhook_with_third_party("H").await.unwrap();
    assert!(sim.webhook_registered_with_third_party("H").unwrap());
    sim.deregister_webhook_with_third_party("H").await.unwrap();
    assert!(!sim.webhook_registered_with_third_party("H").unwrap());
    assert_eq!(
        error_type(sim.register_webhook_with_third_party("X").await),
        "WebhookNotFoundException"
    );
    assert_eq!(
        error_type(sim.deregister_webhook_with_third_party("X").await),
        "WebhookNotFoundException"
    );
}

#[tokio::test]
async fn a_delivery_matching_every_filter_starts_the_pipeline_with_the_webhook_as_trigger() {
    let sim = sim();
    // The filter's {S3Bucket} is the target action's configuration: "pipesim-source".
    create(&sim, two_stages("P")).await;
    sim.put_webhook(PutWebhookInput::new(hook("H")))
        .await
        .unwrap();
    sim.advance(std::time::Duration::from_secs(60)).await;
    let outcome = sim
        .deliver_webhook("H", push("pipesim-source"))
        .await
        .unwrap();
    assert!(outcome.started, "{outcome:?}");
    let id = outcome.pipeline_execution_id.unwrap();
    let exec = execution(&sim, "P", &id).await;
    assert_eq!(exec.trigger.trigger_type, "Webhook");
    assert_eq!(
        exec.trigger.trigger_detail,
        "arn:aws:codepipeline:us-east-1:123456789012:webhook:H"
    );
    assert_eq!(items(&sim).await[0].last_triggered, Some(sim.now()));
}

#[tokio::test]
async fn a_delivery_that_fails_a_filter_or_its_authentication_starts_nothing_and_says_why() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    sim.put_webhook(PutWebhookInput::new(hook("open")))
        .await
        .unwrap();
    sim.put_webhook(PutWebhookInput::new(hook("signed").github_hmac("s3cret")))
        .await
        .unwrap();
    sim.put_webhook(PutWebhookInput::new(hook("office").ip_range("10.1.0.0/16")))
        .await
        .unwrap();
    let branch = "pipesim-source";
    let cases = [
        ("open", push("feature")),
        ("open", WebhookDelivery::new("not json")),
        ("signed", push(branch)),
        ("signed", push(branch).signed("wrong")),
        ("office", push(branch)),
        ("office", push(branch).from_ip("10.2.0.1".parse().unwrap())),
    ];
    for (name, delivery) in cases {
        let outcome = sim.deliver_webhook(name, delivery.clone()).await.unwrap();
        assert!(!outcome.started, "{name}: {delivery:?}");
        assert!(outcome.reason.is_some());
    }
    assert!(
        sim.list_pipeline_executions("P")
            .await
            .unwrap()
            .pipeline_execution_summaries
            .is_empty()
    );
    assert!(items(&sim).await.iter().all(|w| w.last_triggered.is_none()));
    assert!(
        sim.deliver_webhook("signed", push(branch).signed("s3cret"))
            .await
            .unwrap()
            .started
    );
    let inside = push(branch).from_ip("10.1.7.7".parse().unwrap());
    assert!(sim.deliver_webhook("office", inside).await.unwrap().started);
    assert_eq!(
        error_type(sim.deliver_webhook("missing", push(branch)).await),
        "WebhookNotFoundException"
    );
}

#[tokio::test]
async fn tags_of_a_webhook_are_read_and_changed_by_its_arn() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    sim.put_webhook(PutWebhookInput::new(hook("H")).tag("team", "web"))
        .await
        .unwrap();
    let arn = "arn:aws:codepipeline:us-east-1:123456789012:webhook:H";
    let tag = TagResourceInput {
        resource_arn: arn.into(),
        tags: vec![Tag::new("env", "prod")],
    };
    sim.tag_resource(tag).await.unwrap();
    let untag = UntagResourceInput {
        resource_arn: arn.into(),
        tag_keys: vec!["team".into()],
    };
    sim.untag_resource(untag).await.unwrap();
    let tags = sim.list_tags_for_resource(arn).await.unwrap().tags;
    assert_eq!(tags, [Tag::new("env", "prod")]);
    assert_eq!(items(&sim).await[0].tags, Some(tags));
    let missing = "arn:aws:codepipeline:us-east-1:123456789012:webhook:X";
    assert_eq!(
        error_type(sim.list_tags_for_resource(missing).await),
        "ResourceNotFoundException"
    );
}

#[tokio::test]
async fn reset_clears_every_webhook() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    sim.put_webhook(PutWebhookInput::new(hook("H")))
        .await
        .unwrap();
    sim.reset();
    assert!(items(&sim).await.is_empty());
}

// Restarts

fn state_file() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pipesim.state");
    (dir, path)
}

/// Everything a client sees of webhooks, revisions and the executions they started.
async fn observe(sim: &Simulator) -> String {
    let hooks = items(sim).await;
    let executions = sim.list_pipeline_executions("P").await.unwrap();
    let state = sim.get_pipeline_state("P").await.unwrap();
    let registered = sim.webhook_registered_with_third_party("H");
    let again = sim.put_action_revision(revision("v-1", "again")).await;
    format!("{hooks:?}\n{executions:?}\n{state:?}\n{registered:?}\n{again:?}")
}

async fn make_history(sim: &Simulator) {
    create(sim, two_stages("P")).await;
    sim.put_action_revision(revision("v-1", "a")).await.unwrap();
    sim.put_webhook(PutWebhookInput::new(hook("H").github_hmac("s3cret")).tag("k", "v"))
        .await
        .unwrap();
    sim.put_webhook(PutWebhookInput::new(hook("Gone")))
        .await
        .unwrap();
    sim.delete_webhook("Gone").await.unwrap();
    sim.register_webhook_with_third_party("H").await.unwrap();
    sim.advance(ACTION).await;
    let signed = push("pipesim-source").signed("s3cret");
    assert!(sim.deliver_webhook("H", signed).await.unwrap().started);
    sim.advance(ACTION / 2).await;
}

#[tokio::test]
async fn webhooks_revisions_and_deliveries_survive_restarts_from_the_journal_and_the_snapshot() {
    let (_dir, path) = state_file();
    let sim = builder()
        .start_on_create(false)
        .open(&path, Fsync::Always)
        .unwrap();
    let twin = builder().start_on_create(false).build();
    make_history(&sim).await;
    make_history(&twin).await;
    drop(sim);

    // Reopening replays the journal, then compacts it into a snapshot.
    let reopened = builder()
        .start_on_create(false)
        .open(&path, Fsync::Always)
        .unwrap();
    assert_eq!(observe(&reopened).await, observe(&twin).await);
    for sim in [&reopened, &twin] {
        let again = push("pipesim-source").signed("s3cret");
        assert!(sim.deliver_webhook("H", again).await.unwrap().started);
    }
    drop(reopened);
    // This one reads the snapshot, and the records after it.
    let again = builder()
        .start_on_create(false)
        .open(&path, Fsync::Always)
        .unwrap();
    assert_eq!(observe(&again).await, observe(&twin).await);
}
