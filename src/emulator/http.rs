//! Request and response helpers shared by the route handlers: error bodies, JSON bodies,
//! query strings, ids and pagination.

use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// An error answer: status + JSON body.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

pub(crate) type ApiResult = Result<Response, ApiError>;

/// 200 with a JSON body.
pub(crate) fn ok(v: Value) -> ApiResult {
    Ok((StatusCode::OK, Json(v)).into_response())
}

/// 200 `{"success":true}`.
pub(crate) fn success() -> ApiResult {
    ok(json!({"success": true}))
}

/// `{"message": msg}` with `status`.
pub(crate) fn message(status: StatusCode, msg: impl Into<String>) -> ApiError {
    ApiError {
        status,
        body: json!({"message": msg.into()}),
    }
}

/// 404 `{"message":"Not found"}`.
pub(crate) fn not_found() -> ApiError {
    message(StatusCode::NOT_FOUND, "Not found")
}

/// 404 for an id given in a body or query field: `{"message":"Not found","errors":{field:[..]}}`.
pub(crate) fn ref_not_found(field: &str, what: &str, id: impl std::fmt::Display) -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        body: json!({"message": "Not found", "errors": {field: [format!("{what} {id} not found")]}}),
    }
}

/// 400 `{"message": msg}`.
pub(crate) fn bad_request(msg: impl Into<String>) -> ApiError {
    message(StatusCode::BAD_REQUEST, msg)
}

/// Field errors collected during validation; 400 `{"message":"Validation failed","errors":{..}}`.
#[derive(Default)]
pub(crate) struct Errors(Map<String, Value>);

impl Errors {
    pub(crate) fn new() -> Errors {
        Errors::default()
    }

    pub(crate) fn add(&mut self, field: &str, msg: impl Into<String>) {
        let entry = self
            .0
            .entry(field.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = entry {
            list.push(Value::String(msg.into()));
        }
    }

    /// Ok when no error was added.
    pub(crate) fn check(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError {
                status: StatusCode::BAD_REQUEST,
                body: json!({"message": "Validation failed", "errors": self.0}),
            })
        }
    }
}

/// A single-field validation error.
pub(crate) fn invalid(field: &str, msg: impl Into<String>) -> ApiError {
    let mut e = Errors::new();
    e.add(field, msg);
    e.check().unwrap_err()
}

/// The request body as a JSON object; an empty body is `{}`.
pub(crate) fn body_object(bytes: &Bytes) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(_) => Err(bad_request("Request body must be a JSON object")),
        Err(e) => Err(bad_request(format!("Invalid JSON in request body: {e}"))),
    }
}

/// A parsed query string (repeated keys kept, `+` and `%XX` decoded).
#[derive(Debug, Default)]
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Query {
        let Some(raw) = raw else {
            return Query::default();
        };
        Query(
            raw.split('&')
                .filter(|kv| !kv.is_empty())
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    (decode(k), decode(v))
                })
                .collect(),
        )
    }

    /// The last value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`.
    pub(crate) fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// `key=true` (also `1`).
    pub(crate) fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("true" | "1"))
    }

    /// `includes[]=<what>` present.
    pub(crate) fn includes(&self, what: &str) -> bool {
        self.all("includes[]")
            .into_iter()
            .chain(self.all("includes"))
            .any(|v| v == what)
    }

    /// (page, per_page): page is 1-based (default 1); per_page defaults to 100 and is clamped
    /// to 1..=100.
    pub(crate) fn paging(&self) -> (usize, usize) {
        let page = self
            .get("page")
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(1)
            .max(1);
        let per_page = self
            .get("per_page")
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(100)
            .clamp(1, 100);
        (page, per_page)
    }
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hexval(bytes[i + 1]), hexval(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hexval(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// One page of `items`.
pub(crate) fn page_of<T>(items: Vec<T>, (page, per_page): (usize, usize)) -> Vec<T> {
    items
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect()
}

/// A numeric id from a path segment; anything else is 404.
pub(crate) fn path_id(s: &str) -> Result<u64, ApiError> {
    s.trim().parse::<u64>().map_err(|_| not_found())
}

/// An id given as a JSON number or a numeric string.
pub(crate) fn id_of(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Optional id field: absent/null → Ok(None); a number or numeric string → Ok(Some); anything
/// else → 400 naming the field.
pub(crate) fn opt_id_field(
    body: &Map<String, Value>,
    field: &str,
) -> Result<Option<u64>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => id_of(v)
            .map(Some)
            .ok_or_else(|| invalid(field, "must be an integer id")),
    }
}

/// Optional string field: absent → None (not given), null → Some(None), string → Some(Some).
pub(crate) fn opt_string_field(
    body: &Map<String, Value>,
    field: &str,
) -> Result<Option<Option<String>>, ApiError> {
    match body.get(field) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
        Some(Value::Number(n)) => Ok(Some(Some(n.to_string()))),
        Some(_) => Err(invalid(field, "must be a string")),
    }
}

