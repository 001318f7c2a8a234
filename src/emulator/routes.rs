//! The route table and the middleware in front of every request.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};

use super::faults::Verdict;
use super::http::{message, not_found};
use super::{
    App, api_clients, api_keys, auth, collections, connections, data_tables, folders, hooks,
    on_prem, properties, recipes, tags,
};

/// Every `/api` route served, as (METHOD, axum path template). Kept in sync with
/// [`router`] by the tests (each one must be counted under exactly this key).
#[cfg(test)]
pub(crate) const API_ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/users/me"),
    ("GET", "/api/folders"),
    ("POST", "/api/folders"),
    ("GET", "/api/folders/{id}"),
    ("PUT", "/api/folders/{id}"),
    ("DELETE", "/api/folders/{id}"),
    ("GET", "/api/projects"),
    ("PUT", "/api/projects/{id}"),
    ("DELETE", "/api/projects/{id}"),
    ("GET", "/api/properties"),
    ("POST", "/api/properties"),
    ("GET", "/api/connections"),
    ("POST", "/api/connections"),
    ("PUT", "/api/connections/{id}"),
    ("DELETE", "/api/connections/{id}"),
    ("POST", "/api/connections/{id}/disconnect"),
    ("GET", "/api/recipes"),
    ("GET", "/api/recipes/{id}"),
    ("DELETE", "/api/recipes/{id}"),
    ("PUT", "/api/recipes/{id}/start"),
    ("PUT", "/api/recipes/{id}/stop"),
    ("GET", "/api/data_tables"),
    ("POST", "/api/data_tables"),
    ("GET", "/api/data_tables/{id}"),
    ("PUT", "/api/data_tables/{id}"),
    ("DELETE", "/api/data_tables/{id}"),
    ("POST", "/api/data_tables/{id}/truncate"),
    ("GET", "/api/api_collections"),
    ("POST", "/api/api_collections"),
    ("PUT", "/api/api_collections/{id}"),
    ("DELETE", "/api/api_collections/{id}"),
    ("POST", "/api/api_collections/{id}/api_endpoints"),
    ("GET", "/api/api_endpoints"),
    ("PUT", "/api/api_endpoints/{id}/enable"),
    ("PUT", "/api/api_endpoints/{id}/disable"),
    ("GET", "/api/v2/api_clients"),
    ("POST", "/api/v2/api_clients"),
    ("GET", "/api/v2/api_clients/{id}"),
    ("PUT", "/api/v2/api_clients/{id}"),
    ("DELETE", "/api/v2/api_clients/{id}"),
    ("GET", "/api/v2/api_clients/{id}/api_keys"),
    ("POST", "/api/v2/api_clients/{id}/api_keys"),
    ("PUT", "/api/v2/api_clients/{id}/api_keys/{key_id}"),
    ("DELETE", "/api/v2/api_clients/{id}/api_keys/{key_id}"),
    ("PUT", "/api/v2/api_clients/{id}/api_keys/{key_id}/enable"),
    ("PUT", "/api/v2/api_clients/{id}/api_keys/{key_id}/disable"),
    (
        "PUT",
        "/api/v2/api_clients/{id}/api_keys/{key_id}/refresh_secret",
    ),
    ("GET", "/api/tags"),
    ("POST", "/api/tags"),
    ("PUT", "/api/tags/{handle}"),
    ("DELETE", "/api/tags/{handle}"),
    ("POST", "/api/tags_assignments"),
    ("GET", "/api/on_prem_groups"),
    ("POST", "/api/on_prem_groups"),
    ("GET", "/api/on_prem_groups/{id}"),
    ("PUT", "/api/on_prem_groups/{id}"),
    ("DELETE", "/api/on_prem_groups/{id}"),
    ("GET", "/api/on_prem_groups/{id}/status"),
    ("GET", "/api/on_prem_groups/{id}/agents"),
    ("GET", "/api/on_prem_agents"),
    ("POST", "/api/on_prem_agents"),
    ("GET", "/api/on_prem_agents/search"),
    ("GET", "/api/on_prem_agents/{id}"),
    ("PUT", "/api/on_prem_agents/{id}"),
    ("DELETE", "/api/on_prem_agents/{id}"),
    ("GET", "/api/on_prem_agents/{id}/status"),
    ("GET", "/api/on_prem_agents/{id}/activation_code"),
];

