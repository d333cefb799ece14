//! The action log: every action run of a pipeline, newest last, for
//! `ListActionExecutions`. Bounded like the execution history: beyond its capacity the
//! oldest runs are forgotten first. A run is a few dozen bytes; its configuration,
//! artifacts, links and output variables are derived from the declaration when listed.

use std::collections::VecDeque;

use uuid::Uuid;

use crate::model::{ActionExecutionStatus, ErrorDetails, ExecutionId, Timestamp};

/// One run of one action.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct ActionRun {
    /// Numbers runs in the order they started: what page tokens hold.
    pub(crate) number: u64,
    pub(crate) id: Uuid,
    pub(crate) execution: ExecutionId,
    /// The pipeline version it ran, whose declaration names its stage and action.
    pub(crate) version: u32,
    pub(crate) stage: u8,
    pub(crate) action: u8,
    pub(crate) status: ActionExecutionStatus,
    pub(crate) started: Timestamp,
    pub(crate) updated: Timestamp,
    pub(crate) summary: Option<Box<str>>,
    pub(crate) error: Option<Box<ErrorDetails>>,
    /// A manual approval answered by `PutApprovalResult` (its `updatedBy`).
    pub(crate) answered: bool,
}

/// What one run changed to.
pub(crate) struct RunEnd<'a> {
    pub(crate) status: ActionExecutionStatus,
    pub(crate) summary: Option<&'a str>,
    pub(crate) error: Option<&'a ErrorDetails>,
}

/// The runs of one pipeline.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct ActionLog {
    runs: VecDeque<ActionRun>,
    next: u64,
}

impl ActionLog {
    /// Records a run that starts now, forgetting the oldest beyond `capacity`.
    pub(crate) fn started(
        &mut self,
        id: Uuid,
        execution: ExecutionId,
        (version, stage, action): (u32, usize, u16),
        now: Timestamp,
        capacity: usize,
    ) {
        self.runs.push_back(ActionRun {
            number: self.next,
            id,
            execution,
            version,
            stage: stage as u8,
            action: action as u8,
            status: ActionExecutionStatus::InProgress,
            started: now,
            updated: now,
            summary: None,
            error: None,
            answered: false,
        });
        self.next += 1;
        while self.runs.len() > capacity.max(1) {
            self.runs.pop_front();
        }
    }

    /// Records how run `id` ended (or changed); runs are found from the newest, where a
    /// running one is.
    pub(crate) fn ended(&mut self, id: Uuid, end: RunEnd<'_>, now: Timestamp) {
        if let Some(run) = self.runs.iter_mut().rev().find(|run| run.id == id) {
            run.status = end.status;
            run.updated = now;
            run.summary = end.summary.map(Box::from);
            run.error = end.error.cloned().map(Box::new);
        }
    }

    /// Marks run `id` answered by a reviewer.
    pub(crate) fn answered(&mut self, id: Uuid) {
        if let Some(run) = self.runs.iter_mut().rev().find(|run| run.id == id) {
            run.answered = true;
        }
    }

    /// Every run, newest first.
    pub(crate) fn newest_first(&self) -> impl Iterator<Item = &ActionRun> {
        self.runs.iter().rev()
    }

    pub(crate) fn len(&self) -> usize {
        self.runs.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retained_run_costs_under_a_hundred_bytes() {
        let size = std::mem::size_of::<ActionRun>();
        println!("ActionRun: {size} bytes");
        assert!(size <= 96, "{size} bytes");
    }

    #[test]
    fn the_oldest_runs_are_forgotten_beyond_capacity_and_ends_find_their_run() {
        let mut log = ActionLog::default();
        let execution = ExecutionId::from_uuid(Uuid::nil());
        let at = Timestamp::from_millis(5);
        for n in 0..3u128 {
            log.started(Uuid::from_u128(n), execution, (1, 0, 0), at, 2);
        }
        assert_eq!(log.len(), 2);
        let end = RunEnd {
            status: ActionExecutionStatus::Failed,
            summary: Some("no"),
            error: None,
        };
        log.ended(Uuid::from_u128(1), end, Timestamp::from_millis(9));
        let numbers: Vec<_> = log.newest_first().map(|r| (r.number, r.status)).collect();
        assert_eq!(
            numbers,
            [
                (2, ActionExecutionStatus::InProgress),
                (1, ActionExecutionStatus::Failed)
            ]
        );
    }
}
