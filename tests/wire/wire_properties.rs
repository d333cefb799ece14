//! Properties of the wire: whatever bytes or JSON arrive, for whatever operation, the
//! answer is a 2xx or a 4xx in the AWS JSON 1.1 shape with an error type pipesim knows,
//! never a 5xx or a panic, and a refused call changes nothing. These run through the
//! router without a socket, so they try hundreds of bodies a second.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use pipesim::model::{
    ListPipelinesInput, ListWebhooksInput, Operation, PipelineDeclaration, PutWebhookInput,
    WebhookDefinition,
};
use pipesim::server::{ServerConfig, router};
use pipesim::{Error, Simulator};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};
use tower::ServiceExt;

const SEED: u64 = 5;
const ARN: &str = "arn:aws:codepipeline:us-east-1:123456789012:P";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A router on a fresh simulator holding pipeline `P` and one execution of it, whose id
/// is [`execution_id`]; and the simulator, to look at its state.
fn app(rt: &tokio::runtime::Runtime) -> (axum::Router, Simulator) {
    let sim = Simulator::builder().seed(SEED).virtual_time().build();
    rt.block_on(sim.create_pipeline(PipelineDeclaration::two_stage_example("P")))
        .unwrap();
    rt.block_on(sim.start_pipeline_execution("P")).unwrap();
    let hook = WebhookDefinition::new("H", "P", "Fetch").filter("$.ref", "refs/heads/main");
    rt.block_on(sim.put_webhook(PutWebhookInput::new(hook)))
        .unwrap();
    let app = router(
        sim.clone(),
        ServerConfig::default().max_body_bytes(16 * 1024),
    );
    (app, sim)
}

/// The id of the execution every [`app`] holds: the seed draws the same one each time.
fn execution_id() -> String {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let rt = runtime();
        let (_, sim) = app(&rt);
        let list = rt.block_on(sim.list_pipeline_executions("P")).unwrap();
        list.pipeline_execution_summaries[0]
            .pipeline_execution_id
            .clone()
    })
    .clone()
}

/// Everything a client can see of an [`app`]'s simulator.
fn observe(rt: &tokio::runtime::Runtime, sim: &Simulator) -> String {
    rt.block_on(async {
        let pipelines = sim.list_pipelines(ListPipelinesInput::default()).await;
        let mut seen = format!("{pipelines:?}");
        seen += &format!(
            "{:?}",
            sim.list_webhooks(ListWebhooksInput::default()).await
        );
        for pipeline in pipelines.map(|p| p.pipelines).unwrap_or_default() {
            let name = pipeline.name.as_str();
            seen += &format!("{:?}", sim.get_pipeline(name).await);
            seen += &format!("{:?}", sim.get_pipeline_state(name).await);
            seen += &format!("{:?}", sim.list_pipeline_executions(name).await);
            let arn = format!("arn:aws:codepipeline:us-east-1:123456789012:{name}");
            seen += &format!("{:?}", sim.list_tags_for_resource(arn.as_str()).await);
        }
        seen
    })
}

/// Sends one call and checks the shape of the answer; answers the status and, for an
/// error, its type.
fn check(
    rt: &tokio::runtime::Runtime,
    (app, sim): &(axum::Router, Simulator),
    operation: Operation,
    body: Vec<u8>,
) -> (StatusCode, Option<String>) {
    let before = observe(rt, sim);
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
        let known = error_type
            .as_deref()
            .and_then(|t| Error::from_type(t, String::new()))
            .unwrap_or_else(|| panic!("{operation}: unknown error type {error_type:?}"));
        assert_eq!(
            status.as_u16(),
            known.http_status(),
            "{operation}: {error_type:?} with the status of another error"
        );
        assert_eq!(
            observe(rt, sim),
            before,
            "{operation}: a refused call changed state: {json}"
        );
    }
    (status, error_type)
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
        "transitionType",
        "ruleOwnerFilter",
        "actionTypeId",
        "jobId",
        "nonce",
        "clientToken",
        "maxBatchSize",
        "failureDetails",
        "conditionType",
        "regionFilter",
        "filter",
        "latestInPipelineExecution",
        "startTimeRange",
        "stageName",
        "actionName",
        "actionRevision",
        "revisionId",
        "revisionChangeId",
        "created",
        "webhook",
        "webhookName",
        "targetPipeline",
        "targetAction",
        "filters",
        "jsonPath",
        "matchEquals",
        "authentication",
        "authenticationConfiguration",
        "SecretToken",
        "AllowedIPRange",
        "MaxResults",
        "NextToken",
        "category",
        "provider",
        "version",
        "owner",
        "actionOwnerFilter",
        "configurationProperties",
        "actionType",
        "executor",
        "actionExecutionId",
        "values",
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

