//! Stage conditions: the `beforeEntry`, `onSuccess` and `onFailure` members of a stage
//! declaration, with their rules.
//!
//! A condition is a result and one to five rules; each kind of condition holds exactly
//! one. What the engine does with them is in `crate::engine::conditions`; what a
//! declaration may say is checked in `validate`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::enums::{ConditionResult, RuleCategory, RuleOwner, StageRetryMode};
use super::pipeline::StageDeclaration;
use super::rule_types;
use super::validate::Violations;
use crate::error::{Error, Result};

/// `beforeEntry`: checks made before an execution may run the stage's actions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BeforeEntryConditions {
    /// Exactly one condition; its result is `FAIL` or `SKIP`.
    #[serde(default)]
    pub conditions: Vec<Condition>,
}

/// `onSuccess`: checks made once the stage's actions succeeded.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuccessConditions {
    /// Exactly one condition; its result is `ROLLBACK` or `FAIL`.
    #[serde(default)]
    pub conditions: Vec<Condition>,
}

/// `onFailure`: what happens when the stage fails.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureConditions {
    /// `ROLLBACK` or `RETRY` when the stage fails (without conditions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<ConditionResult>,
    /// How a `RETRY` runs the stage again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_configuration: Option<RetryConfiguration>,
    /// At most one condition, whose rules decide whether its `ROLLBACK` happens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
}

/// `retryConfiguration` of an automatic retry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryConfiguration {
    /// `FAILED_ACTIONS` or `ALL_ACTIONS`; failed actions when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_mode: Option<StageRetryMode>,
}

/// One condition: its result and the rules that decide it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// What happens when the condition is met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<ConditionResult>,
    /// One to five rules; the condition holds when every one succeeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<RuleDeclaration>>,
}

impl Condition {
    /// A condition with `result` and these rules.
    pub fn new(result: ConditionResult, rules: Vec<RuleDeclaration>) -> Self {
        Self {
            result: Some(result),
            rules: Some(rules),
        }
    }

    /// Its rules (none when `rules` is absent).
    pub fn rule_list(&self) -> &[RuleDeclaration] {
        self.rules.as_deref().unwrap_or_default()
    }
}

/// One rule of a condition.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleDeclaration {
    /// Unique in its condition; 1..100 of `[A-Za-z0-9.@\-_]`.
    #[serde(default)]
    pub name: String,
    /// Which rule type it runs.
    #[serde(default)]
    pub rule_type_id: RuleTypeId,
    /// The rule type's configuration, kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<BTreeMap<String, String>>,
    /// `timeoutInMinutes` (5..86400), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_in_minutes: Option<i64>,
    /// `commands`, `inputArtifacts`, `roleArn`, `region`, kept verbatim.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl RuleDeclaration {
    /// A rule named `name` of the AWS rule type `provider`, version 1.
    pub fn new(name: impl Into<String>, provider: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            rule_type_id: RuleTypeId {
                category: RuleCategory::Rule,
                owner: Some(RuleOwner::Aws),
                provider: provider.into(),
                version: Some("1".into()),
            },
            ..Self::default()
        }
    }

    /// The same rule with one more configuration entry.
    pub fn config(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.configuration
            .get_or_insert_default()
            .insert(key.into(), value.into());
        self
    }

    /// A configuration value, if set.
    pub fn config_value(&self, key: &str) -> Option<&str> {
        self.configuration.as_ref()?.get(key).map(String::as_str)
    }
}

/// The `ruleTypeId` of a rule declaration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleTypeId {
    /// Always `Rule`.
    #[serde(default)]
    pub category: RuleCategory,
    /// `AWS` (the default when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<RuleOwner>,
    /// The rule type, such as `VariableCheck`.
    #[serde(default)]
    pub provider: String,
    /// `1` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// The kinds of condition a stage declares, each with its condition (if any), the
