//! Test hooks under `/__emulator/*`: no token, not counted, no faults.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use serde_json::json;

use super::App;
use super::http::{
    ApiResult, Errors, Query, body_object, ok, opt_bool_field, opt_id_field, ref_not_found,
    required_string, success,
};
use super::ids::now;
use super::store::{Recipe, Store, base};

/// `GET /__emulator/stats` → `{"total": N, "by_route": {"GET /api/folders": n}}`.
pub(crate) async fn stats(State(app): State<Arc<App>>) -> ApiResult {
    let body = app.stats().to_json();
    ok(body)
}

/// `POST /__emulator/reset[?data=true]`: zero the counters; with `data=true` also empty the
/// workspace (a fresh Home folder, same workspace id).
pub(crate) async fn reset(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> ApiResult {
    app.stats().reset();
    if Query::parse(q.as_deref()).flag("data") {
        {
            let mut s = app.store();
            let fresh = Store::with_workspace(s.workspace.clone(), s.rng_state);
            *s = fresh;
        }
        app.persist()?;
    }
    success()
}

/// `POST /__emulator/recipes {"name", "folder_id"?, "running"?}` → `{"id": N}`.
pub(crate) async fn create_recipe(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let body = body_object(&body)?;
    let mut errors = Errors::new();
    let name = required_string(&body, "name", &mut errors);
    let folder = opt_id_field(&body, "folder_id")?;
    let running = opt_bool_field(&body, "running")?.unwrap_or(false);
    errors.check()?;
    let id = {
        let mut s = app.store();
        let folder = folder.unwrap_or(s.root());
        if !s.folder_exists(folder) {
            return Err(ref_not_found("folder_id", "Folder", folder));
        }
        new_recipe(&mut s, name.unwrap_or_default(), folder, running)
    };
    app.persist()?;
    ok(json!({"id": id}))
}

/// Create a recipe (used by the hook and by OpenAPI imports).
pub(crate) fn new_recipe(s: &mut Store, name: String, folder_id: u64, running: bool) -> u64 {
    let id = s.alloc("recipe", base::RECIPE);
    let ts = now();
    s.recipes.insert(
        id,
        Recipe {
            id,
            name,
            folder_id,
            running,
            tags: Vec::new(),
            created_at: ts.clone(),
            updated_at: ts,
        },
    );
    id
}
