//! Input validation, as the real service does it, before any state is touched.
//!
//! Constraints from the service model (lengths, patterns, enums, list sizes) are collected
//! in a [`Violations`] list and reported together as one `ValidationException` worded the
//! way CodePipeline words it:
//!
//! ```text
//! 2 validation errors detected: Value at 'name' failed to satisfy constraint: Member must
//! have length less than or equal to 100; Value at 'clientRequestToken' failed to ...
//! ```
//!
//! Structural rules of a pipeline declaration that the model cannot express (stage count,
//! unique names, modes per pipeline type, each action against its action type, artifacts,
//! variable references) answer with the first problem found, as the service's
//! `Invalid*Exception`s do.

use std::collections::HashSet;

use crate::error::{Error, Result};

use super::action_types;
use super::conditions;
use super::enums::{ActionCategory, ExecutionMode, PipelineType};
use super::ids::is_lowercase_uuid;
use super::pipeline::{PipelineDeclaration, Tag};
use super::references::{CODEPIPELINE, PIPELINE_VARIABLES, references};

/// An enum of the service model, which validation checks against its allowed values.
pub trait ModelEnum {
    /// Whether the value is allowed.
    fn is_known(&self) -> bool;
    /// Every allowed value.
    fn values() -> &'static [&'static str];
}

/// The pattern of pipeline, stage and action names.
pub(crate) const NAME_PATTERN: &str = r"[A-Za-z0-9.@\-_]+";
pub(crate) const TOKEN_PATTERN: &str = "^[a-zA-Z0-9-]+$";
pub(crate) const VARIABLE_NAME_PATTERN: &str = r"[A-Za-z0-9@\-_]+";
pub(crate) const PROVIDER_PATTERN: &str = "[0-9A-Za-z_-]+";
const ARTIFACT_NAME_PATTERN: &str = r"[a-zA-Z0-9_\-]+";
const LOCATION_PATTERN: &str = r"[a-zA-Z0-9\-\.]+";
const ROLE_ARN_PATTERN: &str = r"arn:aws(-[\w]+)*:iam::[0-9]{12}:role/.*";
const RESOURCE_ARN_PATTERN: &str = r"arn:aws(-[\w]+)*:codepipeline:.+:[0-9]{12}:.+";
const UUID_PATTERN: &str = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '-' | '_')
}

pub(crate) fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

pub(crate) fn is_variable_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '@' | '-' | '_')
}

pub(crate) fn is_provider_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-')
}

fn is_location_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.')
}

/// Strips `arn:aws(-[\w]+)*` (the partition) from the front of `arn`.
fn strip_partition(arn: &str) -> Option<&str> {
    let mut rest = arn.strip_prefix("arn:aws")?;
    while let Some(after_dash) = rest.strip_prefix('-') {
        let word = after_dash.len()
            - after_dash
                .trim_start_matches(|c: char| c.is_alphanumeric() || c == '_')
                .len();
        if word == 0 {
            return None;
        }
        rest = &after_dash[word..];
    }
    Some(rest)
}

/// Whether `arn` matches `arn:aws(-[\w]+)*:iam::[0-9]{12}:role/.*`.
fn is_role_arn(arn: &str) -> bool {
    let Some(rest) = strip_partition(arn) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix(":iam::") else {
        return false;
    };
    let (account, rest) = rest.split_at(rest.len().min(12));
    account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) && rest.starts_with(":role/")
}

/// The constraint violations found in one input, in the order they were found.
#[derive(Debug, Default)]
pub(crate) struct Violations(Vec<String>);

impl Violations {
    pub(crate) fn push(&mut self, path: &str, constraint: std::fmt::Arguments<'_>) {
        self.0.push(format!(
            "Value at '{path}' failed to satisfy constraint: {constraint}"
        ));
    }

    /// A string of `min..=max` characters.
    pub(crate) fn length(&mut self, path: &str, value: &str, min: usize, max: usize) {
        // Counting chars is only needed when the byte length could be out of range.
        if value.len() >= min && value.len() <= max {
            return;
        }
        let chars = value.chars().count();
        if chars < min {
            self.push(
                path,
                format_args!("Member must have length greater than or equal to {min}"),
            );
        } else if chars > max {
            self.push(
                path,
                format_args!("Member must have length less than or equal to {max}"),
            );
        }
    }

