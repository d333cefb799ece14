//! Idempotency of `StartPipelineExecution` by `clientRequestToken`.
//!
//! A token is remembered with the execution it started, for a fixed window of simulated
//! time. The real service answers a known token with the first execution's id whatever
//! the parameters of the repeated call (recorded), so nothing else is kept. Tokens
//! expire in the order they were first seen, so expiry is a pop from the front of a
//! queue and memory is bounded by the window.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use crate::model::{ExecutionId, Timestamp};

/// The tokens one pipeline remembers.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct TokenTable {
    by_token: HashMap<Arc<str>, ExecutionId>,
    /// Tokens in the order they expire.
    expiry: VecDeque<(Timestamp, Arc<str>)>,
}

impl TokenTable {
    /// Forgets tokens whose window ended at or before `now`.
    pub(crate) fn expire(&mut self, now: Timestamp) {
        while let Some((expires, _)) = self.expiry.front() {
            if *expires > now {
                break;
            }
            if let Some((_, token)) = self.expiry.pop_front() {
                self.by_token.remove(&token);
            }
        }
    }

    /// The execution a remembered token started.
    pub(crate) fn started(&self, token: &str) -> Option<ExecutionId> {
        self.by_token.get(token).copied()
    }

    /// Remembers a token that just started `execution`, until `expires`, and forgets
    /// the oldest tokens beyond `capacity`: a pipeline remembers no more tokens than
    /// executions, so memory stays bounded under endless tokened load.
    pub(crate) fn remember(
        &mut self,
        token: &str,
        execution: ExecutionId,
        expires: Timestamp,
        capacity: usize,
    ) {
        let token: Arc<str> = Arc::from(token);
        self.expiry.push_back((expires, Arc::clone(&token)));
        self.by_token.insert(token, execution);
        while self.by_token.len() > capacity.max(1) {
            let Some((_, oldest)) = self.expiry.pop_front() else {
                break;
            };
            self.by_token.remove(&oldest);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.by_token.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn id(n: u128) -> ExecutionId {
        ExecutionId::from_uuid(Uuid::from_u128(n))
    }

    #[test]
    fn tokens_are_forgotten_when_their_window_ends() {
        let mut table = TokenTable::default();
        table.remember("a", id(1), Timestamp::from_millis(100), 10);
        table.remember("b", id(2), Timestamp::from_millis(200), 10);
        table.expire(Timestamp::from_millis(100));
        assert_eq!(table.started("a"), None);
        assert_eq!(table.started("b"), Some(id(2)));
        assert_eq!(table.len(), 1);
    }

    #[test]
    fn the_oldest_tokens_are_forgotten_beyond_capacity() {
        let mut table = TokenTable::default();
        let later = Timestamp::from_millis(1_000);
        for (n, token) in ["a", "b", "c"].into_iter().enumerate() {
            table.remember(token, id(n as u128), later, 2);
        }
        assert_eq!(table.len(), 2);
        assert_eq!(table.started("a"), None);
        assert_eq!(table.started("c"), Some(id(2)));
    }
}
