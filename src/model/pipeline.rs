//! The pipeline declaration: what `CreatePipeline` takes and `GetPipeline` gives back.
//!
//! Members pipesim reads are typed (stage conditions are in `super::conditions`, triggers
//! in `super::triggers`); every other member of the service model (action commands, ...)
//! is kept verbatim in
//! `other`, so a declaration round-trips unchanged. Required strings read as empty when missing, which validation
//! then rejects with a length message.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::conditions::{BeforeEntryConditions, Condition, FailureConditions, SuccessConditions};
use super::enums::{ActionCategory, ActionOwner, ArtifactStoreType, ExecutionMode, PipelineType};
use super::triggers::PipelineTriggerDeclaration;

/// A whole pipeline: its stages and their actions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineDeclaration {
    /// Unique per account and region; 1..100 of `[A-Za-z0-9.@\-_]`.
    #[serde(default)]
    pub name: String,
    /// The service role: `arn:aws(-[\w]+)*:iam::[0-9]{12}:role/.*`.
    #[serde(default)]
    pub role_arn: String,
    /// The artifact bucket (exactly one of this and `artifact_stores`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_store: Option<ArtifactStore>,
    /// Artifact buckets per region, for cross-region actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_stores: Option<BTreeMap<String, ArtifactStore>>,
    /// 2..50 stages, run in order.
    #[serde(default)]
    pub stages: Vec<StageDeclaration>,
    /// Set by the service: 1 on create, one more on every update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// SUPERSEDED when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_mode: Option<ExecutionMode>,
    /// V1 when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_type: Option<PipelineType>,
    /// Pipeline-level variables (V2 only), at most 50; `[]` is kept as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<Vec<PipelineVariableDeclaration>>,
    /// Git triggers (V2 only), at most 50, one per `CodeStarSourceConnection` source
    /// action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triggers: Option<Vec<PipelineTriggerDeclaration>>,
    /// Members pipesim keeps but does not interpret.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl PipelineDeclaration {
    /// A pipeline named `name` with a valid role and artifact store, and these stages.
    pub fn new(name: impl Into<String>, stages: Vec<StageDeclaration>) -> Self {
        Self {
            name: name.into(),
            role_arn: "arn:aws:iam::123456789012:role/pipesim".into(),
            artifact_store: Some(ArtifactStore {
                store_type: ArtifactStoreType::S3,
                location: "pipesim-artifacts".into(),
                other: Map::new(),
            }),
            stages,
            ..Self::default()
        }
    }

    /// The smallest valid pipeline, for tests and examples: stage `Source` with the S3
    /// source action `Fetch` (bucket `pipesim-source`, key `app.zip`, output artifact
    /// `Src`), then stage `Deploy` with the S3 deploy action `Ship` (bucket
    /// `pipesim-site`, extracted, input `Src`). A V1, SUPERSEDED pipeline.
    pub fn two_stage_example(name: impl Into<String>) -> Self {
        Self::new(
            name,
            vec![
                StageDeclaration::new(
                    "Source",
                    vec![
                        ActionDeclaration::new("Fetch", ActionTypeId::s3_source())
                            .config("S3Bucket", "pipesim-source")
                            .config("S3ObjectKey", "app.zip")
                            .output("Src"),
                    ],
                ),
                StageDeclaration::new(
                    "Deploy",
                    vec![
                        ActionDeclaration::new("Ship", ActionTypeId::s3_deploy())
                            .config("BucketName", "pipesim-site")
                            .config("Extract", "true")
                            .input("Src"),
                    ],
                ),
            ],
        )
    }

    /// A pipeline whose source is a repository behind a connection: stage `Source` with
    /// the `CodeStarSourceConnection` action `Code` (repository `repository`, branch
    /// `branch`, output artifact `Src`), then stage `Deploy` with the S3 deploy action
    /// `Ship`, as in [`two_stage_example`](Self::two_stage_example). A V1, SUPERSEDED
    /// pipeline; [`v2`](Self::v2) it to give it triggers.
    pub fn connection_example(name: impl Into<String>, repository: &str, branch: &str) -> Self {
        let mut pipeline = Self::two_stage_example(name);
        pipeline.stages[0].actions[0] = ActionDeclaration::new(
            "Code",
            ActionTypeId::aws(ActionCategory::Source, "CodeStarSourceConnection"),
        )
        .config("ConnectionArn", CONNECTION_EXAMPLE_ARN)
        .config("FullRepositoryId", repository)
        .config("BranchName", branch)
        .output("Src");
        pipeline
    }

    /// The pipeline-level variables declared (none when `variables` is absent).
    pub fn declared_variables(&self) -> &[PipelineVariableDeclaration] {
        self.variables.as_deref().unwrap_or_default()
    }

    /// The same pipeline as a V2 pipeline in `mode`.
    pub fn v2(mut self, mode: ExecutionMode) -> Self {
        self.pipeline_type = Some(PipelineType::V2);
        self.execution_mode = Some(mode);
        self
    }

    /// The same pipeline with one more trigger.
    pub fn trigger(mut self, git_configuration: super::triggers::GitConfiguration) -> Self {
        self.triggers
            .get_or_insert_default()
            .push(PipelineTriggerDeclaration {
                provider_type: super::enums::PipelineTriggerProviderType::CodeStarSourceConnection,
                git_configuration,
            });
        self
    }

    /// The same pipeline with one more variable declaration.
    pub fn variable(mut self, name: impl Into<String>, default_value: Option<&str>) -> Self {
        self.variables
            .get_or_insert_default()
            .push(PipelineVariableDeclaration {
                name: name.into(),
                default_value: default_value.map(str::to_owned),
                description: None,
            });
        self
    }
}

