//! StartPipelineExecution, rule by rule (spec section 2).

use std::time::Duration;

use crate::common::*;
use crate::helpers::*;
use pipesim::model::*;
use pipesim::{PipelineSettings, Simulator};

#[tokio::test]
async fn start_returns_a_lowercase_v4_uuid() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    let uuid = uuid::Uuid::parse_str(&id).unwrap();
    assert_eq!(uuid.get_version_num(), 4);
    assert_eq!(id, id.to_lowercase());
    assert_eq!(
        status(&sim, "P", &id).await,
        PipelineExecutionStatus::InProgress
    );
}

#[tokio::test]
async fn a_missing_pipeline_is_worded_per_operation_as_recorded() {
    let sim = sim();
    let err = sim.start_pipeline_execution("Nope").await.unwrap_err();
    assert_eq!(err.error_type(), "PipelineNotFoundException");
    assert_eq!(
        err.message(),
        "Pipeline with name Nope does not exist in account 123456789012."
    );
    let err = sim.get_pipeline("Nope").await.unwrap_err();
    assert_eq!(err.error_type(), "PipelineNotFoundException");
    assert_eq!(
        err.message(),
        "Account '123456789012' does not have a pipeline with name 'Nope'"
    );
}

#[tokio::test]
async fn malformed_name_is_a_validation_error_not_a_missing_pipeline() {
    let sim = sim();
    let err = sim.start_pipeline_execution("has space").await.unwrap_err();
    assert_eq!(err.error_type(), "ValidationException");
    assert_eq!(
        err.message(),
        r"1 validation error detected: Value at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9.@\-_]+"
    );
}

#[tokio::test]
async fn invalid_start_changes_nothing() {
    let sim = sim();
    create(
        &sim,
        two_stages("P")
            .v2(ExecutionMode::Parallel)
            .variable("env", Some("dev")),
    )
    .await;
    let bad = StartPipelineExecutionInput::new("P")
        .client_request_token("t1")
        .variable("env", "");
    assert_eq!(
        error_type(sim.start_pipeline_execution(bad).await),
        "ValidationException"
    );
    let stats = sim.pipeline_stats("P").unwrap();
    assert_eq!((stats.retained_executions, stats.remembered_tokens), (0, 0));
    // The token was not consumed: a valid start with it now succeeds.
    let good = StartPipelineExecutionInput::new("P").client_request_token("t1");
    assert!(sim.start_pipeline_execution(good).await.is_ok());
}

#[tokio::test]
async fn same_token_and_parameters_replay_the_first_execution() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let input = StartPipelineExecutionInput::new("P").client_request_token("abc-123");
    let first = sim.start_pipeline_execution(input.clone()).await.unwrap();
    let again = sim.start_pipeline_execution(input).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(sim.pipeline_stats("P").unwrap().retained_executions, 1);
}

#[tokio::test]
async fn same_token_with_other_parameters_returns_the_original_execution() {
    let sim = sim();
    create(
        &sim,
        two_stages("P")
            .v2(ExecutionMode::Queued)
            .variable("env", Some("dev")),
    )
    .await;
    let first = StartPipelineExecutionInput::new("P")
        .client_request_token("tok")
        .variable("env", "prod");
    let first = sim.start_pipeline_execution(first).await.unwrap();
    let changed = StartPipelineExecutionInput::new("P")
        .client_request_token("tok")
        .variable("env", "test");
    assert_eq!(sim.start_pipeline_execution(changed).await.unwrap(), first);
    let answered = execution(&sim, "P", first.pipeline_execution_id.as_str()).await;
    assert_eq!(answered.variables[0].resolved_value, "prod");
    assert_eq!(sim.pipeline_stats("P").unwrap().retained_executions, 1);
}

#[tokio::test]
async fn replay_compares_variables_as_a_set() {
    let sim = sim();
    create(
        &sim,
        two_stages("P")
            .v2(ExecutionMode::Queued)
            .variable("a", Some("1"))
            .variable("b", Some("2")),
    )
    .await;
    let one = StartPipelineExecutionInput::new("P")
        .client_request_token("t")
        .variable("a", "x")
        .variable("b", "y");
    let other = StartPipelineExecutionInput::new("P")
        .client_request_token("t")
        .variable("b", "y")
        .variable("a", "x");
    let first = sim.start_pipeline_execution(one).await.unwrap();
    assert_eq!(sim.start_pipeline_execution(other).await.unwrap(), first);
}

