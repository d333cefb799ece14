//! Opaque `nextToken`s for list operations.
//!
//! A token names where the next page starts. It is prefixed by the list it belongs to
//! and hex-encoded, so a token from another list, or one a client made up, is refused
//! with `InvalidNextTokenException` instead of being misread.

use std::fmt::Write;

use crate::error::{Error, Result};

/// Which list a token belongs to.
#[derive(Clone, Copy, Debug)]
pub(crate) enum PageKind {
    Pipelines,
    Executions,
    ActionExecutions,
    RuleExecutions,
    Webhooks,
    ActionTypes,
    DeployTargets,
}

impl PageKind {
    fn prefix(self) -> &'static str {
        match self {
            PageKind::Pipelines => "pipesim-p-",
            PageKind::Executions => "pipesim-e-",
            PageKind::ActionExecutions => "pipesim-a-",
            PageKind::RuleExecutions => "pipesim-r-",
            PageKind::Webhooks => "pipesim-w-",
            PageKind::ActionTypes => "pipesim-t-",
            PageKind::DeployTargets => "pipesim-d-",
        }
    }
}

/// The token for a page starting at `position`.
pub(crate) fn encode(kind: PageKind, position: &str) -> String {
    let mut token = String::from(kind.prefix());
    for byte in position.bytes() {
        let _ = write!(token, "{byte:02x}");
    }
    token
}

/// The position a token of `kind` names.
pub(crate) fn decode(kind: PageKind, token: &str) -> Result<String> {
    let invalid = || Error::InvalidNextToken(format!("Invalid nextToken: {token}"));
    let hex = token.strip_prefix(kind.prefix()).ok_or_else(invalid)?;
    if hex.len() % 2 != 0 {
        return Err(invalid());
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(invalid)?;
    String::from_utf8(bytes).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_strangers_are_refused() {
        let token = encode(PageKind::Pipelines, "My.Pipeline");
        assert_eq!(decode(PageKind::Pipelines, &token).unwrap(), "My.Pipeline");
        assert!(matches!(
            decode(PageKind::Executions, &token),
            Err(Error::InvalidNextToken(_))
        ));
        assert!(matches!(
            decode(PageKind::Pipelines, "garbage"),
            Err(Error::InvalidNextToken(_))
        ));
        assert!(matches!(
            decode(PageKind::Pipelines, "pipesim-p-zz"),
            Err(Error::InvalidNextToken(_))
        ));
    }
}
