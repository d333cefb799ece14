//! The jobs family: how job workers (and harnesses playing a Lambda function) take the
//! jobs of actions they finish and report their results.
//!
//! | operation | what it does |
//! |---|---|
//! | `PollForJobs` | hands out queued jobs of a custom action type |
//! | `AcknowledgeJob` | a worker claims a job it polled (its nonce) |
//! | `GetJobDetails` | a job's data |
//! | `PutJobSuccessResult` | ends a job's run successfully, or continues it under a new job |
//! | `PutJobFailureResult` | fails a job's run |
//! | `PollForThirdPartyJobs` and the four `*ThirdParty*` operations | the same for third-party actions, with a client token |
//!
//! The board they work on is `crate::service::jobs`; the runs the jobs belong to are
//! the engine's (`crate::engine::jobs`).

mod acknowledge;
mod acknowledge_third_party;
mod get_details;
mod get_third_party_details;
mod poll;
mod poll_third_party;
mod put_failure;
mod put_success;
mod put_third_party_failure;
mod put_third_party_success;

pub use acknowledge::*;
pub use acknowledge_third_party::*;
pub use get_details::*;
pub use get_third_party_details::*;
pub use poll::*;
pub use poll_third_party::*;
pub use put_failure::*;
pub use put_success::*;
pub use put_third_party_failure::*;
pub use put_third_party_success::*;

use std::collections::BTreeMap;

use crate::engine::jobs::{JobKind, JobResult, JobRun};
use crate::error::{Error, Result};
use crate::model::action_types::ActionTypeRegistry;
use crate::model::validate::Violations;
use crate::model::{ActionOwner, ActionTypeId};
use crate::ops::Op;
use crate::service::Cx;
use crate::service::jobs::JobBoard;

/// The biggest `maxBatchSize` pipesim honours \[choice\]: the model sets no maximum and
/// the docs no default; a bigger one is read as this.
const MAX_BATCH: usize = 100;

/// The total size of one action's output variables, keys and values, in characters
/// (AWS's quota "Maximum size of output variables": 122,880 characters).
const OUTPUT_VARIABLES_MAX: usize = 122_880;

/// Checks a poll's `actionTypeId` and `maxBatchSize`.
fn check_poll(v: &mut Violations, id: &ActionTypeId, max_batch_size: Option<i64>) {
    v.action_type_id("actionTypeId", id);
    if let Some(max) = max_batch_size {
        v.range("maxBatchSize", max, 1, i64::MAX);
    }
}

/// `ActionTypeNotFoundException` as the real service words it (a Jenkins plugin user's
/// capture).
fn action_type_not_found(id: &ActionTypeId) -> Error {
    Error::ActionTypeNotFound(format!(
        "ActionType (Category: '{}', Owner: '{}', Provider: '{}', Version: '{}') is not available",
        id.category, id.owner, id.provider, id.version
    ))
}

/// Hands out up to `max_batch_size` (default 1) queued jobs of `kind` and `id` whose
/// configuration holds `query`; journaled with the jobs picked (`Cx::choose_in_part`).
///
/// # Errors
/// `ActionTypeNotFoundException` for a type whose owner polls by the other operation
/// (or by none: AWS runs its own types).
fn poll<O: Op, T>(
    cx: &Cx<'_, O>,
    (kind, id): (JobKind, &ActionTypeId),
    max_batch_size: Option<i64>,
    query: &BTreeMap<String, String>,
    hand_out: impl FnOnce(&mut JobBoard, &[uuid::Uuid], crate::model::Timestamp) -> Vec<T>,
) -> Result<Vec<T>> {
    let owner_polls = match kind {
        JobKind::Job => id.owner == ActionOwner::Custom,
        JobKind::ThirdParty => id.owner == ActionOwner::ThirdParty,
    };
    if !owner_polls {
        return Err(action_type_not_found(id));
    }
    // A custom type must exist and not be deleted ("PollForJobs for the custom action
    // fails after the action is marked for deletion"), and a poll names its queryable
    // property, if it has one, and no other. Read before the board is locked (a scope's
    // parts are never locked together) and decided only live: replay takes the jobs the
    // live poll handed out.
    let allowed = match kind {
        JobKind::Job => cx.read_part(|types: &ActionTypeRegistry| {
            if !types.is_live_custom(id) {
                return Err(action_type_not_found(id));
            }
            check_query(types.queryable_property(id).map(|p| p.name.as_str()), query)
        }),
        JobKind::ThirdParty => Ok(()),
    };
    let max = max_batch_size.map_or(1, |m| {
        usize::try_from(m).unwrap_or(MAX_BATCH).min(MAX_BATCH)
    });
    cx.choose_in_part(
        |board: &JobBoard, now| {
            allowed?;
            Ok(board.pick(kind, id, (max, now), query))
        },
        |board, picked: Vec<uuid::Uuid>, now| Ok(hand_out(board, &picked, now)),
    )
}

/// Checks a poll's `queryParam` against the type's queryable property: "For an action
/// type with no queryable properties, this value must be null or an empty map. For an
/// action type with a queryable property, you must supply that property as a key in
/// the map." The wordings are pipesim's \[choice\].
///
/// # Errors
/// `ValidationException`.
fn check_query(queryable: Option<&str>, query: &BTreeMap<String, String>) -> Result<()> {
    match (queryable, query.keys().next()) {
        (None, None) => Ok(()),
        (Some(name), Some(key)) if key == name => Ok(()),
        (None, Some(key)) => Err(Error::Validation(format!(
            "The action type has no queryable property; queryParam names '{key}'"
        ))),
        (Some(name), _) => Err(Error::Validation(format!(
            "The action type's queryable property '{name}' must be the key of queryParam"
        ))),
    }
}

/// Hands a worker's result to the run its job belongs to.
///
/// # Errors
/// `JobNotFoundException`, `InvalidClientTokenException` (third-party), and
/// `InvalidJobStateException` for a job that ended.
fn put_result<O: Op>(
    cx: &Cx<'_, O>,
    (kind, job_id, client_token): (JobKind, &str, Option<&str>),
    result: &JobResult<'_>,
) -> Result<()> {
    let (job, run) = cx.read_part(|board: &JobBoard| board.open_run(kind, job_id, client_token))?;
    let slot = cx
        .pipeline(&run.pipeline)
        .map_err(|_| Error::InvalidJobState(format!("Job with id '{job_id}' is not active")))?;
    cx.change_with_jobs(&slot, |engine, board, now, fx| {
        // Checked again under the locks: the job may have ended since.
        board.open_run(kind, job_id, client_token)?;
        let run = JobRun {
            job,
            execution_id: &run.execution_id,
            stage: &run.stage,
            action: &run.action,
        };
        engine.job_result(run, result, now, fx)
    })
}

/// Checks a success result's members shared by both kinds of job.
fn check_success(
    v: &mut Violations,
    (revision, token, details): (
        Option<&crate::model::jobs::CurrentRevision>,
        Option<&str>,
        Option<&crate::model::jobs::ExecutionDetails>,
    ),
) {
    if let Some(revision) = revision {
        revision.check("currentRevision", v);
    }
    if let Some(token) = token {
        v.length("continuationToken", token, 1, 2048);
    }
    if let Some(details) = details {
        details.check("executionDetails", v);
    }
}
