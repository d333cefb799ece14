//! Custom action types: the ones an account creates with `CreateCustomActionType` for its
//! own job workers, in the service model's owned `ActionType` shape, and the scope part
//! that holds them, [`ActionTypeRegistry`].
//!
//! A custom type is never removed: `DeleteCustomActionType` marks it deleted, its
//! `(category, provider, version)` can never name another definition, and creating it
//! again with the very same definition restores it, as the API reference says.
//!
//! The same registry holds the action types registered for the account as their owner
//! through the third-party registration process (`GetActionType`, `UpdateActionType`);
//! see [`super::declaration`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::enums::{ActionCategory, ActionOwner};
use crate::model::pipeline::{ActionDeclaration, ActionTypeId, PipelineDeclaration, Tag};
use crate::model::validate::Violations;

use super::declaration::ActionTypeDeclaration;
use super::{ActionConfigurationPropertyType, ActionType, MASKED};

/// The service model's `ActionType`, owned: what `ListActionTypes` and
/// `CreateCustomActionType` answer, for AWS's types and custom ones alike.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionTypeInfo {
    /// Which type this is.
    pub id: ActionTypeId,
    /// Console links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<ActionTypeSettingsInfo>,
    /// The configuration keys an action of this type may set.
    #[serde(default)]
    pub action_configuration_properties: Vec<ConfigurationProperty>,
    /// How many input artifacts an action of this type takes.
    #[serde(default)]
    pub input_artifact_details: ArtifactCounts,
    /// How many output artifacts an action of this type produces.
    #[serde(default)]
    pub output_artifact_details: ArtifactCounts,
}

/// The service model's `ActionTypeSettings`, owned.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionTypeSettingsInfo {
    /// A sign-up page for the external service (1..=2048 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub third_party_configuration_url: Option<String>,
    /// A deep link to the resource the action works on; may name required, non-secret
    /// properties as `{Config:name}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_url_template: Option<String>,
    /// A link to the external execution; may use `{ExternalExecutionId}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_url_template: Option<String>,
    /// A link to a revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_url_template: Option<String>,
}

/// The service model's `ActionConfigurationProperty`, owned.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationProperty {
    /// The configuration key (1..=50 characters).
    #[serde(default)]
    pub name: String,
    /// Whether every action of the type must set it.
    #[serde(default)]
    pub required: bool,
    /// Whether it identifies the resource the action works on.
    #[serde(default)]
    pub key: bool,
    /// Whether its value is masked (`****`) when the pipeline is read back.
    #[serde(default)]
    pub secret: bool,
    /// Whether job workers poll on it (`PollForJobs`' `queryParam`); at most one per
    /// type, required and not secret.
    #[serde(default)]
    pub queryable: bool,
    /// What it is for (1..=160 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `String`, `Number` or `Boolean`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub property_type: Option<ActionConfigurationPropertyType>,
}

/// The service model's `ArtifactDetails` as sent: counts of 0..=5.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactCounts {
    /// The fewest allowed.
    #[serde(default)]
    pub minimum_count: i64,
    /// The most allowed.
    #[serde(default)]
    pub maximum_count: i64,
}

impl ArtifactCounts {
    /// From `minimum_count` to `maximum_count` artifacts.
    pub fn new(minimum_count: i64, maximum_count: i64) -> Self {
        Self {
            minimum_count,
            maximum_count,
        }
    }
}

