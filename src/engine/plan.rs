//! A pipeline declaration compiled into what the engine walks: stages, run-order groups
//! and each action's resolved behaviour.
//!
//! Compiling once per create, update or settings change keeps lookups and layering off
//! the path of every start.

use std::sync::Arc;
use std::time::Duration;

use crate::model::{
    ActionCategory, Condition, ConditionResult, ExecutionMode, PipelineDeclaration,
    StageDeclaration, StageRetryMode,
};

use super::behaviour::{ActionBehaviour, Outcome, PipelineSettings};
use super::jobs::JobKind;

/// The execution mode, as the engine needs it (always a known value).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum Mode {
    Superseded,
    Queued,
    Parallel,
}

impl Mode {
    /// Whether stages admit one execution at a time.
    pub(crate) fn locks_stages(self) -> bool {
        self != Mode::Parallel
    }

    /// Whether the concurrency limit applies.
    pub(crate) fn is_limited(self) -> bool {
        self != Mode::Superseded
    }

    pub(crate) fn as_model(self) -> ExecutionMode {
        match self {
            Mode::Superseded => ExecutionMode::Superseded,
            Mode::Queued => ExecutionMode::Queued,
            Mode::Parallel => ExecutionMode::Parallel,
        }
    }
}

/// One compiled pipeline version.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) version: u32,
    pub(crate) mode: Mode,
    pub(crate) stages: Vec<StagePlan>,
    pub(crate) variables: Vec<VariablePlan>,
}

#[derive(Debug)]
pub(crate) struct StagePlan {
    pub(crate) name: Arc<str>,
    /// In declaration order (the order `GetPipelineState` reports).
    pub(crate) actions: Vec<ActionPlan>,
    /// Indexes into `actions`, one group per run order, lowest first.
    pub(crate) groups: Vec<Vec<u16>>,
    /// The stage's conditions with rules, by [`CondKind`] index.
    pub(crate) conditions: [Option<ConditionPlan>; 3],
    /// What a failure of the stage leads to.
    pub(crate) on_failure: FailurePlan,
}

/// A condition with rules: what it does when it decides, and its rules' names.
#[derive(Debug)]
pub(crate) struct ConditionPlan {
    pub(crate) result: ConditionResult,
    pub(crate) rules: Vec<Arc<str>>,
    /// How long each rule runs (the pipeline's action duration).
    pub(crate) duration: Duration,
}

/// What a failed stage does, from its `onFailure`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FailurePlan {
    /// The execution fails (with `onFailure` conditions: when they allow no rollback).
    Fail,
    /// The stage runs again once, automatically.
    Retry(RetryMode),
    /// The execution fails and the stage rolls back to the last execution that
    /// succeeded in it (with conditions: when their rules succeed).
    Rollback,
}

/// Which actions a retry runs again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RetryMode {
    FailedActions,
    AllActions,
}

/// The three kinds of stage condition, as indexes into [`StagePlan::conditions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum CondKind {
    BeforeEntry = 0,
    OnSuccess = 1,
    OnFailure = 2,
}

impl CondKind {
    pub(crate) const ALL: [CondKind; 3] = [
        CondKind::BeforeEntry,
        CondKind::OnSuccess,
        CondKind::OnFailure,
    ];

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// Its member name in a stage declaration.
    pub(crate) fn member(self) -> &'static str {
        match self {
            CondKind::BeforeEntry => "beforeEntry",
            CondKind::OnSuccess => "onSuccess",
            CondKind::OnFailure => "onFailure",
        }
    }

    /// The condition of this kind a stage declares.
    pub(crate) fn of(self, stage: &StageDeclaration) -> Option<&Condition> {
        match self {
            CondKind::BeforeEntry => stage.before_entry.as_ref()?.conditions.first(),
            CondKind::OnSuccess => stage.on_success.as_ref()?.conditions.first(),
            CondKind::OnFailure => stage.on_failure.as_ref()?.conditions.as_ref()?.first(),
        }
    }
}

#[derive(Debug)]
pub(crate) struct ActionPlan {
    pub(crate) name: Arc<str>,
    pub(crate) approval: bool,
    pub(crate) source: bool,
    pub(crate) duration: Duration,
    pub(crate) outcome: Outcome,
    /// Whether its runs wait for a job worker, and of which kind.
    pub(crate) job: Option<JobKind>,
    /// A Lambda invoke action: its job waits for the function's reply.
    pub(crate) lambda: bool,
}

