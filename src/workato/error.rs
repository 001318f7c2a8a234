//! Errors from the Workato API, explained with the permission table.

use std::fmt;

use super::permissions::{self, Permission};

/// A failed API call. Display never includes the token: it is never part of a URL or body.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401: the token is missing, wrong or revoked.
    #[error(
        "Authentication failed ({method} {path}): the API token was rejected. Check WORKATO_API_TOKEN (or the `workato` block's token) and that it belongs to this workspace's data centre (WORKATO_HOST / WORKATO_REGION)."
    )]
    Unauthorized { method: String, path: String },
    /// 403: the token's API client role lacks the endpoint's permission.
    #[error("{}", forbidden_text(.method, .path, *.permission, .message))]
    Forbidden {
        method: String,
        path: String,
        permission: Option<&'static Permission>,
        message: String,
    },
    /// 404.
    #[error("not found ({method} {path}): {message}")]
    NotFound {
        method: String,
        path: String,
        message: String,
    },
    /// Any other non-success status, with the API's own message.
    #[error("{method} {path} returned HTTP {status}: {message}")]
    Status {
        method: String,
        path: String,
        status: u16,
        message: String,
    },
    /// The request never got an answer.
    #[error("{method} {path}: {message}")]
    Transport {
        method: String,
        path: String,
        message: String,
    },
    /// The answer was not the JSON shape workform expects.
    #[error("{method} {path}: unexpected response: {message}")]
    Decode {
        method: String,
        path: String,
        message: String,
    },
}

fn forbidden_text(
    method: &str,
    path: &str,
    permission: Option<&'static Permission>,
    message: &str,
) -> String {
    match permission {
        Some(p) => format!(
            "Access forbidden: the API client lacks \"{}\" ({} {}). Grant it in Workspace Admin → API clients → (your client's role) → {} → {}. The API said: {message}",
            p.label(),
            p.method,
            p.path,
            p.category,
            p.group,
        ),
        None => format!("Access forbidden ({method} {path}): {message}"),
    }
}

impl ApiError {
    /// Builds the error for a non-success answer.
    pub fn from_status(method: &str, path: &str, status: u16, body: &str) -> ApiError {
        let method = method.to_string();
        let message = api_message(body);
        match status {
            401 => ApiError::Unauthorized {
                method,
                path: path.to_string(),
            },
            403 => ApiError::Forbidden {
                permission: permissions::for_request(&method, path),
                method,
                path: path.to_string(),
                message,
            },
            404 => ApiError::NotFound {
                method,
                path: path.to_string(),
                message,
            },
            _ => ApiError::Status {
                method,
                path: path.to_string(),
                status,
                message,
            },
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, ApiError::NotFound { .. })
    }

    /// Worth retrying: throttling, a gateway hiccup, or no answer at all.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Status { status, .. } => matches!(status, 429 | 502 | 503 | 504),
            ApiError::Transport { .. } => true,
            _ => false,
        }
    }
}

/// Pulls a readable message out of an error body: `message`, `error`, then `errors`.
fn api_message(body: &str) -> String {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(body) else {
        let trimmed = body.trim();
        return if trimmed.is_empty() {
            "(empty response)".to_string()
        } else {
            trimmed.chars().take(300).collect()
        };
    };
    let mut parts = Vec::new();
    for key in ["message", "error", "detail"] {
        if let Some(s) = json.get(key).and_then(|v| v.as_str()) {
            parts.push(s.to_string());
            break;
        }
    }
    if let Some(errors) = json.get("errors") {
        parts.push(FieldErrors(errors).to_string());
    }
    if parts.is_empty() {
        json.to_string().chars().take(300).collect()
    } else {
        parts.join(": ")
    }
}

/// `{"name": ["can't be blank"]}` → `name can't be blank`.
struct FieldErrors<'a>(&'a serde_json::Value);

impl fmt::Display for FieldErrors<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            serde_json::Value::Object(map) => {
                let mut first = true;
                for (field, msgs) in map {
                    let msgs: Vec<String> = match msgs {
                        serde_json::Value::Array(items) => items
                            .iter()
                            .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_string))
                            .collect(),
                        serde_json::Value::String(s) => vec![s.clone()],
                        other => vec![other.to_string()],
                    };
                    for msg in msgs {
                        if !first {
                            f.write_str("; ")?;
                        }
                        first = false;
                        write!(f, "{field} {msg}")?;
                    }
                }
                Ok(())
            }
            serde_json::Value::Array(items) => {
                let texts: Vec<String> = items
                    .iter()
                    .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_string))
                    .collect();
                f.write_str(&texts.join("; "))
            }
            other => write!(f, "{other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_name_the_field() {
        let err = ApiError::from_status(
            "POST",
            "/api/folders",
            400,
            r#"{"message":"Validation failed","errors":{"name":["can't be blank"]}}"#,
        );
        assert!(err.to_string().contains("name can't be blank"), "{err}");
    }

    #[test]
    fn forbidden_names_the_permission() {
        let err = ApiError::from_status("POST", "/api/folders", 403, r#"{"message":"no"}"#);
        assert!(
            err.to_string().contains("Create project or folder"),
            "{err}"
        );
    }
}
