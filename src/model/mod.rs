//! The AWS shapes of CodePipeline and their validation.
//!
//! Everything here is plain data with serde, using the service model's exact member
//! names, so the same values serve the embedded API and the wire. Each operation's own
//! input and output shapes are declared beside it in `crate::ops` and re-exported here;
//! the shapes several operations share live in this module. `validate` checks inputs
//! the way the service does before anything touches state, with the help of
//! [`action_types`] (the table of the action types AWS owns) and [`references`] (the
//! `#{namespace.key}` variable references of action configuration). [`rule_types`] is the
//! table of the rule types AWS owns, which stage conditions run.

pub mod action_types;
pub mod conditions;
pub mod enums;
pub(crate) mod execution;
pub mod ids;
pub mod jobs;
pub(crate) mod json_path;
pub mod pipeline;
pub mod references;
pub mod rule_types;
pub(crate) mod state;
pub mod triggers;
pub(crate) mod validate;
pub mod webhooks;

pub use conditions::*;
pub use enums::*;
pub use execution::*;
pub use ids::{ExecutionId, ParseExecutionIdError, Timestamp};
pub use jobs::*;
pub use pipeline::*;
pub use state::*;
pub use triggers::{
    FilterCriteria, GitChange, GitConfiguration, GitEvent, GitPullRequestFilter, GitPushFilter,
    GitRef, PipelineTriggerDeclaration,
};
pub use validate::ModelEnum;
pub use webhooks::*;

pub use crate::error::ErrorKind;
pub use crate::ops::Operation;
// Each operation's shapes, from its family; an operation's own types come along at the
// crate's visibility only.
pub use crate::ops::action_types::*;
pub use crate::ops::executions::*;
pub use crate::ops::jobs::*;
pub use crate::ops::pipelines::*;
pub use crate::ops::stages::*;
pub use crate::ops::tags::*;
pub use crate::ops::webhooks::*;
