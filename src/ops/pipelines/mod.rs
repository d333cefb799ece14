//! The pipelines family: creating, reading, updating, deleting and listing pipelines.

mod create;
mod delete;
mod get;
mod list;
mod update;

pub use create::*;
pub use delete::*;
pub use get::*;
pub use list::*;
pub use update::*;
