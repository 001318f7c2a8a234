//! The API platform end to end: collections, endpoints, clients and keys.

use serde_json::Value as Json;

use crate::support::{Emulator, Run, Workspace};

const ORDERS_SPEC: &str = r#"{
  "openapi": "3.0.0",
  "info": {"title": "Orders", "version": "1"},
  "paths": {
    "/orders/{id}": {"get": {"operationId": "getOrder"}, "delete": {"operationId": "cancelOrder"}},
    "/orders": {"post": {"operationId": "createOrder"}}
  }
}"#;

/// The same API with one more operation: a different spec, so a re-import.
const ORDERS_SPEC_V2: &str = r#"{
  "openapi": "3.0.0",
  "info": {"title": "Orders", "version": "2"},
  "paths": {
    "/orders/{id}": {"get": {"operationId": "getOrder"}, "delete": {"operationId": "cancelOrder"}},
    "/orders": {"post": {"operationId": "createOrder"}, "get": {"operationId": "listOrders"}}
  }
}"#;

const PROJECT: &str = r#"
resource "workato_project" "p" {
  name = "Platform"
}
"#;

fn workspace(main: &str) -> Workspace {
    Workspace::new()
        .file("orders.json", ORDERS_SPEC)
        .file("orders-v2.json", ORDERS_SPEC_V2)
        .file("main.wf.hcl", &format!("{PROJECT}{main}"))
}

fn list(emu: &Emulator, path: &str) -> Vec<Json> {
    let (status, body) = emu.api("GET", path, None);
    assert_eq!(status, 200, "GET {path}: {body}");
    match body {
        Json::Array(items) => items,
        Json::Object(mut map) => match map.remove("data") {
            Some(Json::Array(items)) => items,
            other => panic!("GET {path}: unexpected {other:?}"),
        },
        other => panic!("GET {path}: unexpected {other}"),
    }
}

fn collections(emu: &Emulator) -> Vec<Json> {
    list(emu, "/api/api_collections?per_page=100")
}

fn endpoints(emu: &Emulator, collection: i64) -> Vec<Json> {
    list(
        emu,
        &format!("/api/api_endpoints?api_collection_id={collection}&per_page=100"),
    )
}

fn clients(emu: &Emulator) -> Vec<Json> {
    list(emu, "/api/v2/api_clients?per_page=100")
}

fn keys(emu: &Emulator, client: i64) -> Vec<Json> {
    list(
        emu,
        &format!("/api/v2/api_clients/{client}/api_keys?per_page=100"),
    )
}

fn id(v: &Json) -> i64 {
    v["id"].as_i64().expect("an id")
}

fn only(items: Vec<Json>) -> Json {
    assert_eq!(items.len(), 1, "expected exactly one object: {items:?}");
    items.into_iter().next().unwrap()
}

fn endpoint<'a>(eps: &'a [Json], method: &str, path: &str) -> &'a Json {
    eps.iter()
        .find(|e| e["method"] == method && e["path"] == path)
        .unwrap_or_else(|| panic!("no endpoint {method} {path} in {eps:?}"))
}

fn replans_clean(ws: &Workspace, emu: &Emulator) -> Run {
    ws.run(&["plan", "--detailed-exitcode"], emu)
        .code(0)
        .stdout_has("No changes.")
}

// ---- workato_api_collection ----

const COLLECTION: &str = r#"
resource "workato_api_collection" "c" {
  name       = "Orders API"
  project_id = workato_project.p.id
  openapi_spec = {
    content = file("${path.module}/orders.json")
    format  = "json"
  }
}

output "spec_url" {
  value     = workato_api_collection.c.api_spec_url
  sensitive = true
}
"#;

