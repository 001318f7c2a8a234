//! The diff of one resource instance: configuration against the refreshed object.

use std::collections::{BTreeMap, BTreeSet};

use super::Action;
use crate::schema::Schema;
use crate::value::Value;
use crate::workato::Object;

/// The outcome of diffing one instance.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceDiff {
    pub action: Action,
    /// The planned object (all schema attributes), with `Unknown` for what only apply tells.
    pub after: Value,
    /// Changed attributes that force replacement.
    pub replace_paths: Vec<String>,
}

/// Diffs `config` (the evaluated block, attribute name → value; absent = not set) against
/// `prior` (the refreshed object, `None` = does not exist yet).
///
/// `ignore` lists attributes whose configured value is ignored once the object exists
/// (`lifecycle { ignore_changes }`); `force_replace` comes from `--replace`.
pub fn diff_instance(
    schema: &Schema,
    config: &BTreeMap<String, Value>,
    prior: Option<&Object>,
    ignore: &IgnoreSet,
    force_replace: bool,
) -> InstanceDiff {
    let mut after = BTreeMap::new();
    let mut changed: Vec<&str> = Vec::new();
    for (name, attr) in &schema.attributes {
        let mut prior_value = prior.and_then(|p| p.get(name)).map(Value::from_json);
        if attr.local_only && prior.is_some() && prior_value.as_ref().is_none_or(Value::is_null) {
            // Workform-only settings of an imported object start at their default.
            prior_value = attr.default.as_ref().map(Value::from_json);
        }
        let configured = config.get(name).filter(|v| !v.is_null()).cloned();
        let planned = if !attr.is_configurable() {
            prior_value.clone().unwrap_or(Value::Unknown)
        } else if prior.is_some() && ignore.contains(name) {
            prior_value.clone().unwrap_or(Value::Null)
        } else if let Some(v) = configured {
            v
        } else if let Some(default) = &attr.default {
            Value::from_json(default)
        } else if attr.computed {
            // Optional + computed and not set: whatever the server has (or will choose).
            prior_value.clone().unwrap_or(Value::Unknown)
        } else {
            Value::Null
        };
        let differs = if attr.write_only {
            // State keeps only a digest of what was sent: compare digests.
            planned.contains_unknown()
                || prior_value.as_ref().and_then(Value::as_str)
                    != write_only_digest(&planned).as_deref()
        } else {
            differs(&planned, prior_value.as_ref())
        };
        if prior.is_some() && attr.is_configurable() && differs {
            changed.push(name);
        }
        after.insert(name.clone(), planned);
    }

    for (name, block) in &schema.blocks {
        let configured = config.get(name).cloned().unwrap_or(Value::List(vec![]));
        let prior_value = prior.and_then(|p| p.get(name)).map(Value::from_json);
        let planned = if prior.is_some() && ignore.contains(name) {
            prior_value.clone().unwrap_or(Value::List(vec![]))
        } else {
            fill_block_computed(block, configured, prior_value.as_ref())
        };
        if prior.is_some() && differs(&planned, prior_value.as_ref()) {
            changed.push(name);
        }
        after.insert(name.clone(), planned);
    }

    let Some(_) = prior else {
        return InstanceDiff {
            action: Action::Create,
            after: Value::Object(after),
            replace_paths: vec![],
        };
    };
    let replace_paths: Vec<String> = changed
        .iter()
        .filter(|n| schema.attributes.get(**n).is_some_and(|a| a.force_new))
        .map(|n| n.to_string())
        .collect();
    let action = if force_replace || !replace_paths.is_empty() {
        // A new object: everything the server computes is unknown again.
        for (name, attr) in &schema.attributes {
            if !attr.is_configurable()
                || (attr.computed && config.get(name).is_none_or(Value::is_null))
            {
                after.insert(name.clone(), Value::Unknown);
            }
        }
        Action::Replace
    } else if changed.is_empty() {
        Action::NoOp
    } else {
        Action::Update
    };
    InstanceDiff {
        action,
        after: Value::Object(after),
        replace_paths,
    }
}

