//! The tags family: tags on pipelines, webhooks and custom action types, found by their
//! ARN.

mod list;
mod tag;
mod untag;

pub use list::*;
pub use tag::*;
pub use untag::*;

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::model::action_types::{self, ActionTypeRegistry};
use crate::model::validate;
use crate::model::{ActionCategory, Tag};
use crate::ops::Op;
use crate::service::webhooks::Webhooks;
use crate::service::{Cx, PipelineSlot};

/// Tags one resource may carry.
const MAX_TAGS: usize = 50;

/// The resource part of an ARN (the pipeline name, for a pipeline), as fault rules
/// match it.
fn arn_resource(arn: &str) -> Option<&str> {
    arn.rsplit(':').next().filter(|r| !r.is_empty())
}

/// A resource that carries tags.
enum Tagged {
    Pipeline(Arc<PipelineSlot>),
    /// A webhook, by name: its tags live in the scope's webhooks part.
    Webhook(String),
    /// A live custom action type, by its registry key.
    ActionType(String),
}

/// The resource a validated `resourceArn` names, if the call's account and region hold
/// it: a pipeline (`...:<name>`), a webhook (`...:webhook:<name>`) or a custom action
/// type (`...:actiontype:Custom/<Category>/<Provider>/<Version>`).
fn tagged<O: Op>(cx: &Cx<'_, O>, arn: &str) -> Result<Tagged> {
    let arn = validate::resource_arn("resourceArn", arn)?;
    let not_found = || {
        Error::ResourceNotFound(format!(
            "The resource '{}' does not exist in account '{}' and region '{}'",
            arn.resource,
            cx.account(),
            cx.region()
        ))
    };
    if arn.account != cx.account() || arn.region != cx.region() {
        return Err(not_found());
    }
    if let Some(name) = arn.resource.strip_prefix("webhook:") {
        let exists = cx.read_part(|webhooks: &Webhooks| webhooks.get(name).is_some());
        return if exists {
            Ok(Tagged::Webhook(name.to_owned()))
        } else {
            Err(not_found())
        };
    }
    if let Some((kind, rest)) = arn.resource.split_once(':') {
        return match kind {
            // IAM policies in the user guide write `actionType`; the service's own
            // ARNs `actiontype`.
            "actiontype" | "actionType" => {
                let parts: Vec<&str> = rest.split('/').collect();
                let [owner, category, provider, version] = parts[..] else {
                    return Err(Error::InvalidArn(format!(
                        "The ARN's resource '{}' is not an action type",
                        arn.resource
                    )));
                };
                let category = ActionCategory::from(category);
                if owner != "Custom" || !category.is_known() {
                    return Err(not_found());
                }
                let key = action_types::key(&category, provider, version);
                let exists = cx.read_part(|types: &ActionTypeRegistry| {
                    types.custom.get(&key).is_some_and(|entry| !entry.deleted)
                });
                if exists {
                    Ok(Tagged::ActionType(key))
                } else {
                    Err(not_found())
                }
            }
            _ => Err(not_found()),
        };
    }
    if validate::pipeline_name("resourceArn", arn.resource).is_err() {
        return Err(Error::InvalidArn(format!(
            "The ARN's resource '{}' is not a valid pipeline name",
            arn.resource
        )));
    }
    cx.pipeline(arn.resource)
        .map(Tagged::Pipeline)
        .map_err(|_| not_found())
}

/// A tagged resource's tags.
fn tags_of<O: Op>(cx: &Cx<'_, O>, resource: &Tagged) -> Vec<Tag> {
    match resource {
        Tagged::Pipeline(slot) => cx.tags(slot),
        Tagged::Webhook(name) => cx.read_part(|webhooks: &Webhooks| {
            webhooks
                .get(name)
                .map(|hook| hook.tags.clone())
                .unwrap_or_default()
        }),
        Tagged::ActionType(key) => cx.read_part(|types: &ActionTypeRegistry| {
            types
                .custom
                .get(key)
                .map(|entry| entry.tags.clone())
                .unwrap_or_default()
        }),
    }
}

/// Changes a tagged resource's tags and journals the call; a change that fails
/// changes nothing.
fn change_tags_of<O: Op>(
    cx: &Cx<'_, O>,
    resource: &Tagged,
    change: impl FnOnce(&mut Vec<Tag>) -> Result<()>,
) -> Result<()> {
    match resource {
        Tagged::Pipeline(slot) => cx.change_tags(slot, change),
        Tagged::Webhook(name) => cx.change_part(|webhooks: &mut Webhooks, _| {
            let hook = webhooks.get_mut(name).ok_or_else(|| {
                Error::ResourceNotFound(format!("The webhook '{name}' does not exist"))
            })?;
            let mut tags = hook.tags.clone();
            change(&mut tags)?;
            hook.tags = tags;
            Ok(())
        }),
        Tagged::ActionType(key) => cx.change_part(|types: &mut ActionTypeRegistry, _now| {
            // Looked up again under the lock: the type may have been deleted since.
            let tags = types.tags_mut(key).ok_or_else(|| {
                Error::ResourceNotFound(format!(
                    "The resource 'actiontype:Custom/{key}' does not exist in account '{}' and region '{}'",
                    cx.account(),
                    cx.region()
                ))
            })?;
            let mut changed = tags.clone();
            change(&mut changed)?;
            *tags = changed;
            Ok(())
        }),
    }
}
