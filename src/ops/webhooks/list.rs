//! `ListWebhooks`: the account's webhooks in this region, by name, a page at a time.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::engine::paging::{self, PageKind};
use crate::error::{ErrorKind, Result};
use crate::model::ListWebhookItem;
use crate::model::validate::Violations;
use crate::ops::{Op, Operation};
use crate::service::Cx;
use crate::service::webhooks::Webhooks;

/// `ListWebhooks` input; note the model's capitalised member names.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListWebhooksInput {
    /// Where the page starts: a token a previous page answered.
    #[serde(rename = "NextToken", default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// 1..=100; 100 when not given.
    #[serde(
        rename = "MaxResults",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub max_results: Option<i64>,
}

/// `ListWebhooks` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListWebhooksOutput {
    /// The webhooks of the page, by name.
    #[serde(default)]
    pub webhooks: Vec<ListWebhookItem>,
    /// Where the next page starts, when there is one.
    #[serde(rename = "NextToken", default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `ListWebhooks`.
pub(crate) struct ListWebhooks;

impl Op for ListWebhooks {
    const OPERATION: Operation = Operation::ListWebhooks;
    const ERRORS: &'static [ErrorKind] = &[ErrorKind::Validation, ErrorKind::InvalidNextToken];
    const CHANGES_STATE: bool = false;
    type Input = ListWebhooksInput;
    type Output = ListWebhooksOutput;

    fn target(_: &Self::Input) -> Option<&str> {
        None
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        if let Some(token) = &input.next_token {
            v.length("nextToken", token, 1, 2048);
        }
        if let Some(max) = input.max_results {
            v.range("maxResults", max, 1, 100);
        }
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let from = input
            .next_token
            .as_deref()
            .map(|token| paging::decode(PageKind::Webhooks, token))
            .transpose()?;
        let max = input.max_results.map_or(100, |m| m as usize);
        let scope = (cx.account(), cx.region());
        let url = cx.public_url();
        cx.read_part(|webhooks: &Webhooks| {
            let mut page = webhooks.starting_at(from.as_deref());
            let items: Vec<ListWebhookItem> = page
                .by_ref()
                .take(max)
                .map(|(_, hook)| hook.item(&url, scope))
                .collect();
            let next_token = page
                .next()
                .map(|(name, _)| paging::encode(PageKind::Webhooks, name));
            Ok(ListWebhooksOutput {
                webhooks: items,
                next_token,
            })
        })
    }
}

impl Simulator {
    /// `ListWebhooks`, by name, 100 a page unless `MaxResults` says otherwise; secrets
    /// left out.
    ///
    /// # Errors
    /// `ValidationException`, `InvalidNextTokenException`.
    pub async fn list_webhooks(&self, input: ListWebhooksInput) -> Result<ListWebhooksOutput> {
        self.call::<ListWebhooks>(input).await
    }
}