/// The digest state keeps for a write-only value: `sha256:` + hex SHA-256 of its canonical
/// JSON (sorted keys, compact). A string holding a JSON document hashes as the document,
/// so `input = jsonencode({...})` and `input = {...}` are the same. `None` for null.
pub fn write_only_digest(value: &Value) -> Option<String> {
    use sha2::{Digest, Sha256};
    let plain = value.clone().unmark_deep().0;
    if plain.is_null() {
        return None;
    }
    let canonical = match &plain {
        Value::String(s) => match serde_json::from_str::<serde_json::Value>(s) {
            Ok(doc @ serde_json::Value::Object(_)) => Value::from_json(&doc).to_json().to_string(),
            _ => plain.to_json().to_string(),
        },
        other => other.to_json().to_string(),
    };
    let digest = Sha256::digest(canonical.as_bytes());
    Some(format!(
        "sha256:{}",
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    ))
}

/// Nested blocks: an optional+computed attribute left unset takes the prior value of the
/// block at the same position (e.g. a data-table column's server-assigned `field_id`), or
/// unknown when there is none.
fn fill_block_computed(
    block: &crate::schema::BlockSchema,
    configured: Value,
    prior: Option<&Value>,
) -> Value {
    let Value::List(items) = configured else {
        return configured;
    };
    let prior_items = prior.and_then(Value::as_list).unwrap_or(&[]);
    let configured_names: Vec<Option<Value>> = items.iter().map(|i| i.get_attr("name")).collect();
    Value::List(
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                let Value::Object(mut map) = item else {
                    return item;
                };
                // The prior block with the same name (columns inserted or reordered keep
                // their identity), else the one at the same position when it is unnamed.
                let name = map.get("name").filter(|v| !v.is_null()).cloned();
                let prior_item = match &name {
                    Some(n) => prior_items
                        .iter()
                        .find(|p| p.get_attr("name").as_ref() == Some(n))
                        .or_else(|| {
                            prior_items
                                .get(i)
                                .filter(|p| !configured_names.contains(&p.get_attr("name")))
                        }),
                    None => prior_items.get(i),
                };
                for (name, attr) in &block.attributes {
                    let unset = map.get(name).is_none_or(Value::is_null);
                    if attr.computed && unset {
                        let v = prior_item
                            .and_then(|p| p.get_attr(name))
                            .unwrap_or(Value::Unknown);
                        map.insert(name.clone(), v);
                    } else if unset {
                        let v = attr.default.as_ref().map_or(Value::Null, Value::from_json);
                        map.insert(name.clone(), v);
                    }
                }
                for (name, inner) in &block.blocks {
                    let configured = map.remove(name).unwrap_or(Value::List(vec![]));
                    let prior_inner = prior_item.and_then(|p| p.get_attr(name));
                    map.insert(
                        name.clone(),
                        fill_block_computed(inner, configured, prior_inner.as_ref()),
                    );
                }
                Value::Object(map)
            })
            .collect(),
    )
}

/// True when a planned value is not the prior one (unknown always differs).
fn differs(planned: &Value, prior: Option<&Value>) -> bool {
    let planned = planned.clone().unmark_deep().0;
    if planned.contains_unknown() {
        return true;
    }
    match prior {
        Some(p) => !same(&planned, p),
        None => !planned.is_null(),
    }
}

/// Equality that treats a missing/null prior and an empty planned string alike only when
/// both are null, and compares numbers numerically.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => (x - y).abs() < f64::EPSILON,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// `lifecycle { ignore_changes }` resolved to attribute names (or everything).
#[derive(Debug, Clone, Default)]
pub enum IgnoreSet {
    #[default]
    Nothing,
    All,
    Attrs(BTreeSet<String>),
}

