//! A snapshot of everything a simulator holds, written when its state file is
//! compacted: every pipeline of every scope with its engine's whole state, the
//! incarnation counters, the fault rules and rate limits, and every waiting timer.

use std::collections::HashMap;
use std::sync::Arc;

use crate::sync::MutexGuard;
use serde::Serialize;

use crate::engine::PipelineEngine;
use crate::engine::saved::SavedRef;
use crate::faults::SavedFaults;
use crate::model::Tag;
use crate::persist::{Key, SNAPSHOT_OP, SavedTimer};

use super::scope_parts::SavedParts;
use super::{Inner, PipelineSlot};

#[derive(Serialize)]
struct SnapshotRecord<'a> {
    op: &'static str,
    snapshot: SnapshotRef<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SnapshotRef<'a> {
    now: u64,
    scopes: Vec<ScopeRef<'a>>,
    faults: SavedFaults,
    timers: Vec<SavedTimer>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ScopeRef<'a> {
    account: &'a str,
    region: &'a str,
    registry: Vec<(String, u64)>,
    pipelines: Vec<PipelineRef<'a>>,
    parts: SavedParts,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PipelineRef<'a> {
    name: &'a str,
    incarnation: u64,
    tags: Vec<Tag>,
    engine: SavedRef<'a>,
}

impl Inner {
    /// The snapshot record's payload. Call it with every change held off (the world
    /// lock held exclusively), so the snapshot falls between two journal records.
    pub(super) fn snapshot(&self) -> Vec<u8> {
        let scopes = self.scopes();
        let mut registries = Vec::with_capacity(scopes.len());
        let mut slots: Vec<Vec<(Box<str>, Arc<PipelineSlot>)>> = Vec::with_capacity(scopes.len());
        for scope in &scopes {
            let registry = scope.registry.lock();
            let mut registry: Vec<(String, u64)> = registry
                .iter()
                .map(|(name, n)| (name.clone(), *n))
                .collect();
            registry.sort();
            registries.push(registry);
            let mut pipelines: Vec<(Box<str>, Arc<PipelineSlot>)> = scope
                .pipelines
                .iter()
                .map(|e| (e.key().clone(), Arc::clone(e.value())))
                .collect();
            pipelines.sort_by(|a, b| a.0.cmp(&b.0));
            slots.push(pipelines);
        }
        // The engines stay locked until the snapshot is written, so none moves on under
        // it (readers wait; changes are held off already).
        let engines: Vec<Vec<MutexGuard<'_, PipelineEngine>>> = slots
            .iter()
            .map(|pipelines| {
                pipelines
                    .iter()
                    .map(|(_, slot)| slot.engine.lock())
                    .collect()
            })
            .collect();
        let mut keys: HashMap<usize, Key> = HashMap::new();
        let mut scope_refs = Vec::with_capacity(scopes.len());
        for (((scope, registry), pipelines), engines) in
            scopes.iter().zip(registries).zip(&slots).zip(&engines)
        {
            let mut refs = Vec::with_capacity(pipelines.len());
            for ((name, slot), engine) in pipelines.iter().zip(engines) {
                keys.insert(Arc::as_ptr(slot) as usize, slot.key());
                refs.push(PipelineRef {
                    name,
                    incarnation: slot.incarnation,
                    tags: slot.tags.lock().clone(),
                    engine: engine.saved(),
                });
            }
            scope_refs.push(ScopeRef {
                account: &scope.account,
                region: &scope.region,
                registry,
                pipelines: refs,
                parts: scope.parts.save(),
            });
        }
        // Timers of pipelines deleted since they were scheduled would be ignored when
        // they fire; they are left out.
        let timers = self
            .scheduler
            .pending()
            .into_iter()
            .filter_map(|(due, (slot, timer))| {
                let key = keys.get(&(Arc::as_ptr(&slot) as usize))?.clone();
                Some(SavedTimer {
                    key,
                    due: due.as_millis(),
                    timer,
                })
            })
            .collect();
        let record = SnapshotRecord {
            op: SNAPSHOT_OP,
            snapshot: SnapshotRef {
                now: self.clock.now().as_millis(),
                scopes: scope_refs,
                faults: self.faults.save(),
                timers,
            },
        };
        serde_json::to_vec(&record).expect("a snapshot always serialises")
    }
}
