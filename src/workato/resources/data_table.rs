//! `workato_data_table`: a data table and its ordered columns (`/api/data_tables`).
//!
//! The API speaks of a table's `schema` (a list of columns); workform's attribute names
//! are those of Workato's Terraform provider: one `column` block per column, a `relation`
//! block (a list of at most one object) inside relation columns. Every answer is wrapped
//! as `{"data": ...}`. A `schema` in an update is a full replacement: columns keep their
//! data through their `field_id`.

use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;
use serde_json::{Map, Value as Json, json};

use crate::schema::{self, Schema};
use crate::workato::client::Api;
use crate::workato::error::ApiError;
use crate::workato::resource::{
    Deleted, Object, ObjectExt, Resource, data_array, deleted, expect_object, objects,
};

pub struct DataTable;

const LIST: &str = "/api/data_tables";

/// Every table in the workspace, by UUID, in one paged listing.
pub(crate) async fn list_tables(api: &Api) -> Result<Vec<Object>, ApiError> {
    let items = api.get_all_pages(LIST, &[], data_array).await?;
    Ok(objects(items))
}

/// One API column (`schema[]` item) as a `column` block value.
fn column_to_state(c: &Object) -> Json {
    let relation = match c.get("relation") {
        Some(Json::Object(r)) => json!([{
            "table_id": r.get("table_id").cloned().unwrap_or(Json::Null),
            "field_id": r.get("field_id").cloned().unwrap_or(Json::Null),
        }]),
        _ => json!([]),
    };
    json!({
        "name": c.get("name").cloned().unwrap_or(Json::Null),
        "type": c.get("type").cloned().unwrap_or(Json::Null),
        "optional": c.get("optional").and_then(Json::as_bool).unwrap_or(false),
        "multivalue": c.get("multivalue").and_then(Json::as_bool).unwrap_or(false),
        "hint": c.get("hint").cloned().unwrap_or(Json::Null),
        "default_value": c.get("default_value").cloned().unwrap_or(Json::Null),
        "field_id": c.get("field_id").cloned().unwrap_or(Json::Null),
        "relation": relation,
    })
}

/// The API's columns of a table (its `schema`), as objects.
pub(crate) fn api_columns(t: &Object) -> Vec<Object> {
    match t.get("schema") {
        Some(Json::Array(items)) => objects(items.clone()),
        _ => Vec::new(),
    }
}

/// Column name → field_id.
pub(crate) fn field_ids(columns: &[Object]) -> Json {
    let map: Map<String, Json> = columns
        .iter()
        .filter_map(|c| Some((c.str_of("name")?.to_string(), json!(c.str_of("field_id")?))))
        .collect();
    Json::Object(map)
}

/// The API's table object in workform's attribute names.
fn to_state(t: &Object) -> Object {
    let columns = api_columns(t);
    let mut out = Object::new();
    out.insert("id".into(), t.get("id").cloned().unwrap_or(Json::Null));
    out.insert("numeric_id".into(), json!(t.i64_of("numeric_id")));
    out.insert("name".into(), t.get("name").cloned().unwrap_or(Json::Null));
    out.insert("folder_id".into(), json!(t.i64_of("folder_id")));
    out.insert("field_ids".into(), field_ids(&columns));
    for key in ["created_at", "updated_at"] {
        out.insert(key.into(), t.get(key).cloned().unwrap_or(Json::Null));
    }
    out.insert(
        "column".into(),
        Json::Array(columns.iter().map(column_to_state).collect()),
    );
    out
}

/// The planned `column` blocks.
fn planned_columns(planned: &Object) -> Vec<Object> {
    match planned.get("column") {
        Some(Json::Array(items)) => objects(items.clone()),
        _ => Vec::new(),
    }
}

fn non_empty_str<'a>(c: &'a Object, key: &str) -> Option<&'a str> {
    c.str_of(key).filter(|s| !s.is_empty())
}

