//! The harness API: what a test or a scenario does to a simulator that no CodePipeline
//! call can. Fault rules and rate limits, finishing actions on demand, per-pipeline
//! settings, reset, counters, and the state file's flush, compaction and close.
//!
//! Each change here is journaled like a call, under the lock that orders it: fault
//! rules under `Inner::rules` (so replay hands out the same rule ids), a pipeline's
//! settings under its engine's lock.

use crate::engine::behaviour::{ActionEnd, ActionResult, PipelineSettings};
use crate::engine::{Effects, PipelineEngine};
use crate::error::Result;
use crate::faults::{FaultRule, FaultRuleStatus, Faults, InvalidRule, RateLimit, RateLimitStatus};
use crate::model::Timestamp;
use crate::model::validate::Violations;
use crate::persist::{Journal, Record, StateError};

use super::{Inner, Simulator};

/// What one compaction of the state file took.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Compaction {
    /// How long every change was held off: the snapshot's cut, taken with the world
    /// lock held exclusively.
    pub paused: std::time::Duration,
    /// The longest one pipeline's calls waited for its part of the snapshot to be
    /// written (a pipeline is saved before its first change after the cut, or by the
    /// compaction's own pass, under its lock).
    pub longest_pipeline_wait: std::time::Duration,
    /// From the start of the compaction to the compacted file in the journal's place.
    pub took: std::time::Duration,
    /// The compacted file's size.
    pub bytes: u64,
}

/// Counters that show what the simulator holds, for tests and benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PipelineStats {
    /// Executions InProgress or Stopping.
    pub active_executions: usize,
    /// Executions retained in history (active ones included).
    pub retained_executions: usize,
    /// Idempotency tokens remembered.
    pub remembered_tokens: usize,
    /// Action runs retained for `ListActionExecutions`.
    pub retained_action_runs: usize,
}

/// What a harness call finishes or scripts: an action, or a rule of a stage's
/// conditions. Both are journaled as the same record, `rule` telling which.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RunOf {
    Action,
    Rule,
}

impl RunOf {
    pub(crate) fn from_record(rule: bool) -> Self {
        if rule { RunOf::Rule } else { RunOf::Action }
    }

    /// Ends or holds the running `name` of `stage` in `execution_id`.
    pub(crate) fn finish(
        self,
        engine: &mut PipelineEngine,
        (execution_id, stage, name): (&str, &str, &str),
        end: &ActionEnd,
        now: Timestamp,
        fx: &mut Effects,
    ) -> Result<()> {
        match self {
            RunOf::Action => engine.finish_action(execution_id, stage, name, end, now, fx),
            RunOf::Rule => engine.finish_rule(execution_id, stage, name, end, now, fx),
        }
    }

    /// Scripts the next runs of `name` of `stage`.
    pub(crate) fn script(
        self,
        engine: &mut PipelineEngine,
        stage: &str,
        name: &str,
        runs: Vec<ActionEnd>,
    ) -> Result<()> {
        match self {
            RunOf::Action => engine.script_action(stage, name, runs),
            RunOf::Rule => engine.script_rule(stage, name, runs),
        }
    }
}

impl Simulator {
    /// Ends a running action of an execution now, succeeded or failed, or holds it
    /// until it is finished so; the execution moves on as if the action had ended by
    /// itself. Takes an [`ActionResult`] or an [`ActionEnd`] with the failure's code and
    /// message (default `JobFailed`, "Failed on demand") or the success's summary
    /// (default "Succeeded on demand").
    ///
    /// # Errors
    /// `PipelineNotFoundException`, `PipelineExecutionNotFoundException`,
    /// `StageNotFoundException`, `ActionNotFoundException`, and `ValidationException`
    /// when the action is not running in that execution or the message or code is too
    /// long.
    pub async fn finish_action(
        &self,
        pipeline: &str,
        execution_id: &str,
        stage: &str,
        action: &str,
        end: impl Into<ActionEnd>,
    ) -> Result<()> {
        let run = (execution_id, stage, action, RunOf::Action);
        self.finish_run(pipeline, run, end.into()).await
    }

    /// Holds a running action: it runs until [`finish_action`](Self::finish_action)
    /// ends it, or its execution is stopped or cancelled.
    ///
    /// # Errors
    /// As [`finish_action`](Self::finish_action).
    pub async fn hold_action(
        &self,
        pipeline: &str,
        execution_id: &str,
        stage: &str,
        action: &str,
    ) -> Result<()> {
        self.finish_action(pipeline, execution_id, stage, action, ActionResult::Held)
            .await
    }