    /// A string whose every character passes `allowed` (the model's `[...]+` patterns).
    pub(crate) fn pattern(
        &mut self,
        path: &str,
        value: &str,
        pattern: &str,
        allowed: fn(char) -> bool,
    ) {
        if value.is_empty() || !value.chars().all(allowed) {
            self.push(
                path,
                format_args!("Member must satisfy regular expression pattern: {pattern}"),
            );
        }
    }

    /// A name: 1..=`max` characters of `[A-Za-z0-9.@\-_]`.
    pub(crate) fn name(&mut self, path: &str, value: &str, max: usize) {
        self.length(path, value, 1, max);
        self.pattern(path, value, NAME_PATTERN, is_name_char);
    }

    /// A rule or action type's provider or version: 1..=35 of `[0-9A-Za-z_-]`.
    pub(crate) fn provider(&mut self, path: &str, value: &str) {
        self.length(path, value, 1, 35);
        self.pattern(path, value, PROVIDER_PATTERN, is_provider_char);
    }

    /// An `ActionTypeId`: its category and owner, and its provider and version
    /// (1..=35 and 1..=9 of `[0-9A-Za-z_-]`).
    pub(crate) fn action_type_id(&mut self, path: &str, id: &crate::model::ActionTypeId) {
        self.enumeration(&format!("{path}.category"), &id.category);
        self.enumeration(&format!("{path}.owner"), &id.owner);
        self.provider(&format!("{path}.provider"), &id.provider);
        self.length(&format!("{path}.version"), &id.version, 1, 9);
        self.pattern(
            &format!("{path}.version"),
            &id.version,
            PROVIDER_PATTERN,
            is_provider_char,
        );
    }

    /// An action type's version: 1..=9 of `[0-9A-Za-z_-]`.
    pub(crate) fn version(&mut self, path: &str, value: &str) {
        self.length(path, value, 1, 9);
        self.pattern(path, value, PROVIDER_PATTERN, is_provider_char);
    }

    /// A list of `min..=max` members.
    pub(crate) fn list_length(&mut self, path: &str, len: usize, min: usize, max: usize) {
        if len < min {
            self.push(
                path,
                format_args!("Member must have length greater than or equal to {min}"),
            );
        } else if len > max {
            self.push(
                path,
                format_args!("Member must have length less than or equal to {max}"),
            );
        }
    }

    /// An integer in `min..=max`.
    pub(crate) fn range(&mut self, path: &str, value: i64, min: i64, max: i64) {
        if value < min {
            self.push(
                path,
                format_args!("Member must have value greater than or equal to {min}"),
            );
        } else if value > max {
            self.push(
                path,
                format_args!("Member must have value less than or equal to {max}"),
            );
        }
    }

    /// One of the enum's allowed values.
    pub(crate) fn enumeration<E: ModelEnum>(&mut self, path: &str, value: &E) {
        if !value.is_known() {
            let values = E::values().join(", ");
            self.push(
                path,
                format_args!("Member must satisfy enum value set: [{values}]"),
            );
        }
    }

    /// The execution id pattern (a lowercase UUID).
    pub(crate) fn uuid(&mut self, path: &str, value: &str) {
        if !is_lowercase_uuid(value) {
            self.push(
                path,
                format_args!("Member must satisfy regular expression pattern: {UUID_PATTERN}"),
            );
        }
    }

    /// `Ok` when nothing was found, else one `ValidationException` listing everything.
    pub(crate) fn finish(self) -> Result<()> {
        match self.0.len() {
            0 => Ok(()),
            1 => Err(Error::Validation(format!(
                "1 validation error detected: {}",
                self.0[0]
            ))),
            n => Err(Error::Validation(format!(
                "{n} validation errors detected: {}",
                self.0.join("; ")
            ))),
        }
    }
}

/// The parts of a CodePipeline resource ARN.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ResourceArn<'a> {
    pub(crate) region: &'a str,
    pub(crate) account: &'a str,
    /// Everything after the account: a pipeline name, or `webhook:...` and the like.
    pub(crate) resource: &'a str,
}

