//! What every test crate of the simulator shares: one seed and one action duration, so
//! that a failure replays exactly, and the rule providers AWS documents. The engine crate's pipelines and calls are in
//! `tests/engine/helpers.rs`; the wire crate's SDK pipelines in `tests/wire/sdk.rs`.

use std::time::Duration;

use pipesim::Simulator;

/// Every test runs on this seed, so a failure replays exactly.
pub const SEED: u64 = 42;
/// Every non-approval action takes this long in the test simulators.
pub const ACTION: Duration = Duration::from_secs(10);
/// Every rule provider the user guide's rule reference documents, in its order: what
/// `ListRuleTypes` answers, embedded and through the SDK.
pub const RULE_PROVIDERS: [&str; 6] = [
    "CloudWatchAlarm",
    "CodeBuild",
    "Commands",
    "DeploymentWindow",
    "LambdaInvoke",
    "VariableCheck",
];

/// A virtual-time simulator where every action takes [`ACTION`] and succeeds, and a
/// new pipeline stays quiet: the tests of modes, limits and stops count the executions
/// they start themselves. The execution AWS starts on create has its own tests.
pub fn sim() -> Simulator {
    builder().start_on_create(false).build()
}

/// The builder of [`sim`], with the service's defaults for everything else.
pub fn builder() -> pipesim::SimulatorBuilder {
    Simulator::builder()
        .seed(SEED)
        .virtual_time()
        .action_duration(ACTION)
}