/// The id of the newest action run of the execution every [`app`] holds.
fn action_execution_id() -> String {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let rt = runtime();
        let (_, sim) = app(&rt);
        let list = rt.block_on(sim.list_action_executions("P")).unwrap();
        list.action_execution_details[0].action_execution_id.clone()
    })
    .clone()
}

/// A well-formed body of `operation` that names what an [`app`] holds. Each one is
/// answered 200 but PutApprovalResult's (no approval of `P` waits for that token) and
/// RetryStageExecution's, RollbackStage's and OverrideStageCondition's (the execution has
/// not reached, let alone failed or passed, that stage).
/// A job id no job has.
const JOB: &str = "22222222-2222-4222-8222-222222222222";

fn example(operation: Operation) -> Value {
    let id = execution_id();
    let pipeline =
        |name: &str| serde_json::to_value(PipelineDeclaration::two_stage_example(name)).unwrap();
    match operation.name() {
        "CreatePipeline" => {
            json!({"pipeline": pipeline("Q"), "tags": [{"key": "team", "value": "web"}]})
        }
        "GetPipeline" => json!({"name": "P", "version": 1}),
        "UpdatePipeline" => json!({"pipeline": pipeline("P")}),
        "DeletePipeline" | "GetPipelineState" => json!({"name": "P"}),
        "ListPipelines" => json!({"maxResults": 10}),
        "StartPipelineExecution" => json!({
            "name": "P",
            "clientRequestToken": "deploy-1",
            "sourceRevisions": [{"actionName": "Fetch", "revisionType": "COMMIT_ID", "revisionValue": "abc123"}],
        }),
        "StopPipelineExecution" => {
            json!({"pipelineName": "P", "pipelineExecutionId": id, "abandon": true, "reason": "no"})
        }
        "GetPipelineExecution" => json!({"pipelineName": "P", "pipelineExecutionId": id}),
        "ListPipelineExecutions" => json!({"pipelineName": "P", "maxResults": 5}),
        "ListActionExecutions" => json!({
            "pipelineName": "P",
            "filter": {"pipelineExecutionId": id},
            "maxResults": 5,
        }),
        "ListDeployActionExecutionTargets" => json!({
            "pipelineName": "P",
            "actionExecutionId": action_execution_id(),
            "filters": [{"name": "TARGET_STATUS", "values": ["Succeeded"]}],
            "maxResults": 5,
        }),
        "PutApprovalResult" => json!({
            "pipelineName": "P",
            "stageName": "Deploy",
            "actionName": "Ship",
            "result": {"summary": "looks good", "status": "Approved"},
            "token": "11111111-1111-4111-8111-111111111111",
        }),
        "DisableStageTransition" => json!({
            "pipelineName": "P",
            "stageName": "Deploy",
            "transitionType": "Inbound",
            "reason": "Release freeze",
        }),
        "EnableStageTransition" => {
            json!({"pipelineName": "P", "stageName": "Deploy", "transitionType": "Outbound"})
        }
        "RetryStageExecution" => json!({
            "pipelineName": "P",
            "stageName": "Deploy",
            "pipelineExecutionId": id,
            "retryMode": "ALL_ACTIONS",
        }),
        "RollbackStage" => json!({
            "pipelineName": "P",
            "stageName": "Deploy",
            "targetPipelineExecutionId": id,
        }),
        "OverrideStageCondition" => json!({
            "pipelineName": "P",
            "stageName": "Deploy",
            "pipelineExecutionId": id,
            "conditionType": "ON_SUCCESS",
        }),
        "ListRuleExecutions" => json!({
            "pipelineName": "P",
            "filter": {"latestInPipelineExecution": {"pipelineExecutionId": id, "startTimeRange": "All"}},
            "maxResults": 5,
        }),
        "ListRuleTypes" => json!({"ruleOwnerFilter": "AWS", "regionFilter": "us-east-1"}),
        "CreateCustomActionType" => json!({
            "category": "Build", "provider": "Jenkins", "version": "1",
            "settings": {"entityUrlTemplate": "https://ci.example.com/{Config:Project}"},
            "configurationProperties": [{"name": "Project", "required": true, "key": true,
                "secret": false, "queryable": true, "description": "The job", "type": "String"}],
            "inputArtifactDetails": {"minimumCount": 0, "maximumCount": 1},
            "outputArtifactDetails": {"minimumCount": 0, "maximumCount": 1},
            "tags": [{"key": "team", "value": "web"}],
        }),
        "DeleteCustomActionType" => {
            json!({"category": "Build", "provider": "Jenkins", "version": "1"})
        }
        "ListActionTypes" => json!({"actionOwnerFilter": "AWS", "regionFilter": "us-east-1"}),
        "GetActionType" => json!({
            "category": "Test", "owner": "ThirdParty", "provider": "TestProvider", "version": "1",
        }),
        "UpdateActionType" => json!({"actionType": {
            "description": "Runs tests",
            "executor": {"type": "Lambda", "jobTimeout": 600, "configuration": {
                "lambdaExecutorConfiguration": {
                    "lambdaFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:tests"}}},
            "id": {"category": "Test", "owner": "ThirdParty", "provider": "TestProvider",
                "version": "1"},
            "inputArtifactDetails": {"minimumCount": 0, "maximumCount": 1},
            "outputArtifactDetails": {"minimumCount": 0, "maximumCount": 1},
            "permissions": {"allowedAccounts": ["123456789012"]},
            "properties": [{"name": "Suite", "optional": false, "key": true, "noEcho": false,
                "queryable": true}],
            "urls": {"configurationUrl": "https://tests.example.com"},
        }}),
        "ListTagsForResource" => json!({"resourceArn": ARN, "maxResults": 10}),
        "TagResource" => json!({"resourceArn": ARN, "tags": [{"key": "team", "value": "web"}]}),
        "UntagResource" => json!({"resourceArn": ARN, "tagKeys": ["team"]}),
        "PollForJobs" => json!({
            "actionTypeId": {"category": "Build", "owner": "Custom", "provider": "Jenkins", "version": "1"},
            "maxBatchSize": 5,
            "queryParam": {"ProjectName": "web"},
        }),
        "PollForThirdPartyJobs" => json!({
            "actionTypeId": {"category": "Test", "owner": "ThirdParty", "provider": "Partner", "version": "1"},
            "maxBatchSize": 5,
        }),
        "AcknowledgeJob" => json!({"jobId": JOB, "nonce": "1"}),
        "GetJobDetails" => json!({ "jobId": JOB }),
        "PutJobSuccessResult" => json!({
            "jobId": JOB,
            "executionDetails": {"summary": "done", "externalExecutionId": "7", "percentComplete": 100},
            "outputVariables": {"Version": "1.0"},
        }),
        "PutJobFailureResult" => json!({
            "jobId": JOB,
            "failureDetails": {"type": "JobFailed", "message": "broken", "externalExecutionId": "7"},
        }),
        "AcknowledgeThirdPartyJob" => json!({"jobId": JOB, "nonce": "1", "clientToken": "t"}),
        "GetThirdPartyJobDetails" => json!({"jobId": JOB, "clientToken": "t"}),
        "PutThirdPartyJobSuccessResult" => json!({
            "jobId": JOB,
            "clientToken": "t",
            "continuationToken": "step-2",
            "currentRevision": {"revision": "abc", "changeIdentifier": "1"},
        }),
        "PutThirdPartyJobFailureResult" => json!({
            "jobId": JOB,
            "clientToken": "t",
            "failureDetails": {"type": "ConfigurationError", "message": "broken"},
        }),
        "PutActionRevision" => json!({
            "pipelineName": "P",
            "stageName": "Source",
            "actionName": "Fetch",
            "actionRevision": {"revisionId": "v-2", "revisionChangeId": "c-2", "created": 1_735_689_600},
        }),
        "PutWebhook" => json!({
            "webhook": {
                "name": "W",
                "targetPipeline": "P",
                "targetAction": "Fetch",
                "filters": [{"jsonPath": "$.ref", "matchEquals": "refs/heads/{Branch}"}],
                "authentication": "GITHUB_HMAC",
                "authenticationConfiguration": {"SecretToken": "s3cret"},
            },
            "tags": [{"key": "team", "value": "web"}],
        }),
        "ListWebhooks" => json!({"MaxResults": 10}),
        "DeleteWebhook" => json!({"name": "H"}),
        "RegisterWebhookWithThirdParty" | "DeregisterWebhookWithThirdParty" => {
            json!({"webhookName": "H"})
        }
        other => panic!("no example body for {other}: add one"),
    }
}

