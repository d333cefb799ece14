//! The string enums of the service model.
//!
//! Input enums keep a value they do not know as `Unknown(String)` instead of failing to
//! parse, so that validation can answer a `ValidationException` that names the allowed
//! values, as the real service does. Output-only enums are plain Rust enums.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares an input enum with its wire spellings and an `Unknown` catch-all.
macro_rules! input_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value the service model does not allow; validation rejects it.
            Unknown(String),
        }

        impl $name {
            /// Every value the service model allows, in the model's order.
            pub const VALUES: &'static [&'static str] = &[$($wire),+];

            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Unknown(other) => other,
                }
            }

            /// Whether the value is one the service model allows.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl Default for $name {
            /// The empty value, which validation rejects: what a missing member reads as.
            fn default() -> Self {
                Self::Unknown(String::new())
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)+
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }

        impl crate::model::validate::ModelEnum for $name {
            fn is_known(&self) -> bool { $name::is_known(self) }
            fn values() -> &'static [&'static str] { Self::VALUES }
        }
    };
}

input_enum! {
    /// `PipelineTriggerProviderType`.
    PipelineTriggerProviderType {
        /// A source action using a connection (GitHub, GitLab, Bitbucket, ...).
        CodeStarSourceConnection = "CodeStarSourceConnection",
    }
}

input_enum! {
    /// `GitPullRequestEventType`.
    GitPullRequestEventType {
        /// A pull request was opened.
        Open = "OPEN",
        /// A new revision was pushed to a pull request.
        Updated = "UPDATED",
        /// A pull request was closed (merged).
        Closed = "CLOSED",
    }
}

input_enum! {
    /// How a pipeline admits executions (`pipeline.executionMode`).
    ExecutionMode {
        /// Executions queue FIFO in front of locked stages (V2 only).
        Queued = "QUEUED",
        /// A newer execution supersedes the one waiting in front of a locked stage.
        Superseded = "SUPERSEDED",
        /// Executions run independently; stages do not lock (V2 only).
        Parallel = "PARALLEL",
    }
}

input_enum! {
    /// The pipeline type (`pipeline.pipelineType`).
    PipelineType {
        /// The original pipeline type: SUPERSEDED only, no variables.
        V1 = "V1",
        /// The newer type: every execution mode, pipeline variables.
        V2 = "V2",
    }
}

input_enum! {
    /// What kind of work an action does.
    ActionCategory {
        /// Fetches source: only allowed in the first stage.
        Source = "Source",
        /// Builds.
        Build = "Build",
        /// Deploys.
        Deploy = "Deploy",
        /// Tests.
        Test = "Test",
        /// Invokes a function.
        Invoke = "Invoke",
        /// Waits for a person (provider `Manual`).
        Approval = "Approval",
        /// Runs commands.
        Compute = "Compute",
    }
}

input_enum! {
    /// Who provides an action type.
    ActionOwner {
        /// Amazon.
        Aws = "AWS",
        /// A partner.
        ThirdParty = "ThirdParty",
        /// The account itself.
        Custom = "Custom",
    }
}

input_enum! {
    /// How an action type registered by a provider runs its jobs.
    ExecutorType {
        /// A job worker polls for the type's jobs.
        JobWorker = "JobWorker",
        /// CodePipeline invokes a Lambda function with each job.
        Lambda = "Lambda",
    }
}

input_enum! {
    /// What kind of rule a stage condition runs: the model allows only `Rule`.
    RuleCategory {
        /// A rule of a stage condition.
        Rule = "Rule",
    }
}

input_enum! {
    /// Who provides a rule type: the model allows only `AWS`.
    RuleOwner {
        /// Amazon.
        Aws = "AWS",
    }
}

input_enum! {
    /// The kind of revision a source override names.
    SourceRevisionType {
        /// A git commit.
        CommitId = "COMMIT_ID",
        /// A container image digest.
        ImageDigest = "IMAGE_DIGEST",
        /// An S3 object version.
        S3ObjectVersionId = "S3_OBJECT_VERSION_ID",
        /// An S3 object key.
        S3ObjectKey = "S3_OBJECT_KEY",
    }
}

input_enum! {
    /// How a webhook authenticates the requests to its URL.
    WebhookAuthenticationType {
        /// GitHub's `X-Hub-Signature`: an HMAC of the payload with `SecretToken`.
        GithubHmac = "GITHUB_HMAC",
        /// Requests from `AllowedIPRange` only.
        Ip = "IP",
        /// Every request.
        Unauthenticated = "UNAUTHENTICATED",
    }
}

input_enum! {
    /// Which transition of a stage `DisableStageTransition` and `EnableStageTransition`
    /// name: into the stage, or out of it.
    StageTransitionType {
        /// Into the stage: executions wait in front of it.
        Inbound = "Inbound",
        /// Out of the stage: executions wait in front of the next one.
        Outbound = "Outbound",
    }
}

input_enum! {
    /// Which runs of an execution `ListActionExecutions` lists.
    StartTimeRange {
        /// Each action's latest run in the execution.
        Latest = "Latest",
        /// Every run in the execution.
        All = "All",
    }
}

input_enum! {
    /// Which actions `RetryStageExecution` runs again.
    StageRetryMode {
        /// The actions that did not succeed, from the first run-order group that has one.
        FailedActions = "FAILED_ACTIONS",
        /// Every action of the stage.
        AllActions = "ALL_ACTIONS",
    }
}

