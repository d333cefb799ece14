//! Fault rules, rate limits, finishing actions on demand, reset, the example scenario
//! files, and replay: the same seed, scenario and calls give the same answers.

use std::path::Path;
use std::time::Duration;

use crate::common::*;
use crate::helpers::*;
use pipesim::faults::{FaultRule, LimitPer, RateLimit};
use pipesim::model::*;
use pipesim::scenario::Scenario;
use pipesim::{ActionResult, Error, Simulator};

fn throttle_starts() -> FaultRule {
    FaultRule::error("ThrottlingException").operation("StartPipelineExecution")
}

/// What a start answered: the id, or the error type.
async fn try_start(sim: &Simulator, name: &str) -> Result<String, &'static str> {
    sim.start_pipeline_execution(name)
        .await
        .map(|out| out.pipeline_execution_id)
        .map_err(|err| err.error_type())
}

#[tokio::test]
async fn a_rule_hits_the_next_n_matching_calls_then_lets_calls_through() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let id = sim.add_fault(throttle_starts().times(2)).unwrap();
    assert_eq!(id, "fault-1");
    let err = sim.start_pipeline_execution("P").await.unwrap_err();
    assert_eq!(err, Error::Throttling("Rate exceeded".into()));
    assert_eq!(err.http_status(), 400);
    assert_eq!(try_start(&sim, "P").await, Err("ThrottlingException"));
    assert!(try_start(&sim, "P").await.is_ok());
    let status = &sim.faults()[0];
    assert_eq!((status.matched, status.fired), (3, 2));
    // Other operations were never matched.
    sim.get_pipeline_state("P").await.unwrap();
    assert_eq!(sim.faults()[0].matched, 3);
}

#[tokio::test]
async fn after_k_lets_the_first_matching_calls_through() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    sim.add_fault(throttle_starts().after(2)).unwrap();
    assert!(try_start(&sim, "P").await.is_ok());
    assert!(try_start(&sim, "P").await.is_ok());
    assert_eq!(try_start(&sim, "P").await, Err("ThrottlingException"));
}

#[tokio::test]
async fn faults_come_before_validation_and_change_nothing() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    sim.add_fault(FaultRule::error("ServiceUnavailable"))
        .unwrap();
    let err = sim.start_pipeline_execution("bad name").await.unwrap_err();
    assert_eq!(
        (err.error_type(), err.http_status()),
        ("ServiceUnavailable", 503)
    );
    let err = sim.create_pipeline(two_stages("Q")).await.unwrap_err();
    assert_eq!(err.error_type(), "ServiceUnavailable");
    sim.clear_faults();
    assert_eq!(sim.pipeline_stats("P").unwrap().retained_executions, 0);
    assert_eq!(try_start(&sim, "Q").await, Err("PipelineNotFoundException"));
}