    /// Scripts how the next runs of one action end: each run that starts, in whichever
    /// execution, takes the next entry, and once they are used up the action behaves as
    /// its settings say again. Replaces the action's earlier script; no runs removes it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> pipesim::Result<()> {
    /// use pipesim::{ActionEnd, Simulator};
    /// use pipesim::model::{CreatePipelineInput, PipelineDeclaration};
    ///
    /// let sim = Simulator::builder().virtual_time().build();
    /// let pipeline = PipelineDeclaration::two_stage_example("web");
    /// sim.create_pipeline(CreatePipelineInput::new(pipeline)).await?;
    /// // Fail twice, then succeed.
    /// let fail = ActionEnd::failed("Deployment d-42 failed").code("DeploymentFailed");
    /// sim.script_action("web", "Deploy", "Ship", [fail.clone(), fail]).await?;
    /// assert_eq!(sim.scripted_runs_left("web", "Deploy", "Ship")?, 2);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// `PipelineNotFoundException`, `StageNotFoundException`, `ActionNotFoundException`,
    /// and `ValidationException` for a manual approval (`PutApprovalResult` answers
    /// those) or a message or code that is too long.
    pub async fn script_action(
        &self,
        pipeline: &str,
        stage: &str,
        action: &str,
        runs: impl IntoIterator<Item = ActionEnd>,
    ) -> Result<()> {
        let runs = runs.into_iter().collect();
        self.script_runs(pipeline, (stage, action, RunOf::Action), runs)
            .await
    }

    /// Scripts how the next runs of one rule of a stage's conditions end, as
    /// [`script_action`](Self::script_action) does for an action: rules pipesim cannot
    /// evaluate (`CloudWatchAlarm`, `LambdaInvoke`, ...) succeed unless scripted.
    ///
    /// # Errors
    /// `PipelineNotFoundException`, `StageNotFoundException`, and `ValidationException`
    /// when no condition of the stage has the rule, or a message or code is too long.
    pub async fn script_rule(
        &self,
        pipeline: &str,
        stage: &str,
        rule: &str,
        runs: impl IntoIterator<Item = ActionEnd>,
    ) -> Result<()> {
        let runs = runs.into_iter().collect();
        self.script_runs(pipeline, (stage, rule, RunOf::Rule), runs)
            .await
    }

    /// Ends a running rule of a stage's condition now, or holds it (`Held`), as
    /// [`finish_action`](Self::finish_action) does for an action.
    ///
    /// # Errors
    /// `PipelineNotFoundException`, `PipelineExecutionNotFoundException`,
    /// `StageNotFoundException`, and `ValidationException` when the rule is not running
    /// in that execution or the message or code is too long.
    pub async fn finish_rule(
        &self,
        pipeline: &str,
        execution_id: &str,
        stage: &str,
        rule: &str,
        end: impl Into<ActionEnd>,
    ) -> Result<()> {
        let run = (execution_id, stage, rule, RunOf::Rule);
        self.finish_run(pipeline, run, end.into()).await
    }

    /// Ends or holds one running action or rule, journaled.
    pub(crate) async fn finish_run(
        &self,
        pipeline: &str,
        (execution_id, stage, name, of): (&str, &str, &str, RunOf),
        end: ActionEnd,
    ) -> Result<()> {
        let mut violations = Violations::default();
        end.check("end", &mut violations);
        violations.finish()?;
        let slot = self.pipeline(pipeline)?;
        let (out, seq) = self.inner.change_engine(
            &slot,
            |key, at| Record::FinishAction {
                key,
                at,
                execution_id: execution_id.to_owned(),
                stage: stage.to_owned(),
                action: name.to_owned(),
                rule: of == RunOf::Rule,
                result: end.result,
                code: end.code.clone(),
                message: end.message.clone(),
            },
            |engine, now, fx| of.finish(engine, (execution_id, stage, name), &end, now, fx),
        );
        self.inner.durable(seq).await?;
        out
    }

