//! Router and wire-format tests: requests go through the axum router with `oneshot`,
//! without a socket. The SDK-level tests are in `tests/wire/`.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::*;
use crate::model::{
    Condition, ConditionResult, ExecutionMode, PipelineDeclaration, RuleDeclaration,
};

const SIGNED_BY_111: &str = "AWS4-HMAC-SHA256 Credential=111111111111/20250101/eu-west-1/codepipeline/aws4_request, SignedHeaders=host;x-amz-target, Signature=00";

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!(
                "not JSON ({err}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// Asserts an AWS JSON 1.1 error of `error_type` with `status`; answers its message.
    fn assert_error(&self, status: StatusCode, error_type: &str) -> String {
        assert_eq!(
            self.status,
            status,
            "{:?}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.header("content-type"), Some(protocol::CONTENT_TYPE));
        assert_eq!(self.header("x-amzn-errortype"), Some(error_type));
        assert!(self.header("x-amzn-requestid").is_some());
        let body = self.json();
        assert_eq!(body["__type"], error_type);
        body["message"].as_str().expect("a message").to_owned()
    }
}

fn app() -> Router {
    // Quiet pipelines: these tests count the executions they start.
    let sim = Simulator::builder()
        .seed(3)
        .virtual_time()
        .start_on_create(false)
        .build();
    router(sim, ServerConfig::default().max_body_bytes(64 * 1024))
}

async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: body.to_vec(),
    }
}

fn api_request(target: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post("/")
        .header(header::CONTENT_TYPE, protocol::CONTENT_TYPE)
        .header(
            "x-amz-target",
            format!("{}{target}", protocol::TARGET_PREFIX),
        )
        .body(body.into())
        .unwrap()
}

async fn call(app: &Router, target: &str, body: Value) -> Answer {
    send(app, api_request(target, body.to_string())).await
}

async fn create(app: &Router, name: &str) {
    let pipeline = PipelineDeclaration::two_stage_example(name);
    let answer = call(app, "CreatePipeline", json!({ "pipeline": pipeline })).await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn success_is_json_with_content_type_and_request_id() {
    let app = app();
    create(&app, "P").await;
    let answer = call(&app, "StartPipelineExecution", json!({"name": "P"})).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), Some(protocol::CONTENT_TYPE));
    let request_id = answer.header("x-amzn-requestid").unwrap();
    assert!(uuid::Uuid::parse_str(request_id).is_ok(), "{request_id}");
    let id = answer.json()["pipelineExecutionId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(id.parse::<crate::model::ExecutionId>().is_ok(), "{id}");
}

#[tokio::test]
async fn timestamps_are_epoch_second_numbers() {
    let app = app();
    create(&app, "P").await;
    let answer = call(&app, "GetPipeline", json!({"name": "P"})).await;
    let created = &answer.json()["metadata"]["created"];
    // 2025-01-01T00:00:00Z, where virtual time starts.
    assert_eq!(created.as_f64(), Some(1_735_689_600.0), "{created}");
}

#[tokio::test]
async fn operation_without_output_answers_an_empty_body_with_the_content_type() {
    let app = app();
    create(&app, "P").await;
    let answer = call(&app, "DeletePipeline", json!({"name": "P"})).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), Some(protocol::CONTENT_TYPE));
    assert!(answer.body.is_empty());
}

#[tokio::test]
async fn empty_body_is_the_empty_input() {
    let app = app();
    let answer = send(&app, api_request("ListPipelines", Body::empty())).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json(), json!({"pipelines": []}));
}

#[tokio::test]
async fn modeled_error_has_type_in_body_and_header() {
    let app = app();
    let answer = call(&app, "StartPipelineExecution", json!({"name": "Missing"})).await;
    let message = answer.assert_error(StatusCode::BAD_REQUEST, "PipelineNotFoundException");
    assert_eq!(
        message,
        "Pipeline with name Missing does not exist in account 123456789012."
    );
}