#[tokio::test]
async fn replay_succeeds_even_when_the_limit_is_now_reached_or_the_execution_finished() {
    let sim = sim();
    create(&sim, two_stages("P").v2(ExecutionMode::Parallel)).await;
    sim.configure_pipeline("P", PipelineSettings::new().max_concurrent_executions(1))
        .unwrap();
    let input = StartPipelineExecutionInput::new("P").client_request_token("once");
    let first = sim.start_pipeline_execution(input.clone()).await.unwrap();
    assert_eq!(
        error_type(sim.start_pipeline_execution("P").await),
        "ConcurrentPipelineExecutionsLimitExceededException"
    );
    assert_eq!(
        sim.start_pipeline_execution(input.clone()).await.unwrap(),
        first
    );
    sim.advance(Duration::from_secs(60)).await;
    assert_eq!(
        status(&sim, "P", &first.pipeline_execution_id).await,
        PipelineExecutionStatus::Succeeded
    );
    assert_eq!(sim.start_pipeline_execution(input).await.unwrap(), first);
}

#[tokio::test]
async fn tokens_are_forgotten_after_the_window() {
    let sim = Simulator::builder()
        .seed(SEED)
        .virtual_time()
        .token_window(Duration::from_secs(3600))
        .build();
    create(&sim, two_stages("P")).await;
    let input = StartPipelineExecutionInput::new("P").client_request_token("t");
    let first = sim.start_pipeline_execution(input.clone()).await.unwrap();
    sim.advance(Duration::from_secs(3599)).await;
    assert_eq!(
        sim.start_pipeline_execution(input.clone()).await.unwrap(),
        first
    );
    sim.advance(Duration::from_secs(1)).await;
    let later = sim.start_pipeline_execution(input).await.unwrap();
    assert_ne!(later, first);
    assert_eq!(sim.pipeline_stats("P").unwrap().remembered_tokens, 1);
}

#[tokio::test]
async fn a_pipeline_remembers_no_more_tokens_than_its_history_limit() {
    let sim = Simulator::builder()
        .seed(SEED)
        .virtual_time()
        .history_limit(3)
        .build();
    create(&sim, two_stages("P")).await;
    let start = |token: &str| {
        sim.start_pipeline_execution(
            StartPipelineExecutionInput::new("P").client_request_token(token),
        )
    };
    let first = start("t0").await.unwrap();
    for n in 1..5 {
        start(&format!("t{n}")).await.unwrap();
    }
    assert_eq!(sim.pipeline_stats("P").unwrap().remembered_tokens, 3);
    // The oldest tokens were forgotten: t0 starts a new execution, t4 still replays.
    assert_ne!(start("t0").await.unwrap(), first);
    let t4 = start("t4").await.unwrap();
    assert_eq!(start("t4").await.unwrap(), t4);
}

#[tokio::test]
async fn tokens_are_scoped_to_the_pipeline() {
    let sim = sim();
    create(&sim, two_stages("A")).await;
    create(&sim, two_stages("B")).await;
    let a = sim
        .start_pipeline_execution(StartPipelineExecutionInput::new("A").client_request_token("t"))
        .await
        .unwrap();
    let b = sim
        .start_pipeline_execution(StartPipelineExecutionInput::new("B").client_request_token("t"))
        .await
        .unwrap();
    assert_ne!(a, b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_duplicates_start_exactly_one_execution() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let sim = sim.clone();
            tokio::spawn(async move {
                sim.start_pipeline_execution(
                    StartPipelineExecutionInput::new("P").client_request_token("same"),
                )
                .await
            })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap().unwrap().pipeline_execution_id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1);
    assert_eq!(sim.pipeline_stats("P").unwrap().retained_executions, 1);
}

