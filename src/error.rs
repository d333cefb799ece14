//! The one error type every operation returns.
//!
//! Each variant is a client-visible CodePipeline error and knows its wire name (the
//! `__type` of an AWS JSON 1.1 error body) and its HTTP status, so the embedded API and
//! the server report the same thing. The table of variants below is the only place
//! those names and statuses are written down.

/// Declares [`Error`] from one table: variant, wire name, HTTP status.
macro_rules! service_errors {
    ($($(#[$doc:meta])* $variant:ident => $wire:literal, $status:literal;)+) => {
        /// A CodePipeline error, as the real service would return it.
        ///
        /// The payload is the human-readable message (the `message` of the wire body).
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        #[non_exhaustive]
        pub enum Error {
            $($(#[$doc])* #[error("{0}")] $variant(String),)+
            /// An injected error answered with a status other than its usual one (a
            /// fault rule with `status`). Everything but the status is the inner error's.
            #[error("{error}")]
            WithStatus {
                /// The error itself.
                error: Box<Error>,
                /// The HTTP status to answer with.
                status: u16,
            },
        }

        /// Which error an [`Error`] is, without its message: what an operation declares
        /// among its modeled errors, and what fault rules name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $($(#[$doc])* $variant,)+
        }

        impl ErrorKind {
            /// Every kind, in the order of the table.
            pub const ALL: &'static [ErrorKind] = &[$(Self::$variant,)+];

            /// The shape name, sent as `__type` on the wire.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)+
                }
            }

            /// The kind whose shape name is `name`.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($wire => Some(Self::$variant),)+
                    _ => None,
                }
            }

            /// This kind of error with `message`.
            pub fn with_message(self, message: String) -> Error {
                match self {
                    $(Self::$variant => Error::$variant(message),)+
                }
            }
        }

        impl Error {
            /// Which error this is.
            pub fn kind(&self) -> ErrorKind {
                match self {
                    $(Self::$variant(_) => ErrorKind::$variant,)+
                    Self::WithStatus { error, .. } => error.kind(),
                }
            }

            /// The error's shape name, sent as `__type` on the wire.
            pub fn error_type(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => $wire,)+
                    Self::WithStatus { error, .. } => error.error_type(),
                }
            }

            /// The HTTP status the real service answers this error with.
            pub fn http_status(&self) -> u16 {
                match self {
                    $(Self::$variant(_) => $status,)+
                    Self::WithStatus { status, .. } => *status,
                }
            }

            /// The human-readable message.
            pub fn message(&self) -> &str {
                match self {
                    $(Self::$variant(m) => m,)+
                    Self::WithStatus { error, .. } => error.message(),
                }
            }

            /// The error whose shape name is `error_type`, with `message`; `None` for a
            /// name this table does not hold.
            pub fn from_type(error_type: &str, message: String) -> Option<Error> {
                ErrorKind::from_name(error_type).map(|kind| kind.with_message(message))
            }

            /// Every shape name this table holds.
            pub const TYPES: &'static [&'static str] = &[$($wire,)+];
        }
    };
}

