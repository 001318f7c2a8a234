//! Reading the whole workspace: every resource type's `list_all`, concurrently.

use tokio::task::JoinSet;

use super::GenerateError;
use super::model::{Listing, Outcome, TypeListing};
use crate::schema::{self, Kind};
use crate::workato::{Api, ApiError};

/// Lists every managed resource type. Types that cannot be listed (no `list_all` yet, or
/// a token without the permission) are kept as [`Outcome::Skipped`] with the reason;
/// any other failure (authentication, network, server) stops everything.
pub async fn read_workspace(api: &Api) -> Result<Listing, GenerateError> {
    let types: Vec<&'static str> = schema::all()
        .iter()
        .filter(|s| s.kind == Kind::Resource)
        .map(|s| s.type_name.as_str())
        .collect();
    let mut slots: Vec<Option<Outcome>> = types.iter().map(|_| None).collect();
    let mut tasks = JoinSet::new();
    for (n, type_name) in types.iter().enumerate() {
        let Some(resource) = crate::workato::resource::resource(type_name) else {
            slots[n] = Some(Outcome::Skipped {
                reason: "workform cannot read this type yet".into(),
                denied: false,
            });
            continue;
        };
        let api = api.clone();
        tasks.spawn(async move { (n, resource.list_all(&api).await) });
    }
    while let Some(joined) = tasks.join_next().await {
        let (n, result) =
            joined.map_err(|e| GenerateError::Internal(format!("a listing task failed: {e}")))?;
        slots[n] = Some(match result {
            Ok(Some(objects)) => Outcome::Listed(objects),
            Ok(None) => Outcome::Skipped {
                reason: "workform cannot list this type yet".into(),
                denied: false,
            },
            // A token may be scoped to some families only: generate what it can see, and
            // say clearly what it could not.
            Err(e @ ApiError::Forbidden { .. }) => Outcome::Skipped {
                reason: e.to_string(),
                denied: true,
            },
            Err(source) => {
                return Err(GenerateError::List {
                    type_name: types[n].to_string(),
                    source: Box::new(source),
                });
            }
        });
    }
    Ok(Listing {
        types: types
            .into_iter()
            .zip(slots)
            .map(|(type_name, outcome)| TypeListing {
                type_name: type_name.to_string(),
                outcome: outcome.unwrap_or_else(|| Outcome::Skipped {
                    reason: "not read".into(),
                    denied: false,
                }),
            })
            .collect(),
    })
}