/// results it allows and its name in messages.
fn declared(
    stage: &StageDeclaration,
) -> [(&'static str, Option<&Condition>, &'static [ConditionResult]); 3] {
    use ConditionResult::{Fail, Rollback, Skip};
    let on_failure = stage
        .on_failure
        .as_ref()
        .and_then(|c| c.conditions.as_ref());
    [
        (
            "beforeEntry",
            stage
                .before_entry
                .as_ref()
                .and_then(|c| c.conditions.first()),
            &[Fail, Skip],
        ),
        (
            "onSuccess",
            stage.on_success.as_ref().and_then(|c| c.conditions.first()),
            &[Rollback, Fail],
        ),
        (
            "onFailure",
            on_failure.and_then(|c| c.first()),
            &[Rollback, Fail],
        ),
    ]
}

/// The model's constraints on a stage's conditions, as violations under `stage_path`.
pub(crate) fn constraints(v: &mut Violations, stage_path: &str, stage: &StageDeclaration) {
    let lists = [
        (
            "beforeEntry",
            stage.before_entry.as_ref().map(|c| &c.conditions),
        ),
        (
            "onSuccess",
            stage.on_success.as_ref().map(|c| &c.conditions),
        ),
        (
            "onFailure",
            stage
                .on_failure
                .as_ref()
                .and_then(|c| c.conditions.as_ref()),
        ),
    ];
    for (kind, conditions) in lists {
        let Some(conditions) = conditions else {
            continue;
        };
        let path = format!("{stage_path}.{kind}.conditions");
        v.list_length(&path, conditions.len(), 1, 1);
        for (i, condition) in conditions.iter().enumerate() {
            let path = format!("{path}.{}.member", i + 1);
            if let Some(result) = &condition.result {
                v.enumeration(&format!("{path}.result"), result);
            }
            if let Some(rules) = &condition.rules {
                v.list_length(&format!("{path}.rules"), rules.len(), 1, 5);
            }
            for (j, rule) in condition.rule_list().iter().enumerate() {
                rule_constraints(v, &format!("{path}.rules.{}.member", j + 1), rule);
            }
        }
    }
    if let Some(on_failure) = &stage.on_failure {
        if let Some(result) = &on_failure.result {
            v.enumeration(&format!("{stage_path}.onFailure.result"), result);
        }
        let mode = on_failure.retry_configuration.as_ref();
        if let Some(mode) = mode.and_then(|r| r.retry_mode.as_ref()) {
            let path = format!("{stage_path}.onFailure.retryConfiguration.retryMode");
            v.enumeration(&path, mode);
        }
    }
}

fn rule_constraints(v: &mut Violations, path: &str, rule: &RuleDeclaration) {
    v.name(&format!("{path}.name"), &rule.name, 100);
    let id = &rule.rule_type_id;
    let id_path = format!("{path}.ruleTypeId");
    v.enumeration(&format!("{id_path}.category"), &id.category);
    if let Some(owner) = &id.owner {
        v.enumeration(&format!("{id_path}.owner"), owner);
    }
    v.provider(&format!("{id_path}.provider"), &id.provider);
    if let Some(version) = &id.version {
        v.provider(&format!("{id_path}.version"), version);
    }
    let config = rule.configuration.iter().flatten();
    v.list_length(
        &format!("{path}.configuration"),
        config.clone().count(),
        0,
        200,
    );
    let outside = |s: &str, max: usize| !(1..=max).contains(&s.chars().count());
    if config.clone().any(|(key, _)| outside(key, 50)) {
        v.push(
            &format!("{path}.configuration"),
            format_args!("Map keys must satisfy constraint: [Member must have length less than or equal to 50, Member must have length greater than or equal to 1]"),
        );
    }
    if config.clone().any(|(_, value)| outside(value, 10_000)) {
        v.push(
            &format!("{path}.configuration"),
            format_args!("Map value must satisfy constraint: [Member must have length less than or equal to 10000, Member must have length greater than or equal to 1]"),
        );
    }
    if let Some(timeout) = rule.timeout_in_minutes {
        v.range(&format!("{path}.timeoutInMinutes"), timeout, 5, 86_400);
    }
}