input_enum! {
    /// What a stage condition does when it is met: its `result`.
    ConditionResult {
        /// Roll the stage back to the last execution that succeeded in it.
        Rollback = "ROLLBACK",
        /// Fail the stage.
        Fail = "FAIL",
        /// Retry the failed stage once (`onFailure` only).
        Retry = "RETRY",
        /// Skip the stage (`beforeEntry` only).
        Skip = "SKIP",
    }
}

input_enum! {
    /// Which condition of a stage `OverrideStageCondition` overrides.
    ConditionType {
        /// The stage's entry condition.
        BeforeEntry = "BEFORE_ENTRY",
        /// The stage's success condition.
        OnSuccess = "ON_SUCCESS",
    }
}

input_enum! {
    /// A reviewer's answer to a manual approval.
    ApprovalStatus {
        /// The action succeeds.
        Approved = "Approved",
        /// The action fails, and with it the stage and the execution.
        Rejected = "Rejected",
    }
}

input_enum! {
    /// The kind of artifact store.
    ArtifactStoreType {
        /// An S3 bucket.
        S3 = "S3",
    }
}

/// The status of a pipeline execution, exactly as the service spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PipelineExecutionStatus {
    /// Running or waiting for a stage. There is no "Queued" status.
    InProgress,
    /// A stop was requested; in-progress actions are finishing or being abandoned.
    Stopping,
    /// Stopped on request.
    Stopped,
    /// Every stage succeeded.
    Succeeded,
    /// A newer execution took its place in front of a locked stage (SUPERSEDED mode).
    Superseded,
    /// An action failed.
    Failed,
    /// The pipeline was updated before the execution could finish.
    Cancelled,
}

impl PipelineExecutionStatus {
    /// Whether the execution still counts against the concurrency limit.
    pub fn is_active(self) -> bool {
        matches!(self, Self::InProgress | Self::Stopping)
    }

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InProgress => "InProgress",
            Self::Stopping => "Stopping",
            Self::Stopped => "Stopped",
            Self::Succeeded => "Succeeded",
            Self::Superseded => "Superseded",
            Self::Failed => "Failed",
            Self::Cancelled => "Cancelled",
        }
    }
}

impl fmt::Display for PipelineExecutionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The status of one execution's run of one stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StageExecutionStatus {
    /// Running or waiting to enter.
    InProgress,
    /// A stop was requested while the stage ran.
    Stopping,
    /// Stopped on request.
    Stopped,
    /// Every action succeeded.
    Succeeded,
    /// An action failed.
    Failed,
    /// The pipeline was updated before the stage could complete.
    Cancelled,
    /// Never run (not produced by pipesim; kept for model completeness).
    Skipped,
}

input_enum! {
    /// Why a job worker failed a job (`failureDetails.type`).
    FailureType {
        /// The job failed.
        JobFailed = "JobFailed",
        /// The action's configuration is wrong.
        ConfigurationError = "ConfigurationError",
        /// The worker lacks a permission.
        PermissionError = "PermissionError",
        /// The revision changed under the job.
        RevisionOutOfSync = "RevisionOutOfSync",
        /// The revision is gone.
        RevisionUnavailable = "RevisionUnavailable",
        /// Something the worker depends on is down.
        SystemUnavailable = "SystemUnavailable",
    }
}

/// Where a job stands, from its creation to its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum JobStatus {
    /// Made, not yet offered (pipesim offers a job as soon as it is made).
    Created,
    /// Waiting for a worker's poll.
    Queued,
    /// Handed to a worker by a poll, not yet acknowledged.
    Dispatched,
    /// Acknowledged by the worker that polled it.
    InProgress,
    /// Not finished in time; its action failed.
    TimedOut,
    /// Finished by `PutJobSuccessResult`.
    Succeeded,
    /// Finished by `PutJobFailureResult`, or its action ended without it.
    Failed,
}

impl JobStatus {
    /// Whether the job is over: nothing but reads reaches it any more.
    pub fn is_final(self) -> bool {
        matches!(self, Self::TimedOut | Self::Succeeded | Self::Failed)
    }
}

/// The status of one action execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActionExecutionStatus {
    /// Running, or waiting for an approval.
    InProgress,
    /// Given up by a stop-and-abandon, an update or a supersession.
    Abandoned,
    /// Done, successfully.
    Succeeded,
    /// Done, unsuccessfully.
    Failed,
}

/// The type of an execution. pipesim runs only standard executions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExecutionType {
    /// A normal run.
    #[default]
    #[serde(rename = "STANDARD")]
    Standard,
    /// A rollback (not produced by pipesim).
    #[serde(rename = "ROLLBACK")]
    Rollback,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_enums_keep_unknown_values_for_validation() {
        let mode: ExecutionMode = serde_json::from_str("\"FIFO\"").unwrap();
        assert_eq!(mode, ExecutionMode::Unknown("FIFO".into()));
        assert!(!mode.is_known());
        assert_eq!(serde_json::to_string(&mode).unwrap(), "\"FIFO\"");
        let known: ExecutionMode = serde_json::from_str("\"PARALLEL\"").unwrap();
        assert_eq!(known, ExecutionMode::Parallel);
    }

    #[test]
    fn statuses_use_the_service_spelling() {
        assert_eq!(
            serde_json::to_string(&PipelineExecutionStatus::InProgress).unwrap(),
            "\"InProgress\""
        );
        assert_eq!(
            serde_json::to_string(&ExecutionType::Standard).unwrap(),
            "\"STANDARD\""
        );
    }
}
