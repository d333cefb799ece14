//! The tags family: tags on pipelines, found by their ARN.

mod list;
mod tag;
mod untag;

pub use list::*;
pub use tag::*;
pub use untag::*;

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::model::validate;
use crate::ops::Op;
use crate::service::{Cx, PipelineSlot};

/// Tags one resource may carry.
const MAX_TAGS: usize = 50;

/// The resource part of an ARN (the pipeline name, for a pipeline), as fault rules
/// match it.
fn arn_resource(arn: &str) -> Option<&str> {
    arn.rsplit(':').next().filter(|r| !r.is_empty())
}

/// The pipeline a validated `resourceArn` names, if the call's account and region hold
/// it.
fn tagged_pipeline<O: Op>(cx: &Cx<'_, O>, arn: &str) -> Result<Arc<PipelineSlot>> {
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
    // pipesim models pipelines only: webhooks and custom action types never exist.
    if arn.resource.contains(':') {
        return Err(not_found());
    }
    if validate::pipeline_name("resourceArn", arn.resource).is_err() {
        return Err(Error::InvalidArn(format!(
            "The ARN's resource '{}' is not a valid pipeline name",
            arn.resource
        )));
    }
    cx.pipeline(arn.resource).map_err(|_| not_found())
}
