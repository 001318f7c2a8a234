//! Refresh: read the live objects behind the state, one bulk pass per resource type.

use std::collections::{BTreeMap, BTreeSet};

use crate::addr::InstanceAddr;
use crate::schema::Schema;
use crate::state::Snapshot;
use crate::workato::{self, Api, ApiError, Object};

/// Live objects by address; `None` = deleted outside workform.
pub type Refreshed = BTreeMap<InstanceAddr, Option<Object>>;

/// A refresh that failed for one resource type.
#[derive(Debug, thiserror::Error)]
#[error("refreshing {type_name}: {source}")]
pub struct RefreshError {
    pub type_name: String,
    #[source]
    pub source: ApiError,
}

/// Reads every managed object in the state. Types are refreshed concurrently; each type
/// reads in bulk (see `Resource::refresh`).
pub async fn refresh_all(api: &Api, snapshot: &Snapshot) -> Result<Refreshed, RefreshError> {
    let types: BTreeSet<&str> = snapshot.managed().map(|r| r.type_name.as_str()).collect();
    let mut tasks = tokio::task::JoinSet::new();
    for type_name in types {
        let Some(resource) = workato::resource::resource(type_name) else {
            continue;
        };
        let entries: Vec<(InstanceAddr, Object)> = snapshot
            .managed()
            .filter(|r| r.type_name == type_name)
            .map(|r| (r.addr.clone(), r.attributes.clone()))
            .collect();
        let api = api.clone();
        let type_name = type_name.to_string();
        tasks.spawn(async move {
            let prior: Vec<&Object> = entries.iter().map(|(_, o)| o).collect();
            let live = resource
                .refresh(&api, &prior)
                .await
                .map_err(|source| RefreshError {
                    type_name: type_name.clone(),
                    source,
                })?;
            let schema = resource.schema();
            Ok::<_, RefreshError>(
                entries
                    .iter()
                    .zip(live)
                    .map(|((addr, prior), live)| {
                        (addr.clone(), live.map(|l| carry_over(schema, prior, l)))
                    })
                    .collect::<Vec<_>>(),
            )
        });
    }
    let mut out = Refreshed::new();
    while let Some(joined) = tasks.join_next().await {
        let pairs = joined.expect("refresh task panicked")?;
        out.extend(pairs);
    }
    Ok(out)
}

/// Without refreshing: the state's own record stands for the live object.
pub fn from_state(snapshot: &Snapshot) -> Refreshed {
    snapshot
        .managed()
        .map(|r| (r.addr.clone(), Some(r.attributes.clone())))
        .collect()
}

/// Keeps what reads never return (write-only, workform-only and not-returned attributes)
/// from the prior record.
pub fn carry_over(schema: &Schema, prior: &Object, mut live: Object) -> Object {
    for (name, attr) in &schema.attributes {
        let unread = attr.write_only || attr.local_only || attr.not_returned;
        let missing = live.get(name).is_none_or(serde_json::Value::is_null);
        if unread
            && (missing || !attr.not_returned)
            && let Some(v) = prior.get(name)
        {
            live.insert(name.clone(), v.clone());
        }
    }
    live
}