    /// Scripts the next runs of one action or rule, journaled.
    pub(crate) async fn script_runs(
        &self,
        pipeline: &str,
        (stage, name, of): (&str, &str, RunOf),
        runs: Vec<ActionEnd>,
    ) -> Result<()> {
        let mut violations = Violations::default();
        for (i, end) in runs.iter().enumerate() {
            end.check(&format!("runs.{}", i + 1), &mut violations);
        }
        violations.finish()?;
        let slot = self.pipeline(pipeline)?;
        let (out, seq) = self.inner.change_engine(
            &slot,
            |key, _| Record::ScriptAction {
                key,
                stage: stage.to_owned(),
                action: name.to_owned(),
                rule: of == RunOf::Rule,
                runs: runs.clone(),
            },
            |engine, _, _| of.script(engine, stage, name, runs.clone()),
        );
        self.inner.durable(seq).await?;
        out
    }

    /// How many scripted runs a rule of a stage's conditions has left.
    ///
    /// # Errors
    /// `PipelineNotFoundException`.
    pub fn scripted_rule_runs_left(
        &self,
        pipeline: &str,
        stage: &str,
        rule: &str,
    ) -> Result<usize> {
        self.runs_left(pipeline, (stage, rule, RunOf::Rule))
    }

    /// How many scripted runs an action has left.
    ///
    /// # Errors
    /// `PipelineNotFoundException`.
    pub fn scripted_runs_left(&self, pipeline: &str, stage: &str, action: &str) -> Result<usize> {
        self.runs_left(pipeline, (stage, action, RunOf::Action))
    }

    /// How many scripted runs an action or rule has left.
    pub(crate) fn runs_left(
        &self,
        pipeline: &str,
        (stage, name, of): (&str, &str, RunOf),
    ) -> Result<usize> {
        let slot = self.pipeline(pipeline)?;
        let left = slot
            .engine
            .lock()
            .scripted_runs_left(stage, name, of == RunOf::Rule);
        Ok(left)
    }

    /// Installs a fault rule; answers its id (`fault-1`, ...). See [`crate::faults`].
    ///
    /// # Errors
    /// [`InvalidRule`] saying what is wrong with the rule.
    pub fn add_fault(&self, rule: FaultRule) -> Result<String, InvalidRule> {
        let recorded = rule.clone();
        self.inner.change_rules(
            |faults, now| faults.add_rule(rule, now),
            |added, at| {
                added
                    .is_ok()
                    .then_some(Record::AddFault { at, rule: recorded })
            },
        )
    }

    /// Every fault rule, with how often it matched and fired.
    pub fn faults(&self) -> Vec<FaultRuleStatus> {
        self.inner.faults.rules()
    }

    /// Removes one fault rule; false when there was none with that id.
    pub fn remove_fault(&self, id: &str) -> bool {
        self.inner.change_rules(
            |faults, _| faults.remove_rule(id),
            |removed, _| removed.then(|| Record::RemoveFault { id: id.to_owned() }),
        )
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.inner.change_rules(
            |faults, _| faults.clear_rules(),
            |(), _| Some(Record::ClearFaults),
        );
    }

    /// Installs a rate limit; answers its id (`limit-1`, ...).
    ///
    /// # Errors
    /// [`InvalidRule`] saying what is wrong with the limit.
    pub fn add_rate_limit(&self, limit: RateLimit) -> Result<String, InvalidRule> {
        let recorded = limit.clone();
        self.inner.change_rules(
            |faults, _| faults.add_limit(limit),
            |added, _| {
                added
                    .is_ok()
                    .then_some(Record::AddRateLimit { limit: recorded })
            },
        )
    }

    /// Every rate limit, with how many calls it allowed and throttled.
    pub fn rate_limits(&self) -> Vec<RateLimitStatus> {
        self.inner.faults.limits()
    }

    /// Removes one rate limit; false when there was none with that id.
    pub fn remove_rate_limit(&self, id: &str) -> bool {
        self.inner.change_rules(
            |faults, _| faults.remove_limit(id),
            |removed, _| removed.then(|| Record::RemoveRateLimit { id: id.to_owned() }),
        )
    }

    /// Removes every rate limit.
    pub fn clear_rate_limits(&self) {
        self.inner.change_rules(
            |faults, _| faults.clear_limits(),
            |(), _| Some(Record::ClearRateLimits),
        );
    }

    /// Clears all state: every pipeline of every account and region, with its
    /// executions, tokens and tags; every timer, fault rule and rate limit. The clock
    /// keeps its time. Pipelines created afterwards draw the ids a fresh simulator
    /// with the same seed would.
    pub fn reset(&self) {
        let _world = self.inner.hold();
        self.inner.record(|| Record::Reset);
        self.inner.reset();
        tracing::info!("simulator reset");
    }

