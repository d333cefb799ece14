//! The executions family: starting, stopping, reading and listing executions, listing
//! their action runs and the targets of deploy action runs, and `PutActionRevision`,
//! which starts one from a new source revision.

mod get;
mod list;
mod list_actions;
mod list_deploy_targets;
mod put_action_revision;
mod start;
mod stop;

pub use get::*;
pub use list::*;
pub use list_actions::*;
pub use list_deploy_targets::*;
pub use put_action_revision::*;
pub use start::*;
pub use stop::*;
