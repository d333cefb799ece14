//! How simulated actions behave: how long they take and whether they succeed.
//!
//! Behaviour is layered: a setting on one action beats the pipeline's setting, which
//! beats the simulator's default. Each layer may set the duration, the outcome, both or
//! neither.

use std::collections::HashMap;
use std::time::Duration;

/// Whether a simulated action succeeds.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Outcome {
    /// Always succeeds.
    Succeed,
    /// Always fails.
    Fail,
    /// Fails with this probability (0.0..=1.0), drawn from the seeded generator.
    FailWithProbability(f64),
}

/// How one run of an action ends, on demand
/// ([`Simulator::finish_action`](crate::Simulator::finish_action)) or as scripted
/// ([`Simulator::script_action`](crate::Simulator::script_action)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ActionResult {
    /// The action succeeds.
    Succeeded,
    /// The action fails.
    Failed,
    /// The action keeps running until it is finished on demand, or its execution is
    /// stopped or cancelled: its timer no longer ends it.
    Held,
}

/// How one run of an action ends, with the failure it reports: the unit of a script
/// ("fail twice with this message, then succeed") and of finishing an action on demand.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActionEnd {
    /// Succeeded, Failed or Held.
    pub result: ActionResult,
    /// A failure's `errorDetails.code`; `JobFailed` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A failure's `errorDetails.message`, or a success's `summary`; 1..5000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl ActionEnd {
    /// The run succeeds.
    pub fn succeeded() -> Self {
        ActionResult::Succeeded.into()
    }

    /// The run fails, reporting `message`.
    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            message: Some(message.into()),
            ..ActionResult::Failed.into()
        }
    }

    /// The run keeps going until it is finished on demand.
    pub fn held() -> Self {
        ActionResult::Held.into()
    }

    /// The same end, with `code` as the failure's error code.
    pub fn code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// The same end, with `message` as the failure's message or the success's summary.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Checks the lengths the service model allows where the end shows: a failure's
    /// `errorDetails.message` (1..5000), a success's `summary` (1..2048), and a code of
    /// 1..5000 (the model sets no bound; pipesim keeps it to a message's), naming the
    /// fields under `path`.
    pub(crate) fn check(&self, path: &str, v: &mut crate::model::validate::Violations) {
        if let Some(code) = &self.code {
            v.length(&format!("{path}.code"), code, 1, 5000);
        }
        if let Some(message) = &self.message {
            let max = if self.result == ActionResult::Succeeded {
                2048
            } else {
                5000
            };
            v.length(&format!("{path}.message"), message, 1, max);
        }
    }

    /// What the run shows when it ends this way: its status, summary and error; `None`
    /// for a held run, which does not end. `default_failure` is the message of a failure
    /// that names none.
    pub(crate) fn shown(
        &self,
        default_summary: Option<&str>,
        default_failure: &str,
    ) -> Option<(
        crate::model::ActionExecutionStatus,
        Option<String>,
        Option<crate::model::ErrorDetails>,
    )> {
        use crate::model::{ActionExecutionStatus, ErrorDetails};
        match self.result {
            ActionResult::Succeeded => Some((
                ActionExecutionStatus::Succeeded,
                self.message
                    .clone()
                    .or_else(|| default_summary.map(str::to_owned)),
                None,
            )),
            ActionResult::Failed => Some((
                ActionExecutionStatus::Failed,
                None,
                Some(ErrorDetails {
                    code: self.code.clone().unwrap_or_else(|| "JobFailed".into()),
                    message: self
                        .message
                        .clone()
                        .unwrap_or_else(|| default_failure.to_owned()),
                }),
            )),
            ActionResult::Held => None,
        }
    }
}

impl From<ActionResult> for ActionEnd {
    fn from(result: ActionResult) -> Self {
        Self {
            result,
            code: None,
            message: None,
        }
    }
}

/// Duration and outcome of simulated actions; unset fields fall through to the next
/// layer.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ActionBehaviour {
    /// How long the action runs. Manual approvals ignore it: they wait for an answer.
    pub duration: Option<Duration>,
    /// Whether it succeeds.
    pub outcome: Option<Outcome>,
    /// Whether it waits for a job worker (or a Lambda function) to report its result
    /// with `PutJobSuccessResult` or `PutJobFailureResult`, instead of ending by itself.
    /// Actions of custom and third-party types always do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_worker: Option<bool>,
}

impl ActionBehaviour {
    /// Runs for `duration` and succeeds.
    pub fn succeed_after(duration: Duration) -> Self {
        Self {
            duration: Some(duration),
            outcome: Some(Outcome::Succeed),
            job_worker: None,
        }
    }

