//! Properties of validation: any StartPipelineExecution input the model allows is
//! accepted; any it forbids is a ValidationException that changes no state; and JSON of
//! the operation's shape, with values valid, out of range, of the wrong type or missing,
//! decodes exactly when its types are right, and then starts an execution or is refused
//! with no state changed.

use crate::common::*;
use crate::helpers::*;
use pipesim::PipelineStats;
use pipesim::model::*;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use serde_json::{Map, Value, json};

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

/// A member's JSON, and whether its JSON type is the one the shape declares: a
/// well-typed member decodes, whatever validation then says of its value; an ill-typed
/// one makes the whole input fail to decode.
type Member = (Value, bool);

fn well(values: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Member> {
    values.prop_map(|v| (v, true)).boxed()
}

fn ill(values: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Member> {
    values.prop_map(|v| (v, false)).boxed()
}

/// JSON that is not a string: what a client sends when it gets a member's type wrong.
fn not_a_string() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(json!(1.5)),
        Just(json!(["P"])),
        Just(json!({"name": "P"})),
    ]
}

/// Any JSON a few levels deep: the junk in members the shape does not have.
fn junk() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A string member of the shape: mostly well-formed values, else empty, one to twenty
/// characters too long, or with characters outside the member's pattern; now and then
/// not a string at all.
fn string_member(valid: BoxedStrategy<String>, max: usize) -> BoxedStrategy<Member> {
    prop_oneof![
        14 => well(valid.prop_map(Value::from)),
        2 => well(Just(Value::from(""))),
        2 => well((max + 1..max + 21).prop_map(|n| Value::from("a".repeat(n)))),
        2 => well("[a-z]{0,4}[ /#$%!é:]{1,3}".prop_map(Value::from)),
        1 => ill(not_a_string()),
    ]
    .boxed()
}

/// An optional member: JSON `null` reads as absent, so it is well-typed too.
fn optional(member: BoxedStrategy<Member>) -> BoxedStrategy<Member> {
    prop_oneof![9 => member, 1 => well(Just(Value::Null))].boxed()
}

