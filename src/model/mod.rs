//! The AWS shapes of CodePipeline and their validation.
//!
//! Everything here is plain data with serde, using the service model's exact member
//! names, so the same values serve the embedded API and the wire. [`validate`] checks
//! inputs the way the service does before anything touches state.

pub mod enums;
pub mod ids;
pub mod operations;
pub mod pipeline;
pub(crate) mod validate;

pub use enums::*;
pub use ids::{ExecutionId, ParseExecutionIdError, Timestamp};
pub use operations::*;
pub use pipeline::*;
pub use validate::ModelEnum;
