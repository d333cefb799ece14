//! The dashboard in a real browser: `pipesim serve --virtual-time`, Debian's headless
//! chromium on `/_pipesim/ui`, and the page read back over the DevTools protocol.
//!
//! `chromium --dump-dom` cannot be used: it dumps at the load event, before the page
//! has fetched anything, and with `--virtual-time-budget` it never dumps at all, as the
//! page's event stream is a request that never ends. So the test starts chromium with
//! `--remote-debugging-port=0` and asks the page for its text over a WebSocket (a few
//! lines of client below: one text frame out, frames in until the answer), polling
//! until what it waits for shows or ten seconds pass.
//!
//! With `PIPESIM_SCREENSHOT=path.png` it also saves a 1280×800 screenshot of the page
//! (how `docs/dashboard.png` is made).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{call, create_body, post, serve};

/// A headless chromium, killed when dropped.
struct Browser {
    child: Child,
    /// The DevTools address, `127.0.0.1:port`.
    devtools: String,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    fn open(url: &str) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(std::env::var_os("CHROMIUM").unwrap_or("chromium".into()))
            .args([
                "--headless",
                "--disable-gpu",
                "--no-sandbox",
                "--no-first-run",
                "--window-size=1280,800",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(url)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium starts (install Debian's `chromium` package)");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let listening = lines
            .by_ref()
            .map(|line| line.expect("readable stderr"))
            .find(|line| line.starts_with("DevTools listening on ws://"))
            .expect("chromium announces its DevTools address");
        std::thread::spawn(move || lines.for_each(drop));
        let devtools = listening["DevTools listening on ws://".len()..]
            .split('/')
            .next()
            .unwrap()
            .to_owned();
        Browser {
            child,
            devtools,
            _profile: profile,
        }
    }

    /// A DevTools session on the page.
    fn page(&self) -> DevTools {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let body = devtools_get(&self.devtools, "/json/list");
            let targets: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            let page = targets
                .as_array()
                .into_iter()
                .flatten()
                .find(|t| t["type"] == "page");
            if let Some(ws) = page.and_then(|p| p["webSocketDebuggerUrl"].as_str()) {
                let path = &ws[ws.find("/devtools/").unwrap()..];
                return DevTools::connect(&self.devtools, path);
            }
            assert!(Instant::now() < deadline, "no page target: {body}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// One GET of the DevTools HTTP server, which keeps connections open: the body is read
/// by its `Content-Length`.
fn devtools_get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nhost: {addr}\r\n\r\n").unwrap();
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    String::from_utf8(body).unwrap()
}

/// A WebSocket to one DevTools target: enough of RFC 6455 for its JSON messages.
struct DevTools {
    stream: TcpStream,
    next_id: u64,
}

impl DevTools {
    fn connect(addr: &str, path: &str) -> DevTools {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nhost: {addr}\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\
             sec-websocket-key: cGlwZXNpbS1kYXNoYm9hcmQ=\r\nsec-websocket-version: 13\r\n\r\n"
        )
        .unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut byte = [0];
            stream.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head);
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        DevTools { stream, next_id: 1 }
    }

    /// Calls a DevTools method and answers its result.
    fn call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        let id = self.next_id;
        self.next_id += 1;
        let message = serde_json::json!({ "id": id, "method": method, "params": params });
        self.send(message.to_string().as_bytes());
        loop {
            let answer: serde_json::Value = serde_json::from_slice(&self.receive()).unwrap();
            if answer["id"] == id {
                assert!(answer.get("error").is_none(), "{method}: {answer}");
                return answer["result"].clone();
            }
        }
    }

    /// The page's visible text.
    fn text(&mut self) -> String {
        let result = self.call(
            "Runtime.evaluate",
            serde_json::json!({ "expression": "document.body.innerText", "returnByValue": true }),
        );
        result["result"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits until the page's text contains every one of `wanted`; answers the text.
    fn wait_for_text(&mut self, wanted: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = self.text();
            if wanted.iter().all(|w| text.contains(w)) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "the page never showed {wanted:?}; it shows:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// One masked text frame (a zero mask: the payload goes as it is).
    fn send(&mut self, payload: &[u8]) {
        let mut frame = vec![0x81];
        match payload.len() {
            len @ 0..=125 => frame.push(0x80 | len as u8),
            len @ 126..=0xffff => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(len as u16).to_be_bytes());
            }
            len => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(len as u64).to_be_bytes());
            }
        }
        frame.extend_from_slice(&[0; 4]);
        frame.extend_from_slice(payload);
        self.stream.write_all(&frame).unwrap();
    }

