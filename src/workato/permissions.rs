//! The Workato API token permission table.
//!
//! Source: the permission document of Workato's platform CLI (kept verbatim in
//! `reference/api-token-permissions.md`). Each row is one permission (a checkbox on the API
//! client's role) with the HTTP call it allows. A permission that covers several paths (the
//! legacy and v2 API client paths, for example) appears once per path with the same
//! category, group and name.
//!
//! The table is used by the emulator (to answer 403), by the client (to explain a 403) and
//! by the `permissions` command.
//!
//! Deviations from the source table are marked `FIX:` (the table is wrong) or `ADDED:` (an
//! endpoint the API has that the table omits, mapped to the closest permission).

/// One permission of an API client role, for one HTTP method and path template.
#[derive(Debug, PartialEq, Eq)]
pub struct Permission {
    /// Scope category, e.g. "Project Assets".
    pub category: &'static str,
    /// Group inside the category, e.g. "Projects & Folders".
    pub group: &'static str,
    /// Permission name as shown in the Workato UI, e.g. "Create project or folder".
    pub name: &'static str,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template; parameters are written `:id`.
    pub path: &'static str,
}

impl Permission {
    /// "Projects & Folders → Create project or folder".
    pub fn label(&self) -> String {
        format!("{} → {}", self.group, self.name)
    }
}

const fn p(
    category: &'static str,
    group: &'static str,
    name: &'static str,
    method: &'static str,
    path: &'static str,
) -> Permission {
    Permission {
        category,
        group,
        name,
        method,
        path,
    }
}

const PA: &str = "Project Assets";
const PF: &str = "Projects & Folders";
const CONN: &str = "Connections";
const REC: &str = "Recipes";
const TA: &str = "Tag Assignments";
const RLM: &str = "Recipe Lifecycle Management";
const EM: &str = "Export Manifests";
const WD: &str = "Workspace Data";
const DT: &str = "Data Tables";
const EP: &str = "Environment Properties";
const AP: &str = "API Platform";
const CB: &str = "Certificate Bundles";
const PORTAL: &str = "API Portal";
const CE: &str = "Collections & Endpoints";
const CAP: &str = "Clients & Access Profiles";
const OP: &str = "On-Prem Groups and Agents";
const OPG: &str = "On-Prem Groups";
const OPA: &str = "On-Prem Agents";
const WSD: &str = "Workspace Details";
const ENVM: &str = "Environment Management";
const TAGS: &str = "Tags";

