//! `TagResource`: sets tags on a pipeline, all of them or, on an error, none.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{Error, ErrorKind, Result};
use crate::model::Tag;
use crate::model::validate;
use crate::ops::{Op, Operation};
use crate::service::Cx;

use super::{MAX_TAGS, arn_resource, change_tags_of, tagged};

/// `TagResource` input: adds tags, replacing the value of keys already set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagResourceInput {
    /// The pipeline's ARN.
    #[serde(default)]
    pub resource_arn: String,
    /// The tags to add or change.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// `TagResource` output: no members.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagResourceOutput {}

/// `TagResource`.
pub(crate) struct TagResource;

impl Op for TagResource {
    const OPERATION: Operation = Operation::TagResource;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::ResourceNotFound,
        ErrorKind::InvalidArn,
        ErrorKind::TooManyTags,
        ErrorKind::InvalidTags,
        ErrorKind::ConcurrentModification,
    ];
    const CHANGES_STATE: bool = true;
    type Input = TagResourceInput;
    type Output = TagResourceOutput;

    fn target(input: &Self::Input) -> Option<&str> {
        arn_resource(&input.resource_arn)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        validate::resource_arn("resourceArn", &input.resource_arn)?;
        validate::tags("tags", &input.tags)
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let resource = tagged(cx, &input.resource_arn)?;
        change_tags_of(cx, &resource, |tags| {
            let added = input
                .tags
                .iter()
                .filter(|new| !tags.iter().any(|old| old.key == new.key))
                .count();
            if tags.len() + added > MAX_TAGS {
                return Err(Error::TooManyTags(format!(
                    "Tag limit exceeded: the resource has {} tags and {added} would be added; \
                     a resource can have at most {MAX_TAGS}",
                    tags.len()
                )));
            }
            for new in &input.tags {
                match tags.iter_mut().find(|old| old.key == new.key) {
                    Some(old) => old.value.clone_from(&new.value),
                    None => tags.push(new.clone()),
                }
            }
            Ok(())
        })?;
        Ok(TagResourceOutput {})
    }
}

impl Simulator {
    /// `TagResource`: sets tags on a pipeline, webhook or custom action type, replacing
    /// the values of keys it has.
    /// Either every tag is set or, on an error, none is.
    ///
    /// # Errors
    /// `ValidationException`, `InvalidArnException`, `ResourceNotFoundException`,
    /// `InvalidTagsException`, `TooManyTagsException` (more than 50 once merged).
    pub async fn tag_resource(&self, input: TagResourceInput) -> Result<TagResourceOutput> {
        self.call::<TagResource>(input).await
    }
}