/// Checks `arn` against the model's `ResourceArn` pattern,
/// `arn:aws(-[\w]+)*:codepipeline:.+:[0-9]{12}:.+`, and splits it.
pub(crate) fn resource_arn<'a>(path: &str, arn: &'a str) -> Result<ResourceArn<'a>> {
    // The pattern's `.+` for the region is greedy, so the account is the last run of
    // twelve digits between colons that leaves a non-empty resource after it.
    let parsed = strip_partition(arn)
        .and_then(|rest| rest.strip_prefix(":codepipeline:"))
        .and_then(|rest| {
            rest.match_indices(':').rev().find_map(|(colon, _)| {
                let (region, after) = rest.split_at(colon);
                let account = region.rsplit(':').next()?;
                let region = region.strip_suffix(account)?.strip_suffix(':')?;
                let resource = &after[1..];
                let valid = !region.is_empty()
                    && account.len() == 12
                    && account.bytes().all(|b| b.is_ascii_digit())
                    && !resource.is_empty();
                valid.then_some(ResourceArn {
                    region,
                    account,
                    resource,
                })
            })
        });
    parsed.ok_or_else(|| {
        let mut v = Violations::default();
        v.push(
            path,
            format_args!("Member must satisfy regular expression pattern: {RESOURCE_ARN_PATTERN}"),
        );
        v.finish().expect_err("one violation was pushed")
    })
}

/// Checks the keys of an `UntagResource`: the model's lengths, then the reserved `aws:`
/// prefix, whose tags only AWS may remove.
pub(crate) fn tag_keys(path: &str, keys: &[String]) -> Result<()> {
    let mut v = Violations::default();
    for (i, key) in keys.iter().enumerate() {
        v.length(&format!("{path}.{}.member", i + 1), key, 1, 128);
    }
    v.finish()?;
    match keys.iter().find(|key| is_reserved_tag_key(key)) {
        Some(key) => Err(Error::InvalidTags(format!(
            "Tag key '{key}' uses the reserved prefix 'aws:'"
        ))),
        None => Ok(()),
    }
}

fn is_reserved_tag_key(key: &str) -> bool {
    key.get(..4)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("aws:"))
}

/// Checks a pipeline name given alone (`GetPipeline`, `DeletePipeline`, ...).
pub(crate) fn pipeline_name(path: &str, name: &str) -> Result<()> {
    let mut v = Violations::default();
    v.name(path, name, 100);
    v.finish()
}

/// Checks tags: the model's lengths, then the 50-tag limit, unique keys and the reserved
/// `aws:` prefix.
pub(crate) fn tags(path: &str, tags: &[Tag]) -> Result<()> {
    let mut v = Violations::default();
    for (i, tag) in tags.iter().enumerate() {
        v.length(&format!("{path}.{}.member.key", i + 1), &tag.key, 1, 128);
        v.length(
            &format!("{path}.{}.member.value", i + 1),
            &tag.value,
            0,
            256,
        );
    }
    v.finish()?;
    if tags.len() > 50 {
        return Err(Error::TooManyTags(format!(
            "Tag limit exceeded: a resource can have at most 50 tags, {} were given",
            tags.len()
        )));
    }
    let mut keys = HashSet::new();
    for tag in tags {
        if is_reserved_tag_key(&tag.key) {
            return Err(Error::InvalidTags(format!(
                "Tag key '{}' uses the reserved prefix 'aws:'",
                tag.key
            )));
        }
        if !keys.insert(tag.key.as_str()) {
            return Err(Error::InvalidTags(format!(
                "Tag key '{}' is given more than once",
                tag.key
            )));
        }
    }
    Ok(())
}

/// Checks a pipeline declaration: the model's constraints first (one
/// `ValidationException` listing all of them), then the structural rules.
pub(crate) fn pipeline_declaration(pipeline: &PipelineDeclaration) -> Result<()> {
    declaration_constraints(pipeline).finish()?;
    declaration_structure(pipeline)
}

