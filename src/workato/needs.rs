//! Which API calls each resource and data source type makes, per phase: the data behind
//! `workform permissions` and the permission preflight of plan and apply.
//!
//! Each entry is `(METHOD, path template)` as written in the permission table
//! ([`super::permissions`]), so [`permissions`] maps it to the exact permission row. Keep an
//! entry in step with the type's implementation in `resources/` or `data_sources/`: the
//! unit tests check that every entry has a permission and every type has an entry.

use super::permissions::{self, Permission};
use crate::addr::Mode;

/// `(METHOD, path template)`.
pub type Endpoint = (&'static str, &'static str);

/// What a command does with a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// Refresh and data source reads.
    Plan,
    /// Plan, then create, update, replace and delete.
    Apply,
    /// Refresh, then delete.
    Destroy,
}

impl Phase {
    pub const ALL: [Phase; 3] = [Phase::Plan, Phase::Apply, Phase::Destroy];

    pub fn name(self) -> &'static str {
        match self {
            Phase::Plan => "plan",
            Phase::Apply => "apply",
            Phase::Destroy => "destroy",
        }
    }
}

/// The calls one managed type makes.
struct Needs {
    /// Refresh (every phase).
    read: &'static [Endpoint],
    /// Create, update and delete (apply may replace or delete orphans).
    write: &'static [Endpoint],
    /// Destroy.
    delete: &'static [Endpoint],
}

/// Every command checks the token and the workspace first.
pub const ALWAYS: &[Endpoint] = &[("GET", "/api/users/me")];

