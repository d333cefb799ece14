//! The executions one pipeline retains, oldest first, in start order.
//!
//! Executions start in sequence-number order, and the history drops the oldest finished
//! ones, so it is a `VecDeque` sorted by `seq`: a start is a push at the back, the first
//! page of `ListPipelineExecutions` starts at the back, and eviction is usually a pop at
//! the front. An execution's position is `seq - front seq` unless an eviction had to
//! skip an older execution still running and left a gap; then a binary search finds it.
//! Every operation is O(1) in the usual case and O(log n) at worst, and the memory is
//! contiguous, which keeps a start to one or two cache lines of history.

use std::collections::VecDeque;

use super::execution::Execution;

/// Retained executions by sequence number.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct History {
    entries: VecDeque<(u64, Execution)>,
}

impl History {
    /// Executions retained.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn clear(&mut self) {
        self.entries = VecDeque::new();
    }

    /// Appends the newest execution; `seq` is above every retained one.
    pub(crate) fn insert(&mut self, seq: u64, execution: Execution) {
        debug_assert!(self.entries.back().is_none_or(|(last, _)| *last < seq));
        self.entries.push_back((seq, execution));
    }

    fn position(&self, seq: u64) -> Option<usize> {
        let (front, _) = self.entries.front()?;
        let guess = usize::try_from(seq.checked_sub(*front)?).ok()?;
        match self.entries.get(guess) {
            Some((at, _)) if *at == seq => Some(guess),
            _ => self.entries.binary_search_by_key(&seq, |(at, _)| *at).ok(),
        }
    }

    pub(crate) fn get(&self, seq: &u64) -> Option<&Execution> {
        let at = self.position(*seq)?;
        Some(&self.entries[at].1)
    }

    pub(crate) fn get_mut(&mut self, seq: &u64) -> Option<&mut Execution> {
        let at = self.position(*seq)?;
        Some(&mut self.entries[at].1)
    }

    pub(crate) fn contains_key(&self, seq: &u64) -> bool {
        self.position(*seq).is_some()
    }

    /// Drops the oldest execution that has finished; false when every one is running.
    pub(crate) fn evict_oldest_finished(&mut self) -> bool {
        match self.entries.iter().position(|(_, e)| e.run.is_none()) {
            Some(0) => self.entries.pop_front().is_some(),
            Some(at) => self.entries.remove(at).is_some(),
            None => false,
        }
    }

    /// Executions with `seq <= upper`, newest first.
    pub(crate) fn newest_first(&self, upper: u64) -> impl Iterator<Item = (u64, &Execution)> + '_ {
        let end = match self.entries.back() {
            Some((last, _)) if *last <= upper => self.entries.len(),
            _ => self.entries.partition_point(|(at, _)| *at <= upper),
        };
        self.entries
            .range(..end)
            .rev()
            .map(|(seq, execution)| (*seq, execution))
    }
}

impl std::ops::Index<&u64> for History {
    type Output = Execution;

    fn index(&self, seq: &u64) -> &Execution {
        self.get(seq).expect("the execution is retained")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::execution::Run;
    use crate::engine::plan::Mode;
    use crate::model::{ExecutionId, PipelineExecutionStatus, Timestamp};

    fn execution(running: bool) -> Execution {
        Execution {
            id: ExecutionId::from_uuid(uuid::Uuid::nil()),
            started: Timestamp::from_millis(0),
            updated: Timestamp::from_millis(0),
            version: 1,
            status: PipelineExecutionStatus::InProgress,
            mode: Mode::Parallel,
            trigger: crate::engine::execution::Trigger::StartPipelineExecution,
            passed: 0,
            details: None,
            run: running.then(|| Box::new(Run::new())),
        }
    }

    fn seqs(history: &History, upper: u64) -> Vec<u64> {
        history.newest_first(upper).map(|(seq, _)| seq).collect()
    }

    #[test]
    fn eviction_skips_running_executions_and_lookups_survive_the_gap() {
        let mut history = History::default();
        history.insert(0, execution(true));
        for seq in 1..6 {
            history.insert(seq, execution(false));
        }
        assert!(history.evict_oldest_finished());
        assert!(history.evict_oldest_finished());
        assert_eq!(seqs(&history, u64::MAX), [5, 4, 3, 0]);
        assert!(history.contains_key(&0));
        assert!(!history.contains_key(&1));
        assert!(history.get(&4).is_some());
        assert_eq!(seqs(&history, 3), [3, 0]);
        assert_eq!(seqs(&history, 2), [0]);
    }

    #[test]
    fn nothing_is_evicted_while_everything_runs() {
        let mut history = History::default();
        history.insert(7, execution(true));
        assert!(!history.evict_oldest_finished());
        assert_eq!(history.len(), 1);
        assert!(history.get(&6).is_none());
        assert!(history.get(&8).is_none());
    }
}
