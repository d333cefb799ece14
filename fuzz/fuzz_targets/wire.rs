//! Coverage-guided fuzzing of the wire: any bytes, as the body of any operation, through
//! the whole router (decoding, validation, the engine, encoding). The answer must be a
//! 2xx, or a 4xx in the AWS JSON 1.1 error shape: never a 5xx, never a panic.
//!
//! The first byte picks the operation; the rest is the body. Run with
//! `cargo fuzz run wire` from the repository root (see docs/reliability.md).

#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use pipesim::Simulator;
use pipesim::model::{Operation, PipelineDeclaration};
use pipesim::server::{ServerConfig, router};
use tower::ServiceExt;

struct Harness {
    runtime: tokio::runtime::Runtime,
    app: axum::Router,
}

/// One simulator for the whole run, with a pipeline and an execution to find, so that
/// inputs reach past "not found" into the engine.
fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        // The server reads bodies under a timeout, so the runtime needs its timer.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let sim = Simulator::builder().seed(5).virtual_time().build();
        runtime
            .block_on(sim.create_pipeline(PipelineDeclaration::two_stage_example("P")))
            .expect("the example pipeline is valid");
        runtime
            .block_on(sim.start_pipeline_execution("P"))
            .expect("the example pipeline starts");
        let app = router(sim, ServerConfig::default().max_body_bytes(64 * 1024));
        Harness { runtime, app }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let operation = Operation::ALL[usize::from(pick) % Operation::ALL.len()];
    let harness = harness();
    let request = Request::post("/")
        .header(
            "x-amz-target",
            format!("CodePipeline_20150709.{}", operation.name()),
        )
        .body(Body::from(body.to_vec()))
        .expect("a valid request");
    let response = harness
        .runtime
        .block_on(harness.app.clone().oneshot(request))
        .expect("the router is infallible");
    let status = response.status();
    let bytes = harness
        .runtime
        .block_on(response.into_body().collect())
        .expect("a body")
        .to_bytes();
    assert!(
        status == StatusCode::OK || status.is_client_error(),
        "{operation}: {status} {bytes:?}"
    );
    if status != StatusCode::OK {
        let json: serde_json::Value = serde_json::from_slice(&bytes).expect("errors are JSON");
        assert!(
            json["__type"].is_string() && json["message"].is_string(),
            "{json}"
        );
    }
});
