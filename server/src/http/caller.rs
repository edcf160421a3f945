//! The `Caller` extractor: the person an API request speaks for, from `Authorization: Bearer`.

use super::error::HttpError;
use crate::hub::Hub;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use baraza_proto::error::ErrorCode;
use baraza_proto::identity::Profile;

/// The authenticated person behind a request.
pub struct Caller(pub Profile);

/// The outcome of authenticating a request, left in its extensions by the REST rate limit
/// (which needs to know whom to count) so that the token is verified once.
#[derive(Clone)]
pub struct Authenticated(pub Result<Profile, HttpError>);

/// Verifies the request's bearer token; a refused token is counted in `auth_failures` and
/// written to the audit trail.
pub fn authenticate(parts: &Parts, hub: &Hub) -> Result<Profile, HttpError> {
    let header = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            HttpError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::AuthRequired,
                "send Authorization: Bearer <token>",
            )
        })?;
    let token = header.strip_prefix("Bearer ").ok_or_else(|| {
        HttpError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::AuthRequired,
            "the Authorization scheme must be Bearer",
        )
    })?;
    match hub.verify_token(token.trim()) {
        Ok(verified) => Ok(verified.profile),
        Err(error) => {
            crate::metrics::Metrics::add(&hub.metrics().auth_failures, 1);
            crate::audit::rest_token_refused(parts.uri.path(), &error);
            Err(HttpError::new(
                StatusCode::UNAUTHORIZED,
                error.code(),
                error.to_string(),
            ))
        }
    }
}

impl FromRequestParts<Hub> for Caller {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, hub: &Hub) -> Result<Caller, HttpError> {
        let outcome = match parts.extensions.remove::<Authenticated>() {
            Some(Authenticated(outcome)) => outcome,
            None => authenticate(parts, hub),
        };
        outcome.map(Caller)
    }
}
