//! Placeholder until the DeploymentWindow evaluator lands.

use crate::model::Timestamp;

pub(crate) struct DeploymentWindow;

impl DeploymentWindow {
    pub(crate) fn parse(_cron: &str, _time_zone: Option<&str>) -> Result<Self, String> {
        Ok(Self)
    }

    pub(crate) fn contains(&self, _at: Timestamp) -> bool {
        true
    }
}
