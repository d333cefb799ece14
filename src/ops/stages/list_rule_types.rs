//! `ListRuleTypes`: the rule types the stage conditions of a V2 pipeline can run.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::RuleOwner;
use crate::model::rule_types::{RULE_TYPES, RuleType};
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `ListRuleTypes` input: two optional filters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListRuleTypesInput {
    /// Only the rule types of this owner; `AWS`, the only one the model allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_owner_filter: Option<RuleOwner>,
    /// Only the rule types available in this region (4..=30 characters). Every rule type
    /// is available in every region pipesim serves, so a valid one keeps them all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_filter: Option<String>,
}

/// `ListRuleTypes` output.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListRuleTypesOutput {
    /// The rule types, in the table's order ([`RULE_TYPES`]).
    pub rule_types: Vec<&'static RuleType>,
}

/// `ListRuleTypes`.
pub(crate) struct ListRuleTypes;

impl Op for ListRuleTypes {
    const OPERATION: Operation = Operation::ListRuleTypes;
    const ERRORS: &'static [ErrorKind] = &[ErrorKind::Validation, ErrorKind::InvalidNextToken];
    const CHANGES_STATE: bool = false;
    type Input = ListRuleTypesInput;
    type Output = ListRuleTypesOutput;

    fn target(_input: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        if let Some(owner) = &input.rule_owner_filter {
            v.enumeration("ruleOwnerFilter", owner);
        }
        if let Some(region) = &input.region_filter {
            v.length("regionFilter", region, 4, 30);
        }
        v.finish()
    }

    /// The table, filtered by owner; the region filter keeps every type (see
    /// [`ListRuleTypesInput::region_filter`]).
    fn apply(_cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let owned = |rule_type: &&RuleType| {
            input
                .rule_owner_filter
                .as_ref()
                .is_none_or(|owner| *owner == rule_type.id.owner)
        };
        Ok(ListRuleTypesOutput {
            rule_types: RULE_TYPES.iter().filter(owned).collect(),
        })
    }
}

impl From<RuleOwner> for ListRuleTypesInput {
    fn from(owner: RuleOwner) -> Self {
        Self {
            rule_owner_filter: Some(owner),
            region_filter: None,
        }
    }
}

impl Simulator {
    /// `ListRuleTypes`: every rule type AWS owns, which the rules of stage conditions
    /// name; `ListRuleTypesInput::default()` for all of them.
    ///
    /// # Errors
    /// `ValidationException` for an owner filter other than `AWS` or a region filter
    /// outside 4..=30 characters. `InvalidNextTokenException` only from a fault rule:
    /// the answer is never paged.
    pub async fn list_rule_types(
        &self,
        input: impl Into<ListRuleTypesInput>,
    ) -> Result<ListRuleTypesOutput> {
        self.call::<ListRuleTypes>(input.into()).await
    }
}
