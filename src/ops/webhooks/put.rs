//! `PutWebhook`: creates a webhook, or replaces the one of that name.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{Error, ErrorKind, Result};
use crate::model::validate::{self, Violations};
use crate::model::{ListWebhookItem, Tag, WebhookDefinition};
use crate::ops::{Op, Operation};
use crate::service::Cx;
use crate::service::webhooks::{MAX_WEBHOOKS, Webhooks};

/// `PutWebhook` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutWebhookInput {
    /// The webhook.
    #[serde(default)]
    pub webhook: WebhookDefinition,
    /// Its tags; a webhook put again keeps its tags when none are given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

impl PutWebhookInput {
    /// Puts `webhook` with no tags.
    pub fn new(webhook: WebhookDefinition) -> Self {
        Self {
            webhook,
            tags: None,
        }
    }

    /// The same call with one more tag.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags
            .get_or_insert_with(Vec::new)
            .push(Tag::new(key, value));
        self
    }
}

/// `PutWebhook` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutWebhookOutput {
    /// The webhook as stored, with its URL and ARN.
    pub webhook: ListWebhookItem,
}

/// `PutWebhook`.
pub(crate) struct PutWebhook;

impl Op for PutWebhook {
    const OPERATION: Operation = Operation::PutWebhook;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::Validation,
        ErrorKind::LimitExceeded,
        ErrorKind::InvalidWebhookFilterPattern,
        ErrorKind::InvalidWebhookAuthenticationParameters,
        ErrorKind::PipelineNotFound,
        ErrorKind::TooManyTags,
        ErrorKind::InvalidTags,
        ErrorKind::ConcurrentModification,
    ];
    const CHANGES_STATE: bool = true;
    type Input = PutWebhookInput;
    type Output = PutWebhookOutput;

    fn target(input: &Self::Input) -> Option<&str> {
        Some(&input.webhook.target_pipeline)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        input.webhook.check("webhook", &mut v);
        v.finish()?;
        if let Some(tags) = &input.tags {
            validate::tags("tags", tags)?;
        }
        input.webhook.check_semantics()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let definition = &input.webhook;
        // The target is another pipeline's state: checked live only, so a replay never
        // refuses a webhook the live call stored.
        cx.live_check(|| {
            let slot = cx.pipeline(&definition.target_pipeline)?;
            let is_source = cx.read(&slot, |engine| {
                engine
                    .source_configuration(&definition.target_action)
                    .is_some()
            });
            if is_source {
                Ok(())
            } else {
                Err(Error::Validation(format!(
                    "Action '{}' is not a source action in the first stage of pipeline '{}'",
                    definition.target_action, definition.target_pipeline
                )))
            }
        })?;
        let scope = (cx.account(), cx.region());
        let (seed, url) = (cx.seed(), cx.public_url());
        cx.change_part(|webhooks: &mut Webhooks, _| {
            if webhooks.get(&definition.name).is_none() && webhooks.len() >= MAX_WEBHOOKS {
                return Err(Error::LimitExceeded(format!(
                    "The account already has {MAX_WEBHOOKS} webhooks in this region, the limit"
                )));
            }
            let stored = webhooks.put(definition.clone(), input.tags.clone(), seed, scope);
            Ok(PutWebhookOutput {
                webhook: stored.item(&url, scope),
            })
        })
    }
}

impl Simulator {
    /// `PutWebhook`: creates the webhook, or replaces the one of its name (which keeps
    /// its URL). The answer has its URL, pipesim's delivery endpoint for it (see
    /// [`deliver_webhook`](Self::deliver_webhook)), and its ARN; never its secret.
    ///
    /// # Errors
    /// `ValidationException` (also for a target action that is not a source action of
    /// the first stage), `PipelineNotFoundException`, `LimitExceededException` (300 a
    /// region), `InvalidWebhookFilterPatternException`,
    /// `InvalidWebhookAuthenticationParametersException`, `InvalidTagsException`,
    /// `TooManyTagsException`.
    pub async fn put_webhook(&self, input: PutWebhookInput) -> Result<PutWebhookOutput> {
        self.call::<PutWebhook>(input).await
    }
}