/// The rules of a stage's conditions that go beyond the model: each kind's results, the
/// rule types and their configuration, automatic retry and rollback. `index` is the
/// stage's place in the pipeline (a rollback cannot target the source stage).
///
/// # Errors
/// `InvalidStageDeclarationException` for the first problem found.
pub(crate) fn structure(stage: &StageDeclaration, index: usize) -> Result<()> {
    let invalid = |why: String| Err(Error::InvalidStageDeclaration(why));
    let name = &stage.name;
    for (kind, condition, allowed) in declared(stage) {
        let Some(condition) = condition else { continue };
        let Some(result) = condition.result.as_ref().filter(|r| allowed.contains(r)) else {
            let allowed: Vec<&str> = allowed.iter().map(ConditionResult::as_str).collect();
            return invalid(format!(
                "The {kind} condition of stage '{name}' must have a result of {}",
                allowed.join(" or ")
            ));
        };
        if *result == ConditionResult::Rollback && index == 0 {
            return invalid(format!(
                "Stage '{name}' cannot roll back: the source stage cannot be rolled back"
            ));
        }
        let mut names = std::collections::HashSet::new();
        for rule in condition.rule_list() {
            if !names.insert(rule.name.as_str()) {
                return invalid(format!(
                    "Rule name '{}' is used by more than one rule of the {kind} condition of stage '{name}'",
                    rule.name
                ));
            }
            check_rule(rule, name)?;
            let skippable = ["LambdaInvoke", "VariableCheck"];
            if *result == ConditionResult::Skip
                && !skippable.contains(&rule.rule_type_id.provider.as_str())
            {
                return invalid(format!(
                    "Rule '{}' of stage '{name}' is a {} rule: a condition with result SKIP takes only LambdaInvoke and VariableCheck rules",
                    rule.name, rule.rule_type_id.provider
                ));
            }
        }
    }
    let Some(on_failure) = &stage.on_failure else {
        return Ok(());
    };
    use ConditionResult::{Fail, Retry, Rollback};
    match &on_failure.result {
        None | Some(Rollback | Retry | Fail) => {}
        Some(other) => {
            return invalid(format!(
                "The onFailure result of stage '{name}' must be ROLLBACK, RETRY or FAIL, not {other}"
            ));
        }
    }
    let retry = on_failure.result == Some(Retry);
    if retry && on_failure.conditions.is_some() {
        return invalid(format!(
            "Stage '{name}' cannot retry automatically and have onFailure conditions"
        ));
    }
    if on_failure.retry_configuration.is_some() && !retry {
        return invalid(format!(
            "The retryConfiguration of stage '{name}' needs an onFailure result of RETRY"
        ));
    }
    if on_failure.result == Some(Rollback) && index == 0 {
        return invalid(format!(
            "Stage '{name}' cannot roll back: the source stage cannot be rolled back"
        ));
    }
    Ok(())
}

/// Checks a rule against its rule type: the type exists, every required property is set
/// and no unknown one is, and the properties pipesim evaluates are well formed.
fn check_rule(rule: &RuleDeclaration, stage: &str) -> Result<()> {
    let id = &rule.rule_type_id;
    let version = id.version.as_deref().unwrap_or("1");
    let invalid = |why: String| Err(Error::InvalidStageDeclaration(why));
    let Some(rule_type) = rule_types::find(&id.provider, version) else {
        return invalid(format!(
            "RuleType (Category: '{}', Provider: '{}', Owner: 'AWS', Version: '{version}') in rule '{}' of stage '{stage}' is not available",
            id.category, id.provider, rule.name
        ));
    };
    if let Some(missing) = rule_type
        .required_properties()
        .find(|key| rule.config_value(key).is_none())
    {
        return invalid(format!(
            "Rule configuration for rule '{}' is missing required configuration '{missing}'",
            rule.name
        ));
    }
    if let Some(unknown) = rule
        .configuration
        .iter()
        .flatten()
        .map(|(key, _)| key)
        .find(|key| rule_type.property(key).is_none())
    {
        return invalid(format!(
            "Rule configuration for rule '{}' contains unknown configuration '{unknown}'",
            rule.name
        ));
    }
    if let Err(why) = crate::engine::rules::check(rule) {
        return invalid(format!("Rule '{}' of stage '{stage}': {why}", rule.name));
    }
    Ok(())
}