#[tokio::test]
async fn variables_resolve_against_declarations_and_defaults() {
    let sim = sim();
    create(
        &sim,
        two_stages("P")
            .v2(ExecutionMode::Queued)
            .variable("env", Some("dev"))
            .variable("region", Some("eu")),
    )
    .await;
    let input = StartPipelineExecutionInput::new("P").variable("env", "prod");
    let id = start_with(&sim, input).await;
    let exe = execution(&sim, "P", id.as_str()).await;
    let resolved: Vec<(&str, &str)> = exe
        .variables
        .iter()
        .map(|v| (v.name.as_str(), v.resolved_value.as_str()))
        .collect();
    assert_eq!(resolved, [("env", "prod"), ("region", "eu")]);
}

#[tokio::test]
async fn undeclared_differently_cased_and_empty_variables_are_accepted_and_ignored() {
    let sim = sim();
    create(
        &sim,
        two_stages("P")
            .v2(ExecutionMode::Queued)
            .variable("env", Some("dev")),
    )
    .await;
    let given = StartPipelineExecutionInput::new("P")
        .variable("ENV", "x")
        .variable("other", "y");
    let mut empty = StartPipelineExecutionInput::new("P");
    empty.variables = Some(Vec::new());
    for input in [given, empty] {
        let id = start_with(&sim, input).await;
        let answered = execution(&sim, "P", id.as_str()).await;
        let resolved: Vec<_> = answered
            .variables
            .iter()
            .map(|v| (v.name.as_str(), v.resolved_value.as_str()))
            .collect();
        assert_eq!(resolved, [("env", "dev")]);
    }
}

#[tokio::test]
async fn a_missing_required_variable_fails_the_execution_not_the_start() {
    let sim = sim();
    create(
        &sim,
        two_stages("P")
            .v2(ExecutionMode::Queued)
            .variable("env", None)
            .variable("region", None)
            .variable("tier", Some("web")),
    )
    .await;
    let input = StartPipelineExecutionInput::new("P").variable("region", "eu");
    let id = start_with(&sim, input).await;
    let answered = execution(&sim, "P", id.as_str()).await;
    assert_eq!(answered.status, PipelineExecutionStatus::Failed);
    assert_eq!(
        answered.status_summary.as_deref(),
        Some("Values for required variables haven't been provided: env")
    );
    let state = sim.get_pipeline_state("P").await.unwrap();
    assert!(
        state.stage_states[0].latest_execution.is_none(),
        "the failed execution never entered a stage"
    );
    // The next start is not held up by it.
    let next = start(&sim, "P").await;
    assert_eq!(
        status(&sim, "P", &next).await,
        PipelineExecutionStatus::Failed
    );
}

#[tokio::test]
async fn duplicated_variable_names_are_refused_and_start_nothing() {
    let sim = sim();
    create(
        &sim,
        two_stages("P")
            .v2(ExecutionMode::Queued)
            .variable("env", Some("dev")),
    )
    .await;
    let duplicated = StartPipelineExecutionInput::new("P")
        .variable("env", "x")
        .variable("env", "y");
    let err = sim.start_pipeline_execution(duplicated).await.unwrap_err();
    assert_eq!(err.error_type(), "ValidationException");
    assert_eq!(
        err.message(),
        "Variable names must be unique. The following variable name is already in use: env"
    );
    assert_eq!(sim.pipeline_stats("P").unwrap().retained_executions, 0);
}

#[tokio::test]
async fn variables_given_to_a_v1_pipeline_are_ignored() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let input = StartPipelineExecutionInput::new("P").variable("env", "x");
    let id = start_with(&sim, input).await;
    let answered = execution(&sim, "P", id.as_str()).await;
    assert!(answered.variables.is_empty());
    assert_eq!(answered.status, PipelineExecutionStatus::InProgress);
}

#[tokio::test]
async fn source_revisions_are_recorded_on_the_execution() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let input = StartPipelineExecutionInput::new("P").source_revision(
        "Fetch",
        SourceRevisionType::S3ObjectVersionId,
        "v42",
    );
    let id = start_with(&sim, input).await;
    let exe = execution(&sim, "P", id.as_str()).await;
    assert_eq!(exe.artifact_revisions.len(), 1);
    assert_eq!(
        (
            exe.artifact_revisions[0].name.as_str(),
            exe.artifact_revisions[0].revision_id.as_str()
        ),
        ("Src", "v42")
    );
    let list = sim.list_pipeline_executions("P").await.unwrap();
    let summary = &list.pipeline_execution_summaries[0];
    assert_eq!(summary.source_revisions[0].action_name, "Fetch");
    assert_eq!(
        summary.source_revisions[0].revision_id.as_deref(),
        Some("v42")
    );
}