static TABLE: &[Permission] = &[
    // ---- Project Assets → Projects & Folders
    p(PA, PF, "List projects", "GET", "/api/projects"),
    p(PA, PF, "List folders", "GET", "/api/folders"),
    // ADDED: `GET /api/folders/:id` ("Get folder" in the newest docs role list only); mapped
    // to "List folders".
    p(PA, PF, "List folders", "GET", "/api/folders/:id"),
    p(PA, PF, "Create project or folder", "POST", "/api/folders"),
    p(PA, PF, "Delete folder", "DELETE", "/api/folders/:id"),
    p(PA, PF, "Update folder", "PUT", "/api/folders/:id"),
    p(PA, PF, "Delete project", "DELETE", "/api/projects/:id"),
    p(PA, PF, "Update project", "PUT", "/api/projects/:id"),
    // ---- Project Assets → Connections
    p(PA, CONN, "List", "GET", "/api/connections"),
    p(PA, CONN, "Create", "POST", "/api/connections"),
    // FIX: the table says `POST /api/connections/:id`; the API (and every client) uses PUT.
    p(PA, CONN, "Update", "PUT", "/api/connections/:id"),
    p(
        PA,
        CONN,
        "Delete Connection",
        "DELETE",
        "/api/connections/:id",
    ),
    p(
        PA,
        CONN,
        "Disconnect Connection",
        "POST",
        "/api/connections/:id/disconnect",
    ),
    p(
        PA,
        CONN,
        "Get picklist values",
        "POST",
        "/api/connections/:id/pick_list",
    ),
    // ---- Project Assets → Recipes
    p(PA, REC, "List", "GET", "/api/recipes"),
    p(
        PA,
        REC,
        "Get job counts for recipes",
        "GET",
        "/api/recipes/job_counts",
    ),
    p(PA, REC, "Get details", "GET", "/api/recipes/:id"),
    p(PA, REC, "Create", "POST", "/api/recipes"),
    p(PA, REC, "Update", "PUT", "/api/recipes/:id"),
    p(PA, REC, "Copy", "POST", "/api/recipes/:id/copy"),
    p(PA, REC, "Delete", "DELETE", "/api/recipes/:id"),
    p(PA, REC, "Start", "PUT", "/api/recipes/:id/start"),
    p(PA, REC, "Stop", "PUT", "/api/recipes/:id/stop"),
    p(
        PA,
        REC,
        "Forces a running recipe to poll immediately",
        "POST",
        "/api/recipes/:recipe_id/poll_now",
    ),
    p(
        PA,
        REC,
        "Reset recipe trigger",
        "POST",
        "/api/recipes/:recipe_id/reset_trigger",
    ),
    p(
        PA,
        REC,
        "Update connection for recipe",
        "PUT",
        "/api/recipes/:recipe_id/connect",
    ),
    // ---- Project Assets → Tag Assignments
    p(
        PA,
        TA,
        "Manage tag assignments",
        "POST",
        "/api/tags_assignments",
    ),
    // ---- Recipe Lifecycle Management (part of the "standard" set)
    p(RLM, RLM, "Get package details", "GET", "/api/packages/:id"),
    p(
        RLM,
        RLM,
        "Download package",
        "GET",
        "/api/packages/:id/download",
    ),
    p(
        RLM,
        RLM,
        "Export package",
        "POST",
        "/api/packages/export/:id",
    ),
    p(
        RLM,
        RLM,
        "Import package",
        "POST",
        "/api/packages/import/:id",
    ),
    p(
        RLM,
        EM,
        "Create export manifest",
        "POST",
        "/api/export_manifests",
    ),
    p(
        RLM,
        EM,
        "Show export manifest",
        "GET",
        "/api/export_manifests/:id",
    ),
    p(
        RLM,
        EM,
        "Update export manifest",
        "PUT",
        "/api/export_manifests/:id",
    ),
    p(
        RLM,
        EM,
        "Delete export manifest",
        "DELETE",
        "/api/export_manifests/:id",
    ),
    p(
        RLM,
        EM,
        "Get folder assets for export manifest",
        "GET",
        "/api/export_manifests/folder_assets",
    ),
    // ---- Workspace Data → Data Tables
    p(WD, DT, "List data tables", "GET", "/api/data_tables"),
    p(WD, DT, "Create a data table", "POST", "/api/data_tables"),
    p(
        WD,
        DT,
        "Get data table by id",
        "GET",
        "/api/data_tables/:data_table_id",
    ),
    p(
        WD,
        DT,
        "Delete a data table",
        "DELETE",
        "/api/data_tables/:data_table_id",
    ),
    p(
        WD,
        DT,
        "Update a data table",
        "PUT",
        "/api/data_tables/:data_table_id",
    ),
    p(
        WD,
        DT,
        "Truncate a data table",
        "POST",
        "/api/data_tables/:data_table_id/truncate",
    ),
    // ---- Workspace Data → Environment Properties (also covers project properties, which
    // are the same endpoints with `?project_id=`)
    p(WD, EP, "List", "GET", "/api/properties"),
    p(WD, EP, "Upsert", "POST", "/api/properties"),
    // ---- API Platform → Certificate Bundles
    p(
        AP,
        CB,
        "List certificate bundles",
        "GET",
        "/api/cert_bundles",
    ),
    p(
        AP,
        CB,
        "Create certificate bundle",
        "POST",
        "/api/cert_bundles",
    ),
    p(
        AP,
        CB,
        "Update certificate bundle",
        "PUT",
        "/api/cert_bundles/:cert_bundle_id",
    ),
    p(
        AP,
        CB,
        "Delete certificate bundle",
        "DELETE",
        "/api/cert_bundles/:cert_bundle_id",
    ),
    p(
        AP,
        CB,
        "Download certificate bundle",
        "GET",
        "/api/cert_bundles/:cert_bundle_id",
    ),
    // ---- API Platform → API Portal
    p(AP, PORTAL, "List API Portals", "GET", "/api/v2/api_portals"),
    // ---- API Platform → Collections & Endpoints
    p(AP, CE, "List collections", "GET", "/api/api_collections"),
    p(AP, CE, "Create collection", "POST", "/api/api_collections"),
    // ADDED: update and delete of a collection exist (undocumented) but have no permission
    // of their own in the table; mapped to "Create collection".
    p(
        AP,
        CE,
        "Create collection",
        "PUT",
        "/api/api_collections/:id",
    ),
    p(
        AP,
        CE,
        "Create collection",
        "DELETE",
        "/api/api_collections/:id",
    ),
    // ADDED: endpoint creation inside a collection (undocumented, used by the `wk` CLI);
    // mapped to "Create collection".
    p(
        AP,
        CE,
        "Create collection",
        "POST",
        "/api/api_collections/:id/api_endpoints",
    ),
    p(
        AP,
        CE,
        "List endpoints in a collection",
        "GET",
        "/api/api_endpoints",
    ),
    p(
        AP,
        CE,
        "Enable endpoint",
        "PUT",
        "/api/api_endpoints/:api_endpoint_id/enable",
    ),
    p(
        AP,
        CE,
        "Disable endpoint",
        "PUT",
        "/api/api_endpoints/:api_endpoint_id/disable",
    ),
    // ---- API Platform → Clients & Access Profiles (legacy v1 and v2 paths)
    p(AP, CAP, "List clients", "GET", "/api/api_clients"),
    p(AP, CAP, "List clients", "GET", "/api/v2/api_clients"),
    p(
        AP,
        CAP,
        "Get client by ID",
        "GET",
        "/api/v2/api_clients/:api_client_id",
    ),
    p(AP, CAP, "Create client", "POST", "/api/api_clients"),
    p(AP, CAP, "Create client", "POST", "/api/v2/api_clients"),
    p(
        AP,
        CAP,
        "Update client",
        "PUT",
        "/api/v2/api_clients/:api_client_id",
    ),
    p(
        AP,
        CAP,
        "Delete client",
        "DELETE",
        "/api/v2/api_clients/:api_client_id",
    ),
    p(
        AP,
        CAP,
        "List access profiles",
        "GET",
        "/api/api_access_profiles",
    ),
    p(
        AP,
        CAP,
        "List access profiles",
        "GET",
        "/api/v2/api_clients/:api_client_id/api_keys",
    ),
    p(
        AP,
        CAP,
        "Update access profile",
        "PUT",
        "/api/api_access_profiles/:api_access_profile_id",
    ),
    p(
        AP,
        CAP,
        "Update access profile",
        "PUT",
        "/api/v2/api_clients/:api_client_id/api_keys/:api_key_id",
    ),
    p(
        AP,
        CAP,
        "Create access profile",
        "POST",
        "/api/api_access_profiles",
    ),
    p(
        AP,
        CAP,
        "Create access profile",
        "POST",
        "/api/v2/api_clients/:api_client_id/api_keys",
    ),
    p(
        AP,
        CAP,
        "Enable access profile",
        "PUT",
        "/api/api_access_profiles/:api_access_profile_id/enable",
    ),
    p(
        AP,
        CAP,
        "Enable access profile",
        "PUT",
        "/api/v2/api_clients/:api_client_id/api_keys/:api_key_id/enable",
    ),
    p(
        AP,
        CAP,
        "Disable access profile",
        "PUT",
        "/api/api_access_profiles/:api_access_profile_id/disable",
    ),
    p(
        AP,
        CAP,
        "Disable access profile",
        "PUT",
        "/api/v2/api_clients/:api_client_id/api_keys/:api_key_id/disable",
    ),
    p(
        AP,
        CAP,
        "Refresh token/secret",
        "PUT",
        "/api/api_access_profiles/:access_profile_id/refresh_secret",
    ),
    p(
        AP,
        CAP,
        "Refresh token/secret",
        "PUT",
        "/api/v2/api_clients/:api_client_id/api_keys/:api_key_id/refresh_secret",
    ),
    p(
        AP,
        CAP,
        "Delete access profile",
        "DELETE",
        "/api/v2/api_clients/:api_client_id/api_keys/:api_key_id",
    ),
    // ---- On-Prem Groups and Agents
    p(OP, OPG, "List", "GET", "/api/on_prem_groups"),
    p(
        OP,
        OPG,
        "Get status",
        "GET",
        "/api/on_prem_groups/:id/status",
    ),
    p(OP, OPG, "Get details", "GET", "/api/on_prem_groups/:id"),
    p(OP, OPG, "Update", "PUT", "/api/on_prem_groups/:id"),
    p(OP, OPG, "Create", "POST", "/api/on_prem_groups"),
    p(OP, OPG, "Delete", "DELETE", "/api/on_prem_groups/:id"),
    p(
        OP,
        OPG,
        "Get agents in group",
        "GET",
        "/api/on_prem_groups/:id/agents",
    ),
    p(OP, OPA, "List", "GET", "/api/on_prem_agents"),
    p(OP, OPA, "Search", "GET", "/api/on_prem_agents/search"),
    p(
        OP,
        OPA,
        "Get status",
        "GET",
        "/api/on_prem_agents/:id/status",
    ),
    p(OP, OPA, "Get details", "GET", "/api/on_prem_agents/:id"),
    p(OP, OPA, "Update", "PUT", "/api/on_prem_agents/:id"),
    p(OP, OPA, "Create", "POST", "/api/on_prem_agents"),
    p(OP, OPA, "Delete", "DELETE", "/api/on_prem_agents/:id"),
    p(
        OP,
        OPA,
        "Get activation code",
        "GET",
        "/api/on_prem_agents/:id/activation_code",
    ),
    // ---- Workspace Details
    p(WSD, WSD, "Get details", "GET", "/api/users/me"),
    // ---- Environment Management → Tags
    p(ENVM, TAGS, "List tags", "GET", "/api/tags"),
    p(ENVM, TAGS, "Create tag", "POST", "/api/tags"),
    p(ENVM, TAGS, "Update tag", "PUT", "/api/tags/:handle"),
    p(ENVM, TAGS, "Delete tag", "DELETE", "/api/tags/:handle"),
];

