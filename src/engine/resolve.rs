//! Variable references in an action's configuration, resolved for one execution as
//! CodePipeline resolves them when the action runs: `#{variables.NAME}` from the
//! execution's pipeline variables, `#{codepipeline.PipelineExecutionId}`, and
//! `#{Namespace.Key}` from the output variables of the source action that declares
//! the namespace. A reference to a value the execution does not have stays as written.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::model::references::{self, CODEPIPELINE, PIPELINE_VARIABLES};
use crate::model::{ActionDeclaration, PipelineDeclaration};

use super::PipelineEngine;
use super::execution::Execution;
use super::provider;

impl PipelineEngine {
    /// The configuration of `stage`/`action` with its references resolved for the
    /// execution `execution_id`, under the pipeline version that execution ran.
    ///
    /// # Errors
    /// `PipelineExecutionNotFoundException`, `StageNotFoundException`,
    /// `ActionNotFoundException`.
    pub(crate) fn resolved_configuration(
        &self,
        execution_id: &str,
        stage: &str,
        action: &str,
    ) -> Result<BTreeMap<String, String>> {
        let exec = &self.executions[&self.seq_of(execution_id)?];
        let declaration = self.declaration_of(exec);
        let name = &self.ident.name;
        let declared_stage = declaration
            .stages
            .iter()
            .find(|s| s.name == stage)
            .ok_or_else(|| {
                Error::StageNotFound(format!(
                    "Stage '{stage}' was not found in pipeline '{name}'"
                ))
            })?;
        let declared = declared_stage
            .actions
            .iter()
            .find(|a| a.name == action)
            .ok_or_else(|| {
                Error::ActionNotFound(format!(
                    "Action '{action}' was not found in stage '{stage}' of pipeline '{name}'"
                ))
            })?;
        Ok(self.resolve(declaration, exec, declared))
    }

    /// `action`'s configuration with its references resolved for `exec`, which ran
    /// `declaration`.
    pub(super) fn resolve(
        &self,
        declaration: &PipelineDeclaration,
        exec: &Execution,
        action: &ActionDeclaration,
    ) -> BTreeMap<String, String> {
        self.resolve_map(declaration, exec, action.configuration.as_ref())
    }

    /// A configuration (an action's or a rule's) with its references resolved for
    /// `exec`, which ran `declaration`; empty when there is none.
    pub(super) fn resolve_map(
        &self,
        declaration: &PipelineDeclaration,
        exec: &Execution,
        configuration: Option<&BTreeMap<String, String>>,
    ) -> BTreeMap<String, String> {
        let mut configuration = configuration.cloned().unwrap_or_default();
        for value in configuration.values_mut() {
            *value = self.resolve_value(declaration, exec, value);
        }
        configuration
    }

    /// `value` with every reference `exec` has a value for replaced by that value.
    pub(super) fn resolve_value(
        &self,
        declaration: &PipelineDeclaration,
        exec: &Execution,
        value: &str,
    ) -> String {
        let mut resolved = value.to_owned();
        for reference in references::references(value) {
            if let Some(found) = self.variable(declaration, exec, reference) {
                let written = format!("#{{{}.{}}}", reference.namespace, reference.key);
                resolved = resolved.replace(&written, &found);
            }
        }
        resolved
    }

    /// The value of one reference in one execution, if it has one.
    fn variable(
        &self,
        declaration: &PipelineDeclaration,
        exec: &Execution,
        reference: references::Reference<'_>,
    ) -> Option<String> {
        match reference.namespace {
            PIPELINE_VARIABLES => exec
                .details
                .as_deref()?
                .variables
                .iter()
                .find(|v| v.name == reference.key)
                .map(|v| v.resolved_value.clone()),
            CODEPIPELINE => (reference.key == "PipelineExecutionId").then(|| exec.id.to_string()),
            namespace => {
                if let Some(value) = self.reported_variable(declaration, exec, reference) {
                    return Some(value);
                }
                let (index, source) = declaration
                    .stages
                    .first()?
                    .actions
                    .iter()
                    .enumerate()
                    .find(|(_, a)| namespace_of(a) == Some(namespace))?;
                let given = self.named_revision(exec, &source.name);
                provider::output_variables(
                    source,
                    (&self.ident.account, &self.ident.region),
                    exec.fetched_by(),
                    index,
                    given,
                    exec.started,
                )
                .into_iter()
                .find(|(key, _)| *key == reference.key)
                .map(|(_, value)| value)
            }
        }
    }
}

impl PipelineEngine {
    /// The value of `reference` among the output variables a job worker reported for
    /// the latest run, in `exec`, of the action whose namespace it names.
    fn reported_variable(
        &self,
        declaration: &PipelineDeclaration,
        exec: &Execution,
        reference: references::Reference<'_>,
    ) -> Option<String> {
        let (stage, action) = declaration
            .stages
            .iter()
            .enumerate()
            .find_map(|(s, stage)| {
                let a = stage
                    .actions
                    .iter()
                    .position(|a| namespace_of(a) == Some(reference.namespace))?;
                Some((s, a))
            })?;
        self.action_log
            .reported_of(exec.id, (stage, action))?
            .output_variables
            .get(reference.key)
            .cloned()
    }
}

/// The namespace an action declares for its output variables.
fn namespace_of(action: &ActionDeclaration) -> Option<&str> {
    action.other.get("namespace")?.as_str()
}
