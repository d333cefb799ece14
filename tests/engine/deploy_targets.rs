//! `ListDeployActionExecutionTargets`: the instances a run of the EC2 deploy action
//! deployed to, following the run as it runs and ends.

use std::collections::BTreeMap;

use crate::common::*;
use crate::helpers::*;
use pipesim::model::*;
use pipesim::{ActionResult, Simulator};

/// `two_stages` with its deploy action (`Ship`) made the EC2 deploy action.
fn ec2(name: &str) -> PipelineDeclaration {
    let mut pipeline = two_stages(name).v2(ExecutionMode::Queued);
    let ship = &mut pipeline.stages[1].actions[0];
    ship.action_type_id = ActionTypeId::aws(ActionCategory::Deploy, "EC2");
    ship.configuration = Some(BTreeMap::from([
        ("InstanceTagKey".into(), "Name".into()),
        ("InstanceTagValue".into(), "web".into()),
        ("InstanceType".into(), "EC2".into()),
        ("TargetDirectory".into(), "/srv/app".into()),
        ("PostScript".into(), "post.sh".into()),
    ]));
    pipeline
}

/// The id of the newest run of `action`.
async fn run_of(sim: &Simulator, pipeline: &str, action: &str) -> ActionExecutionDetail {
    sim.list_action_executions(ListActionExecutionsInput::new(pipeline))
        .await
        .unwrap()
        .action_execution_details
        .into_iter()
        .find(|run| run.action_name == action)
        .unwrap()
}

async fn targets(
    sim: &Simulator,
    input: ListDeployActionExecutionTargetsInput,
) -> Vec<DeployActionExecutionTarget> {
    sim.list_deploy_action_execution_targets(input)
        .await
        .unwrap()
        .targets
}

