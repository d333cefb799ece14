//! Read-only views across every account and region, for the dashboard of
//! `pipesim serve`: which pipelines exist, and where one of them stands.
//!
//! They read the engines directly rather than through [`Simulator::call`], so looking
//! at a simulator never meets a fault rule, never counts against a rate limit and never
//! creates an account or region that no call named.
//!
//! Locks: a DashMap shard while scopes or pipelines are cloned out, then one engine at a
//! time, for one pure read.

use std::sync::Arc;

use crate::model::PipelineExecutionSummary;
use crate::ops::pipelines::PipelineSummary;
use crate::ops::stages::GetPipelineStateOutput;

use super::Simulator;

/// One pipeline of some account and region.
#[derive(Clone, Debug)]
pub(crate) struct ScopedSummary {
    pub(crate) account: Arc<str>,
    pub(crate) region: Arc<str>,
    pub(crate) summary: PipelineSummary,
}

/// Where one pipeline stands: what `GetPipelineState` answers, and its newest
/// executions.
#[derive(Clone, Debug)]
pub(crate) struct PipelineOverview {
    pub(crate) state: GetPipelineStateOutput,
    /// Newest first.
    pub(crate) executions: Vec<PipelineExecutionSummary>,
}

impl Simulator {
    /// Every pipeline of every account and region, sorted by account, region and name.
    pub(crate) fn all_pipelines(&self) -> Vec<ScopedSummary> {
        let mut all = Vec::new();
        for scope in self.inner.scopes() {
            for slot in scope.slots() {
                let summary = slot.engine.lock().summary();
                all.push(ScopedSummary {
                    account: Arc::clone(&scope.account),
                    region: Arc::clone(&scope.region),
                    summary,
                });
            }
        }
        all.sort_unstable_by(|a, b| {
            (&a.account, &a.region, &a.summary.name).cmp(&(&b.account, &b.region, &b.summary.name))
        });
        all
    }

    /// Where the pipeline `name` of `account` and `region` stands, with at most
    /// `executions` of its newest executions; `None` if there is no such pipeline.
    pub(crate) fn pipeline_overview(
        &self,
        account: &str,
        region: &str,
        name: &str,
        executions: usize,
    ) -> Option<PipelineOverview> {
        let slot = self.inner.existing_scope(account, region)?.slot(name)?;
        let engine = slot.engine.lock();
        let executions = match executions {
            0 => Vec::new(),
            max => engine
                .list_executions(max, None, None)
                .map(|page| page.pipeline_execution_summaries)
                .unwrap_or_default(),
        };
        Some(PipelineOverview {
            state: engine.state(),
            executions,
        })
    }
}