    /// Waits until every change made so far is in the state file (written or synced,
    /// as its `Fsync` policy says). Calls of the CodePipeline API wait for their own
    /// changes before they answer; this is for the rest (fault rules, rate limits,
    /// [`configure_pipeline`](Self::configure_pipeline), [`reset`](Self::reset)).
    /// Immediate without a state file.
    ///
    /// # Errors
    /// `InternalFailure` when the state file could not be written.
    pub async fn flush(&self) -> Result<()> {
        let seq = self.inner.journal.get().map(Journal::appended);
        self.inner.durable(seq).await
    }

    /// Compacts the state file now: rewrites it as one snapshot of the state plus the
    /// changes made while the snapshot was written, so a restart replays little. Runs by
    /// itself once the file outgrows `SimulatorBuilder::compact_state_file_after`.
    /// Changes wait only while the snapshot is taken in memory. Does nothing without a
    /// state file.
    ///
    /// # Errors
    /// [`StateError::Io`] when the compacted file cannot be written; the state file is
    /// left as it was, complete.
    pub fn compact_state_file(&self) -> Result<Compaction, StateError> {
        self.inner.compact()
    }

    /// Blocks until the compaction thread has nothing to do: no compaction asked for
    /// and none running. A simulator opened on a file that held state asks for one at
    /// once and serves calls while it runs; wait for it before copying the file, say.
    /// Returns at once without a state file.
    pub fn wait_for_compaction(&self) {
        if let Some(journal) = self.inner.journal.get() {
            journal.wait_for_compaction();
        }
    }

    /// Starts keeping this simulator's state in a new state file at `path`: writes the
    /// settings header and a snapshot of everything held now (a compaction, whose
    /// figures it answers), then journals every change, as if the simulator had been
    /// opened on the file with [`SimulatorBuilder::open`](super::SimulatorBuilder::open)
    /// and compacted. For `pipesim bench`, which builds large states in memory, where
    /// journaling every call would cost more than the state itself.
    ///
    /// Call it with no call in flight: a change made while it runs may be missing from
    /// the file.
    ///
    /// # Errors
    /// [`StateError::Io`] when the file cannot be written; [`StateError::Unreadable`]
    /// when the simulator has a state file already, or the file at `path` holds
    /// anything.
    #[doc(hidden)]
    pub fn start_state_file(
        &self,
        path: impl AsRef<std::path::Path>,
        fsync: crate::persist::Fsync,
        compact_after: u64,
    ) -> Result<Compaction, StateError> {
        let path = path.as_ref();
        let refuse = |why: &str| StateError::Unreadable {
            path: path.to_owned(),
            why: why.to_owned(),
        };
        if self.inner.journal.get().is_some() {
            return Err(refuse("the simulator has a state file already"));
        }
        let opened = Journal::open(path, fsync, compact_after)?;
        if opened.header.is_some() || !opened.records.is_empty() {
            return Err(refuse("the file holds records already"));
        }
        let header = self.inner.header();
        opened.journal.append(&Record::Header(header.clone()));
        opened.journal.set_header(&header);
        let signal = opened.journal.compaction_signal();
        if self.inner.journal.set(opened.journal).is_err() {
            return Err(refuse("the simulator has a state file already"));
        }
        super::driver::spawn_compactor(std::sync::Arc::downgrade(&self.inner), signal).map_err(
            |source| StateError::Io {
                path: path.to_owned(),
                source,
            },
        )?;
        self.inner.compact()
    }

    /// Whether this simulator came back from a state file that held state.
    pub fn restored(&self) -> bool {
        self.inner.restored > 0
    }

    /// Writes and syncs the state file and closes it: for a clean shutdown. Calls that
    /// change state afterwards answer `InternalFailure`. Does nothing without a state
    /// file.
    pub fn close_state_file(&self) {
        if let Some(journal) = self.inner.journal.get() {
            journal.close();
            tracing::info!(path = %journal.path().display(), "state file synced and closed");
        }
    }
}

impl Inner {
    /// The settings header of this simulator's state file.
    fn header(&self) -> crate::persist::Header {
        crate::persist::Header {
            format: crate::persist::FORMAT,
            seed: self.seed,
            virtual_time: self.clock.is_virtual(),
            config: self.config,
            max_pipelines: self.max_pipelines,
        }
    }

