//! Tags (`/api/tags`, keyed by handle) and tag assignments (`POST /api/tags_assignments`).
//!
//! Shapes follow the `wk` CLI (unverified against the live API): the list is
//! `{"data":{"tags":[...]}}`, create and update answer a bare tag. Assignments live on the
//! connections and recipes and show up as `tags: [handle]` with `includes[]=tags`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{Map, Value, json};

use super::App;
use super::http::{
    ApiError, ApiResult, Errors, Query, body_object, invalid, not_found, ok, opt_id_list,
    opt_string_field, opt_string_list, page_of, success,
};
use super::ids::now;
use super::store::{Store, Tag, base};

const COLORS: &[&str] = &[
    "blue", "violet", "green", "red", "orange", "gold", "indigo", "brown", "teal", "plum", "slate",
    "neutral",
];
const MAX_TITLE: usize = 30;
const MAX_DESCRIPTION: usize = 150;
const MAX_TAGS: usize = 1000;

fn assignment_count(s: &Store, handle: &str) -> usize {
    let h = handle.to_string();
    s.connections
        .values()
        .filter(|c| c.tags.contains(&h))
        .count()
        + s.recipes.values().filter(|r| r.tags.contains(&h)).count()
}

fn tag_json(s: &Store, t: &Tag, with_count: bool) -> Value {
    let mut v = json!({
        "handle": t.handle,
        "title": t.title,
        "description": t.description,
        "color": t.color,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
    });
    if with_count {
        v["assignment_count"] = json!(assignment_count(s, &t.handle));
    }
    v
}

/// (title, description, color) of a body: None = not given; description `Some(None)` = null.
type TagFields = (Option<String>, Option<Option<String>>, Option<String>);

/// Validate title/description/color of a body into `errors`; `own` is the handle being
/// updated (excluded from the title uniqueness check).
fn read_fields(
    s: &Store,
    body: &Map<String, Value>,
    own: Option<&str>,
    errors: &mut Errors,
) -> Result<TagFields, ApiError> {
    let title = match opt_string_field(body, "title")? {
        None => None,
        Some(None) => {
            errors.add("title", "can't be blank");
            None
        }
        Some(Some(t)) => {
            if t.trim().is_empty() {
                errors.add("title", "can't be blank");
            } else if t.chars().count() > MAX_TITLE {
                errors.add(
                    "title",
                    format!("is too long (maximum is {MAX_TITLE} characters)"),
                );
            } else if s
                .tags
                .values()
                .any(|x| x.title.eq_ignore_ascii_case(&t) && Some(x.handle.as_str()) != own)
            {
                errors.add("title", "has already been taken");
            }
            Some(t)
        }
    };
    let description = opt_string_field(body, "description")?;
    if let Some(Some(d)) = &description
        && d.chars().count() > MAX_DESCRIPTION
    {
        errors.add(
            "description",
            format!("is too long (maximum is {MAX_DESCRIPTION} characters)"),
        );
    }
    let color = match opt_string_field(body, "color")?.flatten() {
        Some(c) if !COLORS.contains(&c.as_str()) => {
            errors.add(
                "color",
                format!("is not included in the list ({})", COLORS.join(", ")),
            );
            None
        }
        c => c,
    };
    Ok((title, description, color))
}

