//! The action types AWS owns, in the service model's `ActionType` shape, and the checks
//! CreatePipeline and UpdatePipeline make of an action against its type.
//!
//! [`ACTION_TYPES`] is one static table: for each type, its configuration properties
//! (name, required, key, secret, queryable, description), how many input and output
//! artifacts it takes, and its settings where the docs give them. It serializes as
//! `ListActionTypes` answers, so that operation can hand it out as is. Each entry names
//! the AWS user guide page it was taken from; where the docs were unclear, the entry says
//! which reading pipesim chose (and `docs/behaviour.md` lists it as a \[choice\]).
//!
//! What the table cannot say in the model's terms, a few properties that are required only
//! when another has a given value, sits beside it in [`ConditionalRequirement`]s, which
//! are not serialized.

mod custom;
mod declaration;
mod table;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::{Error, Result};

use super::enums::{ActionCategory, ActionOwner};
use super::pipeline::{ActionDeclaration, ActionTypeId, PipelineDeclaration};

pub use custom::{
    ActionTypeInfo, ActionTypeSettingsInfo, ArtifactCounts, ConfigurationProperty,
    MAX_CUSTOM_ACTION_TYPES,
};
pub(crate) use custom::{ActionTypeRegistry, CustomEntry, check_definition, check_rules, key};
pub use declaration::*;
pub use table::ACTION_TYPES;

/// An action type: what CodePipeline knows about one `(category, owner, provider,
/// version)`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionType {
    /// Which type this is.
    pub id: ActionTypeKey,
    /// Console links, where the docs give them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<ActionTypeSettings>,
    /// The configuration keys an action of this type may set.
    pub action_configuration_properties: &'static [ActionConfigurationProperty],
    /// How many input artifacts an action of this type takes.
    pub input_artifact_details: ArtifactDetails,
    /// How many output artifacts an action of this type produces.
    pub output_artifact_details: ArtifactDetails,
    /// Properties required only when another property has a given value.
    #[serde(skip)]
    pub conditional_requirements: &'static [ConditionalRequirement],
    /// The title of the AWS user guide page the entry was taken from.
    #[serde(skip)]
    pub source: &'static str,
}

/// The `id` of an [`ActionType`]: an `ActionTypeId` that can live in a static table.
#[derive(Debug, Serialize)]
pub struct ActionTypeKey {
    /// Source, Build, Deploy, Test, Invoke, Approval or Compute.
    pub category: ActionCategory,
    /// `AWS` for every entry but the few AWS documents as `ThirdParty`.
    pub owner: ActionOwner,
    /// The provider, such as `S3` or `CodeBuild`.
    pub provider: &'static str,
    /// Always `1`.
    pub version: &'static str,
}

impl ActionTypeKey {
    /// Whether `id` names this type. Every part is compared exactly, as AWS does.
    pub fn matches(&self, id: &ActionTypeId) -> bool {
        self.provider == id.provider
            && self.category == id.category
            && self.owner == id.owner
            && self.version == id.version
    }
}

/// The service model's `ActionTypeSettings`: links the console shows.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionTypeSettings {
    /// A deep link to the resource the action works on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_url_template: Option<&'static str>,
    /// A link to the external execution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_url_template: Option<&'static str>,
    /// A link to a revision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision_url_template: Option<&'static str>,
    /// A sign-up page for a third-party service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub third_party_configuration_url: Option<&'static str>,
}

/// The service model's `ActionConfigurationProperty`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionConfigurationProperty {
    /// The configuration key, such as `S3Bucket`.
    pub name: &'static str,
    /// Whether every action of the type must set it.
    pub required: bool,
    /// Whether it identifies the resource the action works on. AWS's own published
    /// `ListActionTypes` answer marks the required properties as keys; pipesim does the
    /// same for every type \[choice\].
    pub key: bool,
    /// Whether the value is masked (`****`) when the pipeline is read back.
    pub secret: bool,
    /// Whether job workers poll on it; never, for AWS's own types.
    pub queryable: bool,
    /// What the property is for, in a few words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'static str>,
    /// The value's type. AWS's published answer leaves it out for its own types, and so
    /// does pipesim.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub property_type: Option<ActionConfigurationPropertyType>,
}

/// The service model's `ActionConfigurationPropertyType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum ActionConfigurationPropertyType {
    /// Text.
    String,
    /// A number, written as text.
    Number,
    /// `true` or `false`, written as text.
    Boolean,
}

/// The service model's `ArtifactDetails`: how many artifacts an action takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactDetails {
    /// The fewest allowed.
    pub minimum_count: usize,
    /// The most allowed.
    pub maximum_count: usize,
}