fn declaration_constraints(p: &PipelineDeclaration) -> Violations {
    let mut v = Violations::default();
    v.name("pipeline.name", &p.name, 100);
    v.length("pipeline.roleArn", &p.role_arn, 0, 1024);
    if !is_role_arn(&p.role_arn) {
        v.push(
            "pipeline.roleArn",
            format_args!("Member must satisfy regular expression pattern: {ROLE_ARN_PATTERN}"),
        );
    }
    if let Some(store) = &p.artifact_store {
        v.enumeration("pipeline.artifactStore.type", &store.store_type);
        v.length("pipeline.artifactStore.location", &store.location, 3, 63);
        v.pattern(
            "pipeline.artifactStore.location",
            &store.location,
            LOCATION_PATTERN,
            is_location_char,
        );
    }
    for (region, store) in p.artifact_stores.iter().flatten() {
        v.length("pipeline.artifactStores.key", region, 4, 30);
        let path = format!("pipeline.artifactStores.{region}.member");
        v.enumeration(&format!("{path}.type"), &store.store_type);
        v.length(&format!("{path}.location"), &store.location, 3, 63);
        v.pattern(
            &format!("{path}.location"),
            &store.location,
            LOCATION_PATTERN,
            is_location_char,
        );
    }
    if let Some(version) = p.version {
        v.range("pipeline.version", version, 1, i64::MAX);
    }
    if let Some(mode) = &p.execution_mode {
        v.enumeration("pipeline.executionMode", mode);
    }
    if let Some(kind) = &p.pipeline_type {
        v.enumeration("pipeline.pipelineType", kind);
    }
    v.list_length("pipeline.variables", p.declared_variables().len(), 0, 50);
    for (i, variable) in p.declared_variables().iter().enumerate() {
        let path = format!("pipeline.variables.{}.member", i + 1);
        v.length(&format!("{path}.name"), &variable.name, 1, 128);
        v.pattern(
            &format!("{path}.name"),
            &variable.name,
            VARIABLE_NAME_PATTERN,
            is_variable_name_char,
        );
        if let Some(default) = &variable.default_value {
            v.length(&format!("{path}.defaultValue"), default, 1, 1000);
        }
        if let Some(description) = &variable.description {
            v.length(&format!("{path}.description"), description, 0, 200);
        }
    }
    super::triggers::constraints(&mut v, p.triggers.as_deref().unwrap_or_default());
    for (i, stage) in p.stages.iter().enumerate() {
        let stage_path = format!("pipeline.stages.{}.member", i + 1);
        v.name(&format!("{stage_path}.name"), &stage.name, 100);
        conditions::constraints(&mut v, &stage_path, stage);
        for (j, action) in stage.actions.iter().enumerate() {
            let path = format!("{stage_path}.actions.{}.member", j + 1);
            v.name(&format!("{path}.name"), &action.name, 100);
            v.action_type_id(&format!("{path}.actionTypeId"), &action.action_type_id);
            if let Some(run_order) = action.run_order {
                v.range(&format!("{path}.runOrder"), run_order, 1, 999);
            }
            // As recorded: one violation per map, naming both bounds. Values may hold
            // 50,000 characters, not the model's 1,000.
            let config = action.configuration.iter().flatten();
            let outside = |s: &str, max: usize| !(1..=max).contains(&s.chars().count());
            if config.clone().any(|(key, _)| outside(key, 50)) {
                v.push(
                    &format!("{path}.configuration"),
                    format_args!("Map keys must satisfy constraint: [Member must have length less than or equal to 50, Member must have length greater than or equal to 1]"),
                );
            }
            if config.clone().any(|(_, value)| outside(value, 50_000)) {
                v.push(
                    &format!("{path}.configuration"),
                    format_args!("Map value must satisfy constraint: [Member must have length less than or equal to 50000, Member must have length greater than or equal to 1]"),
                );
            }
            let artifacts = [
                ("outputArtifacts", &action.output_artifacts),
                ("inputArtifacts", &action.input_artifacts),
            ];
            for (list, refs) in artifacts {
                for (k, artifact) in refs.iter().enumerate() {
                    let artifact_path = format!("{path}.{list}.{}.member.name", k + 1);
                    v.length(&artifact_path, &artifact.name, 1, 100);
                    v.pattern(
                        &artifact_path,
                        &artifact.name,
                        ARTIFACT_NAME_PATTERN,
                        is_provider_char,
                    );
                }
            }
        }
    }
    v
}

