//! The one timer heap that drives every execution.
//!
//! Actions finishing, approvals timing out and abandoned stops settling are all timers in
//! this heap: millions of executions never mean millions of tasks. Timers are never
//! cancelled; whoever fires one checks that it still applies (see the engine), which
//! keeps scheduling a push and stopping free.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Arc;

use crate::sync::Mutex;
use tokio::sync::Notify;

use crate::model::Timestamp;

/// Due timers in time order; ties fire in the order they were scheduled.
pub(crate) struct Scheduler<T> {
    /// Guards the heap. Held only to push or pop, never while a timer fires.
    heap: Mutex<Heap<T>>,
    /// Wakes the real-time driver when a timer becomes the earliest.
    wake: Arc<Notify>,
}

struct Heap<T> {
    entries: BinaryHeap<Entry<T>>,
    next_seq: u64,
}

struct Entry<T> {
    due: Timestamp,
    seq: u64,
    item: T,
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.seq) == (other.due, other.seq)
    }
}

impl<T> Eq for Entry<T> {}

impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Entry<T> {
    /// Reversed, so the max-heap pops the earliest.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.due, other.seq).cmp(&(self.due, self.seq))
    }
}

impl<T> Scheduler<T> {
    pub(crate) fn new() -> Self {
        Self {
            heap: Mutex::new(Heap {
                entries: BinaryHeap::new(),
                next_seq: 0,
            }),
            wake: Arc::new(Notify::new()),
        }
    }

    /// The notifier the real-time driver waits on.
    pub(crate) fn waker(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }

    /// Adds timers; wakes the driver if one of them is now the earliest.
    pub(crate) fn schedule(&self, timers: impl IntoIterator<Item = (Timestamp, T)>) {
        let mut heap = self.heap.lock();
        let earliest_before = heap.entries.peek().map(|e| e.due);
        let mut new_earliest = false;
        for (due, item) in timers {
            let seq = heap.next_seq;
            heap.next_seq += 1;
            new_earliest |= earliest_before.is_none_or(|earliest| due < earliest);
            heap.entries.push(Entry { due, seq, item });
        }
        drop(heap);
        if new_earliest {
            self.wake.notify_one();
        }
    }

    /// Removes and returns the earliest timer if it is due at `now`.
    pub(crate) fn pop_due(&self, now: Timestamp) -> Option<(Timestamp, T)> {
        let mut heap = self.heap.lock();
        if heap.entries.peek()?.due > now {
            return None;
        }
        heap.entries.pop().map(|e| (e.due, e.item))
    }

    /// When the earliest timer is due.
    pub(crate) fn next_due(&self) -> Option<Timestamp> {
        self.heap.lock().entries.peek().map(|e| e.due)
    }

    /// Drops every pending timer.
    /// Every timer waiting, in the order they will fire.
    pub(crate) fn pending(&self) -> Vec<(Timestamp, T)>
    where
        T: Clone,
    {
        let heap = self.heap.lock();
        let mut entries: Vec<&Entry<T>> = heap.entries.iter().collect();
        entries.sort_by_key(|e| (e.due, e.seq));
        entries
            .into_iter()
            .map(|e| (e.due, e.item.clone()))
            .collect()
    }

    pub(crate) fn clear(&self) {
        self.heap.lock().entries = BinaryHeap::new();
    }

    /// How many timers are pending (some may no longer apply).
    pub(crate) fn len(&self) -> usize {
        self.heap.lock().entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_fire_in_due_order_then_in_scheduling_order() {
        let s = Scheduler::new();
        let t = Timestamp::from_millis;
        s.schedule([(t(20), "c"), (t(10), "a"), (t(10), "b")]);
        assert_eq!(s.next_due(), Some(t(10)));
        assert_eq!(s.pop_due(t(15)).map(|e| e.1), Some("a"));
        assert_eq!(s.pop_due(t(15)).map(|e| e.1), Some("b"));
        assert_eq!(s.pop_due(t(15)), None);
        assert_eq!(s.len(), 1);
        assert_eq!(s.pop_due(t(20)).map(|e| e.1), Some("c"));
    }
}