/// An object of the shape's members, each left out a quarter of the time, with up to
/// two members the shape does not have (which decoding ignores), now and then not an
/// object at all. Well-typed when every member it holds is.
fn object(members: Vec<(&'static str, BoxedStrategy<Member>)>) -> BoxedStrategy<Member> {
    let (names, values): (Vec<_>, Vec<_>) = members
        .into_iter()
        .map(|(name, value)| (name, proptest::option::weighted(0.75, value)))
        .unzip();
    // None of these is a member of any shape used here, in any case.
    let extra_name = proptest::sample::select(vec![
        "Name",
        "pipelineName",
        "client_request_token",
        "other",
        "__type",
        "",
    ]);
    let extras = proptest::collection::vec((extra_name, junk()), 0..3);
    let object = (values, extras).prop_map(move |(values, extras)| {
        let mut object = Map::new();
        let mut well_typed = true;
        for (name, member) in names.iter().zip(values) {
            if let Some((value, typed)) = member {
                well_typed &= typed;
                object.insert((*name).to_owned(), value);
            }
        }
        for (name, value) in extras {
            object.insert(name.to_owned(), value);
        }
        (Value::Object(object), well_typed)
    });
    prop_oneof![
        39 => object,
        // Not an array: serde would read one as the members in order.
        1 => ill(prop_oneof![Just(json!("P")), Just(json!(7)), Just(json!(true))]),
    ]
    .boxed()
}

/// A list member: a few elements, now and then more than the list may hold (each
/// element drawn once and repeated), now and then not a list.
fn list_member(element: BoxedStrategy<Member>, max: usize) -> BoxedStrategy<Member> {
    let few = proptest::collection::vec(element.clone(), 0..4).prop_map(|elements| {
        let well_typed = elements.iter().all(|(_, typed)| *typed);
        let values = elements.into_iter().map(|(value, _)| value).collect();
        (Value::Array(values), well_typed)
    });
    let too_many = (element, max + 1..max + 4)
        .prop_map(|((value, typed), n)| (Value::Array(vec![value; n]), typed));
    let not_a_list = not_a_string().prop_filter("not a list", |v| !v.is_array());
    prop_oneof![16 => few, 2 => too_many, 1 => ill(not_a_list)].boxed()
}

/// StartPipelineExecution bodies as JSON: the operation's own members (`name`,
/// `clientRequestToken`, `variables`, `sourceRevisions`, and theirs) with values that are
/// valid, out of range, of the wrong type, or missing, plus members it does not have.
/// Most of them decode, so the property reaches validation and the engine.
fn start_json() -> BoxedStrategy<Member> {
    let name = string_member(
        prop_oneof![
            2 => Just("P".to_owned()),
            1 => "[A-Za-z0-9.@_-]{1,100}",
        ]
        .boxed(),
        100,
    );
    let token = optional(string_member("[a-zA-Z0-9-]{1,128}".boxed(), 128));
    let variable = object(vec![
        (
            "name",
            string_member(
                prop_oneof![3 => Just("env".to_owned()), 1 => "[A-Za-z0-9@_-]{1,128}"].boxed(),
                128,
            ),
        ),
        ("value", string_member("\\PC{1,20}".boxed(), 1000)),
    ]);
    let revision = object(vec![
        (
            "actionName",
            string_member(
                prop_oneof![
                    3 => Just("Fetch".to_owned()),
                    1 => Just("Ship".to_owned()),
                    1 => "[A-Za-z0-9.@_-]{1,100}",
                ]
                .boxed(),
                100,
            ),
        ),
        (
            "revisionType",
            string_member(
                prop_oneof![
                    3 => proptest::sample::select(SourceRevisionType::VALUES)
                        .prop_map(str::to_owned),
                    1 => "[A-Z_]{1,16}",
                ]
                .boxed(),
                // Any string decodes; one the model does not list fails validation.
                20,
            ),
        ),
        ("revisionValue", string_member("\\PC{1,40}".boxed(), 1500)),
    ]);
    object(vec![
        ("name", name),
        ("clientRequestToken", token),
        ("variables", optional(list_member(variable, 50))),
        ("sourceRevisions", optional(list_member(revision, 50))),
    ])
}

/// The pipeline the JSON properties start: QUEUED (V2, so variables are allowed) with a
/// variable `env` that has a default.
fn declared() -> PipelineDeclaration {
    two_stages("P")
        .v2(ExecutionMode::Queued)
        .variable("env", Some("dev"))
}

/// What one JSON body did: `None` when it did not decode, else the start's answer.
async fn start_with(body: &Value) -> (Option<Result<(), &'static str>>, PipelineStats) {
    let sim = sim();
    create(&sim, declared()).await;
    let answer = match serde_json::from_str::<StartPipelineExecutionInput>(&body.to_string()) {
        Err(_) => None,
        Ok(input) => Some(
            sim.start_pipeline_execution(input)
                .await
                .map(drop)
                .map_err(|err| err.error_type()),
        ),
    };
    (answer, sim.pipeline_stats("P").unwrap())
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
    fn arbitrary_json_never_panics_the_decoder_or_validation((body, well_typed) in start_json()) {
        let (answer, stats) = runtime().block_on(start_with(&body));
        prop_assert_eq!(answer.is_some(), well_typed, "{} decoded: {:?}", body, answer);
        match answer {
            None => {}
            Some(Ok(())) => {
                prop_assert_eq!(&body["name"], "P", "only P exists");
                let token = body["clientRequestToken"].is_string();
                prop_assert_eq!(
                    (stats.retained_executions, stats.remembered_tokens),
                    (1, usize::from(token))
                );
            }
            Some(Err(error_type)) => {
                prop_assert!(
                    ["ValidationException", "PipelineNotFoundException"].contains(&error_type),
                    "{} answered {}", body, error_type
                );
                prop_assert_eq!((stats.retained_executions, stats.remembered_tokens), (0, 0));
            }
        }
    }
}

/// The JSON strategy does what it is for: most bodies decode, and those reach every
/// outcome, not only the decoder's error.
#[test]
fn json_of_the_start_shape_mostly_reaches_validation() {
    let rt = runtime();
    let mut runner = TestRunner::deterministic();
    let mut seen = std::collections::BTreeMap::new();
    for _ in 0..500 {
        let (body, _) = start_json().new_tree(&mut runner).unwrap().current();
        let outcome = match rt.block_on(start_with(&body)).0 {
            None => "not decoded",
            Some(Ok(())) => "started",
            Some(Err(error_type)) => error_type,
        };
        *seen.entry(outcome).or_insert(0) += 1;
    }
    let count = |outcome| seen.get(outcome).copied().unwrap_or(0);
    assert!(count("not decoded") < 250, "{seen:?}");
    for outcome in [
        "started",
        "ValidationException",
        "PipelineNotFoundException",
    ] {
        assert!(count(outcome) >= 5, "{outcome}: {seen:?}");
    }
}