/// One change to a document, at the node its `usize` picks.
#[derive(Clone, Debug)]
enum Mutation {
    /// Leave the member or element out.
    Remove,
    /// Put another value in its place: of another type, out of range, or junk.
    Replace(Value),
    /// Add a member the shape does not have (in an object), or one more element.
    Insert(String, Value),
    /// Repeat an array's first element, past any list's limit.
    Repeat(usize),
}

/// Values that break a member: the wrong type, strings empty, too long or of the wrong
/// characters, numbers out of range, and nested junk.
fn bad_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        prop_oneof![
            Just(-1i64),
            Just(0),
            Just(1001),
            Just(i64::MAX),
            Just(i64::MIN)
        ]
        .prop_map(Value::from),
        Just(json!(1.5)),
        Just(json!("")),
        (101usize..2100).prop_map(|n| Value::from("a".repeat(n))),
        "[a-z]{0,4}[ /#$%!é:]{1,3}".prop_map(Value::from),
        Just(json!("P")),
        Just(json!("00000000-0000-4000-8000-000000000000")),
        json_value(),
    ]
}

fn mutation() -> impl Strategy<Value = (usize, Mutation)> {
    let mutation = prop_oneof![
        2 => Just(Mutation::Remove),
        4 => bad_value().prop_map(Mutation::Replace),
        1 => ("[a-zA-Z_]{1,12}", json_value()).prop_map(|(k, v)| Mutation::Insert(k, v)),
        1 => (51usize..60).prop_map(Mutation::Repeat),
    ];
    (any::<usize>(), mutation)
}