    /// Changes the fault rules or rate limits and journals what `record` makes of the
    /// outcome (nothing for a change that changed nothing). Rule ids are handed out in
    /// the journal's order, so replay hands out the same ones.
    fn change_rules<T>(
        &self,
        change: impl FnOnce(&Faults, Timestamp) -> T,
        record: impl FnOnce(&T, u64) -> Option<Record>,
    ) -> T {
        let _world = self.hold();
        let _order = self.rules.lock();
        let now = self.clock.now();
        let out = change(&self.faults, now);
        if self.journal.get().is_some()
            && let Some(record) = record(&out, now.as_millis())
        {
            self.record(|| record);
        }
        out
    }
}

impl Simulator {
    /// Sets how a pipeline's actions behave and how many executions it admits. Replaces
    /// the pipeline's previous settings; actions already running are not affected.
    ///
    /// # Errors
    /// `PipelineNotFoundException`.
    pub fn configure_pipeline(&self, name: &str, settings: PipelineSettings) -> Result<()> {
        let slot = self.pipeline(name)?;
        let _world = self.inner.hold();
        let mut engine = slot.engine.lock();
        self.inner.record(|| Record::Configure {
            key: slot.key(),
            settings: settings.clone(),
        });
        engine.configure(settings);
        Ok(())
    }

    /// Sets one action of a pipeline to wait for a job worker, or not, keeping the rest
    /// of the pipeline's settings: with `on`, each run of it posts a job and ends only
    /// with `PutJobSuccessResult` or `PutJobFailureResult` (or its timeout), so a
    /// harness can play the Lambda function of an invoke action. Runs already going are
    /// not affected. `POST /_pipesim/actions/job-worker` does the same.
    ///
    /// # Errors
    /// `PipelineNotFoundException`, `StageNotFoundException`, `ActionNotFoundException`.
    pub fn set_job_worker(
        &self,
        pipeline: &str,
        stage: &str,
        action: &str,
        on: bool,
    ) -> Result<()> {
        let slot = self.pipeline(pipeline)?;
        let _world = self.inner.hold();
        let mut engine = slot.engine.lock();
        let settings = engine.settings_with_job_worker((stage, action), on)?;
        self.inner.record(|| Record::Configure {
            key: slot.key(),
            settings: settings.clone(),
        });
        engine.configure(settings);
        Ok(())
    }

    /// The configuration action `stage`/`action` runs with in execution `execution_id`:
    /// its `#{variables.NAME}`, `#{codepipeline.PipelineExecutionId}` and
    /// `#{Namespace.Key}` references resolved, as CodePipeline resolves them when the
    /// action runs. A reference the execution has no value for stays as written.
    ///
    /// ```
    /// # use pipesim::{Simulator, model::*};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), pipesim::Error> {
    /// let sim = Simulator::builder().seed(1).virtual_time().start_on_create(false).build();
    /// let mut pipeline = PipelineDeclaration::two_stage_example("P").v2(ExecutionMode::Queued);
    /// pipeline = pipeline.variable("Env", Some("dev"));
    /// pipeline.stages[1].actions[0]
    ///     .configuration
    ///     .get_or_insert_default()
    ///     .insert("ObjectKey".into(), "#{variables.Env}/#{codepipeline.PipelineExecutionId}".into());
    /// pipeline.stages[1].actions[0].configuration.as_mut().unwrap().insert("Extract".into(), "false".into());
    /// sim.create_pipeline(pipeline).await?;
    /// let id = sim.start_pipeline_execution("P").await?.pipeline_execution_id;
    /// let config = sim.resolved_configuration("P", &id, "Deploy", "Ship")?;
    /// assert_eq!(config["ObjectKey"], format!("dev/{id}"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// `PipelineNotFoundException`, `PipelineExecutionNotFoundException`,
    /// `StageNotFoundException`, `ActionNotFoundException`.
    pub fn resolved_configuration(
        &self,
        pipeline: &str,
        execution_id: &str,
        stage: &str,
        action: &str,
    ) -> Result<std::collections::BTreeMap<String, String>> {
        let slot = self.pipeline(pipeline)?;
        let engine = slot.engine.lock();
        engine.resolved_configuration(execution_id, stage, action)
    }

    /// What one pipeline holds right now.
    ///
    /// # Errors
    /// `PipelineNotFoundException`.
    pub fn pipeline_stats(&self, name: &str) -> Result<PipelineStats> {
        let slot = self.pipeline(name)?;
        let engine = slot.engine.lock();
        Ok(PipelineStats {
            active_executions: engine.active_count(),
            retained_executions: engine.history_len(),
            remembered_tokens: engine.token_count(),
            retained_action_runs: engine.action_run_count(),
        })
    }
}
