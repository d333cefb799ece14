//! One pipeline's state as a state file's snapshot holds it: everything the engine
//! owns but what is derived (the compiled plan) or given by the simulator (its identity
//! and the simulator-wide settings).
//!
//! [`SavedRef`] writes an engine without copying it; [`Saved`] reads it back. The two
//! have the same fields, which the round-trip test holds together.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::{PipelineDeclaration, Timestamp};
use crate::sim::rng::Rng;

use super::action_log::ActionLog;
use super::behaviour::PipelineSettings;
use super::external::RememberedRevision;
use super::history::History;
use super::ids::IdCodec;
use super::plan::Plan;
use super::script::Scripts;
use super::tokens::TokenTable;
use super::{EngineConfig, PipelineEngine, PipelineIdent, StageRuntime};

/// An engine's state, borrowed for writing.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SavedRef<'a> {
    settings: &'a PipelineSettings,
    versions: &'a [PipelineDeclaration],
    created: Timestamp,
    updated: Timestamp,
    stages: &'a [StageRuntime],
    executions: &'a History,
    ids: &'a IdCodec,
    active: &'a [u64],
    next_seq: u64,
    tokens: &'a TokenTable,
    rng: &'a Rng,
    busy_until: Timestamp,
    create_start_pending: bool,
    action_log: &'a ActionLog,
    scripts: &'a Scripts,
    rule_log: &'a ActionLog,
    put_revisions: &'a [RememberedRevision],
}

/// An engine's state, read back.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Saved {
    settings: PipelineSettings,
    versions: Vec<PipelineDeclaration>,
    created: Timestamp,
    updated: Timestamp,
    stages: Vec<StageRuntime>,
    executions: History,
    ids: IdCodec,
    active: Vec<u64>,
    next_seq: u64,
    tokens: TokenTable,
    rng: Rng,
    busy_until: Timestamp,
    create_start_pending: bool,
    #[serde(default)]
    action_log: ActionLog,
    #[serde(default)]
    scripts: Scripts,
    #[serde(default)]
    rule_log: ActionLog,
    #[serde(default)]
    put_revisions: Vec<RememberedRevision>,
}

impl PipelineEngine {
    /// The engine's state, for a snapshot.
    pub(crate) fn saved(&self) -> SavedRef<'_> {
        SavedRef {
            settings: &self.settings,
            versions: &self.versions,
            created: self.created,
            updated: self.updated,
            stages: &self.stages,
            executions: &self.executions,
            ids: &self.ids,
            active: &self.active,
            next_seq: self.next_seq,
            tokens: &self.tokens,
            rng: &self.rng,
            busy_until: self.busy_until,
            create_start_pending: self.create_start_pending,
            action_log: &self.action_log,
            scripts: &self.scripts,
            rule_log: &self.rule_log,
            put_revisions: &self.put_revisions,
        }
    }

    /// An engine from a snapshot, its plan compiled again as the engine compiled it.
    pub(crate) fn restore(
        ident: Arc<PipelineIdent>,
        config: EngineConfig,
        saved: Saved,
    ) -> Result<Self, String> {
        let current = saved
            .versions
            .last()
            .ok_or_else(|| format!("pipeline '{}' has no version", ident.name))?;
        let version = u32::try_from(saved.versions.len()).unwrap_or(u32::MAX);
        let plan = Arc::new(Plan::compile(
            current,
            version,
            &saved.settings,
            config.default_action,
        ));
        // Executions are numbered in start order and the next start takes `next_seq`: a
        // snapshot that breaks either would have two executions share a number.
        let seqs: Vec<u64> = saved
            .executions
            .newest_first(u64::MAX)
            .map(|(seq, _)| seq)
            .collect();
        let newest = seqs.first().copied();
        let ordered = seqs.windows(2).all(|pair| pair[1] < pair[0]);
        if !ordered || newest.is_some_and(|newest| newest >= saved.next_seq) {
            return Err(format!(
                "pipeline '{}' numbers its executions out of order (next {})",
                ident.name, saved.next_seq
            ));
        }
        if saved.stages.len() != plan.stages.len() {
            return Err(format!(
                "pipeline '{}' has {} stage states for {} stages",
                ident.name,
                saved.stages.len(),
                plan.stages.len()
            ));
        }
        Ok(Self {
            ident,
            config,
            settings: saved.settings,
            versions: saved.versions,
            plan,
            created: saved.created,
            updated: saved.updated,
            stages: saved.stages,
            executions: saved.executions,
            ids: saved.ids,
            active: saved.active,
            next_seq: saved.next_seq,
            tokens: saved.tokens,
            rng: saved.rng,
            busy_until: saved.busy_until,
            deleted: false,
            create_start_pending: saved.create_start_pending,
            action_log: saved.action_log,
            scripts: saved.scripts,
            rule_log: saved.rule_log,
            put_revisions: saved.put_revisions,
        })
    }
}
