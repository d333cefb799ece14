//! `RegisterWebhookWithThirdParty` and `DeregisterWebhookWithThirdParty`: have the
//! source provider (GitHub) call a webhook's URL, or stop. pipesim calls no provider;
//! it keeps whether the webhook is registered, which
//! `Simulator::webhook_registered_with_third_party` reads.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;
use crate::service::webhooks::{Webhooks, webhook_not_found};

/// `RegisterWebhookWithThirdParty` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterWebhookWithThirdPartyInput {
    /// The webhook. The model does not require it; a call without it names no webhook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_name: Option<String>,
}

/// `RegisterWebhookWithThirdParty` output: no members.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterWebhookWithThirdPartyOutput {}

/// `DeregisterWebhookWithThirdParty` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeregisterWebhookWithThirdPartyInput {
    /// The webhook. The model does not require it; a call without it names no webhook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_name: Option<String>,
}

/// `DeregisterWebhookWithThirdParty` output: no members.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeregisterWebhookWithThirdPartyOutput {}

fn check_name(name: Option<&String>) -> Result<()> {
    let mut v = Violations::default();
    if let Some(name) = name {
        v.name("webhookName", name, 100);
    }
    v.finish()
}

/// Marks the named webhook registered or not.
fn set_registered<O: Op>(cx: &Cx<'_, O>, name: Option<&String>, registered: bool) -> Result<()> {
    let name = name.map_or("", String::as_str);
    cx.change_part(|webhooks: &mut Webhooks, _| {
        let hook = webhooks
            .get_mut(name)
            .ok_or_else(|| webhook_not_found(name))?;
        hook.registered = registered;
        Ok(())
    })
}

/// `RegisterWebhookWithThirdParty`.
pub(crate) struct RegisterWebhookWithThirdParty;

impl Op for RegisterWebhookWithThirdParty {
    const OPERATION: Operation = Operation::RegisterWebhookWithThirdParty;
    const ERRORS: &'static [ErrorKind] = &[ErrorKind::Validation, ErrorKind::WebhookNotFound];
    const CHANGES_STATE: bool = true;
    type Input = RegisterWebhookWithThirdPartyInput;
    type Output = RegisterWebhookWithThirdPartyOutput;

    fn target(_: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        check_name(input.webhook_name.as_ref())
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        set_registered(cx, input.webhook_name.as_ref(), true)?;
        Ok(RegisterWebhookWithThirdPartyOutput {})
    }
}

/// `DeregisterWebhookWithThirdParty`.
pub(crate) struct DeregisterWebhookWithThirdParty;

impl Op for DeregisterWebhookWithThirdParty {
    const OPERATION: Operation = Operation::DeregisterWebhookWithThirdParty;
    const ERRORS: &'static [ErrorKind] = &[ErrorKind::Validation, ErrorKind::WebhookNotFound];
    const CHANGES_STATE: bool = true;
    type Input = DeregisterWebhookWithThirdPartyInput;
    type Output = DeregisterWebhookWithThirdPartyOutput;

    fn target(_: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        check_name(input.webhook_name.as_ref())
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        set_registered(cx, input.webhook_name.as_ref(), false)?;
        Ok(DeregisterWebhookWithThirdPartyOutput {})
    }
}

impl Simulator {
    /// `RegisterWebhookWithThirdParty`: the provider would now call the webhook's URL.
    ///
    /// # Errors
    /// `ValidationException`, `WebhookNotFoundException`.
    pub async fn register_webhook_with_third_party(
        &self,
        name: &str,
    ) -> Result<RegisterWebhookWithThirdPartyOutput> {
        let input = RegisterWebhookWithThirdPartyInput {
            webhook_name: Some(name.to_owned()),
        };
        self.call::<RegisterWebhookWithThirdParty>(input).await
    }

    /// `DeregisterWebhookWithThirdParty`: the provider would stop calling its URL.
    ///
    /// # Errors
    /// `ValidationException`, `WebhookNotFoundException`.
    pub async fn deregister_webhook_with_third_party(
        &self,
        name: &str,
    ) -> Result<DeregisterWebhookWithThirdPartyOutput> {
        let input = DeregisterWebhookWithThirdPartyInput {
            webhook_name: Some(name.to_owned()),
        };
        self.call::<DeregisterWebhookWithThirdParty>(input).await
    }
}
