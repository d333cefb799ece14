//! Simulated git events: a push or a pull request in a connection's repository starts
//! every pipeline of the handle's account and region whose source action on that
//! repository takes it (`Simulator::git_event`).
//!
//! Journal: one `Record::GitEvent` per pipeline the event reached, written under that
//! pipeline's engine lock like every other change of it, and replayed on that pipeline
//! alone. A single record for the whole event would have to be placed in the order of
//! several engines at once; each engine's own calls interleave with the event's starts
//! in an order only its own lock decides, so one record per engine keeps replay exact.
//! Pipelines the event does not concern are not journaled: nothing changed in them.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::GitEvent;
use crate::persist::Record;

use super::Simulator;

/// What a git event did: the pipelines it started, and those on its repository it did
/// not start, with why. Both sorted by pipeline name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitEventOutcome {
    /// Executions started.
    pub started: Vec<GitStart>,
    /// Pipelines with a source action on the repository that started nothing.
    pub not_started: Vec<GitNotStarted>,
}

/// One execution a git event started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitStart {
    /// The pipeline.
    pub pipeline_name: String,
    /// The execution: `trigger.triggerType` `WebhookV2`.
    pub pipeline_execution_id: String,
    /// The source actions that fetch the event's commit.
    pub source_actions: Vec<String>,
}

/// A pipeline on the event's repository that the event did not start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitNotStarted {
    /// The pipeline.
    pub pipeline_name: String,
    /// Why: no filter matched, change detection is off, or the start was refused
    /// (`ConcurrentPipelineExecutionsLimitExceededException: ...`).
    pub reason: String,
}

impl Simulator {
    /// Simulates a git event in a connection's repository. Every pipeline of this
    /// handle's account and region with a `CodeStarSourceConnection` source action on
    /// `event.repository` is considered: with a trigger on that action, by its filters;
    /// without, as AWS detects changes by default (a push to the action's `BranchName`,
    /// unless `DetectChanges` is `false`). A pipeline that takes the event starts an
    /// execution through the admission rules of `StartPipelineExecution`, fetching
    /// `event.commit_id`; it reports `trigger.triggerType` `WebhookV2` and the
    /// connection's ARN as `triggerDetail`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> pipesim::Result<()> {
    /// use pipesim::Simulator;
    /// use pipesim::model::{CreatePipelineInput, GitEvent, PipelineDeclaration};
    ///
    /// let sim = Simulator::builder().virtual_time().start_on_create(false).build();
    /// let pipeline = PipelineDeclaration::connection_example("web", "acme/web", "main");
    /// sim.create_pipeline(CreatePipelineInput::new(pipeline)).await?;
    /// let outcome = sim.git_event(GitEvent::push("acme/web", "main", "0123abc")).await?;
    /// assert_eq!(outcome.started[0].pipeline_name, "web");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// `ValidationException` for an event without a repository, ref or commit id, or
    /// with one too long.
    pub async fn git_event(&self, event: GitEvent) -> Result<GitEventOutcome> {
        event.check()?;
        let mut slots = self.scope.slots();
        slots.sort_by(|a, b| a.ident.name.cmp(&b.ident.name));
        let mut outcome = GitEventOutcome::default();
        let mut last = None;
        for slot in slots {
            let name = slot.ident.name.to_string();
            let actions = match slot.engine.lock().git_taking_actions(&event) {
                Ok(actions) => actions,
                Err(None) => continue,
                Err(Some(reason)) => {
                    outcome.not_started.push(GitNotStarted {
                        pipeline_name: name,
                        reason,
                    });
                    continue;
                }
            };
            let (started, seq) = self.inner.change_engine(
                &slot,
                |key, at| Record::GitEvent {
                    key,
                    at,
                    event: event.clone(),
                },
                |engine, now, fx| engine.start_from_git(&event, now, fx),
            );
            last = seq.or(last);
            match started {
                Ok(Some(id)) => outcome.started.push(GitStart {
                    pipeline_name: name,
                    pipeline_execution_id: id.to_string(),
                    source_actions: actions,
                }),
                Ok(None) => outcome.not_started.push(GitNotStarted {
                    pipeline_name: name,
                    reason: "the pipeline changed and no longer takes the event".into(),
                }),
                Err(err) => outcome.not_started.push(GitNotStarted {
                    pipeline_name: name,
                    reason: format!("{}: {}", err.error_type(), err.message()),
                }),
            }
        }
        // The journal is written in order, so the last record durable means all are.
        self.inner.durable(last).await?;
        Ok(outcome)
    }
}
