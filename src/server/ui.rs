//! The dashboard: `GET /_pipesim/ui`, one page that draws every pipeline of every
//! account and region the way the CodePipeline console does, and follows them live.
//!
//! | route | answers |
//! |---|---|
//! | `GET /_pipesim/ui` | the page: HTML with its script and style inlined, nothing fetched from elsewhere |
//! | `GET /_pipesim/ui/state` | JSON: the clock, fault rules, rate limits, and one page of pipelines with their stages and newest executions |
//! | `GET /_pipesim/ui/pipeline` | JSON: one pipeline, the same shape (`account`, `region`, `name` in the query) |
//! | `GET /_pipesim/ui/events` | server-sent events: one compact line per simulator event |
//!
//! The page loads `state`, then listens to `events`; an event marks its pipeline for a
//! re-fetch of `pipeline`, at most a few times a second, and `state` is re-read every
//! few seconds for pipelines created or deleted meanwhile. The views read the engines
//! directly, so watching a simulator never meets a fault rule or a rate limit.
//!
//! The routes are guarded like the admin API; as a browser cannot give an
//! `EventSource` an `Authorization` header, they also take the admin token as a
//! `?token=` query parameter, which the page passes on to the calls it makes.

use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::events::{Event, EventKind, EventStream, EventStreamError};
use crate::model::{PipelineExecutionSummary, StageState, Timestamp};
use crate::service::overview::PipelineOverview;

use super::AppState;

/// How many pipelines one `state` answer holds unless the page asks for fewer.
const DEFAULT_PAGE: usize = 20;
/// The most pipelines one `state` answer holds.
const MAX_PAGE: usize = 100;
/// How many of each pipeline's newest executions the views hold.
const EXECUTIONS: usize = 20;

/// The page, its style and script inlined, built once.
static PAGE: LazyLock<String> = LazyLock::new(|| {
    include_str!("ui/index.html")
        .replace("/*UI_CSS*/", include_str!("ui/ui.css"))
        .replace("/*UI_JS*/", include_str!("ui/ui.js"))
});

/// Set once `serve` stops accepting connections, so that event streams end and the
/// graceful shutdown does not wait on them for ever.
#[derive(Clone)]
pub(super) struct Closing(pub(super) watch::Receiver<bool>);

pub(super) fn routes(state: &Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .route("/_pipesim/ui", get(page))
        .route("/_pipesim/ui/state", get(overview))
        .route("/_pipesim/ui/pipeline", get(pipeline))
        .route("/_pipesim/ui/events", get(events))
        .route_layer(middleware::from_fn_with_state(Arc::clone(state), guard))
}

/// The admin guard, with the token also accepted as `?token=`.
async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    #[derive(Deserialize)]
    struct Token {
        token: Option<String>,
    }
    let token = Query::<Token>::try_from_uri(request.uri())
        .ok()
        .and_then(|Query(query)| query.token);
    match super::admin::admit(&state, &request, token.as_deref()) {
        Ok(()) => next.run(request).await,
        Err(refused) => *refused,
    }
}

async fn page() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        PAGE.as_str(),
    )
        .into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateQuery {
    #[serde(default)]
    offset: usize,
    #[serde(default)]
    limit: Option<usize>,
    /// Only pipelines whose name, account or region contains this.
    #[serde(default)]
    q: Option<String>,
}

/// `GET /_pipesim/ui/state?offset=&limit=&q=`.
async fn overview(
    State(state): State<Arc<AppState>>,
    query: Result<Query<StateQuery>, QueryRejection>,
) -> Response {
    let Query(query) = match query {
        Ok(query) => query,
        Err(why) => return answer(StatusCode::BAD_REQUEST, json!({ "error": why.body_text() })),
    };
    let sim = &state.sim;
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let filter = query.q.as_deref().unwrap_or("").trim().to_lowercase();
    let mut all = sim.all_pipelines();
    if !filter.is_empty() {
        all.retain(|p| {
            [&*p.account, &*p.region, p.summary.name.as_str()]
                .iter()
                .any(|field| field.to_lowercase().contains(&filter))
        });
    }
    let now = sim.now();
    let pipelines: Vec<Value> = all
        .iter()
        .skip(query.offset)
        .take(limit)
        .filter_map(|p| {
            let view = sim.pipeline_overview(&p.account, &p.region, &p.summary.name, EXECUTIONS)?;
            Some(pipeline_json(&p.account, &p.region, &view, now))
        })
        .collect();
    answer(
        StatusCode::OK,
        json!({
            "now": now,
            "virtualTime": sim.is_virtual_time(),
            "seed": sim.seed(),
            "version": env!("CARGO_PKG_VERSION"),
            "faults": sim.faults(),
            "rateLimits": sim.rate_limits(),
            "total": all.len(),
            "offset": query.offset,
            "limit": limit,
            "pipelines": pipelines,
        }),
    )
}

