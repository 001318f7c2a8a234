//! `plan --json` / `show --json`: Terraform's JSON plan shape (`resource_changes[].change`
//! with `actions`, `before`, `after`, `after_unknown`, `before_sensitive`, `after_sensitive`),
//! so tools written for Terraform plans adapt easily. Unlike Terraform, sensitive values are
//! redacted to `null` (their `*_sensitive` markers stay `true`): secrets never leave workform.

use std::collections::BTreeSet;

use serde_json::{Map, Value as Json, json};

use super::{Action, Plan, PlanMode, ResourceChange};
use crate::addr::{InstanceKey, Mode};
use crate::value::Value;
use crate::workato::Object;

/// The whole plan as JSON.
pub fn render(plan: &Plan) -> Json {
    let changes: Vec<Json> = plan.changes.iter().map(change_json).collect();
    let drift: Vec<Json> = plan
        .drift
        .iter()
        .map(|d| {
            let before = redact_object(&d.before, &d.sensitive);
            let after = d.after.as_ref().map(|a| redact_object(a, &d.sensitive));
            let actions = if d.after.is_none() {
                vec!["delete"]
            } else {
                vec!["update"]
            };
            json!({
                "address": d.addr.to_string(),
                "mode": "managed",
                "type": d.type_name,
                "name": d.addr.resource.name,
                "index": index_json(&d.addr.key),
                "change": { "actions": actions, "before": before, "after": after },
            })
        })
        .collect();
    let outputs: Map<String, Json> = plan
        .outputs
        .iter()
        .map(|(name, o)| {
            let sensitive = o.sensitive || o.after.contains_sensitive();
            let after = if sensitive {
                Json::Null
            } else {
                known_json(&o.after)
            };
            let actions = match &o.before {
                None => vec!["create"],
                Some(b)
                    if !o.after.contains_unknown()
                        && *b == o.after.clone().unmark_deep().0.to_json() =>
                {
                    vec!["no-op"]
                }
                Some(_) => vec!["update"],
            };
            let before = if sensitive {
                Json::Null
            } else {
                o.before.clone().unwrap_or(Json::Null)
            };
            (
                name.clone(),
                json!({
                    "actions": actions,
                    "before": before,
                    "after": after,
                    "after_unknown": o.after.contains_unknown(),
                    "before_sensitive": sensitive,
                    "after_sensitive": sensitive,
                }),
            )
        })
        .collect();
    let s = plan.summary();
    json!({
        "format_version": "1.2",
        "workform_version": env!("CARGO_PKG_VERSION"),
        "plan_mode": match plan.mode { PlanMode::Normal => "normal", PlanMode::Destroy => "destroy", PlanMode::RefreshOnly => "refresh-only" },
        "resource_changes": changes,
        "resource_drift": drift,
        "output_changes": outputs,
        "summary": { "add": s.add, "change": s.change, "destroy": s.destroy },
        "warnings": plan.warnings,
        "applyable": plan.has_changes(),
        "complete": true,
        "errored": false,
    })
}

fn change_json(c: &ResourceChange) -> Json {
    let before = c
        .before
        .as_ref()
        .map(|b| redact_object(b, &c.sensitive))
        .unwrap_or(Json::Null);
    let before_sensitive = c
        .before
        .as_ref()
        .map(|b| sensitive_mask(b.keys(), &c.sensitive))
        .unwrap_or(Json::Bool(false));
    let (after, after_unknown, after_sensitive) = match &c.after {
        Some(Value::Object(map)) => {
            let mut after = Map::new();
            let mut unknown = Map::new();
            for (k, v) in map {
                if v.contains_unknown() {
                    unknown.insert(k.clone(), unknown_mask(v));
                    continue;
                }
                let sensitive = c.sensitive.contains(k) || v.contains_sensitive();
                after.insert(
                    k.clone(),
                    if sensitive { Json::Null } else { known_json(v) },
                );
            }
            (
                Json::Object(after),
                Json::Object(unknown),
                sensitive_mask(map.keys(), &c.sensitive),
            )
        }
        _ => (Json::Null, Json::Bool(false), Json::Bool(false)),
    };
    let mut out = json!({
        "address": c.addr.to_string(),
        "mode": if c.addr.resource.mode == Mode::Data { "data" } else { "managed" },
        "type": c.type_name,
        "name": c.addr.resource.name,
        "index": index_json(&c.addr.key),
        "change": {
            "actions": c.action.json_actions(),
            "before": before,
            "after": after,
            "after_unknown": after_unknown,
            "before_sensitive": before_sensitive,
            "after_sensitive": after_sensitive,
            "replace_paths": c.replace_paths.iter().map(|p| vec![p.clone()]).collect::<Vec<_>>(),
        },
    });
    if let Some(reason) = action_reason(c) {
        out["action_reason"] = Json::String(reason.into());
    }
    out
}

fn action_reason(c: &ResourceChange) -> Option<&'static str> {
    match c.action {
        Action::Replace if c.replace_paths.is_empty() => Some("replace_by_request"),
        Action::Replace => Some("replace_because_cannot_update"),
        Action::Delete if c.reason.as_deref().is_some_and(|r| r.contains("key")) => {
            Some("delete_because_each_key")
        }
        Action::Delete if c.reason.is_some() => Some("delete_because_no_resource_config"),
        Action::Read => Some("read_because_config_unknown"),
        _ => None,
    }
}

fn index_json(key: &Option<InstanceKey>) -> Json {
    match key {
        None => Json::Null,
        Some(InstanceKey::Int(i)) => json!(i),
        Some(InstanceKey::Str(s)) => json!(s),
    }
}

/// A known value's JSON (unknown leaves dropped to null, marks removed).
fn known_json(v: &Value) -> Json {
    v.clone().unmark_deep().0.to_json()
}

/// `true` where a value is unknown, in the value's shape.
fn unknown_mask(v: &Value) -> Json {
    match v {
        Value::Unknown => Json::Bool(true),
        Value::Sensitive(inner) => unknown_mask(inner),
        Value::List(items) => Json::Array(items.iter().map(unknown_mask).collect()),
        Value::Object(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), unknown_mask(v)))
                .collect(),
        ),
        _ => Json::Bool(false),
    }
}

fn sensitive_mask<'a>(
    keys: impl Iterator<Item = &'a String>,
    sensitive: &BTreeSet<String>,
) -> Json {
    Json::Object(
        keys.filter(|k| sensitive.contains(*k))
            .map(|k| (k.clone(), Json::Bool(true)))
            .collect(),
    )
}

fn redact_object(obj: &Object, sensitive: &BTreeSet<String>) -> Json {
    Json::Object(
        obj.iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    if sensitive.contains(k) {
                        Json::Null
                    } else {
                        v.clone()
                    },
                )
            })
            .collect(),
    )
}
