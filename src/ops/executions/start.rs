//! `StartPipelineExecution`: the centre of pipesim. Admission (modes, the concurrency
//! limit, conflicts, tokens) is the engine's; this file is the operation around it.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{Error, ErrorKind, Result};
use crate::model::SourceRevisionType;
use crate::model::validate::{self, Violations};
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `StartPipelineExecution` input. Only `name` is required.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartPipelineExecutionInput {
    /// The pipeline.
    #[serde(default)]
    pub name: String,
    /// At most 50 variable values; names the pipeline does not declare are ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<Vec<PipelineVariable>>,
    /// Idempotency token: 1..128 of `[a-zA-Z0-9-]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<String>,
    /// Source revision overrides, at most 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_revisions: Option<Vec<SourceRevisionOverride>>,
}

impl StartPipelineExecutionInput {
    /// Starts pipeline `name` with no token, variables or overrides.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// The same start with an idempotency token.
    pub fn client_request_token(mut self, token: impl Into<String>) -> Self {
        self.client_request_token = Some(token.into());
        self
    }

    /// The same start setting one more variable.
    pub fn variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.variables
            .get_or_insert_with(Vec::new)
            .push(PipelineVariable {
                name: name.into(),
                value: value.into(),
            });
        self
    }

    /// The same start with one more source revision override.
    pub fn source_revision(
        mut self,
        action_name: impl Into<String>,
        revision_type: SourceRevisionType,
        revision_value: impl Into<String>,
    ) -> Self {
        self.source_revisions
            .get_or_insert_with(Vec::new)
            .push(SourceRevisionOverride {
                action_name: action_name.into(),
                revision_type,
                revision_value: revision_value.into(),
            });
        self
    }
}

/// A variable value given to a start.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PipelineVariable {
    /// A declared variable's name.
    #[serde(default)]
    pub name: String,
    /// 1..1000 characters.
    #[serde(default)]
    pub value: String,
}

/// Runs a source action at a given revision instead of the latest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceRevisionOverride {
    /// A source action of the pipeline.
    #[serde(default)]
    pub action_name: String,
    /// What kind of revision `revision_value` is.
    #[serde(default)]
    pub revision_type: SourceRevisionType,
    /// 1..1500 characters.
    #[serde(default)]
    pub revision_value: String,
}

/// `StartPipelineExecution` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartPipelineExecutionOutput {
    /// A lowercase v4 UUID.
    pub pipeline_execution_id: String,
}

/// `StartPipelineExecution`.
pub(crate) struct StartPipelineExecution;

impl Op for StartPipelineExecution {
    const OPERATION: Operation = Operation::StartPipelineExecution;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::Conflict,
        ErrorKind::PipelineNotFound,
        ErrorKind::ConcurrentPipelineExecutionsLimitExceeded,
    ];
    const CHANGES_STATE: bool = true;
    type Input = StartPipelineExecutionInput;
    type Output = StartPipelineExecutionOutput;

    fn target(input: &Self::Input) -> Option<&str> {
        Some(&input.name)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.name("name", &input.name, 100);
        if let Some(token) = &input.client_request_token {
            v.length("clientRequestToken", token, 1, 128);
            v.pattern(
                "clientRequestToken",
                token,
                validate::TOKEN_PATTERN,
                validate::is_token_char,
            );
        }
        if let Some(variables) = &input.variables {
            // The model says 1..50, but AWS accepts `variables: []` (recorded).
            v.list_length("variables", variables.len(), 0, 50);
            for (i, variable) in variables.iter().enumerate() {
                let path = format!("variables.{}.member", i + 1);
                v.length(&format!("{path}.name"), &variable.name, 1, 128);
                v.pattern(
                    &format!("{path}.name"),
                    &variable.name,
                    validate::VARIABLE_NAME_PATTERN,
                    validate::is_variable_name_char,
                );
                v.length(&format!("{path}.value"), &variable.value, 1, 1000);
            }
        }
        if let Some(revisions) = &input.source_revisions {
            v.list_length("sourceRevisions", revisions.len(), 0, 50);
            for (i, revision) in revisions.iter().enumerate() {
                let path = format!("sourceRevisions.{}.member", i + 1);
                v.name(&format!("{path}.actionName"), &revision.action_name, 100);
                v.enumeration(&format!("{path}.revisionType"), &revision.revision_type);
                v.length(
                    &format!("{path}.revisionValue"),
                    &revision.revision_value,
                    1,
                    1500,
                );
            }
        }
        v.finish()?;
        let variables = input.variables.as_deref().unwrap_or_default();
        for (i, variable) in variables.iter().enumerate() {
            if variables[..i].iter().any(|v| v.name == variable.name) {
                return Err(Error::Validation(format!(
                    "Variable names must be unique. The following variable name is already in use: {}",
                    variable.name
                )));
            }
        }
        Ok(())
    }

    /// As recorded on the real service (GetPipeline words it otherwise).
    fn pipeline_not_found(account: &str, name: &str) -> Error {
        Error::PipelineNotFound(format!(
            "Pipeline with name {name} does not exist in account {account}."
        ))
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let slot = cx.pipeline(&input.name)?;
        let id = cx.change(&slot, |engine, now, fx| engine.start(input, now, fx))?;
        tracing::debug!(execution = %id, "started");
        Ok(StartPipelineExecutionOutput {
            pipeline_execution_id: id.to_string(),
        })
    }
}

