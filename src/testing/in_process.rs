//! An AWS SDK configuration whose HTTP client calls the router in process: no port, no
//! socket, no hyper. Each request goes through the same [`server::router`] that
//! `pipesim serve` runs, so the SDK sees the same bytes, statuses and errors.

use std::fmt;

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::client::behavior_version::BehaviorVersion;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_types::SdkConfig;
use aws_types::region::Region;
use aws_types::sdk_config::{RetryConfig, StalledStreamProtectionConfig, TimeoutConfig};
use axum::Router;
use axum::body::Body;
use axum::http::Response;
use tower::ServiceExt;

use crate::server::{self, ServerConfig};
use crate::service::Simulator;

/// The endpoint URL [`sdk_config`] gives the SDK. Nothing resolves or listens there:
/// the in-process client answers every request itself.
pub const IN_PROCESS_ENDPOINT: &str = "http://pipesim.local";

/// An SDK configuration for a client of `sim`, talking to it in process.
///
/// ```no_run
/// # async fn example() -> Result<(), aws_sdk_codepipeline::Error> {
/// let sim = pipesim::Simulator::builder().seed(7).virtual_time().build();
/// let client = aws_sdk_codepipeline::Client::new(&pipesim::testing::sdk_config(&sim));
/// client.list_pipelines().send().await?;
/// # Ok(()) }
/// ```
///
/// It holds: the endpoint [`IN_PROCESS_ENDPOINT`]; `sim`'s region; fixed test
/// credentials (the server asks for no signature unless configured to); an
/// [`InProcessHttpClient`] over a router with the defaults of `pipesim serve`; the
/// latest behaviour version; and no retries, timeouts or stalled-stream protection.
///
/// Those three are off because each of them would schedule work on the SDK's sleep
/// implementation, which runs on tokio's clock while the simulator's virtual time moves
/// only with [`Simulator::advance`]. Off, one SDK call is exactly one request to the
/// simulator, answered before the call returns: a throttling or fault rule the test set
/// up is seen once, not retried after a jittered backoff, and a run with one seed makes
/// the same calls every time. Nothing needs a retry in process anyway: there is no
/// network to fail. For other server settings, build the client with
/// [`InProcessHttpClient::with_config`] and put it in a configuration of your own.
pub fn sdk_config(sim: &Simulator) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(IN_PROCESS_ENDPOINT)
        .region(Region::new(sim.region().to_owned()))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "pipesim-in-process",
        )))
        .http_client(InProcessHttpClient::new(sim.clone()))
        .retry_config(RetryConfig::disabled())
        .timeout_config(TimeoutConfig::disabled())
        .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
        .build()
}

/// An HTTP client for the AWS SDK that hands each request to pipesim's router with
/// tower's `oneshot`, in the caller's task, and returns the router's response.
///
/// Cheap to clone: clones share one router. Give it to any SDK configuration with
/// `http_client(...)`.
#[derive(Clone)]
pub struct InProcessHttpClient {
    router: Router,
}

impl InProcessHttpClient {
    /// A client of `sim` behind a router with the defaults of `pipesim serve`.
    pub fn new(sim: Simulator) -> Self {
        Self::with_config(sim, ServerConfig::default())
    }

    /// A client of `sim` behind a router with `config`, for example one that requires
    /// SigV4 signatures. The connection settings (`max_connections`, the request
    /// timeout) do not apply: there is no connection.
    pub fn with_config(sim: Simulator, config: ServerConfig) -> Self {
        Self {
            router: server::router(sim, config),
        }
    }
}

impl fmt::Debug for InProcessHttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InProcessHttpClient")
            .finish_non_exhaustive()
    }
}

impl HttpClient for InProcessHttpClient {
    // The SDK's connect and read timeouts would come in `settings`; with no connection
    // and an answer computed in the caller's task there is nothing for them to bound.
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

impl HttpConnector for InProcessHttpClient {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let router = self.router.clone();
        HttpConnectorFuture::new(async move {
            let request = request
                .try_into_http1x()
                .map_err(|e| ConnectorError::user(e.into()))?
                .map(Body::new);
            // The router's error type is `Infallible`: every failure is a response.
            let response = match router.oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            let (parts, body) = response.into_parts();
            // The body is already in memory; collecting it only moves the bytes. A
            // failure here is the router's body stream failing, as a broken connection
            // would be on a socket.
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .map_err(|e| ConnectorError::io(e.into()))?;
            let response = Response::from_parts(parts, SdkBody::from(bytes));
            HttpResponse::try_from(response).map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}
