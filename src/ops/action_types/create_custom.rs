//! `CreateCustomActionType`: a new custom action type for the account's job workers.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{Error, ErrorKind, Result};
use crate::model::action_types::{
    self, ActionTypeInfo, ActionTypeRegistry, ActionTypeSettingsInfo, ArtifactCounts,
    ConfigurationProperty, CustomEntry, MAX_CUSTOM_ACTION_TYPES,
};
use crate::model::validate::{self, Violations};
use crate::model::{ActionCategory, ActionOwner, ActionTypeId, Tag};
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `CreateCustomActionType` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateCustomActionTypeInput {
    /// Source, Build, Deploy, Test, Invoke, Approval or Compute.
    #[serde(default)]
    pub category: ActionCategory,
    /// 1..=35 of `[0-9A-Za-z_-]`.
    #[serde(default)]
    pub provider: String,
    /// 1..=9 of `[0-9A-Za-z_-]`; a version of a deleted type can only restore it.
    #[serde(default)]
    pub version: String,
    /// Console links; the templates may name required, non-secret properties as
    /// `{Config:name}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<ActionTypeSettingsInfo>,
    /// At most 10; at most one queryable, which must be required and not secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_properties: Option<Vec<ConfigurationProperty>>,
    /// 0..=5 input artifacts.
    #[serde(default)]
    pub input_artifact_details: ArtifactCounts,
    /// 0..=5 output artifacts.
    #[serde(default)]
    pub output_artifact_details: ArtifactCounts,
    /// At most 50 tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl CreateCustomActionTypeInput {
    /// A custom type `(category, provider, version)` with no properties and the given
    /// artifact counts.
    pub fn new(
        category: ActionCategory,
        provider: &str,
        version: &str,
        input_artifact_details: ArtifactCounts,
        output_artifact_details: ArtifactCounts,
    ) -> Self {
        Self {
            category,
            provider: provider.to_owned(),
            version: version.to_owned(),
            input_artifact_details,
            output_artifact_details,
            ..Self::default()
        }
    }

    /// The same type with one more configuration property.
    pub fn property(mut self, property: ConfigurationProperty) -> Self {
        self.configuration_properties
            .get_or_insert_default()
            .push(property);
        self
    }

    /// The id of the type this creates (owner `Custom`).
    pub fn id(&self) -> ActionTypeId {
        ActionTypeId {
            category: self.category.clone(),
            owner: ActionOwner::Custom,
            provider: self.provider.clone(),
            version: self.version.clone(),
        }
    }

    fn definition(&self) -> ActionTypeInfo {
        ActionTypeInfo {
            id: self.id(),
            settings: self.settings.clone(),
            action_configuration_properties: self
                .configuration_properties
                .clone()
                .unwrap_or_default(),
            input_artifact_details: self.input_artifact_details,
            output_artifact_details: self.output_artifact_details,
        }
    }
}

/// `CreateCustomActionType` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateCustomActionTypeOutput {
    /// The type as stored, owner `Custom`.
    pub action_type: ActionTypeInfo,
    /// Its tags; absent when none were sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

/// `CreateCustomActionType`.
pub(crate) struct CreateCustomActionType;

impl Op for CreateCustomActionType {
    const OPERATION: Operation = Operation::CreateCustomActionType;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::LimitExceeded,
        ErrorKind::TooManyTags,
        ErrorKind::InvalidTags,
        ErrorKind::ConcurrentModification,
    ];
    const CHANGES_STATE: bool = true;
    type Input = CreateCustomActionTypeInput;
    type Output = CreateCustomActionTypeOutput;

    fn target(_input: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let properties = input
            .configuration_properties
            .as_deref()
            .unwrap_or_default();
        let mut v = Violations::default();
        v.enumeration("category", &input.category);
        v.provider("provider", &input.provider);
        v.version("version", &input.version);
        action_types::check_definition(
            &mut v,
            input.settings.as_ref(),
            properties,
            input.input_artifact_details,
            input.output_artifact_details,
        );
        v.finish()?;
        action_types::check_rules(
            input.settings.as_ref(),
            properties,
            input.input_artifact_details,
            input.output_artifact_details,
        )?;
        validate::tags("tags", &input.tags)
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let key = action_types::key(&input.category, &input.provider, &input.version);
        let definition = input.definition();
        let describe = || {
            format!(
                "category '{}', provider '{}' and version '{}'",
                input.category, input.provider, input.version
            )
        };
        cx.change_part(|registry: &mut ActionTypeRegistry, _now| {
            match registry.custom.get(&key) {
                Some(entry) if !entry.deleted => {
                    return Err(Error::Validation(format!(
                        "A custom action type with {} already exists in account '{}'",
                        describe(),
                        cx.account()
                    )));
                }
                Some(entry) if entry.action_type != definition => {
                    return Err(Error::Validation(format!(
                        "The custom action type with {} was deleted and its version cannot be reused; use a version that has never been used, or the deleted definition unchanged to restore it",
                        describe()
                    )));
                }
                _ => {}
            }
            if registry.live_custom().count() >= MAX_CUSTOM_ACTION_TYPES {
                return Err(Error::LimitExceeded(format!(
                    "Account '{}' already has {MAX_CUSTOM_ACTION_TYPES} custom action types in region '{}', the limit",
                    cx.account(),
                    cx.region()
                )));
            }
            registry.custom.insert(
                key.clone(),
                CustomEntry {
                    action_type: definition.clone(),
                    tags: input.tags.clone(),
                    deleted: false,
                },
            );
            Ok(())
        })?;
        Ok(CreateCustomActionTypeOutput {
            action_type: definition,
            tags: input.tags.clone(),
        })
    }
}

impl Simulator {
    /// `CreateCustomActionType`: a custom action type (owner `Custom`) that pipelines of
    /// this account and region can use. Creating a deleted type again with the very same
    /// definition restores it.
    ///
    /// # Errors
    /// `ValidationException` (also for a type that exists, or a deleted version given
    /// another definition), `LimitExceededException` (50 custom types),
    /// `InvalidTagsException`, `TooManyTagsException`.
    pub async fn create_custom_action_type(
        &self,
        input: CreateCustomActionTypeInput,
    ) -> Result<CreateCustomActionTypeOutput> {
        self.call::<CreateCustomActionType>(input).await
    }
}
