//! [`SimulatorBuilder`]: every setting of a simulator with its documented default, and
//! building one, from nothing or from a state file.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, SystemTime};

use crate::sync::Mutex;
use dashmap::DashMap;
use tokio::sync::broadcast;

use crate::engine::EngineConfig;
use crate::engine::behaviour::{ActionBehaviour, Outcome};
use crate::faults::Faults;
use crate::model::Timestamp;
use crate::persist::{self, Fsync, Journal, Record, StateError};
use crate::sim::clock::Clock;
use crate::sim::rng;
use crate::sim::scheduler::Scheduler;

use super::driver::{drive, spawn_compactor};
use super::{
    DEFAULT_ACCOUNT, DEFAULT_CALLER_ARN, DEFAULT_PUBLIC_URL, DEFAULT_REGION, DEFAULT_VIRTUAL_START,
    Inner, Simulator, replay,
};

/// Builds a [`Simulator`]. Every setting has a default chosen to make harnesses fast.
#[derive(Clone, Debug)]
pub struct SimulatorBuilder {
    seed: Option<u64>,
    virtual_time: bool,
    start_time: Option<SystemTime>,
    config: EngineConfig,
    max_pipelines: usize,
    caller_arn: Option<String>,
    account: String,
    region: String,
    event_capacity: usize,
    compact_after: u64,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        Self {
            seed: None,
            virtual_time: false,
            start_time: None,
            config: EngineConfig {
                default_action: ActionBehaviour::succeed_after(Duration::from_millis(100)),
                approval_timeout: Duration::from_secs(7 * 24 * 3600),
                job_timeout: crate::engine::DEFAULT_JOB_TIMEOUT,
                max_concurrent_executions: 50,
                history_limit: 10_000,
                token_window: Duration::from_secs(24 * 3600),
                update_conflict_window: Duration::ZERO,
                start_on_create: true,
            },
            max_pipelines: 1000,
            caller_arn: None,
            account: DEFAULT_ACCOUNT.into(),
            region: DEFAULT_REGION.into(),
            event_capacity: 4096,
            compact_after: 64 << 20,
        }
    }
}

impl SimulatorBuilder {
    /// Seeds every id, duration draw and outcome. Without a seed, a random one is
    /// chosen; [`Simulator::seed`] tells which, so a run can be replayed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Virtual time: the clock stands still until [`Simulator::advance`] moves it.
    /// Without this, the simulator follows tokio's clock (real time, or tokio's paused
    /// test clock).
    pub fn virtual_time(mut self) -> Self {
        self.virtual_time = true;
        self
    }

    /// Whether `CreatePipeline` starts an execution by itself, as AWS does: about two
    /// seconds after the create (at once, if a `StartPipelineExecution` comes first),
    /// with `trigger.triggerType` `CreatePipeline`. On by default; a harness that wants
    /// a quiet pipeline turns it off.
    pub fn start_on_create(mut self, start: bool) -> Self {
        self.config.start_on_create = start;
        self
    }

    /// Where the clock starts. Default: now in real time, [`DEFAULT_VIRTUAL_START`] in
    /// virtual time.
    pub fn start_time(mut self, start: SystemTime) -> Self {
        self.start_time = Some(start);
        self
    }

    /// How long every non-approval action runs unless a pipeline or action says
    /// otherwise. Default: 100 ms.
    pub fn action_duration(mut self, duration: Duration) -> Self {
        self.config.default_action.duration = Some(duration);
        self
    }

    /// Whether actions succeed unless a pipeline or action says otherwise. Default:
    /// [`Outcome::Succeed`].
    pub fn action_outcome(mut self, outcome: Outcome) -> Self {
        self.config.default_action.outcome = Some(outcome);
        self
    }

    /// How long a manual approval waits before it fails. Default: 7 days.
    pub fn approval_timeout(mut self, timeout: Duration) -> Self {
        self.config.approval_timeout = timeout;
        self
    }

    /// Active executions a QUEUED or PARALLEL pipeline admits. Default: 50.
    pub fn max_concurrent_executions(mut self, limit: u32) -> Self {
        self.config.max_concurrent_executions = limit;
        self
    }

    /// Executions retained per pipeline; the oldest finished ones are dropped beyond
    /// it. Default: 10,000.
    pub fn history_limit(mut self, limit: usize) -> Self {
        self.config.history_limit = limit;
        self
    }