    /// One whole message, its fragments joined; control frames are skipped.
    fn receive(&mut self) -> Vec<u8> {
        let mut message = Vec::new();
        loop {
            let mut head = [0; 2];
            self.stream.read_exact(&mut head).unwrap();
            let len = match head[1] & 0x7f {
                126 => {
                    let mut len = [0; 2];
                    self.stream.read_exact(&mut len).unwrap();
                    u16::from_be_bytes(len) as usize
                }
                127 => {
                    let mut len = [0; 8];
                    self.stream.read_exact(&mut len).unwrap();
                    u64::from_be_bytes(len) as usize
                }
                len => len as usize,
            };
            let mut payload = vec![0; len];
            self.stream.read_exact(&mut payload).unwrap();
            if head[0] & 0x08 != 0 {
                continue; // ping, pong or close
            }
            message.extend_from_slice(&payload);
            if head[0] & 0x80 != 0 {
                return message;
            }
        }
    }
}

/// Standard base64, as DevTools sends screenshots.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = text.bytes().filter(|&c| c != b'=').map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let bits = chunk
            .iter()
            .enumerate()
            .fold(0u32, |bits, (i, &d)| bits | (u32::from(d) << (18 - 6 * i)));
        out.extend_from_slice(&bits.to_be_bytes()[1..chunk.len()]);
    }
    out
}

fn ok(answer: Option<(u16, String)>) -> String {
    let (status, body) = answer.expect("the server answers");
    assert_eq!(status, 200, "{body}");
    body
}

#[cfg(unix)]
#[test]
#[ignore = "needs Debian's chromium: run with `cargo test --test cli the_dashboard_shows_every_pipeline_live_in_a_real_browser -- --ignored`"]
fn the_dashboard_shows_every_pipeline_live_in_a_real_browser() {
    let server = serve(&["--virtual-time"]);
    ok(call(
        &server.addr,
        "CreatePipeline",
        &create_body("Storefront"),
    ));
    ok(call(
        &server.addr,
        "DisableStageTransition",
        r#"{"pipelineName":"Storefront","stageName":"Deploy","transitionType":"Inbound","reason":"Frozen for the release review"}"#,
    ));
    // The execution started on create runs its first action once the clock moves.
    let advanced = post(
        &server.addr,
        "/_pipesim/clock/advance",
        None,
        r#"{"seconds":2}"#,
    );
    assert!(advanced.starts_with("HTTP/1.1 200"), "{advanced}");

    let browser = Browser::open(&format!("http://{}/_pipesim/ui", server.addr));
    let mut page = browser.page();
    let text = page.wait_for_text(&[
        "Storefront",
        "Source",
        "Deploy",
        "Fetch",
        "Ship",
        "transition disabled",
        "Frozen for the release review",
        "(virtual)",
        "live",
    ]);
    let fetch = &text[text.find("Fetch").unwrap()..];
    assert!(
        ["InProgress", "Succeeded"]
            .iter()
            .any(|status| fetch.starts_with(&format!("Fetch\n{status}"))),
        "the Fetch action's status is shown under it:\n{text}"
    );

    // A pipeline created after the page opened shows up without a reload.
    ok(call(
        &server.addr,
        "CreatePipeline",
        &create_body("Backoffice"),
    ));
    page.wait_for_text(&["Backoffice", "Storefront"]);

    if let Some(path) = std::env::var_os("PIPESIM_SCREENSHOT") {
        let shot = page.call(
            "Page.captureScreenshot",
            serde_json::json!({ "format": "png" }),
        );
        std::fs::write(path, base64_decode(shot["data"].as_str().unwrap())).unwrap();
    }
}