fn managed(type_name: &str) -> Option<&'static Needs> {
    Some(match type_name {
        "workato_project" => &Needs {
            read: &[("GET", "/api/projects")],
            // A project is created as a top-level folder, then described.
            write: &[
                ("POST", "/api/folders"),
                ("PUT", "/api/projects/:id"),
                ("DELETE", "/api/projects/:id"),
            ],
            delete: &[("DELETE", "/api/projects/:id")],
        },
        "workato_folder" => &Needs {
            read: &[("GET", "/api/folders")],
            write: &[
                ("POST", "/api/folders"),
                ("PUT", "/api/folders/:id"),
                ("DELETE", "/api/folders/:id"),
            ],
            delete: &[("DELETE", "/api/folders/:id")],
        },
        "workato_connection" => &Needs {
            read: &[("GET", "/api/connections")],
            write: &[
                ("POST", "/api/connections"),
                ("PUT", "/api/connections/:id"),
                ("DELETE", "/api/connections/:id"),
            ],
            delete: &[("DELETE", "/api/connections/:id")],
        },
        "workato_data_table" => &Needs {
            read: &[("GET", "/api/data_tables")],
            write: &[
                ("POST", "/api/data_tables"),
                ("PUT", "/api/data_tables/:data_table_id"),
                ("DELETE", "/api/data_tables/:data_table_id"),
            ],
            delete: &[("DELETE", "/api/data_tables/:data_table_id")],
        },
        "workato_project_property" => &Needs {
            read: &[("GET", "/api/properties")],
            write: &[("POST", "/api/properties")],
            // The API cannot delete properties: destroy only forgets them.
            delete: &[],
        },
        "workato_api_collection" => &Needs {
            read: &[("GET", "/api/api_collections")],
            write: &[
                ("POST", "/api/api_collections"),
                ("PUT", "/api/api_collections/:id"),
                ("DELETE", "/api/api_collections/:id"),
            ],
            delete: &[("DELETE", "/api/api_collections/:id")],
        },
        "workato_api_endpoint" => &Needs {
            read: &[("GET", "/api/api_endpoints")],
            write: &[
                ("PUT", "/api/api_endpoints/:api_endpoint_id/enable"),
                ("PUT", "/api/api_endpoints/:api_endpoint_id/disable"),
            ],
            // Endpoints cannot be deleted; destroy disables them.
            delete: &[("PUT", "/api/api_endpoints/:api_endpoint_id/disable")],
        },
        "workato_api_client" => &Needs {
            read: &[("GET", "/api/v2/api_clients")],
            write: &[
                ("POST", "/api/v2/api_clients"),
                ("PUT", "/api/v2/api_clients/:api_client_id"),
                ("DELETE", "/api/v2/api_clients/:api_client_id"),
            ],
            delete: &[("DELETE", "/api/v2/api_clients/:api_client_id")],
        },
        "workato_api_key" => &Needs {
            read: &[("GET", "/api/v2/api_clients/:api_client_id/api_keys")],
            write: &[
                ("POST", "/api/v2/api_clients/:api_client_id/api_keys"),
                (
                    "PUT",
                    "/api/v2/api_clients/:api_client_id/api_keys/:api_key_id",
                ),
                (
                    "PUT",
                    "/api/v2/api_clients/:api_client_id/api_keys/:api_key_id/enable",
                ),
                (
                    "PUT",
                    "/api/v2/api_clients/:api_client_id/api_keys/:api_key_id/disable",
                ),
                (
                    "PUT",
                    "/api/v2/api_clients/:api_client_id/api_keys/:api_key_id/refresh_secret",
                ),
                (
                    "DELETE",
                    "/api/v2/api_clients/:api_client_id/api_keys/:api_key_id",
                ),
            ],
            delete: &[(
                "DELETE",
                "/api/v2/api_clients/:api_client_id/api_keys/:api_key_id",
            )],
        },
        "workato_tag" => &Needs {
            read: &[("GET", "/api/tags")],
            write: &[
                ("POST", "/api/tags"),
                ("PUT", "/api/tags/:handle"),
                ("DELETE", "/api/tags/:handle"),
            ],
            delete: &[("DELETE", "/api/tags/:handle")],
        },
        "workato_tag_assignment" => &Needs {
            // Assignments are read from the tagged assets' lists.
            read: &[("GET", "/api/connections"), ("GET", "/api/recipes")],
            write: &[("POST", "/api/tags_assignments")],
            delete: &[("POST", "/api/tags_assignments")],
        },
        "workato_on_prem_group" => &Needs {
            read: &[("GET", "/api/on_prem_groups")],
            write: &[
                ("POST", "/api/on_prem_groups"),
                ("PUT", "/api/on_prem_groups/:id"),
                ("DELETE", "/api/on_prem_groups/:id"),
            ],
            delete: &[("DELETE", "/api/on_prem_groups/:id")],
        },
        "workato_on_prem_agent" => &Needs {
            read: &[("GET", "/api/on_prem_agents")],
            write: &[
                ("POST", "/api/on_prem_agents"),
                ("PUT", "/api/on_prem_agents/:id"),
                ("DELETE", "/api/on_prem_agents/:id"),
                ("GET", "/api/on_prem_agents/:id/activation_code"),
            ],
            delete: &[("DELETE", "/api/on_prem_agents/:id")],
        },
        _ => return None,
    })
}

/// The reads of one data source type (data sources are read by plan and apply, not by
/// destroy).
fn data(type_name: &str) -> Option<&'static [Endpoint]> {
    Some(match type_name {
        "workato_workspace" => &[("GET", "/api/users/me")],
        "workato_folder" => &[("GET", "/api/folders"), ("GET", "/api/users/me")],
        "workato_project" => &[("GET", "/api/projects")],
        "workato_connection" => &[("GET", "/api/connections")],
        "workato_data_table" => &[("GET", "/api/data_tables")],
        _ => return None,
    })
}

/// Whether the type is known here.
pub fn is_known(mode: Mode, type_name: &str) -> bool {
    match mode {
        Mode::Managed => managed(type_name).is_some(),
        Mode::Data => data(type_name).is_some(),
    }
}

