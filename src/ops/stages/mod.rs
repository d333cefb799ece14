//! The stages and actions family: a pipeline's state, stage by stage, answers to manual
//! approvals, the transitions between stages, retries of failed stages and rollbacks,
//! overrides of stage conditions, the runs of their rules, and the rule types stage
//! conditions run.

mod disable_transition;
mod enable_transition;
mod get_state;
mod list_rule_executions;
mod list_rule_types;
mod override_condition;
mod put_approval_result;
mod retry;
mod rollback;

pub use disable_transition::*;
pub use enable_transition::*;
pub use get_state::*;
pub use list_rule_executions::*;
pub use list_rule_types::*;
pub use override_condition::*;
pub use put_approval_result::*;
pub use retry::*;
pub use rollback::*;
