//! # pipesim: a fast, faithful simulator of the AWS CodePipeline execution engine
//!
//! pipesim tracks the executions of every pipeline the way CodePipeline does: the
//! SUPERSEDED, QUEUED and PARALLEL execution modes with their stage locks, the
//! concurrency limit, `clientRequestToken` idempotency, CodePipeline's validation
//! messages, stops, manual approvals and updates. Time can be virtual and every id and
//! outcome comes from one seed, so a test harness gets the same answers every run.
//!
//! ```
//! use std::time::Duration;
//! use pipesim::model::*;
//! use pipesim::Simulator;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), pipesim::Error> {
//! let sim = Simulator::builder().seed(7).virtual_time().build();
//! let pipeline = PipelineDeclaration::new("MyPipeline", vec![
//!     StageDeclaration::new("Source", vec![
//!         ActionDeclaration::new("Fetch", ActionTypeId::s3_source())
//!             .config("S3Bucket", "my-source-bucket")
//!             .config("S3ObjectKey", "app.zip")
//!             .output("Src"),
//!     ]),
//!     StageDeclaration::new("Deploy", vec![
//!         ActionDeclaration::new("Ship", ActionTypeId::s3_deploy())
//!             .config("BucketName", "my-site-bucket")
//!             .config("Extract", "true")
//!             .input("Src"),
//!     ]),
//! ]);
//! sim.create_pipeline(pipeline).await?;
//!
//! let out = sim.start_pipeline_execution("MyPipeline").await?;
//! sim.advance(Duration::from_secs(60)).await;
//! let exe = sim.get_pipeline_execution(("MyPipeline", out.pipeline_execution_id.as_str())).await?;
//! assert_eq!(exe.pipeline_execution.status, PipelineExecutionStatus::Succeeded);
//! # Ok(())
//! # }
//! ```
//!
//! ## Map of the code
//!
//! | module | what it is for |
//! |---|---|
//! | `ops` | one file per CodePipeline operation, by family: its shapes, modeled errors, validation and the one `apply` that live calls and replay share; the registry every list of operations is generated from |
//! | [`model`] | the AWS shapes (serde, exact camelCase names) operations share, re-exports of every operation's own, the tables of the action and rule types AWS owns, and the service's input validation |
//! | [`engine`] | the per-pipeline state machine: pure, synchronous, `now` passed in; every CodePipeline rule lives here once, stage conditions and the rules they run included |
//! | [`service`] | [`Simulator`], the async handle: sharded state, short locks in a stated order, the call path, the harness API |
//! | `sim` | the clock (virtual or real), seeded randomness, and the one timer heap that moves executions |
//! | `sync` | the locks: parking_lot's, or shuttle's while the model checks run |
//! | [`events`] | a stream of execution, stage, action, condition and rule transitions to wait on |
//! | [`faults`] | fault rules and rate limits: errors, latency and throttling by rule, seeded |
//! | [`persist`] | state files: the append-only journal of every change, replayed on restart |
//! | [`scenario`] | scenario files: pipelines, behaviours, scripted runs, faults and limits in one reviewed file |
//! | [`error`] | [`Error`] and [`ErrorKind`](error::ErrorKind): every client-visible error with its wire name and HTTP status |
//! | `server` | `pipesim serve`: the API over AWS JSON 1.1 for boto3, the AWS CLI and the AWS SDKs, the admin API and the live dashboard under `/_pipesim/` (feature `server`, on by default) |
//! | `testing` | an AWS SDK configuration that calls the router in process, and one-line loopback servers, for Rust test suites (feature `server`) |
//!
//! ## Features
//!
//! - `server` (default): the HTTP front end, `pipesim::server` and `pipesim::testing`.
//! - `cli` (default): the `pipesim` binary (`serve`, `bench`, `load`) and its crates.
//!
//! A test harness that only embeds the simulator can depend on pipesim with
//! `default-features = false` and compiles neither.
//!
//! The design, with a diagram, is in `docs/design.md`; every rule and every choice pipesim
//! makes where AWS is silent is in `docs/behaviour.md`.

#![warn(missing_docs)]

pub mod engine;
pub mod error;
pub mod events;
pub mod faults;
pub mod model;
pub(crate) mod ops;
pub mod persist;
pub mod scenario;
#[cfg(feature = "server")]
pub mod server;
pub mod service;
pub(crate) mod sim;
pub(crate) mod sync;
#[cfg(feature = "server")]
pub mod testing;

pub use engine::behaviour::{ActionBehaviour, ActionEnd, ActionResult, Outcome, PipelineSettings};
pub use error::{Error, Result};
pub use events::{Event, EventKind, EventStream, EventStreamError};
pub use service::jobs::JobInfo;
pub use service::{
    Compaction, DEFAULT_CALLER_ARN, GitEventOutcome, GitNotStarted, GitStart, PipelineStats,
    Simulator, SimulatorBuilder,
};
