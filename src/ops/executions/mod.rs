//! The executions family: starting, stopping, reading and listing executions, and
//! listing their action runs and the targets of deploy action runs.

mod get;
mod list;
mod list_actions;
mod list_deploy_targets;
mod start;
mod stop;

pub use get::*;
pub use list::*;
pub use list_actions::*;
pub use list_deploy_targets::*;
pub use start::*;
pub use stop::*;