impl From<&ActionType> for ActionTypeInfo {
    fn from(action_type: &ActionType) -> Self {
        let id = &action_type.id;
        let count = |details: super::ArtifactDetails| ArtifactCounts {
            minimum_count: details.minimum_count as i64,
            maximum_count: details.maximum_count as i64,
        };
        Self {
            id: ActionTypeId {
                category: id.category.clone(),
                owner: id.owner.clone(),
                provider: id.provider.to_owned(),
                version: id.version.to_owned(),
            },
            settings: action_type
                .settings
                .as_ref()
                .map(|s| ActionTypeSettingsInfo {
                    third_party_configuration_url: s.third_party_configuration_url.map(Into::into),
                    entity_url_template: s.entity_url_template.map(Into::into),
                    execution_url_template: s.execution_url_template.map(Into::into),
                    revision_url_template: s.revision_url_template.map(Into::into),
                }),
            action_configuration_properties: action_type
                .action_configuration_properties
                .iter()
                .map(|p| ConfigurationProperty {
                    name: p.name.to_owned(),
                    required: p.required,
                    key: p.key,
                    secret: p.secret,
                    queryable: p.queryable,
                    description: p.description.map(Into::into),
                    property_type: p.property_type,
                })
                .collect(),
            input_artifact_details: count(action_type.input_artifact_details),
            output_artifact_details: count(action_type.output_artifact_details),
        }
    }
}

/// How many custom action types an account may have in a region: "Number of custom
/// actions per Region in an AWS account", 50, in the CodePipeline quotas.
pub const MAX_CUSTOM_ACTION_TYPES: usize = 50;

/// The longest value a queryable property may have in a pipeline, per the model.
const MAX_QUERYABLE_VALUE: usize = 20;

/// Checks the definition of a custom action type (everything but its id and tags)
/// against the model's constraints and the rules the model's documentation states, with
/// member paths as `CreateCustomActionType` names them.
pub(crate) fn check_definition(
    v: &mut Violations,
    settings: Option<&ActionTypeSettingsInfo>,
    properties: &[ConfigurationProperty],
    input: ArtifactCounts,
    output: ArtifactCounts,
) {
    if let Some(settings) = settings {
        let urls = [
            (
                "settings.thirdPartyConfigurationUrl",
                &settings.third_party_configuration_url,
            ),
            ("settings.entityUrlTemplate", &settings.entity_url_template),
            (
                "settings.executionUrlTemplate",
                &settings.execution_url_template,
            ),
            (
                "settings.revisionUrlTemplate",
                &settings.revision_url_template,
            ),
        ];
        for (path, url) in urls {
            if let Some(url) = url {
                v.length(path, url, 1, 2048);
            }
        }
    }
    v.list_length("configurationProperties", properties.len(), 0, 10);
    for (i, property) in properties.iter().enumerate() {
        let path = format!("configurationProperties.{}.member", i + 1);
        v.length(&format!("{path}.name"), &property.name, 1, 50);
        if let Some(description) = &property.description {
            v.length(&format!("{path}.description"), description, 1, 160);
        }
    }
    for (path, counts) in [
        ("inputArtifactDetails", input),
        ("outputArtifactDetails", output),
    ] {
        v.range(&format!("{path}.minimumCount"), counts.minimum_count, 0, 5);
        v.range(&format!("{path}.maximumCount"), counts.maximum_count, 0, 5);
    }
}

