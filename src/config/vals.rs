//! Small helpers over [`Value`] used by the evaluator, the function library and type
//! conversion (kept here: `value.rs` is shared and stays minimal).

use std::cmp::Ordering;

use crate::value::{Value, format_number};

/// Parses a number the way HCL converts strings to numbers: decimal notation with an
/// optional sign, fraction and exponent; no `inf`/`nan`, no surrounding spaces.
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let ok = !body.is_empty()
        && body.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'));
    if !ok {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A number, or a string holding one (looking through marks).
pub(crate) fn to_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => Some(*n),
        Value::String(s) => parse_number(s),
        Value::Sensitive(inner) => to_number(inner),
        _ => None,
    }
}

/// A bool, or the strings `"true"` / `"false"` (looking through marks).
pub(crate) fn to_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        Value::Sensitive(inner) => to_bool(inner),
        _ => None,
    }
}

/// The string form of a primitive (string, number, bool), looking through marks.
pub(crate) fn to_str(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(format_number(*n)),
        Value::Bool(b) => Some(b.to_string()),
        Value::Sensitive(inner) => to_str(inner),
        _ => None,
    }
}

/// Name of a value's type for messages ("string", "number", "bool", "list", "object", "null").
pub(crate) fn kind(v: &Value) -> &'static str {
    v.type_name()
}

/// Structural equality ignoring marks.
pub(crate) fn deep_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Sensitive(a), b) | (b, Value::Sensitive(a)) => deep_eq(a, b),
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| deep_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| ka == kb && deep_eq(va, vb))
        }
        (a, b) => a == b,
    }
}

fn rank(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Number(_) => 2,
        Value::String(_) => 3,
        Value::List(_) => 4,
        Value::Object(_) => 5,
        Value::Unknown => 6,
        Value::Sensitive(inner) => rank(inner),
    }
}

/// A total order used to keep sets sorted: by kind, then numbers numerically, strings
/// lexically, collections element-wise.
pub(crate) fn cmp_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Sensitive(a), b) => cmp_values(a, b),
        (a, Value::Sensitive(b)) => cmp_values(a, b),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x.total_cmp(y),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::List(x), Value::List(y)) => {
            for (a, b) in x.iter().zip(y) {
                let o = cmp_values(a, b);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Object(x), Value::Object(y)) => {
            for ((ka, va), (kb, vb)) in x.iter().zip(y) {
                let o = ka.cmp(kb).then_with(|| cmp_values(va, vb));
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (a, b) => rank(a).cmp(&rank(b)),
    }
}

/// Sorts and de-duplicates (set semantics). Unknown elements are kept as they are.
pub(crate) fn make_set(mut items: Vec<Value>) -> Vec<Value> {
    items.sort_by(cmp_values);
    items.dedup_by(|a, b| !a.contains_unknown() && deep_eq(a, b));
    items
}

/// If every element is a primitive and they differ in kind, converts them all to strings
/// (HCL's unification for `toset`, `tolist`, `tomap`, collection literals passed to
/// functions). Returns an error message for mixed primitive/structural elements.
pub(crate) fn unify_primitives<'a>(
    items: impl Iterator<Item = &'a mut Value>,
) -> Result<(), String> {
    let items: Vec<&mut Value> = items.collect();
    let mut kinds = items
        .iter()
        .filter(|v| !v.is_null() && !v.is_unknown())
        .map(|v| rank(v))
        .collect::<Vec<_>>();
    kinds.sort_unstable();
    kinds.dedup();
    if kinds.len() <= 1 {
        return Ok(());
    }
    if kinds.iter().any(|k| *k >= 4) {
        return Err("all elements must have the same type".into());
    }
    for v in items {
        let marked = matches!(v, Value::Sensitive(_));
        if let Some(s) = to_str(v) {
            *v = Value::String(s).marked_if(marked);
        }
    }
    Ok(())
}

/// Levenshtein distance, for "did you mean" suggestions.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
