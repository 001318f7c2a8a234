//! Recovery from an interrupted apply: every intent left in the log is resolved before
//! planning, so a create whose answer was lost is adopted, never repeated.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::state::{Change, Intent, ResourceState, StateDb, StateError};
use crate::workato::{self, Api, ApiError, Object};

/// Why recovery could not finish (the intents stay for the next run).
#[derive(Debug, thiserror::Error)]
pub enum RecoverError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error("recovering {addr} after an interrupted apply: {source}")]
    Api {
        addr: String,
        #[source]
        source: ApiError,
    },
}

/// Resolves every leftover intent; returns one note per recovered or dropped intent.
pub async fn recover(api: &Api, state: &StateDb) -> Result<Vec<String>, RecoverError> {
    let intents = state.intents()?;
    if intents.is_empty() {
        return Ok(Vec::new());
    }
    let snapshot = state.snapshot()?;
    let mut listings: BTreeMap<String, Vec<Object>> = BTreeMap::new();
    let mut notes = Vec::new();
    for intent in intents {
        if snapshot.resources.contains_key(&intent.addr) {
            state.clear_intent(&intent.addr)?;
            continue;
        }
        let Some(resource) = workato::resource::resource(&intent.type_name) else {
            state.clear_intent(&intent.addr)?;
            continue;
        };
        if !listings.contains_key(&intent.type_name) {
            let all = resource
                .list_all(api)
                .await
                .map_err(|source| RecoverError::Api {
                    addr: intent.addr.to_string(),
                    source,
                })?
                .unwrap_or_default();
            listings.insert(intent.type_name.clone(), all);
        }
        let managed_ids: Vec<&Json> = snapshot
            .resources
            .values()
            .filter(|r| r.type_name == intent.type_name)
            .filter_map(|r| r.attributes.get("id"))
            .collect();
        let found = listings[&intent.type_name]
            .iter()
            .filter(|o| matches_key(o, &intent.natural_key))
            .filter(|o| !o.get("id").is_some_and(|id| managed_ids.contains(&id)))
            .max_by_key(|o| o.get("id").map(|id| id.to_string()))
            .cloned();
        match found {
            Some(object) => {
                let id = object.get("id").map(|v| v.to_string()).unwrap_or_default();
                state.commit(Change {
                    put: vec![adopted(&intent, object)],
                    ..Change::default()
                })?;
                notes.push(format!(
                    "{}: an earlier apply was interrupted after asking Workato to create it; adopted the object it created (id {id}) instead of creating another",
                    intent.addr
                ));
            }
            None => {
                state.clear_intent(&intent.addr)?;
                notes.push(format!("{}: an earlier apply was interrupted before Workato created it; it will be created now", intent.addr));
            }
        }
    }
    Ok(notes)
}

/// What a natural-key lookup found.
pub enum Lookup {
    Found(Object),
    Absent,
    /// The type has no natural key or cannot be listed: a retry could duplicate.
    CannotTell,
}

/// Looks for the object a create may have made (same natural key, not yet managed).
pub async fn find_created(
    api: &Api,
    resource: &'static dyn workato::Resource,
    intent: &Intent,
    state: &StateDb,
) -> Result<Lookup, RecoverError> {
    if intent.natural_key.is_empty() {
        return Ok(Lookup::CannotTell);
    }
    let Some(all) = resource
        .list_all(api)
        .await
        .map_err(|source| RecoverError::Api {
            addr: intent.addr.to_string(),
            source,
        })?
    else {
        return Ok(Lookup::CannotTell);
    };
    let snapshot = state.snapshot()?;
    let managed: Vec<&Json> = snapshot
        .resources
        .values()
        .filter(|r| r.type_name == intent.type_name)
        .filter_map(|r| r.attributes.get("id"))
        .collect();
    Ok(all
        .into_iter()
        .filter(|o| matches_key(o, &intent.natural_key))
        .filter(|o| !o.get("id").is_some_and(|id| managed.contains(&id)))
        .max_by_key(|o| o.get("id").map(|id| id.to_string()))
        .map_or(Lookup::Absent, Lookup::Found))
}

fn adopted(intent: &Intent, object: Object) -> ResourceState {
    ResourceState {
        addr: intent.addr.clone(),
        mode: crate::addr::Mode::Managed,
        type_name: intent.type_name.clone(),
        attributes: object,
        sensitive_attributes: intent.sensitive_attributes.clone(),
        dependencies: intent.dependencies.clone(),
        schema_version: 0,
    }
}

/// Every natural-key attribute equal (numbers compared numerically, null = absent).
fn matches_key(object: &Object, key: &Object) -> bool {
    key.iter().all(|(name, want)| {
        let have = object.get(name).unwrap_or(&Json::Null);
        match (have.as_f64(), want.as_f64()) {
            (Some(a), Some(b)) => a == b,
            _ => have == want || (have.is_null() && want.is_null()),
        }
    })
}

/// The intent to record before creating `addr` with the planned object.
pub fn intent_for(
    addr: &crate::addr::InstanceAddr,
    schema: &crate::schema::Schema,
    planned: &Object,
    dependencies: &[String],
    sensitive: &[String],
) -> Intent {
    Intent {
        addr: addr.clone(),
        type_name: addr.resource.type_name.clone(),
        operation: "create".into(),
        natural_key: schema
            .natural_key
            .iter()
            .filter(|k| !schema.attr(k).is_some_and(|a| a.sensitive))
            .map(|k| (k.clone(), planned.get(k).cloned().unwrap_or(Json::Null)))
            .collect(),
        dependencies: dependencies.to_vec(),
        sensitive_attributes: sensitive.to_vec(),
        started_at: crate::clock::now_rfc3339(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn natural_keys_match_numerically_and_exactly() {
        let obj = json!({"id": 5, "name": "a", "folder_id": 3})
            .as_object()
            .unwrap()
            .clone();
        let key = json!({"name": "a", "folder_id": 3.0})
            .as_object()
            .unwrap()
            .clone();
        assert!(matches_key(&obj, &key));
        let other = json!({"name": "b", "folder_id": 3})
            .as_object()
            .unwrap()
            .clone();
        assert!(!matches_key(&obj, &other));
    }
}