#[tokio::test]
async fn source_revisions_must_name_a_source_action() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let input = StartPipelineExecutionInput::new("P").source_revision(
        "Ship",
        SourceRevisionType::CommitId,
        "abc",
    );
    let err = sim.start_pipeline_execution(input).await.unwrap_err();
    assert_eq!(err.error_type(), "ValidationException");
    assert!(
        err.message().contains("not a source action"),
        "{}",
        err.message()
    );
}

#[tokio::test]
async fn an_s3_source_may_take_both_an_object_key_and_a_version_id() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let input = StartPipelineExecutionInput::new("P")
        .source_revision("Fetch", SourceRevisionType::S3ObjectKey, "app.zip")
        .source_revision(
            "Fetch",
            SourceRevisionType::S3ObjectVersionId,
            "3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
        );
    sim.start_pipeline_execution(input).await.unwrap();
    let twice = StartPipelineExecutionInput::new("P")
        .source_revision("Fetch", SourceRevisionType::S3ObjectKey, "a.zip")
        .source_revision("Fetch", SourceRevisionType::S3ObjectKey, "b.zip");
    let err = sim.start_pipeline_execution(twice).await.unwrap_err();
    assert_eq!(err.error_type(), "ValidationException");
}

#[tokio::test]
async fn queued_and_parallel_admit_fifty_active_executions_by_default() {
    for mode in [ExecutionMode::Queued, ExecutionMode::Parallel] {
        let sim = sim();
        create(&sim, two_stages("P").v2(mode.clone())).await;
        for _ in 0..50 {
            start(&sim, "P").await;
        }
        let err = sim.start_pipeline_execution("P").await.unwrap_err();
        assert_eq!(
            err.error_type(),
            "ConcurrentPipelineExecutionsLimitExceededException",
            "{mode}"
        );
        assert_eq!(sim.pipeline_stats("P").unwrap().retained_executions, 50);
    }
}

#[tokio::test]
async fn superseded_mode_has_no_concurrency_limit() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    for _ in 0..60 {
        start(&sim, "P").await;
    }
}

#[tokio::test]
async fn the_limit_is_configurable_per_pipeline_and_frees_up_as_executions_end() {
    let sim = sim();
    create(&sim, two_stages("P").v2(ExecutionMode::Parallel)).await;
    sim.configure_pipeline("P", PipelineSettings::new().max_concurrent_executions(2))
        .unwrap();
    start(&sim, "P").await;
    start(&sim, "P").await;
    assert_eq!(
        error_type(sim.start_pipeline_execution("P").await),
        "ConcurrentPipelineExecutionsLimitExceededException"
    );
    sim.advance(ACTION * 2).await;
    start(&sim, "P").await;
}

#[tokio::test]
async fn start_while_the_pipeline_is_being_updated_is_a_conflict() {
    let sim = Simulator::builder()
        .seed(SEED)
        .virtual_time()
        .update_conflict_window(Duration::from_secs(5))
        .build();
    create(&sim, two_stages("P")).await;
    sim.update_pipeline(two_stages("P")).await.unwrap();
    let err = sim.start_pipeline_execution("P").await.unwrap_err();
    assert_eq!(err.error_type(), "ConflictException");
    assert_eq!(
        err.message(),
        "Pipeline 'P' is busy handling ongoing activities, try again later"
    );
    sim.advance(Duration::from_secs(5)).await;
    start(&sim, "P").await;
}

#[tokio::test]
async fn the_same_seed_gives_the_same_ids() {
    async fn run(seed: u64) -> Vec<String> {
        let sim = Simulator::builder()
            .seed(seed)
            .virtual_time()
            .action_duration(ACTION)
            .build();
        create(&sim, two_stages("P")).await;
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(start(&sim, "P").await);
            sim.advance(Duration::from_secs(3)).await;
        }
        ids
    }
    let first = run(SEED).await;
    assert_eq!(run(SEED).await, first);
    let distinct: std::collections::HashSet<_> = first.iter().collect();
    assert_eq!(distinct.len(), 3, "each start draws a new id: {first:?}");
    assert_ne!(run(SEED + 1).await, first, "another seed, other ids");
}