/// A property every action (or rule) of the type must set: a key, as AWS's published
/// answer marks the required ones.
pub(crate) const fn required(
    name: &'static str,
    description: &'static str,
) -> ActionConfigurationProperty {
    ActionConfigurationProperty {
        name,
        required: true,
        key: true,
        secret: false,
        queryable: false,
        description: Some(description),
        property_type: None,
    }
}

/// A property an action (or rule) of the type may set.
pub(crate) const fn optional(
    name: &'static str,
    description: &'static str,
) -> ActionConfigurationProperty {
    ActionConfigurationProperty {
        required: false,
        key: false,
        ..required(name, description)
    }
}

/// From `minimum_count` to `maximum_count` artifacts.
pub(crate) const fn artifacts(minimum_count: usize, maximum_count: usize) -> ArtifactDetails {
    ArtifactDetails {
        minimum_count,
        maximum_count,
    }
}

/// A property the docs require only in some cases.
#[derive(Debug)]
pub struct ConditionalRequirement {
    /// The property that is then required.
    pub key: &'static str,
    /// When it is.
    pub when: Condition,
}

/// When a [`ConditionalRequirement`] applies.
#[derive(Debug)]
pub enum Condition {
    /// The property `key` is set to one of `values` (compared ignoring ASCII case, as the
    /// docs write booleans both ways).
    ValueIs {
        /// The property looked at.
        key: &'static str,
        /// The values that make the requirement apply.
        values: &'static [&'static str],
    },
    /// The action has more than one input artifact.
    SeveralInputs,
}

impl Condition {
    fn holds(&self, action: &ActionDeclaration) -> bool {
        match self {
            Self::ValueIs { key, values } => action
                .configuration
                .as_ref()
                .and_then(|config| config.get(*key))
                .is_some_and(|value| values.iter().any(|v| v.eq_ignore_ascii_case(value))),
            Self::SeveralInputs => action.input_artifacts.len() > 1,
        }
    }
}

/// The table's entry for `id`, if it has one.
pub fn find(id: &ActionTypeId) -> Option<&'static ActionType> {
    ACTION_TYPES
        .iter()
        .find(|action_type| action_type.id.matches(id))
}

/// The value answers show for a secret configuration property.
pub const MASKED: &str = "****";

/// Masks, in a declaration about to be answered, the configuration properties its action
/// types mark secret: AWS never gives them back.
pub(crate) fn mask_secrets(mut declaration: PipelineDeclaration) -> PipelineDeclaration {
    for action in declaration.stages.iter_mut().flat_map(|s| &mut s.actions) {
        if let Some(configuration) = action.configuration.take() {
            action.configuration = Some(mask_configuration(action, configuration));
        }
    }
    declaration
}

/// `action`'s configuration as answers show it, secrets masked.
pub(crate) fn mask_action(action: &ActionDeclaration) -> BTreeMap<String, String> {
    mask_configuration(action, action.configuration.clone().unwrap_or_default())
}

/// `configuration` of `action` with the properties its type marks secret masked.
pub(crate) fn mask_configuration(
    action: &ActionDeclaration,
    mut configuration: BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    if let Some(action_type) = find(&action.action_type_id) {
        for property in action_type.action_configuration_properties {
            if property.secret
                && let Some(value) = configuration.get_mut(property.name)
            {
                *value = MASKED.to_owned();
            }
        }
    }
    configuration
}

/// Checks `action` against its action type.
///
/// An AWS-owned type must be in the table; a `ThirdParty` type the table does not know is
/// not checked, and a `Custom` type is checked against the scope's custom types when the
/// pipeline is stored (`ActionTypeRegistry::check_pipeline`), as this check has no scope.
/// An action of a known type must set every required property, may set no property the
/// type does not declare, and must have as many input and output artifacts as the type
/// allows.
///
/// # Errors
/// `InvalidActionDeclarationException` for the first problem found: the type, then
/// missing properties (in the table's order), then unknown ones (in key order), then the
/// input and the output artifact counts.
pub(crate) fn check(action: &ActionDeclaration) -> Result<()> {
    let id = &action.action_type_id;
    match find(id) {
        Some(action_type) => action_type.check(action),
        None if id.owner == ActionOwner::Aws => Err(unavailable(action)),
        None => Ok(()),
    }
}

/// The answer for an action whose type the account cannot use.
pub(crate) fn unavailable(action: &ActionDeclaration) -> Error {
    let id = &action.action_type_id;
    Error::InvalidActionDeclaration(format!(
        "ActionType (Category: '{}', Provider: '{}', Owner: '{}', Version: '{}') in action '{}' is not available",
        id.category, id.provider, id.owner, id.version, action.name
    ))
}