/// The JSON pointer of every node of `value`, the root first.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                pointers(member, format!("{at}/{escaped}"), out);
            }
        }
        Value::Array(elements) => {
            for (i, element) in elements.iter().enumerate() {
                pointers(element, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn apply(doc: &mut Value, (pick, mutation): (usize, Mutation)) {
    let mut all = Vec::new();
    pointers(doc, String::new(), &mut all);
    let at = &all[pick % all.len()];
    match mutation {
        Mutation::Remove => {
            let Some((parent, last)) = at.rsplit_once('/') else {
                return; // the root stays
            };
            let key = last.replace("~1", "/").replace("~0", "~");
            match doc.pointer_mut(parent) {
                Some(Value::Object(members)) => {
                    members.remove(&key);
                }
                Some(Value::Array(elements)) => {
                    elements.remove(key.parse::<usize>().unwrap());
                }
                _ => unreachable!("a pointer's parent holds it"),
            }
        }
        Mutation::Replace(value) => {
            if at.is_empty() {
                return; // the root stays an object: not-an-object is `json_value`'s
            }
            *doc.pointer_mut(at).unwrap() = value;
        }
        Mutation::Insert(key, value) => match doc.pointer_mut(at).unwrap() {
            Value::Object(members) => {
                members.entry(key).or_insert(value);
            }
            Value::Array(elements) => elements.push(value),
            _ => {}
        },
        Mutation::Repeat(n) => {
            if let Some(Value::Array(elements)) = doc.pointer_mut(at)
                && let Some(first) = elements.first().cloned()
            {
                elements.resize(n, first);
            }
        }
    }
}

/// Bodies of `operation`'s own shape: its example with up to three mutations, so that
/// most reach the operation's validation rather than stopping at decoding.
fn shaped(operation: Operation) -> impl Strategy<Value = Value> {
    proptest::collection::vec(mutation(), 0..=3).prop_map(move |mutations| {
        let mut doc = example(operation);
        for m in mutations {
            apply(&mut doc, m);
        }
        doc
    })
}

fn shaped_call() -> impl Strategy<Value = (Operation, Value)> {
    operation().prop_flat_map(|operation| (Just(operation), shaped(operation)))
}

#[test]
fn every_example_body_is_answered_200_except_where_there_is_nothing_to_act_on() {
    let rt = runtime();
    for &operation in Operation::ALL {
        let (status, error) = check(
            &rt,
            &app(&rt),
            operation,
            example(operation).to_string().into_bytes(),
        );
        let job_operation = matches!(
            operation.name(),
            "AcknowledgeJob"
                | "GetJobDetails"
                | "PutJobSuccessResult"
                | "PutJobFailureResult"
                | "AcknowledgeThirdPartyJob"
                | "GetThirdPartyJobDetails"
                | "PutThirdPartyJobSuccessResult"
                | "PutThirdPartyJobFailureResult"
        );
        if operation == Operation::PollForJobs {
            // No custom type exists to poll for.
            assert_eq!(error.as_deref(), Some("ActionTypeNotFoundException"));
        } else if job_operation {
            // No job exists to act on.
            assert_eq!(
                error.as_deref(),
                Some("JobNotFoundException"),
                "{operation}"
            );
        } else if operation == Operation::PutApprovalResult {
            assert_eq!(error.as_deref(), Some("InvalidApprovalTokenException"));
        } else if operation == Operation::GetActionType || operation == Operation::UpdateActionType
        {
            // No action type is registered for the account.
            assert_eq!(error.as_deref(), Some("ActionTypeNotFoundException"));
        } else if operation == Operation::RollbackStage {
            assert_eq!(error.as_deref(), Some("UnableToRollbackStageException"));
        } else if operation == Operation::RetryStageExecution
            || operation == Operation::OverrideStageCondition
        {
            assert_eq!(
                error.as_deref(),
                Some("NotLatestPipelineExecutionException")
            );
        } else {
            assert_eq!(status, StatusCode::OK, "{operation}: {error:?}");
        }
    }
}

/// A fault rule on an operation may answer each error its model lists, over the wire,
/// and the faulted call changes nothing (as `check` verifies).
#[test]
fn every_operation_answers_each_of_its_modeled_errors_from_a_fault_rule() {
    let rt = runtime();
    for &operation in Operation::ALL {
        for error in operation.modeled_errors() {
            let app = app(&rt);
            let rule = pipesim::faults::FaultRule::error(error.name()).operation(operation.name());
            app.1.add_fault(rule).unwrap();
            let body = example(operation).to_string().into_bytes();
            let (status, answered) = check(&rt, &app, operation, body);
            assert_eq!(status, StatusCode::BAD_REQUEST, "{operation}: {error:?}");
            assert_eq!(answered.as_deref(), Some(error.name()), "{operation}");
        }
    }
}

/// The shaped bodies do what they are for: most are read, and they reach both success
/// and the operations' own errors, not only `SerializationException`.
#[test]
fn shaped_bodies_mostly_get_past_decoding() {
    let rt = runtime();
    let mut runner = TestRunner::deterministic();
    let (mut ok, mut serialization, mut other) = (0, 0, 0);
    for _ in 0..300 {
        let (operation, body) = shaped_call().new_tree(&mut runner).unwrap().current();
        match check(&rt, &app(&rt), operation, body.to_string().into_bytes()) {
            (StatusCode::OK, _) => ok += 1,
            (_, Some(t)) if t == "SerializationException" => serialization += 1,
            _ => other += 1,
        }
    }
    assert!(
        serialization < ok + other,
        "{serialization} of 300 were not read ({ok} ok, {other} other errors)"
    );
    assert!(ok >= 30 && other >= 30, "{ok} ok, {other} other errors");
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

    #[test]
    fn json_of_each_operations_shape_gets_a_2xx_or_a_json_4xx((operation, json) in shaped_call()) {
        let rt = runtime();
        check(&rt, &app(&rt), operation, json.to_string().into_bytes());
    }
}