#[derive(Debug)]
pub(crate) struct VariablePlan {
    pub(crate) name: String,
    pub(crate) default_value: Option<String>,
}

impl Plan {
    /// Compiles a validated declaration under `settings` over the simulator `defaults`.
    pub(crate) fn compile(
        declaration: &PipelineDeclaration,
        version: u32,
        settings: &PipelineSettings,
        defaults: ActionBehaviour,
    ) -> Plan {
        let mode = match declaration.execution_mode {
            Some(ExecutionMode::Queued) => Mode::Queued,
            Some(ExecutionMode::Parallel) => Mode::Parallel,
            _ => Mode::Superseded,
        };
        let stages = declaration
            .stages
            .iter()
            .map(|stage| {
                let actions: Vec<ActionPlan> = stage
                    .actions
                    .iter()
                    .map(|action| {
                        let behaviour = settings
                            .behaviour_of(&stage.name, &action.name)
                            .over(defaults);
                        ActionPlan {
                            name: Arc::from(action.name.as_str()),
                            approval: action.is_manual_approval(),
                            source: action.action_type_id.category == ActionCategory::Source,
                            duration: behaviour.duration.unwrap_or_default(),
                            outcome: behaviour.outcome.unwrap_or(Outcome::Succeed),
                            job: JobKind::of(action, behaviour),
                            lambda: super::jobs::is_lambda_invoke(action),
                        }
                    })
                    .collect();
                let mut run_orders: Vec<i64> = stage
                    .actions
                    .iter()
                    .map(|a| a.run_order.unwrap_or(1))
                    .collect();
                run_orders.sort_unstable();
                run_orders.dedup();
                let groups = run_orders
                    .iter()
                    .map(|&order| {
                        (0..stage.actions.len() as u16)
                            .filter(|&i| {
                                stage.actions[usize::from(i)].run_order.unwrap_or(1) == order
                            })
                            .collect()
                    })
                    .collect();
                let rule_duration = settings.actions.over(defaults).duration;
                let condition = |kind: CondKind| {
                    // A condition without rules has nothing to check (the model allows
                    // one); it neither holds an execution nor shows a state.
                    let condition = kind.of(stage).filter(|c| !c.rule_list().is_empty())?;
                    Some(ConditionPlan {
                        result: condition.result.clone()?,
                        rules: condition
                            .rule_list()
                            .iter()
                            .map(|r| Arc::from(r.name.as_str()))
                            .collect(),
                        duration: rule_duration.unwrap_or_default(),
                    })
                };
                let on_failure = stage.on_failure.as_ref();
                let on_failure = match on_failure.and_then(|f| f.result.as_ref()) {
                    Some(ConditionResult::Retry) => {
                        let mode = on_failure
                            .and_then(|f| f.retry_configuration.as_ref())
                            .and_then(|r| r.retry_mode.as_ref());
                        FailurePlan::Retry(match mode {
                            Some(StageRetryMode::AllActions) => RetryMode::AllActions,
                            _ => RetryMode::FailedActions,
                        })
                    }
                    Some(ConditionResult::Rollback) => FailurePlan::Rollback,
                    _ => match CondKind::OnFailure
                        .of(stage)
                        .and_then(|c| c.result.as_ref())
                    {
                        Some(ConditionResult::Rollback) => FailurePlan::Rollback,
                        _ => FailurePlan::Fail,
                    },
                };
                StagePlan {
                    name: Arc::from(stage.name.as_str()),
                    actions,
                    groups,
                    conditions: CondKind::ALL.map(condition),
                    on_failure,
                }
            })
            .collect();
        Plan {
            version,
            mode,
            stages,
            variables: declaration
                .declared_variables()
                .iter()
                .map(|v| VariablePlan {
                    name: v.name.clone(),
                    default_value: v.default_value.clone(),
                })
                .collect(),
        }
    }

    pub(crate) fn stage_index(&self, name: &str) -> Option<usize> {
        self.stages.iter().position(|s| &*s.name == name)
    }

    /// The source action named `name`, if the first stage has one.
    pub(crate) fn source_action(&self, name: &str) -> Option<&ActionPlan> {
        self.stages
            .first()?
            .actions
            .iter()
            .find(|a| a.source && &*a.name == name)
    }
}
