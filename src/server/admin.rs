//! The admin API under `/_pipesim/`: plain JSON, not the AWS protocol, for harnesses that
//! install faults and rate limits, move virtual time, finish, hold and script actions
//! and rules, simulate git pushes and pull requests, deliver events to webhooks, list
//! jobs, reset, and check health.
//!
//! Every answer is JSON. Bad input answers 400 `{"error": "<what is wrong>"}`; an unknown
//! id answers 404 the same way.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::faults::{FaultRule, RateLimit};
use crate::model::{GitChange, GitEvent, GitRef};
use crate::service::harness::RunOf;
use crate::{ActionEnd, ActionResult, Simulator};

use super::{AdminAccess, AppState, protocol};

/// The longest single clock advance: ten years.
const MAX_ADVANCE_SECONDS: f64 = 10.0 * 365.0 * 24.0 * 3600.0;

pub(super) fn routes(state: &Arc<AppState>) -> Router<Arc<AppState>> {
    let guarded = Router::new()
        .route(
            "/_pipesim/faults",
            post(add_fault).get(list_faults).delete(clear_faults),
        )
        .route("/_pipesim/faults/{id}", delete(remove_fault))
        .route(
            "/_pipesim/rate-limits",
            post(add_rate_limit)
                .get(list_rate_limits)
                .delete(clear_rate_limits),
        )
        .route("/_pipesim/rate-limits/{id}", delete(remove_rate_limit))
        .route("/_pipesim/clock", get(clock))
        .route("/_pipesim/clock/advance", post(advance))
        .route("/_pipesim/actions/finish", post(finish_action))
        .route("/_pipesim/actions/hold", post(hold_action))
        .route("/_pipesim/actions/script", post(script_action))
        .route("/_pipesim/jobs", get(jobs))
        .route("/_pipesim/actions/job-worker", post(job_worker))
        .route("/_pipesim/rules/finish", post(finish_rule))
        .route("/_pipesim/rules/script", post(script_rule))
        .route(
            "/_pipesim/actions/configuration",
            post(resolved_configuration),
        )
        .route("/_pipesim/git/push", post(git_push))
        .route("/_pipesim/git/pull-request", post(git_pull_request))
        .route("/_pipesim/reset", post(reset))
        .route_layer(middleware::from_fn_with_state(Arc::clone(state), guard));
    Router::new()
        .route("/_pipesim/health", get(health))
        // A webhook's URL carries its own token (`t`), as AWS's do, so a source
        // provider reaches it without the admin token; without `t` it is guarded.
        .route("/_pipesim/webhooks/{name}/deliver", post(deliver_webhook))
        .merge(guarded)
}

/// Lets an admin call through only as `--admin-token` or `--no-admin` allow.
async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    match admit(&state, &request, None) {
        Ok(()) => next.run(request).await,
        Err(refused) => *refused,
    }
}

/// Whether `--admin-token` and `--no-admin` let `request` through, or the answer that
/// refuses it. `query_token` is a token the request gave outside its `Authorization`
/// header (the dashboard's `?token=`); either one will do. Both are compared in
/// constant time.
pub(super) fn admit(
    state: &AppState,
    request: &Request,
    query_token: Option<&str>,
) -> Result<(), Box<Response>> {
    match &state.config.admin {
        AdminAccess::Open => Ok(()),
        AdminAccess::Off => Err(Box::new(json_answer(
            StatusCode::NOT_FOUND,
            json!({ "error": "the admin API is turned off (pipesim serve --no-admin)" }),
        ))),
        AdminAccess::Token(token) => {
            let bearer = request
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "));
            let matches = |given: &str| super::constant_time_eq(given.as_bytes(), token.as_bytes());
            if bearer.is_some_and(matches) || query_token.is_some_and(matches) {
                Ok(())
            } else {
                Err(Box::new(json_answer(
                    StatusCode::UNAUTHORIZED,
                    json!({ "error": "the admin API needs 'Authorization: Bearer <token>' with the server's --admin-token" }),
                )))
            }
        }
    }
}

fn json_answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (protocol::REQUEST_ID.clone(), protocol::request_id()),
        ],
        body.to_string(),
    )
        .into_response()
}

fn ok(body: Value) -> Response {
    json_answer(StatusCode::OK, body)
}

fn bad_request(why: impl std::fmt::Display) -> Response {
    json_answer(StatusCode::BAD_REQUEST, json!({ "error": why.to_string() }))
}

fn not_found(what: &str, id: &str) -> Response {
    json_answer(
        StatusCode::NOT_FOUND,
        json!({ "error": format!("no {what} with id '{id}'") }),
    )
}

/// Answers `answer` once the change it reports is in the state file (at once without
/// one), or HTTP 500 saying why it could not be saved.
async fn saved(state: &AppState, answer: Response) -> Response {
    match state.sim.flush().await {
        Ok(()) => answer,
        Err(err) => json_answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({ "error": err.message() }),
        ),
    }
}