/// One `column` block as an API column request. `field_id` is the one to send (`None`
/// for a new column, which the API then assigns).
fn column_request(c: &Object, field_id: Option<&str>) -> Json {
    let mut out = Map::new();
    out.insert("name".into(), c.get("name").cloned().unwrap_or(Json::Null));
    out.insert("type".into(), c.get("type").cloned().unwrap_or(Json::Null));
    // The API requires `optional` on every column.
    let flag = |key: &str| json!(c.get(key).and_then(Json::as_bool).unwrap_or(false));
    out.insert("optional".into(), flag("optional"));
    out.insert("multivalue".into(), flag("multivalue"));
    for key in ["hint", "default_value"] {
        if let Some(v) = c.get(key).filter(|v| !v.is_null()) {
            out.insert(key.into(), v.clone());
        }
    }
    if let Some(f) = field_id {
        out.insert("field_id".into(), json!(f));
    }
    // A relation block is sent as the API's object (not a list); the API rejects a
    // relation column without one, naming the column.
    if let Some(Json::Array(relation)) = c.get("relation")
        && let Some(Json::Object(r)) = relation.first()
    {
        out.insert(
            "relation".into(),
            json!({
                "table_id": r.get("table_id").cloned().unwrap_or(Json::Null),
                "field_id": r.get("field_id").cloned().unwrap_or(Json::Null),
            }),
        );
    }
    Json::Object(out)
}

/// The `field_id` each planned column is sent with, against the table's current columns.
///
/// An unset `field_id` is planned as the one of the current column at the same position,
/// which is right for a rename but would hand a column's data to its neighbour when a
/// column is inserted or the columns are reordered. So a column whose name is the name of
/// a current column keeps that column's `field_id`; the others keep the planned one unless
/// a column claimed it by name (then they are new columns).
fn resolve_field_ids(planned: &[Object], current: &[Object]) -> Vec<Option<String>> {
    let current_by_name: HashMap<&str, &str> = current
        .iter()
        .filter_map(|c| Some((c.str_of("name")?, c.str_of("field_id")?)))
        .collect();
    let by_name: Vec<Option<&str>> = planned
        .iter()
        .map(|c| {
            c.str_of("name")
                .and_then(|n| current_by_name.get(n).copied())
        })
        .collect();
    let mut claimed: BTreeSet<&str> = by_name.iter().flatten().copied().collect();
    planned
        .iter()
        .zip(&by_name)
        .map(|(c, by_name)| {
            if let Some(f) = by_name {
                return Some(f.to_string());
            }
            let given = non_empty_str(c, "field_id")?;
            claimed.insert(given).then(|| given.to_string())
        })
        .collect()
}

fn table_path(prior: &Object) -> String {
    format!("{LIST}/{}", prior.str_of("id").unwrap_or_default())
}

#[async_trait]
impl Resource for DataTable {
    /// `field_ids` mirrors the planned columns: known where a column's `field_id` is.
    fn plan_computed(&self, planned: &mut std::collections::BTreeMap<String, crate::value::Value>) {
        use crate::value::Value;
        let Some(Value::List(columns)) = planned.get("column") else {
            return;
        };
        let mut ids = std::collections::BTreeMap::new();
        for column in columns {
            if let Some(Value::String(name)) = column.get_attr("name") {
                ids.insert(name, column.get_attr("field_id").unwrap_or(Value::Unknown));
            }
        }
        planned.insert("field_ids".into(), Value::Object(ids));
    }

    fn schema(&self) -> &'static Schema {
        schema::resource("workato_data_table").expect("schema exists")
    }

    /// One paged `GET /api/data_tables` for every table.
    async fn refresh(&self, api: &Api, prior: &[&Object]) -> Result<Vec<Option<Object>>, ApiError> {
        let live: HashMap<String, Object> = list_tables(api)
            .await?
            .into_iter()
            .filter_map(|t| Some((t.str_of("id")?.to_string(), t)))
            .collect();
        Ok(prior
            .iter()
            .map(|p| p.str_of("id").and_then(|id| live.get(id)).map(to_state))
            .collect())
    }

    async fn create(&self, api: &Api, planned: &Object) -> Result<Object, ApiError> {
        let schema: Vec<Json> = planned_columns(planned)
            .iter()
            .map(|c| column_request(c, non_empty_str(c, "field_id")))
            .collect();
        let body = json!({
            "name": planned.get("name"),
            "folder_id": planned.i64_of("folder_id"),
            "schema": schema,
        });
        let answer = api.post(LIST, &[], &body).await?;
        Ok(to_state(&unwrap_data("POST", LIST, answer)?))
    }

    /// Name, folder and the complete column list in one `PUT`.
    async fn update(
        &self,
        api: &Api,
        prior: &Object,
        planned: &Object,
    ) -> Result<Object, ApiError> {
        let path = table_path(prior);
        let columns = planned_columns(planned);
        let current: Vec<Object> = match prior.get("column") {
            Some(Json::Array(items)) => objects(items.clone()),
            _ => Vec::new(),
        };
        let ids = resolve_field_ids(&columns, &current);
        let schema: Vec<Json> = columns
            .iter()
            .zip(&ids)
            .map(|(c, f)| column_request(c, f.as_deref()))
            .collect();
        let body = json!({
            "name": planned.get("name"),
            "folder_id": planned.i64_of("folder_id"),
            "schema": schema,
        });
        let answer = api.put(&path, &body).await?;
        Ok(to_state(&unwrap_data("PUT", &path, answer)?))
    }

    async fn delete(&self, api: &Api, prior: &Object) -> Result<Deleted, ApiError> {
        deleted(api.delete(&table_path(prior), &[]).await)
    }

    /// Every table, from the same paged listing as refresh.
    async fn list_all(&self, api: &Api) -> Result<Option<Vec<Object>>, ApiError> {
        Ok(Some(list_tables(api).await?.iter().map(to_state).collect()))
    }
}

