//! Bearer-token authentication and per-route permission checks.

use axum::http::{HeaderMap, StatusCode, header};

use super::App;
use super::http::{ApiError, message, not_found};
use crate::workato::permissions;

/// 401 when the token is missing or unknown; 404 when no permission covers the request (a
/// served path with an unserved method); 403 naming the permission when the token lacks it.
pub(crate) fn authorize(
    app: &App,
    headers: &HeaderMap,
    method: &str,
    path: &str,
) -> Result<(), ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .filter(|t| !t.is_empty());
    let Some(grant) = token.and_then(|t| app.tokens.iter().find(|g| g.secret == t)) else {
        return Err(message(StatusCode::UNAUTHORIZED, "Authentication failed"));
    };
    let Some(perm) = permissions::for_request(method, path) else {
        return Err(not_found());
    };
    if grant.allows(perm) {
        Ok(())
    } else {
        Err(message(
            StatusCode::FORBIDDEN,
            format!(
                "Access forbidden: this API client lacks \"{}\" ({} {})",
                perm.label(),
                perm.method,
                perm.path
            ),
        ))
    }
}
