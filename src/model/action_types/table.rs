//! The data: every action type AWS owns, one entry per `(category, provider)`.
//!
//! Each entry is taken from the CodePipeline user guide page its `source` names (the
//! "Action structure reference" chapter), and its artifact counts from that page or the
//! "Valid input and output artifacts for each action type" table. Where the two disagree,
//! or a page contradicts itself, a comment says which reading was kept.

use super::{
    ActionConfigurationProperty, ActionType, ActionTypeKey, ActionTypeSettings, Condition,
    ConditionalRequirement, artifacts, optional, required,
};
use crate::model::enums::ActionCategory::{
    self, Approval, Build, Compute, Deploy, Invoke, Source, Test,
};
use crate::model::enums::ActionOwner;

/// A required property whose value is masked when the pipeline is read back.
const fn secret(name: &'static str, description: &'static str) -> ActionConfigurationProperty {
    ActionConfigurationProperty {
        secret: true,
        key: false,
        ..required(name, description)
    }
}

const fn aws(category: ActionCategory, provider: &'static str) -> ActionTypeKey {
    ActionTypeKey {
        category,
        owner: ActionOwner::Aws,
        provider,
        version: "1",
    }
}

/// `key` is required when `when_key` is one of `values`.
const fn required_when(
    key: &'static str,
    when_key: &'static str,
    values: &'static [&'static str],
) -> ConditionalRequirement {
    ConditionalRequirement {
        key,
        when: Condition::ValueIs {
            key: when_key,
            values,
        },
    }
}

const CODEBUILD_PROPERTIES: &[ActionConfigurationProperty] = &[
    required("ProjectName", "The CodeBuild build project"),
    optional(
        "PrimarySource",
        "The input artifact holding the buildspec; required with several inputs",
    ),
    optional("BatchEnabled", "Whether to run a batch build"),
    optional(
        "BuildspecOverride",
        "A buildspec that replaces the project's for this build",
    ),
    optional(
        "CombineArtifacts",
        "Whether a batch build combines its artifacts into one",
    ),
    optional(
        "EnvironmentVariables",
        "A JSON array of environment variables for the build",
    ),
];

const CODEBUILD_CONDITIONS: &[ConditionalRequirement] = &[ConditionalRequirement {
    key: "PrimarySource",
    when: Condition::SeveralInputs,
}];

const CODEBUILD_SOURCE: &str = "AWS CodeBuild build and test action reference";

