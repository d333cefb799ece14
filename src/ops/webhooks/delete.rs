//! `DeleteWebhook`: deletes a webhook by name; deleting one that is not there succeeds.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;
use crate::service::webhooks::Webhooks;

/// `DeleteWebhook` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeleteWebhookInput {
    /// The webhook.
    #[serde(default)]
    pub name: String,
}

/// `DeleteWebhook` output: no members.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteWebhookOutput {}

/// `DeleteWebhook`.
pub(crate) struct DeleteWebhook;

impl Op for DeleteWebhook {
    const OPERATION: Operation = Operation::DeleteWebhook;
    const ERRORS: &'static [ErrorKind] =
        &[ErrorKind::Validation, ErrorKind::ConcurrentModification];
    const CHANGES_STATE: bool = true;
    type Input = DeleteWebhookInput;
    type Output = DeleteWebhookOutput;

    fn target(_: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.name("name", &input.name, 100);
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        // As documented, a webhook already deleted deletes successfully; the call is
        // journaled either way, which changes nothing on replay.
        cx.change_part(|webhooks: &mut Webhooks, _| {
            webhooks.remove(&input.name);
            Ok(DeleteWebhookOutput {})
        })
    }
}

impl Simulator {
    /// `DeleteWebhook`: its URL stops working; a webhook put again under the name has
    /// another URL. Succeeds when there is no such webhook.
    ///
    /// # Errors
    /// `ValidationException`.
    pub async fn delete_webhook(&self, name: &str) -> Result<DeleteWebhookOutput> {
        self.call::<DeleteWebhook>(DeleteWebhookInput {
            name: name.to_owned(),
        })
        .await
    }
}
