//! `GetActionType`: an action type registered for the account as its owner.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{Error, ErrorKind, Result};
use crate::model::ActionCategory;
use crate::model::action_types::{ActionTypeDeclaration, ActionTypeIdentifier, ActionTypeRegistry};
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `GetActionType` input: the type's id, owner `AWS` or `ThirdParty`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetActionTypeInput {
    /// The type's category.
    #[serde(default)]
    pub category: ActionCategory,
    /// `AWS` or `ThirdParty`.
    #[serde(default)]
    pub owner: String,
    /// The type's provider.
    #[serde(default)]
    pub provider: String,
    /// The type's version.
    #[serde(default)]
    pub version: String,
}

impl GetActionTypeInput {
    fn identifier(&self) -> ActionTypeIdentifier {
        ActionTypeIdentifier {
            category: self.category.clone(),
            owner: self.owner.clone(),
            provider: self.provider.clone(),
            version: self.version.clone(),
        }
    }
}

impl From<ActionTypeIdentifier> for GetActionTypeInput {
    fn from(id: ActionTypeIdentifier) -> Self {
        Self {
            category: id.category,
            owner: id.owner,
            provider: id.provider,
            version: id.version,
        }
    }
}

/// `GetActionType` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetActionTypeOutput {
    /// The type's declaration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_type: Option<ActionTypeDeclaration>,
}

/// The answer for a type the account owns no registration of.
pub(super) fn not_found(id: &ActionTypeIdentifier) -> Error {
    Error::ActionTypeNotFound(format!(
        "ActionType (Category: '{}', Provider: '{}', Owner: '{}', Version: '{}') was not found",
        id.category, id.provider, id.owner, id.version
    ))
}

/// `GetActionType`.
pub(crate) struct GetActionType;

impl Op for GetActionType {
    const OPERATION: Operation = Operation::GetActionType;
    const ERRORS: &'static [ErrorKind] = &[ErrorKind::ActionTypeNotFound, ErrorKind::Validation];
    const CHANGES_STATE: bool = false;
    type Input = GetActionTypeInput;
    type Output = GetActionTypeOutput;

    fn target(_input: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        input.identifier().check(&mut v, "");
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let id = input.identifier();
        let declaration = cx
            .read_part(|registry: &ActionTypeRegistry| registry.registered.get(&id.key()).cloned());
        match declaration {
            Some(declaration) => Ok(GetActionTypeOutput {
                action_type: Some(declaration),
            }),
            None => Err(not_found(&id)),
        }
    }
}

impl Simulator {
    /// `GetActionType`: an action type registered for this account as its owner
    /// (through the third-party registration process, which has no API).
    ///
    /// # Errors
    /// `ValidationException`, `ActionTypeNotFoundException`.
    pub async fn get_action_type(
        &self,
        input: impl Into<GetActionTypeInput>,
    ) -> Result<GetActionTypeOutput> {
        self.call::<GetActionType>(input.into()).await
    }
}
