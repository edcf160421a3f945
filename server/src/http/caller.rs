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

impl FromRequestParts<Hub> for Caller {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, hub: &Hub) -> Result<Caller, HttpError> {
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
        match hub.auth().verify(token.trim()) {
            Ok(verified) => Ok(Caller(verified.profile)),
            Err(error) => {
                crate::metrics::Metrics::add(&hub.metrics().auth_failures, 1);
                Err(HttpError::new(
                    StatusCode::UNAUTHORIZED,
                    error.code(),
                    error.to_string(),
                ))
            }
        }
    }
}
