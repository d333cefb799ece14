//! The webhooks of an account and region (a scope part, see `scope_parts`), and
//! deliveries to them: what a source provider sends a webhook's URL.
//!
//! The webhook operations (`PutWebhook`, `ListWebhooks`, ...) change this part through
//! `Cx::change_part` like any call. A delivery is not a CodePipeline call: it is the
//! harness's, and it changes two things at once, the target pipeline's engine (an
//! execution starts) and the webhook's `lastTriggered`. It keeps the rule that a change
//! is one journal record made under the lock that orders it: it takes the engine's lock
//! and then the part's (the order `scope_parts` allows), decides and makes both changes
//! under them, and journals one `Record::WebhookDelivered` that replay applies to both
//! (`replay_delivery`). A delivery that starts nothing changes nothing and is not
//! journaled.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::engine::Effects;
use crate::error::{Error, Result};
use crate::model::webhooks::{self, WebhookDefinition, WebhookDelivery, WebhookDeliveryOutcome};
use crate::model::{ListWebhookItem, Tag, Timestamp};
use crate::persist::{Key, Record};
use crate::sim::rng::Rng;

use super::replay::Pending;
use super::scope_parts::ScopePart;
use super::{Inner, Scope, Simulator};

/// How many webhooks an account may have in a region (the documented quota).
pub(crate) const MAX_WEBHOOKS: usize = 300;

/// Every webhook of one account and region, by name.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Webhooks {
    #[serde(default)]
    hooks: BTreeMap<String, StoredWebhook>,
    /// How many webhooks were ever created here: each draws its URL's token from it, so
    /// a webhook deleted and put again has a new URL.
    #[serde(default)]
    created: u64,
}

/// One webhook as the part keeps it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredWebhook {
    pub(crate) definition: WebhookDefinition,
    /// The `t` of its URL.
    pub(crate) token: String,
    #[serde(default)]
    pub(crate) tags: Vec<Tag>,
    #[serde(default)]
    pub(crate) last_triggered: Option<Timestamp>,
    /// Whether `RegisterWebhookWithThirdParty` made the provider call its URL.
    #[serde(default)]
    pub(crate) registered: bool,
}

impl Webhooks {
    /// The webhook of that name.
    pub(crate) fn get(&self, name: &str) -> Option<&StoredWebhook> {
        self.hooks.get(name)
    }

    /// The webhook of that name, to change.
    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut StoredWebhook> {
        self.hooks.get_mut(name)
    }

    /// How many there are.
    pub(crate) fn len(&self) -> usize {
        self.hooks.len()
    }

    /// Every webhook from `from` on (by name), in name order.
    pub(crate) fn starting_at<'a>(
        &'a self,
        from: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a String, &'a StoredWebhook)> + 'a {
        let start = from.unwrap_or_default().to_owned();
        self.hooks.range(start..)
    }

    /// Creates or replaces a webhook. A replaced one keeps its URL, its
    /// `lastTriggered` and its registration; its tags are the new ones when given.
    pub(crate) fn put(
        &mut self,
        definition: WebhookDefinition,
        tags: Option<Vec<Tag>>,
        seed: u64,
        scope: (&str, &str),
    ) -> &StoredWebhook {
        let name = definition.name.clone();
        if let Some(existing) = self.hooks.get_mut(&name) {
            existing.definition = definition;
            if let Some(tags) = tags {
                existing.tags = tags;
            }
        } else {
            self.created += 1;
            let mut rng = Rng::derive(
                seed ^ 0x3eb0_0c5e,
                &[
                    scope.0.as_bytes(),
                    scope.1.as_bytes(),
                    name.as_bytes(),
                    &self.created.to_le_bytes(),
                ],
            );
            let token = format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64());
            self.hooks.insert(
                name.clone(),
                StoredWebhook {
                    definition,
                    token,
                    tags: tags.unwrap_or_default(),
                    last_triggered: None,
                    registered: false,
                },
            );
        }
        &self.hooks[&name]
    }

    /// Deletes a webhook; false when there was none.
    pub(crate) fn remove(&mut self, name: &str) -> bool {
        self.hooks.remove(name).is_some()
    }
}

