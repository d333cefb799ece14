//! The rule types AWS owns, in the service model's `RuleType` shape: what the rules of a
//! V2 pipeline's stage conditions (`beforeEntry`, `onSuccess`, `onFailure`) may run.
//!
//! [`RULE_TYPES`] is one static table, like the action types' table beside it: for each
//! type, its configuration properties (name, required, key, secret, queryable,
//! description) and how many input artifacts it takes. It serializes as `ListRuleTypes`
//! answers, so that operation hands it out as is. Each entry names the AWS user guide
//! page ("Rule structure reference") it was taken from; where the docs were silent or
//! unclear, the entry says which reading pipesim chose (and `docs/behaviour.md` lists it
//! as a \[choice\]).
//!
//! The model's `RuleTypeSettings`, `RuleConfigurationProperty` and
//! `RuleConfigurationPropertyType` have exactly the members of their action counterparts,
//! and `ArtifactDetails` is one shape for both, so the rule types reuse those types under
//! the model's names rather than declaring them twice.
//!
//! Nothing checks a stage condition's rules against this table yet: [`find`],
//! [`RuleType::property`] and [`RuleType::required_properties`] are what that check
//! will use.

mod table;

use serde::Serialize;

use super::enums::{RuleCategory, RuleOwner};

pub use super::action_types::ArtifactDetails;
pub use table::RULE_TYPES;

/// The service model's `RuleTypeSettings`: the members of `ActionTypeSettings`.
pub type RuleTypeSettings = super::action_types::ActionTypeSettings;

/// The service model's `RuleConfigurationProperty`: the members of
/// `ActionConfigurationProperty`.
pub type RuleConfigurationProperty = super::action_types::ActionConfigurationProperty;

/// The service model's `RuleConfigurationPropertyType`: `String`, `Number` or `Boolean`.
pub type RuleConfigurationPropertyType = super::action_types::ActionConfigurationPropertyType;

/// A rule type: what CodePipeline knows about one `(category, owner, provider, version)`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleType {
    /// Which type this is.
    pub id: RuleTypeKey,
    /// Console links, where the docs give them (they give none for any rule type yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<RuleTypeSettings>,
    /// The configuration keys a rule of this type may set (at most 10, as the model allows).
    pub rule_configuration_properties: &'static [RuleConfigurationProperty],
    /// How many input artifacts a rule of this type takes.
    pub input_artifact_details: ArtifactDetails,
    /// The title of the AWS user guide page the entry was taken from.
    #[serde(skip)]
    pub source: &'static str,
}

/// The `id` of a [`RuleType`]: a `RuleTypeId` that can live in a static table.
#[derive(Debug, Serialize)]
pub struct RuleTypeKey {
    /// Always `Rule`, the only category the model allows.
    pub category: RuleCategory,
    /// Always `AWS`, the only owner the model allows.
    pub owner: RuleOwner,
    /// The provider, such as `DeploymentWindow` or `VariableCheck`.
    pub provider: &'static str,
    /// Always `1`.
    pub version: &'static str,
}

/// The table's entry for the rule type `(Rule, AWS, provider, version)`, if it has one.
///
/// Provider and version are compared exactly, case included, as for action types. Every
/// entry is of category `Rule` and owner `AWS`, the only values the model allows, so a
/// caller holding a whole rule type id checks those two first (an unknown value of
/// [`RuleCategory`] or [`RuleOwner`] names no rule type).
pub fn find(provider: &str, version: &str) -> Option<&'static RuleType> {
    RULE_TYPES
        .iter()
        .find(|rule_type| rule_type.id.provider == provider && rule_type.id.version == version)
}

impl RuleType {
    /// The configuration property called `name` (compared exactly, case included), if
    /// the type declares one.
    pub fn property(&self, name: &str) -> Option<&RuleConfigurationProperty> {
        self.rule_configuration_properties
            .iter()
            .find(|property| property.name == name)
    }

