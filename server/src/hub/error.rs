//! Why the hub could not do what was asked: the one error type of the hub's boundary.

use crate::domain::Rejection;
use crate::store::StoreError;
use baraza_proto::error::ErrorCode;

/// Why the hub could not do what was asked.
#[derive(Debug, Clone, thiserror::Error)]
pub enum HubError {
    /// The domain core refused the command.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// The record failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Other nodes kept appending first; the command was not applied.
    #[error("the room is too busy right now; retry")]
    Contended,
    /// The node is shutting down.
    #[error("the server is shutting down; reconnect and retry")]
    ShuttingDown,
}

impl HubError {
    /// The wire error code.
    pub fn code(&self) -> ErrorCode {
        match self {
            HubError::Rejected(rejection) => rejection.code(),
            HubError::Store(
                StoreError::Unavailable(_) | StoreError::Closed | StoreError::Conflict { .. },
            ) => ErrorCode::Unavailable,
            HubError::Store(StoreError::Corrupt(_) | StoreError::InvalidAppend(_)) => {
                ErrorCode::Internal
            }
            HubError::Contended | HubError::ShuttingDown => ErrorCode::Unavailable,
        }
    }

    /// When a retry may succeed, how long to wait first.
    pub fn retry_after_ms(&self) -> Option<u64> {
        self.code().is_retryable().then_some(500)
    }
}