    /// Runs for `duration` and fails.
    pub fn fail_after(duration: Duration) -> Self {
        Self {
            duration: Some(duration),
            outcome: Some(Outcome::Fail),
            job_worker: None,
        }
    }

    /// Only sets the outcome.
    pub fn outcome(outcome: Outcome) -> Self {
        Self {
            outcome: Some(outcome),
            ..Self::default()
        }
    }

    /// Only sets the duration.
    pub fn duration(duration: Duration) -> Self {
        Self {
            duration: Some(duration),
            ..Self::default()
        }
    }

    /// Waits for a job worker: each run posts a job that `PollForJobs` hands out, and
    /// ends only with `PutJobSuccessResult` or `PutJobFailureResult` (or when the job
    /// times out). This is how a harness plays the Lambda function of an invoke action.
    pub fn job_worker() -> Self {
        Self {
            job_worker: Some(true),
            ..Self::default()
        }
    }

    /// This layer over `fallback`: each field this one leaves unset comes from there.
    pub(crate) fn over(self, fallback: ActionBehaviour) -> ActionBehaviour {
        ActionBehaviour {
            duration: self.duration.or(fallback.duration),
            outcome: self.outcome.or(fallback.outcome),
            job_worker: self.job_worker.or(fallback.job_worker),
        }
    }
}

/// Settings of one pipeline that are not part of its declaration.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PipelineSettings {
    /// Active executions a QUEUED or PARALLEL pipeline admits; the simulator default
    /// (50) when unset.
    pub max_concurrent_executions: Option<u32>,
    /// Behaviour of every action of the pipeline.
    pub actions: ActionBehaviour,
    /// Behaviour of single actions, keyed by (stage name, action name).
    #[serde(with = "pairs")]
    pub per_action: HashMap<(String, String), ActionBehaviour>,
}

/// The per-action map as a list of `[stage, action, behaviour]`, sorted, since JSON
/// keys are strings and not pairs.
mod pairs {
    use std::collections::HashMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::ActionBehaviour;

    type Map = HashMap<(String, String), ActionBehaviour>;

    pub(super) fn serialize<S: Serializer>(map: &Map, serializer: S) -> Result<S::Ok, S::Error> {
        let mut list: Vec<(&str, &str, &ActionBehaviour)> = map
            .iter()
            .map(|((stage, action), behaviour)| (stage.as_str(), action.as_str(), behaviour))
            .collect();
        list.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        list.serialize(serializer)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Map, D::Error> {
        let list = Vec::<(String, String, ActionBehaviour)>::deserialize(deserializer)?;
        Ok(list
            .into_iter()
            .map(|(stage, action, behaviour)| ((stage, action), behaviour))
            .collect())
    }
}

impl PipelineSettings {
    /// No settings: everything from the simulator defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the concurrency limit of a QUEUED or PARALLEL pipeline.
    pub fn max_concurrent_executions(mut self, limit: u32) -> Self {
        self.max_concurrent_executions = Some(limit);
        self
    }

    /// Sets the behaviour of every action of the pipeline.
    pub fn all_actions(mut self, behaviour: ActionBehaviour) -> Self {
        self.actions = behaviour;
        self
    }

    /// Sets the behaviour of one action.
    pub fn action(mut self, stage: &str, action: &str, behaviour: ActionBehaviour) -> Self {
        self.per_action
            .insert((stage.to_owned(), action.to_owned()), behaviour);
        self
    }

    /// The behaviour of `stage`/`action` under these settings.
    pub(crate) fn behaviour_of(&self, stage: &str, action: &str) -> ActionBehaviour {
        // Lookups by borrowed pair would need an owned key; settings are read only when
        // a pipeline is (re)compiled, so the allocation is off the hot path.
        let own = self
            .per_action
            .get(&(stage.to_owned(), action.to_owned()))
            .copied();
        own.unwrap_or_default().over(self.actions)
    }
}

impl Outcome {
    /// Draws whether one run of an action succeeds.
    pub(crate) fn succeeds(self, rng: &mut crate::sim::rng::Rng) -> bool {
        match self {
            Outcome::Succeed => true,
            Outcome::Fail => false,
            Outcome::FailWithProbability(p) => !rng.chance(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_settings_beat_pipeline_settings_field_by_field() {
        let settings = PipelineSettings::new()
            .all_actions(ActionBehaviour::succeed_after(Duration::from_secs(5)))
            .action("Build", "Compile", ActionBehaviour::outcome(Outcome::Fail));
        let compile = settings.behaviour_of("Build", "Compile");
        assert_eq!(compile.outcome, Some(Outcome::Fail));
        assert_eq!(compile.duration, Some(Duration::from_secs(5)));
        assert_eq!(
            settings.behaviour_of("Build", "Other").outcome,
            Some(Outcome::Succeed)
        );
    }
}