/// (group, name) pairs of the "Basic CLI Usage (Read-Only)" set.
const READ_ONLY: &[(&str, &str)] = &[
    (WSD, "Get details"),
    (PF, "List projects"),
    (PF, "List folders"),
    (REC, "List"),
    (REC, "Get details"),
    (CONN, "List"),
    (DT, "List data tables"),
];

/// (group, name) pairs the "Standard Development" set adds to the read-only set; a name of
/// `*` takes the whole group.
const STANDARD_EXTRA: &[(&str, &str)] = &[
    (PF, "Create project or folder"),
    (REC, "Create"),
    (REC, "Update"),
    (REC, "Start"),
    (REC, "Stop"),
    (REC, "Update connection for recipe"),
    (CONN, "Create"),
    (CONN, "Update"),
    (CONN, "Get picklist values"),
    (RLM, "*"),
    (EM, "*"),
];

/// Every permission row, in table order.
pub fn all() -> &'static [Permission] {
    TABLE
}

/// The permission a request needs: match METHOD + concrete path ("/api/folders/123") against
/// the templates. A query string is ignored. When several templates match, the one with the
/// most literal segments wins (`/api/on_prem_agents/search` over `/api/on_prem_agents/:id`).
pub fn for_request(method: &str, path: &str) -> Option<&'static Permission> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let segs: Vec<&str> = path.split('/').collect();
    let mut best: Option<(usize, &'static Permission)> = None;
    for perm in TABLE {
        if !perm.method.eq_ignore_ascii_case(method) {
            continue;
        }
        let Some(score) = template_score(perm.path, &segs) else {
            continue;
        };
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, perm));
        }
    }
    best.map(|(_, perm)| perm)
}

