//! `pipesim serve`: the CodePipeline API over HTTP, configured from flags.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;

use pipesim::persist::Fsync;
use pipesim::scenario::Scenario;
use pipesim::server::{
    self, AdminAccess, Credential, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONNECTIONS, DEFAULT_PORT,
    DEFAULT_REQUEST_TIMEOUT, ServerConfig,
};
use pipesim::service::{DEFAULT_ACCOUNT, DEFAULT_REGION};
use pipesim::{Outcome, Simulator};

/// Flags of `pipesim serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on. Keep the loopback default unless others must reach it.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,

    /// Port to listen on; 0 picks a free one (the log line says which).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,

    /// Seed for every execution id and drawn outcome; random when absent (the health
    /// endpoint and the log tell which, so a run can be replayed).
    #[arg(long)]
    seed: Option<u64>,

    /// Hold the clock still until a client moves it (POST /_pipesim/clock/advance), so
    /// executions progress only when told to.
    #[arg(long)]
    virtual_time: bool,

    /// A scenario file (TOML or JSON; see docs/scenarios.md): pipelines, action
    /// behaviour, fault rules and rate limits, installed before the server listens.
    /// Flags given on the command line win over the file's seed and defaults.
    #[arg(long, value_name = "FILE")]
    scenario: Option<std::path::PathBuf>,

    /// How long every non-approval action runs, in milliseconds [default: 100].
    #[arg(long, value_name = "MS")]
    action_duration_ms: Option<u64>,

    /// Probability (0.0 to 1.0) that an action fails instead of succeeding [default: 0].
    #[arg(long, value_name = "P", value_parser = probability)]
    action_failure_probability: Option<f64>,

    /// How long a manual approval waits for an answer before it fails, in seconds
    /// [default: 604800, 7 days].
    #[arg(long, value_name = "SECONDS")]
    approval_timeout_secs: Option<u64>,

    /// Active executions a QUEUED or PARALLEL pipeline admits before starts answer
    /// ConcurrentPipelineExecutionsLimitExceededException [default: 50].
    #[arg(long, value_name = "N")]
    max_concurrent_executions: Option<u32>,

    /// Executions retained per pipeline; the oldest finished ones are dropped beyond it.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    history_limit: usize,

    /// How long a clientRequestToken is remembered, in seconds.
    #[arg(long, default_value_t = 24 * 3600, value_name = "SECONDS")]
    token_window_secs: u64,

    /// How long after an UpdatePipeline its starts and stops answer ConflictException,
    /// in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    update_conflict_window_ms: u64,

    /// The ARN calls are made as, reported as an execution's trigger detail and as who
    /// answered an approval; {account} stands for the call's account. AWS reports the
    /// calling principal, e.g. arn:aws:sts::{account}:assumed-role/deployer/ci.
    #[arg(long, value_name = "ARN", default_value = pipesim::DEFAULT_CALLER_ARN, value_parser = caller_arn)]
    caller_arn: String,

    /// Do not start an execution when a pipeline is created. AWS starts one about two
    /// seconds after CreatePipeline (trigger type CreatePipeline), and so does pipesim
    /// by default.
    #[arg(long)]
    no_start_on_create: bool,

    /// Pipelines allowed per account and region before CreatePipeline answers
    /// LimitExceededException.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    max_pipelines: usize,

    /// Account of requests whose access key id is not a 12-digit account id.
    #[arg(long, default_value = DEFAULT_ACCOUNT, value_parser = account)]
    account: String,

    /// Region of requests that carry no SigV4 credential scope.
    #[arg(long, default_value = DEFAULT_REGION)]
    region: String,

    /// Largest request body accepted, in bytes; larger ones answer HTTP 413.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_BYTES, value_name = "BYTES")]
    max_body_bytes: usize,

    /// Protect the admin API (/_pipesim/, but health) with this token: calls must send
    /// 'Authorization: Bearer TOKEN'.
    #[arg(long, value_name = "TOKEN", conflicts_with = "no_admin", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    admin_token: Option<String>,

    /// Keep all state in this file: every change is journaled to it, and a server
    /// started on it again (after a restart, a crash or kill -9) comes back with every
    /// pipeline, execution, token, tag, fault rule and rate limit. The file fixes the
    /// seed and settings it was written with. See docs/reliability.md.
    #[arg(long, value_name = "PATH")]
    state_file: Option<std::path::PathBuf>,

    /// When the state file's writes reach the disk: 'always' syncs before each answer
    /// (survives a power cut), 'everysec' writes before each answer and syncs once a
    /// second (survives a crash or kill -9; a power cut loses at most a second).
    #[arg(long, default_value_t = Fsync::EverySec, value_name = "always|everysec", requires = "state_file")]
    fsync: Fsync,

    /// Require every API call to be SigV4-signed with a --credential: unsigned,
    /// mis-signed or expired calls are refused as AWS refuses them, and each call acts in
    /// its credential's account.
    #[arg(long, requires = "credential")]
    require_auth: bool,

    /// A credential --require-auth accepts (and nothing else uses), as
    /// ACCESS_KEY_ID:SECRET_ACCESS_KEY:ACCOUNT
    /// (repeat for more). Flags show up in process lists: on a shared machine, pass it
    /// through PIPESIM_CREDENTIALS instead (credentials separated by commas).
    #[arg(
        long,
        value_name = "KEY:SECRET:ACCOUNT",
        env = "PIPESIM_CREDENTIALS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    credential: Vec<Credential>,

    /// Compact the state file (rewrite it as one snapshot plus the changes since) once it
    /// has grown past this many MiB and to twice its size after the last compaction. It
    /// is also compacted at every start.
    #[arg(
        long,
        default_value_t = 64,
        value_name = "MIB",
        requires = "state_file"
    )]
    compact_after_mb: u64,

    /// Turn the admin API (/_pipesim/, but health) off.
    #[arg(long)]
    no_admin: bool,

    /// Connections served at once; more are closed as soon as they are accepted.
    #[arg(long, default_value_t = DEFAULT_MAX_CONNECTIONS, value_name = "N")]
    max_connections: usize,

    /// Seconds a client may take to send a request's headers (else it is disconnected),
    /// then its body (else HTTP 408).
    #[arg(long, default_value_t = DEFAULT_REQUEST_TIMEOUT.as_secs_f64(), value_name = "SECONDS", value_parser = super::seconds)]
    request_timeout_secs: f64,
}

