//! Time, randomness and timers: the simulation machinery under the engine.
//!
//! - [`clock`]: virtual or real "now".
//! - [`rng`]: one seed, a derived generator per pipeline.
//! - [`scheduler`]: the single timer heap that moves every execution forward.

pub(crate) mod clock;
pub(crate) mod rng;
pub(crate) mod scheduler;
