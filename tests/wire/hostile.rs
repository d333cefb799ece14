//! Hostile clients over a real socket: slow ones, floods, and garbage. Each gets a clear
//! 4xx JSON answer or a closed connection, never a 5xx or a hang, and the server keeps
//! serving everyone else.

use std::time::Duration;

use pipesim::Simulator;
use pipesim::server::ServerConfig;
use pipesim::testing::{TestServer, serve_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A guard against a test hanging forever: what it waits for should come at once.
const GUARD: Duration = Duration::from_secs(20);

async fn server(config: ServerConfig) -> TestServer {
    serve_with(Simulator::builder().seed(1).virtual_time().build(), config).await
}

fn addr(server: &TestServer) -> String {
    server.url().trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection (a reset counts as closing).
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(GUARD, stream.read_to_end(&mut answer))
        .await
        .expect("the server answers or closes");
    if let Err(err) = read {
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err}");
    }
    String::from_utf8_lossy(&answer).into_owned()
}

fn health_request() -> &'static str {
    "GET /_pipesim/health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
}

async fn healthy(addr: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return false;
    };
    if stream.write_all(health_request().as_bytes()).await.is_err() {
        return false;
    }
    read_to_close(&mut stream).await.starts_with("HTTP/1.1 200")
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let server = server(ServerConfig::default().request_timeout(Duration::from_millis(200))).await;
    let addr = addr(&server);
    let mut slow = TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"POST / HTTP/1.1\r\nhost: x\r\nx-amz-target: Code")
        .await
        .unwrap();
    let answer = read_to_close(&mut slow).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    assert!(healthy(&addr).await);
}

#[tokio::test]
async fn a_client_that_never_finishes_its_body_gets_a_408() {
    let server = server(ServerConfig::default().request_timeout(Duration::from_millis(200))).await;
    let addr = addr(&server);
    let mut slow = TcpStream::connect(&addr).await.unwrap();
    slow.write_all(
        b"POST / HTTP/1.1\r\nhost: x\r\nx-amz-target: CodePipeline_20150709.ListPipelines\r\n\
          content-length: 100\r\n\r\n{\"maxRes",
    )
    .await
    .unwrap();
    let answer = read_to_close(&mut slow).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains(r#""__type":"RequestTimeoutException""#),
        "{answer}"
    );
    assert!(healthy(&addr).await);
}

#[tokio::test]
async fn connections_beyond_the_limit_are_closed_and_the_rest_are_served() {
    let server = server(ServerConfig::default().max_connections(2)).await;
    let addr = addr(&server);
    let first = TcpStream::connect(&addr).await.unwrap();
    let mut second = TcpStream::connect(&addr).await.unwrap();
    // Both are served: a keep-alive request on the second answers.
    second
        .write_all(b"GET /_pipesim/health HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 12];
    second.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"HTTP/1.1 200");

    let mut flood = TcpStream::connect(&addr).await.unwrap();
    let _ = flood.write_all(health_request().as_bytes()).await;
    assert_eq!(read_to_close(&mut flood).await, "", "closed unanswered");

    // Once a connection ends, a new one is served again.
    drop(first);
    let served = tokio::time::timeout(GUARD, async {
        while !healthy(&addr).await {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(served.is_ok(), "a freed slot serves new connections");
}

#[tokio::test]
async fn garbage_that_is_not_http_closes_the_connection_and_others_are_served() {
    let server = server(ServerConfig::default()).await;
    let addr = addr(&server);
    for garbage in [
        &b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"[..],
        b"HELLO\r\n\r\n",
        b"POST / HTTP/1.1\r\ncontent-length: -5\r\n\r\n",
        b"POST / HTTP/1.1\r\nbad header line\r\n\r\n",
    ] {
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        stream.write_all(garbage).await.unwrap();
        let answer = read_to_close(&mut stream).await;
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 400"),
            "{garbage:?}: {answer}"
        );
    }
    assert!(healthy(&addr).await);
}