/// The table inside a `{"data": {...}}` answer.
fn unwrap_data(method: &str, path: &str, body: Json) -> Result<Object, ApiError> {
    let mut wrapper = expect_object(method, path, body)?;
    match wrapper.remove("data") {
        Some(inner @ Json::Object(_)) => expect_object(method, path, inner),
        _ => Err(ApiError::Decode {
            method: method.into(),
            path: path.into(),
            message: "expected {\"data\": {...}}".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Json) -> Object {
        v.as_object().unwrap().clone()
    }

    fn col(name: &str, field_id: Option<&str>) -> Object {
        obj(json!({"name": name, "type": "string", "field_id": field_id}))
    }

    #[test]
    fn a_rename_keeps_the_planned_field_id() {
        let current = [col("email", Some("f1")), col("name", Some("f2"))];
        let planned = [col("mail", Some("f1")), col("name", Some("f2"))];
        assert_eq!(
            resolve_field_ids(&planned, &current),
            vec![Some("f1".into()), Some("f2".into())]
        );
    }

    #[test]
    fn an_inserted_column_does_not_take_its_neighbours_data() {
        // `phone` inserted first: position-filled ids would shift every column by one.
        let current = [col("email", Some("f1")), col("name", Some("f2"))];
        let planned = [
            col("phone", Some("f1")),
            col("email", Some("f2")),
            col("name", None),
        ];
        assert_eq!(
            resolve_field_ids(&planned, &current),
            vec![None, Some("f1".into()), Some("f2".into())]
        );
    }

    #[test]
    fn a_reorder_keeps_each_columns_field_id() {
        let current = [col("email", Some("f1")), col("name", Some("f2"))];
        let planned = [col("name", Some("f1")), col("email", Some("f2"))];
        assert_eq!(
            resolve_field_ids(&planned, &current),
            vec![Some("f2".into()), Some("f1".into())]
        );
    }

    #[test]
    fn api_tables_become_column_blocks_and_field_ids() {
        let table = obj(json!({
            "id": "u-1", "numeric_id": 7, "name": "T", "folder_id": "12",
            "created_at": "c", "updated_at": "u",
            "schema": [
                {"type": "string", "name": "email", "optional": false, "field_id": "f1",
                 "hint": null, "default_value": null, "metadata": {}, "multivalue": false,
                 "relation": null},
                {"type": "relation", "name": "owner", "optional": true, "field_id": "f2",
                 "hint": "h", "default_value": null, "metadata": {}, "multivalue": true,
                 "relation": {"table_id": "u-2", "field_id": "g1"}}
            ]
        }));
        let state = to_state(&table);
        assert_eq!(state["folder_id"], json!(12));
        assert_eq!(state["field_ids"], json!({"email": "f1", "owner": "f2"}));
        assert_eq!(state["column"][0]["relation"], json!([]));
        assert_eq!(
            state["column"][1]["relation"],
            json!([{"table_id": "u-2", "field_id": "g1"}])
        );
        let request = column_request(state["column"][1].as_object().unwrap(), Some("f2"));
        assert_eq!(
            request,
            json!({"name": "owner", "type": "relation", "optional": true, "multivalue": true,
                   "hint": "h", "field_id": "f2",
                   "relation": {"table_id": "u-2", "field_id": "g1"}})
        );
    }
}