#[test]
fn api_collection_lifecycle() {
    let emu = Emulator::start(&[]);
    let ws = workspace(COLLECTION);

    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("Apply complete! Resources: 2 added, 0 changed, 0 destroyed.");
    let c = only(collections(&emu));
    let project_id = only(list(&emu, "/api/projects"))["id"].as_i64().unwrap();
    assert_eq!(c["name"], "Orders API");
    assert_eq!(
        c["project_id"],
        project_id.to_string(),
        "sent (and read back) as a string"
    );
    assert_eq!(
        endpoints(&emu, id(&c)).len(),
        3,
        "one endpoint per path + method"
    );
    let spec_url = c["api_spec_url"].as_str().unwrap().to_string();
    let token = spec_url
        .split("token=")
        .nth(1)
        .expect("the spec URL carries a token")
        .to_string();

    replans_clean(&ws, &emu).nowhere(&token);
    ws.run(&["output", "spec_url", "--raw"], &emu)
        .success()
        .stdout_has(&spec_url);
    ws.run(&["output"], &emu).success().nowhere(&token);

    // In place: a rename keeps the id.
    ws.write(
        "main.wf.hcl",
        &format!(
            "{PROJECT}{}",
            COLLECTION.replace("\"Orders API\"", "\"Orders\"")
        ),
    );
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("~ name")
        .stdout_has("Plan: 0 to add, 1 to change, 0 to destroy.")
        .nowhere(&token);
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("0 added, 1 changed, 0 destroyed")
        .nowhere(&token);
    let renamed = only(collections(&emu));
    assert_eq!(
        (id(&renamed), renamed["name"].as_str()),
        (id(&c), Some("Orders"))
    );
    replans_clean(&ws, &emu);

    // A new spec cannot be imported into the collection: replace.
    let v2 = COLLECTION
        .replace("\"Orders API\"", "\"Orders\"")
        .replace("orders.json", "orders-v2.json");
    ws.write("main.wf.hcl", &format!("{PROJECT}{v2}"));
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("-/+ resource \"workato_api_collection\" \"c\"")
        .stdout_has("# forces replacement")
        .stdout_has("Plan: 1 to add, 0 to change, 1 to destroy.");
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("1 added, 0 changed, 1 destroyed");
    let replaced = only(collections(&emu));
    assert_ne!(id(&replaced), id(&c));
    assert_eq!(endpoints(&emu, id(&replaced)).len(), 4);
    replans_clean(&ws, &emu);

    ws.run(&["destroy", "--auto-approve"], &emu)
        .success()
        .stdout_has("2 destroyed");
    assert!(collections(&emu).is_empty());
}

// ---- workato_api_endpoint ----

const ENDPOINTS: &str = r#"
resource "workato_api_collection" "c" {
  name       = "Orders API"
  project_id = workato_project.p.id
  openapi_spec = {
    content = file("${path.module}/orders.json")
    format  = "json"
  }
}

resource "workato_api_endpoint" "get_order" {
  api_collection_id = workato_api_collection.c.id
  method            = "GET"
  path              = "/orders/{id}"
  active            = true
}

resource "workato_api_endpoint" "create_order" {
  api_collection_id = workato_api_collection.c.id
  name              = "createOrder"
  active            = false
}
"#;

#[test]
fn api_endpoint_lifecycle() {
    let emu = Emulator::start(&[]);
    let ws = workspace(ENDPOINTS);

    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("4 added");
    let c = id(&only(collections(&emu)));
    let eps = endpoints(&emu, c);
    assert_eq!(endpoint(&eps, "GET", "orders/{id}")["active"], true);
    assert_eq!(endpoint(&eps, "POST", "orders")["active"], false);
    assert_eq!(
        endpoint(&eps, "DELETE", "orders/{id}")["active"],
        false,
        "unmanaged endpoints are left alone"
    );
    replans_clean(&ws, &emu);

    // Enable and disable in place.
    let toggled = ENDPOINTS
        .replacen("active            = true", "active            = false", 1)
        .replacen(
            "name              = \"createOrder\"\n  active            = false",
            "name              = \"createOrder\"\n  active            = true",
            1,
        );
    ws.write("main.wf.hcl", &format!("{PROJECT}{toggled}"));
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("~ active")
        .stdout_has("Plan: 0 to add, 2 to change, 0 to destroy.");
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("0 added, 2 changed");
    let eps = endpoints(&emu, c);
    assert_eq!(endpoint(&eps, "GET", "orders/{id}")["active"], false);
    assert_eq!(endpoint(&eps, "POST", "orders")["active"], true);
    replans_clean(&ws, &emu);

    // Selecting another endpoint replaces: the old one is disabled, the new one enabled.
    let moved = toggled.replace(
        "method            = \"GET\"\n  path              = \"/orders/{id}\"\n  active            = false",
        "method            = \"DELETE\"\n  path              = \"/orders/{id}\"\n  active            = true",
    );
    ws.write("main.wf.hcl", &format!("{PROJECT}{moved}"));
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("-/+ resource \"workato_api_endpoint\" \"get_order\"")
        .stdout_has("# forces replacement")
        .stdout_has("Plan: 1 to add, 0 to change, 1 to destroy.");
    ws.run(&["apply", "--auto-approve"], &emu).success();
    let eps = endpoints(&emu, c);
    assert_eq!(endpoint(&eps, "GET", "orders/{id}")["active"], false);
    assert_eq!(endpoint(&eps, "DELETE", "orders/{id}")["active"], true);
    replans_clean(&ws, &emu);

    // Destroying an endpoint resource disables the endpoint.
    let without = moved
        .split("resource \"workato_api_endpoint\" \"create_order\"")
        .next()
        .unwrap()
        .to_string();
    ws.write("main.wf.hcl", &format!("{PROJECT}{without}"));
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("0 added, 0 changed, 1 destroyed");
    assert_eq!(
        endpoint(&endpoints(&emu, c), "POST", "orders")["active"],
        false
    );

    ws.run(&["destroy", "--auto-approve"], &emu)
        .success()
        .stdout_has("3 destroyed");
    assert!(collections(&emu).is_empty());
}

