//! `UntagResource`: removes tags from a pipeline by key.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::validate;
use crate::ops::{Op, Operation};
use crate::service::Cx;

use super::{arn_resource, change_tags_of, tagged};

/// `UntagResource` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UntagResourceInput {
    /// The pipeline's ARN.
    #[serde(default)]
    pub resource_arn: String,
    /// The keys to remove; keys that are not set are ignored.
    #[serde(default)]
    pub tag_keys: Vec<String>,
}

/// `UntagResource` output: no members.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UntagResourceOutput {}

/// `UntagResource`.
pub(crate) struct UntagResource;

impl Op for UntagResource {
    const OPERATION: Operation = Operation::UntagResource;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::ResourceNotFound,
        ErrorKind::InvalidArn,
        ErrorKind::InvalidTags,
        ErrorKind::ConcurrentModification,
    ];
    const CHANGES_STATE: bool = true;
    type Input = UntagResourceInput;
    type Output = UntagResourceOutput;

    fn target(input: &Self::Input) -> Option<&str> {
        arn_resource(&input.resource_arn)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        validate::resource_arn("resourceArn", &input.resource_arn)?;
        validate::tag_keys("tagKeys", &input.tag_keys)
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let resource = tagged(cx, &input.resource_arn)?;
        change_tags_of(cx, &resource, |tags| {
            tags.retain(|tag| !input.tag_keys.contains(&tag.key));
            Ok(())
        })?;
        Ok(UntagResourceOutput {})
    }
}

impl Simulator {
    /// `UntagResource`: removes tags by key; keys the resource does not have are ignored.
    ///
    /// # Errors
    /// `ValidationException`, `InvalidArnException`, `ResourceNotFoundException`.
    pub async fn untag_resource(&self, input: UntagResourceInput) -> Result<UntagResourceOutput> {
        self.call::<UntagResource>(input).await
    }
}
