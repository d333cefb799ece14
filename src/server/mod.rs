//! The HTTP front end: the CodePipeline API over AWS JSON 1.1, as `pipesim serve` runs
//! it, so boto3, the AWS CLI and aws-sdk-rust work against pipesim unchanged.
//!
//! Every API call is `POST /` with `X-Amz-Target: CodePipeline_20150709.<Operation>` and
//! a JSON body; `protocol` decodes and encodes that, and `caller` reads the account and
//! region from the SigV4 credential scope. [`router`] builds the axum router, whose
//! handlers call the same [`Simulator`] methods an embedding program calls, so both
//! paths give the same answers. [`serve`] runs a router until a shutdown signal.
//!
//! Besides the API, `admin` serves plain JSON under `/_pipesim/`: health, fault rules,
//! rate limits, the virtual clock, finishing actions on demand, and reset; `ui` serves
//! the dashboard at `/_pipesim/ui`, a page that follows every pipeline live.

mod admin;
mod auth;
mod caller;
mod protocol;
#[cfg(test)]
mod tests;
mod ui;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::post;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;

use crate::error::{Error, Result};
use crate::model::Operation;
use crate::ops::Op;
use crate::service::Simulator;

pub use auth::Credential;
use caller::Caller;
use protocol::{Reply, decode};

/// The port `pipesim serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8409;

/// The largest request body accepted unless told otherwise: 2 MiB, well above the
/// largest pipeline declaration the service model allows.
pub const DEFAULT_MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The most connections served at once unless told otherwise.
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;

/// How long a client may take to send a request's headers, and then its body, unless
/// told otherwise.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Settings of the HTTP front end. The simulator behind it has its own.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Bodies larger than this are refused with HTTP 413.
    pub max_body_bytes: usize,
    /// Connections beyond this many are closed as soon as they are accepted.
    pub max_connections: usize,
    /// A client that takes longer to send its headers is disconnected; one that takes
    /// longer to send its body gets HTTP 408.
    pub request_timeout: Duration,
    /// Who may use the admin API under `/_pipesim/` (health is always open).
    pub admin: AdminAccess,
    /// When set, every API call must be SigV4-signed with one of these credentials, and
    /// acts in its account.
    pub require_auth: Option<Vec<Credential>>,
}

/// Who may use the admin API.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdminAccess {
    /// Anyone who can reach the server (the default; it listens on loopback).
    #[default]
    Open,
    /// Only requests with `Authorization: Bearer <token>`.
    Token(String),
    /// Nobody: every admin call but health answers 404.
    Off,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            admin: AdminAccess::Open,
            require_auth: None,
        }
    }
}

impl ServerConfig {
    /// Sets the largest request body accepted.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Sets how many connections are served at once.
    pub fn max_connections(mut self, limit: usize) -> Self {
        self.max_connections = limit.max(1);
        self
    }

    /// Sets who may use the admin API.
    pub fn admin(mut self, access: AdminAccess) -> Self {
        self.admin = access;
        self
    }

    /// Requires every API call to be SigV4-signed with one of `credentials`; each call
    /// acts in its credential's account and its signature's region.
    pub fn require_auth(mut self, credentials: Vec<Credential>) -> Self {
        self.require_auth = Some(credentials);
        self
    }

    /// Sets how long a client may take to send a request's headers, then its body.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }
}

struct AppState {
    /// Acts in the default account and region; requests naming others get a handle on
    /// theirs.
    sim: Simulator,
    config: ServerConfig,
    /// Present with `require_auth`.
    verifier: Option<auth::Verifier>,
}

