//! Git triggers: a simulated push or pull request in a connection's repository starts
//! the pipelines whose triggers (or default change detection) take it, through the
//! admission rules of `StartPipelineExecution`.

use crate::common::*;
use crate::helpers::*;
use pipesim::model::*;
use pipesim::{GitEventOutcome, Simulator};

const REPO: &str = "acme/web";
const COMMIT: &str = "9fceb02d0ae598e95dc970b74767f19372d61af8";

fn connected(name: &str) -> PipelineDeclaration {
    PipelineDeclaration::connection_example(name, REPO, "main").v2(ExecutionMode::Queued)
}

fn on_code(
    push: Option<Vec<GitPushFilter>>,
    pull: Option<Vec<GitPullRequestFilter>>,
) -> GitConfiguration {
    GitConfiguration {
        source_action_name: "Code".into(),
        push,
        pull_request: pull,
    }
}

fn branches(criteria: FilterCriteria) -> GitPushFilter {
    GitPushFilter {
        branches: Some(criteria),
        ..GitPushFilter::default()
    }
}

async fn event(sim: &Simulator, event: GitEvent) -> GitEventOutcome {
    sim.git_event(event).await.expect("a valid event")
}

fn started(outcome: &GitEventOutcome) -> Vec<&str> {
    outcome
        .started
        .iter()
        .map(|s| s.pipeline_name.as_str())
        .collect()
}

async fn executions(sim: &Simulator, name: &str) -> usize {
    sim.list_pipeline_executions(name)
        .await
        .unwrap()
        .pipeline_execution_summaries
        .len()
}

#[tokio::test]
async fn a_push_to_the_action_branch_starts_a_pipeline_without_triggers_as_webhook_v2() {
    let sim = sim();
    create(&sim, connected("web")).await;
    let push = GitEvent::push(REPO, "main", COMMIT).message("Fix the login page");
    let outcome = event(&sim, push).await;
    assert_eq!(started(&outcome), ["web"]);
    assert_eq!(outcome.started[0].source_actions, ["Code"]);
    let id = &outcome.started[0].pipeline_execution_id;
    let exec = execution(&sim, "web", id).await;
    assert_eq!(exec.status, PipelineExecutionStatus::InProgress);
    assert_eq!(exec.trigger.trigger_type, "WebhookV2");
    assert_eq!(exec.trigger.trigger_detail, CONNECTION_EXAMPLE_ARN);
    let revision = &exec.artifact_revisions[0];
    assert_eq!(revision.revision_id, COMMIT);
    assert_eq!(
        revision.revision_summary.as_deref(),
        Some("Fix the login page")
    );

    let other = event(&sim, GitEvent::push(REPO, "dev", COMMIT)).await;
    assert!(other.started.is_empty());
    assert_eq!(other.not_started[0].pipeline_name, "web");
    assert_eq!(
        other.not_started[0].reason,
        "source action 'Code' watches branch 'main', not 'dev'"
    );
    assert_eq!(executions(&sim, "web").await, 1);
}

#[tokio::test]
async fn detect_changes_false_turns_default_detection_off() {
    let sim = sim();
    let mut pipeline = connected("web");
    pipeline.stages[0].actions[0] = pipeline.stages[0].actions[0]
        .clone()
        .config("DetectChanges", "false");
    create(&sim, pipeline).await;
    let outcome = event(&sim, GitEvent::push(REPO, "main", COMMIT)).await;
    assert!(outcome.started.is_empty());
    assert_eq!(
        outcome.not_started[0].reason,
        "source action 'Code' has DetectChanges set to false"
    );
    assert_eq!(executions(&sim, "web").await, 0);
}

#[tokio::test]
async fn branch_filters_start_on_included_branches_unless_excluded_and_replace_the_default_branch()
{
    let sim = sim();
    let filter = branches(FilterCriteria::including(["release/**"]).excluding(["release/old*"]));
    create(
        &sim,
        connected("web").trigger(on_code(Some(vec![filter]), None)),
    )
    .await;
    let pushed = |branch: &str| GitEvent::push(REPO, branch, COMMIT);
    assert_eq!(
        started(&event(&sim, pushed("release/2026/1")).await),
        ["web"]
    );
    assert!(
        event(&sim, pushed("release/old-7"))
            .await
            .started
            .is_empty()
    );
    // A trigger with filters replaces the default push to BranchName.
    let main = event(&sim, pushed("main")).await;
    assert_eq!(
        main.not_started[0].reason,
        "no push filter of the trigger of 'Code' matches"
    );
    // Tags are not branches.
    assert!(
        event(&sim, GitEvent::tag(REPO, "release/1", COMMIT))
            .await
            .started
            .is_empty()
    );
}

#[tokio::test]
async fn tag_filters_start_on_pushed_tags_only() {
    let sim = sim();
    let tags = GitPushFilter {
        tags: Some(FilterCriteria::including(["v*.*"]).excluding(["v0.*"])),
        ..GitPushFilter::default()
    };
    create(
        &sim,
        connected("web").trigger(on_code(Some(vec![tags]), None)),
    )
    .await;
    assert_eq!(
        started(&event(&sim, GitEvent::tag(REPO, "v1.2", COMMIT)).await),
        ["web"]
    );
    assert!(
        event(&sim, GitEvent::tag(REPO, "v0.9", COMMIT))
            .await
            .started
            .is_empty()
    );
    assert!(
        event(&sim, GitEvent::push(REPO, "v1.2", COMMIT))
            .await
            .started
            .is_empty()
    );
}