impl IgnoreSet {
    pub fn contains(&self, name: &str) -> bool {
        match self {
            IgnoreSet::Nothing => false,
            IgnoreSet::All => true,
            IgnoreSet::Attrs(set) => set.contains(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn folder_schema() -> &'static Schema {
        crate::schema::resource("workato_folder").unwrap()
    }

    fn cfg(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn obj(v: serde_json::Value) -> Object {
        v.as_object().unwrap().clone()
    }

    fn prior_folder() -> Object {
        obj(
            json!({"id": 7, "name": "a", "folder_id": 1, "project_id": 3, "force": false,
                   "created_at": "t", "updated_at": "t"}),
        )
    }

    #[test]
    fn a_new_object_is_created_with_computed_attributes_unknown() {
        let d = diff_instance(
            folder_schema(),
            &cfg(&[
                ("name", Value::String("a".into())),
                ("folder_id", Value::Number(1.0)),
            ]),
            None,
            &IgnoreSet::Nothing,
            false,
        );
        assert_eq!(d.action, Action::Create);
        assert_eq!(d.after.get_attr("id"), Some(Value::Unknown));
        assert_eq!(d.after.get_attr("force"), Some(Value::Bool(false)));
    }

    #[test]
    fn unchanged_configuration_is_a_no_op() {
        let d = diff_instance(
            folder_schema(),
            &cfg(&[
                ("name", Value::String("a".into())),
                ("folder_id", Value::Number(1.0)),
            ]),
            Some(&prior_folder()),
            &IgnoreSet::Nothing,
            false,
        );
        assert_eq!(d.action, Action::NoOp);
        assert_eq!(d.after.get_attr("id"), Some(Value::Number(7.0)));
    }

    #[test]
    fn a_rename_is_an_update_and_ignore_changes_suppresses_it() {
        let config = cfg(&[
            ("name", Value::String("b".into())),
            ("folder_id", Value::Number(1.0)),
        ]);
        let d = diff_instance(
            folder_schema(),
            &config,
            Some(&prior_folder()),
            &IgnoreSet::Nothing,
            false,
        );
        assert_eq!(d.action, Action::Update);
        let ignore = IgnoreSet::Attrs(["name".to_string()].into());
        let d = diff_instance(
            folder_schema(),
            &config,
            Some(&prior_folder()),
            &ignore,
            false,
        );
        assert_eq!(d.action, Action::NoOp);
    }

    #[test]
    fn a_force_new_change_replaces_and_unknowns_computed_values() {
        let schema = crate::schema::resource("workato_project_property").unwrap();
        let prior = obj(json!({"id": "3:a", "name": "a", "value": "v", "project_id": 3}));
        let config = cfg(&[
            ("name", Value::String("b".into())),
            ("value", Value::String("v".into())),
            ("project_id", Value::Number(3.0)),
        ]);
        let d = diff_instance(schema, &config, Some(&prior), &IgnoreSet::Nothing, false);
        assert_eq!(d.action, Action::Replace);
        assert_eq!(d.replace_paths, vec!["name".to_string()]);
        assert_eq!(d.after.get_attr("id"), Some(Value::Unknown));
    }

    #[test]
    fn an_unknown_planned_value_is_a_change() {
        let config = cfg(&[
            ("name", Value::String("a".into())),
            ("folder_id", Value::Unknown),
        ]);
        let d = diff_instance(
            folder_schema(),
            &config,
            Some(&prior_folder()),
            &IgnoreSet::Nothing,
            false,
        );
        assert_eq!(d.action, Action::Update);
    }

    #[test]
    fn sensitive_marks_do_not_make_equal_values_differ() {
        let schema = crate::schema::resource("workato_project_property").unwrap();
        let prior = obj(json!({"id": "3:a", "name": "a", "value": "v", "project_id": 3}));
        let config = cfg(&[
            ("name", Value::String("a".into())),
            ("value", Value::String("v".into()).mark_sensitive()),
            ("project_id", Value::Number(3.0)),
        ]);
        let d = diff_instance(schema, &config, Some(&prior), &IgnoreSet::Nothing, false);
        assert_eq!(d.action, Action::NoOp);
    }

    #[test]
    fn replace_by_request_forces_replacement() {
        let config = cfg(&[
            ("name", Value::String("a".into())),
            ("folder_id", Value::Number(1.0)),
        ]);
        let d = diff_instance(
            folder_schema(),
            &config,
            Some(&prior_folder()),
            &IgnoreSet::Nothing,
            true,
        );
        assert_eq!(d.action, Action::Replace);
    }
}
