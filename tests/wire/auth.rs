//! `--require-auth`: requests signed by the AWS SDK for Rust are verified, tampered
//! copies of them are refused with the errors AWS sends, and each credential's account
//! sees only its own pipelines.

use aws_sdk_codepipeline::Client;
use aws_sdk_codepipeline::config::retry::RetryConfig;
use aws_sdk_codepipeline::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_codepipeline::error::ProvideErrorMetadata;
use aws_sdk_codepipeline::types::ExecutionMode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use pipesim::model::ListPipelinesInput;
use pipesim::server::{Credential, ServerConfig};
use pipesim::testing::{TestServer, serve_with};

use crate::{common, sdk};

const ONE: &str = "AKIAACCOUNTONE:secret-one:111111111111";
const TWO: &str = "AKIAACCOUNTTWO:secret-two:222222222222";

async fn server() -> TestServer {
    let credentials: Vec<Credential> = [ONE, TWO].iter().map(|c| c.parse().unwrap()).collect();
    serve_with(
        common::sim(),
        ServerConfig::default().require_auth(credentials),
    )
    .await
}

fn client(url: &str, key: &str, secret: &str) -> Client {
    let config = aws_sdk_codepipeline::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(url)
        .region(Region::new("eu-west-1"))
        .retry_config(RetryConfig::disabled())
        .credentials_provider(Credentials::new(key, secret, None, None, "tests"))
        .build();
    Client::from_conf(config)
}

async fn create(client: &Client, name: &str) -> Result<(), String> {
    client
        .create_pipeline()
        .pipeline(sdk::pipeline(name, ExecutionMode::Superseded, false))
        .send()
        .await
        .map(drop)
        .map_err(|err| err.into_service_error().code().unwrap_or("none").to_owned())
}

async fn names(client: &Client) -> Vec<String> {
    let out = client.list_pipelines().send().await.unwrap();
    out.pipelines()
        .iter()
        .filter_map(|p| p.name().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn signed_sdk_calls_act_in_their_credentials_account_and_accounts_stay_isolated() {
    let server = server().await;
    let one = client(server.url(), "AKIAACCOUNTONE", "secret-one");
    let two = client(server.url(), "AKIAACCOUNTTWO", "secret-two");
    create(&one, "Shared").await.unwrap();
    create(&two, "Shared").await.unwrap();
    create(&one, "OnlyOne").await.unwrap();
    assert_eq!(names(&one).await, ["OnlyOne", "Shared"]);
    assert_eq!(names(&two).await, ["Shared"]);
    let scoped = server.simulator().with_scope("111111111111", "eu-west-1");
    let listed = scoped
        .list_pipelines(ListPipelinesInput::default())
        .await
        .unwrap();
    assert_eq!(
        listed.pipelines.len(),
        2,
        "account one's pipelines are in account one"
    );
}

#[tokio::test]
async fn a_wrong_secret_or_an_unknown_key_is_refused_and_changes_nothing() {
    let server = server().await;
    let wrong = client(server.url(), "AKIAACCOUNTONE", "not-the-secret");
    assert_eq!(
        create(&wrong, "P").await.unwrap_err(),
        "InvalidSignatureException"
    );
    let unknown = client(server.url(), "AKIANOBODY", "secret-one");
    assert_eq!(
        create(&unknown, "P").await.unwrap_err(),
        "UnrecognizedClientException"
    );
    let one = client(server.url(), "AKIAACCOUNTONE", "secret-one");
    assert!(names(&one).await.is_empty());
}

/// The raw bytes of one request the SDK sends, caught by a listener that answers `{}`.
async fn sdk_request() -> Vec<u8> {
    let catcher = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", catcher.local_addr().unwrap());
    let caught = tokio::spawn(async move {
        let (mut stream, _) = catcher.accept().await.unwrap();
        let request = read_message(&mut stream).await;
        let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: 2\r\n\r\n{}";
        stream.write_all(answer.as_bytes()).await.unwrap();
        request
    });
    let one = client(&url, "AKIAACCOUNTONE", "secret-one");
    one.list_pipelines().max_results(5).send().await.unwrap();
    caught.await.unwrap()
}

/// Reads one HTTP/1.1 message with a content-length body.
async fn read_message(stream: &mut TcpStream) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the connection closed mid-message");
        bytes.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&bytes);
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if bytes.len() >= end + 4 + length {
                return bytes;
            }
        }
    }
}

