//! What `ListDeployActionExecutionTargets` answers: the instances one run of an EC2
//! deploy action deployed to, and each one's lifecycle events.
//!
//! Nothing here is stored: the instances and command ids are derived from the action
//! execution id (as `provider.rs` derives run ids), and their statuses and times from
//! the run as the action log keeps it, so a run's targets follow it as it runs and ends.

use crate::error::{Error, Result};
use crate::model::{
    ActionCategory, ActionExecutionStatus, ActionOwner, DeployActionExecutionTarget,
    DeployTargetEvent, DeployTargetEventContext, Timestamp,
};
use crate::sim::rng::Rng;

use super::PipelineEngine;
use super::action_log::ActionRun;
use super::paging::{self, PageKind};
use super::provider;

/// The lifecycle events of a deployment to one instance, in order: the EC2 action's
/// phases (its `PreScript` runs before the deploy phase, its `PostScript` after).
const EVENTS: [&str; 3] = ["BeforeDeploy", "Deploy", "AfterDeploy"];

/// What a failed event's context says.
const FAILED_MESSAGE: &str = "The script exited with a non-zero status";

impl PipelineEngine {
    /// The targets of action run `id` of this pipeline, or `None` when the pipeline's
    /// action log has no run of that id. A run of any action but the EC2 deploy action
    /// has none.
    pub(crate) fn deploy_targets(&self, id: &str) -> Option<Vec<DeployActionExecutionTarget>> {
        let id = id.parse::<uuid::Uuid>().ok()?;
        let run = self.action_log.newest_first().find(|run| run.id == id)?;
        let declaration = self.declaration_at(run.version);
        let action = &declaration.stages[usize::from(run.stage)].actions[usize::from(run.action)];
        let kind = &action.action_type_id;
        if kind.owner != ActionOwner::Aws
            || kind.category != ActionCategory::Deploy
            || kind.provider != "EC2"
        {
            return Some(Vec::new());
        }
        let managed = action
            .configuration
            .as_ref()
            .and_then(|c| c.get("InstanceType"))
            .is_some_and(|t| t == "SSM_MANAGED_NODE");
        Some(targets(run, managed))
    }
}

/// Two to four instances, all deployed to in one batch across the whole run; when the
/// run failed, the first instance is the one that failed it.
fn targets(run: &ActionRun, managed: bool) -> Vec<DeployActionExecutionTarget> {
    let mut rng = Rng::derive(0xde91_0e7a, &[run.id.as_bytes()]);
    let count = 2 + (rng.next_u64() % 3) as usize;
    let (prefix, target_type) = if managed {
        ("mi-", "AWS::SSM::ManagedInstance")
    } else {
        ("i-", "AWS::EC2::Instance")
    };
    (0..count)
        .map(|index| {
            // Each instance and each of its commands draws from its own generator, so
            // the instances stay the same whatever their events show.
            let mut own = Rng::derive(0xde91_0e7a, &[run.id.as_bytes(), &index.to_le_bytes()]);
            let target_id = format!("{prefix}{}", provider::hex(&mut own, 17));
            let status = match run.status {
                ActionExecutionStatus::Failed if index > 0 => ActionExecutionStatus::Succeeded,
                status => status,
            };
            let events = events(&mut own, run, status);
            DeployActionExecutionTarget {
                target_id,
                target_type: target_type.to_owned(),
                status: status_name(status),
                start_time: run.started,
                end_time: (status != ActionExecutionStatus::InProgress).then_some(run.updated),
                events,
            }
        })
        .collect()
}

/// The events of one target whose deployment is (or ended) `status`. While it runs the
/// first event is in progress and the others pending; once it ended the run's span is
/// split evenly between them, and the last one ended as the target did.
fn events(rng: &mut Rng, run: &ActionRun, status: ActionExecutionStatus) -> Vec<DeployTargetEvent> {
    let command = |rng: &mut Rng, message: Option<&str>| {
        Some(DeployTargetEventContext {
            ssm_command_id: Some(rng.uuid().to_string()),
            message: message.map(str::to_owned),
        })
    };
    if status == ActionExecutionStatus::InProgress {
        return EVENTS
            .iter()
            .enumerate()
            .map(|(i, name)| DeployTargetEvent {
                name: (*name).to_owned(),
                status: if i == 0 { "InProgress" } else { "Pending" }.to_owned(),
                start_time: (i == 0).then_some(run.started),
                end_time: None,
                context: if i == 0 { command(rng, None) } else { None },
            })
            .collect();
    }
    let start = run.started.as_millis();
    let span = run.updated.as_millis().saturating_sub(start);
    let at = |i: u64| Timestamp::from_millis(start + span * i / EVENTS.len() as u64);
    let last = EVENTS.len() - 1;
    EVENTS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let (status, message) = match status {
                _ if i < last => (ActionExecutionStatus::Succeeded, None),
                ActionExecutionStatus::Failed => (status, Some(FAILED_MESSAGE)),
                _ => (status, None),
            };
            DeployTargetEvent {
                name: (*name).to_owned(),
                status: status_name(status),
                start_time: Some(at(i as u64)),
                end_time: Some(at(i as u64 + 1)),
                context: command(rng, message),
            }
        })
        .collect()
}

/// One page of `targets` (already filtered), from where `next_token` says, with the
/// token of the next page.
///
/// # Errors
/// `InvalidNextTokenException` for a token pipesim did not issue for this list.
pub(crate) fn page(
    targets: Vec<DeployActionExecutionTarget>,
    max: usize,
    next_token: Option<&str>,
) -> Result<(Vec<DeployActionExecutionTarget>, Option<String>)> {
    let from = match next_token {
        None => 0,
        Some(token) => paging::decode(PageKind::DeployTargets, token)?
            .parse::<usize>()
            .map_err(|_| Error::InvalidNextToken(format!("Invalid nextToken: {token}")))?,
    };
    let rest = targets.len().saturating_sub(from);
    let next =
        (rest > max).then(|| paging::encode(PageKind::DeployTargets, &(from + max).to_string()));
    Ok((targets.into_iter().skip(from).take(max).collect(), next))
}

/// A status as the targets show it: the action run statuses' own names.
fn status_name(status: ActionExecutionStatus) -> String {
    match status {
        ActionExecutionStatus::InProgress => "InProgress",
        ActionExecutionStatus::Abandoned => "Abandoned",
        ActionExecutionStatus::Succeeded => "Succeeded",
        ActionExecutionStatus::Failed => "Failed",
    }
    .to_owned()
}
