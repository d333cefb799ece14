//! The action log: every action run of a pipeline, newest last, for
//! `ListActionExecutions`. Bounded like the execution history: beyond its capacity the
//! oldest runs are forgotten first. A run is a few dozen bytes; its configuration,
//! artifacts, links and output variables are derived from the declaration when listed.

use std::collections::{BTreeMap, VecDeque};

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

/// What a job worker reported of a run, beyond its status: kept apart from
/// [`ActionRun`] because few runs have it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Reported {
    /// `PutJobSuccessResult.outputVariables`: what `#{namespace.key}` finds.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) output_variables: BTreeMap<String, String>,
    /// `currentRevision.revision`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) revision: Option<String>,
    /// `executionDetails.externalExecutionId` (or the failure's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) external_execution_id: Option<String>,
}

/// The runs of one pipeline.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct ActionLog {
    runs: VecDeque<ActionRun>,
    next: u64,
    /// What workers reported of runs still kept, by run number.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    reported: BTreeMap<u64, Reported>,
}

impl ActionLog {
    /// Records a run that starts now, forgetting the oldest beyond `capacity`; answers
    /// its number, by which [`ended`](Self::ended) finds it without a search.
    pub(crate) fn started(
        &mut self,
        id: Uuid,
        execution: ExecutionId,
        (version, stage, action): (u32, usize, u16),
        now: Timestamp,
        capacity: usize,
    ) -> u64 {
        let number = self.next;
        self.runs.push_back(ActionRun {
            number,
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
            if let Some(gone) = self.runs.pop_front()
                && !self.reported.is_empty()
            {
                self.reported.remove(&gone.number);
            }
        }
        number
    }

    /// What a worker reported of run `number`, to add to; nothing once it is forgotten.
    pub(crate) fn report(&mut self, number: u64) -> Option<&mut Reported> {
        self.run_mut(number)?;
        Some(self.reported.entry(number).or_default())
    }

    /// What a worker reported of the latest run of action `(stage, action)` in
    /// `execution`, if that run has a report. Free for a pipeline whose workers reported
    /// nothing, so resolving references does not search the log for it.
    pub(crate) fn reported_of(
        &self,
        execution: ExecutionId,
        (stage, action): (usize, usize),
    ) -> Option<&Reported> {
        if self.reported.is_empty() {
            return None;
        }
        let run = self.newest_first().find(|run| {
            run.execution == execution
                && usize::from(run.stage) == stage
                && usize::from(run.action) == action
        })?;
        self.reported(run.number)
    }

    /// What a worker reported of run `number`, if anything.
    pub(crate) fn reported(&self, number: u64) -> Option<&Reported> {
        self.reported.get(&number)
    }

    /// Run `number`, unless it was forgotten. Numbers are consecutive, so it is found by
    /// its distance from the oldest run kept.
    fn run_mut(&mut self, number: u64) -> Option<&mut ActionRun> {
        let oldest = self.runs.front()?.number;
        let index = usize::try_from(number.checked_sub(oldest)?).ok()?;
        self.runs.get_mut(index)
    }

    /// Records how run `number` ended (or changed).
    pub(crate) fn ended(&mut self, number: u64, end: RunEnd<'_>, now: Timestamp) {
        if let Some(run) = self.run_mut(number) {
            run.status = end.status;
            run.updated = now;
            run.summary = end.summary.map(Box::from);
            run.error = end.error.cloned().map(Box::new);
        }
    }

    /// Marks run `number` answered by a reviewer.
    pub(crate) fn answered(&mut self, number: u64) {
        if let Some(run) = self.run_mut(number) {
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
    fn the_oldest_runs_are_forgotten_beyond_capacity_and_ends_find_their_run_by_number() {
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
        log.ended(1, end, Timestamp::from_millis(9));
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