#[derive(Deserialize)]
struct PipelineQuery {
    account: String,
    region: String,
    name: String,
}

/// `GET /_pipesim/ui/pipeline?account=&region=&name=`.
async fn pipeline(
    State(state): State<Arc<AppState>>,
    query: Result<Query<PipelineQuery>, QueryRejection>,
) -> Response {
    let Query(query) = match query {
        Ok(query) => query,
        Err(why) => return answer(StatusCode::BAD_REQUEST, json!({ "error": why.body_text() })),
    };
    let sim = &state.sim;
    match sim.pipeline_overview(&query.account, &query.region, &query.name, EXECUTIONS) {
        Some(view) => answer(
            StatusCode::OK,
            pipeline_json(&query.account, &query.region, &view, sim.now()),
        ),
        None => answer(
            StatusCode::NOT_FOUND,
            json!({ "error": format!(
                "no pipeline '{}' in account {} and region {}",
                query.name, query.account, query.region
            ) }),
        ),
    }
}

/// `GET /_pipesim/ui/events`: each simulator event as one `data:` line of compact JSON;
/// `event: lagged` when the page read too slowly and missed some (it reloads then).
async fn events(
    State(state): State<Arc<AppState>>,
    closing: Option<Extension<Closing>>,
) -> Response {
    let stream = state.sim.events();
    let closing = closing.map(|Extension(Closing(closing))| closing);
    let events = futures_util::stream::unfold((stream, closing), |(mut stream, closing)| async {
        let next = next_or_closing(&mut stream, closing.clone()).await?;
        let sse = match next {
            Ok(event) => SseEvent::default().data(event_json(&event).to_string()),
            Err(EventStreamError::Lagged(missed)) => SseEvent::default()
                .event("lagged")
                .data(json!({ "missed": missed }).to_string()),
            Err(EventStreamError::Closed) => return None,
        };
        Some((Ok::<_, std::convert::Infallible>(sse), (stream, closing)))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// The next event, or `None` once the server is closing.
async fn next_or_closing(
    stream: &mut EventStream,
    closing: Option<watch::Receiver<bool>>,
) -> Option<Result<Event, EventStreamError>> {
    let Some(mut closing) = closing else {
        return Some(stream.next().await);
    };
    tokio::select! {
        next = stream.next() => Some(next),
        _ = closing.wait_for(|closing| *closing) => None,
    }
}

/// An event as the page reads it.
fn event_json(event: &Event) -> Value {
    let mut out = json!({
        "account": &*event.account,
        "region": &*event.region,
        "pipeline": &*event.pipeline,
        "executionId": &event.execution_id,
        "at": event.at,
    });
    let fields = match &event.kind {
        EventKind::Execution(status) => json!({ "kind": "execution", "status": status }),
        EventKind::StageWaiting { stage } => json!({ "kind": "stageWaiting", "stage": &**stage }),
        EventKind::Stage { stage, status } => {
            json!({ "kind": "stage", "stage": &**stage, "status": status })
        }
        EventKind::Action {
            stage,
            action,
            status,
        } => json!({ "kind": "action", "stage": &**stage, "action": &**action, "status": status }),
        EventKind::StageRetried { stage } => json!({ "kind": "stageRetried", "stage": &**stage }),
        EventKind::RolledBack { stage, target } => {
            json!({ "kind": "rolledBack", "stage": &**stage, "target": target })
        }
        EventKind::HeldAtTransition { stage } => {
            json!({ "kind": "heldAtTransition", "stage": &**stage })
        }
        EventKind::ReleasedAtTransition { stage } => {
            json!({ "kind": "releasedAtTransition", "stage": &**stage })
        }
        EventKind::Condition {
            stage,
            kind,
            status,
        } => json!({ "kind": "condition", "stage": &**stage, "condition": kind, "status": status }),
        EventKind::Rule {
            stage,
            rule,
            status,
        } => json!({ "kind": "rule", "stage": &**stage, "rule": &**rule, "status": status }),
        EventKind::Job {
            stage,
            action,
            job_id,
            status,
        } => json!({
            "kind": "job", "stage": &**stage, "action": &**action, "jobId": job_id, "status": status
        }),
    };
    if let (Value::Object(out), Value::Object(fields)) = (&mut out, fields) {
        out.extend(fields);
    }
    out
}

/// One pipeline as the page draws it: its stages as the console shows them, and its
/// newest executions.
fn pipeline_json(account: &str, region: &str, view: &PipelineOverview, now: Timestamp) -> Value {
    let state = &view.state;
    json!({
        "account": account,
        "region": region,
        "name": state.pipeline_name,
        "version": state.pipeline_version,
        "created": state.created,
        "updated": state.updated,
        "stages": state.stage_states.iter().map(stage_json).collect::<Vec<_>>(),
        "executions": view.executions.iter().map(|e| execution_json(e, now)).collect::<Vec<_>>(),
    })
}

fn stage_json(stage: &StageState) -> Value {
    let mut inbound: Vec<Value> = stage
        .inbound_executions
        .iter()
        .map(|e| json!({ "executionId": e.pipeline_execution_id, "status": e.status }))
        .collect();
    if let Some(e) = &stage.inbound_execution
        && !stage
            .inbound_executions
            .iter()
            .any(|other| other.pipeline_execution_id == e.pipeline_execution_id)
    {
        inbound.insert(
            0,
            json!({ "executionId": e.pipeline_execution_id, "status": e.status }),
        );
    }
    let transition = &stage.inbound_transition_state;
    let conditions: Vec<Value> = [
        ("beforeEntry", &stage.before_entry_condition_state),
        ("onSuccess", &stage.on_success_condition_state),
        ("onFailure", &stage.on_failure_condition_state),
    ]
    .into_iter()
    .filter_map(|(kind, state)| {
        let state = state.as_ref()?;
        Some(json!({
            "kind": kind,
            "status": state.latest_execution.as_ref().map(|e| e.status),
        }))
    })
    .collect();
    json!({
        "name": stage.stage_name,
        "transition": {
            "enabled": transition.enabled,
            "disabledReason": transition.disabled_reason,
            "lastChangedBy": transition.last_changed_by,
            "lastChangedAt": transition.last_changed_at,
        },
        "latestExecution": stage.latest_execution.as_ref().map(|e| json!({
            "executionId": e.pipeline_execution_id,
            "status": e.status,
            "type": e.execution_type,
        })),
        "inboundExecutions": inbound,
        "conditions": conditions,
        "actions": stage.action_states.iter().map(|action| {
            let latest = action.latest_execution.as_ref();
            json!({
                "name": action.action_name,
                "status": latest.map(|e| e.status),
                "summary": latest.and_then(|e| e.summary.as_deref()),
                "lastStatusChange": latest.map(|e| e.last_status_change),
                "error": latest.and_then(|e| e.error_details.as_ref()).map(|e| &e.message),
            })
        }).collect::<Vec<_>>(),
    })
}

fn execution_json(execution: &PipelineExecutionSummary, now: Timestamp) -> Value {
    let end = if execution.status.is_active() {
        now
    } else {
        execution.last_update_time
    };
    let seconds = end
        .as_millis()
        .saturating_sub(execution.start_time.as_millis()) as f64
        / 1000.0;
    json!({
        "id": execution.pipeline_execution_id,
        "status": execution.status,
        "statusSummary": execution.status_summary,
        "trigger": execution.trigger.trigger_type,
        "type": execution.execution_type,
        "start": execution.start_time,
        "durationSeconds": seconds,
    })
}

fn answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body.to_string(),
    )
        .into_response()
}
