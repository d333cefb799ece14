//! `ListTagsForResource`: every tag of a pipeline or a custom action type.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{Error, ErrorKind, Result};
use crate::model::Tag;
use crate::model::validate::{self, Violations};
use crate::ops::{Op, Operation};
use crate::service::Cx;

use super::{arn_resource, tagged, tags_of};

/// `ListTagsForResource` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTagsForResourceInput {
    /// The pipeline's ARN, `arn:aws:codepipeline:<region>:<account>:<name>`, or a custom
    /// action type's, `...:actiontype:Custom/<Category>/<Provider>/<Version>`.
    #[serde(default)]
    pub resource_arn: String,
    /// Never issued: every tag fits in one page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// 1..=100; accepted and ignored, as every tag fits in one page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
}

/// `ListTagsForResource` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTagsForResourceOutput {
    /// The resource's tags, in the order they were first set.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Never set: every tag fits in one page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `ListTagsForResource`.
pub(crate) struct ListTagsForResource;

impl Op for ListTagsForResource {
    const OPERATION: Operation = Operation::ListTagsForResource;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::ResourceNotFound,
        ErrorKind::InvalidNextToken,
        ErrorKind::InvalidArn,
    ];
    const CHANGES_STATE: bool = false;
    type Input = ListTagsForResourceInput;
    type Output = ListTagsForResourceOutput;

    fn target(input: &Self::Input) -> Option<&str> {
        arn_resource(&input.resource_arn)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        if let Some(max) = input.max_results {
            v.range("maxResults", max, 1, 100);
        }
        if let Some(token) = &input.next_token {
            v.length("nextToken", token, 1, 2048);
        }
        v.finish()?;
        validate::resource_arn("resourceArn", &input.resource_arn).map(drop)
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let resource = tagged(cx, &input.resource_arn)?;
        if let Some(token) = &input.next_token {
            return Err(Error::InvalidNextToken(format!(
                "The next token '{token}' was not issued by ListTagsForResource"
            )));
        }
        Ok(ListTagsForResourceOutput {
            tags: tags_of(cx, &resource),
            next_token: None,
        })
    }
}

impl From<&str> for ListTagsForResourceInput {
    fn from(resource_arn: &str) -> Self {
        Self {
            resource_arn: resource_arn.to_owned(),
            ..Self::default()
        }
    }
}

impl Simulator {
    /// `ListTagsForResource`: every tag of a pipeline, webhook or custom action type, in
    /// one page.
    ///
    /// # Errors
    /// `ValidationException`, `InvalidArnException`, `ResourceNotFoundException`,
    /// `InvalidNextTokenException` (no token is ever issued).
    pub async fn list_tags_for_resource(
        &self,
        input: impl Into<ListTagsForResourceInput>,
    ) -> Result<ListTagsForResourceOutput> {
        self.call::<ListTagsForResource>(input.into()).await
    }
}