/// Sends raw request bytes to the server; answers the status and body.
async fn send(server: &TestServer, request: &str) -> (u16, String) {
    let addr = server.url().trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = request.replacen("\r\n", "\r\nconnection: close\r\n", 1);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let status = answer[9..12].parse().unwrap();
    (status, answer.split_once("\r\n\r\n").unwrap().1.to_owned())
}

fn error_type(body: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(body).unwrap();
    value["__type"].as_str().unwrap().to_owned()
}

/// Replaces one header's line in a raw request.
fn with_header(request: &str, name: &str, value: Option<&str>) -> String {
    request
        .split("\r\n")
        .filter_map(|line| match line.split_once(':') {
            Some((n, _)) if n.eq_ignore_ascii_case(name) => value.map(|v| format!("{n}: {v}")),
            _ => Some(line.to_owned()),
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

#[tokio::test]
async fn a_captured_sdk_request_verifies_and_every_tampered_copy_is_refused() {
    let server = server().await;
    let original = String::from_utf8(sdk_request().await).unwrap();
    let (status, body) = send(&server, &original).await;
    assert_eq!(status, 200, "the SDK's own request verifies: {body}");

    let tampered_body = original.replace(r#"{"maxResults":5}"#, r#"{"maxResults":6}"#);
    assert_ne!(tampered_body, original, "the body was found and changed");
    let (status, body) = send(&server, &tampered_body).await;
    assert_eq!(
        (status, error_type(&body).as_str()),
        (403, "InvalidSignatureException")
    );

    let authorization = original
        .split("\r\n")
        .find_map(|line| line.strip_prefix("authorization: "))
        .unwrap();
    let flipped = {
        let mut s = authorization.to_owned();
        let last = s.pop().unwrap();
        s.push(if last == '0' { '1' } else { '0' });
        s
    };
    let cases = [
        (
            with_header(&original, "authorization", None),
            403,
            "MissingAuthenticationTokenException",
        ),
        (
            with_header(&original, "authorization", Some(&flipped)),
            403,
            "InvalidSignatureException",
        ),
        (
            with_header(
                &original,
                "authorization",
                Some(&authorization.replace("AKIAACCOUNTONE", "AKIAACCOUNTTWO")),
            ),
            403,
            "InvalidSignatureException",
        ),
        (
            with_header(
                &original,
                "authorization",
                Some(&authorization.replace("AKIAACCOUNTONE", "AKIAUNKNOWN")),
            ),
            403,
            "UnrecognizedClientException",
        ),
        (
            with_header(
                &original,
                "authorization",
                Some(authorization.split(", Signature=").next().unwrap()),
            ),
            400,
            "IncompleteSignatureException",
        ),
        (
            with_header(&original, "x-amz-date", Some("20200101T000000Z")),
            403,
            "InvalidSignatureException",
        ),
        (
            with_header(&original, "x-amz-date", None),
            400,
            "IncompleteSignatureException",
        ),
        (
            with_header(
                &original,
                "x-amz-target",
                Some("CodePipeline_20150709.ListWebhooks"),
            ),
            403,
            "InvalidSignatureException",
        ),
    ];
    for (request, status, error) in cases {
        let (got_status, body) = send(&server, &request).await;
        assert_eq!(
            (got_status, error_type(&body).as_str()),
            (status, error),
            "{request}\n{body}"
        );
    }
    let (_, body) = send(
        &server,
        &with_header(&original, "x-amz-date", Some("20200101T000000Z")),
    )
    .await;
    assert!(
        body.contains("Signature expired: 20200101T000000Z is now earlier than"),
        "{body}"
    );
}