/// Decodes a JSON body, or answers why it cannot.
fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Box<Response>> {
    serde_json::from_slice(bytes).map_err(|err| {
        Box::new(bad_request(format!(
            "the body is not the JSON this call takes: {err}"
        )))
    })
}

async fn health(State(state): State<Arc<AppState>>) -> Response {
    ok(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "seed": state.sim.seed(),
    }))
}

async fn add_fault(State(state): State<Arc<AppState>>, bytes: Bytes) -> Response {
    let rule: FaultRule = match body(&bytes) {
        Ok(rule) => rule,
        Err(answer) => return *answer,
    };
    match state.sim.add_fault(rule) {
        Ok(id) => saved(&state, ok(json!({ "id": id }))).await,
        Err(err) => bad_request(err),
    }
}

async fn list_faults(State(state): State<Arc<AppState>>) -> Response {
    ok(json!({ "faults": state.sim.faults() }))
}

async fn clear_faults(State(state): State<Arc<AppState>>) -> Response {
    state.sim.clear_faults();
    saved(&state, ok(json!({}))).await
}

async fn remove_fault(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    if state.sim.remove_fault(&id) {
        saved(&state, ok(json!({}))).await
    } else {
        not_found("fault rule", &id)
    }
}

async fn add_rate_limit(State(state): State<Arc<AppState>>, bytes: Bytes) -> Response {
    let limit: RateLimit = match body(&bytes) {
        Ok(limit) => limit,
        Err(answer) => return *answer,
    };
    match state.sim.add_rate_limit(limit) {
        Ok(id) => saved(&state, ok(json!({ "id": id }))).await,
        Err(err) => bad_request(err),
    }
}

async fn list_rate_limits(State(state): State<Arc<AppState>>) -> Response {
    ok(json!({ "rateLimits": state.sim.rate_limits() }))
}

async fn clear_rate_limits(State(state): State<Arc<AppState>>) -> Response {
    state.sim.clear_rate_limits();
    saved(&state, ok(json!({}))).await
}

async fn remove_rate_limit(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    if state.sim.remove_rate_limit(&id) {
        saved(&state, ok(json!({}))).await
    } else {
        not_found("rate limit", &id)
    }
}

async fn clock(State(state): State<Arc<AppState>>) -> Response {
    ok(json!({
        "now": state.sim.now(),
        "virtualTime": state.sim.is_virtual_time(),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: f64,
}

async fn advance(State(state): State<Arc<AppState>>, bytes: Bytes) -> Response {
    let advance: Advance = match body(&bytes) {
        Ok(advance) => advance,
        Err(answer) => return *answer,
    };
    if !state.sim.is_virtual_time() {
        return bad_request(
            "the clock follows real time; start pipesim serve with --virtual-time to move it",
        );
    }
    if !(0.0..=MAX_ADVANCE_SECONDS).contains(&advance.seconds) {
        return bad_request(format!(
            "seconds must be between 0 and {MAX_ADVANCE_SECONDS}, not {}",
            advance.seconds
        ));
    }
    state
        .sim
        .advance(Duration::from_secs_f64(advance.seconds))
        .await;
    ok(json!({ "now": state.sim.now() }))
}

/// Ends or holds a running action (or rule): `result` is `Succeeded`, `Failed` or `Held`,
/// with an optional failure `code` and `message` (or a success's summary as `message`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FinishRun {
    pipeline: String,
    execution_id: String,
    stage: String,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    rule: Option<String>,
    result: ActionResult,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    region: Option<String>,
}

/// Which account and region a read of the admin API is about.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ScopeQuery {
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    region: Option<String>,
}

/// Every job of an account and region (`?account=&region=`, the server's by default).
async fn jobs(
    State(state): State<Arc<AppState>>,
    axum::extract::Query(query): axum::extract::Query<ScopeQuery>,
) -> Response {
    let sim = scoped(&state, query.account.as_deref(), query.region.as_deref());
    ok(json!({ "jobs": sim.jobs() }))
}

/// Sets one action to wait for a job worker (or not).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JobWorker {
    pipeline: String,
    stage: String,
    action: String,
    #[serde(default = "yes")]
    job_worker: bool,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    region: Option<String>,
}

fn yes() -> bool {
    true
}

async fn job_worker(State(state): State<Arc<AppState>>, bytes: Bytes) -> Response {
    let set: JobWorker = match body(&bytes) {
        Ok(set) => set,
        Err(answer) => return *answer,
    };
    let sim = scoped(&state, set.account.as_deref(), set.region.as_deref());
    let done = sim.set_job_worker(&set.pipeline, &set.stage, &set.action, set.job_worker);
    answered(done.map(|()| json!({})))
}

