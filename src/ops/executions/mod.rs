//! The executions family: starting, stopping, reading and listing executions, and
//! listing their action runs.

mod get;
mod list;
mod list_actions;
mod start;
mod stop;

pub use get::*;
pub use list::*;
pub use list_actions::*;
pub use start::*;
pub use stop::*;