    /// The names of the properties every rule of this type must set, in the table's order.
    pub fn required_properties(&self) -> impl Iterator<Item = &'static str> {
        self.rule_configuration_properties
            .iter()
            .filter(|property| property.required)
            .map(|property| property.name)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashSet};

    use serde_json::{Value, json};

    use super::*;

    /// The member names of `value`, an object.
    fn members(value: &Value) -> BTreeSet<&str> {
        value
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect()
    }

    fn set<'a>(names: &[&'a str]) -> BTreeSet<&'a str> {
        names.iter().copied().collect()
    }

    #[test]
    fn the_table_holds_each_provider_once_and_keeps_to_the_model() {
        let mut seen = HashSet::new();
        for rule_type in RULE_TYPES {
            let id = &rule_type.id;
            assert!(seen.insert(id.provider), "{id:?} is in the table twice");
            assert_eq!(id.category, RuleCategory::Rule, "{id:?}");
            assert_eq!(id.owner, RuleOwner::Aws, "{id:?}");
            assert_eq!(id.version, "1", "{id:?}");
            // RuleProvider: 1..35 of [0-9A-Za-z_-].
            assert!((1..=35).contains(&id.provider.len()), "{id:?}");
            assert!(
                id.provider
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
                "{id:?}"
            );
            assert!(!rule_type.source.is_empty(), "{id:?} names no source");
            let properties = rule_type.rule_configuration_properties;
            assert!(properties.len() <= 10, "{id:?}: more than the model's 10");
            let mut names = HashSet::new();
            for property in properties {
                assert!(
                    names.insert(property.name),
                    "{id:?}: {} twice",
                    property.name
                );
                assert!((1..=50).contains(&property.name.len()), "{}", property.name);
                let description = property.description.unwrap_or("x");
                assert!((1..=160).contains(&description.len()), "{description}");
            }
            let artifacts = rule_type.input_artifact_details;
            assert!(artifacts.minimum_count <= artifacts.maximum_count, "{id:?}");
            assert!(artifacts.maximum_count <= 5, "{id:?}: above the model's 5");
        }
    }

    /// The docs mark no property of a rule type as key or secret; as for action types,
    /// pipesim marks the required ones as keys and none as secret or queryable.
    #[test]
    fn required_properties_are_the_keys_and_none_is_secret() {
        for rule_type in RULE_TYPES {
            for property in rule_type.rule_configuration_properties {
                let id = (rule_type.id.provider, property.name);
                assert_eq!(property.key, property.required, "{id:?}");
                assert!(!property.secret, "{id:?}");
                assert!(!property.queryable, "{id:?}");
            }
        }
    }

    /// Every member serialized is one the service model's shapes declare, under its exact
    /// name, and every member the model requires is there. The names are written out from
    /// the model (`RuleType`, `RuleTypeId`, `RuleTypeSettings`, `RuleConfigurationProperty`,
    /// `ArtifactDetails`).
    #[test]
    fn rule_types_serialize_with_the_service_model_member_names() {
        let rule_type_members = set(&[
            "id",
            "settings",
            "ruleConfigurationProperties",
            "inputArtifactDetails",
        ]);
        let settings_members = set(&[
            "thirdPartyConfigurationUrl",
            "entityUrlTemplate",
            "executionUrlTemplate",
            "revisionUrlTemplate",
        ]);
        let property_members = set(&[
            "name",
            "required",
            "key",
            "secret",
            "queryable",
            "description",
            "type",
        ]);
        for rule_type in RULE_TYPES {
            let json = serde_json::to_value(rule_type).unwrap();
            let provider = rule_type.id.provider;
            let got = members(&json);
            assert!(got.is_subset(&rule_type_members), "{provider}: {got:?}");
            assert!(got.is_superset(&set(&["id", "inputArtifactDetails"])));
            assert_eq!(
                members(&json["id"]),
                set(&["category", "owner", "provider", "version"])
            );
            assert_eq!(
                members(&json["inputArtifactDetails"]),
                set(&["minimumCount", "maximumCount"])
            );
            if let Some(settings) = json.get("settings") {
                assert!(members(settings).is_subset(&settings_members), "{provider}");
            }
            for property in json["ruleConfigurationProperties"].as_array().unwrap() {
                let got = members(property);
                assert!(got.is_subset(&property_members), "{provider}: {got:?}");
                assert!(got.is_superset(&set(&["name", "required", "key", "secret"])));
            }
        }
    }

    #[test]
    fn a_rule_type_serializes_as_list_rule_types_answers_it() {
        let window = find("DeploymentWindow", "1").unwrap();
        assert_eq!(
            serde_json::to_value(window).unwrap(),
            json!({
                "id": {"category": "Rule", "owner": "AWS", "provider": "DeploymentWindow",
                       "version": "1"},
                "ruleConfigurationProperties": [
                    {"name": "Cron", "required": true, "key": true, "secret": false,
                     "queryable": false,
                     "description": "When deployments are allowed, as a cron expression of six or seven fields"},
                    {"name": "TimeZone", "required": false, "key": false, "secret": false,
                     "queryable": false,
                     "description": "The window's time zone: Region/City, UTC with an optional offset, or an abbreviation (UTC when not set)"},
                ],
                "inputArtifactDetails": {"minimumCount": 0, "maximumCount": 0},
            })
        );
    }

    #[test]
    fn find_compares_provider_and_version_exactly() {
        assert_eq!(
            find("VariableCheck", "1").map(|t| t.id.provider),
            Some("VariableCheck")
        );
        assert!(find("variablecheck", "1").is_none());
        assert!(find("VariableCheck", "2").is_none());
        assert!(find("Manual", "1").is_none());
    }

    #[test]
    fn a_rule_type_names_its_properties_and_the_required_ones_in_order() {
        let check = find("VariableCheck", "1").unwrap();
        assert_eq!(
            check.required_properties().collect::<Vec<_>>(),
            ["Operator", "Variable", "Value"]
        );
        let alarm = find("CloudWatchAlarm", "1").unwrap();
        assert_eq!(
            alarm.required_properties().collect::<Vec<_>>(),
            ["AlarmName"]
        );
        assert!(!alarm.property("WaitTime").unwrap().required);
        assert!(alarm.property("waittime").is_none());
        let commands = find("Commands", "1").unwrap();
        assert_eq!(commands.required_properties().count(), 0);
    }
}
