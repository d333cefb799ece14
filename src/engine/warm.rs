//! Warming what a read is about to walk, so its cache misses overlap.
//!
//! A read answers from a tree of small allocations: the declaration (a `String` or a
//! `Vec` per name, artifact and configuration entry), the plan, the stages' latest runs,
//! the history. With 100,000 pipelines almost none of it is in cache, and building the
//! answer (cloning, formatting, allocating between every load) takes each miss one after
//! another: `reads/at-scale` measured about 45 misses of main memory for one
//! `GetPipeline`, at about 600 ns each on the reference machine.
//!
//! The functions here load the first byte of every allocation the answer will read, in
//! a tight loop that does nothing else, so the processor has many of those loads in
//! flight at once: the misses then cost about the depth of the tree (declaration, stage,
//! action, configuration entry) instead of its size. They change nothing, answer
//! nothing, and cost a few dozen nanoseconds when everything is in cache already.
//!
//! They warm what the answer reads, not more: a warm pass that outgrew its read would
//! cost the 10-pipeline case without saving the 100,000-pipeline one anything.

use std::collections::BTreeMap;
use std::hint::black_box;

use crate::model::{ActionDeclaration, PipelineDeclaration, StageDeclaration};

/// Folds loads into one value the optimiser must keep.
#[derive(Default)]
pub(crate) struct Warm(usize);

impl Warm {
    /// Loads the first byte of `s` (its allocation; nothing for an empty one).
    pub(crate) fn str(&mut self, s: &str) -> &mut Self {
        self.0 = self
            .0
            .wrapping_add(usize::from(s.as_bytes().first().copied().unwrap_or(0)));
        self
    }

    /// Folds in a value read from memory the answer will read again.
    pub(crate) fn flag(&mut self, value: bool) -> &mut Self {
        self.0 = self.0.wrapping_add(usize::from(value));
        self
    }

    /// Every key and value of a configuration.
    pub(crate) fn configuration(&mut self, map: Option<&BTreeMap<String, String>>) -> &mut Self {
        for (key, value) in map.into_iter().flatten() {
            self.str(key).str(value);
        }
        self
    }

    /// What one action declaration owns.
    pub(crate) fn action(&mut self, action: &ActionDeclaration) -> &mut Self {
        self.str(&action.name)
            .str(&action.action_type_id.provider)
            .str(&action.action_type_id.version)
            .configuration(action.configuration.as_ref());
        for artifact in action
            .output_artifacts
            .iter()
            .chain(&action.input_artifacts)
        {
            self.str(&artifact.name);
        }
        self
    }

    /// What one stage declaration owns (its conditions aside: few stages have any).
    pub(crate) fn stage(&mut self, stage: &StageDeclaration) -> &mut Self {
        self.str(&stage.name);
        for action in &stage.actions {
            self.action(action);
        }
        self
    }

    /// What a whole declaration owns, as a clone of it reads.
    pub(crate) fn declaration(&mut self, declaration: &PipelineDeclaration) -> &mut Self {
        self.str(&declaration.name).str(&declaration.role_arn);
        if let Some(store) = &declaration.artifact_store {
            self.str(&store.location);
        }
        for store in declaration
            .artifact_stores
            .iter()
            .flat_map(BTreeMap::values)
        {
            self.str(&store.location);
        }
        for variable in declaration.variables.iter().flatten() {
            self.str(&variable.name);
        }
        for stage in &declaration.stages {
            self.stage(stage);
        }
        self
    }

    /// Hands the folded value to the optimiser, which must then make every load.
    pub(crate) fn done(&mut self) {
        black_box(self.0);
    }
}
