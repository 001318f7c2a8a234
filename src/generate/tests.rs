//! Generating files from a listing of every family, without a network.

use serde_json::{Value as Json, json};

use super::*;
use crate::workato::Object;

fn objects(v: Json) -> Vec<Object> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_object().unwrap().clone())
        .collect()
}

/// A workspace with one object (or two) of every family, as `list_all` returns them.
fn listing() -> Listing {
    Listing::from_objects(vec![
        (
            "workato_project".into(),
            objects(json!([
                {"id": 2, "name": "Billing", "description": "Invoices", "folder_id": 20},
                {"id": 3, "name": "Workspace", "description": null, "folder_id": 30},
            ])),
        ),
        (
            "workato_folder".into(),
            objects(json!([
                {"id": 22, "name": "Sub", "folder_id": 21, "project_id": 2, "created_at": "x"},
                {"id": 21, "name": "Integrations", "folder_id": 20, "project_id": 2},
                {"id": 23, "name": "Integrations", "folder_id": 30, "project_id": 3},
            ])),
        ),
        (
            "workato_connection".into(),
            objects(json!([
                {"id": 40, "name": "Jira", "connector_name": "jira", "folder_id": 21, "input": null, "parent_id": null, "external_id": null, "authorization_status": "success"},
                {"id": 41, "name": "Jira child", "connector_name": "jira", "folder_id": 22, "parent_id": 40, "input": null},
                {"id": 42, "name": "Elsewhere", "connector_name": "http", "folder_id": 999},
            ])),
        ),
        (
            "workato_data_table".into(),
            objects(json!([
                {"id": "t-cust", "name": "customers", "folder_id": 21, "field_ids": {"email": "f-1"},
                 "column": [{"name": "email", "type": "string", "optional": false, "multivalue": false, "hint": null, "default_value": null, "field_id": "f-1", "relation": []}]},
                {"id": "t-inv", "name": "invoices", "folder_id": 21, "field_ids": {"customer": "f-2"},
                 "column": [{"name": "customer", "type": "relation", "optional": true, "multivalue": false, "hint": "who", "default_value": null, "field_id": "f-2",
                             "relation": [{"table_id": "t-cust", "field_id": "f-1"}]}]},
            ])),
        ),
        (
            "workato_project_property".into(),
            objects(json!([
                {"id": "2:billing.base_url", "name": "billing.base_url", "value": "https://secret.example.com/${x}", "project_id": 2},
                {"id": "environment:billing.base_url", "name": "billing.base_url", "value": "env-secret", "project_id": null},
            ])),
        ),
        (
            "workato_api_collection".into(),
            objects(
                json!([{"id": 50, "name": "Billing API", "project_id": 2, "proxy_connection_id": 40, "url": "u"}]),
            ),
        ),
        (
            "workato_api_client".into(),
            objects(
                json!([{"id": 60, "name": "Partner", "project_id": 2, "auth_type": "token", "api_collection_ids": [50, 77], "api_portal_id": 5}]),
            ),
        ),
        (
            "workato_api_key".into(),
            objects(
                json!([{"id": 70, "name": "partner-prod", "api_client_id": 60, "active": true, "ip_allow_list": []}]),
            ),
        ),
        (
            "workato_tag".into(),
            objects(
                json!([{"id": "tag-1", "handle": "tag-1", "title": "Billing", "color": "green"}]),
            ),
        ),
        (
            "workato_tag_assignment".into(),
            objects(
                json!([{"id": "tag-1", "tag_handle": "tag-1", "connection_ids": [40, 42], "recipe_ids": [9]}]),
            ),
        ),
        (
            "workato_on_prem_group".into(),
            objects(json!([{"id": 80, "name": "DC1 agents", "use_managed_connection": false}])),
        ),
        (
            "workato_on_prem_agent".into(),
            objects(json!([{"id": 81, "name": "agent-1", "os": "linux", "on_prem_group_id": 80}])),
        ),
    ])
}

