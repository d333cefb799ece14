//! `UpdateActionType`: replaces the declaration of an action type registered for the
//! account as its owner.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::action_types::{ActionTypeDeclaration, ActionTypeRegistry};
use crate::ops::{Op, Operation};
use crate::service::Cx;

use super::get::not_found;

/// `UpdateActionType` input (the output is empty).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateActionTypeInput {
    /// The whole new declaration; its `id` names the type.
    #[serde(default)]
    pub action_type: ActionTypeDeclaration,
}

impl From<ActionTypeDeclaration> for UpdateActionTypeInput {
    fn from(action_type: ActionTypeDeclaration) -> Self {
        Self { action_type }
    }
}

/// `UpdateActionType`.
pub(crate) struct UpdateActionType;

impl Op for UpdateActionType {
    const OPERATION: Operation = Operation::UpdateActionType;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::RequestFailed,
        ErrorKind::Validation,
        ErrorKind::ActionTypeNotFound,
    ];
    const CHANGES_STATE: bool = true;
    type Input = UpdateActionTypeInput;
    /// The service model gives `UpdateActionType` no output.
    type Output = ();

    fn target(_input: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        input.action_type.check("actionType.")
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let id = &input.action_type.id;
        cx.change_part(|registry: &mut ActionTypeRegistry, _now| {
            match registry.registered.get_mut(&id.key()) {
                Some(declaration) => {
                    *declaration = input.action_type.clone();
                    Ok(())
                }
                None => Err(not_found(id)),
            }
        })
    }
}

impl Simulator {
    /// `UpdateActionType`: replaces the whole declaration of an action type registered
    /// for this account as its owner.
    ///
    /// # Errors
    /// `ValidationException`, `ActionTypeNotFoundException`.
    pub async fn update_action_type(&self, input: impl Into<UpdateActionTypeInput>) -> Result<()> {
        self.call::<UpdateActionType>(input.into()).await
    }
}
