//! `DeleteCustomActionType`: marks a custom action type deleted.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::ActionCategory;
use crate::model::action_types::{self, ActionTypeRegistry};
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `DeleteCustomActionType` input (the output is empty).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteCustomActionTypeInput {
    /// The type's category.
    #[serde(default)]
    pub category: ActionCategory,
    /// The type's provider.
    #[serde(default)]
    pub provider: String,
    /// The type's version.
    #[serde(default)]
    pub version: String,
}

impl DeleteCustomActionTypeInput {
    /// The custom type `(category, provider, version)`.
    pub fn new(category: ActionCategory, provider: &str, version: &str) -> Self {
        Self {
            category,
            provider: provider.to_owned(),
            version: version.to_owned(),
        }
    }
}

/// `DeleteCustomActionType`.
pub(crate) struct DeleteCustomActionType;

impl Op for DeleteCustomActionType {
    const OPERATION: Operation = Operation::DeleteCustomActionType;
    const ERRORS: &'static [ErrorKind] =
        &[ErrorKind::Validation, ErrorKind::ConcurrentModification];
    const CHANGES_STATE: bool = true;
    type Input = DeleteCustomActionTypeInput;
    /// The service model gives `DeleteCustomActionType` no output.
    type Output = ();

    fn target(_input: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.enumeration("category", &input.category);
        v.provider("provider", &input.provider);
        v.version("version", &input.version);
        v.finish()
    }

    /// Marks the type deleted; deleting one that does not exist, or is deleted already,
    /// succeeds and changes nothing.
    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let key = action_types::key(&input.category, &input.provider, &input.version);
        cx.change_part(|registry: &mut ActionTypeRegistry, _now| {
            if let Some(entry) = registry.custom.get_mut(&key) {
                entry.deleted = true;
            }
            Ok(())
        })
    }
}

impl Simulator {
    /// `DeleteCustomActionType`: marks a custom action type deleted. Pipelines can no
    /// longer be created or updated with it, and its version can only restore it.
    ///
    /// # Errors
    /// `ValidationException`.
    pub async fn delete_custom_action_type(
        &self,
        input: DeleteCustomActionTypeInput,
    ) -> Result<()> {
        self.call::<DeleteCustomActionType>(input).await
    }
}
