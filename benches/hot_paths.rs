//! Criterion benches of the embedded API's hot paths, one group per scenario.
//!
//! Run with `cargo bench --bench start`. Figures and how to read them are in
//! docs/performance.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pipesim::Simulator;
use pipesim::model::*;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
}

/// A virtual-time simulator with `pipelines` SUPERSEDED pipelines named p0, p1, ...
fn simulator(rt: &tokio::runtime::Runtime, pipelines: usize) -> (Simulator, Vec<String>) {
    let sim = Simulator::builder().seed(1).virtual_time().build();
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

criterion_group!(
    benches,
    start_many_pipelines,
    start_replayed_token,
    start_rejected_by_validation
);
criterion_main!(benches);