service_errors! {
    /// An input broke a constraint of the service model, or a rule pipesim documents.
    Validation => "ValidationException", 400;
    /// No pipeline of that name in this account and region.
    PipelineNotFound => "PipelineNotFoundException", 400;
    /// `GetPipeline` asked for a version the pipeline never had.
    PipelineVersionNotFound => "PipelineVersionNotFoundException", 400;
    /// No execution of that id in that pipeline.
    PipelineExecutionNotFound => "PipelineExecutionNotFoundException", 400;
    /// A QUEUED or PARALLEL pipeline already holds its limit of active executions.
    ConcurrentPipelineExecutionsLimitExceeded =>
        "ConcurrentPipelineExecutionsLimitExceededException", 400;
    /// The pipeline is busy (being updated or deleted); try again later.
    Conflict => "ConflictException", 400;
    /// `CreatePipeline` with a name already taken in this account and region.
    PipelineNameInUse => "PipelineNameInUseException", 400;
    /// The pipeline as a whole is malformed (stage count, modes, artifact store, ...).
    InvalidStructure => "InvalidStructureException", 400;
    /// A stage declaration is malformed (duplicate name, action count).
    InvalidStageDeclaration => "InvalidStageDeclarationException", 400;
    /// An action declaration is malformed (duplicate name, artifacts).
    InvalidActionDeclaration => "InvalidActionDeclarationException", 400;
    /// The account and region already hold the maximum number of pipelines.
    LimitExceeded => "LimitExceededException", 400;
    /// A tag is malformed or uses a reserved prefix.
    InvalidTags => "InvalidTagsException", 400;
    /// More than 50 tags on one resource.
    TooManyTags => "TooManyTagsException", 400;
    /// A `nextToken` that this service did not issue.
    InvalidNextToken => "InvalidNextTokenException", 400;
    /// The execution has already finished and cannot be stopped.
    PipelineExecutionNotStoppable => "PipelineExecutionNotStoppableException", 400;
    /// A stop of the same kind is already under way for this execution.
    DuplicatedStopRequest => "DuplicatedStopRequestException", 400;
    /// `PutApprovalResult` named a stage the pipeline does not have.
    StageNotFound => "StageNotFoundException", 400;
    /// `PutApprovalResult` named an action the stage does not have.
    ActionNotFound => "ActionNotFoundException", 400;
    /// `ListDeployActionExecutionTargets` named an action run the pipeline does not have.
    ActionExecutionNotFound => "ActionExecutionNotFoundException", 400;
    /// The approval token matches no approval waiting for an answer.
    InvalidApprovalToken => "InvalidApprovalTokenException", 400;
    /// The approval this token belongs to has already been answered or has timed out.
    ApprovalAlreadyCompleted => "ApprovalAlreadyCompletedException", 400;
    /// `RetryStageExecution` of a stage that did not fail or stop in that execution.
    StageNotRetryable => "StageNotRetryableException", 400;
    /// `RetryStageExecution` of an execution that is not the stage's latest.
    NotLatestPipelineExecution => "NotLatestPipelineExecutionException", 400;
    /// `RollbackStage` to an execution that cannot be its target.
    UnableToRollbackStage => "UnableToRollbackStageException", 400;
    /// `RollbackStage` to an execution of an earlier version of the pipeline.
    PipelineExecutionOutdated => "PipelineExecutionOutdatedException", 400;
    /// `OverrideStageCondition` of a condition that is not being checked, or whose
    /// result (`SKIP`) allows no override.
    ConditionNotOverridable => "ConditionNotOverridableException", 400;
    /// No job of that id in this account and region.
    JobNotFound => "JobNotFoundException", 400;
    /// The job is not in a state that allows the call (already finished, timed out).
    InvalidJobState => "InvalidJobStateException", 400;
    /// `AcknowledgeJob` with a nonce other than the one the job was handed out with.
    InvalidNonce => "InvalidNonceException", 400;
    /// A third-party job call with a client token other than the job's.
    InvalidClientToken => "InvalidClientTokenException", 400;
    /// `GetThirdPartyJobDetails` of a job that is not a third-party job.
    InvalidJob => "InvalidJobException", 400;
    /// No action type of that category, owner, provider and version (a poll for a type
    /// nobody may poll, `GetActionType` of a type not registered).
    ActionTypeNotFound => "ActionTypeNotFoundException", 400;
    /// `PutJobSuccessResult` with output variables larger than the service allows.
    OutputVariablesSizeExceeded => "OutputVariablesSizeExceededException", 400;
    /// A tag operation named an ARN of no resource this account and region holds.
    ResourceNotFound => "ResourceNotFoundException", 400;
    /// A tag operation named something that is not a CodePipeline resource ARN.
    InvalidArn => "InvalidArnException", 400;
    /// No webhook of that name in this account and region.
    WebhookNotFound => "WebhookNotFoundException", 400;
    /// `PutWebhook` with a filter whose `jsonPath` is not a JSONPath expression.
    InvalidWebhookFilterPattern => "InvalidWebhookFilterPatternException", 400;
    /// `PutWebhook` with an `authenticationConfiguration` its `authentication` does not
    /// take (a missing secret, a range that is not a CIDR block, a property too many).
    InvalidWebhookAuthenticationParameters =>
        "InvalidWebhookAuthenticationParametersException", 400;
    /// Only injected by a fault rule: the request failed for an unknown reason.
    RequestFailed => "RequestFailedException", 400;
    /// Only the server: the body is not JSON, or a member has the wrong type.
    Serialization => "SerializationException", 400;
    /// Only the server: the `X-Amz-Target` names no CodePipeline operation.
    UnknownOperation => "UnknownOperationException", 400;
    /// Only the server: the body is larger than the server accepts.
    RequestEntityTooLarge => "RequestEntityTooLargeException", 413;
    /// Only the server: the client did not send its body in time.
    RequestTimeout => "RequestTimeoutException", 408;
    /// Only injected by a fault rule: pipesim does not model blockers.
    InvalidBlockerDeclaration => "InvalidBlockerDeclarationException", 400;
    /// Only injected by a fault rule: pipesim applies changes atomically.
    ConcurrentModification => "ConcurrentModificationException", 400;
    /// Too many calls: a rate limit or a fault rule. SDKs retry it with backoff.
    Throttling => "ThrottlingException", 400;
    /// The service failed: injected by a fault rule, or the state file could not be
    /// written. SDKs retry it.
    InternalFailure => "InternalFailure", 500;
    /// The service is unavailable (injected by a fault rule). SDKs retry it.
    ServiceUnavailable => "ServiceUnavailable", 503;
    /// Only the server with `--require-auth`: the request has no `Authorization` header.
    MissingAuthenticationToken => "MissingAuthenticationTokenException", 403;
    /// Only the server with `--require-auth`: the signature lacks parts or is malformed.
    IncompleteSignature => "IncompleteSignatureException", 400;
    /// Only the server with `--require-auth`: no configured credential has this key.
    UnrecognizedClient => "UnrecognizedClientException", 403;
    /// Only the server with `--require-auth`: the signature is wrong or expired.
    InvalidSignature => "InvalidSignatureException", 403;
}

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The message `PipelineNotFoundException` carries in the real service.
    pub(crate) fn pipeline_not_found(account: &str, name: &str) -> Self {
        Self::PipelineNotFound(format!(
            "Account '{account}' does not have a pipeline with name '{name}'"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_knows_its_wire_name_and_status() {
        let err = Error::ConcurrentPipelineExecutionsLimitExceeded("full".into());
        assert_eq!(
            err.error_type(),
            "ConcurrentPipelineExecutionsLimitExceededException"
        );
        assert_eq!(err.http_status(), 400);
        assert_eq!(err.message(), "full");
        assert_eq!(err.to_string(), "full");
    }

    #[test]
    fn pipeline_not_found_names_account_and_pipeline() {
        let err = Error::pipeline_not_found("123456789012", "Missing");
        assert_eq!(err.error_type(), "PipelineNotFoundException");
        assert_eq!(
            err.message(),
            "Account '123456789012' does not have a pipeline with name 'Missing'"
        );
    }
}
