//! Values as they appear in plans: HCL-like, secrets hidden, unknowns spelled out.

use crate::value::{Value, format_number};

/// Renders a value on one line; `sensitive` hides it whatever it holds.
pub fn inline(value: &Value, sensitive: bool) -> String {
    if sensitive || value.contains_sensitive() && !value.is_unknown() {
        return "(sensitive value)".to_string();
    }
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(*n),
        Value::String(s) => serde_json::Value::String(s.clone()).to_string(),
        Value::Unknown => "(known after apply)".to_string(),
        Value::Sensitive(_) => "(sensitive value)".to_string(),
        Value::List(items) => {
            let parts: Vec<String> = items.iter().map(|v| inline(v, false)).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k} = {}", inline(v, false)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
    }
}

/// Renders JSON from state or the API the same way.
pub fn inline_json(value: &serde_json::Value, sensitive: bool) -> String {
    inline(&Value::from_json(value), sensitive)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_unknowns_render_as_terraform_does() {
        assert_eq!(
            inline(&Value::String("x".into()), true),
            "(sensitive value)"
        );
        assert_eq!(inline(&Value::Unknown, false), "(known after apply)");
        assert_eq!(
            inline(
                &Value::List(vec![Value::String("s".into()).mark_sensitive()]),
                false
            ),
            "(sensitive value)"
        );
        assert_eq!(inline(&Value::Number(3.0), false), "3");
    }
}
