//! What a simulated action shows of the provider behind it, as the real service shows
//! it: the revision a source action fetched (a 40-hex commit for CodeCommit and
//! CodeStarSourceConnection, an S3 version id, an ECR image digest), console links
//! (`entityUrl`, `revisionUrl`, `externalExecutionUrl`) and the id the provider gave
//! the run (`externalExecutionId`).
//!
//! Nothing here is stored: every value is derived from the execution or action
//! execution id and the action's declaration, so the same run always shows the same
//! revision, and history costs no more per execution.

use uuid::Uuid;

use crate::model::{ActionCategory, ActionDeclaration, ActionOwner, ExecutionId, Timestamp};
use crate::sim::rng::Rng;

/// A source revision as executions and action states report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Revision {
    pub(crate) id: String,
    pub(crate) url: Option<String>,
    pub(crate) summary: Option<String>,
}

/// A revision a start named for a source action: an override, or the commit a git
/// event pushed (with its message).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Given<'a> {
    pub(crate) id: &'a str,
    pub(crate) message: Option<&'a str>,
}

/// The revision source action `index` of the first stage fetched in `execution`.
/// `given` is a revision the start named for it (an override), if any.
pub(crate) fn source_revision(
    action: &ActionDeclaration,
    region: &str,
    execution: ExecutionId,
    index: usize,
    given: Option<Given<'_>>,
) -> Revision {
    let message = given.and_then(|g| g.message);
    let given = given.map(|g| g.id);
    let mut rng = Rng::derive(
        0x5eed_5eed,
        &[execution.as_uuid().as_bytes(), &index.to_le_bytes()],
    );
    let provider = aws_provider(action);
    let id = match (given, provider) {
        (Some(given), _) => given.to_owned(),
        (None, Some("S3")) => s3_version_id(&mut rng),
        (None, Some("ECR")) => format!("sha256:{}", hex(&mut rng, 64)),
        (None, _) => hex(&mut rng, 40),
    };
    let config = |key: &str| config(action, key);
    let (url, summary) = match provider {
        Some("CodeCommit") => (
            Some(format!(
                "https://{region}.console.aws.amazon.com/codesuite/codecommit/repositories/{}/commit/{id}?region={region}",
                config("RepositoryName")
            )),
            Some(commit_summary(&id, message)),
        ),
        Some("CodeStarSourceConnection") => (
            Some(format!(
                "https://{region}.console.aws.amazon.com/codesuite/settings/connections/redirect?connectionArn={}&referenceType=COMMIT&FullRepositoryId={}&Commit={id}",
                config("ConnectionArn"),
                config("FullRepositoryId")
            )),
            Some(commit_summary(&id, message)),
        ),
        Some("S3") => (None, Some(format!("Amazon S3 version id: {id}"))),
        Some("ECR") => (None, Some(format!("Image tag: {}", image_tag(action)))),
        _ => (None, None),
    };
    Revision { id, url, summary }
}

/// A commit's summary: the message a git event gave it, else a simulated one.
fn commit_summary(id: &str, message: Option<&str>) -> String {
    match message {
        Some(message) => message.to_owned(),
        None => format!("Simulated commit {}", &id[..id.len().min(7)]),
    }
}

