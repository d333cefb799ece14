//! The official Rust SDK against an embedded simulator: one `GetPipelineState` through
//! `testing::sdk_config` (the router called in process) against the same call over a
//! loopback socket (`testing::serve_simulator`). Both clients have the same settings
//! (retries, timeouts and stalled-stream protection off); only the HTTP client differs.
//!
//! Run with `cargo bench --bench sdk_in_process`. Figures are in docs/performance.md.

use std::hint::black_box;

use aws_sdk_codepipeline::Client;
use aws_sdk_codepipeline::config::retry::RetryConfig;
use aws_sdk_codepipeline::config::timeout::TimeoutConfig;
use aws_sdk_codepipeline::config::{BehaviorVersion, StalledStreamProtectionConfig};
use criterion::{Criterion, criterion_group, criterion_main};
use pipesim::Simulator;
use pipesim::model::PipelineDeclaration;
use pipesim::testing::{sdk_config, serve_simulator};

fn get_pipeline_state(c: &mut Criterion) {
    // Both clients and the server share this one thread; io for the socket, timers
    // because the server bounds how long a request body may take to arrive.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let sim = Simulator::builder().seed(1).virtual_time().build();
    rt.block_on(sim.create_pipeline(PipelineDeclaration::two_stage_example("p0")))
        .expect("valid pipeline");
    rt.block_on(
        sim.start_pipeline_execution(pipesim::model::StartPipelineExecutionInput::new("p0")),
    )
    .expect("admitted");

    let config = sdk_config(&sim);
    let in_process = Client::new(&config);
    let server = rt.block_on(serve_simulator(sim.clone()));
    // The same settings with the SDK's default HTTP client and the server's URL.
    let over_socket = Client::from_conf(
        aws_sdk_codepipeline::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(server.url())
            .region(config.region().cloned())
            .credentials_provider(config.credentials_provider().expect("credentials"))
            .retry_config(RetryConfig::disabled())
            .timeout_config(TimeoutConfig::disabled())
            .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
            .build(),
    );

    let mut group = c.benchmark_group("sdk/get_pipeline_state");
    for (name, client) in [
        ("in_process", &in_process),
        ("loopback_socket", &over_socket),
    ] {
        group.bench_function(name, |b| {
            b.to_async(&rt).iter(|| async {
                black_box(
                    client
                        .get_pipeline_state()
                        .name("p0")
                        .send()
                        .await
                        .expect("state"),
                )
            })
        });
    }
    group.finish();
    drop(server);
}

criterion_group!(benches, get_pipeline_state);
criterion_main!(benches);