#[tokio::test]
async fn ec2_deploy_targets_are_instances_that_follow_their_run_as_it_runs_and_succeeds() {
    let sim = sim();
    create(&sim, ec2("P")).await;
    start(&sim, "P").await;
    sim.advance(ACTION).await;
    let run = run_of(&sim, "P", "Ship").await;
    assert_eq!(run.status, ActionExecutionStatus::InProgress);
    let input = ListDeployActionExecutionTargetsInput::new("P", &run.action_execution_id);
    let running = targets(&sim, input.clone()).await;
    assert!((2..=4).contains(&running.len()), "{}", running.len());
    for target in &running {
        assert!(target.target_id.starts_with("i-"));
        assert_eq!(target.target_id.len(), 19);
        assert!(target.target_id[2..].bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(target.target_type, "AWS::EC2::Instance");
        assert_eq!(target.status, "InProgress");
        assert_eq!(target.start_time, run.start_time);
        assert_eq!(target.end_time, None);
        let events: Vec<_> = target
            .events
            .iter()
            .map(|e| (e.name.as_str(), e.status.as_str()))
            .collect();
        assert_eq!(
            events,
            [
                ("BeforeDeploy", "InProgress"),
                ("Deploy", "Pending"),
                ("AfterDeploy", "Pending")
            ]
        );
    }

    sim.advance(ACTION).await;
    let run = run_of(&sim, "P", "Ship").await;
    assert_eq!(run.status, ActionExecutionStatus::Succeeded);
    let done = targets(&sim, input).await;
    assert_eq!(done.len(), running.len());
    for (target, before) in done.iter().zip(&running) {
        // The same instances: derived from the run, not drawn again.
        assert_eq!(target.target_id, before.target_id);
        assert_eq!(target.status, "Succeeded");
        assert_eq!(target.end_time, Some(run.last_update_time));
        let mut at = run.start_time;
        for event in &target.events {
            assert_eq!(event.status, "Succeeded");
            assert_eq!(event.start_time, Some(at));
            let end = event.end_time.unwrap();
            assert!(at <= end && end <= run.last_update_time);
            at = end;
            let context = event.context.as_ref().unwrap();
            assert!(context.ssm_command_id.is_some());
            assert_eq!(context.message, None);
        }
        assert_eq!(at, run.last_update_time);
    }
}

#[tokio::test]
async fn a_failed_ec2_run_shows_one_failed_instance_and_the_status_filter_keeps_it() {
    let sim = sim();
    create(&sim, ec2("P")).await;
    let id = start(&sim, "P").await;
    sim.advance(ACTION).await;
    sim.finish_action("P", &id, "Deploy", "Ship", ActionResult::Failed)
        .await
        .unwrap();
    let run = run_of(&sim, "P", "Ship").await;
    assert_eq!(run.status, ActionExecutionStatus::Failed);
    let input = ListDeployActionExecutionTargetsInput::new("P", &run.action_execution_id);
    let all = targets(&sim, input.clone()).await;
    let statuses: Vec<_> = all.iter().map(|t| t.status.as_str()).collect();
    assert_eq!(statuses[0], "Failed");
    assert!(statuses[1..].iter().all(|s| *s == "Succeeded"));
    let failed = &all[0].events[2];
    assert_eq!(
        (failed.name.as_str(), failed.status.as_str()),
        ("AfterDeploy", "Failed")
    );
    assert_eq!(
        failed.context.as_ref().unwrap().message.as_deref(),
        Some("The script exited with a non-zero status")
    );

    let only_failed = targets(&sim, input.clone().with_status(&["Failed"])).await;
    assert_eq!(only_failed, all[..1]);
    let only_succeeded = targets(&sim, input.clone().with_status(&["Succeeded"])).await;
    assert_eq!(only_succeeded, all[1..]);
    let both = targets(&sim, input.clone().with_status(&["Failed", "Succeeded"])).await;
    assert_eq!(both, all);
    assert!(
        targets(&sim, input.with_status(&["InProgress"]))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn targets_page_with_max_results_and_refuse_tokens_pipesim_did_not_issue() {
    let sim = sim();
    create(&sim, ec2("P")).await;
    start(&sim, "P").await;
    sim.advance(ACTION * 2).await;
    let run = run_of(&sim, "P", "Ship").await;
    let input = ListDeployActionExecutionTargetsInput::new("P", &run.action_execution_id);
    let all = targets(&sim, input.clone()).await;
    let mut paged = Vec::new();
    let mut page = input.clone();
    page.max_results = Some(1);
    loop {
        let answer = sim
            .list_deploy_action_execution_targets(page.clone())
            .await
            .unwrap();
        assert_eq!(answer.targets.len(), 1);
        paged.extend(answer.targets);
        match answer.next_token {
            Some(token) => page.next_token = Some(token),
            None => break,
        }
    }
    assert_eq!(paged, all);

    let mut bad = input.clone();
    bad.next_token = Some("made-up".into());
    assert_eq!(
        error_type(sim.list_deploy_action_execution_targets(bad).await),
        "InvalidNextTokenException"
    );
    // A token of another list is refused too.
    let mut runs = ListActionExecutionsInput::new("P");
    runs.max_results = Some(1);
    let other = sim.list_action_executions(runs).await.unwrap().next_token;
    let mut foreign = input;
    foreign.next_token = other;
    assert_eq!(
        error_type(sim.list_deploy_action_execution_targets(foreign).await),
        "InvalidNextTokenException"
    );
}

#[tokio::test]
async fn runs_of_other_actions_have_no_targets_and_without_a_pipeline_name_every_pipeline_is_searched()
 {
    let sim = sim();
    create(&sim, two_stages("Other")).await;
    create(&sim, ec2("P")).await;
    start(&sim, "P").await;
    sim.advance(ACTION * 2).await;
    let fetch = run_of(&sim, "P", "Fetch").await;
    let input = ListDeployActionExecutionTargetsInput::new("P", &fetch.action_execution_id);
    assert!(targets(&sim, input).await.is_empty());

    let ship = run_of(&sim, "P", "Ship").await;
    let named = ListDeployActionExecutionTargetsInput::new("P", &ship.action_execution_id);
    let mut unnamed = named.clone();
    unnamed.pipeline_name = None;
    assert_eq!(targets(&sim, unnamed).await, targets(&sim, named).await);
}

#[tokio::test]
async fn unknown_runs_missing_pipelines_and_bad_filters_are_refused() {
    let sim = sim();
    create(&sim, two_stages("Other")).await;
    create(&sim, ec2("P")).await;
    start(&sim, "P").await;
    sim.advance(ACTION * 2).await;
    let ship = run_of(&sim, "P", "Ship").await;

    let missing = "00000000-0000-4000-8000-000000000000";
    let err = sim
        .list_deploy_action_execution_targets(ListDeployActionExecutionTargetsInput::new(
            "P", missing,
        ))
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "ActionExecutionNotFoundException");
    assert_eq!(
        err.message(),
        format!("Action execution with id '{missing}' does not exist in pipeline with name 'P'")
    );
    // A run of another pipeline is not one of this pipeline's.
    let elsewhere = ListDeployActionExecutionTargetsInput::new("Other", &ship.action_execution_id);
    assert_eq!(
        error_type(sim.list_deploy_action_execution_targets(elsewhere).await),
        "ActionExecutionNotFoundException"
    );
    let mut unnamed = ListDeployActionExecutionTargetsInput::new("P", "not-a-run");
    unnamed.pipeline_name = None;
    let err = sim
        .list_deploy_action_execution_targets(unnamed)
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "ActionExecutionNotFoundException");
    assert_eq!(
        err.message(),
        "Action execution with id 'not-a-run' does not exist"
    );

    let err = sim
        .list_deploy_action_execution_targets(ListDeployActionExecutionTargetsInput::new(
            "Nope",
            &ship.action_execution_id,
        ))
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "PipelineNotFoundException");
    assert_eq!(
        err.message(),
        "The account with AWS account ID '123456789012' does not include a pipeline named 'Nope'"
    );

    let mut bad = ListDeployActionExecutionTargetsInput::new("P", &ship.action_execution_id);
    bad.filters = Some(vec![TargetFilter {
        name: Some("STATUS".into()),
        values: Some(vec![String::new()]),
    }]);
    bad.max_results = Some(0);
    let err = sim
        .list_deploy_action_execution_targets(bad)
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "ValidationException");
    assert_eq!(
        err.message(),
        "3 validation errors detected: \
         Value at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1; \
         Value at 'filters.1.member.name' failed to satisfy constraint: Member must satisfy enum value set: [TARGET_STATUS]; \
         Value at 'filters.1.member.values.1.member' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
}