/// Every action type AWS owns, as `ListActionTypes` answers it.
pub static ACTION_TYPES: &[ActionType] = &[
    // ---- Source ----
    ActionType {
        id: aws(Source, "S3"),
        settings: Some(ActionTypeSettings {
            entity_url_template: Some("https://console.aws.amazon.com/s3/home?#"),
            execution_url_template: None,
            revision_url_template: None,
            third_party_configuration_url: None,
        }),
        action_configuration_properties: &[
            required("S3Bucket", "The bucket where source changes are detected"),
            required(
                "S3ObjectKey",
                "The object key where source changes are detected",
            ),
            optional(
                "AllowOverrideForS3ObjectKey",
                "Whether a source revision override may replace S3ObjectKey",
            ),
            optional(
                "PollForSourceChanges",
                "Whether CodePipeline polls the bucket",
            ),
        ],
        input_artifact_details: artifacts(0, 0),
        output_artifact_details: artifacts(1, 1),
        conditional_requirements: &[],
        source: "Amazon S3 source action reference",
    },
    ActionType {
        id: aws(Source, "CodeCommit"),
        settings: None,
        action_configuration_properties: &[
            required(
                "RepositoryName",
                "The repository where source changes are detected",
            ),
            required("BranchName", "The branch where source changes are detected"),
            optional(
                "PollForSourceChanges",
                "Whether CodePipeline polls the repository",
            ),
            optional(
                "OutputArtifactFormat",
                "CODE_ZIP (default) or CODEBUILD_CLONE_REF",
            ),
        ],
        input_artifact_details: artifacts(0, 0),
        output_artifact_details: artifacts(1, 1),
        conditional_requirements: &[],
        source: "CodeCommit source action reference",
    },
    ActionType {
        id: aws(Source, "ECR"),
        settings: None,
        action_configuration_properties: &[
            required("RepositoryName", "The ECR repository images are pushed to"),
            // Older versions of the page marked ImageTag required; the current one says
            // it is optional and defaults to `latest`.
            optional("ImageTag", "The image tag; latest when omitted"),
        ],
        input_artifact_details: artifacts(0, 0),
        output_artifact_details: artifacts(1, 1),
        conditional_requirements: &[],
        source: "Amazon ECR source action reference",
    },
    ActionType {
        id: aws(Source, "CodeStarSourceConnection"),
        settings: None,
        action_configuration_properties: &[
            required("ConnectionArn", "The connection to the source provider"),
            required("FullRepositoryId", "The owner and name of the repository"),
            required("BranchName", "The branch where source changes are detected"),
            optional(
                "OutputArtifactFormat",
                "CODE_ZIP (default) or CODEBUILD_CLONE_REF",
            ),
            optional("DetectChanges", "Whether new commits start the pipeline"),
        ],
        input_artifact_details: artifacts(0, 0),
        output_artifact_details: artifacts(1, 1),
        conditional_requirements: &[],
        source: "CodeStarSourceConnection for Bitbucket Cloud, GitHub, GitHub Enterprise Server, \
                 GitLab.com, and GitLab self-managed actions",
    },
    // ---- Build ----
    ActionType {
        id: aws(Build, "CodeBuild"),
        settings: None,
        action_configuration_properties: CODEBUILD_PROPERTIES,
        input_artifact_details: artifacts(1, 5),
        output_artifact_details: artifacts(0, 5),
        conditional_requirements: CODEBUILD_CONDITIONS,
        source: CODEBUILD_SOURCE,
    },
    ActionType {
        id: aws(Build, "ECRBuildAndPublish"),
        settings: None,
        action_configuration_properties: &[
            required(
                "ECRRepositoryName",
                "The ECR repository the image is pushed to",
            ),
            optional(
                "DockerFilePath",
                "Where the Dockerfile is; the source root by default",
            ),
            optional("ImageTags", "Comma-separated image tags; latest by default"),
            optional("RegistryType", "private (default) or public"),
        ],
        input_artifact_details: artifacts(1, 1),
        output_artifact_details: artifacts(0, 0),
        conditional_requirements: &[],
        source: "ECRBuildAndPublish build action reference",
    },
    // ---- Test ----
    ActionType {
        id: aws(Test, "CodeBuild"),
        settings: None,
        action_configuration_properties: CODEBUILD_PROPERTIES,
        input_artifact_details: artifacts(1, 5),
        output_artifact_details: artifacts(0, 5),
        conditional_requirements: CODEBUILD_CONDITIONS,
        source: CODEBUILD_SOURCE,
    },
    ActionType {
        id: aws(Test, "DeviceFarm"),
        settings: None,
        action_configuration_properties: &[
            required("AppType", "iOS, Android or Web"),
            required("ProjectId", "The Device Farm project"),
            required("App", "The application file in the input artifact"),
            // The page marks AppiumVersion required, and says its value is not used.
            required(
                "AppiumVersion",
                "The Appium version (not used by the action)",
            ),
            required("DevicePoolArn", "The device pool to test on"),
            required("TestType", "The test framework, such as BUILTIN_FUZZ"),
            optional(
                "RadioBluetoothEnabled",
                "Whether Bluetooth is on at the start",
            ),
            optional(
                "RecordAppPerformanceData",
                "Whether device performance is recorded",
            ),
            optional("RecordVideo", "Whether video is recorded"),
            optional("RadioWifiEnabled", "Whether Wi-Fi is on at the start"),
            optional("RadioNfcEnabled", "Whether NFC is on at the start"),
            optional("RadioGpsEnabled", "Whether GPS is on at the start"),
            optional("Test", "The test definition file in the input artifact"),
            optional("FuzzEventCount", "How many UI events a fuzz test performs"),
            optional("FuzzEventThrottle", "Milliseconds between fuzz test events"),
            optional("FuzzRandomizerSeed", "The seed of a fuzz test"),
            optional(
                "CustomHostMachineArtifacts",
                "Where custom artifacts go on the host",
            ),
            optional(
                "CustomDeviceArtifacts",
                "Where custom artifacts go on the device",
            ),
            optional(
                "UnmeteredDevicesOnly",
                "Whether only unmetered devices are used",
            ),
            optional("JobTimeoutMinutes", "Minutes a run may take per device"),
            optional("Latitude", "The device's latitude"),
            optional("Longitude", "The device's longitude"),
        ],
        input_artifact_details: artifacts(1, 1),
        output_artifact_details: artifacts(0, 0),
        conditional_requirements: &[],
        source: "AWS Device Farm test action reference",
    },
    // ---- Deploy ----
    ActionType {
        id: aws(Deploy, "S3"),
        settings: None,
        action_configuration_properties: &[
            required("BucketName", "The bucket files are deployed to"),
            required("Extract", "Whether files are extracted before upload"),
            optional(
                "ObjectKey",
                "The object key; required when Extract is false",
            ),
            optional(
                "KMSEncryptionKeyARN",
                "The KMS key uploaded artifacts are encrypted with",
            ),
            optional("CannedACL", "A canned ACL applied to deployed objects"),
            optional(
                "CacheControl",
                "The Cache-Control header of deployed objects",
            ),
        ],
        input_artifact_details: artifacts(1, 1),
        output_artifact_details: artifacts(0, 0),
        conditional_requirements: &[required_when("ObjectKey", "Extract", &["false"])],
        source: "Amazon S3 deploy action reference",
    },
    ActionType {
        id: aws(Deploy, "CodeDeploy"),
        settings: Some(ActionTypeSettings {
            entity_url_template: Some(
                "https://console.aws.amazon.com/codedeploy/home?#/applications/{Config:ApplicationName}/deployment-groups/{Config:DeploymentGroupName}",
            ),
            execution_url_template: Some(
                "https://console.aws.amazon.com/codedeploy/home?#/deployments/{ExternalExecutionId}",
            ),
            revision_url_template: None,
            third_party_configuration_url: None,
        }),
        action_configuration_properties: &[
            required("ApplicationName", "The CodeDeploy application"),
            required("DeploymentGroupName", "The CodeDeploy deployment group"),
        ],
        input_artifact_details: artifacts(1, 1),
        output_artifact_details: artifacts(0, 0),
        conditional_requirements: &[],
        source: "AWS CodeDeploy deploy action reference",
    },
    ActionType {
        id: aws(Deploy, "ECS"),
        settings: None,
        action_configuration_properties: &[
            required("ClusterName", "The ECS cluster"),
            required("ServiceName", "The ECS service"),
            optional(
                "FileName",
                "The image definitions file; imagedefinitions.json",
            ),
            optional("DeploymentTimeout", "The deployment timeout in minutes"),
        ],
        input_artifact_details: artifacts(1, 1),
        output_artifact_details: artifacts(0, 0),
        conditional_requirements: &[],
        source: "Amazon Elastic Container Service deploy action reference",
    },
    ActionType {
        id: aws(Deploy, "CodeDeployToECS"),
        settings: None,
        action_configuration_properties: &[
            required("ApplicationName", "The CodeDeploy application"),
            required(
                "DeploymentGroupName",
                "The deployment group for the ECS task sets",
            ),
            required(
                "TaskDefinitionTemplateArtifact",
                "The input artifact holding the task definition",
            ),
            required(
                "AppSpecTemplateArtifact",
                "The input artifact holding the AppSpec file",
            ),
            optional("AppSpecTemplatePath", "The AppSpec file; appspec.yaml"),
            optional(
                "TaskDefinitionTemplatePath",
                "The task definition file; taskdef.json",
            ),
            optional("Image1ArtifactName", "The input artifact providing image 1"),
            optional("Image1ContainerName", "The placeholder name of image 1"),
            optional("Image2ArtifactName", "The input artifact providing image 2"),
            optional("Image2ContainerName", "The placeholder name of image 2"),
            optional("Image3ArtifactName", "The input artifact providing image 3"),
            optional("Image3ContainerName", "The placeholder name of image 3"),
            optional("Image4ArtifactName", "The input artifact providing image 4"),
            optional("Image4ContainerName", "The placeholder name of image 4"),
        ],
        input_artifact_details: artifacts(1, 5),
        output_artifact_details: artifacts(0, 0),
        conditional_requirements: &[],
        source: "Amazon ECS and CodeDeploy blue-green deploy action reference",
    },
    ActionType {
        id: aws(Deploy, "CloudFormation"),
        settings: None,
        action_configuration_properties: &[
            required("ActionMode", "What to do with the stack or change set"),
            required("StackName", "The stack to create, update or delete"),
            optional(
                "Capabilities",
                "Capabilities acknowledged, such as CAPABILITY_IAM",
            ),
            optional(
                "ChangeSetName",
                "The change set; required by the CHANGE_SET modes",
            ),
            optional(
                "RoleArn",
                "The role CloudFormation assumes; required by most modes",
            ),
            optional("TemplatePath", "Artifact::file of the template"),
            optional(
                "OutputFileName",
                "The file the stack outputs are written to",
            ),
            optional(
                "ParameterOverrides",
                "A JSON object of template parameter values",
            ),
            optional(
                "TemplateConfiguration",
                "Artifact::file of the template configuration",
            ),
        ],
        input_artifact_details: artifacts(0, 10),
        output_artifact_details: artifacts(0, 1),
        conditional_requirements: &[
            required_when(
                "ChangeSetName",
                "ActionMode",
                &["CHANGE_SET_REPLACE", "CHANGE_SET_EXECUTE"],
            ),
            required_when(
                "RoleArn",
                "ActionMode",
                &[
                    "CREATE_UPDATE",
                    "REPLACE_ON_FAILURE",
                    "DELETE_ONLY",
                    "CHANGE_SET_REPLACE",
                ],
            ),
            required_when(
                "TemplatePath",
                "ActionMode",
                &["CREATE_UPDATE", "REPLACE_ON_FAILURE", "CHANGE_SET_REPLACE"],
            ),
        ],
        source: "CloudFormation deploy action reference",
    },
    ActionType {
        id: aws(Deploy, "CloudFormationStackSet"),
        settings: None,
        action_configuration_properties: &[
            required("StackSetName", "The stack set"),
            required("TemplatePath", "Artifact::file of the template"),
            optional("Description", "A description of the stack set"),
            optional(
                "Parameters",
                "Template parameters, literal or Artifact::file",
            ),
            optional(
                "Capabilities",
                "Capabilities acknowledged, such as CAPABILITY_IAM",
            ),
            optional(
                "PermissionModel",
                "SELF_MANAGED (default) or SERVICE_MANAGED",
            ),
            optional(
                "AdministrationRoleArn",
                "The administrator role (self-managed)",
            ),
            optional("ExecutionRoleName", "The execution role in target accounts"),
            optional(
                "OrganizationsAutoDeployment",
                "Enabled, Disabled or EnabledWithStackRetention",
            ),
            optional(
                "DeploymentTargets",
                "Accounts or organizational units to deploy to",
            ),
            optional("Regions", "Regions to deploy to, in order"),
            optional(
                "FailureTolerancePercentage",
                "Failures per Region tolerated",
            ),
            optional("MaxConcurrentPercentage", "Accounts deployed to at once"),
        ],
        input_artifact_details: artifacts(1, 3),
        output_artifact_details: artifacts(0, 0),
        conditional_requirements: &[],
        source: "CloudFormation StackSets",
    },
    // Not in the list pipesim was asked to cover, but AWS owns it and documents it beside
    // the stack set action: without it a valid pipeline would be refused.
    ActionType {
        id: aws(Deploy, "CloudFormationStackInstances"),
        settings: None,
        action_configuration_properties: &[
            required("StackSetName", "The stack set"),
            required("Regions", "Regions to deploy to, in order"),
            optional(
                "DeploymentTargets",
                "Accounts or organizational units to deploy to",
            ),
            optional("ParameterOverrides", "Parameter values for the instances"),
            optional(
                "FailureTolerancePercentage",
                "Failures per Region tolerated",
            ),
            optional("MaxConcurrentPercentage", "Accounts deployed to at once"),
        ],
        input_artifact_details: artifacts(0, 2),
        output_artifact_details: artifacts(0, 0),
        conditional_requirements: &[],
        source: "CloudFormation StackSets",
    },
    ActionType {
        id: aws(Deploy, "ElasticBeanstalk"),
        settings: Some(ActionTypeSettings {
            entity_url_template: Some(
                "https://console.aws.amazon.com/elasticbeanstalk/r/application/{Config:ApplicationName}",
            ),
            execution_url_template: Some(
                "https://console.aws.amazon.com/elasticbeanstalk/r/application/{Config:ApplicationName}",
            ),
            revision_url_template: None,
            third_party_configuration_url: None,
        }),
        action_configuration_properties: &[
            required("ApplicationName", "The Elastic Beanstalk application"),
            required("EnvironmentName", "The Elastic Beanstalk environment"),
        ],
        input_artifact_details: artifacts(1, 1),
        output_artifact_details: artifacts(0, 0),
        conditional_requirements: &[],
        source: "Elastic Beanstalk deploy action reference",
    },
    ActionType {
        id: aws(Deploy, "AppConfig"),
        settings: None,
        action_configuration_properties: &[
            required("Application", "The AppConfig application"),
            required("Environment", "The AppConfig environment"),
            required(
                "ConfigurationProfile",
                "The configuration profile to deploy",
            ),
            required(
                "InputArtifactConfigurationPath",
                "The configuration file in the input artifact",
            ),
            // The page once marked DeploymentStrategy optional; the real service refuses
            // an AppConfig action without it (recorded), so it is required here.
            required("DeploymentStrategy", "The AppConfig deployment strategy"),
        ],
        input_artifact_details: artifacts(1, 1),
        output_artifact_details: artifacts(0, 0),
        conditional_requirements: &[],
        source: "AWS AppConfig deploy action reference",
    },
    ActionType {
        id: aws(Deploy, "EKS"),
        settings: None,
        action_configuration_properties: &[
            required("ClusterName", "The EKS cluster"),
            // Helm or kubectl: each tool's properties are required only with that tool,
            // and nothing in the configuration names the tool, so none is required here.
            optional("HelmReleaseName", "The Helm release (Helm)"),
            optional("HelmChartLocation", "The Helm chart (Helm)"),
            optional(
                "HelmValuesFiles",
                "Comma-separated Helm values files (Helm)",
            ),
            optional("ManifestFiles", "The Kubernetes manifest files (kubectl)"),
            optional("Namespace", "The Kubernetes namespace"),
            optional("Subnets", "Subnets of the cluster's VPC"),
            optional("SecurityGroupIds", "Security groups of the cluster's VPC"),
        ],
        input_artifact_details: artifacts(1, 1),
        output_artifact_details: artifacts(0, 0),
        conditional_requirements: &[],
        source: "Amazon Elastic Kubernetes Service EKS deploy action reference",
    },
    ActionType {
        id: aws(Deploy, "EC2"),
        settings: None,
        action_configuration_properties: &[
            required("InstanceTagKey", "The tag key of the target instances"),
            required("InstanceType", "EC2 or SSM_MANAGED_NODE"),
            optional("InstanceTagValue", "The tag value of the target instances"),
            optional("TargetDirectory", "Where scripts run on the instances"),
            optional("DeploySpec", "The deploy spec file"),
            optional("MaxBatch", "Instances deployed to in parallel"),
            optional("MaxError", "Instance errors tolerated"),
            optional(
                "TargetGroupNameList",
                "Target groups instances leave during deployment",
            ),
            optional("PreScript", "The script run before the deploy phase"),
            // The page marks PostScript required, but its own deploy spec example has
            // none: it is required only without a deploy spec, so not required here.
            optional("PostScript", "The script run after the deploy phase"),
        ],
        input_artifact_details: artifacts(1, 1),
        output_artifact_details: artifacts(0, 0),
        conditional_requirements: &[],
        source: "Amazon EC2 action reference",
    },
    ActionType {
        id: aws(Deploy, "OpsWorks"),
        settings: None,
        action_configuration_properties: &[
            required("Stack", "The OpsWorks stack"),
            required("App", "The OpsWorks app"),
            optional("Layer", "The OpsWorks layer"),
        ],
        input_artifact_details: artifacts(1, 1),
        // The action's page says 0 to 1; the artifact table says 0. The page is newer.
        output_artifact_details: artifacts(0, 1),
        conditional_requirements: &[],
        source: "AWS OpsWorks deploy action reference",
    },
    ActionType {
        id: aws(Deploy, "ServiceCatalog"),
        settings: None,
        action_configuration_properties: &[
            required("ProductId", "The Service Catalog product"),
            // The page marks these three required, and then shows a valid configuration
            // with only ConfigurationFilePath and ProductId: either the file or the three
            // properties are needed, so none of them is required here.
            optional("TemplateFilePath", "The product template in the source"),
            optional("ProductVersionName", "The product version"),
            optional("ProductType", "The product type"),
            optional(
                "ProductVersionDescription",
                "The product version's description",
            ),
            optional(
                "ConfigurationFilePath",
                "A file holding the product's configuration",
            ),
        ],
        input_artifact_details: artifacts(1, 1),
        output_artifact_details: artifacts(0, 0),
        conditional_requirements: &[],
        source: "AWS Service Catalog deploy action reference",
    },
    // AWS documents the Alexa Skills Kit action with owner ThirdParty, not AWS; it is kept
    // here under that owner because its properties are documented.
    ActionType {
        id: ActionTypeKey {
            category: Deploy,
            owner: ActionOwner::ThirdParty,
            provider: "AlexaSkillsKit",
            version: "1",
        },
        settings: None,
        action_configuration_properties: &[
            required("ClientId", "The Login with Amazon client"),
            secret("ClientSecret", "The Login with Amazon client secret"),
            secret("RefreshToken", "The Login with Amazon refresh token"),
            required("SkillId", "The Alexa skill"),
        ],
        input_artifact_details: artifacts(1, 2),
        output_artifact_details: artifacts(0, 0),
        conditional_requirements: &[],
        source: "Valid configuration parameters for each provider type",
    },
    // The GitHub (version 1) source action AWS still runs for older pipelines: its OAuth
    // token is a secret, which answers show as `****` (seen in a user's capture).
    ActionType {
        id: ActionTypeKey {
            category: Source,
            owner: ActionOwner::ThirdParty,
            provider: "GitHub",
            version: "1",
        },
        settings: None,
        action_configuration_properties: &[
            required("Owner", "The GitHub user or organization"),
            required("Repo", "The repository"),
            required("Branch", "The branch"),
            secret("OAuthToken", "The GitHub personal access token"),
            optional(
                "PollForSourceChanges",
                "Whether CodePipeline polls for changes",
            ),
        ],
        input_artifact_details: artifacts(0, 0),
        output_artifact_details: artifacts(1, 1),
        conditional_requirements: &[],
        source: "GitHub version 1 source action reference",
    },
    // Not in the list pipesim was asked to cover (it is newer): the Lambda deploy action.
    ActionType {
        id: aws(Deploy, "Lambda"),
        settings: None,
        action_configuration_properties: &[
            required("FunctionName", "The Lambda function"),
            optional("FunctionAlias", "The alias traffic shifts to"),
            optional(
                "PublishedTargetVersion",
                "The version to deploy without an input",
            ),
            optional("DeployStrategy", "AllAtOnce (default), canary or linear"),
            optional("Alarms", "Comma-separated alarms that fail the deployment"),
        ],
        // The page says 1 input artifact, and that PublishedTargetVersion is required
        // when there is none: so 0 or 1.
        input_artifact_details: artifacts(0, 1),
        output_artifact_details: artifacts(0, 0),
        conditional_requirements: &[],
        source: "AWS Lambda deploy action reference",
    },
    // ---- Invoke ----
    ActionType {
        id: aws(Invoke, "Lambda"),
        settings: None,
        action_configuration_properties: &[
            required("FunctionName", "The Lambda function"),
            optional("UserParameters", "A string passed to the function"),
        ],
        input_artifact_details: artifacts(0, 5),
        output_artifact_details: artifacts(0, 5),
        conditional_requirements: &[],
        source: "AWS Lambda invoke action reference",
    },
    ActionType {
        id: aws(Invoke, "StepFunctions"),
        settings: None,
        action_configuration_properties: &[
            required("StateMachineArn", "The state machine to start"),
            optional("ExecutionNamePrefix", "A prefix for the execution name"),
            optional("InputType", "Literal (default) or FilePath"),
            optional("Input", "The input, or the file holding it with FilePath"),
        ],
        input_artifact_details: artifacts(0, 1),
        output_artifact_details: artifacts(0, 1),
        conditional_requirements: &[required_when("Input", "InputType", &["FilePath"])],
        source: "AWS Step Functions",
    },
    ActionType {
        id: aws(Invoke, "InspectorScan"),
        settings: None,
        action_configuration_properties: &[
            required("InspectorRunMode", "SourceCodeScan or ECRImageScan"),
            optional(
                "ECRRepositoryName",
                "The ECR repository of the image scanned",
            ),
            optional("ImageTag", "The tag of the image scanned"),
            optional("CriticalThreshold", "Critical findings tolerated"),
            optional("HighThreshold", "High findings tolerated"),
            optional("MediumThreshold", "Medium findings tolerated"),
            optional("LowThreshold", "Low findings tolerated"),
        ],
        // The page says 1 input artifact, "not needed" for an image scan: so 0 or 1.
        input_artifact_details: artifacts(0, 1),
        output_artifact_details: artifacts(1, 1),
        conditional_requirements: &[],
        source: "Amazon Inspector InspectorScan invoke action reference",
    },
    // Not in the list pipesim was asked to cover (it is newer): the pipeline invoke action.
    ActionType {
        id: aws(Invoke, "CodePipeline"),
        settings: None,
        action_configuration_properties: &[
            required("PipelineName", "The pipeline to start"),
            optional("SourceRevisions", "Source revision overrides, as JSON"),
            optional("Variables", "Pipeline variables, as JSON"),
        ],
        input_artifact_details: artifacts(0, 0),
        output_artifact_details: artifacts(0, 0),
        conditional_requirements: &[],
        source: "AWS CodePipeline invoke action reference",
    },
    // ---- Approval ----
    ActionType {
        id: aws(Approval, "Manual"),
        settings: None,
        action_configuration_properties: &[
            optional("NotificationArn", "The SNS topic approvers are notified on"),
            optional("ExternalEntityLink", "A link shown to approvers"),
            optional("CustomData", "Text shown to approvers"),
            // Not in the docs' table; the real service accepts it (recorded), and makes a
            // summary mandatory with "true".
            optional(
                "IsSummaryRequired",
                "Whether an answer must carry a summary",
            ),
        ],
        input_artifact_details: artifacts(0, 0),
        output_artifact_details: artifacts(0, 0),
        conditional_requirements: &[],
        source: "Valid configuration parameters for each provider type",
    },
    // ---- Compute ----
    ActionType {
        id: aws(Compute, "Commands"),
        settings: None,
        // The page lists Commands as required, but the commands go in the action's
        // `commands` member, not in its configuration (as do `outputVariables` and the
        // output artifact's `files`); the configuration holds only these.
        action_configuration_properties: &[
            optional(
                "EnvironmentType",
                "LINUX_CONTAINER (default) or a Windows image",
            ),
            optional("ComputeType", "The CodeBuild compute type"),
            optional("VpcId", "The VPC of resources the commands reach"),
            optional("Subnets", "Subnets of that VPC"),
            optional("SecurityGroupIds", "Security groups of that VPC"),
        ],
        input_artifact_details: artifacts(1, 10),
        output_artifact_details: artifacts(0, 1),
        conditional_requirements: &[],
        source: "Commands action reference",
    },
];
