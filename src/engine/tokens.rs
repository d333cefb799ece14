//! Idempotency of `StartPipelineExecution` by `clientRequestToken`.
//!
//! A token is remembered with the execution it started and the parameters it came with,
//! for a fixed window of simulated time. Tokens expire in the order they were first seen,
//! so expiry is a pop from the front of a queue and memory is bounded by the window.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use crate::model::{ExecutionId, PipelineVariable, SourceRevisionOverride, Timestamp};

/// The parameters of a start that a replay must repeat, in a canonical order.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct StartParams {
    variables: Vec<PipelineVariable>,
    source_revisions: Vec<(String, String, String)>,
}

impl StartParams {
    /// The canonical form: variables and overrides compared as sets.
    /// `None` for a start with neither, so the common case stores nothing.
    pub(crate) fn canonical(
        variables: &[PipelineVariable],
        source_revisions: &[SourceRevisionOverride],
    ) -> Option<Box<StartParams>> {
        if variables.is_empty() && source_revisions.is_empty() {
            return None;
        }
        let mut variables = variables.to_vec();
        variables.sort_unstable();
        let mut source_revisions: Vec<_> = source_revisions
            .iter()
            .map(|r| {
                (
                    r.action_name.clone(),
                    r.revision_type.to_string(),
                    r.revision_value.clone(),
                )
            })
            .collect();
        source_revisions.sort_unstable();
        Some(Box::new(StartParams {
            variables,
            source_revisions,
        }))
    }
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Remembered {
    execution: ExecutionId,
    params: Option<Box<StartParams>>,
}

/// What a token says about a new start.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TokenCheck {
    /// Never seen (or forgotten): start a new execution.
    New,
    /// Seen with the same parameters: answer with this execution, start nothing.
    Replay(ExecutionId),
    /// Seen with other parameters.
    Mismatch,
}

/// The tokens one pipeline remembers.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct TokenTable {
    by_token: HashMap<Arc<str>, Remembered>,
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

    pub(crate) fn check(&self, token: &str, params: Option<&StartParams>) -> TokenCheck {
        match self.by_token.get(token) {
            None => TokenCheck::New,
            Some(seen) if seen.params.as_deref() == params => TokenCheck::Replay(seen.execution),
            Some(_) => TokenCheck::Mismatch,
        }
    }

    /// Remembers a token that just started `execution`, until `expires`, and forgets
    /// the oldest tokens beyond `capacity`: a pipeline remembers no more tokens than
    /// executions, so memory stays bounded under endless tokened load.
    pub(crate) fn remember(
        &mut self,
        token: &str,
        execution: ExecutionId,
        params: Option<Box<StartParams>>,
        expires: Timestamp,
        capacity: usize,
    ) {
        let token: Arc<str> = Arc::from(token);
        self.expiry.push_back((expires, Arc::clone(&token)));
        self.by_token
            .insert(token, Remembered { execution, params });
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
        table.remember("a", id(1), None, Timestamp::from_millis(100), 10);
        table.remember("b", id(2), None, Timestamp::from_millis(200), 10);
        table.expire(Timestamp::from_millis(100));
        assert_eq!(table.check("a", None), TokenCheck::New);
        assert_eq!(table.check("b", None), TokenCheck::Replay(id(2)));
        assert_eq!(table.len(), 1);
    }

    #[test]
    fn the_oldest_tokens_are_forgotten_beyond_capacity() {
        let mut table = TokenTable::default();
        let later = Timestamp::from_millis(1_000);
        for (n, token) in ["a", "b", "c"].into_iter().enumerate() {
            table.remember(token, id(n as u128), None, later, 2);
        }
        assert_eq!(table.len(), 2);
        assert_eq!(table.check("a", None), TokenCheck::New);
        assert_eq!(table.check("c", None), TokenCheck::Replay(id(2)));
    }

    #[test]
    fn variables_compare_as_sets() {
        let a = PipelineVariable {
            name: "a".into(),
            value: "1".into(),
        };
        let b = PipelineVariable {
            name: "b".into(),
            value: "2".into(),
        };
        let one = StartParams::canonical(&[a.clone(), b.clone()], &[]);
        let other = StartParams::canonical(&[b, a], &[]);
        assert_eq!(one, other);
    }
}
