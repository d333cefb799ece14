//! The embedded `Simulator` API, in process and without a socket: validation, starts,
//! executions, pipelines and tags, action and rule types, faults and scenarios, durable state, and properties.
//!
//! One test crate of modules rather than one crate per file, so the tests link once.

#[path = "../common/mod.rs"]
mod common;
mod helpers;

mod action_history;
mod action_types;
mod approvals;
mod conditions;
mod custom_action_types;
mod deploy_targets;
mod executions;
mod faults;
mod jobs;
mod pipelines;
mod properties;
mod recovery;
mod references;
mod retry;
mod rollback;
mod rule_executions;
mod rule_types;
mod scripts;
mod shapes;
mod sources;
mod start;
mod state;
mod transitions;
mod triggers;
