//! Scenario files: a whole error scenario in one reviewed file. The file holds the
//! pipelines, how their actions behave, the fault rules and the rate limits.
//!
//! A scenario is TOML (`.toml`) or JSON (anything else). The field names are those of
//! the admin API, and docs/scenarios.md has the schema with examples.
//! [`Scenario::configure`] applies its defaults to a [`SimulatorBuilder`], and
//! [`Scenario::install`] creates its pipelines and installs its rules. Pipelines come
//! first, so that the scenario's own set-up is never throttled or faulted.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use pipesim::scenario::Scenario;
//!
//! let scenario = Scenario::from_toml(r#"
//!     seed = 7
//!     [[faults]]
//!     operation = "StartPipelineExecution"
//!     error = "ThrottlingException"
//!     times = 2
//! "#)?;
//! let sim = scenario.configure(pipesim::Simulator::builder()).virtual_time().build();
//! scenario.install(&sim).await?;
//! assert_eq!(sim.faults().len(), 1);
//! # Ok(())
//! # }
//! ```

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::engine::behaviour::{ActionBehaviour, ActionEnd, Outcome, PipelineSettings};
use crate::faults::{FaultRule, RateLimit};
use crate::model::{CreatePipelineInput, PipelineDeclaration, Tag};
use crate::service::{Simulator, SimulatorBuilder};

/// A scenario file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    /// The seed, unless the command line gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Whether the clock is virtual (moved only by the admin API or `advance`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_time: Option<bool>,
    /// Simulator-wide behaviour, unless the command line sets it.
    #[serde(default)]
    pub defaults: Defaults,
    /// Pipelines to create, in order.
    #[serde(default)]
    pub pipelines: Vec<ScenarioPipeline>,
    /// Fault rules to install, in order (ids `fault-1`, `fault-2`, ...).
    #[serde(default)]
    pub faults: Vec<FaultRule>,
    /// Rate limits to install, in order (ids `limit-1`, ...).
    #[serde(default)]
    pub rate_limits: Vec<RateLimit>,
}

/// Simulator-wide behaviour.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Defaults {
    /// How long every non-approval action runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_duration_ms: Option<u64>,
    /// Chance that an action fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_failure_probability: Option<f64>,
    /// Active executions a QUEUED or PARALLEL pipeline admits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrent_executions: Option<u32>,
    /// How long a manual approval waits before it fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_timeout_seconds: Option<u64>,
    /// Whether `CreatePipeline` starts an execution, as AWS does (default `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_on_create: Option<bool>,
}

/// One pipeline of a scenario, with how its actions behave.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScenarioPipeline {
    /// The declaration, as `CreatePipeline` takes it.
    pub pipeline: PipelineDeclaration,
    /// Tags to create it with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// The account to create it in; the simulator's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The region to create it in; the simulator's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// This pipeline's concurrency limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrent_executions: Option<u32>,
    /// How long each of its actions runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_duration_ms: Option<u64>,
    /// Chance that each of its actions fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_failure_probability: Option<f64>,
    /// Behaviour of single actions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ScenarioAction>,
    /// Scripted runs of the rules of stage conditions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<ScenarioRule>,
}

/// How the next runs of one rule of a stage's conditions end.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScenarioRule {
    /// The stage's name.
    pub stage: String,
    /// The rule's name.
    pub rule: String,
    /// How its next runs end, in turn.
    pub script: Vec<ActionEnd>,
}

/// How one action behaves.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScenarioAction {
    /// The stage's name.
    pub stage: String,
    /// The action's name.
    pub action: String,
    /// How long it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// Chance that it fails: 0 always succeeds, 1 always fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_probability: Option<f64>,
    /// Whether each run waits for a job worker's `PutJobSuccessResult` or
    /// `PutJobFailureResult` instead of ending by itself (custom and third-party actions
    /// always do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_worker: Option<bool>,
    /// How its next runs end, in turn ("fail twice, then succeed"); after them it
    /// behaves as the fields above say.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub script: Vec<ActionEnd>,
}

/// A scenario that cannot be read or installed, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ScenarioError(pub String);

fn outcome(probability: f64) -> Result<Outcome, ScenarioError> {
    if probability == 0.0 {
        Ok(Outcome::Succeed)
    } else if probability == 1.0 {
        Ok(Outcome::Fail)
    } else if (0.0..=1.0).contains(&probability) {
        Ok(Outcome::FailWithProbability(probability))
    } else {
        Err(ScenarioError(format!(
            "a failure probability must be between 0 and 1, not {probability}"
        )))
    }
}

