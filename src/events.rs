//! Execution transitions a harness can subscribe to, instead of polling.
//!
//! [`Simulator::events`](crate::Simulator::events) returns an [`EventStream`] that
//! receives every transition from the moment it is created. Events are built only while
//! someone is subscribed, so an unobserved simulator pays nothing for them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::broadcast;

use crate::model::{
    ActionExecutionStatus, ConditionExecutionStatus, ExecutionId, PipelineExecutionStatus,
    StageExecutionStatus, Timestamp,
};

/// One transition of one execution.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// The account of the pipeline.
    pub account: Arc<str>,
    /// The region of the pipeline.
    pub region: Arc<str>,
    /// The pipeline.
    pub pipeline: Arc<str>,
    /// The execution.
    pub execution_id: ExecutionId,
    /// When it happened, in simulated time.
    pub at: Timestamp,
    /// What happened.
    pub kind: EventKind,
}

/// What happened to an execution.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum EventKind {
    /// The execution's status changed (`InProgress` when it starts).
    Execution(PipelineExecutionStatus),
    /// The execution is waiting in front of a locked stage.
    StageWaiting {
        /// The stage.
        stage: Arc<str>,
    },
    /// The execution's run of a stage changed status (`InProgress` when it enters).
    Stage {
        /// The stage.
        stage: Arc<str>,
        /// Its new status.
        status: StageExecutionStatus,
    },
    /// An action of the execution changed status (`InProgress` when it starts).
    Action {
        /// The stage.
        stage: Arc<str>,
        /// The action.
        action: Arc<str>,
        /// Its new status.
        status: ActionExecutionStatus,
    },
    /// `RetryStageExecution` sent the execution back into a stage it failed or
    /// stopped in (its stage and action events follow).
    StageRetried {
        /// The stage.
        stage: Arc<str>,
    },
    /// The execution is a rollback of `stage` to `target`'s revisions, just started.
    RolledBack {
        /// The stage it runs.
        stage: Arc<str>,
        /// The execution it rolls back to.
        target: ExecutionId,
    },
    /// The execution is held in front of a stage whose inbound transition is disabled
    /// (after its `StageWaiting`).
    HeldAtTransition {
        /// The stage.
        stage: Arc<str>,
    },
    /// `EnableStageTransition` let the held execution into the stage (its `Stage`
    /// event follows).
    ReleasedAtTransition {
        /// The stage.
        stage: Arc<str>,
    },
    /// A condition of a stage started to be checked (`InProgress`) or was decided
    /// (`Succeeded`, `Failed`, `Overridden`, `Abandoned`, `Cancelled`).
    Condition {
        /// The stage.
        stage: Arc<str>,
        /// `beforeEntry`, `onSuccess` or `onFailure`.
        kind: &'static str,
        /// Its new status.
        status: ConditionExecutionStatus,
    },
    /// A job was posted for a run of an action (`Queued`): a job worker, or a harness
    /// playing one, polls for it and reports its result by its id.
    Job {
        /// The stage.
        stage: Arc<str>,
        /// The action.
        action: Arc<str>,
        /// The job's id, as `PollForJobs` and `GetJobDetails` know it.
        job_id: String,
        /// Its status.
        status: crate::model::JobStatus,
    },
    /// A rule of a condition changed status (`InProgress` when it starts).
    Rule {
        /// The stage.
        stage: Arc<str>,
        /// The rule.
        rule: Arc<str>,
        /// Its new status.
        status: ActionExecutionStatus,
    },
}

/// A subscription to every [`Event`] from the moment it was created.
#[derive(Debug)]
pub struct EventStream {
    receiver: broadcast::Receiver<Event>,
    /// The simulator's count of live streams; this stream leaves it when dropped.
    subscribers: Arc<AtomicUsize>,
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.subscribers.fetch_sub(1, Ordering::Release);
    }
}

/// Why an [`EventStream`] returned no event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventStreamError {
    /// The subscriber fell this many events behind the buffer and they were dropped.
    #[error("the event stream lagged and missed {0} events")]
    Lagged(u64),
    /// The simulator is gone.
    #[error("the simulator was dropped")]
    Closed,
}

impl EventStream {
    /// A stream over `receiver`, counted in `subscribers` while it lives.
    pub(crate) fn new(receiver: broadcast::Receiver<Event>, subscribers: Arc<AtomicUsize>) -> Self {
        subscribers.fetch_add(1, Ordering::Release);
        Self {
            receiver,
            subscribers,
        }
    }

    /// The next event.
    ///
    /// # Errors
    /// [`EventStreamError::Lagged`] if events were dropped because this subscriber read
    /// too slowly (the stream goes on after it), [`EventStreamError::Closed`] when the
    /// simulator is gone.
    pub async fn next(&mut self) -> Result<Event, EventStreamError> {
        self.receiver.recv().await.map_err(|e| match e {
            broadcast::error::RecvError::Lagged(n) => EventStreamError::Lagged(n),
            broadcast::error::RecvError::Closed => EventStreamError::Closed,
        })
    }

    /// Waits for the first event that satisfies `predicate`, skipping the others.
    ///
    /// # Errors
    /// As [`next`](Self::next); a lag is an error here because the awaited event may be
    /// among those lost.
    pub async fn wait_for(
        &mut self,
        mut predicate: impl FnMut(&Event) -> bool,
    ) -> Result<Event, EventStreamError> {
        loop {
            let event = self.next().await?;
            if predicate(&event) {
                return Ok(event);
            }
        }
    }
}