async fn finish_action(State(state): State<Arc<AppState>>, bytes: Bytes) -> Response {
    finish(&state, &bytes, RunOf::Action).await
}

async fn finish_rule(State(state): State<Arc<AppState>>, bytes: Bytes) -> Response {
    finish(&state, &bytes, RunOf::Rule).await
}

async fn finish(state: &AppState, bytes: &[u8], of: RunOf) -> Response {
    let finish: FinishRun = match body(bytes) {
        Ok(finish) => finish,
        Err(answer) => return *answer,
    };
    let name = match named(of, finish.action.as_deref(), finish.rule.as_deref()) {
        Ok(name) => name,
        Err(answer) => return *answer,
    };
    let sim = scoped(state, finish.account.as_deref(), finish.region.as_deref());
    let end = ActionEnd {
        result: finish.result,
        code: finish.code.clone(),
        message: finish.message.clone(),
    };
    let run = (
        finish.execution_id.as_str(),
        finish.stage.as_str(),
        name,
        of,
    );
    let finished = sim.finish_run(&finish.pipeline, run, end).await;
    answered(finished.map(|()| json!({})))
}

/// A push to a connection's repository: a `branch` or a `tag`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GitPush {
    repository: String,
    #[serde(default)]
    branch: Option<String>,
    #[serde(default)]
    tag: Option<String>,
    commit_id: String,
    #[serde(default)]
    commit_message: Option<String>,
    #[serde(default)]
    file_paths: Vec<String>,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    region: Option<String>,
}

/// A pull request event in a connection's repository.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GitPullRequest {
    repository: String,
    event: crate::model::GitPullRequestEventType,
    source_branch: String,
    destination_branch: String,
    commit_id: String,
    #[serde(default)]
    commit_message: Option<String>,
    #[serde(default)]
    file_paths: Vec<String>,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    region: Option<String>,
}

async fn git_push(State(state): State<Arc<AppState>>, bytes: Bytes) -> Response {
    let push: GitPush = match body(&bytes) {
        Ok(push) => push,
        Err(answer) => return *answer,
    };
    let pushed = match (push.branch, push.tag) {
        (Some(branch), None) => GitRef::Branch(branch),
        (None, Some(tag)) => GitRef::Tag(tag),
        _ => return bad_request("a push names exactly one of 'branch' and 'tag'"),
    };
    let event = GitEvent {
        repository: push.repository,
        change: GitChange::Push(pushed),
        commit_id: push.commit_id,
        commit_message: push.commit_message,
        file_paths: push.file_paths,
    };
    let sim = scoped(&state, push.account.as_deref(), push.region.as_deref());
    git(&sim, event).await
}

async fn git_pull_request(State(state): State<Arc<AppState>>, bytes: Bytes) -> Response {
    let pull: GitPullRequest = match body(&bytes) {
        Ok(pull) => pull,
        Err(answer) => return *answer,
    };
    let event = GitEvent {
        repository: pull.repository,
        change: GitChange::PullRequest {
            event: pull.event,
            source_branch: pull.source_branch,
            destination_branch: pull.destination_branch,
        },
        commit_id: pull.commit_id,
        commit_message: pull.commit_message,
        file_paths: pull.file_paths,
    };
    let sim = scoped(&state, pull.account.as_deref(), pull.region.as_deref());
    git(&sim, event).await
}

/// Answers what a git event started, once its starts are in the state file.
async fn git(sim: &Simulator, event: GitEvent) -> Response {
    let outcome = sim.git_event(event).await;
    answered(outcome.map(|outcome| serde_json::to_value(outcome).unwrap_or_default()))
}

/// Scripts how the next runs of one action (or rule) end.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ScriptRuns {
    pipeline: String,
    stage: String,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    rule: Option<String>,
    runs: Vec<ActionEnd>,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    region: Option<String>,
}

async fn script_action(State(state): State<Arc<AppState>>, bytes: Bytes) -> Response {
    script(&state, &bytes, RunOf::Action).await
}

async fn script_rule(State(state): State<Arc<AppState>>, bytes: Bytes) -> Response {
    script(&state, &bytes, RunOf::Rule).await
}

async fn script(state: &AppState, bytes: &[u8], of: RunOf) -> Response {
    let script: ScriptRuns = match body(bytes) {
        Ok(script) => script,
        Err(answer) => return *answer,
    };
    let name = match named(of, script.action.as_deref(), script.rule.as_deref()) {
        Ok(name) => name,
        Err(answer) => return *answer,
    };
    let sim = scoped(state, script.account.as_deref(), script.region.as_deref());
    let what = (script.stage.as_str(), name, of);
    let scripted = sim
        .script_runs(&script.pipeline, what, script.runs.clone())
        .await;
    answered(scripted.and_then(|()| {
        let left = sim.runs_left(&script.pipeline, what)?;
        Ok(json!({ "runsLeft": left }))
    }))
}