#[test]
fn an_endpoint_that_does_not_exist_is_reported_with_the_collections_endpoints() {
    let emu = Emulator::start(&[]);
    let ws = workspace(&ENDPOINTS.replace("\"/orders/{id}\"", "\"/invoices\""));
    ws.run(&["apply", "--auto-approve"], &emu)
        .code(1)
        .stderr_has("has no endpoint GET /invoices")
        .stderr_has("GET /orders/{id} (getOrder)")
        .stderr_has("POST /orders (createOrder)");
}

// ---- workato_api_client ----

const CLIENT: &str = r#"
resource "workato_api_collection" "a" {
  name       = "Orders API"
  project_id = workato_project.p.id
}

resource "workato_api_collection" "b" {
  name       = "Invoices API"
  project_id = workato_project.p.id
}

resource "workato_api_client" "partners" {
  name               = "Partners"
  description        = "For partners"
  project_id         = workato_project.p.id
  api_collection_ids = [workato_api_collection.a.id, workato_api_collection.b.id]
  auth_type          = "token"
}
"#;

const JWT_SECRET: &str = "jwt-secret-8d1e4f0b2c";

#[test]
fn api_client_lifecycle() {
    let emu = Emulator::start(&[]);
    let ws = workspace(CLIENT);

    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("4 added");
    let client = only(clients(&emu));
    let mut collection_ids: Vec<i64> = collections(&emu).iter().map(id).collect();
    collection_ids.sort();
    let mut linked: Vec<i64> = client["api_collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();
    linked.sort();
    assert_eq!(linked, collection_ids);
    assert_eq!(client["auth_type"], "token");
    assert_eq!(client["description"], "For partners");
    replans_clean(&ws, &emu);

    // The order of api_collection_ids means nothing.
    let reordered = CLIENT.replace(
        "[workato_api_collection.a.id, workato_api_collection.b.id]",
        "[workato_api_collection.b.id, workato_api_collection.a.id]",
    );
    ws.write("main.wf.hcl", &format!("{PROJECT}{reordered}"));
    replans_clean(&ws, &emu);

    // In place: name, description and the collection list.
    let updated = CLIENT
        .replace("\"Partners\"", "\"Partners EU\"")
        .replace("\"For partners\"", "\"For EU partners\"")
        .replace(
            "[workato_api_collection.a.id, workato_api_collection.b.id]",
            "[workato_api_collection.b.id]",
        );
    ws.write("main.wf.hcl", &format!("{PROJECT}{updated}"));
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("~ name")
        .stdout_has("Plan: 0 to add, 1 to change, 0 to destroy.");
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("0 added, 1 changed");
    let after = only(clients(&emu));
    assert_eq!(id(&after), id(&client));
    assert_eq!(after["name"], "Partners EU");
    assert_eq!(after["description"], "For EU partners");
    let b = collections(&emu)
        .into_iter()
        .find(|c| c["name"] == "Invoices API")
        .unwrap();
    assert_eq!(
        after["api_collections"]
            .as_array()
            .unwrap()
            .iter()
            .map(id)
            .collect::<Vec<_>>(),
        vec![id(&b)]
    );
    replans_clean(&ws, &emu);

    // A new auth_type replaces the client; the JWT secret is never shown.
    let jwt = updated.replace(
        "auth_type          = \"token\"",
        &format!("auth_type          = \"jwt\"\n  jwt_method         = \"hmac\"\n  jwt_secret         = \"{JWT_SECRET}\""),
    );
    ws.write("main.wf.hcl", &format!("{PROJECT}{jwt}"));
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("-/+ resource \"workato_api_client\" \"partners\"")
        .stdout_has("# forces replacement")
        .stdout_has("Plan: 1 to add, 0 to change, 1 to destroy.")
        .nowhere(JWT_SECRET);
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("1 added, 0 changed, 1 destroyed")
        .nowhere(JWT_SECRET);
    let replaced = only(clients(&emu));
    assert_ne!(id(&replaced), id(&client));
    assert_eq!(replaced["auth_type"], "jwt");
    assert_eq!(replaced["jwt_method"], "hmac");
    assert!(
        replaced.get("jwt_secret").is_none_or(Json::is_null),
        "the API never returns the secret"
    );
    replans_clean(&ws, &emu).nowhere(JWT_SECRET);
    assert!(
        !std::fs::read(ws.state_path())
            .unwrap()
            .windows(JWT_SECRET.len())
            .any(|w| w == JWT_SECRET.as_bytes()),
        "state keeps only a digest of the JWT secret"
    );

    ws.run(&["destroy", "--auto-approve"], &emu)
        .success()
        .stdout_has("4 destroyed");
    assert!(clients(&emu).is_empty());
    assert!(collections(&emu).is_empty());
}

#[test]
fn a_jwt_client_without_its_secret_is_refused_with_the_apis_reason() {
    let emu = Emulator::start(&[]);
    let ws = workspace(&CLIENT.replace(
        "auth_type          = \"token\"",
        "auth_type          = \"jwt\"\n  jwt_method = \"hmac\"",
    ));
    ws.run(&["apply", "--auto-approve"], &emu)
        .code(1)
        .stderr_has("jwt_secret is required when auth_type is jwt");
}

#[test]
fn a_token_without_create_client_is_told_which_permission_is_missing() {
    let perms = "Workspace Details: Get details, List projects, List folders, Create project or folder, \
                 Update project, Delete project, List collections, Create collection, List clients";
    let emu = Emulator::start(&["--token", &format!("limited={perms}"), "--token", "dev=all"]);
    let ws = workspace(CLIENT);
    ws.run_with(
        &["apply", "--auto-approve"],
        &[("WORKATO_API_TOKEN", "limited"), ("WORKATO_HOST", &emu.url)],
    )
    .code(1)
    .stderr_has("Create client")
    .stderr_has("POST /api/v2/api_clients");
    assert!(clients(&emu).is_empty());
    assert_eq!(
        collections(&emu).len(),
        2,
        "what the token may create was created"
    );
}

// ---- workato_api_key ----

const KEY: &str = r#"
resource "workato_api_client" "a" {
  name      = "Client A"
  auth_type = "token"
}

resource "workato_api_client" "b" {
  name      = "Client B"
  auth_type = "token"
}

resource "workato_api_key" "k" {
  api_client_id = workato_api_client.a.id
  name          = "Acme"
}

output "k" {
  value     = workato_api_key.k.auth_token
  sensitive = true
}
"#;

fn token_of(ws: &Workspace, emu: &Emulator) -> String {
    let run = ws.run(&["output", "k", "--raw"], emu).success();
    let token = run.stdout.trim().to_string();
    assert!(
        token.len() >= 32 && token.chars().all(|c| c.is_ascii_hexdigit()),
        "not a token: {token:?}"
    );
    token
}

#[test]
fn api_key_lifecycle() {
    let emu = Emulator::start(&[]);
    let ws = workspace(KEY);

    let applied = ws
        .run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("4 added");
    let token = token_of(&ws, &emu);
    applied.nowhere(&token);
    let client_a = clients(&emu)
        .into_iter()
        .find(|c| c["name"] == "Client A")
        .unwrap();
    let key = only(keys(&emu, id(&client_a)));
    assert_eq!(key["name"], "Acme");
    assert_eq!(key["active"], true);
    assert!(
        key.get("auth_token").is_none_or(Json::is_null),
        "lists never return the secret"
    );

    replans_clean(&ws, &emu).nowhere(&token);
    ws.run(&["output"], &emu)
        .success()
        .stdout_has("k = <sensitive>")
        .nowhere(&token);

    // In place: name, IP lists, and active through disable.
    let updated = KEY.replace(
        "name          = \"Acme\"",
        "name          = \"Acme Corp\"\n  active        = false\n  ip_allow_list = [\"203.0.113.0/24\"]",
    );
    ws.write("main.wf.hcl", &format!("{PROJECT}{updated}"));
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("~ active")
        .stdout_has("Plan: 0 to add, 1 to change, 0 to destroy.")
        .nowhere(&token);
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("0 added, 1 changed")
        .nowhere(&token);
    let key2 = only(keys(&emu, id(&client_a)));
    assert_eq!(id(&key2), id(&key));
    assert_eq!(key2["name"], "Acme Corp");
    assert_eq!(key2["active"], false);
    assert_eq!(key2["ip_allow_list"], serde_json::json!(["203.0.113.0/24"]));
    assert_eq!(
        token_of(&ws, &emu),
        token,
        "an update does not touch the secret"
    );
    replans_clean(&ws, &emu);

    // Rotation: a new rotate_trigger asks for a new secret.
    let rotated = updated.replace(
        "active        = false",
        "active        = false\n  rotate_trigger = \"2025-06\"",
    );
    ws.write("main.wf.hcl", &format!("{PROJECT}{rotated}"));
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("+ rotate_trigger = \"2025-06\"")
        .stdout_has("Plan: 0 to add, 1 to change, 0 to destroy.");
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .nowhere(&token);
    let second = token_of(&ws, &emu);
    assert_ne!(second, token, "rotation changes the secret");
    assert_eq!(
        id(&only(keys(&emu, id(&client_a)))),
        id(&key),
        "rotation keeps the key"
    );
    replans_clean(&ws, &emu).nowhere(&second);
    let rotated = rotated.replace("\"2025-06\"", "\"2025-12\"");
    ws.write("main.wf.hcl", &format!("{PROJECT}{rotated}"));
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("~ rotate_trigger = \"2025-06\" -> \"2025-12\"")
        .nowhere(&second);
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .nowhere(&second);
    let new_token = token_of(&ws, &emu);
    assert_ne!(new_token, second, "every change of the trigger rotates");
    replans_clean(&ws, &emu).nowhere(&new_token);

    // Moving the key to another client replaces it.
    let moved = rotated.replace("workato_api_client.a.id", "workato_api_client.b.id");
    ws.write("main.wf.hcl", &format!("{PROJECT}{moved}"));
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("-/+ resource \"workato_api_key\" \"k\"")
        .stdout_has("# forces replacement")
        .nowhere(&new_token);
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("1 added, 0 changed, 1 destroyed");
    let client_b = clients(&emu)
        .into_iter()
        .find(|c| c["name"] == "Client B")
        .unwrap();
    assert!(keys(&emu, id(&client_a)).is_empty());
    let moved_key = only(keys(&emu, id(&client_b)));
    assert_eq!(moved_key["active"], false);
    let third = token_of(&ws, &emu);
    assert_ne!(third, new_token);
    replans_clean(&ws, &emu);

    ws.run(&["destroy", "--auto-approve"], &emu)
        .success()
        .stdout_has("4 destroyed")
        .nowhere(&third);
    assert!(clients(&emu).is_empty());
}

// ---- bulk refresh and drift ----

const MANY: &str = r#"
resource "workato_api_collection" "c" {
  name       = "Orders API"
  project_id = workato_project.p.id
  openapi_spec = {
    content = file("${path.module}/orders.json")
    format  = "json"
  }
}

resource "workato_api_endpoint" "get" {
  api_collection_id = workato_api_collection.c.id
  name              = "getOrder"
  active            = true
}

resource "workato_api_endpoint" "cancel" {
  api_collection_id = workato_api_collection.c.id
  name              = "cancelOrder"
  active            = false
}

resource "workato_api_endpoint" "create" {
  api_collection_id = workato_api_collection.c.id
  name              = "createOrder"
  active            = true
}

resource "workato_api_client" "a" {
  name               = "Client A"
  api_collection_ids = [workato_api_collection.c.id]
  auth_type          = "token"
}

resource "workato_api_key" "k" {
  for_each      = toset(["one", "two", "three"])
  api_client_id = workato_api_client.a.id
  name          = each.key
}
"#;

#[test]
fn refresh_reads_endpoints_and_keys_with_one_list_per_parent() {
    let emu = Emulator::start(&[]);
    let ws = workspace(MANY);
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("9 added");
    emu.reset_stats();
    replans_clean(&ws, &emu);
    let (_, stats) = emu.request("GET", "/__emulator/stats", None, None);
    let calls = |route: &str| stats["by_route"][route].as_u64().unwrap_or(0);
    // Each parent list is read once (the permission preflight may add one probe per
    // route, the same for parents and children); never once per object.
    assert_eq!(
        calls("GET /api/api_endpoints"),
        calls("GET /api/api_collections"),
        "{stats}"
    );
    assert_eq!(
        calls("GET /api/v2/api_clients/{id}/api_keys"),
        calls("GET /api/v2/api_clients"),
        "{stats}"
    );
    assert!(calls("GET /api/v2/api_clients") <= 2, "{stats}");
}

#[test]
fn a_client_deleted_outside_workform_is_recreated_with_its_keys() {
    let emu = Emulator::start(&[]);
    let ws = workspace(KEY);
    ws.run(&["apply", "--auto-approve"], &emu).success();
    let old_token = token_of(&ws, &emu);
    let a = clients(&emu)
        .into_iter()
        .find(|c| c["name"] == "Client A")
        .unwrap();
    let (status, _) = emu.api("DELETE", &format!("/api/v2/api_clients/{}", id(&a)), None);
    assert_eq!(status, 200);
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("has been deleted")
        .stdout_has("Plan: 2 to add, 0 to change, 0 to destroy.")
        .nowhere(&old_token);
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("2 added");
    assert_ne!(token_of(&ws, &emu), old_token);
    replans_clean(&ws, &emu);
}

#[test]
fn enabling_an_endpoint_whose_recipe_is_stopped_says_to_start_it() {
    let emu = Emulator::start(&[]);
    let ws = workspace(COLLECTION);
    ws.run(&["apply", "--auto-approve"], &emu).success();
    let c = id(&only(collections(&emu)));
    let get = endpoint(&endpoints(&emu, c), "GET", "orders/{id}").clone();
    let flow = get["flow_id"].as_i64().unwrap();
    let (status, _) = emu.api("PUT", &format!("/api/recipes/{flow}/stop"), None);
    assert_eq!(status, 200);
    let with_endpoint = format!(
        "{COLLECTION}{}",
        r#"
resource "workato_api_endpoint" "get" {
  api_collection_id = workato_api_collection.c.id
  method            = "GET"
  path              = "/orders/{id}"
  active            = true
}
"#
    );
    ws.write("main.wf.hcl", &format!("{PROJECT}{with_endpoint}"));
    ws.run(&["apply", "--auto-approve"], &emu)
        .code(1)
        .stderr_has(&format!("PUT /api/api_endpoints/{}/enable", id(&get)))
        .stderr_has("start the recipe first");
    assert_eq!(
        endpoint(&endpoints(&emu, c), "GET", "orders/{id}")["active"],
        false
    );
    let (status, _) = emu.api("PUT", &format!("/api/recipes/{flow}/start"), None);
    assert_eq!(status, 200);
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("1 added");
    assert_eq!(
        endpoint(&endpoints(&emu, c), "GET", "orders/{id}")["active"],
        true
    );
}

#[test]
fn existing_clients_and_endpoints_can_be_imported() {
    let emu = Emulator::start(&[]);
    let ws = workspace(ENDPOINTS);
    ws.run(&["apply", "--auto-approve"], &emu).success();
    let c = id(&only(collections(&emu)));
    let (status, client) = emu.api(
        "POST",
        "/api/v2/api_clients",
        Some(serde_json::json!({"name": "Imported", "auth_type": "token", "api_collection_ids": [c]})),
    );
    assert_eq!(status, 200, "{client}");
    let client_id = client["data"]["id"].as_i64().unwrap();
    let delete = endpoint(&endpoints(&emu, c), "DELETE", "orders/{id}").clone();
    let more = r#"
resource "workato_api_client" "imported" {
  name               = "Imported"
  api_collection_ids = [workato_api_collection.c.id]
  auth_type          = "token"
}

resource "workato_api_endpoint" "cancel" {
  api_collection_id = workato_api_collection.c.id
  method            = "DELETE"
  path              = "/orders/{id}"
  active            = false
}
"#;
    ws.write("main.wf.hcl", &format!("{PROJECT}{ENDPOINTS}{more}"));
    ws.run(
        &[
            "import",
            "workato_api_client.imported",
            &client_id.to_string(),
        ],
        &emu,
    )
    .success()
    .stdout_has("Import successful!");
    ws.run(
        &[
            "import",
            "workato_api_endpoint.cancel",
            &id(&delete).to_string(),
        ],
        &emu,
    )
    .success();
    replans_clean(&ws, &emu);
}