fn file<'a>(g: &'a Generated, name: &str) -> &'a str {
    &g.files
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| {
            panic!(
                "no {name}: {:?}",
                g.files.iter().map(|f| &f.name).collect::<Vec<_>>()
            )
        })
        .text
}

#[test]
fn files_are_grouped_by_project_with_workspace_objects_apart() {
    let g = generate(&listing(), None).unwrap();
    let names: Vec<&str> = g.files.iter().map(|f| f.name.as_str()).collect();
    // A project called "Workspace" must not clash with workspace.wf.hcl.
    assert_eq!(
        names,
        vec![
            "billing.wf.hcl",
            "workspace_project.wf.hcl",
            "workspace.wf.hcl",
            "imports.wf.hcl",
            "generated.wfvars"
        ]
    );
    let billing = file(&g, "billing.wf.hcl");
    for expected in [
        "resource \"workato_project\" \"billing\"",
        "resource \"workato_folder\" \"integrations\"",
        "resource \"workato_folder\" \"sub\"",
        "resource \"workato_connection\" \"jira\"",
        "resource \"workato_data_table\" \"invoices\"",
        "resource \"workato_api_key\" \"partner_prod\"",
        "resource \"workato_project_property\" \"billing_base_url\"",
    ] {
        assert!(billing.contains(expected), "{expected}\n{billing}");
    }
    let workspace = file(&g, "workspace.wf.hcl");
    for expected in [
        "resource \"workato_project_property\" \"billing_base_url_2\"",
        "resource \"workato_tag\" \"billing\"",
        "resource \"workato_tag_assignment\" \"billing\"",
        "resource \"workato_on_prem_agent\" \"agent_1\"",
        // Its folder is unknown: outside any project.
        "resource \"workato_connection\" \"elsewhere\"",
    ] {
        assert!(workspace.contains(expected), "{expected}\n{workspace}");
    }
    // The second project's folder is named apart from the first one's.
    assert!(
        file(&g, "workspace_project.wf.hcl")
            .contains("resource \"workato_folder\" \"integrations_2\"")
    );
    assert_eq!(g.resources(), 19);
    assert_eq!(g.counts["workato_folder"], 3);
}

#[test]
fn ids_become_references() {
    let g = generate(&listing(), None).unwrap();
    let billing = file(&g, "billing.wf.hcl");
    for expected in [
        "folder_id = workato_project.billing.folder_id",
        "folder_id = workato_folder.integrations.id",
        "folder_id      = workato_folder.sub.id",
        "parent_id      = workato_connection.jira.id",
        "project_id          = workato_project.billing.id",
        "proxy_connection_id = workato_connection.jira.id",
        "api_client_id = workato_api_client.partner.id",
        "table_id = workato_data_table.customers.id",
        "field_id = workato_data_table.customers.field_ids[\"email\"]",
    ] {
        assert!(billing.contains(expected), "{expected}\n{billing}");
    }
    // A relation names its table before the field within it.
    assert!(
        billing.find("table_id = ").unwrap()
            < billing.find("field_id = workato_data_table").unwrap(),
        "{billing}"
    );
    // A list mixing generated and unknown collections, with a comment for the unknown one.
    assert!(
        billing.contains("api_collection_ids = [workato_api_collection.billing_api.id, 77]"),
        "{billing}"
    );
    assert!(
        billing
            .contains("# api_collection_ids: 77: no workato_api_collection with this id was found"),
        "{billing}"
    );
    assert!(
        billing.contains("# api_portal_id: 5: API portals are not managed by workform"),
        "{billing}"
    );
    let workspace = file(&g, "workspace.wf.hcl");
    assert!(
        workspace.contains("tag_handle     = workato_tag.billing.id"),
        "{workspace}"
    );
    assert!(
        workspace.contains(
            "connection_ids = [workato_connection.jira.id, workato_connection.elsewhere.id]"
        ),
        "{workspace}"
    );
    assert!(
        workspace.contains("on_prem_group_id = workato_on_prem_group.dc1_agents.id"),
        "{workspace}"
    );
    assert!(
        workspace.contains("# folder_id: 999: no workato_project or workato_folder with this id"),
        "{workspace}"
    );
    assert!(workspace.contains("folder_id      = 999"), "{workspace}");
    assert!(g.literal_ids >= 3);
}