#[tokio::test]
async fn pipeline_globs_and_scopes_narrow_what_a_rule_matches() {
    let sim = sim();
    for name in ["deploy-web", "deploy-api", "build"] {
        create(&sim, two_stages(name)).await;
    }
    sim.add_fault(throttle_starts().pipeline("deploy-*"))
        .unwrap();
    assert_eq!(
        try_start(&sim, "deploy-web").await,
        Err("ThrottlingException")
    );
    assert_eq!(
        try_start(&sim, "deploy-api").await,
        Err("ThrottlingException")
    );
    assert!(try_start(&sim, "build").await.is_ok());

    sim.clear_faults();
    sim.add_fault(throttle_starts().scope("111111111111", "eu-west-1"))
        .unwrap();
    assert!(try_start(&sim, "build").await.is_ok());
    let other = sim.with_scope("111111111111", "eu-west-1");
    create(&other, two_stages("build")).await;
    assert_eq!(try_start(&other, "build").await, Err("ThrottlingException"));
    // ListPipelines names no pipeline: only rules without one match it.
    sim.clear_faults();
    sim.add_fault(FaultRule::error("ThrottlingException").pipeline("build"))
        .unwrap();
    sim.list_pipelines(ListPipelinesInput::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_window_of_simulated_time_bounds_a_rule() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let mut rule = throttle_starts();
    rule.from_seconds = Some(60.0);
    rule.until_seconds = Some(120.0);
    sim.add_fault(rule).unwrap();
    assert!(try_start(&sim, "P").await.is_ok());
    sim.advance(Duration::from_secs(60)).await;
    assert_eq!(try_start(&sim, "P").await, Err("ThrottlingException"));
    sim.advance(Duration::from_secs(60)).await;
    assert!(try_start(&sim, "P").await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn latency_delays_the_answer_by_exactly_its_length() {
    let sim = Simulator::builder().seed(SEED).build();
    create(&sim, two_stages("P")).await;
    let mut rule = FaultRule::latency(Duration::from_millis(250));
    rule.operation = Some("GetPipelineState".into());
    sim.add_fault(rule).unwrap();
    let before = tokio::time::Instant::now();
    sim.get_pipeline_state("P").await.unwrap();
    assert_eq!(before.elapsed(), Duration::from_millis(250));
}

#[tokio::test]
async fn a_rule_may_answer_any_modeled_error_with_its_own_message_and_status() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let mut rule = FaultRule::error("ConflictException")
        .operation("StartPipelineExecution")
        .message("busy rehearsing");
    rule.status = Some(409);
    sim.add_fault(rule).unwrap();
    let err = sim.start_pipeline_execution("P").await.unwrap_err();
    assert_eq!(err.error_type(), "ConflictException");
    assert_eq!(err.message(), "busy rehearsing");
    assert_eq!(err.http_status(), 409);
}

#[tokio::test]
async fn bad_rules_and_limits_are_refused_with_the_reason() {
    let sim = sim();
    let err = sim
        .add_fault(FaultRule::error("PipelineNotFoundException").operation("ListPipelines"))
        .unwrap_err();
    assert!(err.0.contains("ListPipelines can answer"), "{}", err.0);
    let err = sim.add_rate_limit(RateLimit::new(0.0)).unwrap_err();
    assert_eq!(err.0, "ratePerSecond must be a positive number, not 0");
    let err = sim
        .add_rate_limit(RateLimit::new(5.0).burst(0.5))
        .unwrap_err();
    assert_eq!(err.0, "burst must be at least 1, not 0.5");
    assert!(sim.faults().is_empty() && sim.rate_limits().is_empty());
}

#[tokio::test]
async fn rules_and_limits_can_be_removed_one_by_one_or_all_at_once() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let a = sim.add_fault(throttle_starts()).unwrap();
    let b = sim.add_fault(FaultRule::error("InternalFailure")).unwrap();
    assert!(sim.remove_fault(&a));
    assert!(!sim.remove_fault(&a));
    assert_eq!(sim.faults()[0].id, b);
    sim.clear_faults();
    let limit = sim.add_rate_limit(RateLimit::new(1.0)).unwrap();
    assert_eq!(limit, "limit-1");
    assert!(sim.remove_rate_limit(&limit));
    assert!(try_start(&sim, "P").await.is_ok());
}

#[tokio::test]
async fn a_rate_limit_is_a_token_bucket_refilled_by_the_clock() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    sim.add_rate_limit(
        RateLimit::new(2.0)
            .operation("StartPipelineExecution")
            .burst(3.0),
    )
    .unwrap();
    for _ in 0..3 {
        assert!(try_start(&sim, "P").await.is_ok());
    }
    let err = sim.start_pipeline_execution("P").await.unwrap_err();
    assert_eq!(err, Error::Throttling("Rate exceeded".into()));
    // Half a second refills one call.
    sim.advance(Duration::from_millis(500)).await;
    assert!(try_start(&sim, "P").await.is_ok());
    assert_eq!(try_start(&sim, "P").await, Err("ThrottlingException"));
    // Other operations are not limited.
    sim.get_pipeline_state("P").await.unwrap();
    let status = &sim.rate_limits()[0];
    assert_eq!((status.allowed, status.throttled), (4, 2));
}

#[tokio::test]
async fn a_rate_limit_per_pipeline_keeps_one_bucket_each() {
    let sim = sim();
    create(&sim, two_stages("A")).await;
    create(&sim, two_stages("B")).await;
    sim.add_rate_limit(RateLimit::new(1.0).burst(1.0).per(LimitPer::Pipeline))
        .unwrap();
    assert!(try_start(&sim, "A").await.is_ok());
    assert!(try_start(&sim, "B").await.is_ok());
    assert_eq!(try_start(&sim, "A").await, Err("ThrottlingException"));
}