/// The output variables a source action sets in one execution, as the CodePipeline
/// variables reference lists them for its provider; other actions set none here.
pub(crate) fn output_variables(
    action: &ActionDeclaration,
    (account, region): (&str, &str),
    execution: ExecutionId,
    index: usize,
    given: Option<Given<'_>>,
    started: Timestamp,
) -> Vec<(&'static str, String)> {
    if action.action_type_id.category != ActionCategory::Source {
        return Vec::new();
    }
    let revision = source_revision(action, region, execution, index, given);
    let config = |key: &str| config(action, key).to_owned();
    let date = started.to_rfc3339();
    let commit_message = revision.summary.clone().unwrap_or_default();
    match aws_provider(action) {
        Some("CodeCommit") => vec![
            ("AuthorDate", date.clone()),
            ("BranchName", config("BranchName")),
            ("CommitId", revision.id),
            ("CommitMessage", commit_message),
            ("CommitterDate", date),
            ("RepositoryName", config("RepositoryName")),
        ],
        Some("CodeStarSourceConnection") => vec![
            ("AuthorDate", date),
            ("BranchName", config("BranchName")),
            ("CommitId", revision.id),
            ("CommitMessage", commit_message),
            ("ConnectionArn", config("ConnectionArn")),
            ("FullRepositoryName", config("FullRepositoryId")),
        ],
        Some("S3") => vec![
            (
                "ETag",
                hex(&mut Rng::derive(0xe7a9, &[revision.id.as_bytes()]), 32),
            ),
            ("VersionId", revision.id),
        ],
        Some("ECR") => {
            let account = action_account(action, account);
            let repository = config("RepositoryName");
            vec![
                ("ImageDigest", revision.id.clone()),
                ("ImageTag", image_tag(action).to_owned()),
                (
                    "ImageURI",
                    format!(
                        "{account}.dkr.ecr.{region}.amazonaws.com/{repository}@{}",
                        revision.id
                    ),
                ),
                ("RegistryId", account),
                ("RepositoryName", repository),
            ]
        }
        _ => Vec::new(),
    }
}

/// The account of an ECR repository: the one of the action's role, else the pipeline's.
fn action_account(action: &ActionDeclaration, pipeline_account: &str) -> String {
    action
        .other
        .get("roleArn")
        .and_then(|arn| arn.as_str())
        .and_then(|arn| arn.split(':').nth(4))
        .filter(|account| !account.is_empty())
        .unwrap_or(pipeline_account)
        .to_owned()
}

/// The console page of what the action works on (`entityUrl`): the approval's
/// `ExternalEntityLink`, the bucket, repository or build project.
pub(crate) fn entity_url(action: &ActionDeclaration, region: &str) -> Option<String> {
    if action.is_manual_approval() {
        return action
            .configuration
            .as_ref()?
            .get("ExternalEntityLink")
            .cloned();
    }
    let config = |key: &str| config(action, key);
    let url = match aws_provider(action)? {
        "S3" => {
            let bucket = if action.action_type_id.category == ActionCategory::Source {
                config("S3Bucket")
            } else {
                config("BucketName")
            };
            format!("https://console.aws.amazon.com/s3/home?region={region}#/bucket/{bucket}")
        }
        "CodeCommit" => format!(
            "https://{region}.console.aws.amazon.com/codesuite/codecommit/repositories/{}/browse/refs/heads/{}?region={region}",
            config("RepositoryName"),
            config("BranchName")
        ),
        "CodeStarSourceConnection" => format!(
            "https://{region}.console.aws.amazon.com/codesuite/settings/connections/redirect?connectionArn={}&referenceType=BRANCH&FullRepositoryId={}&Branch={}",
            config("ConnectionArn"),
            config("FullRepositoryId"),
            config("BranchName")
        ),
        "ECR" => format!(
            "https://console.aws.amazon.com/ecr/repositories/{}/?region={region}",
            config("RepositoryName")
        ),
        "CodeBuild" => format!(
            "https://console.aws.amazon.com/codebuild/home?region={region}#/projects/{}/view",
            config("ProjectName")
        ),
        "CodeDeploy" => format!(
            "https://console.aws.amazon.com/codedeploy/home?region={region}#/applications/{}",
            config("ApplicationName")
        ),
        "Lambda" => format!(
            "https://console.aws.amazon.com/lambda/home?region={region}#/functions/{}",
            config("FunctionName")
        ),
        _ => return None,
    };
    Some(url)
}

/// The id and console page of the provider's run of a finished action, for the
/// providers whose runs have one (`externalExecutionId`, `externalExecutionUrl`).
pub(crate) fn external_execution(
    action: &ActionDeclaration,
    region: &str,
    action_execution: Uuid,
) -> Option<(String, Option<String>)> {
    let mut rng = Rng::derive(0xe7e7_e7e7, &[action_execution.as_bytes()]);
    match aws_provider(action)? {
        "CodeBuild" => {
            let project = config(action, "ProjectName");
            let build = format!("{project}:{}", rng.uuid());
            let url = format!(
                "https://console.aws.amazon.com/codebuild/home?region={region}#/builds/{build}/view/new"
            );
            Some((build, Some(url)))
        }
        "CodeDeploy" => {
            let deployment = format!("d-{}", upper_alnum(&mut rng, 9));
            let url = format!(
                "https://console.aws.amazon.com/codedeploy/home?region={region}#/deployments/{deployment}"
            );
            Some((deployment, Some(url)))
        }
        "Lambda" => Some((rng.uuid().to_string(), None)),
        _ => None,
    }
}