#[test]
fn only_configurable_non_default_values_are_written() {
    let g = generate(&listing(), None).unwrap();
    let billing = file(&g, "billing.wf.hcl");
    assert!(
        !billing.contains("created_at"),
        "computed attributes are not configuration"
    );
    assert!(!billing.contains("authorization_status"));
    assert!(
        !billing.contains("active = true"),
        "defaults are left out:\n{billing}"
    );
    assert!(
        billing.contains("ip_allow_list = []"),
        "an empty list without a default is kept:\n{billing}"
    );
    assert!(billing.contains("description = \"Invoices\""));
    // Nested blocks are blocks; defaults and computed field ids inside them are left out.
    assert!(
        billing.contains("column {") && billing.contains("relation {"),
        "{billing}"
    );
    assert!(
        billing.contains("hint     = \"who\"") || billing.contains("hint = \"who\""),
        "{billing}"
    );
    assert!(!billing.contains("multivalue"), "{billing}");
    assert!(!billing.contains("\"f-2\""), "{billing}");
    // Connection credentials cannot be read back: a comment says what to do.
    assert!(billing.contains("# input is write-only"), "{billing}");
    assert!(
        billing.contains("  parent_id      = workato_connection.jira.id\n  # input is write-only"),
        "{billing}"
    );
    // The token client needs no JWT secret: no note for it.
    assert_eq!(
        g.write_only.len(),
        3,
        "three connections: {:?}",
        g.write_only
    );
    assert!(!billing.contains("jwt_secret"), "{billing}");
}

#[test]
fn sensitive_values_move_to_variables_and_a_private_vars_file() {
    let g = generate(&listing(), None).unwrap();
    let billing = file(&g, "billing.wf.hcl");
    assert!(!billing.contains("secret.example.com"), "{billing}");
    assert!(
        billing.contains("value      = var.billing_base_url_value"),
        "{billing}"
    );
    assert!(billing.contains("variable \"billing_base_url_value\""));
    assert!(billing.contains("sensitive   = true"));
    let workspace = file(&g, "workspace.wf.hcl");
    assert!(
        workspace.contains("var.billing_base_url_2_value") && !workspace.contains("env-secret")
    );
    let vars = g.vars_file().unwrap();
    assert!(vars.private);
    assert!(
        vars.text
            .contains("billing_base_url_value   = \"https://secret.example.com/$${x}\""),
        "{}",
        vars.text
    );
    assert!(
        vars.text
            .contains("billing_base_url_2_value = \"env-secret\""),
        "{}",
        vars.text
    );
    assert_eq!(g.sensitive_values, 2);
}

#[test]
fn imports_name_every_object_by_id() {
    let g = generate(&listing(), None).unwrap();
    let imports = file(&g, "imports.wf.hcl");
    assert_eq!(imports.matches("import {").count(), 19);
    assert!(
        imports.contains("to = workato_project.billing\n  id = \"2\""),
        "{imports}"
    );
    assert!(imports.contains("to = workato_project_property.billing_base_url_2\n  id = \"environment:billing.base_url\""), "{imports}");
    assert!(
        imports.contains("to = workato_data_table.customers\n  id = \"t-cust\""),
        "{imports}"
    );
}

