//! The service model's `ActionTypeDeclaration`: the newer description of an action type
//! that a provider registers for its customers through one of the integration models
//! (a Lambda function or a job worker), read with `GetActionType` and replaced with
//! `UpdateActionType`. Custom action types are not declared this way: they are created
//! with `CreateCustomActionType` (see [`super::custom`]).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::enums::{ActionCategory, ExecutorType};
use crate::model::validate::Violations;

/// The service model's `ActionTypeDeclaration`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionTypeDeclaration {
    /// 1..=1024 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How the type's jobs run.
    #[serde(default)]
    pub executor: ActionTypeExecutor,
    /// Which type this is; its owner is `AWS` or `ThirdParty`.
    #[serde(default)]
    pub id: ActionTypeIdentifier,
    /// How many input artifacts an action of the type takes (0..=10 each).
    #[serde(default)]
    pub input_artifact_details: ActionTypeArtifactDetails,
    /// How many output artifacts an action of the type produces (0..=10 each).
    #[serde(default)]
    pub output_artifact_details: ActionTypeArtifactDetails,
    /// The accounts that may use the type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<ActionTypePermissions>,
    /// Its configuration properties, at most 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<Vec<ActionTypeProperty>>,
    /// Links the console shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urls: Option<ActionTypeUrls>,
}

/// The service model's `ActionTypeExecutor`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionTypeExecutor {
    /// The executor's own settings.
    #[serde(default)]
    pub configuration: ExecutorConfiguration,
    /// `JobWorker` or `Lambda`.
    #[serde(rename = "type", default)]
    pub executor_type: ExecutorType,
    /// The policy statements customers grant the executor (1..=2048 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_statements_template: Option<String>,
    /// Seconds one job may take, 60..=43200.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_timeout: Option<i64>,
}

/// The service model's `ExecutorConfiguration`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutorConfiguration {
    /// The Lambda executor's function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda_executor_configuration: Option<LambdaExecutorConfiguration>,
    /// Who polls for the job worker executor's jobs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_worker_executor_configuration: Option<JobWorkerExecutorConfiguration>,
}

/// The service model's `LambdaExecutorConfiguration`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LambdaExecutorConfiguration {
    /// `arn:aws(-[\w]+)*:lambda:.+:[0-9]{12}:function:.+`, 1..=140 characters.
    #[serde(default)]
    pub lambda_function_arn: String,
}

/// The service model's `JobWorkerExecutorConfiguration`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobWorkerExecutorConfiguration {
    /// 1..=1000 account ids that may poll.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polling_accounts: Option<Vec<String>>,
    /// 1..=10 service principals that may poll.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polling_service_principals: Option<Vec<String>>,
}

/// The service model's `ActionTypeIdentifier`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionTypeIdentifier {
    /// Source, Build, Deploy, Test, Invoke, Approval or Compute.
    #[serde(default)]
    pub category: ActionCategory,
    /// `AWS` or `ThirdParty`.
    #[serde(default)]
    pub owner: String,
    /// 1..=35 of `[0-9A-Za-z_-]`.
    #[serde(default)]
    pub provider: String,
    /// 1..=9 of `[0-9A-Za-z_-]`.
    #[serde(default)]
    pub version: String,
}

impl ActionTypeIdentifier {
    /// The registry key: `Owner/Category/Provider/Version`.
    pub(crate) fn key(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.owner,
            self.category.as_str(),
            self.provider,
            self.version
        )
    }

    /// Checks the model's constraints, with member paths under `path`.
    pub(crate) fn check(&self, v: &mut Violations, path: &str) {
        v.enumeration(&format!("{path}category"), &self.category);
        check_owner(v, &format!("{path}owner"), &self.owner);
        v.provider(&format!("{path}provider"), &self.provider);
        v.version(&format!("{path}version"), &self.version);
    }
}

/// The model's `ActionTypeOwner`: `AWS` or `ThirdParty`.
pub(crate) fn check_owner(v: &mut Violations, path: &str, owner: &str) {
    if owner != "AWS" && owner != "ThirdParty" {
        v.push(
            path,
            format_args!("Member must satisfy regular expression pattern: AWS|ThirdParty"),
        );
    }
}

/// The service model's `ActionTypeArtifactDetails`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionTypeArtifactDetails {
    /// 0..=10.
    #[serde(default)]
    pub minimum_count: i64,
    /// 0..=10.
    #[serde(default)]
    pub maximum_count: i64,
}

/// The service model's `ActionTypePermissions`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionTypePermissions {
    /// 1..=1000 of `[0-9]{12}|\*`.
    #[serde(default)]
    pub allowed_accounts: Vec<String>,
}

/// The service model's `ActionTypeProperty`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionTypeProperty {
    /// 1..=50 characters.
    #[serde(default)]
    pub name: String,
    /// Whether an action may leave it out.
    #[serde(default)]
    pub optional: bool,
    /// Whether it identifies the resource the action works on.
    #[serde(default)]
    pub key: bool,
    /// Whether its value is kept out of logs.
    #[serde(default)]
    pub no_echo: bool,
    /// Whether job workers poll on it: at most one, required and not `noEcho`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queryable: Option<bool>,
    /// 1..=250 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The service model's `ActionTypeUrls`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionTypeUrls {
    /// The provider's configuration page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_url: Option<String>,
    /// A deep link to the resource an action works on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_url_template: Option<String>,
    /// A link to an execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_url_template: Option<String>,
    /// A link to a revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_url_template: Option<String>,
}