#[tokio::test]
async fn file_path_filters_need_a_changed_file_included_and_not_excluded() {
    let sim = sim();
    let filter = GitPushFilter {
        branches: Some(FilterCriteria::including(["main"])),
        file_paths: Some(FilterCriteria::including(["src/**"]).excluding(["**/*.md"])),
        ..GitPushFilter::default()
    };
    create(
        &sim,
        connected("web").trigger(on_code(Some(vec![filter]), None)),
    )
    .await;
    let push = |files: &[&str]| GitEvent::push(REPO, "main", COMMIT).files(files.iter().copied());
    assert_eq!(
        started(&event(&sim, push(&["docs/a.md", "src/app/main.rs"])).await),
        ["web"]
    );
    assert!(
        event(&sim, push(&["src/app/README.md"]))
            .await
            .started
            .is_empty()
    );
    assert!(
        event(&sim, push(&["docs/guide.txt"]))
            .await
            .started
            .is_empty()
    );
    assert!(event(&sim, push(&[])).await.started.is_empty());
}

#[tokio::test]
async fn pull_request_filters_match_their_events_and_the_destination_branch() {
    let sim = sim();
    let filter = GitPullRequestFilter {
        events: Some(vec![
            GitPullRequestEventType::Open,
            GitPullRequestEventType::Updated,
        ]),
        branches: Some(FilterCriteria::including(["main"])),
        file_paths: None,
    };
    create(
        &sim,
        connected("web").trigger(on_code(None, Some(vec![filter]))),
    )
    .await;
    let pull =
        |event, into: &str| GitEvent::pull_request(REPO, event, ("feature/login", into), COMMIT);
    let opened = event(&sim, pull(GitPullRequestEventType::Open, "main")).await;
    assert_eq!(started(&opened), ["web"]);
    let exec = execution(&sim, "web", &opened.started[0].pipeline_execution_id).await;
    assert_eq!(exec.artifact_revisions[0].revision_id, COMMIT);
    assert!(
        event(&sim, pull(GitPullRequestEventType::Closed, "main"))
            .await
            .started
            .is_empty()
    );
    assert!(
        event(&sim, pull(GitPullRequestEventType::Open, "dev"))
            .await
            .started
            .is_empty()
    );
    // A trigger with only pull request filters takes no push.
    let push = event(&sim, GitEvent::push(REPO, "main", COMMIT)).await;
    assert_eq!(
        push.not_started[0].reason,
        "the trigger of 'Code' has no push filter"
    );
}

#[tokio::test]
async fn an_event_reaches_every_pipeline_on_its_repository_and_no_other() {
    let sim = sim();
    create(&sim, connected("b-web")).await;
    create(&sim, connected("a-web")).await;
    create(
        &sim,
        PipelineDeclaration::connection_example("api", "acme/api", "main"),
    )
    .await;
    create(&sim, two_stages("s3")).await;
    let outcome = event(&sim, GitEvent::push(REPO, "main", COMMIT)).await;
    assert_eq!(started(&outcome), ["a-web", "b-web"]);
    assert!(outcome.not_started.is_empty());
    assert_eq!(executions(&sim, "api").await, 0);
    assert_eq!(executions(&sim, "s3").await, 0);
}

#[tokio::test]
async fn a_git_start_goes_through_the_concurrency_limit_of_start_pipeline_execution() {
    let sim = builder()
        .start_on_create(false)
        .max_concurrent_executions(1)
        .build();
    let mut pipeline = connected("web");
    pipeline.execution_mode = Some(ExecutionMode::Parallel);
    create(&sim, pipeline).await;
    start(&sim, "web").await;
    let outcome = event(&sim, GitEvent::push(REPO, "main", COMMIT)).await;
    assert!(outcome.started.is_empty());
    assert!(
        outcome.not_started[0]
            .reason
            .starts_with("ConcurrentPipelineExecutionsLimitExceededException: "),
        "{:?}",
        outcome.not_started
    );
    assert_eq!(executions(&sim, "web").await, 1);
}

#[tokio::test]
async fn an_invalid_event_is_refused_and_changes_nothing() {
    let sim = sim();
    create(&sim, connected("web")).await;
    let err = sim
        .git_event(GitEvent::push(REPO, "main", ""))
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "ValidationException");
    assert_eq!(
        err.message(),
        "1 validation error detected: Value at 'commitId' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    assert_eq!(executions(&sim, "web").await, 0);
}

#[tokio::test]
async fn triggers_round_trip_unchanged_through_create_get_and_update() {
    let sim = sim();
    let filter = branches(FilterCriteria::including(["main", "release/**"]));
    let pull = GitPullRequestFilter {
        events: Some(vec![GitPullRequestEventType::Closed]),
        branches: Some(FilterCriteria::including(["main"])),
        file_paths: Some(FilterCriteria::including(["src/**"]).excluding(["**/*.md"])),
    };
    let pipeline = connected("web").trigger(on_code(Some(vec![filter]), Some(vec![pull])));
    let created = sim
        .create_pipeline(pipeline.clone())
        .await
        .unwrap()
        .pipeline;
    assert_eq!(created.triggers, pipeline.triggers);
    let got = sim.get_pipeline("web").await.unwrap().pipeline;
    assert_eq!(got.triggers, pipeline.triggers);
    let mut update = got.clone();
    update.triggers = None;
    let updated = sim.update_pipeline(update).await.unwrap().pipeline;
    assert_eq!(updated.triggers, None);
}