pub(crate) fn router(app: Arc<App>) -> Router {
    use api_clients as ac;
    use api_keys as ak;
    use collections as col;
    use connections as conn;
    use data_tables as dt;
    use on_prem as op;
    let api = Router::new()
        .route("/api/users/me", get(folders::me))
        .route("/api/folders", get(folders::list).post(folders::create))
        .route(
            "/api/folders/{id}",
            get(folders::show)
                .put(folders::update)
                .delete(folders::destroy),
        )
        .route("/api/projects", get(folders::list_projects))
        .route(
            "/api/projects/{id}",
            put(folders::update_project).delete(folders::destroy_project),
        )
        .route(
            "/api/properties",
            get(properties::list).post(properties::upsert),
        )
        .route("/api/connections", get(conn::list).post(conn::create))
        .route(
            "/api/connections/{id}",
            put(conn::update).delete(conn::destroy),
        )
        .route("/api/connections/{id}/disconnect", post(conn::disconnect))
        .route("/api/recipes", get(recipes::list))
        .route(
            "/api/recipes/{id}",
            get(recipes::show).delete(recipes::destroy),
        )
        .route("/api/recipes/{id}/start", put(recipes::start))
        .route("/api/recipes/{id}/stop", put(recipes::stop))
        .route("/api/data_tables", get(dt::list).post(dt::create))
        .route(
            "/api/data_tables/{id}",
            get(dt::show).put(dt::update).delete(dt::destroy),
        )
        .route("/api/data_tables/{id}/truncate", post(dt::truncate))
        .route("/api/api_collections", get(col::list).post(col::create))
        .route(
            "/api/api_collections/{id}",
            put(col::update).delete(col::destroy),
        )
        .route(
            "/api/api_collections/{id}/api_endpoints",
            post(col::create_endpoint),
        )
        .route("/api/api_endpoints", get(col::list_endpoints))
        .route("/api/api_endpoints/{id}/enable", put(col::enable_endpoint))
        .route(
            "/api/api_endpoints/{id}/disable",
            put(col::disable_endpoint),
        )
        .route("/api/v2/api_clients", get(ac::list).post(ac::create))
        .route(
            "/api/v2/api_clients/{id}",
            get(ac::show).put(ac::update).delete(ac::destroy),
        )
        .route(
            "/api/v2/api_clients/{id}/api_keys",
            get(ak::list_keys).post(ak::create_key),
        )
        .route(
            "/api/v2/api_clients/{id}/api_keys/{key_id}",
            put(ak::update_key).delete(ak::destroy_key),
        )
        .route(
            "/api/v2/api_clients/{id}/api_keys/{key_id}/enable",
            put(ak::enable_key),
        )
        .route(
            "/api/v2/api_clients/{id}/api_keys/{key_id}/disable",
            put(ak::disable_key),
        )
        .route(
            "/api/v2/api_clients/{id}/api_keys/{key_id}/refresh_secret",
            put(ak::refresh_key),
        )
        .route("/api/tags", get(tags::list).post(tags::create))
        .route(
            "/api/tags/{handle}",
            put(tags::update).delete(tags::destroy),
        )
        .route("/api/tags_assignments", post(tags::assign))
        .route(
            "/api/on_prem_groups",
            get(op::list_groups).post(op::create_group),
        )
        .route(
            "/api/on_prem_groups/{id}",
            get(op::show_group)
                .put(op::update_group)
                .delete(op::destroy_group),
        )
        .route("/api/on_prem_groups/{id}/status", get(op::group_status))
        .route("/api/on_prem_groups/{id}/agents", get(op::group_agents))
        .route(
            "/api/on_prem_agents",
            get(op::list_agents).post(op::create_agent),
        )
        .route("/api/on_prem_agents/search", get(op::search_agents))
        .route(
            "/api/on_prem_agents/{id}",
            get(op::show_agent)
                .put(op::update_agent)
                .delete(op::destroy_agent),
        )
        .route("/api/on_prem_agents/{id}/status", get(op::agent_status))
        .route(
            "/api/on_prem_agents/{id}/activation_code",
            get(op::activation_code),
        );
    api.route("/__emulator/stats", get(hooks::stats))
        .route("/__emulator/reset", post(hooks::reset))
        .route("/__emulator/recipes", post(hooks::create_recipe))
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(app.clone(), gate))
        .with_state(app)
}

async fn fallback() -> Response {
    not_found().into_response()
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Runs before every request: stats, faults, auth and permission for `/api`; persistence
/// after successful writes.
async fn gate(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let method = req.method().as_str().to_owned();
    if !is_api(&path) {
        return next.run(req).await;
    }
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    if let Some(route) = &route {
        app.stats().record(format!("{method} {route}"));
    }
    if app.faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(app.faults.latency_ms)).await;
    }
    let verdict = {
        let mut state = app.fault_state.lock().unwrap_or_else(|e| e.into_inner());
        state.decide(&app.faults, tokio::time::Instant::now())
    };
    match verdict {
        Verdict::Pass => {}
        Verdict::RateLimited => {
            let mut resp =
                message(StatusCode::TOO_MANY_REQUESTS, "Too many requests").into_response();
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return resp;
        }
        Verdict::Unavailable => {
            return message(StatusCode::SERVICE_UNAVAILABLE, "Service unavailable").into_response();
        }
    }
    if route.is_none() {
        return not_found().into_response();
    }
    if let Err(e) = auth::authorize(&app, req.headers(), &method, &path) {
        return e.into_response();
    }
    let write = method != "GET";
    let resp = next.run(req).await;
    if resp.status() == StatusCode::METHOD_NOT_ALLOWED {
        return not_found().into_response();
    }
    if write
        && resp.status().is_success()
        && let Err(e) = app.persist()
    {
        return e.into_response();
    }
    resp
}
