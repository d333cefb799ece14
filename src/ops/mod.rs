//! One home per operation: every CodePipeline operation pipesim serves is declared once,
//! in a file of its family, and listed once in the registry below.
//!
//! An operation is a type that implements [`Op`]. Its declaration gives everything about
//! it: its input and output shapes, the errors the service model lists for it, whether
//! it changes state, how its input is validated, and the one function that applies it.
//! Everything else goes through that declaration, so nothing about an operation is
//! written down twice:
//!
//! - **the embedded API**: `Simulator::start_pipeline_execution` and its siblings, each
//!   defined beside its operation, are one line: [`Simulator::call`], which applies the
//!   fault rules, validates, applies and waits for the state file;
//! - **the wire**: the server decodes a body as the operation's input and makes the same
//!   call (its dispatch is generated from the registry);
//! - **the journal and replay**: a call that changes state is journaled as its
//!   operation's name and input, and replay applies it with the very same
//!   [`Op::apply`], so live and restored behaviour cannot drift;
//! - **fault rules**: they name operations by [`Operation`] and may inject only an
//!   operation's modeled errors.
//!
//! | family | operations |
//! |---|---|
//! | [`pipelines`] | `CreatePipeline`, `GetPipeline`, `UpdatePipeline`, `DeletePipeline`, `ListPipelines` |
//! | [`executions`] | `StartPipelineExecution`, `StopPipelineExecution`, `GetPipelineExecution`, `ListPipelineExecutions`, `ListActionExecutions`, `ListDeployActionExecutionTargets`, `PutActionRevision` |
//! | [`stages`] | `GetPipelineState`, `PutApprovalResult`, `DisableStageTransition`, `EnableStageTransition`, `RetryStageExecution`, `RollbackStage`, `OverrideStageCondition`, `ListRuleExecutions`, `ListRuleTypes` |
//! | [`jobs`] | `PollForJobs`, `AcknowledgeJob`, `GetJobDetails`, `PutJobSuccessResult`, `PutJobFailureResult`, and the five `ThirdParty` ones |
//! | [`action_types`] | `CreateCustomActionType`, `DeleteCustomActionType`, `ListActionTypes`, `GetActionType`, `UpdateActionType` |
//! | [`webhooks`] | `PutWebhook`, `ListWebhooks`, `DeleteWebhook`, `RegisterWebhookWithThirdParty`, `DeregisterWebhookWithThirdParty` |
//! | [`tags`] | `ListTagsForResource`, `TagResource`, `UntagResource` (pipelines, webhooks and custom action types) |
//!
//! Operations take no lock themselves: `apply` reads and changes state only through the
//! primitives of `Cx` (`crate::service::call`), which take the locks in the order
//! `crate::service` states.
//!
//! `docs/design.md` ("Adding an operation") walks through adding one.
//!
//! [`Simulator::call`]: crate::Simulator

pub(crate) mod action_types;
pub(crate) mod executions;
pub(crate) mod jobs;
pub(crate) mod pipelines;
pub(crate) mod stages;
pub(crate) mod tags;
pub(crate) mod webhooks;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorKind, Result};
use crate::service::Cx;

/// One CodePipeline operation, declared once.
///
/// `apply` reaches state only through its [`Cx`], whose primitives lock, journal and
/// schedule: that is what lets replay call `apply` again and arrive where the live call
/// did. A state-changing operation changes one thing (one pipeline's engine, its tags,
/// or the registry of pipelines) through one primitive call, which journals the call as
/// it makes the change, under the lock that orders it.
pub(crate) trait Op: Sized + 'static {
    /// Which operation this is.
    const OPERATION: Operation;
    /// The errors the service model lists for it, in the model's order. Fault rules may
    /// inject these (and the generic ones every call can answer).
    const ERRORS: &'static [ErrorKind];
    /// Whether a call can change state; only such calls are journaled and replayed.
    const CHANGES_STATE: bool;
    /// The input shape, as the wire sends it and the journal records it.
    type Input: Serialize + DeserializeOwned + Send + Sync + 'static;
    /// The output shape. `()` for operations whose answer has no body.
    type Output: Serialize + Send + 'static;

    /// The pipeline a call names, if any: fault rules match on it and spans show it.
    fn target(input: &Self::Input) -> Option<&str>;

    /// Checks the input against the service model's constraints. Runs before anything
    /// is looked up, so a call that fails it changes nothing.
    ///
    /// # Errors
    /// `ValidationException`, or the operation's own `Invalid*Exception`s.
    fn validate(input: &Self::Input) -> Result<()>;

    /// What a call answers when its pipeline does not exist: the real service words
    /// `PipelineNotFoundException` differently from one operation to another.
    fn pipeline_not_found(account: &str, name: &str) -> Error {
        Error::pipeline_not_found(account, name)
    }

    /// Does what the operation does, on a validated input: the one place its behaviour
    /// lives, for live calls and replay alike.
    ///
    /// # Errors
    /// The operation's modeled errors.
    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output>;
}