/// The action or rule a body names: `/actions/...` calls take `action`, `/rules/...`
/// calls `rule`.
fn named<'a>(
    of: RunOf,
    action: Option<&'a str>,
    rule: Option<&'a str>,
) -> Result<&'a str, Box<Response>> {
    let (wanted, other, key) = match of {
        RunOf::Action => (action, rule, "action"),
        RunOf::Rule => (rule, action, "rule"),
    };
    match (wanted, other) {
        (Some(name), None) => Ok(name),
        _ => Err(Box::new(bad_request(format!(
            "the body is not the JSON this call takes: it names the {key} with `{key}` alone"
        )))),
    }
}

/// Holds a running action until `/_pipesim/actions/finish` ends it.
async fn hold_action(State(state): State<Arc<AppState>>, bytes: Bytes) -> Response {
    let action: ActionOfExecution = match body(&bytes) {
        Ok(action) => action,
        Err(answer) => return *answer,
    };
    let sim = scoped(&state, action.account.as_deref(), action.region.as_deref());
    let held = sim
        .hold_action(
            &action.pipeline,
            &action.execution_id,
            &action.stage,
            &action.action,
        )
        .await;
    answered(held.map(|()| json!({})))
}

/// A harness call's answer: its JSON, or 400 with the error's type and message.
fn answered(result: crate::Result<Value>) -> Response {
    match result {
        Ok(answer) => ok(answer),
        Err(err) => bad_request(format!("{}: {}", err.error_type(), err.message())),
    }
}

/// The simulator handle of an admin call's account and region (the server's defaults
/// for what it leaves out).
fn scoped(state: &AppState, account: Option<&str>, region: Option<&str>) -> Simulator {
    match (account, region) {
        (None, None) => state.sim.clone(),
        (account, region) => state.sim.with_scope(
            account.unwrap_or(state.sim.account()),
            region.unwrap_or(state.sim.region()),
        ),
    }
}

/// Names one action of one execution.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ActionOfExecution {
    pipeline: String,
    execution_id: String,
    stage: String,
    action: String,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    region: Option<String>,
}

/// The configuration an action runs with in one execution, its variable references
/// resolved (what `ListActionExecutions` will show as `resolvedConfiguration`).
async fn resolved_configuration(State(state): State<Arc<AppState>>, bytes: Bytes) -> Response {
    let action: ActionOfExecution = match body(&bytes) {
        Ok(action) => action,
        Err(answer) => return *answer,
    };
    let sim = scoped(&state, action.account.as_deref(), action.region.as_deref());
    let configuration = sim.resolved_configuration(
        &action.pipeline,
        &action.execution_id,
        &action.stage,
        &action.action,
    );
    answered(configuration.map(|configuration| json!({ "configuration": configuration })))
}

async fn reset(State(state): State<Arc<AppState>>) -> Response {
    state.sim.reset();
    saved(&state, ok(json!({}))).await
}

/// Where a delivery goes: the webhook's account and region (the server's defaults when
/// left out) and its URL's token.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeliveryTarget {
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    t: Option<String>,
}

/// A request to a webhook's URL: the body is the event's payload, as signed; the
/// headers go along (`X-Hub-Signature`, `X-Hub-Signature-256`); the first address of
/// `X-Forwarded-For` is where it comes from, for `IP` authentication. Answers whether
/// it started the pipeline, and why not.
async fn deliver_webhook(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    Query(target): Query<DeliveryTarget>,
    request: Request,
) -> Response {
    if target.t.is_none()
        && let Err(refused) = admit(&state, &request, None)
    {
        return *refused;
    }
    let (parts, body) = request.into_parts();
    let Ok(payload) = axum::body::to_bytes(body, state.config.max_body_bytes).await else {
        return bad_request("the payload is larger than the server accepts");
    };
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter_map(|(key, value)| Some((key.to_string(), value.to_str().ok()?.to_owned())))
        .collect();
    let source_ip = parts
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(|v| v.trim().parse().ok());
    let delivery = crate::model::WebhookDelivery {
        payload: payload.to_vec(),
        headers,
        source_ip,
    };
    let sim = scoped(&state, target.account.as_deref(), target.region.as_deref());
    match sim
        .deliver_webhook_with_token(&name, target.t.as_deref(), delivery)
        .await
    {
        Ok(outcome) => ok(serde_json::to_value(outcome).unwrap_or_default()),
        Err(err) if err.kind() == crate::error::ErrorKind::WebhookNotFound => json_answer(
            StatusCode::NOT_FOUND,
            json!({ "error": format!("{}: {}", err.error_type(), err.message()) }),
        ),
        Err(err) => json_answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({ "error": format!("{}: {}", err.error_type(), err.message()) }),
        ),
    }
}
