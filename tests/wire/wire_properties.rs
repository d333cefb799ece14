//! Properties of the wire: whatever bytes or JSON arrive, for whatever operation, the
//! answer is a 2xx or a 4xx in the AWS JSON 1.1 shape, never a 5xx or a panic. These run
//! through the router without a socket, so they try hundreds of bodies a second.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use pipesim::Simulator;
use pipesim::model::{Operation, PipelineDeclaration};
use pipesim::server::{ServerConfig, router};
use proptest::prelude::*;
use serde_json::Value;
use tower::ServiceExt;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn app(rt: &tokio::runtime::Runtime) -> axum::Router {
    let sim = Simulator::builder().seed(5).virtual_time().build();
    rt.block_on(sim.create_pipeline(PipelineDeclaration::two_stage_example("P")))
        .unwrap();
    rt.block_on(sim.start_pipeline_execution("P")).unwrap();
    router(sim, ServerConfig::default().max_body_bytes(16 * 1024))
}

/// Sends one call and checks the shape of the answer.
fn check(rt: &tokio::runtime::Runtime, app: &axum::Router, operation: Operation, body: Vec<u8>) {
    let request = Request::post("/")
        .header(
            "x-amz-target",
            format!("CodePipeline_20150709.{}", operation.name()),
        )
        .body(Body::from(body))
        .unwrap();
    let response = rt.block_on(app.clone().oneshot(request)).unwrap();
    let status = response.status();
    let error_type = response
        .headers()
        .get("x-amzn-errortype")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = rt
        .block_on(response.into_body().collect())
        .unwrap()
        .to_bytes();
    assert!(
        status == StatusCode::OK || status.is_client_error(),
        "{operation}: {status} {bytes:?}"
    );
    if status != StatusCode::OK {
        let json: Value = serde_json::from_slice(&bytes).expect("errors are JSON");
        assert_eq!(json["__type"].as_str(), error_type.as_deref());
        assert!(json["message"].is_string());
    }
}

fn operation() -> impl Strategy<Value = Operation> {
    proptest::sample::select(Operation::ALL.to_vec())
}

/// JSON documents up to a few levels deep, with the member names operations use.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,20}".prop_map(Value::from),
        Just(Value::from("P")),
    ];
    let keys = proptest::sample::select(vec![
        "name",
        "pipelineName",
        "pipelineExecutionId",
        "clientRequestToken",
        "variables",
        "sourceRevisions",
        "maxResults",
        "nextToken",
        "pipeline",
        "stages",
        "actions",
        "resourceArn",
        "tags",
        "tagKeys",
        "token",
        "result",
        "status",
        "abandon",
        "other",
    ]);
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(keys.clone(), inner, 0..6).prop_map(|m| Value::Object(
                m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_bytes_get_a_2xx_or_a_json_4xx(operation in operation(), body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let rt = runtime();
        check(&rt, &app(&rt), operation, body);
    }

    #[test]
    fn any_json_gets_a_2xx_or_a_json_4xx(operation in operation(), json in json_value()) {
        let rt = runtime();
        check(&rt, &app(&rt), operation, json.to_string().into_bytes());
    }
}