    /// How long a `clientRequestToken` is remembered. Default: 24 hours.
    pub fn token_window(mut self, window: Duration) -> Self {
        self.config.token_window = window;
        self
    }

    /// How long after an `UpdatePipeline` starts and stops of that pipeline answer
    /// `ConflictException`. Default: zero.
    pub fn update_conflict_window(mut self, window: Duration) -> Self {
        self.config.update_conflict_window = window;
        self
    }

    /// Pipelines allowed per account and region. Default: 1000.
    pub fn max_pipelines(mut self, limit: usize) -> Self {
        self.max_pipelines = limit;
        self
    }

    /// The account and region of the handle [`build`](Self::build) returns.
    pub fn scope(mut self, account: &str, region: &str) -> Self {
        self.account = account.into();
        self.region = region.into();
        self
    }

    /// The ARN every call is made as: reported as `trigger.triggerDetail` and as who
    /// answered an approval (`lastUpdatedBy`, the default summary). `{account}` stands
    /// for the account of the call. AWS reports the calling principal as STS sees it,
    /// for example `arn:aws:sts::{account}:assumed-role/deployer/ci`; pipesim cannot
    /// know it from a request, so it is set here. Default:
    /// [`DEFAULT_CALLER_ARN`], `arn:aws:iam::{account}:root`.
    pub fn caller_arn(mut self, template: impl Into<String>) -> Self {
        self.caller_arn = Some(template.into());
        self
    }