/// Number of literal segments when `template` matches `segs`, else None.
fn template_score(template: &str, segs: &[&str]) -> Option<usize> {
    let tsegs: Vec<&str> = template.split('/').collect();
    if tsegs.len() != segs.len() {
        return None;
    }
    let mut score = 0;
    for (t, s) in tsegs.iter().zip(segs) {
        if t.starts_with(':') {
            if s.is_empty() {
                return None;
            }
        } else if t == s {
            score += 1;
        } else {
            return None;
        }
    }
    Some(score)
}

/// "all" | "standard" | "read-only" | "none" | comma list of permission names ("Create project
/// or folder", or qualified "Connections: Create" / "Connections → Create" when a bare name is
/// ambiguous; case-insensitive). A name selects every row of that permission (all its paths).
/// The error names the unknown or ambiguous item.
pub fn parse_set(spec: &str) -> Result<Vec<&'static Permission>, String> {
    let trimmed = spec.trim();
    match trimmed.to_ascii_lowercase().as_str() {
        "all" | "full" => return Ok(TABLE.iter().collect()),
        "standard" => {
            let mut out = select_pairs(READ_ONLY);
            push_unique(&mut out, select_pairs(STANDARD_EXTRA));
            return Ok(out);
        }
        "read-only" | "readonly" | "read_only" => return Ok(select_pairs(READ_ONLY)),
        "none" => return Ok(Vec::new()),
        "" => return Err("empty permission set (use all, standard, read-only, none or a comma list of permission names)".to_string()),
        _ => {}
    }
    let mut out = Vec::new();
    for item in trimmed.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        push_unique(&mut out, select_item(item)?);
    }
    Ok(out)
}

fn select_pairs(pairs: &[(&str, &str)]) -> Vec<&'static Permission> {
    TABLE
        .iter()
        .filter(|perm| {
            pairs
                .iter()
                .any(|(g, n)| perm.group == *g && (*n == "*" || perm.name == *n))
        })
        .collect()
}

fn push_unique(out: &mut Vec<&'static Permission>, more: Vec<&'static Permission>) {
    for perm in more {
        if !out.iter().any(|q| std::ptr::eq(*q, perm)) {
            out.push(perm);
        }
    }
}