/// A webhook's ARN.
pub(crate) fn webhook_arn((account, region): (&str, &str), name: &str) -> String {
    format!("arn:aws:codepipeline:{region}:{account}:webhook:{name}")
}

/// A webhook's URL: pipesim's delivery endpoint for it.
pub(crate) fn webhook_url(
    base: &str,
    (account, region): (&str, &str),
    name: &str,
    token: &str,
) -> String {
    format!("{base}/_pipesim/webhooks/{name}/deliver?account={account}&region={region}&t={token}")
}

impl StoredWebhook {
    /// The webhook as `PutWebhook` and `ListWebhooks` answer it.
    pub(crate) fn item(&self, base_url: &str, scope: (&str, &str)) -> ListWebhookItem {
        let name = &self.definition.name;
        ListWebhookItem {
            definition: self.definition.redacted(),
            url: webhook_url(base_url, scope, name, &self.token),
            error_message: None,
            error_code: None,
            last_triggered: self.last_triggered,
            arn: Some(webhook_arn(scope, name)),
            tags: (!self.tags.is_empty()).then(|| self.tags.clone()),
        }
    }
}

impl Simulator {
    /// Delivers a request to webhook `name`'s URL, as GitHub would on a push: when it
    /// passes the webhook's authentication and every filter, the target pipeline starts
    /// (trigger `Webhook`, detail the webhook's ARN) and the webhook's `lastTriggered`
    /// is now. Otherwise it says why nothing started.
    ///
    /// ```
    /// # use pipesim::{Simulator, model::*};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), pipesim::Error> {
    /// let sim = Simulator::builder().seed(1).virtual_time().start_on_create(false).build();
    /// sim.create_pipeline(PipelineDeclaration::two_stage_example("web")).await?;
    /// let hook = WebhookDefinition::new("on-push", "web", "Fetch").filter("$.ref", "refs/heads/main");
    /// sim.put_webhook(PutWebhookInput::new(hook)).await?;
    /// let push = WebhookDelivery::new(r#"{"ref": "refs/heads/main"}"#);
    /// let outcome = sim.deliver_webhook("on-push", push).await?;
    /// assert!(outcome.started);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// `WebhookNotFoundException`; `InternalFailure` when the state file cannot be
    /// written.
    pub async fn deliver_webhook(
        &self,
        name: &str,
        delivery: WebhookDelivery,
    ) -> Result<WebhookDeliveryOutcome> {
        self.deliver_webhook_with_token(name, None, delivery).await
    }

    /// As [`deliver_webhook`](Self::deliver_webhook); with `token`, only to the webhook
    /// whose URL has that `t` (a URL of a deleted webhook reaches nothing).
    pub(crate) async fn deliver_webhook_with_token(
        &self,
        name: &str,
        token: Option<&str>,
        delivery: WebhookDelivery,
    ) -> Result<WebhookDeliveryOutcome> {
        let (outcome, seq) = deliver(&self.inner, &self.scope, name, token, &delivery)?;
        self.inner.durable(seq).await?;
        Ok(outcome)
    }

    /// Whether `RegisterWebhookWithThirdParty` registered webhook `name` with its
    /// provider (and no `DeregisterWebhookWithThirdParty` undid it): what GitHub would
    /// show in the repository's webhooks.
    ///
    /// # Errors
    /// `WebhookNotFoundException`.
    pub fn webhook_registered_with_third_party(&self, name: &str) -> Result<bool> {
        let part = Webhooks::of(&self.scope.parts).lock();
        part.get(name)
            .map(|hook| hook.registered)
            .ok_or_else(|| webhook_not_found(name))
    }

    /// Sets the address webhook URLs start with (`http://host:port`); `pipesim serve`
    /// sets the one it listens on.
    pub fn set_public_url(&self, url: impl Into<String>) {
        let url: String = url.into();
        *self.inner.public_url.lock() = Arc::from(url.trim_end_matches('/'));
    }
}

/// `WebhookNotFoundException` for `name`.
pub(crate) fn webhook_not_found(name: &str) -> Error {
    Error::WebhookNotFound(format!("The webhook '{name}' was not found"))
}