impl Scenario {
    /// Reads a scenario file: TOML when its name ends in `.toml`, else JSON.
    ///
    /// # Errors
    /// A [`ScenarioError`] naming the file and what is wrong with it.
    pub fn from_path(path: &Path) -> Result<Self, ScenarioError> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| ScenarioError(format!("cannot read {}: {err}", path.display())))?;
        let parsed = if path.extension().is_some_and(|ext| ext == "toml") {
            Self::from_toml(&text)
        } else {
            Self::from_json(&text)
        };
        let scenario =
            parsed.map_err(|err| ScenarioError(format!("{}: {}", path.display(), err.0)))?;
        scenario
            .check()
            .map_err(|err| ScenarioError(format!("{}: {}", path.display(), err.0)))?;
        Ok(scenario)
    }

    /// Parses a TOML scenario.
    ///
    /// # Errors
    /// A [`ScenarioError`] saying where the text is wrong.
    pub fn from_toml(text: &str) -> Result<Self, ScenarioError> {
        toml::from_str(text).map_err(|err| ScenarioError(format!("not a valid scenario: {err}")))
    }

    /// Parses a JSON scenario.
    ///
    /// # Errors
    /// A [`ScenarioError`] saying where the text is wrong.
    pub fn from_json(text: &str) -> Result<Self, ScenarioError> {
        serde_json::from_str(text)
            .map_err(|err| ScenarioError(format!("not a valid scenario: {err}")))
    }

    /// Checks what can be checked before a simulator exists.
    fn check(&self) -> Result<(), ScenarioError> {
        if let Some(p) = self.defaults.action_failure_probability {
            outcome(p)?;
        }
        for pipeline in &self.pipelines {
            for p in pipeline.action_failure_probability.iter().chain(
                pipeline
                    .actions
                    .iter()
                    .filter_map(|a| a.failure_probability.as_ref()),
            ) {
                outcome(*p).map_err(|err| {
                    ScenarioError(format!("pipeline '{}': {}", pipeline.pipeline.name, err.0))
                })?;
            }
        }
        Ok(())
    }

    /// Applies the scenario's seed, clock and defaults to `builder`.
    pub fn configure(&self, mut builder: SimulatorBuilder) -> SimulatorBuilder {
        if let Some(seed) = self.seed {
            builder = builder.seed(seed);
        }
        if self.virtual_time == Some(true) {
            builder = builder.virtual_time();
        }
        let defaults = &self.defaults;
        if let Some(ms) = defaults.action_duration_ms {
            builder = builder.action_duration(Duration::from_millis(ms));
        }
        if let Some(p) = defaults.action_failure_probability
            && let Ok(outcome) = outcome(p)
        {
            builder = builder.action_outcome(outcome);
        }
        if let Some(limit) = defaults.max_concurrent_executions {
            builder = builder.max_concurrent_executions(limit);
        }
        if let Some(secs) = defaults.approval_timeout_seconds {
            builder = builder.approval_timeout(Duration::from_secs(secs));
        }
        if let Some(start) = defaults.start_on_create {
            builder = builder.start_on_create(start);
        }
        builder
    }

    /// Creates the scenario's pipelines, then installs its fault rules and rate limits.
    ///
    /// # Errors
    /// A [`ScenarioError`] naming the pipeline, rule or limit that could not be set up;
    /// what came before it stays installed.
    pub async fn install(&self, sim: &Simulator) -> Result<(), ScenarioError> {
        self.check()?;
        for entry in &self.pipelines {
            let name = &entry.pipeline.name;
            let fail = |why: String| ScenarioError(format!("pipeline '{name}': {why}"));
            let scoped = sim.with_scope(
                entry.account.as_deref().unwrap_or(sim.account()),
                entry.region.as_deref().unwrap_or(sim.region()),
            );
            let mut input = CreatePipelineInput::new(entry.pipeline.clone());
            input.tags = entry.tags.clone();
            scoped
                .create_pipeline(input)
                .await
                .map_err(|err| fail(format!("{}: {}", err.error_type(), err.message())))?;
            let mut settings = PipelineSettings::new();
            settings.max_concurrent_executions = entry.max_concurrent_executions;
            settings.actions = ActionBehaviour {
                duration: entry.action_duration_ms.map(Duration::from_millis),
                outcome: entry.action_failure_probability.map(outcome).transpose()?,
                job_worker: None,
            };
            for action in &entry.actions {
                let behaviour = ActionBehaviour {
                    duration: action.duration_ms.map(Duration::from_millis),
                    outcome: action.failure_probability.map(outcome).transpose()?,
                    job_worker: action.job_worker,
                };
                settings = settings.action(&action.stage, &action.action, behaviour);
            }
            scoped
                .configure_pipeline(name, settings)
                .map_err(|err| fail(err.message().to_owned()))?;
            for action in entry.actions.iter().filter(|a| !a.script.is_empty()) {
                let runs = action.script.iter().cloned();
                scoped
                    .script_action(name, &action.stage, &action.action, runs)
                    .await
                    .map_err(|err| fail(format!("{}: {}", err.error_type(), err.message())))?;
            }
            for rule in &entry.rules {
                let runs = rule.script.iter().cloned();
                scoped
                    .script_rule(name, &rule.stage, &rule.rule, runs)
                    .await
                    .map_err(|err| fail(format!("{}: {}", err.error_type(), err.message())))?;
            }
        }
        for (i, rule) in self.faults.iter().enumerate() {
            sim.add_fault(rule.clone())
                .map_err(|err| ScenarioError(format!("fault {}: {}", i + 1, err.0)))?;
        }
        for (i, limit) in self.rate_limits.iter().enumerate() {
            sim.add_rate_limit(limit.clone())
                .map_err(|err| ScenarioError(format!("rate limit {}: {}", i + 1, err.0)))?;
        }
        Ok(())
    }
}