/// The connection of [`PipelineDeclaration::connection_example`].
pub const CONNECTION_EXAMPLE_ARN: &str = "arn:aws:codestar-connections:us-east-1:123456789012:connection/8f6b1c2e-5d4a-4e3b-9c1d-2a7e6f0b3c4d";

/// Where a pipeline keeps its artifacts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactStore {
    /// Always `S3`.
    #[serde(rename = "type", default)]
    pub store_type: ArtifactStoreType,
    /// The bucket: 3..63 of `[a-zA-Z0-9\-\.]`.
    #[serde(default)]
    pub location: String,
    /// `encryptionKey`, kept verbatim.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One stage: actions grouped by `runOrder`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageDeclaration {
    /// Unique in the pipeline; 1..100 of `[A-Za-z0-9.@\-_]`.
    #[serde(default)]
    pub name: String,
    /// 1..50 actions.
    #[serde(default)]
    pub actions: Vec<ActionDeclaration>,
    /// Checked before an execution runs the stage's actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_entry: Option<BeforeEntryConditions>,
    /// Checked once the stage's actions succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_success: Option<SuccessConditions>,
    /// What happens when the stage fails: a retry, a rollback, or conditions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<FailureConditions>,
    /// `blockers`, kept verbatim.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl StageDeclaration {
    /// A stage named `name` with these actions.
    pub fn new(name: impl Into<String>, actions: Vec<ActionDeclaration>) -> Self {
        Self {
            name: name.into(),
            actions,
            ..Self::default()
        }
    }

    /// The same stage with an entry condition.
    pub fn before_entry(mut self, condition: Condition) -> Self {
        self.before_entry = Some(BeforeEntryConditions {
            conditions: vec![condition],
        });
        self
    }

    /// The same stage with a success condition.
    pub fn on_success(mut self, condition: Condition) -> Self {
        self.on_success = Some(SuccessConditions {
            conditions: vec![condition],
        });
        self
    }

    /// The same stage with what happens when it fails.
    pub fn on_failure(mut self, on_failure: FailureConditions) -> Self {
        self.on_failure = Some(on_failure);
        self
    }
}

/// One action of a stage.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionDeclaration {
    /// Unique in the stage; 1..100 of `[A-Za-z0-9.@\-_]`.
    #[serde(default)]
    pub name: String,
    /// What the action is.
    #[serde(default)]
    pub action_type_id: ActionTypeId,
    /// 1..999; actions with the same run order run together, lower first. Stored as 1
    /// when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_order: Option<i64>,
    /// Provider configuration, kept verbatim; stored as `{}` when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<BTreeMap<String, String>>,
    /// Artifacts this action produces; names unique in the pipeline. Always sent, `[]`
    /// when none, as AWS sends it.
    #[serde(default)]
    pub output_artifacts: Vec<ArtifactRef>,
    /// Artifacts this action consumes; each produced by an earlier action. Always sent.
    #[serde(default)]
    pub input_artifacts: Vec<ArtifactRef>,
    /// `roleArn`, `region`, `namespace`, `commands`, `timeoutInMinutes`, ... kept verbatim.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl ActionDeclaration {
    /// An action named `name` of type `action_type_id`, run order 1.
    pub fn new(name: impl Into<String>, action_type_id: ActionTypeId) -> Self {
        Self {
            name: name.into(),
            action_type_id,
            ..Self::default()
        }
    }

    /// The same action at another run order.
    pub fn run_order(mut self, run_order: i64) -> Self {
        self.run_order = Some(run_order);
        self
    }

    /// The same action producing an artifact.
    pub fn output(mut self, artifact: impl Into<String>) -> Self {
        self.output_artifacts.push(ArtifactRef::new(artifact));
        self
    }

    /// The same action consuming an artifact.
    pub fn input(mut self, artifact: impl Into<String>) -> Self {
        self.input_artifacts.push(ArtifactRef::new(artifact));
        self
    }

    /// The same action with one more configuration key.
    pub fn config(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.configuration
            .get_or_insert_with(BTreeMap::new)
            .insert(key.into(), value.into());
        self
    }

    /// The same action declaring a variable namespace.
    pub fn in_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.other
            .insert("namespace".into(), Value::String(namespace.into()));
        self
    }

    /// The variable namespace the action declares (its `namespace` member), under which
    /// later actions reference its output variables.
    pub fn namespace(&self) -> Option<&str> {
        self.other.get("namespace").and_then(Value::as_str)
    }

    /// Whether this is a manual approval (`Approval` / `AWS` / `Manual`).
    pub fn is_manual_approval(&self) -> bool {
        let id = &self.action_type_id;
        id.category == ActionCategory::Approval
            && id.owner == ActionOwner::Aws
            && id.provider == "Manual"
    }
}

