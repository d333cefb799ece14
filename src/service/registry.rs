//! The accounts and regions a simulator holds, and the pipelines of each.
//!
//! A scope (one account and region) is created the first time a call names it. Finding
//! one is on the path of every request the server answers, so it is a read-only lookup
//! by borrowed strings: no allocation and no write lock unless the scope is new.
//!
//! Locks: a DashMap shard of `Inner::scopes` or of a scope's `pipelines`, only while
//! looking up or inserting. `reset` takes each scope's registry, then each engine under
//! it, as a delete does.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::sync::Mutex;
use dashmap::DashMap;

use crate::engine::{PipelineEngine, PipelineIdent};
use crate::model::{PipelineDeclaration, Tag, Timestamp};
use crate::sim::rng::Rng;

use super::{EngineCell, Inner, PipelineSlot, Scope};

/// An account and region: the key of a scope.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct ScopeKey {
    account: Box<str>,
    region: Box<str>,
}

/// An account and region however they are held, so a scope can be looked up by a pair
/// of borrowed strings.
trait AccountRegion {
    fn account(&self) -> &str;
    fn region(&self) -> &str;
}

impl AccountRegion for ScopeKey {
    fn account(&self) -> &str {
        &self.account
    }
    fn region(&self) -> &str {
        &self.region
    }
}

impl AccountRegion for (&str, &str) {
    fn account(&self) -> &str {
        self.0
    }
    fn region(&self) -> &str {
        self.1
    }
}

impl<'a> Borrow<dyn AccountRegion + 'a> for ScopeKey {
    fn borrow(&self) -> &(dyn AccountRegion + 'a) {
        self
    }
}

// `Borrow` requires the key and its borrowed form to hash and compare alike: both go
// through the pair of strings.
impl Hash for dyn AccountRegion + '_ {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.account().hash(state);
        self.region().hash(state);
    }
}

impl Hash for ScopeKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self as &dyn AccountRegion).hash(state);
    }
}

impl PartialEq for dyn AccountRegion + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.account() == other.account() && self.region() == other.region()
    }
}

impl Eq for dyn AccountRegion + '_ {}

impl Inner {
    /// The scope of an account and region, created on first use.
    pub(super) fn scope(&self, account: &str, region: &str) -> Arc<Scope> {
        let key: &dyn AccountRegion = &(account, region);
        if let Some(scope) = self.scopes.get(key) {
            return Arc::clone(scope.value());
        }
        let key = ScopeKey {
            account: account.into(),
            region: region.into(),
        };
        let entry = self.scopes.entry(key).or_insert_with(|| {
            Arc::new(Scope {
                account: Arc::from(account),
                region: Arc::from(region),
                caller: Arc::from(self.caller_arn.replace("{account}", account)),
                pipelines: DashMap::new(),
                registry: Mutex::new(HashMap::new()),
                parts: Default::default(),
            })
        });
        Arc::clone(entry.value())
    }

    /// The scope of an account and region, if a call has named it; never creates one.
    #[cfg(feature = "server")]
    pub(super) fn existing_scope(&self, account: &str, region: &str) -> Option<Arc<Scope>> {
        let key: &dyn AccountRegion = &(account, region);
        self.scopes.get(key).map(|scope| Arc::clone(scope.value()))
    }

    /// Every scope, in no order.
    pub(super) fn scopes(&self) -> Vec<Arc<Scope>> {
        self.scopes
            .iter()
            .map(|entry| Arc::clone(entry.value()))
            .collect()
    }

    /// A new pipeline's slot, its engine built from a validated declaration and its own
    /// generator, derived from the seed, the scope, the name and the incarnation.
    pub(super) fn new_slot(
        &self,
        scope: &Scope,
        declaration: PipelineDeclaration,
        tags: Vec<Tag>,
        incarnation: u64,
        now: Timestamp,
    ) -> Arc<PipelineSlot> {
        let parts: [&[u8]; 4] = [
            scope.account.as_bytes(),
            scope.region.as_bytes(),
            declaration.name.as_bytes(),
            &incarnation.to_le_bytes(),
        ];
        let ident = Arc::new(PipelineIdent {
            account: Arc::clone(&scope.account),
            region: Arc::clone(&scope.region),
            name: Arc::from(declaration.name.as_str()),
            caller: Arc::clone(&scope.caller),
        });
        let rng = Rng::derive(self.seed, &parts);
        let engine = PipelineEngine::new(Arc::clone(&ident), declaration, self.config, rng, now);
        Arc::new(PipelineSlot {
            ident,
            incarnation,
            engine: EngineCell::new(engine, tags),
        })
    }

    /// Removes every pipeline of every scope, every timer, fault rule and rate limit.
    pub(super) fn reset(&self) {
        for scope in self.scopes() {
            let mut registry = scope.registry.lock();
            let slots = scope.slots();
            scope.pipelines.clear();
            for slot in slots {
                slot.engine.lock().delete();
            }
            registry.clear();
            scope.parts.clear();
        }
        self.scheduler.clear();
        self.faults.clear_rules();
        self.faults.clear_limits();
        self.faults.reset_ids();
    }
}

impl Scope {
    /// The pipeline of that name.
    pub(super) fn slot(&self, name: &str) -> Option<Arc<PipelineSlot>> {
        self.pipelines
            .get(name)
            .map(|entry| Arc::clone(entry.value()))
    }

    /// Every pipeline, in no order. Cloned out, so no map shard stays locked while an
    /// engine is.
    pub(super) fn slots(&self) -> Vec<Arc<PipelineSlot>> {
        self.pipelines
            .iter()
            .map(|entry| Arc::clone(entry.value()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;

    use super::*;

    fn hash(value: &(impl Hash + ?Sized)) -> u64 {
        let mut hasher = DefaultHasher::new();
        value.hash(&mut hasher);
        hasher.finish()
    }

    #[test]
    fn a_scope_key_and_its_borrowed_form_hash_and_compare_alike() {
        let owned = ScopeKey {
            account: "123456789012".into(),
            region: "eu-west-1".into(),
        };
        let borrowed: &dyn AccountRegion = &("123456789012", "eu-west-1");
        assert_eq!(hash(&owned), hash(borrowed));
        assert!(<ScopeKey as Borrow<dyn AccountRegion>>::borrow(&owned) == borrowed);
        // The split between account and region is part of the key.
        let shifted: &dyn AccountRegion = &("12345678901", "2eu-west-1");
        assert!(<ScopeKey as Borrow<dyn AccountRegion>>::borrow(&owned) != shifted);
    }
}
