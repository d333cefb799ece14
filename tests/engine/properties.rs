//! Properties of validation: any StartPipelineExecution input the model allows is
//! accepted; any it forbids is a ValidationException that changes no state.

use crate::common::*;
use crate::helpers::*;
use pipesim::model::*;
use proptest::prelude::*;

fn valid_input() -> impl Strategy<Value = StartPipelineExecutionInput> {
    let token = proptest::option::of("[a-zA-Z0-9-]{1,128}");
    let revisions = proptest::option::of(proptest::collection::vec(
        (
            prop_oneof![
                Just(SourceRevisionType::CommitId),
                Just(SourceRevisionType::ImageDigest),
                Just(SourceRevisionType::S3ObjectKey),
                Just(SourceRevisionType::S3ObjectVersionId)
            ],
            "\\PC{1,40}",
        ),
        0..=1,
    ));
    (token, revisions).prop_map(|(token, revisions)| StartPipelineExecutionInput {
        name: "P".into(),
        variables: None,
        client_request_token: token,
        source_revisions: revisions.map(|r| {
            r.into_iter()
                .map(|(revision_type, revision_value)| SourceRevisionOverride {
                    action_name: "Fetch".into(),
                    revision_type,
                    revision_value,
                })
                .collect()
        }),
    })
}

/// One way to break an otherwise valid input, with the path the message must name.
fn broken_input() -> impl Strategy<Value = (StartPipelineExecutionInput, &'static str)> {
    let base = StartPipelineExecutionInput::new("P");
    prop_oneof![
        "[A-Za-z0-9.@_-]{101,120}".prop_map({
            let b = base.clone();
            move |name| (StartPipelineExecutionInput { name, ..b.clone() }, "'name'")
        }),
        "[a-z]{0,5}[ /#$%!]{1,3}".prop_map({
            let b = base.clone();
            move |name| (StartPipelineExecutionInput { name, ..b.clone() }, "'name'")
        }),
        "[a-zA-Z0-9-]{129,140}".prop_map({
            let b = base.clone();
            move |t| (b.clone().client_request_token(t), "'clientRequestToken'")
        }),
        "[a-z]{0,3}[_.@ ]{1,2}".prop_map({
            let b = base.clone();
            move |t| (b.clone().client_request_token(t), "'clientRequestToken'")
        }),
        "[a-z]{1,3}[ .#]{1,2}".prop_map({
            let b = base.clone();
            move |n| (b.clone().variable(n, "v"), "'variables.1.member.name'")
        }),
        ".{1001,1010}".prop_map({
            let b = base.clone();
            move |v| (b.clone().variable("env", v), "'variables.1.member.value'")
        }),
        "[A-Z_]{1,12}"
            .prop_filter("not a revision type", |t| !SourceRevisionType::VALUES
                .contains(&t.as_str()))
            .prop_map({
                let b = base.clone();
                move |t| {
                    (
                        b.clone()
                            .source_revision("Fetch", SourceRevisionType::Unknown(t), "v"),
                        "'sourceRevisions.1.member.revisionType'",
                    )
                }
            }),
        (51usize..60).prop_map(move |n| {
            let mut input = base.clone();
            input.source_revisions = Some(vec![
                SourceRevisionOverride {
                    action_name: "Fetch".into(),
                    revision_type: SourceRevisionType::CommitId,
                    revision_value: "x".into()
                };
                n
            ]);
            (input, "'sourceRevisions'")
        }),
    ]
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn every_input_the_model_allows_starts_an_execution(input in valid_input()) {
        runtime().block_on(async {
            let sim = sim();
            create(&sim, two_stages("P")).await;
            let out = sim.start_pipeline_execution(input).await;
            prop_assert!(out.is_ok(), "{out:?}");
            Ok(())
        })?;
    }

    #[test]
    fn every_input_the_model_forbids_is_rejected_and_changes_nothing((input, path) in broken_input()) {
        runtime().block_on(async {
            let sim = sim();
            create(&sim, two_stages("P").v2(ExecutionMode::Queued).variable("env", Some("dev"))).await;
            let err = sim.start_pipeline_execution(input).await.unwrap_err();
            prop_assert_eq!(err.error_type(), "ValidationException");
            prop_assert!(err.message().contains(path), "{} does not name {}", err.message(), path);
            let stats = sim.pipeline_stats("P").unwrap();
            prop_assert_eq!((stats.retained_executions, stats.remembered_tokens), (0, 0));
            Ok(())
        })?;
    }

    #[test]
    fn arbitrary_json_never_panics_the_decoder_or_validation(body in "\\PC{0,200}") {
        if let Ok(input) = serde_json::from_str::<StartPipelineExecutionInput>(&body) {
            runtime().block_on(async {
                let sim = sim();
                let _ = sim.start_pipeline_execution(input).await;
            });
        }
    }
}