    /// Events buffered per subscriber before a slow one starts missing them.
    /// Default: 4096.
    pub fn event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity.max(1);
        self
    }

    /// Builds the simulator.
    ///
    /// # Panics
    /// In real time (without [`virtual_time`](Self::virtual_time)), when called outside
    /// a tokio runtime: the timer driver needs one.
    pub fn build(self) -> Simulator {
        match self.build_with(None, None, false) {
            Ok(sim) => sim,
            Err(why) => unreachable!("with nothing to replay, building cannot fail: {why}"),
        }
    }

    /// Builds a simulator whose state lives in the file at `path`: every change is
    /// journaled there, and a simulator opened on the same file later (after a restart,
    /// a crash or `kill -9`) comes back with the same pipelines, executions, tokens,
    /// tags, fault rules and rate limits. See [`crate::persist`].
    ///
    /// An existing file fixes the seed and the settings it was written with: a seed left
    /// unset here is taken from the file, and a seed or setting that differs is an error.
    ///
    /// # Errors
    /// [`StateError`] when the file cannot be read or written, is damaged before its
    /// end, or was written under other settings.
    pub fn open(
        self,
        path: impl AsRef<std::path::Path>,
        fsync: Fsync,
    ) -> Result<Simulator, StateError> {
        let path = path.as_ref();
        let opened = Journal::open(path, fsync, self.compact_after)?;
        let mut builder = self;
        if let Some(header) = &opened.header {
            builder.seed = Some(builder.seed.unwrap_or(header.seed));
        }
        let seed = builder.seed.unwrap_or_else(rng::random_seed);
        builder.seed = Some(seed);
        let expected = builder.header(seed);
        // A file of an earlier format this pipesim reads is converted: replayed, then
        // compacted into the current format at once, the original kept beside it.
        let mut converting = None;
        match &opened.header {
            Some(header) => {
                let as_now = persist::Header {
                    format: persist::FORMAT,
                    ..header.clone()
                };
                if let Some(why) = persist::differences(&as_now, &expected) {
                    return Err(StateError::SettingsDiffer {
                        path: path.to_owned(),
                        why,
                    });
                }
                if header.format < persist::FORMAT {
                    converting = Some(keep_original(path, header.format)?);
                }
            }
            None => {
                opened.journal.append(&Record::Header(expected.clone()));
            }
        }
        let header = match &opened.header {
            Some(header) if converting.is_none() => header,
            _ => &expected,
        };
        opened.journal.set_header(header);
        let sim = builder
            .build_with(
                Some(opened.journal),
                Some(opened.records),
                converting.is_some(),
            )
            .map_err(|why| StateError::Unreadable {
                path: path.to_owned(),
                why,
            })?;
        if let Some(original) = converting {
            tracing::warn!(
                path = %path.display(),
                original = %original.display(),
                format = persist::FORMAT,
                "converted the state file, written by an earlier pipesim, to this one's format; \
                 the original is kept beside it (delete it once you no longer need to go back)"
            );
        }
        tracing::info!(path = %path.display(), %fsync, "state file open");
        Ok(sim)
    }

    /// When a state file has grown past this many bytes and to twice its size after
    /// the last compaction, it is compacted: rewritten as one snapshot of the state,
    /// plus the changes since. Default: 64 MiB, as Redis rewrites its append-only file.
    pub fn compact_state_file_after(mut self, bytes: u64) -> Self {
        self.compact_after = bytes;
        self
    }

    fn header(&self, seed: u64) -> persist::Header {
        persist::Header {
            format: persist::FORMAT,
            seed,
            virtual_time: self.virtual_time,
            config: self.config,
            max_pipelines: self.max_pipelines,
        }
    }

    /// Builds the simulator, replays `replay` into it, then starts journaling to
    /// `journal`: a file that held state is compacted at once by the compaction thread,
    /// while calls are served, so the next restart replays a snapshot and little else.
    /// `convert` compacts (inline) even a file that held no state, and fails when that fails: the
    /// file was written in an earlier format and must not be appended to in this one.
    fn build_with(
        self,
        journal: Option<Journal>,
        replay: Option<Vec<Record>>,
        convert: bool,
    ) -> Result<Simulator, String> {
        let seed = self.seed.unwrap_or_else(rng::random_seed);
        let clock = if self.virtual_time {
            Clock::virtual_at(
                self.start_time
                    .map_or(DEFAULT_VIRTUAL_START, Timestamp::from_system_time),
            )
        } else {
            Clock::real(Timestamp::from_system_time(
                self.start_time.unwrap_or_else(SystemTime::now),
            ))
        };
        let inner = Arc::new(Inner {
            seed,
            config: self.config,
            max_pipelines: self.max_pipelines,
            caller_arn: self
                .caller_arn
                .unwrap_or_else(|| DEFAULT_CALLER_ARN.to_owned())
                .into_boxed_str(),
            clock,
            scheduler: Scheduler::new(),
            scopes: DashMap::new(),
            events: broadcast::channel(self.event_capacity).0,
            subscribers: Arc::new(AtomicUsize::new(0)),
            advance: tokio::sync::Mutex::new(()),
            faults: Faults::new(seed),
            rules: Mutex::new(()),
            restored: replay.as_ref().map_or(0, Vec::len),
            world: crate::sync::RwLock::new(()),
            compacting: Mutex::new(()),
            journal: std::sync::OnceLock::new(),
            public_url: Mutex::new(Arc::from(DEFAULT_PUBLIC_URL)),
        });
        let scope = inner.scope(&self.account, &self.region);
        if let Some(records) = replay {
            replay::replay(&inner, records)?;
        }
        if let Some(journal) = journal {
            let signal = journal.compaction_signal();
            let _ = inner.journal.set(journal);
            if convert {
                inner
                    .compact()
                    .map_err(|err| format!("cannot convert it to this pipesim's format: {err}"))?;
            } else if inner.restored > 0 {
                // The compaction thread starts on it at once; calls are served meanwhile,
                // held off only for its cut.
                signal.request();
            }
            spawn_compactor(Arc::downgrade(&inner), signal)
                .map_err(|err| format!("cannot start the compaction thread: {err}"))?;
        }
        if !self.virtual_time {
            let handle = tokio::runtime::Handle::try_current()
                .expect("a real-time pipesim Simulator must be built inside a tokio runtime");
            handle.spawn(drive(Arc::downgrade(&inner), inner.scheduler.waker()));
        }
        tracing::debug!(seed, virtual_time = self.virtual_time, "simulator built");
        Ok(Simulator { inner, scope })
    }
}

/// Copies a state file of an earlier format to `<file>.format<N>` before it is converted,
/// unless an earlier conversion that did not finish copied it already; answers the copy.
fn keep_original(path: &std::path::Path, format: u32) -> Result<std::path::PathBuf, StateError> {
    let mut original = path.as_os_str().to_owned();
    original.push(format!(".format{format}"));
    let original = std::path::PathBuf::from(original);
    if !original.exists() {
        std::fs::copy(path, &original).map_err(|source| StateError::Io {
            path: original.clone(),
            source,
        })?;
    }
    Ok(original)
}