/// Resolve one item of a comma list.
fn select_item(item: &str) -> Result<Vec<&'static Permission>, String> {
    if let Some((group, name)) = item.split_once('→').or_else(|| item.split_once(':')) {
        let (group, name) = (group.trim(), name.trim());
        let rows: Vec<_> = TABLE
            .iter()
            .filter(|perm| {
                perm.group.eq_ignore_ascii_case(group) && perm.name.eq_ignore_ascii_case(name)
            })
            .collect();
        if rows.is_empty() {
            return Err(format!("unknown permission \"{item}\""));
        }
        return Ok(rows);
    }
    let rows: Vec<_> = TABLE
        .iter()
        .filter(|perm| perm.name.eq_ignore_ascii_case(item))
        .collect();
    if rows.is_empty() {
        return Err(format!("unknown permission \"{item}\""));
    }
    let mut groups: Vec<&str> = rows.iter().map(|perm| perm.group).collect();
    groups.dedup();
    if groups.len() > 1 {
        let options: Vec<String> = groups
            .iter()
            .map(|g| format!("\"{g}: {}\"", rows[0].name))
            .collect();
        return Err(format!(
            "ambiguous permission \"{item}\": qualify it as one of {}",
            options.join(", ")
        ));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn for_request_matches_templates() {
        let perm = for_request("POST", "/api/folders").unwrap();
        assert_eq!(
            perm.label(),
            "Projects & Folders → Create project or folder"
        );
        assert_eq!(
            for_request("put", "/api/folders/123?x=1").unwrap().name,
            "Update folder"
        );
        assert_eq!(
            for_request("PUT", "/api/connections/5").unwrap().name,
            "Update"
        );
        assert_eq!(
            for_request("GET", "/api/on_prem_agents/search")
                .unwrap()
                .name,
            "Search"
        );
        assert_eq!(
            for_request("GET", "/api/on_prem_agents/12").unwrap().name,
            "Get details"
        );
        assert_eq!(
            for_request("GET", "/api/recipes/job_counts").unwrap().name,
            "Get job counts for recipes"
        );
        assert!(for_request("GET", "/api/nothing").is_none());
        assert!(for_request("PATCH", "/api/folders/1").is_none());
        assert!(for_request("GET", "/api/folders//").is_none());
    }

    #[test]
    fn every_emulator_route_has_a_permission() {
        for (method, template) in crate::emulator::API_ROUTES {
            let concrete = template
                .split('/')
                .map(|s| if s.starts_with('{') { "42" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            assert!(
                for_request(method, &concrete).is_some(),
                "{method} {template} has no permission"
            );
        }
    }

    #[test]
    fn named_sets() {
        let all_set = parse_set("all").unwrap();
        assert_eq!(all_set.len(), all().len());
        let ro = parse_set("read-only").unwrap();
        let labels: Vec<String> = ro.iter().map(|p| p.label()).collect();
        assert!(labels.contains(&"Workspace Details → Get details".to_string()));
        assert!(labels.contains(&"Connections → List".to_string()));
        assert!(!labels.contains(&"Connections → Create".to_string()));
        assert!(ro.iter().all(|p| p.method == "GET"));
        let std_set = parse_set("Standard").unwrap();
        assert!(std_set.len() > ro.len());
        assert!(
            std_set
                .iter()
                .any(|p| p.label() == "Projects & Folders → Create project or folder")
        );
        assert!(std_set.iter().any(|p| p.group == "Export Manifests"));
        assert!(!std_set.iter().any(|p| p.name == "Delete folder"));
        assert!(parse_set("none").unwrap().is_empty());
        assert!(parse_set("  ").is_err());
    }

    #[test]
    fn name_lists() {
        let set =
            parse_set("create project or folder, Connections: Create, tags → list tags").unwrap();
        let labels: Vec<String> = set.iter().map(|p| p.label()).collect();
        assert_eq!(
            labels,
            [
                "Projects & Folders → Create project or folder",
                "Connections → Create",
                "Tags → List tags"
            ]
        );
        // A name covering two paths selects both rows.
        let set = parse_set("List clients").unwrap();
        assert_eq!(set.len(), 2);
        let err = parse_set("List folders, Create").unwrap_err();
        assert!(err.contains("ambiguous permission \"Create\""), "{err}");
        assert!(err.contains("\"Connections: Create\""), "{err}");
        let err = parse_set("List folders, Fly").unwrap_err();
        assert_eq!(err, "unknown permission \"Fly\"");
        let err = parse_set("Tags: Fly").unwrap_err();
        assert!(err.contains("Tags: Fly"));
    }
}
