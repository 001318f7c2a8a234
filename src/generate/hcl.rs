//! Writing values as HCL source text. Layout (indentation, `=` alignment) is left to
//! `workform fmt`'s formatter, which every generated file goes through.

use serde_json::Value as Json;

/// Lists and objects longer than this go one element per line.
const INLINE_WIDTH: usize = 72;

/// A quoted HCL string. Besides the usual escapes, `${` and `%{` are doubled so a value
/// that looks like a template is written, and read back, literally.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An object key: bare when it is an identifier, quoted otherwise.
pub fn key(k: &str) -> String {
    if hcl::edit::Ident::try_new(k).is_ok() {
        k.to_string()
    } else {
        string(k)
    }
}

/// A JSON value as an HCL literal expression.
pub fn literal(value: &Json) -> String {
    match value {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => number(n),
        Json::String(s) => string(s),
        Json::Array(items) => list(items.iter().map(literal).collect()),
        Json::Object(map) => object(map.iter().map(|(k, v)| (key(k), literal(v))).collect()),
    }
}

/// Integers without a fraction (`12`, not `12.0`), others as JSON writes them.
fn number(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => format!("{}", f as i64),
        _ => n.to_string(),
    }
}

/// `[a, b]` on one line when short, else one element per line.
pub fn list(items: Vec<String>) -> String {
    let inline = format!("[{}]", items.join(", "));
    if inline.len() <= INLINE_WIDTH && !inline.contains('\n') {
        return inline;
    }
    let mut out = String::from("[\n");
    for item in items {
        out.push_str(&item);
        out.push_str(",\n");
    }
    out.push(']');
    out
}

/// `{ k = v }` on one line when short, else one pair per line.
pub fn object(pairs: Vec<(String, String)>) -> String {
    if pairs.is_empty() {
        return "{}".into();
    }
    let inline = format!(
        "{{ {} }}",
        pairs
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if inline.len() <= INLINE_WIDTH && !inline.contains('\n') {
        return inline;
    }
    let mut out = String::from("{\n");
    for (k, v) in pairs {
        out.push_str(&format!("{k} = {v}\n"));
    }
    out.push('}');
    out
}

/// A one-line `# comment` (newlines in the text would end the comment early).
pub fn comment(text: &str) -> String {
    format!("# {}", text.replace(['\n', '\r'], " "))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Parses `x = <expr>` and returns what HCL reads back.
    fn read_back(expr: &str) -> hcl::Value {
        let body: hcl::Body =
            hcl::from_str(&format!("x = {expr}\n")).unwrap_or_else(|e| panic!("{expr}: {e}"));
        let attr = body.attributes().next().unwrap().clone();
        hcl::eval::Evaluate::evaluate(&attr.expr, &hcl::eval::Context::new()).unwrap()
    }

    #[test]
    fn strings_round_trip_including_template_markers() {
        for s in [
            "plain",
            "quote \" and \\ backslash",
            "line\nbreak\ttab",
            "${not_a_ref}",
            "100%{x}",
            "$5 and 50%",
            "é ✓",
        ] {
            assert_eq!(
                read_back(&string(s)),
                hcl::Value::from(s),
                "{s:?} → {}",
                string(s)
            );
        }
    }

    #[test]
    fn literals_round_trip() {
        let value = json!({"a": 1, "b-c": [true, null, 2.5], "nested": {"k": "v"}, "n": 12.0});
        let back = serde_json::to_value(read_back(&literal(&value))).unwrap();
        assert_eq!(
            back,
            json!({"a": 1, "b-c": [true, null, 2.5], "nested": {"k": "v"}, "n": 12})
        );
        assert_eq!(literal(&json!(12.0)), "12");
        assert_eq!(literal(&json!(12)), "12");
    }

    #[test]
    fn long_lists_go_one_per_line() {
        let items: Vec<String> = (0..20).map(|i| format!("\"10.0.0.{i}/32\"")).collect();
        let text = list(items);
        assert!(text.starts_with("[\n"));
        assert_eq!(read_back(&text).as_array().unwrap().len(), 20);
    }

    #[test]
    fn keys_are_quoted_only_when_needed() {
        assert_eq!(key("host_name"), "host_name");
        assert_eq!(key("api-key"), "api-key");
        assert_eq!(key("a b"), "\"a b\"");
        assert_eq!(key("1st"), "\"1st\"");
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(comment("a\nb"), "# a b");
    }
}