#[tokio::test]
async fn finish_action_ends_a_running_action_on_demand() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let id = start(&sim, "P").await;
    sim.finish_action("P", &id, "Source", "Fetch", ActionResult::Succeeded)
        .await
        .unwrap();
    sim.finish_action("P", &id, "Deploy", "Ship", ActionResult::Failed)
        .await
        .unwrap();
    assert_eq!(
        status(&sim, "P", &id).await,
        PipelineExecutionStatus::Failed
    );
    // The actions' own timers, firing later, change nothing.
    sim.advance(ACTION * 3).await;
    assert_eq!(
        status(&sim, "P", &id).await,
        PipelineExecutionStatus::Failed
    );

    let err = sim
        .finish_action("P", &id, "Deploy", "Ship", ActionResult::Succeeded)
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        format!("Action 'Ship' of stage 'Deploy' is not running in execution '{id}'")
    );
    let err = sim
        .finish_action("P", &id, "Nope", "Ship", ActionResult::Succeeded)
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "StageNotFoundException");
}

#[tokio::test]
async fn reset_clears_everything_and_a_fresh_start_draws_the_same_ids() {
    let sim = sim();
    create(&sim, two_stages("P")).await;
    let first = start(&sim, "P").await;
    sim.add_fault(FaultRule::error("InternalFailure").operation("GetPipelineState"))
        .unwrap();
    sim.add_rate_limit(RateLimit::new(100.0)).unwrap();
    sim.reset();
    assert!(sim.faults().is_empty() && sim.rate_limits().is_empty());
    assert_eq!(sim.pending_timers(), 0);
    assert_eq!(try_start(&sim, "P").await, Err("PipelineNotFoundException"));
    create(&sim, two_stages("P")).await;
    assert_eq!(start(&sim, "P").await, first);
    assert_eq!(sim.add_fault(throttle_starts()).unwrap(), "fault-1");
}

fn example(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/scenarios")
        .join(name);
    Scenario::from_path(&path).unwrap_or_else(|err| panic!("{err}"))
}

async fn simulator_for(scenario: &Scenario) -> Simulator {
    let sim = scenario.configure(Simulator::builder()).build();
    scenario.install(&sim).await.expect("the scenario installs");
    sim
}

#[tokio::test]
async fn example_throttled_fanout_admits_twenty_starts_then_two_a_second() {
    let scenario = example("throttled-fanout.toml");
    // The file runs in real time; here virtual time decides when the bucket refills.
    let sim = scenario
        .configure(Simulator::builder())
        .virtual_time()
        .build();
    scenario.install(&sim).await.unwrap();
    let mut answers = Vec::new();
    for i in 0..25 {
        let name = if i % 2 == 0 {
            "service-api"
        } else {
            "service-web"
        };
        answers.push(try_start(&sim, name).await.map(|_| "started"));
    }
    assert_eq!(answers.iter().filter(|a| a.is_ok()).count(), 20);
    assert!(
        answers[20..]
            .iter()
            .all(|a| *a == Err("ThrottlingException"))
    );
    sim.advance(Duration::from_secs(1)).await;
    assert!(try_start(&sim, "service-api").await.is_ok());
    assert!(try_start(&sim, "service-web").await.is_ok());
    assert_eq!(
        try_start(&sim, "service-web").await,
        Err("ThrottlingException")
    );
}

#[tokio::test(start_paused = true)]
async fn example_flaky_deploy_fails_some_deploys_and_some_polls() {
    let scenario = example("flaky-deploy.toml");
    let sim = simulator_for(&scenario).await;
    let mut ids = Vec::new();
    for _ in 0..30 {
        ids.push(start(&sim, "web").await);
        // Source 60 s, Deploy 120 s: each execution is through before the next.
        sim.advance(Duration::from_secs(180)).await;
    }
    let (mut failed, mut succeeded, mut polls_failed) = (0, 0, 0);
    for id in &ids {
        loop {
            match sim.get_pipeline_execution(("web", id.as_str())).await {
                Ok(out) => {
                    match out.pipeline_execution.status {
                        PipelineExecutionStatus::Failed => failed += 1,
                        PipelineExecutionStatus::Succeeded => succeeded += 1,
                        other => panic!("execution {id} is {other:?}"),
                    }
                    break;
                }
                Err(err) => {
                    assert_eq!(
                        (err.error_type(), err.http_status()),
                        ("InternalFailure", 500)
                    );
                    polls_failed += 1;
                }
            }
        }
    }
    assert_eq!(failed + succeeded, 30);
    assert!(failed > 0 && succeeded > failed, "{failed} failed of 30");
    assert!(polls_failed < 30, "{polls_failed} polls failed");
    let state = sim.get_pipeline_state("web").await.unwrap();
    assert_eq!(state.stage_states[1].stage_name, "Deploy");
}

