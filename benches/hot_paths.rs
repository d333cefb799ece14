//! Criterion benches of the hot paths, one group per scenario: starts, reads, a page of
//! history at two history sizes, and the wire format.
//!
//! Run with `cargo bench --bench hot_paths`. Figures and how to read them are in
//! docs/performance.md.

use std::hint::black_box;

use axum::body::Body;
use axum::http::Request;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use pipesim::Simulator;
use pipesim::model::*;
use tower::ServiceExt;

fn runtime() -> tokio::runtime::Runtime {
    // Timers on: the server bounds how long a request body may take to arrive.
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime")
}

/// A virtual-time simulator with `pipelines` SUPERSEDED pipelines named p0, p1, ...
fn simulator(rt: &tokio::runtime::Runtime, pipelines: usize) -> (Simulator, Vec<String>) {
    simulator_with(rt, pipelines, Simulator::builder())
}

fn simulator_with(
    rt: &tokio::runtime::Runtime,
    pipelines: usize,
    builder: pipesim::SimulatorBuilder,
) -> (Simulator, Vec<String>) {
    let sim = builder.seed(1).virtual_time().build();
    let names: Vec<String> = (0..pipelines).map(|i| format!("p{i}")).collect();
    rt.block_on(async {
        for name in &names {
            sim.create_pipeline(PipelineDeclaration::two_stage_example(name.as_str()))
                .await
                .expect("valid pipeline");
        }
    });
    (sim, names)
}

fn start_many_pipelines(c: &mut Criterion) {
    let rt = runtime();
    let (sim, names) = simulator(&rt, 1000);
    let inputs: Vec<StartPipelineExecutionInput> = names
        .iter()
        .map(|n| StartPipelineExecutionInput::new(n.as_str()))
        .collect();
    let mut group = c.benchmark_group("start/many-pipelines");
    let mut i = 0usize;
    group.bench_function("start_pipeline_execution", |b| {
        b.to_async(&rt).iter(|| {
            i = (i + 1) % inputs.len();
            let input = inputs[i].clone();
            let sim = &sim;
            async move { black_box(sim.start_pipeline_execution(input).await.expect("admitted")) }
        })
    });
    group.finish();
}

fn start_replayed_token(c: &mut Criterion) {
    let rt = runtime();
    let (sim, _) = simulator(&rt, 1);
    let input = StartPipelineExecutionInput::new("p0").client_request_token("replayed-token");
    rt.block_on(sim.start_pipeline_execution(input.clone()))
        .expect("first start");
    let mut group = c.benchmark_group("start/replayed-token");
    group.bench_function("start_pipeline_execution", |b| {
        b.to_async(&rt).iter(|| {
            let input = input.clone();
            let sim = &sim;
            async move { black_box(sim.start_pipeline_execution(input).await.expect("replayed")) }
        })
    });
    group.finish();
}

fn start_rejected_by_validation(c: &mut Criterion) {
    let rt = runtime();
    let (sim, _) = simulator(&rt, 1);
    let input = StartPipelineExecutionInput::new("bad name").client_request_token("bad token!");
    let mut group = c.benchmark_group("start/validation-error");
    group.bench_function("start_pipeline_execution", |b| {
        b.to_async(&rt).iter(|| {
            let input = input.clone();
            let sim = &sim;
            async move {
                black_box(
                    sim.start_pipeline_execution(input)
                        .await
                        .expect_err("invalid"),
                )
            }
        })
    });
    group.finish();
}

fn get_execution(c: &mut Criterion) {
    let rt = runtime();
    let (sim, _) = simulator(&rt, 1);
    let id = rt
        .block_on(sim.start_pipeline_execution("p0"))
        .expect("started")
        .pipeline_execution_id;
    let input = GetPipelineExecutionInput {
        pipeline_name: "p0".into(),
        pipeline_execution_id: id,
    };
    let mut group = c.benchmark_group("get/execution");
    group.bench_function("get_pipeline_execution", |b| {
        b.to_async(&rt).iter(|| {
            let input = input.clone();
            let sim = &sim;
            async move { black_box(sim.get_pipeline_execution(input).await.expect("found")) }
        })
    });
    group.finish();
}

/// One page of 5 summaries (so both pages carry a nextToken), newest first, with 10 or
/// 1,000,000 executions retained:
/// the cost must not depend on history length.
fn list_executions_page(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("list/executions-page");
    for retained in [10usize, 1_000_000] {
        let builder = Simulator::builder().history_limit(retained);
        let (sim, _) = simulator_with(&rt, 1, builder);
        rt.block_on(async {
            for _ in 0..retained {
                sim.start_pipeline_execution("p0").await.expect("started");
            }
        });
        let mut input = ListPipelineExecutionsInput::new("p0");
        input.max_results = Some(5);
        group.bench_with_input(
            BenchmarkId::new("retained", retained),
            &input,
            |b, input| {
                b.to_async(&rt).iter(|| {
                let input = input.clone();
                let sim = &sim;
                async move { black_box(sim.list_pipeline_executions(input).await.expect("listed")) }
            })
            },
        );
    }
    group.finish();
}

/// The wire format alone: decoding a start's body, encoding an execution.
fn wire_format(c: &mut Criterion) {
    let body = br#"{"name":"MyFirstPipeline","clientRequestToken":"3137f7cb-7cf7-4c21-9e55-0123456789ab"}"#;
    let mut group = c.benchmark_group("wire/format");
    group.bench_function("decode StartPipelineExecution", |b| {
        b.iter(|| {
            black_box(
                serde_json::from_slice::<StartPipelineExecutionInput>(black_box(body))
                    .expect("valid"),
            )
        })
    });
    let rt = runtime();
    let (sim, _) = simulator(&rt, 1);
    let id = rt
        .block_on(sim.start_pipeline_execution("p0"))
        .expect("started")
        .pipeline_execution_id;
    let output = rt
        .block_on(sim.get_pipeline_execution(("p0", id.as_str())))
        .expect("found");
    group.bench_function("encode GetPipelineExecution", |b| {
        b.iter(|| black_box(serde_json::to_vec(black_box(&output)).expect("encodes")))
    });
    group.finish();
}

/// A whole StartPipelineExecution request through the router, without a socket: body,
/// target, scope, decode, admission, encode.
fn wire_start_request(c: &mut Criterion) {
    let rt = runtime();
    let (sim, names) = simulator(&rt, 1000);
    let app = pipesim::server::router(sim, pipesim::server::ServerConfig::default());
    let bodies: Vec<String> = names
        .iter()
        .map(|n| format!(r#"{{"name":"{n}"}}"#))
        .collect();
    let mut group = c.benchmark_group("wire/start-request");
    let mut i = 0usize;
    group.bench_function("router oneshot", |b| {
        b.to_async(&rt).iter(|| {
            i = (i + 1) % bodies.len();
            let request = Request::post("/")
                .header("content-type", "application/x-amz-json-1.1")
                .header(
                    "x-amz-target",
                    "CodePipeline_20150709.StartPipelineExecution",
                )
                .body(Body::from(bodies[i].clone()))
                .expect("valid request");
            let app = app.clone();
            async move {
                let response = app.oneshot(request).await.expect("infallible");
                assert!(response.status().is_success());
                black_box(response)
            }
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    start_many_pipelines,
    start_replayed_token,
    start_rejected_by_validation,
    get_execution,
    list_executions_page,
    wire_format,
    wire_start_request
);
criterion_main!(benches);