/// The router serving the CodePipeline API from `sim`. Requests that name no account
/// or region act in `sim`'s.
pub fn router(sim: Simulator, config: ServerConfig) -> Router {
    let verifier = config.require_auth.as_deref().map(auth::Verifier::new);
    let state = Arc::new(AppState {
        sim,
        config,
        verifier,
    });
    Router::new()
        .route("/", post(api).fallback(wrong_method))
        .merge(admin::routes(&state))
        .merge(ui::routes(&state))
        .fallback(no_route)
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` completes, then stops accepting
/// connections and returns once the requests in flight have been answered.
///
/// Each connection is HTTP/1.1 with keep-alive. At most `config.max_connections` are
/// served at once: one more is closed as soon as it is accepted, so a flood cannot
/// exhaust memory or starve the clients already connected. A client that does not send
/// its request headers within `config.request_timeout` is disconnected.
///
/// # Errors
/// An I/O error of the listener that is not about one connection.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    config: &ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(config.max_connections));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.request_timeout)
        .keep_alive(true);
    // Tells endless responses (the dashboard's event stream) to end once the server
    // stops accepting connections, so the graceful shutdown does not wait on them.
    let (closing, closing_rx) = tokio::sync::watch::channel(false);
    let app = app.layer(axum::Extension(ui::Closing(closing_rx)));
    let service = TowerToHyperService::new(app);
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) if is_connection_error(&err) => continue,
                Err(err) => {
                    // Out of file descriptors and the like: wait a little, keep serving.
                    tracing::warn!(%err, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            tracing::debug!(
                limit = config.max_connections,
                "connection limit reached: closing a new connection"
            );
            continue;
        };
        let _ = stream.set_nodelay(true);
        let connection =
            graceful.watch(http.serve_connection(TokioIo::new(stream), service.clone()));
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(%err, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    let _ = closing.send(true);
    graceful.shutdown().await;
    Ok(())
}

/// Whether two secrets are equal, compared in full whatever differs, so that the time
/// taken tells nothing about where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// Errors of one connection that the accept loop should shrug off.
fn is_connection_error(err: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        err.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

/// Completes on ctrl-c or, on Unix, SIGTERM: the signals `pipesim serve` stops on.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(err) => {
                tracing::error!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: answering the requests in flight");
}

/// Who a call comes from: with `require_auth`, the verified credential's account and
/// its signature's region; else what the `Authorization` header names, unchecked.
fn caller<'a>(state: &'a AppState, headers: &'a HeaderMap, body: &[u8]) -> Result<Caller<'a>> {
    match &state.verifier {
        Some(verifier) => {
            let verified = verifier.verify(headers, body, std::time::SystemTime::now())?;
            Ok(Caller {
                account: Some(verified.account),
                region: Some(verified.region),
            })
        }
        None => Ok(Caller::from_headers(headers)),
    }
}

/// `POST /`: one CodePipeline API call.
async fn api(State(state): State<Arc<AppState>>, request: Request) -> Response {
    // Taking the request whole hands over its headers; extracting a `HeaderMap` would
    // clone them.
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    // The body is read before anything can fail, so the connection stays usable.
    let config = &state.config;
    let read = protocol::read_body(body, headers, config.max_body_bytes, config.request_timeout);
    let result = match read.await {
        Ok(body) => match caller(&state, headers, &body)
            .and_then(|caller| Ok((caller, protocol::operation(headers)?)))
        {
            Ok((caller, operation)) => {
                let scoped;
                let sim = if caller == Caller::default() {
                    &state.sim
                } else {
                    scoped = state.sim.with_scope(
                        caller.account.unwrap_or(state.sim.account()),
                        caller.region.unwrap_or(state.sim.region()),
                    );
                    &scoped
                };
                // A panic is a pipesim bug; the client still gets an AWS-shaped answer
                // and the server keeps serving.
                let result = AssertUnwindSafe(dispatch(operation, sim, &body))
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|_| {
                        tracing::error!(%operation, "a call panicked; answering InternalFailure");
                        Err(Error::InternalFailure(
                            "pipesim failed on this request; please report it".into(),
                        ))
                    });
                match &result {
                    Ok(_) => {
                        tracing::debug!(%operation, account = sim.account(), region = sim.region(), "answered")
                    }
                    Err(err) => tracing::debug!(
                        %operation,
                        account = sim.account(),
                        region = sim.region(),
                        error = err.error_type(),
                        "{}",
                        err.message()
                    ),
                }
                result
            }
            Err(err) => Err(err),
        },
        Err(err) => Err(err),
    };
    protocol::respond(result)
}

/// Decodes `body` as the input of operation `O`, makes the call and encodes its answer.
async fn call<O: Op>(sim: &Simulator, body: &[u8]) -> Result<Reply> {
    let input = decode::<O::Input>(O::OPERATION, body)?;
    let output = sim.call::<O>(input).await?;
    Ok(Reply::json(&output))
}

/// Declares [`dispatch`] from the registry of operations.
macro_rules! dispatch_any_operation {
    ($($family:ident::$op:ident),+ $(,)?) => {
        /// Decodes `body` as the input of `operation`, calls the simulator and encodes
        /// its answer.
        async fn dispatch(operation: Operation, sim: &Simulator, body: &[u8]) -> Result<Reply> {
            use crate::ops::*;
            match operation {
                $(Operation::$op => call::<$family::$op>(sim, body).await,)+
            }
        }
    };
}
crate::ops::with_operations!(dispatch_any_operation);

/// `/` with a method other than POST.
async fn wrong_method(method: Method) -> Response {
    let mut response = protocol::error(
        StatusCode::METHOD_NOT_ALLOWED,
        "UnknownOperationException",
        &format!(
            "{method} / is not a CodePipeline call: the API is POST / with an X-Amz-Target header"
        ),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
}

/// Any other path.
async fn no_route(method: Method, uri: Uri) -> Response {
    protocol::error(
        StatusCode::NOT_FOUND,
        "UnknownOperationException",
        &format!(
            "Nothing at {method} {}: the CodePipeline API is POST / with an X-Amz-Target \
             header, and GET /_pipesim/health answers health checks",
            uri.path()
        ),
    )
}