/// Checks `action`'s configuration and artifacts against a type's `required` keys, the
/// keys it `declared`, and its artifact counts.
pub(crate) fn check_configuration<'k>(
    action: &ActionDeclaration,
    mut required: impl Iterator<Item = &'k str>,
    declared: impl Fn(&str) -> bool,
    input: ArtifactDetails,
    output: ArtifactDetails,
) -> Result<()> {
    let is_set = |key: &str| {
        action
            .configuration
            .as_ref()
            .is_some_and(|config| config.contains_key(key))
    };
    if let Some(missing) = required.find(|key| !is_set(key)) {
        return Err(Error::InvalidActionDeclaration(format!(
            "Action configuration for action '{}' is missing required configuration '{missing}'",
            action.name
        )));
    }
    if let Some(unknown) = action
        .configuration
        .iter()
        .flatten()
        .map(|(key, _)| key)
        .find(|key| !declared(key))
    {
        return Err(Error::InvalidActionDeclaration(format!(
            "Action configuration for action '{}' contains unknown configuration '{unknown}'",
            action.name
        )));
    }
    let counts = [
        ("input", action.input_artifacts.len(), input),
        ("output", action.output_artifacts.len(), output),
    ];
    for (kind, count, allowed) in counts {
        if count < allowed.minimum_count {
            return Err(Error::InvalidActionDeclaration(format!(
                "Action {} declares {count} {kind} artifacts which is less than the minimum count ({})",
                action.name, allowed.minimum_count
            )));
        }
        if count > allowed.maximum_count {
            return Err(Error::InvalidActionDeclaration(format!(
                "Action {} declares {count} {kind} artifacts which is greater than the maximum count ({})",
                action.name, allowed.maximum_count
            )));
        }
    }
    Ok(())
}

impl ActionType {
    fn check(&self, action: &ActionDeclaration) -> Result<()> {
        let required = self
            .action_configuration_properties
            .iter()
            .filter(|property| property.required)
            .map(|property| property.name);
        let conditional = self
            .conditional_requirements
            .iter()
            .filter(|requirement| requirement.when.holds(action))
            .map(|requirement| requirement.key);
        check_configuration(
            action,
            required.chain(conditional),
            |key| {
                self.action_configuration_properties
                    .iter()
                    .any(|property| property.name == key)
            },
            self.input_artifact_details,
            self.output_artifact_details,
        )
    }

    /// The smallest configuration an action of this type is valid with: every required
    /// property, set to `value`.
    pub fn minimal_configuration(&self, value: &str) -> std::collections::BTreeMap<String, String> {
        self.action_configuration_properties
            .iter()
            .filter(|property| property.required)
            .map(|property| (property.name.to_owned(), value.to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_table_holds_each_type_once_and_keeps_to_the_model() {
        let mut seen = HashSet::new();
        for action_type in ACTION_TYPES {
            let id = &action_type.id;
            assert!(
                seen.insert((id.category.as_str(), id.owner.as_str(), id.provider)),
                "{id:?} is in the table twice"
            );
            assert_eq!(id.version, "1", "{id:?}");
            assert!(!action_type.source.is_empty(), "{id:?} names no source");
            let mut names = HashSet::new();
            for property in action_type.action_configuration_properties {
                assert!(
                    names.insert(property.name),
                    "{id:?}: {} twice",
                    property.name
                );
                assert!((1..=50).contains(&property.name.len()), "{}", property.name);
                let description = property.description.unwrap_or("x");
                assert!((1..=160).contains(&description.len()), "{description}");
            }
            for requirement in action_type.conditional_requirements {
                assert!(
                    names.contains(requirement.key),
                    "{id:?}: {}",
                    requirement.key
                );
                if let Condition::ValueIs { key, .. } = requirement.when {
                    assert!(names.contains(key), "{id:?}: {key}");
                }
            }
            for details in [
                action_type.input_artifact_details,
                action_type.output_artifact_details,
            ] {
                assert!(details.minimum_count <= details.maximum_count, "{id:?}");
            }
        }
    }

    #[test]
    fn the_table_serializes_in_the_service_model_shape() {
        let s3 = find(&ActionTypeId::s3_source()).unwrap();
        let json = serde_json::to_value(s3).unwrap();
        assert_eq!(
            json["id"],
            serde_json::json!({"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"})
        );
        assert_eq!(
            json["actionConfigurationProperties"][0],
            serde_json::json!({"name": "S3Bucket", "required": true, "key": true,
                "secret": false, "queryable": false,
                "description": "The bucket where source changes are detected"})
        );
        assert_eq!(
            json["outputArtifactDetails"],
            serde_json::json!({"minimumCount": 1, "maximumCount": 1})
        );
        assert!(json.get("conditionalRequirements").is_none());
    }
}