/// The rules of a custom type's definition beyond single members: unique property names,
/// at most one queryable property (required and not secret), a minimum no larger than
/// its maximum, and URL templates that name only required, non-secret properties.
///
/// # Errors
/// `ValidationException` for the first rule broken.
pub(crate) fn check_rules(
    settings: Option<&ActionTypeSettingsInfo>,
    properties: &[ConfigurationProperty],
    input: ArtifactCounts,
    output: ArtifactCounts,
) -> Result<()> {
    let invalid = |message: String| Err(Error::Validation(message));
    for (i, property) in properties.iter().enumerate() {
        if properties[..i].iter().any(|p| p.name == property.name) {
            return invalid(format!(
                "Configuration property '{}' is declared more than once",
                property.name
            ));
        }
    }
    let queryable: Vec<&ConfigurationProperty> =
        properties.iter().filter(|p| p.queryable).collect();
    if queryable.len() > 1 {
        return invalid(format!(
            "An action type can have at most one queryable property, but {} are queryable",
            queryable.len()
        ));
    }
    if let Some(property) = queryable.first()
        && (!property.required || property.secret)
    {
        return invalid(format!(
            "Queryable property '{}' must be required and not secret",
            property.name
        ));
    }
    for (kind, counts) in [("input", input), ("output", output)] {
        if counts.minimum_count > counts.maximum_count {
            return invalid(format!(
                "The minimum count of {kind} artifacts ({}) is greater than the maximum count ({})",
                counts.minimum_count, counts.maximum_count
            ));
        }
    }
    if let Some(settings) = settings {
        let templates = [
            &settings.entity_url_template,
            &settings.execution_url_template,
            &settings.revision_url_template,
        ];
        for template in templates.into_iter().flatten() {
            for name in config_references(template) {
                let usable = properties
                    .iter()
                    .any(|p| p.name == name && p.required && !p.secret);
                if !usable {
                    return invalid(format!(
                        "URL template '{template}' refers to '{{Config:{name}}}', which is not a required, non-secret configuration property"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The property names a URL template refers to as `{Config:name}`.
fn config_references(template: &str) -> impl Iterator<Item = &str> {
    template.split("{Config:").skip(1).filter_map(|rest| {
        let end = rest.find('}')?;
        Some(&rest[..end])
    })
}

/// One custom action type as the registry keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CustomEntry {
    pub(crate) action_type: ActionTypeInfo,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) tags: Vec<Tag>,
    /// Marked deleted by `DeleteCustomActionType`: not listed, not usable, its id never
    /// reused for another definition.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) deleted: bool,
}

/// The action types an account and region holds besides AWS's own: its custom action
/// types, live and deleted, and the action types registered for it as their owner.
///
/// A scope part: read through `Cx::read_part`, changed through `Cx::change_part`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ActionTypeRegistry {
    /// Custom types by [`key`] (`Category/Provider/Version`), so listing is in that order.
    #[serde(default)]
    pub(crate) custom: BTreeMap<String, CustomEntry>,
    /// Action types registered for the account as owner, by `Owner/Category/Provider/Version`.
    #[serde(default)]
    pub(crate) registered: BTreeMap<String, ActionTypeDeclaration>,
}

/// The registry key of a custom type: `Category/Provider/Version`.
pub(crate) fn key(category: &ActionCategory, provider: &str, version: &str) -> String {
    format!("{}/{provider}/{version}", category.as_str())
}

impl ActionTypeRegistry {
    /// The custom action type `id` names, if it exists and is not deleted. `None` for an
    /// id whose owner is not `Custom`.
    ///
    /// This is what job workers need of a custom type: its configuration properties
    /// (name, required, key, secret, queryable), its settings (the URL templates) and
    /// its artifact counts. Custom types have no job timeout of their own (the model's
    /// `CreateCustomActionType` takes none).
    pub(crate) fn custom(&self, id: &ActionTypeId) -> Option<&ActionTypeInfo> {
        if id.owner != ActionOwner::Custom {
            return None;
        }
        self.custom
            .get(&key(&id.category, &id.provider, &id.version))
            .filter(|entry| !entry.deleted)
            .map(|entry| &entry.action_type)
    }

    /// Whether `id` names a custom action type of the scope that exists and is not
    /// deleted: what `PollForJobs` for it needs (it fails once the type is deleted).
    #[allow(dead_code, reason = "for the job workers' PollForJobs")]
    pub(crate) fn is_live_custom(&self, id: &ActionTypeId) -> bool {
        self.custom(id).is_some()
    }

    /// The configuration property of custom type `id` that job workers query on
    /// (`PollForJobs`' `queryParam`), if the type is live and has one.
    #[allow(dead_code, reason = "for the job workers' PollForJobs")]
    pub(crate) fn queryable_property(&self, id: &ActionTypeId) -> Option<&ConfigurationProperty> {
        self.custom(id)?
            .action_configuration_properties
            .iter()
            .find(|p| p.queryable)
    }

    /// The live custom types, in key order.
    pub(crate) fn live_custom(&self) -> impl Iterator<Item = (&String, &ActionTypeInfo)> {
        self.custom
            .iter()
            .filter(|(_, entry)| !entry.deleted)
            .map(|(key, entry)| (key, &entry.action_type))
    }

    /// The tags of the live custom type of that key.
    pub(crate) fn tags_mut(&mut self, key: &str) -> Option<&mut Vec<Tag>> {
        self.custom
            .get_mut(key)
            .filter(|entry| !entry.deleted)
            .map(|entry| &mut entry.tags)
    }

    /// Checks every action of owner `Custom` in `pipeline` against the scope's custom
    /// types: the type must exist and not be deleted, and the action must set its
    /// required properties, no unknown ones, a queryable value of at most 20 of
    /// `[A-Za-z0-9_-]`, and as many artifacts as the type allows.
    ///
    /// # Errors
    /// `InvalidActionDeclarationException` for the first problem found, worded as for
    /// AWS's own types.
    pub(crate) fn check_pipeline(&self, pipeline: &PipelineDeclaration) -> Result<()> {
        let actions = pipeline.stages.iter().flat_map(|stage| &stage.actions);
        for action in actions.filter(|a| a.action_type_id.owner == ActionOwner::Custom) {
            let id = &action.action_type_id;
            let Some(action_type) = self.custom(id) else {
                return Err(super::unavailable(action));
            };
            check_action(action, action_type)?;
        }
        Ok(())
    }

    /// `pipeline` with the values of its custom actions' secret properties masked; a
    /// deleted type's secrets stay masked.
    pub(crate) fn mask(&self, mut pipeline: PipelineDeclaration) -> PipelineDeclaration {
        for action in pipeline.stages.iter_mut().flat_map(|s| &mut s.actions) {
            if let Some(configuration) = action.configuration.as_mut() {
                self.mask_configuration(&action.action_type_id, configuration);
            }
        }
        pipeline
    }

    /// Masks, in the configuration of an action of type `id`, the properties the custom
    /// type marks secret (deleted or not); other types' configurations are left alone.
    pub(crate) fn mask_configuration(
        &self,
        id: &ActionTypeId,
        configuration: &mut BTreeMap<String, String>,
    ) {
        if id.owner != ActionOwner::Custom {
            return;
        }
        let Some(entry) = self
            .custom
            .get(&key(&id.category, &id.provider, &id.version))
        else {
            return;
        };
        for property in &entry.action_type.action_configuration_properties {
            if property.secret
                && let Some(value) = configuration.get_mut(&property.name)
            {
                *value = MASKED.to_owned();
            }
        }
    }
}

/// Checks `action` against the custom type it names.
fn check_action(action: &ActionDeclaration, action_type: &ActionTypeInfo) -> Result<()> {
    let properties = &action_type.action_configuration_properties;
    let count = |counts: ArtifactCounts| {
        super::artifacts(
            counts.minimum_count.max(0) as usize,
            counts.maximum_count.max(0) as usize,
        )
    };
    super::check_configuration(
        action,
        properties
            .iter()
            .filter(|p| p.required)
            .map(|p| p.name.as_str()),
        |key| properties.iter().any(|p| p.name == key),
        count(action_type.input_artifact_details),
        count(action_type.output_artifact_details),
    )?;
    let queryable = properties.iter().find(|p| p.queryable);
    if let Some(property) = queryable
        && let Some(value) = action
            .configuration
            .as_ref()
            .and_then(|c| c.get(&property.name))
    {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-');
        if value.chars().count() > MAX_QUERYABLE_VALUE || !value.chars().all(allowed) {
            return Err(Error::InvalidActionDeclaration(format!(
                "Action configuration for action '{}' has an invalid value for queryable configuration '{}': it must be at most {MAX_QUERYABLE_VALUE} alphanumeric characters, underscores or hyphens",
                action.name, property.name
            )));
        }
    }
    Ok(())
}
