//! The executions family: starting, stopping, reading and listing executions, listing
//! their action runs, and `PutActionRevision`, which starts one from a new source
//! revision.

mod get;
mod list;
mod list_actions;
mod put_action_revision;
mod start;
mod stop;

pub use get::*;
pub use list::*;
pub use list_actions::*;
pub use put_action_revision::*;
pub use start::*;
pub use stop::*;
