//! `ListActionTypes`: the action types the account can use, AWS's own and its custom
//! ones, in pages.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::engine::paging::{self, PageKind};
use crate::error::{ErrorKind, Result};
use crate::model::ActionOwner;
use crate::model::action_types::{ACTION_TYPES, ActionTypeInfo, ActionTypeRegistry};
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// How many action types one page holds \[choice\].
pub const ACTION_TYPES_PAGE: usize = 50;

/// `ListActionTypes` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListActionTypesInput {
    /// Only the types of this owner: `AWS`, `ThirdParty` or `Custom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_owner_filter: Option<ActionOwner>,
    /// From a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Only the types available in this region (4..=30 characters). Every type is
    /// available in every region pipesim serves, so a valid one keeps them all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_filter: Option<String>,
}

impl From<ActionOwner> for ListActionTypesInput {
    fn from(owner: ActionOwner) -> Self {
        Self {
            action_owner_filter: Some(owner),
            ..Self::default()
        }
    }
}

/// `ListActionTypes` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListActionTypesOutput {
    /// This page: AWS's types in the table's order, then the custom types by category,
    /// provider and version.
    pub action_types: Vec<ActionTypeInfo>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `ListActionTypes`.
pub(crate) struct ListActionTypes;

impl Op for ListActionTypes {
    const OPERATION: Operation = Operation::ListActionTypes;
    const ERRORS: &'static [ErrorKind] = &[ErrorKind::Validation, ErrorKind::InvalidNextToken];
    const CHANGES_STATE: bool = false;
    type Input = ListActionTypesInput;
    type Output = ListActionTypesOutput;

    fn target(_input: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        if let Some(owner) = &input.action_owner_filter {
            v.enumeration("actionOwnerFilter", owner);
        }
        if let Some(token) = &input.next_token {
            v.length("nextToken", token, 1, 2048);
        }
        if let Some(region) = &input.region_filter {
            v.length("regionFilter", region, 4, 30);
        }
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let start = input
            .next_token
            .as_deref()
            .map(|token| paging::decode(PageKind::ActionTypes, token))
            .transpose()?;
        let wanted = |owner: &ActionOwner| {
            input
                .action_owner_filter
                .as_ref()
                .is_none_or(|filter| filter == owner)
        };
        // Each type's place in the list, as a string that sorts in list order: the
        // table's index, then the custom type's key. A token names the place of the
        // first type of the next page.
        let mut listed: Vec<(String, ActionTypeInfo)> = ACTION_TYPES
            .iter()
            .enumerate()
            .filter(|(_, action_type)| wanted(&action_type.id.owner))
            .map(|(i, action_type)| (format!("a{i:04}"), ActionTypeInfo::from(action_type)))
            .collect();
        if wanted(&ActionOwner::Custom) {
            cx.read_part(|registry: &ActionTypeRegistry| {
                listed.extend(
                    registry
                        .live_custom()
                        .map(|(key, action_type)| (format!("c{key}"), action_type.clone())),
                );
            });
        }
        let from = start.map_or(0, |start| {
            listed.partition_point(|(place, _)| place.as_str() < start.as_str())
        });
        let mut page: Vec<(String, ActionTypeInfo)> = listed.drain(from..).collect();
        let next_token = (page.len() > ACTION_TYPES_PAGE)
            .then(|| paging::encode(PageKind::ActionTypes, &page[ACTION_TYPES_PAGE].0));
        page.truncate(ACTION_TYPES_PAGE);
        Ok(ListActionTypesOutput {
            action_types: page
                .into_iter()
                .map(|(_, action_type)| action_type)
                .collect(),
            next_token,
        })
    }
}

impl Simulator {
    /// `ListActionTypes`: AWS's action types and this account's live custom ones, 50 to
    /// a page; `ListActionTypesInput::default()` for all of them.
    ///
    /// # Errors
    /// `ValidationException`, `InvalidNextTokenException`.
    pub async fn list_action_types(
        &self,
        input: impl Into<ListActionTypesInput>,
    ) -> Result<ListActionTypesOutput> {
        self.call::<ListActionTypes>(input.into()).await
    }
}