#[test]
fn the_output_is_formatted_valid_configuration_whose_references_resolve() {
    let g = generate(&listing(), None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for f in &g.files {
        assert_eq!(
            crate::fmt::format_source(&f.name, &f.text).unwrap(),
            f.text,
            "{} is not in fmt style",
            f.name
        );
        std::fs::write(dir.path().join(&f.name), &f.text).unwrap();
    }
    let config = crate::config::load_dir(dir.path()).unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(config.resources.len(), 19);
    assert_eq!(config.imports.len(), 19);
    crate::graph::ConfigGraph::build(&config).unwrap_or_else(|d| panic!("{d:?}"));
}

#[test]
fn names_are_stable_and_ordered_by_id() {
    let a = generate(&listing(), None).unwrap();
    let b = generate(&listing(), None).unwrap();
    assert_eq!(
        a.files.iter().map(|f| &f.text).collect::<Vec<_>>(),
        b.files.iter().map(|f| &f.text).collect::<Vec<_>>()
    );
    // Folder 21 is older than 23: it keeps the plain name even though it is listed later.
    let imports = file(&a, "imports.wf.hcl");
    assert!(
        imports.contains("to = workato_folder.integrations\n  id = \"21\""),
        "{imports}"
    );
    assert!(
        imports.contains("to = workato_folder.integrations_2\n  id = \"23\""),
        "{imports}"
    );
    // Parents come before their children.
    let billing = file(&a, "billing.wf.hcl");
    assert!(billing.find("\"integrations\"").unwrap() < billing.find("\"sub\"").unwrap());
}

#[test]
fn a_folder_subtree_keeps_outside_ids_literal() {
    let g = generate(&listing(), Some("Billing/Integrations")).unwrap();
    let names: Vec<&str> = g.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, vec!["billing.wf.hcl", "imports.wf.hcl"]);
    let billing = file(&g, "billing.wf.hcl");
    assert!(
        !billing.contains("resource \"workato_project\""),
        "{billing}"
    );
    assert!(
        billing.contains(
            "# folder_id: project \"Billing\" (id 2) is outside --folder \"Billing/Integrations\""
        ),
        "{billing}"
    );
    assert!(billing.contains("folder_id = 20"), "{billing}");
    assert!(billing.contains("folder_id = workato_folder.integrations.id"));
    assert!(billing.contains("resource \"workato_data_table\" \"invoices\""));
    assert!(
        !billing.contains("workato_api_collection"),
        "objects of the project outside the folder are left out"
    );
    assert!(billing.starts_with(
        "# Objects of project \"Billing\" (id 2) under --folder \"Billing/Integrations\"."
    ));
}

#[test]
fn types_that_were_not_listed_are_simply_absent() {
    let mut listing = listing();
    listing
        .types
        .retain(|t| t.type_name != "workato_connection");
    listing.types.push(model::TypeListing {
        type_name: "workato_connection".into(),
        outcome: Outcome::Skipped {
            reason: "no".into(),
            denied: false,
        },
    });
    let g = generate(&listing, None).unwrap();
    let billing = file(&g, "billing.wf.hcl");
    assert!(
        billing
            .contains("# proxy_connection_id: 40: workato_connection objects cannot be listed yet"),
        "{billing}"
    );
    assert!(!billing.contains("resource \"workato_connection\""));
}

#[test]
fn an_empty_workspace_generates_nothing() {
    let g = generate(&Listing::default(), None).unwrap();
    assert!(g.files.is_empty());
    assert_eq!(g.resources(), 0);
}

#[test]
fn a_jwt_client_is_told_about_its_secret() {
    let listing = Listing::from_objects(vec![(
        "workato_api_client".into(),
        objects(
            json!([{"id": 61, "name": "Signed", "auth_type": "jwt", "jwt_method": "hmac", "api_collection_ids": []}]),
        ),
    )]);
    let g = generate(&listing, None).unwrap();
    assert!(file(&g, "workspace.wf.hcl").contains("# jwt_secret is write-only"));
    assert_eq!(g.write_only, vec!["workato_api_client.signed".to_string()]);
}
