//! pipesim over HTTP: the official Rust SDK against an in-process server (on a loopback
//! socket, or with no socket at all), SigV4 authentication, hostile clients on a real
//! socket, and properties of the router.
//!
//! One test crate of modules rather than one crate per file, so the tests link once.

#[path = "../common/mod.rs"]
mod common;
mod sdk;

mod auth;
mod hostile;
mod in_process;
mod job_worker;
mod jobs;
// The loop of `examples/job_worker`, compiled here too so a test can run it.
#[path = "../../examples/job_worker/worker.rs"]
mod job_worker_example;
mod recorded;
mod sources;
mod wire;
mod wire_properties;
