//! The `pipesim` binary: `serve` announces its address, answers, and exits 0 on SIGTERM;
//! bad flags are refused before anything starts.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

fn pipesim(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pipesim"));
    command.args(args).env("RUST_LOG", "info");
    command
}

/// Starts `pipesim serve --port 0 ...` and reads its address from the ready line.
fn serve(extra: &[&str]) -> (Child, String) {
    let mut args = vec!["serve", "--port", "0"];
    args.extend_from_slice(extra);
    let mut child = pipesim(&args)
        .stderr(Stdio::piped())
        .spawn()
        .expect("pipesim starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let ready = lines
        .next()
        .expect("a ready line")
        .expect("readable stderr");
    let addr = ready
        .split("pipesim listening on http://")
        .nth(1)
        .unwrap_or_else(|| panic!("not a ready line: {ready}"))
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, addr)
}

/// One HTTP/1.1 exchange on a fresh connection; answers the whole response.
fn http(addr: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("the server accepts connections");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[cfg(unix)]
#[test]
fn serve_announces_its_address_answers_and_exits_cleanly_on_sigterm() {
    let (mut child, addr) = serve(&["--seed", "77", "--action-duration-ms", "5"]);

    let health = http(
        &addr,
        "GET /_pipesim/health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    );
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains(r#""seed":77"#), "{health}");

    let body = r#"{"name":"Missing"}"#;
    let answer = http(
        &addr,
        &format!(
            "POST / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\
             x-amz-target: CodePipeline_20150709.StartPipelineExecution\r\n\
             content-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("PipelineNotFoundException"), "{answer}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "pipesim serve exits 0 on SIGTERM");
}

#[test]
fn bad_flags_are_refused_with_a_clear_message() {
    for (flag, value, expected) in [
        (
            "--account",
            "12345",
            "'12345' is not a 12-digit AWS account id",
        ),
        (
            "--action-failure-probability",
            "1.5",
            "1.5 is not a probability between 0.0 and 1.0",
        ),
        ("--port", "99999", "invalid value '99999'"),
    ] {
        let output = pipesim(&["serve", flag, value]).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{flag} {value}: {stderr}");
    }
}

#[test]
fn a_taken_port_is_reported_and_exits_nonzero() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = pipesim(&["serve", "--port", &port]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("pipesim: cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
}
