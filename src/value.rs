//! The value model shared by the evaluator, the planner and the renderer.
//!
//! It is JSON plus two things JSON cannot say: `Unknown` ("known after apply") and a
//! sensitivity mark. Marks travel with values through expressions, the way cty's marks do
//! in Terraform, so `"prefix-${var.secret}"` is itself sensitive and is never printed.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value as Json;

/// An evaluated HCL value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    /// All numbers are f64: Workato ids stay far below 2^53. Integral numbers print
    /// and serialise without a fraction.
    Number(f64),
    String(String),
    /// Lists, tuples and sets (sets are kept sorted and de-duplicated by `toset`).
    List(Vec<Value>),
    /// Objects and maps, keys sorted.
    Object(BTreeMap<String, Value>),
    /// A value that will only be known after apply.
    Unknown,
    /// A value that must never be displayed.
    Sensitive(Box<Value>),
}

impl Value {
    /// Wraps `self` in a sensitivity mark (idempotent).
    pub fn mark_sensitive(self) -> Value {
        match self {
            Value::Sensitive(_) => self,
            other => Value::Sensitive(Box::new(other)),
        }
    }

    /// Wraps `self` in a mark when `sensitive` is true.
    pub fn marked_if(self, sensitive: bool) -> Value {
        if sensitive {
            self.mark_sensitive()
        } else {
            self
        }
    }

    /// Removes the top-level mark, returning the inner value and whether it was marked.
    pub fn unmark(self) -> (Value, bool) {
        match self {
            Value::Sensitive(inner) => (inner.unmark().0, true),
            other => (other, false),
        }
    }

    /// Removes every mark at any depth; the flag says whether any was present.
    pub fn unmark_deep(self) -> (Value, bool) {
        match self {
            Value::Sensitive(inner) => (inner.unmark_deep().0, true),
            Value::List(items) => {
                let mut any = false;
                let items = items
                    .into_iter()
                    .map(|v| {
                        let (v, s) = v.unmark_deep();
                        any |= s;
                        v
                    })
                    .collect();
                (Value::List(items), any)
            }
            Value::Object(map) => {
                let mut any = false;
                let map = map
                    .into_iter()
                    .map(|(k, v)| {
                        let (v, s) = v.unmark_deep();
                        any |= s;
                        (k, v)
                    })
                    .collect();
                (Value::Object(map), any)
            }
            other => (other, false),
        }
    }

    /// True when a sensitivity mark is present at any depth.
    pub fn contains_sensitive(&self) -> bool {
        match self {
            Value::Sensitive(_) => true,
            Value::List(items) => items.iter().any(Value::contains_sensitive),
            Value::Object(map) => map.values().any(Value::contains_sensitive),
            _ => false,
        }
    }

    /// True when the value is unknown at any depth.
    pub fn contains_unknown(&self) -> bool {
        match self {
            Value::Unknown => true,
            Value::Sensitive(inner) => inner.contains_unknown(),
            Value::List(items) => items.iter().any(Value::contains_unknown),
            Value::Object(map) => map.values().any(Value::contains_unknown),
            _ => false,
        }
    }

    pub fn is_null(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Sensitive(inner) => inner.is_null(),
            _ => false,
        }
    }

    pub fn is_unknown(&self) -> bool {
        match self {
            Value::Unknown => true,
            Value::Sensitive(inner) => inner.is_unknown(),
            _ => false,
        }
    }

    /// The string inside, looking through a mark.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            Value::Sensitive(inner) => inner.as_str(),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Sensitive(inner) => inner.as_bool(),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::Sensitive(inner) => inner.as_f64(),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Object(map) => Some(map),
            Value::Sensitive(inner) => inner.as_object(),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) => Some(items),
            Value::Sensitive(inner) => inner.as_list(),
            _ => None,
        }
    }

    /// Attribute lookup on an object (looking through a mark, keeping it on the result).
    pub fn get_attr(&self, name: &str) -> Option<Value> {
        match self {
            Value::Object(map) => map.get(name).cloned(),
            Value::Sensitive(inner) => inner.get_attr(name).map(Value::mark_sensitive),
            Value::Unknown => Some(Value::Unknown),
            _ => None,
        }
    }

    /// A short name of the value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Object(_) => "object",
            Value::Unknown => "unknown",
            Value::Sensitive(inner) => inner.type_name(),
        }
    }

    /// Converts to JSON. Unknown becomes null and marks are dropped: callers that care
    /// must inspect `contains_unknown` / `contains_sensitive` first.
    pub fn to_json(&self) -> Json {
        match self {
            Value::Null | Value::Unknown => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => Json::String(s.clone()),
            Value::List(items) => Json::Array(items.iter().map(Value::to_json).collect()),
            Value::Object(map) => {
                Json::Object(map.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
            Value::Sensitive(inner) => inner.to_json(),
        }
    }

    /// Converts from JSON (no marks, nothing unknown).
    pub fn from_json(json: &Json) -> Value {
        match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
            Json::String(s) => Value::String(s.clone()),
            Json::Array(items) => Value::List(items.iter().map(Value::from_json).collect()),
            Json::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}

/// Integral numbers become JSON integers so ids round-trip as `123`, not `123.0`.
pub fn number_to_json(n: f64) -> Json {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Json::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Json::Null, Json::Number)
    }
}

/// Formats a number the way HCL prints it: no trailing `.0` on integers.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

impl fmt::Display for Value {
    /// HCL-like rendering. Sensitive values print as `(sensitive value)`; callers that
    /// render plans use `render::` instead, which also knows about schemas.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => f.write_str(&format_number(*n)),
            Value::String(s) => write!(f, "{}", Json::String(s.clone())),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Object(map) => {
                f.write_str("{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} = {v}")?;
                }
                f.write_str("}")
            }
            Value::Unknown => f.write_str("(known after apply)"),
            Value::Sensitive(_) => f.write_str("(sensitive value)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_numbers_round_trip_as_integers() {
        assert_eq!(Value::Number(100.0).to_json().to_string(), "100");
        assert_eq!(Value::Number(1.5).to_json().to_string(), "1.5");
    }

    #[test]
    fn marks_survive_attribute_access_and_never_display() {
        let obj = Value::Object(BTreeMap::from([("k".into(), Value::String("s".into()))]));
        let marked = obj.mark_sensitive();
        let inner = marked.get_attr("k").unwrap();
        assert!(inner.contains_sensitive());
        assert_eq!(inner.to_string(), "(sensitive value)");
    }
}