#[tokio::test]
async fn malformed_json_is_a_serialization_exception() {
    let app = app();
    for body in [
        &b"{\"name\": "[..],
        b"[1, 2]",
        b"\xff\xfe\x00garbage",
        b"{\"name\": \"P\", \"variables\": {\"a\": 1}}",
    ] {
        let answer = send(&app, api_request("StartPipelineExecution", body.to_vec())).await;
        let message = answer.assert_error(StatusCode::BAD_REQUEST, "SerializationException");
        assert!(
            message.starts_with("Cannot read the StartPipelineExecution request"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn deeply_nested_json_is_refused_without_overflowing_the_stack() {
    let app = app();
    let depth = 20_000;
    let body = format!(
        "{{\"pipeline\": {}{}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let answer = send(&app, api_request("CreatePipeline", body)).await;
    answer.assert_error(StatusCode::BAD_REQUEST, "SerializationException");
}

#[tokio::test]
async fn unknown_and_missing_targets_are_unknown_operations() {
    let app = app();
    let answer = call(&app, "LaunchRocket", json!({})).await;
    let message = answer.assert_error(StatusCode::BAD_REQUEST, "UnknownOperationException");
    assert_eq!(
        message,
        "Unknown operation 'CodePipeline_20150709.LaunchRocket'"
    );
    let request = Request::post("/").body(Body::from("{}")).unwrap();
    let answer = send(&app, request).await;
    answer.assert_error(StatusCode::BAD_REQUEST, "UnknownOperationException");
}

#[tokio::test]
async fn body_over_the_limit_is_refused_with_413() {
    let app = app();
    let big = vec![b' '; 64 * 1024 + 1];
    let answer = send(&app, api_request("ListPipelines", big.clone())).await;
    let message = answer.assert_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "RequestEntityTooLargeException",
    );
    assert!(message.contains("65536 bytes"), "{message}");

    // Without a Content-Length (a streamed body), the limit still holds.
    let chunks = futures_stream(big);
    let answer = send(&app, api_request("ListPipelines", chunks)).await;
    answer.assert_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "RequestEntityTooLargeException",
    );
}

/// A body without a known length, sent in 1 KiB chunks.
fn futures_stream(bytes: Vec<u8>) -> Body {
    let chunks: Vec<Result<axum::body::Bytes, std::io::Error>> = bytes
        .chunks(1024)
        .map(|c| Ok(axum::body::Bytes::copy_from_slice(c)))
        .collect();
    Body::from_stream(futures_util::stream::iter(chunks))
}

#[tokio::test]
async fn other_methods_and_paths_get_json_errors() {
    let app = app();
    let answer = send(&app, Request::get("/").body(Body::empty()).unwrap()).await;
    answer.assert_error(StatusCode::METHOD_NOT_ALLOWED, "UnknownOperationException");
    assert_eq!(answer.header("allow"), Some("POST"));

    let answer = send(&app, Request::post("/api/v1").body(Body::empty()).unwrap()).await;
    let message = answer.assert_error(StatusCode::NOT_FOUND, "UnknownOperationException");
    assert!(message.starts_with("Nothing at POST /api/v1"), "{message}");
}

#[tokio::test]
async fn health_answers_status_version_and_seed() {
    let app = app();
    let request = Request::get("/_pipesim/health")
        .body(Body::empty())
        .unwrap();
    let answer = send(&app, request).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(
        answer.json(),
        json!({"status": "ok", "version": env!("CARGO_PKG_VERSION"), "seed": 3})
    );
}

#[tokio::test]
async fn signed_requests_act_in_the_account_and_region_of_their_credential() {
    let app = app();
    let pipeline = PipelineDeclaration::two_stage_example("P");
    let mut request = api_request(
        "CreatePipeline",
        json!({ "pipeline": pipeline }).to_string(),
    );
    request
        .headers_mut()
        .insert(header::AUTHORIZATION, SIGNED_BY_111.parse().unwrap());
    assert_eq!(send(&app, request).await.status, StatusCode::OK);

    // Invisible to the default account and region...
    let answer = call(&app, "GetPipeline", json!({"name": "P"})).await;
    answer.assert_error(StatusCode::BAD_REQUEST, "PipelineNotFoundException");

    // ...and visible to its own, with an ARN in that account and region.
    let mut request = api_request("GetPipeline", json!({"name": "P"}).to_string());
    request
        .headers_mut()
        .insert(header::AUTHORIZATION, SIGNED_BY_111.parse().unwrap());
    let answer = send(&app, request).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.json()["metadata"]["pipelineArn"],
        "arn:aws:codepipeline:eu-west-1:111111111111:P"
    );
}

/// Each target reaches its own operation: every call below answers something only that
/// operation answers. The targets are written out here rather than taken from the
/// registry the router is generated from, so a target routed to the wrong operation, or
/// not at all, fails.
#[tokio::test]
async fn every_target_reaches_its_own_operation() {
    let app = app();
    let arn = "arn:aws:codepipeline:us-east-1:123456789012:R";
    let mut pipeline = serde_json::to_value(PipelineDeclaration::two_stage_example("R")).unwrap();
    let ok = |answer: Answer| {
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
        answer
    };
    let mut routed = Vec::new();
    let mut check = |target: &'static str| routed.push(target);

    check("CreatePipeline");
    let created = ok(call(&app, "CreatePipeline", json!({ "pipeline": pipeline })).await);
    assert_eq!(created.json()["pipeline"]["version"], 1);

    check("GetPipeline");
    let got = ok(call(&app, "GetPipeline", json!({"name": "R"})).await);
    assert_eq!(got.json()["metadata"]["pipelineArn"], arn);

    check("UpdatePipeline");
    pipeline["stages"][1]["name"] = json!("Ship");
    let updated = ok(call(&app, "UpdatePipeline", json!({ "pipeline": pipeline })).await);
    assert_eq!(updated.json()["pipeline"]["version"], 2);

    check("ListPipelines");
    let listed = ok(call(&app, "ListPipelines", json!({})).await);
    assert_eq!(listed.json()["pipelines"][0]["name"], "R");

    check("StartPipelineExecution");
    let started = ok(call(&app, "StartPipelineExecution", json!({"name": "R"})).await);
    let id = started.json()["pipelineExecutionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let execution = json!({"pipelineName": "R", "pipelineExecutionId": id});

    check("GetPipelineExecution");
    let got = ok(call(&app, "GetPipelineExecution", execution.clone()).await);
    assert_eq!(
        got.json()["pipelineExecution"]["pipelineExecutionId"],
        id.as_str()
    );

    check("ListPipelineExecutions");
    let listed = ok(call(&app, "ListPipelineExecutions", json!({"pipelineName": "R"})).await);
    assert_eq!(
        listed.json()["pipelineExecutionSummaries"][0]["pipelineExecutionId"],
        id.as_str()
    );

    check("GetPipelineState");
    let state = ok(call(&app, "GetPipelineState", json!({"name": "R"})).await);
    assert_eq!(state.json()["stageStates"][1]["stageName"], "Ship");

    check("StopPipelineExecution");
    let stopped = ok(call(&app, "StopPipelineExecution", execution).await);
    assert_eq!(stopped.json()["pipelineExecutionId"], id.as_str());

    check("PutApprovalResult");
    let token = "00000000-0000-4000-8000-000000000000";
    let answer = call(
        &app,
        "PutApprovalResult",
        json!({"pipelineName": "R", "stageName": "Source", "actionName": "Fetch",
               "result": {"summary": "", "status": "Approved"}, "token": token}),
    )
    .await;
    answer.assert_error(StatusCode::BAD_REQUEST, "InvalidApprovalTokenException");

    check("DisableStageTransition");
    let disabled = ok(call(
        &app,
        "DisableStageTransition",
        json!({"pipelineName": "R", "stageName": "Ship", "transitionType": "Inbound",
               "reason": "Freeze"}),
    )
    .await);
    assert!(disabled.body.is_empty());
    let state = ok(call(&app, "GetPipelineState", json!({"name": "R"})).await);
    let transition = &state.json()["stageStates"][1]["inboundTransitionState"];
    assert_eq!(transition["enabled"], false);
    assert_eq!(transition["disabledReason"], "Freeze");

    check("EnableStageTransition");
    let enabled = ok(call(
        &app,
        "EnableStageTransition",
        json!({"pipelineName": "R", "stageName": "Ship", "transitionType": "Inbound"}),
    )
    .await);
    assert!(enabled.body.is_empty());

    check("ListActionExecutions");
    let runs = ok(call(&app, "ListActionExecutions", json!({"pipelineName": "R"})).await);
    assert!(runs.json()["actionExecutionDetails"].is_array());

    check("ListDeployActionExecutionTargets");
    let run = runs.json()["actionExecutionDetails"][0]["actionExecutionId"].clone();
    let targets = ok(call(
        &app,
        "ListDeployActionExecutionTargets",
        json!({"pipelineName": "R", "actionExecutionId": run}),
    )
    .await);
    assert!(targets.json()["targets"].is_array());

    check("RetryStageExecution");
    let answer = call(
        &app,
        "RetryStageExecution",
        json!({"pipelineName": "R", "stageName": "Source", "pipelineExecutionId": id,
               "retryMode": "FAILED_ACTIONS"}),
    )
    .await;
    answer.assert_error(StatusCode::BAD_REQUEST, "StageNotRetryableException");

    check("RollbackStage");
    let answer = call(
        &app,
        "RollbackStage",
        json!({"pipelineName": "R", "stageName": "Source", "targetPipelineExecutionId": id}),
    )
    .await;
    answer.assert_error(StatusCode::BAD_REQUEST, "UnableToRollbackStageException");

    check("OverrideStageCondition");
    let answer = call(
        &app,
        "OverrideStageCondition",
        json!({"pipelineName": "R", "stageName": "Source", "pipelineExecutionId": id,
            "conditionType": "BEFORE_ENTRY"}),
    )
    .await;
    answer.assert_error(StatusCode::BAD_REQUEST, "ConditionNotOverridableException");

    check("ListRuleExecutions");
    let runs = ok(call(&app, "ListRuleExecutions", json!({"pipelineName": "R"})).await);
    assert!(runs.json()["ruleExecutionDetails"].is_array());

    check("ListRuleTypes");
    let rules = ok(call(&app, "ListRuleTypes", json!({"ruleOwnerFilter": "AWS"})).await);
    assert_eq!(rules.json()["ruleTypes"][0]["id"]["category"], "Rule");

    check("CreateCustomActionType");
    let custom = json!({"category": "Build", "provider": "Jenkins", "version": "1",
        "configurationProperties": [{"name": "Project", "required": true, "key": true,
            "secret": false, "queryable": true}],
        "inputArtifactDetails": {"minimumCount": 0, "maximumCount": 1},
        "outputArtifactDetails": {"minimumCount": 0, "maximumCount": 1}});
    let created = ok(call(&app, "CreateCustomActionType", custom).await);
    assert_eq!(created.json()["actionType"]["id"]["owner"], "Custom");

    check("ListActionTypes");
    let listed = ok(call(
        &app,
        "ListActionTypes",
        json!({"actionOwnerFilter": "Custom"}),
    )
    .await);
    assert_eq!(listed.json()["actionTypes"][0]["id"]["provider"], "Jenkins");

    check("DeleteCustomActionType");
    let deleted = ok(call(
        &app,
        "DeleteCustomActionType",
        json!({"category": "Build", "provider": "Jenkins", "version": "1"}),
    )
    .await);
    assert!(deleted.body.is_empty());

    check("GetActionType");
    let id = json!({"category": "Test", "owner": "ThirdParty", "provider": "TestProvider",
        "version": "1"});
    call(&app, "GetActionType", id.clone())
        .await
        .assert_error(StatusCode::BAD_REQUEST, "ActionTypeNotFoundException");

    check("UpdateActionType");
    let declaration = json!({"actionType": {"id": id,
        "executor": {"type": "JobWorker", "configuration": {}},
        "inputArtifactDetails": {"minimumCount": 0, "maximumCount": 1},
        "outputArtifactDetails": {"minimumCount": 0, "maximumCount": 1}}});
    call(&app, "UpdateActionType", declaration)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "ActionTypeNotFoundException");

    check("TagResource");
    let tagged = ok(call(
        &app,
        "TagResource",
        json!({"resourceArn": arn, "tags": [{"key": "team", "value": "a"}]}),
    )
    .await);
    assert_eq!(tagged.body, b"{}");

    check("ListTagsForResource");
    let tags = ok(call(&app, "ListTagsForResource", json!({ "resourceArn": arn })).await);
    assert_eq!(tags.json()["tags"], json!([{"key": "team", "value": "a"}]));

    check("UntagResource");
    ok(call(
        &app,
        "UntagResource",
        json!({"resourceArn": arn, "tagKeys": ["team"]}),
    )
    .await);
    let tags = ok(call(&app, "ListTagsForResource", json!({ "resourceArn": arn })).await);
    assert_eq!(tags.json()["tags"], json!([]));

    let custom = json!({"category": "Build", "owner": "Custom", "provider": "Jenkins",
                        "version": "1"});
    check("PollForJobs");
    call(&app, "PollForJobs", json!({ "actionTypeId": custom }))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "ActionTypeNotFoundException");
    let job = "00000000-0000-4000-8000-000000000000";
    let missing =
        |answer: Answer| answer.assert_error(StatusCode::BAD_REQUEST, "JobNotFoundException");
    check("AcknowledgeJob");
    missing(call(&app, "AcknowledgeJob", json!({"jobId": job, "nonce": "1"})).await);
    check("GetJobDetails");
    missing(call(&app, "GetJobDetails", json!({ "jobId": job })).await);
    check("PutJobSuccessResult");
    missing(call(&app, "PutJobSuccessResult", json!({ "jobId": job })).await);
    check("PutJobFailureResult");
    let failure = json!({"type": "JobFailed", "message": "no"});
    missing(
        call(
            &app,
            "PutJobFailureResult",
            json!({"jobId": job, "failureDetails": failure}),
        )
        .await,
    );
    let partner = json!({"category": "Test", "owner": "ThirdParty", "provider": "Partner",
                         "version": "1"});
    check("PollForThirdPartyJobs");
    let polled = ok(call(
        &app,
        "PollForThirdPartyJobs",
        json!({ "actionTypeId": partner }),
    )
    .await);
    assert_eq!(polled.json()["jobs"], json!([]));
    let third = json!({"jobId": job, "clientToken": "t"});
    check("AcknowledgeThirdPartyJob");
    missing(
        call(
            &app,
            "AcknowledgeThirdPartyJob",
            json!({"jobId": job, "clientToken": "t", "nonce": "1"}),
        )
        .await,
    );
    check("GetThirdPartyJobDetails");
    missing(call(&app, "GetThirdPartyJobDetails", third.clone()).await);
    check("PutThirdPartyJobSuccessResult");
    missing(call(&app, "PutThirdPartyJobSuccessResult", third).await);
    check("PutThirdPartyJobFailureResult");
    missing(
        call(
            &app,
            "PutThirdPartyJobFailureResult",
            json!({"jobId": job, "clientToken": "t", "failureDetails": failure}),
        )
        .await,
    );
    check("PutActionRevision");
    let put = ok(call(
        &app,
        "PutActionRevision",
        json!({"pipelineName": "R", "stageName": "Source", "actionName": "Fetch",
               "actionRevision": {"revisionId": "v9", "revisionChangeId": "c9", "created": 1}}),
    )
    .await);
    assert_eq!(put.json()["newRevision"], true);

    check("PutWebhook");
    let hook = json!({"name": "H", "targetPipeline": "R", "targetAction": "Fetch",
        "filters": [{"jsonPath": "$.ref", "matchEquals": "refs/heads/main"}],
        "authentication": "UNAUTHENTICATED", "authenticationConfiguration": {}});
    let put = ok(call(&app, "PutWebhook", json!({ "webhook": hook })).await);
    let hook_arn = "arn:aws:codepipeline:us-east-1:123456789012:webhook:H";
    assert_eq!(put.json()["webhook"]["arn"], hook_arn);

    check("ListWebhooks");
    let listed = ok(call(&app, "ListWebhooks", json!({})).await);
    assert_eq!(listed.json()["webhooks"][0]["definition"]["name"], "H");

    check("RegisterWebhookWithThirdParty");
    let registered = ok(call(
        &app,
        "RegisterWebhookWithThirdParty",
        json!({"webhookName": "H"}),
    )
    .await);
    assert_eq!(registered.body, b"{}");

    check("DeregisterWebhookWithThirdParty");
    call(
        &app,
        "DeregisterWebhookWithThirdParty",
        json!({"webhookName": "X"}),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "WebhookNotFoundException");

    check("DeleteWebhook");
    let deleted = ok(call(&app, "DeleteWebhook", json!({"name": "H"})).await);
    assert_eq!(deleted.body, b"{}");

    check("DeletePipeline");
    let deleted = ok(call(&app, "DeletePipeline", json!({"name": "R"})).await);
    assert!(deleted.body.is_empty());
    call(&app, "GetPipeline", json!({"name": "R"}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "PipelineNotFoundException");

    let mut served: Vec<&str> = Operation::ALL.iter().map(|op| op.name()).collect();
    routed.sort_unstable();
    served.sort_unstable();
    assert_eq!(routed, served, "every served operation is checked here");
}

fn admin(method: &str, path: &str, body: Value) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn admin_error(answer: &Answer, status: StatusCode) -> String {
    assert_eq!(
        answer.status,
        status,
        "{:?}",
        String::from_utf8_lossy(&answer.body)
    );
    assert_eq!(answer.header("content-type"), Some("application/json"));
    answer.json()["error"]
        .as_str()
        .expect("an error")
        .to_owned()
}

#[tokio::test]
async fn admin_faults_are_added_listed_counted_and_removed() {
    let app = app();
    create(&app, "P").await;
    let rule = json!({"operation": "StartPipelineExecution", "pipeline": "*",
        "error": "InternalFailure", "times": 1});
    let answer = send(&app, admin("POST", "/_pipesim/faults", rule)).await;
    assert_eq!(answer.json(), json!({"id": "fault-1"}));

    let first = call(&app, "StartPipelineExecution", json!({"name": "P"})).await;
    first.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalFailure");
    let second = call(&app, "StartPipelineExecution", json!({"name": "P"})).await;
    assert_eq!(second.status, StatusCode::OK);

    let listed = send(&app, admin("GET", "/_pipesim/faults", json!({})))
        .await
        .json();
    assert_eq!(
        listed,
        json!({"faults": [{"id": "fault-1", "operation": "StartPipelineExecution",
            "pipeline": "*", "error": "InternalFailure", "times": 1,
            "matched": 2, "fired": 1}]})
    );
    let removed = send(&app, admin("DELETE", "/_pipesim/faults/fault-1", json!({}))).await;
    assert_eq!(removed.status, StatusCode::OK);
    let again = send(&app, admin("DELETE", "/_pipesim/faults/fault-1", json!({}))).await;
    assert_eq!(
        admin_error(&again, StatusCode::NOT_FOUND),
        "no fault rule with id 'fault-1'"
    );
    let cleared = send(&app, admin("DELETE", "/_pipesim/faults", json!({}))).await;
    assert_eq!(cleared.status, StatusCode::OK);
}

#[tokio::test]
async fn admin_bad_input_is_a_400_saying_what_is_wrong() {
    let app = app();
    let cases = [
        (
            "/_pipesim/faults",
            json!({"error": "ThrottlingException", "probabilty": 1}),
            "the body is not the JSON this call takes: unknown field `probabilty`",
        ),
        (
            "/_pipesim/faults",
            json!({"operation": "ListPipelines", "error": "ConflictException"}),
            "error 'ConflictException' is not one ListPipelines can answer",
        ),
        (
            "/_pipesim/faults",
            json!({"pipeline": "P"}),
            "a rule needs an error, a latencyMs, or both",
        ),
        (
            "/_pipesim/rate-limits",
            json!({"operation": "StartPipelineExecution"}),
            "the body is not the JSON this call takes: missing field `ratePerSecond`",
        ),
        (
            "/_pipesim/clock/advance",
            json!({"seconds": -1}),
            "seconds must be between 0",
        ),
        (
            "/_pipesim/actions/finish",
            json!({"pipeline": "P"}),
            "the body is not the JSON this call takes: missing field `executionId`",
        ),
        (
            "/_pipesim/actions/script",
            json!({"pipeline": "P", "stage": "Deploy", "rule": "R", "runs": []}),
            "the body is not the JSON this call takes: it names the action with `action` alone",
        ),
        (
            "/_pipesim/rules/finish",
            json!({"pipeline": "P", "executionId": "x", "stage": "Deploy", "action": "Ship",
                   "result": "Failed"}),
            "the body is not the JSON this call takes: it names the rule with `rule` alone",
        ),
    ];
    for (path, body, expected) in cases {
        let answer = send(&app, admin("POST", path, body)).await;
        let message = admin_error(&answer, StatusCode::BAD_REQUEST);
        assert!(message.starts_with(expected), "{path}: {message}");
    }
    let answer = send(
        &app,
        Request::post("/_pipesim/faults")
            .body(Body::from("{"))
            .unwrap(),
    )
    .await;
    admin_error(&answer, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn admin_rate_limits_throttle_over_the_wire() {
    let app = app();
    create(&app, "P").await;
    let limit = json!({"operation": "StartPipelineExecution", "ratePerSecond": 1, "burst": 1});
    let answer = send(&app, admin("POST", "/_pipesim/rate-limits", limit)).await;
    assert_eq!(answer.json(), json!({"id": "limit-1"}));
    assert_eq!(
        call(&app, "StartPipelineExecution", json!({"name": "P"}))
            .await
            .status,
        StatusCode::OK
    );
    let throttled = call(&app, "StartPipelineExecution", json!({"name": "P"})).await;
    let message = throttled.assert_error(StatusCode::BAD_REQUEST, "ThrottlingException");
    assert_eq!(message, "Rate exceeded");
    let listed = send(&app, admin("GET", "/_pipesim/rate-limits", json!({})))
        .await
        .json();
    assert_eq!(listed["rateLimits"][0]["throttled"], 1);
    assert_eq!(listed["rateLimits"][0]["per"], "operation");
    let cleared = send(&app, admin("DELETE", "/_pipesim/rate-limits", json!({}))).await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(
        call(&app, "StartPipelineExecution", json!({"name": "P"}))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn admin_clock_moves_virtual_time_and_refuses_real_time() {
    let app = app();
    create(&app, "P").await;
    let id = call(&app, "StartPipelineExecution", json!({"name": "P"}))
        .await
        .json()["pipelineExecutionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let answer = send(
        &app,
        admin("POST", "/_pipesim/clock/advance", json!({"seconds": 90})),
    )
    .await;
    assert_eq!(answer.json(), json!({"now": 1_735_689_690.0}));
    let clock = send(&app, admin("GET", "/_pipesim/clock", json!({})))
        .await
        .json();
    assert_eq!(clock, json!({"now": 1_735_689_690.0, "virtualTime": true}));
    let execution = call(
        &app,
        "GetPipelineExecution",
        json!({"pipelineName": "P", "pipelineExecutionId": id}),
    )
    .await
    .json();
    assert_eq!(execution["pipelineExecution"]["status"], "Succeeded");

    let real = router(
        Simulator::builder().seed(1).build(),
        ServerConfig::default(),
    );
    let answer = send(
        &real,
        admin("POST", "/_pipesim/clock/advance", json!({"seconds": 0.1})),
    )
    .await;
    assert!(admin_error(&answer, StatusCode::BAD_REQUEST).contains("--virtual-time"));
}

#[tokio::test]
async fn admin_finishes_actions_on_demand_and_resets() {
    let app = app();
    create(&app, "P").await;
    let id = call(&app, "StartPipelineExecution", json!({"name": "P"}))
        .await
        .json()["pipelineExecutionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let finish = |stage: &str, action: &str, result: &str| {
        admin(
            "POST",
            "/_pipesim/actions/finish",
            json!({"pipeline": "P",
            "executionId": id, "stage": stage, "action": action, "result": result}),
        )
    };
    assert_eq!(
        send(&app, finish("Source", "Fetch", "Failed")).await.status,
        StatusCode::OK
    );
    let execution = call(
        &app,
        "GetPipelineExecution",
        json!({"pipelineName": "P", "pipelineExecutionId": id}),
    )
    .await
    .json();
    assert_eq!(execution["pipelineExecution"]["status"], "Failed");
    let answer = send(&app, finish("Source", "Fetch", "Succeeded")).await;
    assert!(
        admin_error(&answer, StatusCode::BAD_REQUEST)
            .starts_with("ValidationException: Action 'Fetch'")
    );

    let reset = send(&app, admin("POST", "/_pipesim/reset", json!({}))).await;
    assert_eq!(reset.status, StatusCode::OK);
    let answer = call(&app, "GetPipeline", json!({"name": "P"})).await;
    answer.assert_error(StatusCode::BAD_REQUEST, "PipelineNotFoundException");
}

#[tokio::test]
async fn admin_sets_an_action_to_wait_for_a_job_worker_and_lists_its_jobs() {
    let app = app();
    create(&app, "P").await;
    let set = json!({"pipeline": "P", "stage": "Deploy", "action": "Ship"});
    let answer = send(&app, admin("POST", "/_pipesim/actions/job-worker", set)).await;
    assert_eq!(answer.status, StatusCode::OK);
    let missing = json!({"pipeline": "P", "stage": "Deploy", "action": "Nope"});
    let answer = send(&app, admin("POST", "/_pipesim/actions/job-worker", missing)).await;
    assert!(admin_error(&answer, StatusCode::BAD_REQUEST).starts_with("ActionNotFoundException"));
    let id = call(&app, "StartPipelineExecution", json!({"name": "P"}))
        .await
        .json()["pipelineExecutionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let advance = json!({"seconds": 3600});
    send(
        &app,
        admin("POST", "/_pipesim/clock/advance", advance.clone()),
    )
    .await;
    let jobs = send(&app, admin("GET", "/_pipesim/jobs", json!({})))
        .await
        .json();
    let job = &jobs["jobs"][0];
    assert_eq!(job["pipelineName"], "P");
    assert_eq!(job["pipelineExecutionId"], id.as_str());
    assert_eq!(job["stageName"], "Deploy");
    assert_eq!(job["actionName"], "Ship");
    assert_eq!(job["status"], "Queued");
    assert_eq!(job["kind"], "Job");
    let job_id = job["jobId"].as_str().unwrap();
    let put = call(&app, "PutJobSuccessResult", json!({ "jobId": job_id })).await;
    assert_eq!(put.status, StatusCode::OK);
    let execution = call(
        &app,
        "GetPipelineExecution",
        json!({"pipelineName": "P", "pipelineExecutionId": id}),
    )
    .await
    .json();
    assert_eq!(execution["pipelineExecution"]["status"], "Succeeded");
    let other_scope = admin("GET", "/_pipesim/jobs?region=eu-west-1", json!({}));
    assert_eq!(send(&app, other_scope).await.json()["jobs"], json!([]));
}

#[tokio::test]
async fn admin_scripts_holds_and_fails_actions_with_their_messages() {
    let app = app();
    create(&app, "P").await;
    let script = json!({"pipeline": "P", "stage": "Deploy", "action": "Ship",
        "runs": [{"result": "Failed", "code": "DeploymentFailed", "message": "d-1 failed"}]});
    let answer = send(&app, admin("POST", "/_pipesim/actions/script", script)).await;
    assert_eq!(answer.json(), json!({"runsLeft": 1}));
    let execution_of = |id: &str| json!({"pipelineName": "P", "pipelineExecutionId": id});
    let start = || call(&app, "StartPipelineExecution", json!({"name": "P"}));
    let id = start().await.json()["pipelineExecutionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let of_ship = json!({"pipeline": "P", "executionId": id, "stage": "Deploy", "action": "Ship"});
    let advance = json!({"seconds": 60});
    send(
        &app,
        admin("POST", "/_pipesim/clock/advance", advance.clone()),
    )
    .await;
    let state = call(&app, "GetPipelineState", json!({"name": "P"}))
        .await
        .json();
    let ship = &state["stageStates"][1]["actionStates"][0]["latestExecution"];
    assert_eq!(ship["status"], "Failed");
    assert_eq!(
        ship["errorDetails"],
        json!({"code": "DeploymentFailed", "message": "d-1 failed"})
    );

    // A second start runs Ship again, by the settings now: hold it, then fail it.
    let id = start().await.json()["pipelineExecutionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut of_ship = of_ship;
    of_ship["executionId"] = json!(id);
    send(
        &app,
        admin("POST", "/_pipesim/clock/advance", json!({"seconds": 0.1})),
    )
    .await;
    let held = send(
        &app,
        admin("POST", "/_pipesim/actions/hold", of_ship.clone()),
    )
    .await;
    assert_eq!(held.status, StatusCode::OK);
    send(&app, admin("POST", "/_pipesim/clock/advance", advance)).await;
    let running = call(&app, "GetPipelineExecution", execution_of(&id))
        .await
        .json();
    assert_eq!(running["pipelineExecution"]["status"], "InProgress");
    let mut fail = of_ship.clone();
    fail["result"] = json!("Failed");
    fail["message"] = json!("held, then failed");
    let failed = send(&app, admin("POST", "/_pipesim/actions/finish", fail)).await;
    assert_eq!(failed.status, StatusCode::OK);
    let ended = call(&app, "GetPipelineExecution", execution_of(&id))
        .await
        .json();
    assert_eq!(ended["pipelineExecution"]["status"], "Failed");

    let unknown = json!({"pipeline": "P", "stage": "Deploy", "action": "Nope", "runs": []});
    let answer = send(&app, admin("POST", "/_pipesim/actions/script", unknown)).await;
    assert!(
        admin_error(&answer, StatusCode::BAD_REQUEST)
            .starts_with("ActionNotFoundException: Action 'Nope'")
    );
    let not_running = send(&app, admin("POST", "/_pipesim/actions/hold", of_ship)).await;
    assert!(
        admin_error(&not_running, StatusCode::BAD_REQUEST)
            .starts_with("ValidationException: Action 'Ship'")
    );
}

#[tokio::test]
async fn admin_scripts_and_finishes_the_rules_of_stage_conditions() {
    let app = app();
    let mut pipeline = PipelineDeclaration::two_stage_example("P").v2(ExecutionMode::Queued);
    let alarm = RuleDeclaration::new("Quiet", "CloudWatchAlarm").config("AlarmName", "errors");
    pipeline.stages[1] = std::mem::take(&mut pipeline.stages[1])
        .on_success(Condition::new(ConditionResult::Fail, vec![alarm]));
    let created = call(&app, "CreatePipeline", json!({ "pipeline": pipeline })).await;
    assert_eq!(created.status, StatusCode::OK);
    let script = json!({"pipeline": "P", "stage": "Deploy", "rule": "Quiet",
        "runs": [{"result": "Held"}]});
    let answer = send(&app, admin("POST", "/_pipesim/rules/script", script)).await;
    assert_eq!(answer.json(), json!({"runsLeft": 1}));
    let id = call(&app, "StartPipelineExecution", json!({"name": "P"}))
        .await
        .json()["pipelineExecutionId"]
        .as_str()
        .unwrap()
        .to_owned();
    send(
        &app,
        admin("POST", "/_pipesim/clock/advance", json!({"seconds": 600})),
    )
    .await;
    let execution = json!({"pipelineName": "P", "pipelineExecutionId": id});
    let running = call(&app, "GetPipelineExecution", execution.clone())
        .await
        .json();
    assert_eq!(
        running["pipelineExecution"]["status"], "InProgress",
        "the rule is held"
    );
    let fail = json!({"pipeline": "P", "executionId": id, "stage": "Deploy", "rule": "Quiet",
        "result": "Failed", "code": "AlarmInAlarm", "message": "errors is in ALARM"});
    let failed = send(&app, admin("POST", "/_pipesim/rules/finish", fail)).await;
    assert_eq!(failed.status, StatusCode::OK);
    let ended = call(&app, "GetPipelineExecution", execution).await.json();
    assert_eq!(ended["pipelineExecution"]["status"], "Failed");
    let runs = call(&app, "ListRuleExecutions", json!({"pipelineName": "P"}))
        .await
        .json();
    let run = &runs["ruleExecutionDetails"][0];
    assert_eq!(run["status"], "Failed");
    assert_eq!(
        run["output"]["executionResult"]["errorDetails"],
        json!({"code": "AlarmInAlarm", "message": "errors is in ALARM"})
    );
}

#[tokio::test]
async fn a_duplicated_target_is_refused() {
    let app = app();
    let request = Request::post("/")
        .header("x-amz-target", "CodePipeline_20150709.ListPipelines")
        .header("x-amz-target", "CodePipeline_20150709.DeletePipeline")
        .body(Body::from("{}"))
        .unwrap();
    let answer = send(&app, request).await;
    let message = answer.assert_error(StatusCode::BAD_REQUEST, "UnknownOperationException");
    assert_eq!(
        message,
        "X-Amz-Target is given 2 times; a call names exactly one operation"
    );
}

#[tokio::test]
async fn any_content_type_is_read_as_json_and_non_json_is_a_serialization_error() {
    let app = app();
    for content_type in [
        "text/html",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
    ] {
        let request = Request::post("/")
            .header("x-amz-target", "CodePipeline_20150709.ListPipelines")
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from("name=P&maxResults=5"))
            .unwrap();
        let answer = send(&app, request).await;
        answer.assert_error(StatusCode::BAD_REQUEST, "SerializationException");
    }
}

#[tokio::test]
async fn the_admin_api_can_be_protected_by_a_token_or_turned_off() {
    let sim = || Simulator::builder().seed(3).virtual_time().build();
    let guarded = router(
        sim(),
        ServerConfig::default().admin(AdminAccess::Token("s3cret".into())),
    );
    let rule = json!({"error": "ThrottlingException"});
    let answer = send(&guarded, admin("POST", "/_pipesim/faults", rule.clone())).await;
    assert!(admin_error(&answer, StatusCode::UNAUTHORIZED).contains("--admin-token"));
    let mut wrong = admin("POST", "/_pipesim/faults", rule.clone());
    wrong
        .headers_mut()
        .insert(header::AUTHORIZATION, "Bearer s3cre7".parse().unwrap());
    admin_error(&send(&guarded, wrong).await, StatusCode::UNAUTHORIZED);
    let mut right = admin("POST", "/_pipesim/faults", rule.clone());
    right
        .headers_mut()
        .insert(header::AUTHORIZATION, "Bearer s3cret".parse().unwrap());
    assert_eq!(send(&guarded, right).await.json(), json!({"id": "fault-1"}));
    // Health stays open, and the CodePipeline API does not need the token.
    let health = send(
        &guarded,
        Request::get("/_pipesim/health")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(health.status, StatusCode::OK);

    let off = router(sim(), ServerConfig::default().admin(AdminAccess::Off));
    let answer = send(&off, admin("POST", "/_pipesim/reset", json!({}))).await;
    assert!(admin_error(&answer, StatusCode::NOT_FOUND).contains("--no-admin"));
    let health = send(
        &off,
        Request::get("/_pipesim/health")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(health.status, StatusCode::OK);
}

#[tokio::test]
async fn admin_answers_an_actions_resolved_configuration() {
    let app = app();
    let mut pipeline = PipelineDeclaration::two_stage_example("P");
    let ship = pipeline.stages[1].actions[0]
        .configuration
        .get_or_insert_default();
    ship.insert("Extract".into(), "false".into());
    ship.insert(
        "ObjectKey".into(),
        "builds/#{codepipeline.PipelineExecutionId}.zip".into(),
    );
    let answer = call(&app, "CreatePipeline", json!({ "pipeline": pipeline })).await;
    assert_eq!(answer.status, StatusCode::OK);
    let id = call(&app, "StartPipelineExecution", json!({"name": "P"}))
        .await
        .json()["pipelineExecutionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let ask = |stage: &str| {
        admin(
            "POST",
            "/_pipesim/actions/configuration",
            json!({"pipeline": "P", "executionId": id, "stage": stage, "action": "Ship"}),
        )
    };
    let answer = send(&app, ask("Deploy")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.json()["configuration"]["ObjectKey"],
        format!("builds/{id}.zip")
    );
    let answer = send(&app, ask("Nope")).await;
    assert!(admin_error(&answer, StatusCode::BAD_REQUEST).starts_with("StageNotFoundException: "));
}

mod ui;

#[tokio::test]
async fn admin_git_events_start_the_pipelines_their_triggers_take() {
    let app = app();
    let mut pipeline = serde_json::to_value(
        crate::model::PipelineDeclaration::connection_example("web", "acme/web", "main")
            .v2(crate::model::ExecutionMode::Queued),
    )
    .unwrap();
    pipeline["triggers"] = json!([{
        "providerType": "CodeStarSourceConnection",
        "gitConfiguration": {
            "sourceActionName": "Code",
            "push": [{"tags": {"includes": ["v*"]}}],
            "pullRequest": [{"events": ["OPEN"], "branches": {"includes": ["main"]}}]
        }
    }]);
    let created = call(&app, "CreatePipeline", json!({"pipeline": pipeline})).await;
    assert_eq!(created.status, StatusCode::OK);
    assert_eq!(created.json()["pipeline"]["triggers"], pipeline["triggers"]);

    let tag = json!({"repository": "acme/web", "tag": "v2", "commitId": "abc123",
                     "commitMessage": "Release 2"});
    let answer = send(&app, admin("POST", "/_pipesim/git/push", tag))
        .await
        .json();
    assert_eq!(answer["started"][0]["pipelineName"], "web");
    assert_eq!(answer["notStarted"], json!([]));
    let id = answer["started"][0]["pipelineExecutionId"].clone();
    let listed = call(
        &app,
        "ListPipelineExecutions",
        json!({"pipelineName": "web"}),
    )
    .await
    .json();
    let summary = &listed["pipelineExecutionSummaries"][0];
    assert_eq!(summary["pipelineExecutionId"], id);
    assert_eq!(summary["trigger"]["triggerType"], "WebhookV2");
    assert_eq!(summary["sourceRevisions"][0]["revisionId"], "abc123");
    assert_eq!(
        summary["sourceRevisions"][0]["revisionSummary"],
        "Release 2"
    );

    let branch = json!({"repository": "acme/web", "branch": "main", "commitId": "abc124"});
    let answer = send(&app, admin("POST", "/_pipesim/git/push", branch))
        .await
        .json();
    assert_eq!(
        answer["notStarted"],
        json!([{"pipelineName": "web", "reason": "no push filter of the trigger of 'Code' matches"}])
    );
    let pull = json!({"repository": "acme/web", "event": "OPEN", "sourceBranch": "fix",
                      "destinationBranch": "main", "commitId": "abc125"});
    let answer = send(&app, admin("POST", "/_pipesim/git/pull-request", pull))
        .await
        .json();
    assert_eq!(answer["started"][0]["sourceActions"], json!(["Code"]));

    let both = json!({"repository": "acme/web", "branch": "main", "tag": "v3", "commitId": "c"});
    let refused = send(&app, admin("POST", "/_pipesim/git/push", both)).await;
    let message = admin_error(&refused, StatusCode::BAD_REQUEST);
    assert_eq!(message, "a push names exactly one of 'branch' and 'tag'");
}

/// A POST to the path of the URL `PutWebhook` answered, with `headers`.
fn delivery(url: &str, payload: &str, headers: &[(&'static str, &str)]) -> Request<Body> {
    let path = url
        .strip_prefix(crate::service::DEFAULT_PUBLIC_URL)
        .unwrap();
    let mut request = Request::post(path)
        .body(Body::from(payload.to_owned()))
        .unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(*name, value.parse().unwrap());
    }
    request
}

#[tokio::test]
async fn a_webhooks_url_delivers_a_signed_payload_without_the_admin_token() {
    let sim = Simulator::builder()
        .seed(3)
        .virtual_time()
        .start_on_create(false)
        .build();
    let config = ServerConfig::default().admin(AdminAccess::Token("admin".into()));
    let app = router(sim.clone(), config);
    create(&app, "P").await;
    let hook = json!({"name": "H", "targetPipeline": "P", "targetAction": "Fetch",
        "filters": [{"jsonPath": "$.ref", "matchEquals": "refs/heads/main"}],
        "authentication": "GITHUB_HMAC", "authenticationConfiguration": {"SecretToken": "s3cret"}});
    let put = call(&app, "PutWebhook", json!({ "webhook": hook })).await;
    let url = put.json()["webhook"]["url"].as_str().unwrap().to_owned();
    assert!(
        put.json()["webhook"]["definition"]["authenticationConfiguration"]
            .get("SecretToken")
            .is_none()
    );

    let payload = r#"{"ref": "refs/heads/main"}"#;
    let signed = crate::model::WebhookDelivery::new(payload).signed("s3cret");
    let (_, signature) = signed.headers[0].clone();
    let answer = send(
        &app,
        delivery(&url, payload, &[("x-hub-signature", &signature)]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let id = answer.json()["pipelineExecutionId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(answer.json()["started"], true);
    let got = call(
        &app,
        "GetPipelineExecution",
        json!({"pipelineName": "P", "pipelineExecutionId": id}),
    )
    .await;
    assert_eq!(
        got.json()["pipelineExecution"]["trigger"]["triggerType"],
        "Webhook"
    );

    // A wrong signature starts nothing and says why.
    let answer = send(
        &app,
        delivery(&url, payload, &[("x-hub-signature", "sha1=00")]),
    )
    .await;
    assert_eq!(answer.json()["started"], false);
    assert!(
        answer.json()["reason"]
            .as_str()
            .unwrap()
            .contains("X-Hub-Signature")
    );
    // Without the URL's token the admin token is needed; a stale token reaches nothing.
    let unguarded = url.split("&t=").next().unwrap();
    let answer = send(&app, delivery(unguarded, payload, &[])).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let stale = format!("{unguarded}&t=0000");
    let answer = send(&app, delivery(&stale, payload, &[])).await;
    assert!(admin_error(&answer, StatusCode::NOT_FOUND).contains("WebhookNotFoundException"));
}

#[tokio::test]
async fn an_ip_webhook_takes_the_sender_from_x_forwarded_for() {
    let app = app();
    create(&app, "P").await;
    let hook = json!({"name": "H", "targetPipeline": "P", "targetAction": "Fetch", "filters": [],
        "authentication": "IP", "authenticationConfiguration": {"AllowedIPRange": "192.0.2.0/24"}});
    let put = call(&app, "PutWebhook", json!({ "webhook": hook })).await;
    let url = put.json()["webhook"]["url"].as_str().unwrap().to_owned();
    let outside = send(
        &app,
        delivery(&url, "{}", &[("x-forwarded-for", "198.51.100.1")]),
    )
    .await;
    assert_eq!(outside.json()["started"], false);
    let inside = send(
        &app,
        delivery(&url, "{}", &[("x-forwarded-for", "192.0.2.9, 10.0.0.1")]),
    )
    .await;
    assert_eq!(inside.json()["started"], true);
}