/// Whether `arn` matches `arn:aws(-[\w]+)*:lambda:.+:[0-9]{12}:function:.+`.
fn is_lambda_arn(arn: &str) -> bool {
    let Some(rest) = arn.strip_prefix("arn:aws") else {
        return false;
    };
    let Some((_, rest)) = rest.split_once(":lambda:") else {
        return false;
    };
    let Some((before, function)) = rest.rsplit_once(":function:") else {
        return false;
    };
    let Some((region, account)) = before.rsplit_once(':') else {
        return false;
    };
    !region.is_empty()
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !function.is_empty()
}

impl ActionTypeDeclaration {
    /// Checks the model's constraints (one `ValidationException` listing every
    /// violation), then the rules its documentation states: at most one queryable
    /// property, which is required and not `noEcho`, and unique property names.
    ///
    /// # Errors
    /// `ValidationException`.
    pub(crate) fn check(&self, path: &str) -> Result<()> {
        let mut v = Violations::default();
        if let Some(description) = &self.description {
            v.length(&format!("{path}description"), description, 1, 1024);
        }
        let executor = &self.executor;
        let executor_path = format!("{path}executor");
        v.enumeration(&format!("{executor_path}.type"), &executor.executor_type);
        if let Some(template) = &executor.policy_statements_template {
            v.length(
                &format!("{executor_path}.policyStatementsTemplate"),
                template,
                1,
                2048,
            );
        }
        if let Some(timeout) = executor.job_timeout {
            v.range(&format!("{executor_path}.jobTimeout"), timeout, 60, 43200);
        }
        let config_path = format!("{executor_path}.configuration");
        if let Some(lambda) = &executor.configuration.lambda_executor_configuration {
            let arn_path = format!("{config_path}.lambdaExecutorConfiguration.lambdaFunctionArn");
            v.length(&arn_path, &lambda.lambda_function_arn, 1, 140);
            if !is_lambda_arn(&lambda.lambda_function_arn) {
                v.push(
                    &arn_path,
                    format_args!(
                        r"Member must satisfy regular expression pattern: arn:aws(-[\w]+)*:lambda:.+:[0-9]{{12}}:function:.+"
                    ),
                );
            }
        }
        if let Some(worker) = &executor.configuration.job_worker_executor_configuration {
            let worker_path = format!("{config_path}.jobWorkerExecutorConfiguration");
            if let Some(accounts) = &worker.polling_accounts {
                let accounts_path = format!("{worker_path}.pollingAccounts");
                v.list_length(&accounts_path, accounts.len(), 1, 1000);
                for (i, account) in accounts.iter().enumerate() {
                    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                        v.push(
                            &format!("{accounts_path}.{}.member", i + 1),
                            format_args!(
                                "Member must satisfy regular expression pattern: [0-9]{{12}}"
                            ),
                        );
                    }
                }
            }
            if let Some(principals) = &worker.polling_service_principals {
                let principals_path = format!("{worker_path}.pollingServicePrincipals");
                v.list_length(&principals_path, principals.len(), 1, 10);
                for (i, principal) in principals.iter().enumerate() {
                    v.length(
                        &format!("{principals_path}.{}.member", i + 1),
                        principal,
                        1,
                        128,
                    );
                }
            }
        }
        self.id.check(&mut v, &format!("{path}id."));
        for (name, details) in [
            ("inputArtifactDetails", self.input_artifact_details),
            ("outputArtifactDetails", self.output_artifact_details),
        ] {
            v.range(
                &format!("{path}{name}.minimumCount"),
                details.minimum_count,
                0,
                10,
            );
            v.range(
                &format!("{path}{name}.maximumCount"),
                details.maximum_count,
                0,
                10,
            );
        }
        if let Some(permissions) = &self.permissions {
            let accounts_path = format!("{path}permissions.allowedAccounts");
            v.list_length(&accounts_path, permissions.allowed_accounts.len(), 1, 1000);
            for (i, account) in permissions.allowed_accounts.iter().enumerate() {
                let valid = account == "*"
                    || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()));
                if !valid {
                    v.push(
                        &format!("{accounts_path}.{}.member", i + 1),
                        format_args!(
                            r"Member must satisfy regular expression pattern: [0-9]{{12}}|\*"
                        ),
                    );
                }
            }
        }
        let properties = self.properties.as_deref().unwrap_or_default();
        v.list_length(&format!("{path}properties"), properties.len(), 0, 10);
        for (i, property) in properties.iter().enumerate() {
            let property_path = format!("{path}properties.{}.member", i + 1);
            v.length(&format!("{property_path}.name"), &property.name, 1, 50);
            if let Some(description) = &property.description {
                v.length(&format!("{property_path}.description"), description, 1, 250);
            }
        }
        if let Some(urls) = &self.urls {
            let all = [
                ("configurationUrl", &urls.configuration_url),
                ("entityUrlTemplate", &urls.entity_url_template),
                ("executionUrlTemplate", &urls.execution_url_template),
                ("revisionUrlTemplate", &urls.revision_url_template),
            ];
            for (name, url) in all {
                if let Some(url) = url {
                    v.length(&format!("{path}urls.{name}"), url, 1, 2048);
                }
            }
        }
        v.finish()?;
        let invalid = |message: String| Err(Error::Validation(message));
        for (i, property) in properties.iter().enumerate() {
            if properties[..i].iter().any(|p| p.name == property.name) {
                return invalid(format!(
                    "Property '{}' is declared more than once",
                    property.name
                ));
            }
        }
        let queryable: Vec<&ActionTypeProperty> = properties
            .iter()
            .filter(|p| p.queryable == Some(true))
            .collect();
        if queryable.len() > 1 {
            return invalid(format!(
                "An action type can have at most one queryable property, but {} are queryable",
                queryable.len()
            ));
        }
        if let Some(property) = queryable.first()
            && (property.optional || property.no_echo)
        {
            return invalid(format!(
                "Queryable property '{}' must be required and not noEcho",
                property.name
            ));
        }
        Ok(())
    }
}