/// Optional boolean field.
pub(crate) fn opt_bool_field(
    body: &Map<String, Value>,
    field: &str,
) -> Result<Option<bool>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s == "true" || s == "false" => Ok(Some(s == "true")),
        Some(_) => Err(invalid(field, "must be a boolean")),
    }
}

/// A required, non-blank name-like field; adds "can't be blank" to `errors` when missing.
pub(crate) fn required_string(
    body: &Map<String, Value>,
    field: &str,
    errors: &mut Errors,
) -> Option<String> {
    match body.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            errors.add(field, "can't be blank");
            None
        }
        Some(_) => {
            errors.add(field, "must be a string");
            None
        }
    }
}

/// Optional name-like field for updates: absent → None; present must be a non-blank string.
pub(crate) fn optional_name(
    body: &Map<String, Value>,
    field: &str,
    errors: &mut Errors,
) -> Option<String> {
    if body.contains_key(field) {
        required_string(body, field, errors)
    } else {
        None
    }
}

/// Optional list of ids (numbers or numeric strings).
pub(crate) fn opt_id_list(
    body: &Map<String, Value>,
    field: &str,
) -> Result<Option<Vec<u64>>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| id_of(v).ok_or_else(|| invalid(field, "must be a list of integer ids")))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(invalid(field, "must be a list of integer ids")),
    }
}

/// Optional list of strings.
pub(crate) fn opt_string_list(
    body: &Map<String, Value>,
    field: &str,
) -> Result<Option<Vec<String>>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                _ => Err(invalid(field, "must be a list of strings")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(invalid(field, "must be a list of strings")),
    }
}

/// `{"data": page, "count": total, "page", "per_page"}` (v2 API client and key lists).
pub(crate) fn paged(items: Vec<Value>, q: &Query) -> Value {
    let (page, per_page) = q.paging();
    let count = items.len();
    json!({"data": page_of(items, (page, per_page)), "count": count, "page": page, "per_page": per_page})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parsing() {
        let q = Query::parse(Some(
            "a=1&includes%5B%5D=tags&q%5Bhandle_in%5D%5B%5D=x&q[handle_in][]=y&name=a+b%2Fc&bad=%zz&end=%4",
        ));
        assert_eq!(q.get("a"), Some("1"));
        assert!(q.includes("tags"));
        assert_eq!(q.all("q[handle_in][]"), ["x", "y"]);
        assert_eq!(q.get("name"), Some("a b/c"));
        assert_eq!(q.get("bad"), Some("%zz"));
        assert_eq!(q.get("end"), Some("%4"));
        assert_eq!(Query::parse(Some("per_page=500&page=0")).paging(), (1, 100));
        assert_eq!(Query::parse(None).paging(), (1, 100));
        assert_eq!(page_of((1..=5).collect(), (2, 2)), vec![3, 4]);
    }
}