/// The provider of an action AWS owns.
fn aws_provider(action: &ActionDeclaration) -> Option<&str> {
    (action.action_type_id.owner == ActionOwner::Aws).then_some(&*action.action_type_id.provider)
}

fn config<'a>(action: &'a ActionDeclaration, key: &str) -> &'a str {
    action
        .configuration
        .as_ref()
        .and_then(|c| c.get(key))
        .map_or("", String::as_str)
}

fn image_tag(action: &ActionDeclaration) -> &str {
    match config(action, "ImageTag") {
        "" => "latest",
        tag => tag,
    }
}

pub(super) fn hex(rng: &mut Rng, len: usize) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    pick(rng, DIGITS, len)
}

/// An S3 version id: 32 characters of letters, digits, `.` and `_`.
fn s3_version_id(rng: &mut Rng) -> String {
    const CHARS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
    pick(rng, CHARS, 32)
}

fn upper_alnum(rng: &mut Rng, len: usize) -> String {
    const CHARS: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    pick(rng, CHARS, len)
}

/// `len` characters drawn from `alphabet`, whose length is a power of two: each draw of
/// 64 bits gives as many characters as it holds.
fn pick(rng: &mut Rng, alphabet: &[u8], len: usize) -> String {
    debug_assert!(alphabet.len().is_power_of_two() && alphabet.len() > 1);
    let bits = alphabet.len().trailing_zeros();
    let mask = alphabet.len() as u64 - 1;
    let per_draw = (64 / bits) as usize;
    let mut out = String::with_capacity(len);
    let mut word = 0;
    for i in 0..len {
        if i % per_draw == 0 {
            word = rng.next_u64();
        }
        out.push(char::from(alphabet[(word & mask) as usize]));
        word >>= bits;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ActionTypeId;

    fn source(provider: &str) -> ActionDeclaration {
        ActionDeclaration::new("Fetch", ActionTypeId::aws(ActionCategory::Source, provider))
    }

    fn id(n: u128) -> ExecutionId {
        ExecutionId::from_uuid(Uuid::from_u128(n))
    }

    #[test]
    fn revisions_take_the_form_of_their_provider() {
        let commit = source_revision(&source("CodeCommit"), "us-east-1", id(1), 0, None);
        assert_eq!(commit.id.len(), 40);
        assert!(
            commit
                .id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        let git = source_revision(
            &source("CodeStarSourceConnection"),
            "us-east-1",
            id(1),
            0,
            None,
        );
        assert_eq!(git.id.len(), 40);
        let version = source_revision(&source("S3"), "us-east-1", id(1), 0, None);
        assert_eq!(version.id.len(), 32);
        assert!(
            version
                .id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
        );
        let digest = source_revision(&source("ECR"), "us-east-1", id(1), 0, None);
        assert!(digest.id.starts_with("sha256:") && digest.id.len() == 7 + 64);
    }

    #[test]
    fn a_run_always_shows_the_same_revision_and_another_run_another() {
        let action = source("CodeCommit");
        let first = source_revision(&action, "us-east-1", id(1), 0, None);
        assert_eq!(first, source_revision(&action, "us-east-1", id(1), 0, None));
        assert_ne!(
            first.id,
            source_revision(&action, "us-east-1", id(2), 0, None).id
        );
        assert_ne!(
            first.id,
            source_revision(&action, "us-east-1", id(1), 1, None).id
        );
        let given = source_revision(
            &action,
            "us-east-1",
            id(1),
            0,
            Some(Given {
                id: "abc",
                message: None,
            }),
        );
        assert_eq!(given.id, "abc");
    }
}
