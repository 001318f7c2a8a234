//! A minimal recipe model: enough for API endpoints (which need a running recipe), tag
//! assignments and cascades. Recipes are created through the test hook
//! `POST /__emulator/recipes` or by OpenAPI imports; the `/api/recipes` routes list, show,
//! start, stop and delete them (shapes reduced to the fields modelled here).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use serde_json::{Value, json};

use super::App;
use super::http::{ApiResult, Query, not_found, ok, page_of, path_id, success};
use super::ids::now;
use super::store::Recipe;

fn recipe_json(r: &Recipe, with_tags: bool) -> Value {
    let mut v = json!({
        "id": r.id,
        "name": r.name,
        "folder_id": r.folder_id,
        "running": r.running,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    });
    if with_tags {
        v["tags"] = json!(r.tags);
    }
    v
}

/// `GET /api/recipes?folder_id=&page=&per_page=&includes[]=tags` → `{"items": [...]}`.
pub(crate) async fn list(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> ApiResult {
    let q = Query::parse(q.as_deref());
    let folder = q
        .get("folder_id")
        .filter(|v| !v.is_empty())
        .map(str::to_string);
    let with_tags = q.includes("tags");
    let s = app.store();
    let items: Vec<&Recipe> = s
        .recipes
        .values()
        .filter(|r| {
            folder
                .as_deref()
                .is_none_or(|f| f == r.folder_id.to_string())
        })
        .collect();
    let page: Vec<Value> = page_of(items, q.paging())
        .into_iter()
        .map(|r| recipe_json(r, with_tags))
        .collect();
    ok(json!({"items": page}))
}

/// `GET /api/recipes/:id`.
pub(crate) async fn show(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let id = path_id(&id)?;
    let s = app.store();
    let r = s.recipes.get(&id).ok_or_else(not_found)?;
    ok(recipe_json(r, true))
}

/// `DELETE /api/recipes/:id`.
pub(crate) async fn destroy(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let id = path_id(&id)?;
    let mut s = app.store();
    s.recipes.remove(&id).ok_or_else(not_found)?;
    success()
}

fn set_running(app: &App, id: &str, running: bool) -> ApiResult {
    let id = path_id(id)?;
    let mut s = app.store();
    let r = s.recipes.get_mut(&id).ok_or_else(not_found)?;
    r.running = running;
    r.updated_at = now();
    success()
}

/// `PUT /api/recipes/:id/start`.
pub(crate) async fn start(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    set_running(&app, &id, true)
}

/// `PUT /api/recipes/:id/stop`.
pub(crate) async fn stop(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    set_running(&app, &id, false)
}