fn declaration_structure(p: &PipelineDeclaration) -> Result<()> {
    if p.artifact_store.is_some() == p.artifact_stores.is_some() {
        return Err(Error::InvalidStructure(
            "Pipeline must declare exactly one of artifactStore and artifactStores".into(),
        ));
    }
    let stages = p.stages.len();
    if stages < 2 {
        return Err(Error::InvalidStructure(format!(
            "Pipeline has only {stages} stage(s). There should be a minimum of 2 stages in a pipeline"
        )));
    }
    if stages > 50 {
        return Err(Error::InvalidStructure(format!(
            "Pipeline has {stages} stage(s). There should be a maximum of 50 stages in a pipeline"
        )));
    }
    let v2 = p.pipeline_type == Some(PipelineType::V2);
    let mode = p
        .execution_mode
        .as_ref()
        .unwrap_or(&ExecutionMode::Superseded);
    if !v2 && *mode != ExecutionMode::Superseded {
        return Err(Error::InvalidStructure(format!(
            "Execution mode {mode} is only supported by V2 pipelines"
        )));
    }
    if !v2 && !p.declared_variables().is_empty() {
        return Err(Error::InvalidStructure(
            "Pipeline variables are only supported by V2 pipelines".into(),
        ));
    }
    let mut variables = HashSet::new();
    for variable in p.declared_variables() {
        if !variables.insert(variable.name.as_str()) {
            return Err(Error::InvalidStructure(format!(
                "Pipeline variable '{}' is declared more than once",
                variable.name
            )));
        }
    }
    let conditional = p.stages.iter().any(|stage| {
        stage.before_entry.is_some() || stage.on_success.is_some() || stage.on_failure.is_some()
    });
    if !v2 && conditional {
        return Err(Error::InvalidStructure(
            "Stage conditions are only supported by V2 pipelines".into(),
        ));
    }
    let mut stage_names = HashSet::new();
    let mut produced: HashSet<&str> = HashSet::new();
    let mut namespaces = HashSet::new();
    for (index, stage) in p.stages.iter().enumerate() {
        if !stage_names.insert(stage.name.as_str()) {
            return Err(Error::InvalidStageDeclaration(format!(
                "Stage name '{}' is used by more than one stage",
                stage.name
            )));
        }
        if !(1..=50).contains(&stage.actions.len()) {
            return Err(Error::InvalidStageDeclaration(format!(
                "Stage '{}' has {} action(s). A stage must have at least 1 and at most 50 actions",
                stage.name,
                stage.actions.len()
            )));
        }
        conditions::structure(stage, index)?;
        let mut action_names = HashSet::new();
        for action in &stage.actions {
            if !action_names.insert(action.name.as_str()) {
                return Err(Error::InvalidActionDeclaration(format!(
                    "Action name '{}' is used by more than one action in stage '{}'",
                    action.name, stage.name
                )));
            }
            let is_source = action.action_type_id.category == ActionCategory::Source;
            if index == 0 && !is_source {
                return Err(Error::InvalidStructure(format!(
                    "The first stage may contain only Source actions, but action '{}' is a {} action",
                    action.name, action.action_type_id.category
                )));
            }
            if index > 0 && is_source {
                return Err(Error::InvalidStructure(format!(
                    "Source action '{}' must be in the first stage, not in stage '{}'",
                    action.name, stage.name
                )));
            }
            action_types::check(action)?;
            if let Some(namespace) = action.namespace()
                && !namespaces.insert(namespace)
            {
                return Err(Error::InvalidActionDeclaration(format!(
                    "Namespaces must be unique across the pipeline definition. The following occur more than once in the pipeline. StageName=[{}], ActionName=[{}], Namespace=[{namespace}]",
                    stage.name, action.name
                )));
            }
        }
        check_artifacts(stage, &mut produced)?;
    }
    super::triggers::structure(p)?;
    check_references(p, &variables, &namespaces)
}

