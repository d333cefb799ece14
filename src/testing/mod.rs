//! pipesim for Rust test suites that drive it through an AWS SDK: with no socket, or
//! on a loopback port.
//!
//! With no socket, [`sdk_config`] gives `aws_sdk_codepipeline::Client::new` an HTTP
//! client that hands each request to the router in process
//! ([`InProcessHttpClient`]):
//!
//! ```no_run
//! # async fn example() -> Result<(), aws_sdk_codepipeline::Error> {
//! let sim = pipesim::Simulator::builder().virtual_time().build();
//! let client = aws_sdk_codepipeline::Client::new(&pipesim::testing::sdk_config(&sim));
//! client.list_pipelines().send().await?;
//! # Ok(()) }
//! ```
//!
//! On a port, for an SDK or tool that cannot take a custom HTTP client:
//!
//! ```no_run
//! # #[tokio::main]
//! # async fn main() {
//! let server = pipesim::testing::serve().await;
//! // Point any CodePipeline client at it, for example aws-sdk-codepipeline:
//! // aws_sdk_codepipeline::Config::builder().endpoint_url(server.url())...
//! println!("{}", server.url());
//! # }
//! ```
//!
//! The server runs on the test's tokio runtime, on a free loopback port, and stops
//! when the [`TestServer`] is dropped. Give it a [`Simulator`] built with
//! `virtual_time()` to move executions forward with [`Simulator::advance`] while the
//! SDK talks to it.

mod in_process;

pub use in_process::{IN_PROCESS_ENDPOINT, InProcessHttpClient, sdk_config};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::server::{self, ServerConfig};
use crate::service::Simulator;

/// A running in-process server. Dropping it stops the server.
#[derive(Debug)]
pub struct TestServer {
    url: String,
    simulator: Simulator,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

/// Serves a simulator with every default, as `pipesim serve` does.
///
/// # Panics
/// Outside a tokio runtime, or when no loopback port can be bound.
pub async fn serve() -> TestServer {
    serve_simulator(Simulator::builder().build()).await
}

/// Serves `simulator`: a test keeps its own handle to configure pipelines, read
/// counters or advance virtual time while the SDK talks to the server.
///
/// # Panics
/// Outside a tokio runtime, or when no loopback port can be bound.
pub async fn serve_simulator(simulator: Simulator) -> TestServer {
    serve_with(simulator, ServerConfig::default()).await
}

/// Serves `simulator` with server settings of the test's choosing (timeouts,
/// connection limit, body limit).
///
/// # Panics
/// Outside a tokio runtime, or when no loopback port can be bound.
pub async fn serve_with(simulator: Simulator, config: ServerConfig) -> TestServer {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind a free loopback port for the pipesim test server");
    let addr = listener
        .local_addr()
        .expect("a bound socket has an address");
    simulator.set_public_url(format!("http://{addr}"));
    let (stop, stopped) = oneshot::channel::<()>();
    let app = server::router(simulator.clone(), config.clone());
    let task = tokio::spawn(async move {
        server::serve(listener, app, &config, async move {
            // A dropped sender stops the server too.
            let _ = stopped.await;
        })
        .await
    });
    TestServer {
        url: format!("http://{addr}"),
        simulator,
        stop: Some(stop),
        task: Some(task),
    }
}

impl TestServer {
    /// The endpoint URL to give an SDK, such as `http://127.0.0.1:40123`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The simulator behind the server.
    pub fn simulator(&self) -> &Simulator {
        &self.simulator
    }

    /// Stops the server and waits for the requests in flight to be answered.
    ///
    /// # Panics
    /// If the server task panicked.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("the pipesim test server task panicked")
                .expect("the pipesim test server failed");
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
