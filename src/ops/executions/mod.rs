//! The executions family: starting, stopping, reading and listing executions.

mod get;
mod list;
mod start;
mod stop;

pub use get::*;
pub use list::*;
pub use start::*;
pub use stop::*;