/// Decides a delivery and, when it starts the pipeline, makes and journals the change.
fn deliver(
    inner: &Inner,
    scope: &Arc<Scope>,
    name: &str,
    token: Option<&str>,
    delivery: &WebhookDelivery,
) -> Result<(WebhookDeliveryOutcome, Option<u64>)> {
    let found = |part: &Webhooks| {
        part.get(name)
            .filter(|hook| token.is_none_or(|t| t == hook.token))
            .cloned()
            .ok_or_else(|| webhook_not_found(name))
    };
    let target = found(&Webhooks::of(&scope.parts).lock())?
        .definition
        .target_pipeline;
    let Some(slot) = scope.slot(&target) else {
        return Ok((
            WebhookDeliveryOutcome::ignored(format!(
                "the target pipeline '{target}' does not exist"
            )),
            None,
        ));
    };
    let _world = inner.hold();
    // The engine before the part: the lock order `scope_parts` states.
    let mut engine = slot.engine.lock();
    let mut part = Webhooks::of(&scope.parts).lock();
    let hook = found(&part)?;
    if hook.definition.target_pipeline != target {
        // Put again meanwhile with another target: the sender would retry.
        return Ok((
            WebhookDeliveryOutcome::ignored("the webhook changed meanwhile"),
            None,
        ));
    }
    if let Some(why) = webhooks::refused_by_authentication(&hook.definition, delivery) {
        return Ok((WebhookDeliveryOutcome::ignored(why), None));
    }
    let payload: serde_json::Value = match serde_json::from_slice(&delivery.payload) {
        Ok(payload) => payload,
        Err(err) => {
            return Ok((
                WebhookDeliveryOutcome::ignored(format!("the payload is not JSON: {err}")),
                None,
            ));
        }
    };
    let Some(configuration) = engine.source_configuration(&hook.definition.target_action) else {
        return Ok((
            WebhookDeliveryOutcome::ignored(format!(
                "the target action '{}' is not a source action of pipeline '{target}'",
                hook.definition.target_action
            )),
            None,
        ));
    };
    if let Some(why) = webhooks::failed_filter(&hook.definition.filters, &payload, &configuration) {
        return Ok((WebhookDeliveryOutcome::ignored(why), None));
    }
    let now = inner.clock.now();
    let arn = webhook_arn((&scope.account, &scope.region), name);
    let mut effects = inner.effects();
    // Journaled before the engine is reached, as every engine change is: a start that
    // the limit refuses may still have begun the execution CreatePipeline starts.
    let seq = inner.record(|| Record::WebhookDelivered {
        key: slot.key(),
        at: now.as_millis(),
        webhook: name.to_owned(),
    });
    let started = engine.start_by_webhook(&arn, now, &mut effects);
    if started.is_ok()
        && let Some(hook) = part.get_mut(name)
    {
        hook.last_triggered = Some(now);
    }
    inner.dispatch(&slot, effects);
    let outcome = match started {
        Ok(id) => WebhookDeliveryOutcome {
            started: true,
            pipeline_execution_id: Some(id.to_string()),
            reason: None,
        },
        Err(err) => {
            WebhookDeliveryOutcome::ignored(format!("{}: {}", err.error_type(), err.message()))
        }
    };
    Ok((outcome, seq))
}

/// Replays a delivery that started an execution: the execution, and the webhook's
/// `lastTriggered` when it started. False when the pipeline is gone (deleted after).
pub(super) fn replay_delivery(
    inner: &Inner,
    pending: &std::cell::RefCell<Pending>,
    key: &Key,
    at: Timestamp,
    webhook: &str,
) -> bool {
    let Some(slot) = super::replay::slot(inner, key) else {
        return false;
    };
    let scope = inner.scope(&key.account, &key.region);
    let arn = webhook_arn((&key.account, &key.region), webhook);
    let mut effects = Effects::new(false);
    let mut engine = slot.engine.lock();
    if engine.start_by_webhook(&arn, at, &mut effects).is_ok()
        && let Some(hook) = Webhooks::of(&scope.parts).lock().get_mut(webhook)
    {
        hook.last_triggered = Some(at);
    }
    drop(engine);
    pending.borrow_mut().add(&slot, effects);
    true
}
