//! The stages and actions family: a pipeline's state, stage by stage, and answers to
//! manual approvals.

mod get_state;
mod put_approval_result;

pub use get_state::*;
pub use put_approval_result::*;