/// The registry: every operation pipesim serves, as `family::Type`, in the order of the
/// service model's documentation. Adding an operation adds one line here.
///
/// Calls `$callback!` with the list, so each consumer (the [`Operation`] enum, the
/// server's dispatch, replay) generates its code from this one list.
macro_rules! with_operations {
    ($callback:ident) => {
        $callback! {
            pipelines::CreatePipeline,
            pipelines::GetPipeline,
            pipelines::UpdatePipeline,
            pipelines::DeletePipeline,
            pipelines::ListPipelines,
            executions::StartPipelineExecution,
            executions::StopPipelineExecution,
            executions::GetPipelineExecution,
            executions::ListPipelineExecutions,
            executions::ListActionExecutions,
            executions::PutActionRevision,
            executions::ListDeployActionExecutionTargets,
            stages::GetPipelineState,
            stages::PutApprovalResult,
            stages::DisableStageTransition,
            stages::EnableStageTransition,
            stages::RetryStageExecution,
            stages::RollbackStage,
            stages::OverrideStageCondition,
            stages::ListRuleExecutions,
            stages::ListRuleTypes,
            action_types::CreateCustomActionType,
            action_types::DeleteCustomActionType,
            action_types::ListActionTypes,
            action_types::GetActionType,
            action_types::UpdateActionType,
            tags::ListTagsForResource,
            tags::TagResource,
            tags::UntagResource,
            jobs::PollForJobs,
            jobs::AcknowledgeJob,
            jobs::GetJobDetails,
            jobs::PutJobSuccessResult,
            jobs::PutJobFailureResult,
            jobs::PollForThirdPartyJobs,
            jobs::AcknowledgeThirdPartyJob,
            jobs::GetThirdPartyJobDetails,
            jobs::PutThirdPartyJobSuccessResult,
            jobs::PutThirdPartyJobFailureResult,
            webhooks::PutWebhook,
            webhooks::ListWebhooks,
            webhooks::DeleteWebhook,
            webhooks::RegisterWebhookWithThirdParty,
            webhooks::DeregisterWebhookWithThirdParty,
        }
    };
}
pub(crate) use with_operations;

/// Declares [`Operation`] from the registry.
macro_rules! declare_operations {
    ($($family:ident::$op:ident),+ $(,)?) => {
        /// Every CodePipeline operation pipesim serves, by its name in the service model
        /// (the part of `X-Amz-Target` after `CodePipeline_20150709.`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Operation {
            $(#[doc = concat!("`", stringify!($op), "`.")] $op,)+
        }

        impl Operation {
            /// Every operation, in the order of the service model's documentation.
            pub const ALL: &'static [Operation] = &[$(Operation::$op,)+];

            /// The operation's name, as in `X-Amz-Target`.
            pub fn name(self) -> &'static str {
                match self { $(Operation::$op => stringify!($op),)+ }
            }

            /// The operation of that exact name, if pipesim serves it.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $(stringify!($op) => Some(Operation::$op),)+ _ => None }
            }

            /// The errors the service model lists for this operation.
            pub fn modeled_errors(self) -> &'static [ErrorKind] {
                match self { $(Operation::$op => <$family::$op as Op>::ERRORS,)+ }
            }

            /// Whether a call of this operation can change state.
            pub fn changes_state(self) -> bool {
                match self { $(Operation::$op => <$family::$op as Op>::CHANGES_STATE,)+ }
            }
        }
    };
}
with_operations!(declare_operations);

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks at compile time, through the registry, that each listed type declares the
    /// operation it is listed as.
    macro_rules! check_declarations {
        ($($family:ident::$op:ident),+ $(,)?) => {
            [$((stringify!($op), <$family::$op as Op>::OPERATION),)+]
        };
    }

    #[test]
    fn every_registered_type_declares_the_operation_it_is_listed_as() {
        for (listed, declared) in with_operations!(check_declarations) {
            assert_eq!(declared.name(), listed);
            assert_eq!(Operation::from_name(listed), Some(declared));
        }
    }

    #[test]
    fn every_operation_may_answer_validation_exception() {
        for op in Operation::ALL {
            assert!(
                op.modeled_errors().contains(&ErrorKind::Validation),
                "{op} does not list ValidationException"
            );
        }
    }

    #[test]
    fn reads_do_not_change_state_and_writes_do() {
        let changing: Vec<&str> = Operation::ALL
            .iter()
            .filter(|op| op.changes_state())
            .map(|op| op.name())
            .collect();
        assert_eq!(
            changing,
            [
                "CreatePipeline",
                "UpdatePipeline",
                "DeletePipeline",
                "StartPipelineExecution",
                "StopPipelineExecution",
                "PutActionRevision",
                "PutApprovalResult",
                "DisableStageTransition",
                "EnableStageTransition",
                "RetryStageExecution",
                "RollbackStage",
                "OverrideStageCondition",
                "CreateCustomActionType",
                "DeleteCustomActionType",
                "UpdateActionType",
                "TagResource",
                "UntagResource",
                "PollForJobs",
                "AcknowledgeJob",
                "PutJobSuccessResult",
                "PutJobFailureResult",
                "PollForThirdPartyJobs",
                "AcknowledgeThirdPartyJob",
                "PutThirdPartyJobSuccessResult",
                "PutThirdPartyJobFailureResult",
                "PutWebhook",
                "DeleteWebhook",
                "RegisterWebhookWithThirdParty",
                "DeregisterWebhookWithThirdParty",
            ]
        );
    }
}
