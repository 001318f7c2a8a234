//! `GET /api/users/me`, folders and projects.
//!
//! A folder created without a parent (or under Home) is a project: its folder has
//! `is_project: true` and a `project_id`, and the project appears in `GET /api/projects`.
//! Project names live on the project's root folder, so renaming either renames both.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::App;
use super::http::{
    ApiResult, Errors, Query, body_object, invalid, message, not_found, ok, opt_id_field,
    opt_string_field, optional_name, page_of, path_id, ref_not_found, required_string, success,
};
use super::ids::now;
use super::store::{Folder, Project, Store, base};

/// `GET /api/users/me`: the workspace.
pub(crate) async fn me(State(app): State<Arc<App>>) -> ApiResult {
    let s = app.store();
    let ws = &s.workspace;
    let active = s.recipes.values().filter(|r| r.running).count();
    let ts = now();
    ok(json!({
        "id": ws.id,
        "name": ws.name,
        "created_at": ws.created_at,
        "plan_id": "enterprise_plan",
        "current_billing_period_start": ws.created_at,
        "current_billing_period_end": ts,
        "expert": false,
        "avatar_url": null,
        "recipes_count": s.recipes.len(),
        "interested_applications": [],
        "company_name": null,
        "location": null,
        "last_seen": ts,
        "contact_phone": null,
        "contact_email": null,
        "about_me": null,
        "email": ws.email,
        "phone": null,
        "active_recipes_count": active,
        "root_folder_id": ws.root_folder_id,
    }))
}

pub(crate) fn folder_json(s: &Store, f: &Folder) -> Value {
    let is_project = f.parent_id == s.root() && s.project_by_folder(f.id).is_some();
    json!({
        "id": f.id,
        "name": f.name,
        "parent_id": f.parent_id,
        "is_project": is_project,
        "project_id": s.project_of_folder(f.id),
        "created_at": f.created_at,
        "updated_at": f.updated_at,
    })
}

fn project_json(s: &Store, p: &Project) -> Value {
    let name = s.folders.get(&p.folder_id).map(|f| f.name.as_str());
    json!({"id": p.id, "name": name, "description": p.description, "folder_id": p.folder_id})
}