/// `GET /api/tags?page=&per_page=&q[handle_in][]=&q[title_or_description_cont]=&
/// q[connection_id_eq]=&q[recipe_id_eq]=&includes[]=assignment_count`.
pub(crate) async fn list(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> ApiResult {
    let q = Query::parse(q.as_deref());
    let handles: Vec<&str> = q
        .all("q[handle_in][]")
        .into_iter()
        .chain(q.all("q[handle_in]"))
        .collect();
    let text = q
        .get("q[title_or_description_cont]")
        .map(str::to_lowercase)
        .filter(|t| !t.is_empty());
    let s = app.store();
    let connection_tags = q.get("q[connection_id_eq]").map(|id| {
        id.parse::<u64>()
            .ok()
            .and_then(|id| s.connections.get(&id))
            .map(|c| c.tags.clone())
            .unwrap_or_default()
    });
    let recipe_tags = q.get("q[recipe_id_eq]").map(|id| {
        id.parse::<u64>()
            .ok()
            .and_then(|id| s.recipes.get(&id))
            .map(|r| r.tags.clone())
            .unwrap_or_default()
    });
    let only_assigned = q.flag("q[only_assigned]");
    let with_count = q.includes("assignment_count");
    let items: Vec<&Tag> = s
        .tags
        .values()
        .filter(|t| handles.is_empty() || handles.contains(&t.handle.as_str()))
        .filter(|t| {
            text.as_deref().is_none_or(|x| {
                t.title.to_lowercase().contains(x)
                    || t.description
                        .as_deref()
                        .is_some_and(|d| d.to_lowercase().contains(x))
            })
        })
        .filter(|t| {
            connection_tags
                .as_ref()
                .is_none_or(|tags| tags.contains(&t.handle))
        })
        .filter(|t| {
            recipe_tags
                .as_ref()
                .is_none_or(|tags| tags.contains(&t.handle))
        })
        .filter(|t| !only_assigned || assignment_count(&s, &t.handle) > 0)
        .collect();
    let page: Vec<Value> = page_of(items, q.paging())
        .into_iter()
        .map(|t| tag_json(&s, t, with_count))
        .collect();
    ok(json!({"data": {"tags": page}}))
}

/// `POST /api/tags {"title","description"?,"color"?}` → bare tag.
pub(crate) async fn create(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let body = body_object(&body)?;
    let mut s = app.store();
    let mut errors = Errors::new();
    if body.get("title").is_none() {
        errors.add("title", "can't be blank");
    }
    let (title, description, color) = read_fields(&s, &body, None, &mut errors)?;
    errors.check()?;
    if s.tags.len() >= MAX_TAGS {
        return Err(invalid(
            "base",
            format!("a workspace can have at most {MAX_TAGS} tags"),
        ));
    }
    let seq = s.alloc("tag", base::TAG);
    let handle = s.rng(|r| format!("tag-{}-{}", r.alnum(8), r.alnum(6)));
    let ts = now();
    let tag = Tag {
        handle,
        title: title.unwrap_or_default(),
        description: description.flatten(),
        color: color.unwrap_or_else(|| "neutral".to_string()),
        created_at: ts.clone(),
        updated_at: ts,
    };
    let out = tag_json(&s, &tag, false);
    s.tags.insert(seq, tag);
    ok(out)
}

/// `PUT /api/tags/:handle` with any of title, description, color → bare tag.
pub(crate) async fn update(
    State(app): State<Arc<App>>,
    Path(handle): Path<String>,
    body: Bytes,
) -> ApiResult {
    let body = body_object(&body)?;
    let mut s = app.store();
    let Some((seq, _)) = s.tag_by_handle(&handle) else {
        return Err(not_found());
    };
    let mut errors = Errors::new();
    let (title, description, color) = read_fields(&s, &body, Some(&handle), &mut errors)?;
    errors.check()?;
    let t = s.tags.get_mut(&seq).ok_or_else(not_found)?;
    if let Some(title) = title {
        t.title = title;
    }
    if let Some(description) = description {
        t.description = description;
    }
    if let Some(color) = color {
        t.color = color;
    }
    t.updated_at = now();
    let t = t.clone();
    ok(tag_json(&s, &t, false))
}

/// `DELETE /api/tags/:handle`: also removes its assignments.
pub(crate) async fn destroy(State(app): State<Arc<App>>, Path(handle): Path<String>) -> ApiResult {
    let mut s = app.store();
    let Some((seq, _)) = s.tag_by_handle(&handle) else {
        return Err(not_found());
    };
    s.tags.remove(&seq);
    for c in s.connections.values_mut() {
        c.tags.retain(|h| *h != handle);
    }
    for r in s.recipes.values_mut() {
        r.tags.retain(|h| *h != handle);
    }
    success()
}

/// `POST /api/tags_assignments {"add_tags"?,"remove_tags"?,"recipe_ids"?,"connection_ids"?}`
/// → 200 with an empty body. All or nothing.
pub(crate) async fn assign(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let body = body_object(&body)?;
    let add = opt_string_list(&body, "add_tags")?.unwrap_or_default();
    let remove = opt_string_list(&body, "remove_tags")?.unwrap_or_default();
    let recipes = opt_id_list(&body, "recipe_ids")?.unwrap_or_default();
    let connections = opt_id_list(&body, "connection_ids")?.unwrap_or_default();
    let mut errors = Errors::new();
    if recipes.is_empty() && connections.is_empty() {
        errors.add("base", "recipe_ids or connection_ids must be present");
    }
    let mut s = app.store();
    for (field, list) in [("add_tags", &add), ("remove_tags", &remove)] {
        for h in list {
            if s.tag_by_handle(h).is_none() {
                errors.add(field, format!("tag {h} not found"));
            }
        }
    }
    for id in &recipes {
        if !s.recipes.contains_key(id) {
            errors.add("recipe_ids", format!("recipe {id} not found"));
        }
    }
    for id in &connections {
        if !s.connections.contains_key(id) {
            errors.add("connection_ids", format!("connection {id} not found"));
        }
    }
    errors.check()?;
    let apply = |tags: &mut Vec<String>| {
        for h in &add {
            if !tags.contains(h) {
                tags.push(h.clone());
            }
        }
        tags.retain(|h| !remove.contains(h));
    };
    for id in &recipes {
        if let Some(r) = s.recipes.get_mut(id) {
            apply(&mut r.tags);
        }
    }
    for id in &connections {
        if let Some(c) = s.connections.get_mut(id) {
            apply(&mut c.tags);
        }
    }
    Ok(StatusCode::OK.into_response())
}
