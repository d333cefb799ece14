//! The dashboard's routes: the page, its state, its event stream and its guard.

use std::time::Duration;

use http_body_util::BodyExt;

use super::*;

/// A simulator whose actions take a minute, and the router serving it.
fn dashboard(admin: AdminAccess) -> (Simulator, Router) {
    let sim = Simulator::builder()
        .seed(3)
        .virtual_time()
        .start_on_create(false)
        .action_duration(Duration::from_secs(60))
        .build();
    let app = router(sim.clone(), ServerConfig::default().admin(admin));
    (sim, app)
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn the_page_is_html_with_nothing_fetched_from_elsewhere() {
    let (_, app) = dashboard(AdminAccess::Open);
    let answer = send(&app, get("/_pipesim/ui")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let page = String::from_utf8(answer.body).unwrap();
    assert!(page.starts_with("<!doctype html>"));
    // Style and script are inlined, not left as placeholders.
    assert!(!page.contains("/*UI_"), "{page}");
    assert!(page.contains("new EventSource("));
    assert!(page.contains("/_pipesim/clock/advance"));
    for external in ["http://", "https://", "//cdn", "src=\"//", "@import"] {
        assert!(!page.contains(external), "the page names {external}");
    }
}

#[tokio::test]
async fn the_state_shows_every_scope_with_stages_waiting_executions_and_disabled_transitions() {
    let (sim, app) = dashboard(AdminAccess::Open);
    create(&app, "Home").await;
    let other = sim.with_scope("111111111111", "eu-west-1");
    other
        .create_pipeline(PipelineDeclaration::two_stage_example("Abroad"))
        .await
        .unwrap();
    other
        .disable_stage_transition(crate::model::DisableStageTransitionInput {
            pipeline_name: "Abroad".into(),
            stage_name: "Deploy".into(),
            transition_type: crate::model::StageTransitionType::Inbound,
            reason: "Frozen for review".into(),
        })
        .await
        .unwrap();
    let started = other.start_pipeline_execution("Abroad").await.unwrap();
    // Source takes a minute; then the execution waits at the disabled transition.
    sim.advance(Duration::from_secs(90)).await;
    sim.add_fault(
        serde_json::from_value(json!({"error": "ThrottlingException", "operation": "GetPipeline"}))
            .unwrap(),
    )
    .unwrap();

    let answer = send(&app, get("/_pipesim/ui/state")).await;
    assert_eq!(answer.status, StatusCode::OK);
    let state = answer.json();
    assert_eq!(state["virtualTime"], true);
    assert_eq!(state["now"], json!(sim.now()));
    assert_eq!(state["total"], 2);
    assert_eq!(state["faults"][0]["id"], "fault-1");
    assert_eq!(state["faults"][0]["matched"], 0);
    assert_eq!(state["rateLimits"], json!([]));
    // Sorted by account, region and name.
    let abroad = &state["pipelines"][0];
    assert_eq!(abroad["account"], "111111111111");
    assert_eq!(abroad["region"], "eu-west-1");
    assert_eq!(abroad["name"], "Abroad");
    assert_eq!(state["pipelines"][1]["name"], "Home");
    assert_eq!(state["pipelines"][1]["account"], "123456789012");

    let id = started.pipeline_execution_id.as_str();
    let source = &abroad["stages"][0];
    assert_eq!(source["name"], "Source");
    assert_eq!(source["latestExecution"]["executionId"], id);
    assert_eq!(source["latestExecution"]["status"], "Succeeded");
    assert_eq!(source["actions"][0]["name"], "Fetch");
    assert_eq!(source["actions"][0]["status"], "Succeeded");
    let deploy = &abroad["stages"][1];
    assert_eq!(deploy["name"], "Deploy");
    assert_eq!(deploy["actions"][0]["name"], "Ship");
    assert_eq!(deploy["actions"][0]["status"], Value::Null);
    assert_eq!(deploy["transition"]["enabled"], false);
    assert_eq!(deploy["transition"]["disabledReason"], "Frozen for review");
    assert_eq!(
        deploy["inboundExecutions"],
        json!([{ "executionId": id, "status": "InProgress" }])
    );
    let history = &abroad["executions"];
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(history[0]["id"], id);
    assert_eq!(history[0]["status"], "InProgress");
    assert_eq!(history[0]["trigger"], "StartPipelineExecution");
    assert_eq!(history[0]["durationSeconds"], 90.0);

    // Looking counts against no fault rule.
    assert_eq!(sim.faults()[0].matched, 0);

    // One pipeline alone, and pages of the list.
    let one = send(
        &app,
        get("/_pipesim/ui/pipeline?account=111111111111&region=eu-west-1&name=Abroad"),
    )
    .await;
    assert_eq!(one.json(), *abroad);
    let missing = send(
        &app,
        get("/_pipesim/ui/pipeline?account=111111111111&region=us-west-2&name=Abroad"),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let page = send(&app, get("/_pipesim/ui/state?offset=1&limit=1"))
        .await
        .json();
    assert_eq!(page["total"], 2);
    assert_eq!(page["pipelines"].as_array().unwrap().len(), 1);
    assert_eq!(page["pipelines"][0]["name"], "Home");
    let filtered = send(&app, get("/_pipesim/ui/state?q=eu-west")).await.json();
    assert_eq!(filtered["total"], 1);
    assert_eq!(filtered["pipelines"][0]["name"], "Abroad");
    let bad = send(&app, get("/_pipesim/ui/state?limit=many")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["error"].is_string());
}

#[tokio::test]
async fn the_event_stream_forwards_each_simulator_event() {
    let (sim, app) = dashboard(AdminAccess::Open);
    create(&app, "P").await;
    let response = app
        .clone()
        .oneshot(get("/_pipesim/ui/events"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    let mut body = response.into_body();
    let started = sim.start_pipeline_execution("P").await.unwrap();
    let frame = tokio::time::timeout(Duration::from_secs(5), body.frame())
        .await
        .expect("an event within five seconds")
        .expect("the stream goes on")
        .unwrap();
    let text = String::from_utf8(frame.into_data().unwrap().to_vec()).unwrap();
    let data = text
        .strip_prefix("data: ")
        .and_then(|t| t.strip_suffix("\n\n"))
        .unwrap_or_else(|| panic!("not one SSE event: {text:?}"));
    let event: Value = serde_json::from_str(data).unwrap();
    assert_eq!(
        event,
        json!({
            "account": "123456789012",
            "region": "us-east-1",
            "pipeline": "P",
            "executionId": started.pipeline_execution_id,
            "at": sim.now(),
            "kind": "execution",
            "status": "InProgress",
        })
    );
}

#[tokio::test]
async fn the_ui_routes_are_guarded_like_the_admin_api_and_take_the_token_as_a_query() {
    let (_, guarded) = dashboard(AdminAccess::Token("s3cret".into()));
    for path in [
        "/_pipesim/ui",
        "/_pipesim/ui/state",
        "/_pipesim/ui/pipeline?account=a&region=r&name=P",
        "/_pipesim/ui/events",
    ] {
        let refused = send(&guarded, get(path)).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{path}");
        let wrong = if path.contains('?') {
            "&token=s3cre7"
        } else {
            "?token=s3cre7"
        };
        let refused = send(&guarded, get(&format!("{path}{wrong}"))).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let page = send(&guarded, get("/_pipesim/ui?token=s3cret")).await;
    assert_eq!(page.status, StatusCode::OK);
    let state = send(&guarded, get("/_pipesim/ui/state?token=s3cret&limit=5")).await;
    assert_eq!(state.status, StatusCode::OK);
    assert_eq!(state.json()["limit"], 5);
    let mut bearer = get("/_pipesim/ui/state");
    bearer
        .headers_mut()
        .insert(header::AUTHORIZATION, "Bearer s3cret".parse().unwrap());
    assert_eq!(send(&guarded, bearer).await.status, StatusCode::OK);
    let events = guarded
        .clone()
        .oneshot(get("/_pipesim/ui/events?token=s3cret"))
        .await
        .unwrap();
    assert_eq!(events.status(), StatusCode::OK);
    // The query token is for the dashboard only: the admin API still wants the header.
    let clock = send(&guarded, get("/_pipesim/clock?token=s3cret")).await;
    assert_eq!(clock.status, StatusCode::UNAUTHORIZED);

    let (_, off) = dashboard(AdminAccess::Off);
    for path in ["/_pipesim/ui", "/_pipesim/ui/state", "/_pipesim/ui/events"] {
        let answer = send(&off, get(path)).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            answer.json()["error"]
                .as_str()
                .unwrap()
                .contains("--no-admin")
        );
    }
}