/// The calls a type makes in a phase (empty for an unknown type).
pub fn endpoints(mode: Mode, type_name: &str, phase: Phase) -> Vec<Endpoint> {
    match mode {
        Mode::Managed => {
            let Some(needs) = managed(type_name) else {
                return Vec::new();
            };
            let extra = match phase {
                Phase::Plan => &[][..],
                Phase::Apply => needs.write,
                Phase::Destroy => needs.delete,
            };
            needs.read.iter().chain(extra).copied().collect()
        }
        Mode::Data => match phase {
            Phase::Destroy => Vec::new(),
            Phase::Plan | Phase::Apply => data(type_name).map(<[_]>::to_vec).unwrap_or_default(),
        },
    }
}

/// The permission rows behind endpoints, in the permission table's order, without repeats.
pub fn permissions(endpoints: &[Endpoint]) -> Vec<&'static Permission> {
    permissions::all()
        .iter()
        .filter(|row| {
            endpoints.iter().any(|(method, path)| {
                permissions::for_request(method, path).is_some_and(|p| std::ptr::eq(p, *row))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{self, Kind};

    fn every_endpoint() -> Vec<(String, Endpoint)> {
        let mut out = Vec::new();
        for schema in schema::all() {
            let mode = if schema.kind == Kind::Resource {
                Mode::Managed
            } else {
                Mode::Data
            };
            for phase in Phase::ALL {
                for e in endpoints(mode, &schema.type_name, phase) {
                    out.push((schema.type_name.clone(), e));
                }
            }
        }
        out.extend(ALWAYS.iter().map(|e| ("always".to_string(), *e)));
        out
    }

    #[test]
    fn every_schema_type_has_its_calls_listed() {
        for schema in schema::all() {
            let mode = if schema.kind == Kind::Resource {
                Mode::Managed
            } else {
                Mode::Data
            };
            assert!(
                is_known(mode, &schema.type_name),
                "{} ({:?}) has no entry in needs.rs",
                schema.type_name,
                schema.kind
            );
            assert!(
                !endpoints(mode, &schema.type_name, Phase::Plan).is_empty(),
                "{}",
                schema.type_name
            );
        }
    }

    #[test]
    fn every_call_maps_to_exactly_its_permission_row() {
        for (type_name, (method, path)) in every_endpoint() {
            let perm = permissions::for_request(method, path)
                .unwrap_or_else(|| panic!("{type_name}: {method} {path} has no permission"));
            assert_eq!(
                (perm.method, perm.path),
                (method, path),
                "{type_name}: not the table's own template"
            );
        }
    }

    #[test]
    fn phases_add_up() {
        let plan = endpoints(Mode::Managed, "workato_data_table", Phase::Plan);
        let apply = endpoints(Mode::Managed, "workato_data_table", Phase::Apply);
        let destroy = endpoints(Mode::Managed, "workato_data_table", Phase::Destroy);
        assert_eq!(plan, [("GET", "/api/data_tables")]);
        assert!(apply.contains(&("POST", "/api/data_tables")));
        assert!(destroy.contains(&("DELETE", "/api/data_tables/:data_table_id")));
        assert!(!destroy.contains(&("POST", "/api/data_tables")));
        assert!(endpoints(Mode::Data, "workato_folder", Phase::Destroy).is_empty());
        assert!(endpoints(Mode::Managed, "workato_nothing", Phase::Apply).is_empty());
    }

    #[test]
    fn labels_match_the_acceptance_examples() {
        let mut all = ALWAYS.to_vec();
        for t in [
            "workato_data_table",
            "workato_project",
            "workato_api_client",
        ] {
            all.extend(endpoints(Mode::Managed, t, Phase::Apply));
        }
        let names: Vec<&str> = permissions(&all).iter().map(|p| p.name).collect();
        for wanted in [
            "Create a data table",
            "Create project or folder",
            "Create client",
            "Get details",
        ] {
            assert!(names.contains(&wanted), "{wanted} missing from {names:?}");
        }
    }
}
