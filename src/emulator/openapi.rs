//! Reading the operations (path + method) out of an OpenAPI document: JSON through
//! serde_json, YAML through a simple indentation scan of the `paths:` block.

use serde_json::Value;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of the spec.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Operation {
    /// Upper-case HTTP method.
    pub method: String,
    /// The path as written in the spec (with its leading `/`).
    pub path: String,
    /// `operationId`, else `summary`, else "METHOD path".
    pub name: String,
}

/// Operations of `content`; `format` is "json" or "yaml" (sniffed when absent).
pub(crate) fn operations(content: &str, format: Option<&str>) -> Result<Vec<Operation>, String> {
    let is_json = match format.map(str::to_ascii_lowercase).as_deref() {
        Some("json") => true,
        Some("yaml" | "yml") => false,
        Some(other) => return Err(format!("unsupported format {other:?} (json or yaml)")),
        None => content.trim_start().starts_with('{'),
    };
    let ops = if is_json {
        from_json(content)?
    } else {
        from_yaml(content)
    };
    if ops.is_empty() {
        return Err("the spec defines no operations under `paths`".to_string());
    }
    Ok(ops)
}

fn from_json(content: &str) -> Result<Vec<Operation>, String> {
    let doc: Value = serde_json::from_str(content).map_err(|e| format!("invalid JSON: {e}"))?;
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Err("the spec has no `paths` object".to_string());
    };
    let mut out = Vec::new();
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if !METHODS.contains(&method.to_ascii_lowercase().as_str()) {
                continue;
            }
            let label = |key: &str| op.get(key).and_then(Value::as_str).map(str::to_string);
            let method = method.to_ascii_uppercase();
            out.push(Operation {
                name: label("operationId")
                    .or_else(|| label("summary"))
                    .unwrap_or_else(|| format!("{method} {path}")),
                method,
                path: path.clone(),
            });
        }
    }
    Ok(out)
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| s.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        .unwrap_or(s)
}

/// `key: rest` of a YAML mapping line.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let t = line.trim();
    let (k, v) = if let Some(rest) = t.strip_prefix('"') {
        let end = rest.find('"')?;
        (
            &rest[..end],
            rest[end + 1..].trim_start().strip_prefix(':')?,
        )
    } else if let Some(rest) = t.strip_prefix('\'') {
        let end = rest.find('\'')?;
        (
            &rest[..end],
            rest[end + 1..].trim_start().strip_prefix(':')?,
        )
    } else {
        let idx = t.find(':')?;
        (&t[..idx], &t[idx + 1..])
    };
    Some((k.trim(), v.trim()))
}

/// Scan the `paths:` block: the first indentation level below it holds paths, the next
/// holds methods, and `operationId`/`summary` below a method name the operation.
fn from_yaml(content: &str) -> Vec<Operation> {
    let mut out: Vec<Operation> = Vec::new();
    let mut paths_indent: Option<usize> = None;
    let mut path_indent: Option<usize> = None;
    let mut method_indent: Option<usize> = None;
    let mut current_path: Option<String> = None;
    let mut named = false;
    for raw in content.lines() {
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = raw.len() - trimmed.len();
        let Some(pi) = paths_indent else {
            if key_value(raw).is_some_and(|(k, v)| k == "paths" && v.is_empty()) {
                paths_indent = Some(indent);
            }
            continue;
        };
        if indent <= pi {
            break;
        }
        let Some((key, value)) = key_value(raw) else {
            continue;
        };
        let pin = *path_indent.get_or_insert(indent);
        if indent == pin {
            current_path = Some(unquote(key).to_string());
            method_indent = None;
            continue;
        }
        if indent < pin {
            continue;
        }
        let min = *method_indent.get_or_insert(indent);
        if indent == min {
            let method = key.to_ascii_lowercase();
            if METHODS.contains(&method.as_str())
                && let Some(path) = &current_path
            {
                let method = method.to_ascii_uppercase();
                out.push(Operation {
                    name: format!("{method} {path}"),
                    method,
                    path: path.clone(),
                });
                named = false;
                continue;
            }
            // Not a method (e.g. `parameters:`): ignore its block.
            named = true;
            continue;
        }
        if indent > min
            && !named
            && (key == "operationId" || key == "summary")
            && !value.is_empty()
            && let Some(op) = out.last_mut()
        {
            op.name = unquote(value).to_string();
            named = key == "operationId";
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_spec() {
        let spec = r#"{"openapi":"3.0.0","paths":{"/users/{id}":{"get":{"operationId":"getUser"},"delete":{}, "parameters": []},"/users":{"post":{"summary":"Create user"}}}}"#;
        let ops = operations(spec, Some("json")).unwrap();
        let got: Vec<(&str, &str, &str)> = ops
            .iter()
            .map(|o| (o.method.as_str(), o.path.as_str(), o.name.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("GET", "/users/{id}", "getUser"),
                ("DELETE", "/users/{id}", "DELETE /users/{id}"),
                ("POST", "/users", "Create user")
            ]
        );
        assert!(operations("{}", None).is_err());
        assert!(operations("{nope", Some("json")).is_err());
    }

    #[test]
    fn yaml_spec() {
        let spec = "openapi: 3.0.0\ninfo:\n  title: x\npaths:\n  /users/{id}:\n    parameters:\n      - name: id\n    get:\n      summary: Fetch\n      operationId: getUser\n      responses:\n        '200':\n          description: ok\n    delete:\n      responses: {}\n  \"/health\":\n    get:\n      summary: 'Health check'\ncomponents:\n  schemas: {}\n";
        let ops = operations(spec, Some("yaml")).unwrap();
        let got: Vec<(&str, &str, &str)> = ops
            .iter()
            .map(|o| (o.method.as_str(), o.path.as_str(), o.name.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("GET", "/users/{id}", "getUser"),
                ("DELETE", "/users/{id}", "DELETE /users/{id}"),
                ("GET", "/health", "Health check")
            ]
        );
        assert!(operations("openapi: 3.0.0\n", None).is_err());
    }
}