/// Every `#{namespace.key}` in an action's configuration names something the pipeline
/// has: a pipeline variable it declares (`variables`), the namespace an action declares,
/// or the reserved `codepipeline` namespace, whose keys are not checked.
fn check_references(
    p: &PipelineDeclaration,
    variables: &HashSet<&str>,
    namespaces: &HashSet<&str>,
) -> Result<()> {
    for action in p.stages.iter().flat_map(|stage| &stage.actions) {
        for value in action
            .configuration
            .iter()
            .flat_map(|config| config.values())
        {
            for reference in references(value) {
                match reference.namespace {
                    CODEPIPELINE => {}
                    PIPELINE_VARIABLES if !variables.contains(reference.key) => {
                        return Err(Error::InvalidActionDeclaration(format!(
                            "Action configuration for action '{}' references the pipeline variable '{}', which the pipeline does not declare",
                            action.name, reference.key
                        )));
                    }
                    PIPELINE_VARIABLES => {}
                    namespace if !namespaces.contains(namespace) => {
                        return Err(Error::InvalidActionDeclaration(format!(
                            "Action configuration for action '{}' references the namespace '{namespace}', which no action of the pipeline declares",
                            action.name
                        )));
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

/// Input artifacts must come from an earlier action (an earlier stage, or a lower run
/// order in this stage); output artifact names are unique in the pipeline.
fn check_artifacts<'a>(
    stage: &'a super::pipeline::StageDeclaration,
    produced: &mut HashSet<&'a str>,
) -> Result<()> {
    let mut by_run_order: Vec<_> = stage.actions.iter().collect();
    by_run_order.sort_by_key(|action| action.run_order.unwrap_or(1));
    for group in by_run_order.chunk_by(|a, b| a.run_order.unwrap_or(1) == b.run_order.unwrap_or(1))
    {
        for action in group {
            for input in &action.input_artifacts {
                if !produced.contains(input.name.as_str()) {
                    return Err(Error::InvalidStructure(format!(
                        "Input artifact '{}' of action '{}' is not declared as an output artifact of a preceding action",
                        input.name, action.name
                    )));
                }
            }
        }
        for action in group {
            for output in &action.output_artifacts {
                if !produced.insert(output.name.as_str()) {
                    return Err(Error::InvalidStructure(format!(
                        "Output artifact name '{}' is used by more than one action",
                        output.name
                    )));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pipeline::{ActionDeclaration, ActionTypeId};

    #[test]
    fn resource_arns_split_into_region_account_and_resource() {
        let arn = resource_arn(
            "resourceArn",
            "arn:aws-us-gov:codepipeline:us-gov-west-1:123456789012:webhook:w",
        )
        .unwrap();
        assert_eq!(
            arn,
            ResourceArn {
                region: "us-gov-west-1",
                account: "123456789012",
                resource: "webhook:w",
            }
        );
        for bad in [
            "",
            "arn:aws:codepipeline:us-east-1:123456789012:",
            "arn:aws:codepipeline::123456789012:P",
            "arn:aws:codebuild:us-east-1:123456789012:P",
            "arn:aws-:codepipeline:us-east-1:123456789012:P",
            "arn:aws:codepipeline:us-east-1:12345678901x:P",
        ] {
            assert_eq!(
                message(resource_arn("resourceArn", bad).map(|_| ())),
                r"1 validation error detected: Value at 'resourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws(-[\w]+)*:codepipeline:.+:[0-9]{12}:.+",
                "{bad}"
            );
        }
    }

    fn message(result: Result<()>) -> String {
        match result {
            Err(Error::Validation(message)) => message,
            other => panic!("expected a ValidationException, got {other:?}"),
        }
    }

    #[test]
    fn role_arns_follow_the_model_pattern() {
        assert!(is_role_arn("arn:aws:iam::123456789012:role/x"));
        assert!(is_role_arn("arn:aws-cn:iam::123456789012:role/"));
        assert!(is_role_arn("arn:aws-us-gov:iam::123456789012:role/a/b"));
        assert!(!is_role_arn("arn:aws:iam::12345678901:role/x"));
        assert!(!is_role_arn("arn:aws-:iam::123456789012:role/x"));
        assert!(!is_role_arn("arn:aws:iam::123456789012:user/x"));
    }

    fn two_stages() -> PipelineDeclaration {
        PipelineDeclaration::two_stage_example("P")
    }

    #[test]
    fn a_pipeline_needs_two_to_fifty_stages() {
        let mut p = two_stages();
        p.stages.truncate(1);
        let err = pipeline_declaration(&p).unwrap_err();
        assert_eq!(err.error_type(), "InvalidStructureException");
        assert_eq!(
            err.message(),
            "Pipeline has only 1 stage(s). There should be a minimum of 2 stages in a pipeline"
        );
        let mut p = two_stages();
        let extra = p.stages[1].clone();
        for i in 0..49 {
            let mut stage = extra.clone();
            stage.name = format!("Extra{i}");
            p.stages.push(stage);
        }
        let err = pipeline_declaration(&p).unwrap_err();
        assert_eq!(
            err.message(),
            "Pipeline has 51 stage(s). There should be a maximum of 50 stages in a pipeline"
        );
    }

    #[test]
    fn v1_pipelines_allow_only_superseded_mode() {
        let mut p = two_stages();
        p.execution_mode = Some(ExecutionMode::Queued);
        assert!(matches!(
            pipeline_declaration(&p),
            Err(Error::InvalidStructure(_))
        ));
        assert!(pipeline_declaration(&two_stages().v2(ExecutionMode::Queued)).is_ok());
    }

    #[test]
    fn stage_and_action_names_are_unique() {
        let mut p = two_stages();
        p.stages[1].name = "Source".into();
        assert!(matches!(
            pipeline_declaration(&p),
            Err(Error::InvalidStageDeclaration(_))
        ));
        let mut p = two_stages();
        let dup = p.stages[1].actions[0].clone();
        p.stages[1].actions.push(dup);
        assert!(matches!(
            pipeline_declaration(&p),
            Err(Error::InvalidActionDeclaration(_))
        ));
    }

    #[test]
    fn source_actions_belong_to_the_first_stage_only() {
        let mut p = two_stages();
        p.stages[1]
            .actions
            .push(ActionDeclaration::new("Src2", ActionTypeId::s3_source()));
        assert!(matches!(
            pipeline_declaration(&p),
            Err(Error::InvalidStructure(_))
        ));
    }

    #[test]
    fn input_artifacts_must_be_produced_earlier() {
        let mut p = two_stages();
        p.stages[1].actions[0].input_artifacts[0].name = "Nothing".into();
        assert!(matches!(
            pipeline_declaration(&p),
            Err(Error::InvalidStructure(_))
        ));
    }

    #[test]
    fn tags_are_limited_unique_and_not_reserved() {
        assert!(tags("tags", &[Tag::new("team", "a")]).is_ok());
        assert!(matches!(
            tags("tags", &[Tag::new("aws:x", "a")]),
            Err(Error::InvalidTags(_))
        ));
        assert!(matches!(
            tags("tags", &[Tag::new("k", "a"), Tag::new("k", "b")]),
            Err(Error::InvalidTags(_))
        ));
        let many: Vec<_> = (0..51).map(|i| Tag::new(format!("k{i}"), "v")).collect();
        assert!(matches!(tags("tags", &many), Err(Error::TooManyTags(_))));
        assert!(matches!(
            tags("tags", &[Tag::new("", "v")]),
            Err(Error::Validation(_))
        ));
    }

    #[test]
    fn configuration_values_hold_up_to_fifty_thousand_characters_and_are_checked_per_map() {
        let mut p = two_stages();
        let config = p.stages[1].actions[0].configuration.get_or_insert_default();
        config.insert("ObjectKey".into(), "k".repeat(50_000));
        assert!(
            pipeline_declaration(&p)
                .err()
                .is_none_or(|e| !e.message().contains("Map value")),
            "a 50,000-character value is accepted"
        );
        let mut p = two_stages();
        for action in p.stages.iter_mut().flat_map(|s| &mut s.actions) {
            let config = action.configuration.get_or_insert_default();
            config.insert("A".into(), String::new());
            config.insert("B".into(), String::new());
        }
        assert_eq!(
            pipeline_declaration(&p).unwrap_err().message(),
            "2 validation errors detected: \
             Value at 'pipeline.stages.1.member.actions.1.member.configuration' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 50000, Member must have length greater than or equal to 1]; \
             Value at 'pipeline.stages.2.member.actions.1.member.configuration' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 50000, Member must have length greater than or equal to 1]"
        );
    }
}
