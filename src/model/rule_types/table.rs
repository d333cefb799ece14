//! The data: every rule type AWS owns, one entry per provider, in the order of the user
//! guide's "Rule structure reference" (which is also the order `ListRuleTypes` answers).
//!
//! Each entry is taken from the page its `source` names. Those pages give each
//! configuration parameter and whether it is required, and nothing else the model's
//! shape holds:
//!
//! - `key` is true exactly for the required properties and `queryable` false, as AWS's
//!   published `ListActionTypes` answer has them for its own action types; `type` is left
//!   out, as in that answer; nothing is `secret`.
//! - No page gives console links, so no entry has `settings`.
//! - No page gives input artifact counts: a rule that reads nothing (an alarm, a window,
//!   a variable) takes none, as its page's example shows; the others take what the action
//!   of the same provider takes, within the model's limit of 5. Each entry says which.
//!
//! No recorded `ListRuleTypes` answer was found to check these against; one would win.

use super::{RuleConfigurationProperty, RuleType, RuleTypeKey};
use crate::model::action_types::{artifacts, optional, required};
use crate::model::enums::{RuleCategory, RuleOwner};

const fn aws(provider: &'static str) -> RuleTypeKey {
    RuleTypeKey {
        category: RuleCategory::Rule,
        owner: RuleOwner::Aws,
        provider,
        version: "1",
    }
}

const CLOUDWATCH_ALARM_PROPERTIES: &[RuleConfigurationProperty] = &[
    required("AlarmName", "The CloudWatch alarm the rule watches"),
    optional(
        "AlarmStates",
        "The alarm states the rule monitors: ALARM, OK or INSUFFICIENT_DATA",
    ),
    optional(
        "WaitTime",
        "Minutes to wait for the alarm's state to change before the rule's result applies",
    ),
];

const CODEBUILD_PROPERTIES: &[RuleConfigurationProperty] = &[
    required("ProjectName", "The CodeBuild build project the rule runs"),
    // The page says "Required: Conditional": with more than one input artifact.
    optional(
        "PrimarySource",
        "The input artifact holding the buildspec; required with several inputs",
    ),
    optional("BatchEnabled", "Whether the rule runs a batch build"),
    optional(
        "CombineArtifacts",
        "Whether a batch build combines its artifacts into one",
    ),
    optional(
        "EnvironmentVariables",
        "A JSON array of environment variables for the build",
    ),
];

const DEPLOYMENT_WINDOW_PROPERTIES: &[RuleConfigurationProperty] = &[
    required(
        "Cron",
        "When deployments are allowed, as a cron expression of six or seven fields",
    ),
    optional(
        "TimeZone",
        "The window's time zone: Region/City, UTC with an optional offset, or an abbreviation (UTC when not set)",
    ),
];

const LAMBDA_INVOKE_PROPERTIES: &[RuleConfigurationProperty] = &[
    required("FunctionName", "The Lambda function the rule invokes"),
    optional(
        "UserParameters",
        "Parameters passed to the function, as key-value pairs",
    ),
];

const VARIABLE_CHECK_PROPERTIES: &[RuleConfigurationProperty] = &[
    required(
        "Operator",
        "How the variable is checked: EQ, CONTAINS, MATCHES or NE",
    ),
    required(
        "Variable",
        "The pipeline variable checked, such as #{SourceVariables.RepositoryName}",
    ),
    required("Value", "The value the variable is checked against"),
];

/// Every rule type AWS owns, as `ListRuleTypes` answers it.
pub static RULE_TYPES: &[RuleType] = &[
    RuleType {
        id: aws("CloudWatchAlarm"),
        settings: None,
        rule_configuration_properties: CLOUDWATCH_ALARM_PROPERTIES,
        // Its page's example has `inputArtifacts: []`: an alarm reads no artifact.
        input_artifact_details: artifacts(0, 0),
        source: "CloudWatchAlarm",
    },
    RuleType {
        id: aws("CodeBuild"),
        settings: None,
        rule_configuration_properties: CODEBUILD_PROPERTIES,
        // As the CodeBuild build action: its page's example has one input.
        input_artifact_details: artifacts(1, 5),
        source: "CodeBuild rule",
    },
    RuleType {
        id: aws("Commands"),
        settings: None,
        // The page lists Commands as a required parameter, but its own example puts the
        // commands in the rule's `commands` member with `configuration: {}` ("you set the
        // action configuration fields outside of the action configuration"): the
        // configuration holds nothing, as for the Commands action.
        rule_configuration_properties: &[],
        // As the Commands action (1..10), within the model's limit of 5.
        input_artifact_details: artifacts(1, 5),
        source: "Commands",
    },
    RuleType {
        id: aws("DeploymentWindow"),
        settings: None,
        rule_configuration_properties: DEPLOYMENT_WINDOW_PROPERTIES,
        // Its page's example has `inputArtifacts: []`: a window reads no artifact.
        input_artifact_details: artifacts(0, 0),
        source: "DeploymentWindow",
    },
    RuleType {
        id: aws("LambdaInvoke"),
        settings: None,
        rule_configuration_properties: LAMBDA_INVOKE_PROPERTIES,
        // As the Lambda invoke action: its page's example passes one input, and a
        // function need read none.
        input_artifact_details: artifacts(0, 5),
        source: "LambdaInvoke",
    },
    RuleType {
        id: aws("VariableCheck"),
        settings: None,
        rule_configuration_properties: VARIABLE_CHECK_PROPERTIES,
        // Its page's examples have `inputArtifacts: []`: it reads a variable only.
        input_artifact_details: artifacts(0, 0),
        source: "VariableCheck",
    },
];