/// Names an action type.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionTypeId {
    /// Source, Build, Deploy, Test, Invoke, Approval or Compute.
    #[serde(default)]
    pub category: ActionCategory,
    /// AWS, ThirdParty or Custom.
    #[serde(default)]
    pub owner: ActionOwner,
    /// 1..35 of `[0-9A-Za-z_-]`.
    #[serde(default)]
    pub provider: String,
    /// 1..9 of `[0-9A-Za-z_-]`.
    #[serde(default)]
    pub version: String,
}

impl ActionTypeId {
    /// An action type owned by AWS.
    pub fn aws(category: ActionCategory, provider: &str) -> Self {
        Self {
            category,
            owner: ActionOwner::Aws,
            provider: provider.into(),
            version: "1".into(),
        }
    }

    /// A custom action type of the account, version `1`: its runs wait for a job
    /// worker's `PollForJobs`.
    pub fn custom(category: ActionCategory, provider: &str) -> Self {
        Self {
            owner: ActionOwner::Custom,
            ..Self::aws(category, provider)
        }
    }

    /// A partner's action type, version `1`: its runs wait for the partner's
    /// `PollForThirdPartyJobs`.
    pub fn third_party(category: ActionCategory, provider: &str) -> Self {
        Self {
            owner: ActionOwner::ThirdParty,
            ..Self::aws(category, provider)
        }
    }

    /// The S3 source action.
    pub fn s3_source() -> Self {
        Self::aws(ActionCategory::Source, "S3")
    }

    /// The CodeBuild build action.
    pub fn codebuild() -> Self {
        Self::aws(ActionCategory::Build, "CodeBuild")
    }

    /// The S3 deploy action.
    pub fn s3_deploy() -> Self {
        Self::aws(ActionCategory::Deploy, "S3")
    }

    /// The manual approval action.
    pub fn manual_approval() -> Self {
        Self::aws(ActionCategory::Approval, "Manual")
    }
}

/// An input or output artifact reference.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactRef {
    /// 1..100 of `[a-zA-Z0-9_\-]`.
    #[serde(default)]
    pub name: String,
    /// `files`, kept verbatim.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl ArtifactRef {
    /// A reference to the artifact `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            other: Map::new(),
        }
    }
}

/// A pipeline-level variable a start may set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineVariableDeclaration {
    /// 1..128 of `[A-Za-z0-9@\-_]`.
    #[serde(default)]
    pub name: String,
    /// Used when a start does not set the variable; 1..1000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<String>,
    /// Free text, 0..200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A resource tag.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Tag {
    /// 1..128 characters, not starting with `aws:`.
    #[serde(default)]
    pub key: String,
    /// 0..256 characters.
    #[serde(default)]
    pub value: String,
}

impl Tag {
    /// A tag `key` = `value`.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_round_trip_members_typed_or_not() {
        let json = r#"{"name":"P","roleArn":"arn:aws:iam::123456789012:role/r",
            "artifactStore":{"type":"S3","location":"bucket","encryptionKey":{"id":"k","type":"KMS"}},
            "stages":[{"name":"Source","actions":[{"name":"A","actionTypeId":{"category":"Source",
            "owner":"AWS","provider":"S3","version":"1"},"outputArtifacts":[{"name":"Out"}],"inputArtifacts":[],
            "namespace":"SourceVariables"}],"onFailure":{"result":"ROLLBACK"}}],
            "triggers":[{"providerType":"CodeStarSourceConnection","gitConfiguration":{"sourceActionName":"A"}}]}"#;
        let decl: PipelineDeclaration = serde_json::from_str(json).unwrap();
        assert!(!decl.other.contains_key("triggers"));
        let triggers = decl.triggers.as_deref().unwrap();
        assert_eq!(triggers[0].git_configuration.source_action_name, "A");
        assert!(decl.stages[0].on_failure.is_some());
        assert!(decl.stages[0].actions[0].other.contains_key("namespace"));
        let again: serde_json::Value = serde_json::to_value(&decl).unwrap();
        let original: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(again, original);
    }
}