/// `GET /api/folders?parent_id=&page=&per_page=&with_nested_folders=`.
pub(crate) async fn list(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> ApiResult {
    let q = Query::parse(q.as_deref());
    let s = app.store();
    let parent = match q.get("parent_id").filter(|v| !v.is_empty()) {
        None => s.root(),
        Some(v) => {
            let id = v.trim().parse::<u64>().map_err(|_| not_found())?;
            if !s.folder_exists(id) {
                return Err(ref_not_found("parent_id", "Folder", id));
            }
            id
        }
    };
    let items: Vec<&Folder> = if q.flag("with_nested_folders") {
        let tree = s.subtree(parent);
        s.folders
            .values()
            .filter(|f| f.id != parent && tree.contains(&f.id))
            .collect()
    } else {
        s.folders
            .values()
            .filter(|f| f.parent_id == parent)
            .collect()
    };
    let page: Vec<Value> = page_of(items, q.paging())
        .into_iter()
        .map(|f| folder_json(&s, f))
        .collect();
    ok(Value::Array(page))
}

/// `GET /api/folders/:id`.
pub(crate) async fn show(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let id = path_id(&id)?;
    let s = app.store();
    let f = s.folders.get(&id).ok_or_else(not_found)?;
    ok(folder_json(&s, f))
}

/// `POST /api/folders {"name", "parent_id"?}`; no parent or Home makes a project.
pub(crate) async fn create(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let body = body_object(&body)?;
    let mut errors = Errors::new();
    let name = required_string(&body, "name", &mut errors);
    let parent = opt_id_field(&body, "parent_id")?;
    errors.check()?;
    let name = name.unwrap_or_default();
    let mut s = app.store();
    let root = s.root();
    let parent = parent.unwrap_or(root);
    if !s.folder_exists(parent) {
        return Err(ref_not_found("parent_id", "Folder", parent));
    }
    let id = s.alloc("folder", base::FOLDER);
    let ts = now();
    s.folders.insert(
        id,
        Folder {
            id,
            name,
            parent_id: parent,
            created_at: ts.clone(),
            updated_at: ts,
        },
    );
    if parent == root {
        let pid = s.alloc("project", base::PROJECT);
        s.projects.insert(
            pid,
            Project {
                id: pid,
                folder_id: id,
                description: None,
            },
        );
    }
    ok(folder_json(&s, &s.folders[&id]))
}

/// `PUT /api/folders/:id {"name"?, "parent_id"?}`: rename and/or move.
pub(crate) async fn update(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = path_id(&id)?;
    let body = body_object(&body)?;
    let mut errors = Errors::new();
    let name = optional_name(&body, "name", &mut errors);
    let parent = opt_id_field(&body, "parent_id")?;
    let mut s = app.store();
    let Some(folder) = s.folders.get(&id) else {
        return Err(not_found());
    };
    errors.check()?;
    if let Some(parent) = parent.filter(|p| *p != folder.parent_id) {
        if folder.parent_id == s.root() {
            return Err(invalid(
                "parent_id",
                "a project folder cannot be moved; it stays at the top level",
            ));
        }
        if parent == s.root() {
            return Err(invalid(
                "parent_id",
                "a folder cannot be moved to Home; create a project instead",
            ));
        }
        if !s.folders.contains_key(&parent) {
            return Err(ref_not_found("parent_id", "Folder", parent));
        }
        if s.subtree(id).contains(&parent) {
            return Err(invalid(
                "parent_id",
                "a folder cannot be moved into itself or one of its subfolders",
            ));
        }
    }
    let folder = s.folders.get_mut(&id).ok_or_else(not_found)?;
    if let Some(name) = name {
        folder.name = name;
    }
    if let Some(parent) = parent {
        folder.parent_id = parent;
    }
    folder.updated_at = now();
    ok(folder_json(&s, &s.folders[&id]))
}

/// `DELETE /api/folders/:id[?force=true]`.
pub(crate) async fn destroy(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let id = path_id(&id)?;
    let force = Query::parse(q.as_deref()).flag("force");
    let mut s = app.store();
    if !s.folders.contains_key(&id) {
        return Err(not_found());
    }
    if let Some(p) = s.project_by_folder(id) {
        return Err(message(
            StatusCode::BAD_REQUEST,
            format!(
                "Folder {id} is the root folder of project {}; delete it with DELETE /api/projects/{}",
                p.id, p.id
            ),
        ));
    }
    let tree = s.subtree(id);
    if !force {
        let subfolders = tree.len() - 1;
        let (connections, tables, recipes) = s.assets_in(&tree);
        if subfolders + connections + tables + recipes > 0 {
            return Err(message(
                StatusCode::CONFLICT,
                format!(
                    "Folder {id} is not empty ({subfolders} folders, {recipes} recipes, {connections} connections, {tables} data tables); use force=true to delete it with its contents"
                ),
            ));
        }
    }
    s.delete_folders(&tree);
    success()
}

/// `GET /api/projects?page=&per_page=`.
pub(crate) async fn list_projects(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> ApiResult {
    let q = Query::parse(q.as_deref());
    let s = app.store();
    let items: Vec<&Project> = s.projects.values().collect();
    let page: Vec<Value> = page_of(items, q.paging())
        .into_iter()
        .map(|p| project_json(&s, p))
        .collect();
    ok(Value::Array(page))
}

/// `PUT /api/projects/:project_id {"name"?, "description"?}`; also renames the root folder.
pub(crate) async fn update_project(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = path_id(&id)?;
    let body = body_object(&body)?;
    let mut errors = Errors::new();
    let name = optional_name(&body, "name", &mut errors);
    let description = opt_string_field(&body, "description")?;
    let mut s = app.store();
    let Some(folder_id) = s.projects.get(&id).map(|p| p.folder_id) else {
        return Err(not_found());
    };
    errors.check()?;
    let ts = now();
    if let Some(folder) = s.folders.get_mut(&folder_id) {
        if let Some(name) = name {
            folder.name = name;
        }
        folder.updated_at = ts;
    }
    if let (Some(description), Some(project)) = (description, s.projects.get_mut(&id)) {
        project.description = description;
    }
    ok(project_json(&s, &s.projects[&id]))
}

/// `DELETE /api/projects/:project_id`: the project and everything in it.
pub(crate) async fn destroy_project(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = path_id(&id)?;
    let mut s = app.store();
    if !s.projects.contains_key(&id) {
        return Err(not_found());
    }
    s.delete_project(id);
    success()
}