fn probability(text: &str) -> Result<f64, String> {
    let p: f64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a number"))?;
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("{p} is not a probability between 0.0 and 1.0"))
    }
}

fn account(text: &str) -> Result<String, String> {
    if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(text.to_owned())
    } else {
        Err(format!("'{text}' is not a 12-digit AWS account id"))
    }
}

fn caller_arn(text: &str) -> Result<String, String> {
    if text.starts_with("arn:") && text.split(':').count() >= 6 {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "'{text}' is not an ARN (arn:partition:service:region:account:resource)"
        ))
    }
}

pub(crate) async fn run(args: ServeArgs) -> Result<(), String> {
    let scenario = match &args.scenario {
        Some(path) => Some(Scenario::from_path(path).map_err(|err| err.to_string())?),
        None => None,
    };
    // The scenario's seed and defaults first, so that flags given here win over them.
    let mut builder = Simulator::builder();
    if let Some(scenario) = &scenario {
        builder = scenario.configure(builder);
    }
    if args.virtual_time {
        builder = builder.virtual_time();
    }
    if let Some(ms) = args.action_duration_ms {
        builder = builder.action_duration(Duration::from_millis(ms));
    }
    if let Some(p) = args.action_failure_probability {
        builder = builder.action_outcome(if p == 0.0 {
            Outcome::Succeed
        } else {
            Outcome::FailWithProbability(p)
        });
    }
    if let Some(secs) = args.approval_timeout_secs {
        builder = builder.approval_timeout(Duration::from_secs(secs));
    }
    if let Some(limit) = args.max_concurrent_executions {
        builder = builder.max_concurrent_executions(limit);
    }
    builder = builder
        .history_limit(args.history_limit)
        .token_window(Duration::from_secs(args.token_window_secs))
        .update_conflict_window(Duration::from_millis(args.update_conflict_window_ms))
        .max_pipelines(args.max_pipelines)
        .scope(&args.account, &args.region);
    builder = builder.caller_arn(&args.caller_arn);
    if args.no_start_on_create {
        builder = builder.start_on_create(false);
    }
    if let Some(seed) = args.seed {
        builder = builder.seed(seed);
    }
    let sim = match &args.state_file {
        Some(path) => builder
            .compact_state_file_after(args.compact_after_mb.saturating_mul(1 << 20))
            .open(path, args.fsync)
            .map_err(|err| err.to_string())?,
        None => builder.build(),
    };
    // A restored state already holds what the scenario installed when it was new.
    if let Some(scenario) = scenario.as_ref().filter(|_| !sim.restored()) {
        scenario
            .install(&sim)
            .await
            .map_err(|err| err.to_string())?;
        // Its fault rules and limits too are in the state file before anyone is served.
        sim.flush().await.map_err(|err| err.to_string())?;
        tracing::info!(
            pipelines = scenario.pipelines.len(),
            faults = scenario.faults.len(),
            rate_limits = scenario.rate_limits.len(),
            "scenario installed"
        );
    }

    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
        .await
        .map_err(|err| format!("cannot listen on {}:{}: {err}", args.host, args.port))?;
    let addr: SocketAddr = listener
        .local_addr()
        .map_err(|err| format!("cannot read the listening address: {err}"))?;
    // Webhook URLs name the address pipesim answers on (loopback for a wildcard).
    let public = if addr.ip().is_unspecified() {
        SocketAddr::from(([127, 0, 0, 1], addr.port()))
    } else {
        addr
    };
    sim.set_public_url(format!("http://{public}"));
    tracing::info!(
        seed = sim.seed(),
        virtual_time = sim.is_virtual_time(),
        account = %args.account,
        region = %args.region,
        "pipesim listening on http://{addr}"
    );
    let admin_open = !args.no_admin && args.admin_token.is_none();
    if admin_open && !addr.ip().is_loopback() {
        // Anyone who reaches the port could reset the server, fault it or move its clock.
        tracing::warn!(
            "the admin API (reset, faults, rate limits, clock, actions) is open to anyone \
             who can reach http://{addr}: protect it with --admin-token TOKEN, or turn it \
             off with --no-admin"
        );
    }
    let config = ServerConfig::default()
        .max_body_bytes(args.max_body_bytes)
        .max_connections(args.max_connections)
        .request_timeout(Duration::from_secs_f64(args.request_timeout_secs))
        .admin(match (args.no_admin, args.admin_token) {
            (true, _) => AdminAccess::Off,
            (false, Some(token)) => AdminAccess::Token(token),
            (false, None) => AdminAccess::Open,
        });
    let config = if args.require_auth {
        tracing::info!(
            credentials = args.credential.len(),
            "every API call must be SigV4-signed with a configured credential"
        );
        config.require_auth(args.credential)
    } else {
        config
    };
    let app = server::router(sim.clone(), config.clone());
    server::serve(listener, app, &config, server::shutdown_signal())
        .await
        .map_err(|err| format!("server failed: {err}"))?;
    sim.close_state_file();
    tracing::info!("pipesim stopped");
    Ok(())
}
