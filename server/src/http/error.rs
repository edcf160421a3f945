//! HTTP error responses: a status and an `ApiError` body with the protocol's error codes.

use crate::hub::HubError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use baraza_proto::api::{ApiError, ApiErrorBody};
use baraza_proto::error::ErrorCode;

/// An error answered over HTTP.
#[derive(Debug, Clone)]
pub struct HttpError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
}

impl HttpError {
    /// An error with an explicit status.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> HttpError {
        HttpError {
            status,
            code,
            message: message.into(),
        }
    }
}

impl From<HubError> for HttpError {
    fn from(error: HubError) -> HttpError {
        let code = error.code();
        let status = match code {
            ErrorCode::RoomNotFound => StatusCode::NOT_FOUND,
            ErrorCode::RoomExists | ErrorCode::RoomArchived => StatusCode::CONFLICT,
            ErrorCode::Forbidden | ErrorCode::NotJoined => StatusCode::FORBIDDEN,
            ErrorCode::InvalidCommand | ErrorCode::IdempotencyKeyRequired => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        HttpError::new(status, code, error.to_string())
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let body = ApiError {
            error: ApiErrorBody {
                code: self.code,
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}
