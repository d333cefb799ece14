//! The webhooks family: webhooks that start a pipeline when a source provider (GitHub,
//! for GitHub version 1 source actions) posts an event to their URL. They are state of
//! the account and region (`service::webhooks`), changed through `Cx::change_part`.

mod delete;
mod list;
mod put;
mod register;

pub use delete::*;
pub use list::*;
pub use put::*;
pub use register::*;