#[tokio::test]
async fn example_concurrency_limit_admits_three_executions() {
    let scenario = example("concurrency-limit.json");
    let sim = simulator_for(&scenario).await;
    for _ in 0..3 {
        start(&sim, "release").await;
    }
    assert_eq!(
        try_start(&sim, "release").await,
        Err("ConcurrentPipelineExecutionsLimitExceededException")
    );
    sim.advance(Duration::from_secs(1200)).await;
    assert!(try_start(&sim, "release").await.is_ok());
}

#[tokio::test]
async fn example_failing_deploy_fails_twice_with_its_messages_then_succeeds() {
    let sim = simulator_for(&example("failing-deploy.toml")).await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        let id = start(&sim, "web").await;
        sim.advance(Duration::from_secs(120)).await;
        let execution = sim.get_pipeline_execution(("web", id.as_str())).await;
        let state = sim.get_pipeline_state("web").await.unwrap();
        let ship = state.stage_states[1].action_states[0]
            .latest_execution
            .clone();
        let error = ship.unwrap().error_details.map(|e| e.message);
        seen.push((execution.unwrap().pipeline_execution.status, error));
    }
    use PipelineExecutionStatus::*;
    let failed = |n: u32| {
        Some(format!(
            "Deployment d-{n} failed: health checks did not pass"
        ))
    };
    assert_eq!(
        seen,
        [(Failed, failed(1)), (Failed, failed(2)), (Succeeded, None)]
    );
}

#[tokio::test]
async fn a_bad_scenario_file_says_where_it_is_wrong() {
    let err = Scenario::from_toml("[[faults]]\nerorr = \"ThrottlingException\"").unwrap_err();
    assert!(err.0.contains("unknown field `erorr`"), "{}", err.0);
    let scenario =
        Scenario::from_toml("[[faults]]\noperation = \"Nope\"\nerror = \"InternalFailure\"")
            .unwrap();
    let sim = sim();
    let err = scenario.install(&sim).await.unwrap_err();
    assert!(
        err.0
            .starts_with("fault 1: operation 'Nope' is not one pipesim serves"),
        "{}",
        err.0
    );
    let scenario = Scenario::from_json(r#"{"defaults": {"actionFailureProbability": 2}}"#).unwrap();
    let err = scenario.install(&sim).await.unwrap_err();
    assert_eq!(
        err.0,
        "a failure probability must be between 0 and 1, not 2"
    );
}

/// One scripted session: starts, polls and approvals under probabilistic faults and
/// failing actions; answers a transcript of every result.
async fn session(seed: u64) -> Vec<String> {
    let scenario = Scenario::from_toml(
        r#"
        virtualTime = true
        [defaults]
        actionDurationMs = 10000
        actionFailureProbability = 0.3
        [[faults]]
        operation = "StartPipelineExecution"
        error = "ThrottlingException"
        probability = 0.3
        [[faults]]
        operation = "GetPipelineExecution"
        error = "InternalFailure"
        probability = 0.2
        "#,
    )
    .unwrap();
    let sim = scenario.configure(Simulator::builder().seed(seed)).build();
    scenario.install(&sim).await.unwrap();
    create(&sim, two_stages("P").v2(ExecutionMode::Parallel)).await;
    let mut transcript = Vec::new();
    let mut ids = Vec::new();
    for _ in 0..20 {
        match sim.start_pipeline_execution("P").await {
            Ok(out) => {
                transcript.push(out.pipeline_execution_id.clone());
                ids.push(out.pipeline_execution_id);
            }
            Err(err) => transcript.push(err.error_type().to_owned()),
        }
        sim.advance(Duration::from_secs(7)).await;
    }
    sim.advance(Duration::from_secs(60)).await;
    for id in &ids {
        match sim.get_pipeline_execution(("P", id.as_str())).await {
            Ok(out) => transcript.push(format!("{:?}", out.pipeline_execution.status)),
            Err(err) => transcript.push(err.error_type().to_owned()),
        }
    }
    transcript
}

#[tokio::test]
async fn the_same_seed_scenario_and_calls_replay_exactly() {
    let first = session(99).await;
    let again = session(99).await;
    assert_eq!(first, again);
    for kind in [
        "ThrottlingException",
        "InternalFailure",
        "Failed",
        "Succeeded",
    ] {
        assert!(
            first.iter().any(|t| t == kind),
            "{kind} never happened: {first:?}"
        );
    }
    assert_ne!(session(100).await, first, "another seed, another run");
}