impl From<&str> for StartPipelineExecutionInput {
    fn from(name: &str) -> Self {
        Self::new(name)
    }
}

impl Simulator {
    /// `StartPipelineExecution`.
    ///
    /// ```
    /// # use pipesim::{Simulator, model::*};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), pipesim::Error> {
    /// let sim = Simulator::builder().seed(1).virtual_time().build();
    /// # sim.create_pipeline(PipelineDeclaration::two_stage_example("MyPipeline")).await?;
    /// let input = StartPipelineExecutionInput::new("MyPipeline").client_request_token("deploy-42");
    /// let first = sim.start_pipeline_execution(input.clone()).await?;
    /// // The same token and parameters replay the first execution instead of starting another.
    /// assert_eq!(sim.start_pipeline_execution(input).await?, first);
    ///
    /// let err = sim.start_pipeline_execution("Missing").await.unwrap_err();
    /// assert_eq!(err.error_type(), "PipelineNotFoundException");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`, `ConflictException`,
    /// `ConcurrentPipelineExecutionsLimitExceededException`.
    pub async fn start_pipeline_execution(
        &self,
        input: impl Into<StartPipelineExecutionInput>,
    ) -> Result<StartPipelineExecutionOutput> {
        self.call::<StartPipelineExecution>(input.into()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn message(result: Result<()>) -> String {
        match result {
            Err(Error::Validation(message)) => message,
            other => panic!("expected a ValidationException, got {other:?}"),
        }
    }

    #[test]
    fn start_name_must_match_the_name_pattern() {
        let input = StartPipelineExecutionInput::new("my pipeline");
        assert_eq!(
            message(StartPipelineExecution::validate(&input)),
            r"1 validation error detected: Value at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9.@\-_]+"
        );
    }

    #[test]
    fn start_reports_every_problem_with_one_based_member_paths() {
        let input = StartPipelineExecutionInput::new("x".repeat(101))
            .client_request_token("bad token")
            .variable("ok", "")
            .source_revision("Source", SourceRevisionType::Unknown("TAG".into()), "v1");
        assert_eq!(
            message(StartPipelineExecution::validate(&input)),
            "4 validation errors detected: \
             Value at 'name' failed to satisfy constraint: Member must have length less than or equal to 100; \
             Value at 'clientRequestToken' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9-]+$; \
             Value at 'variables.1.member.value' failed to satisfy constraint: Member must have length greater than or equal to 1; \
             Value at 'sourceRevisions.1.member.revisionType' failed to satisfy constraint: Member must satisfy enum value set: [COMMIT_ID, IMAGE_DIGEST, S3_OBJECT_VERSION_ID, S3_OBJECT_KEY]"
        );
    }

    #[test]
    fn start_variables_hold_at_most_fifty_items_and_may_be_empty() {
        let mut input = StartPipelineExecutionInput::new("P");
        input.variables = Some(Vec::new());
        assert!(StartPipelineExecution::validate(&input).is_ok());
        let mut input = StartPipelineExecutionInput::new("P");
        for i in 0..51 {
            input = input.variable(format!("v{i}"), "x");
        }
        assert!(message(StartPipelineExecution::validate(&input)).contains(
            "Value at 'variables' failed to satisfy constraint: Member must have length less than or equal to 50"
        ));
    }

    #[test]
    fn duplicated_variable_names_are_refused_with_the_recorded_message() {
        let input = StartPipelineExecutionInput::new("P")
            .variable("Env", "a")
            .variable("env", "b")
            .variable("Env", "c");
        assert_eq!(
            message(StartPipelineExecution::validate(&input)),
            "Variable names must be unique. The following variable name is already in use: Env"
        );
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        let input = StartPipelineExecutionInput::new("P").variable("v", "é".repeat(1000));
        assert!(StartPipelineExecution::validate(&input).is_ok());
    }
}
