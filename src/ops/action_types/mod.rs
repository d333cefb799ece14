//! The action types family: the action types an account can use, AWS's own and its
//! custom ones (`CreateCustomActionType`, `DeleteCustomActionType`, `ListActionTypes`),
//! and the action types registered for it as their owner (`GetActionType`,
//! `UpdateActionType`). The custom and registered types live in the scope part
//! `ActionTypeRegistry` (`crate::model::action_types`).

mod create_custom;
mod delete_custom;
mod get;
mod list;
mod update;

pub use create_custom::*;
pub use delete_custom::*;
pub use get::*;
pub use list::*;
pub use update::*;
