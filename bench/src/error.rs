//! The load generator's errors.

/// Why a benchmark step failed.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// Starting, reading or talking to a process or file failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
    /// The WebSocket layer failed.
    #[error("{what}: {source}")]
    WebSocket {
        /// What was being done.
        what: String,
        /// The error.
        source: Box<tungstenite::Error>,
    },
    /// A server answered something the benchmark did not expect.
    #[error("unexpected answer while {what}: {detail}")]
    Protocol {
        /// What was being done.
        what: String,
        /// What arrived.
        detail: String,
    },
    /// A step did not finish in time.
    #[error("timed out while {0}")]
    Timeout(String),
    /// Signing a token failed.
    #[error("signing a token: {0}")]
    Token(#[from] jsonwebtoken::errors::Error),
    /// A setting is not usable.
    #[error("{0}")]
    Usage(String),
}

impl BenchError {
    /// An I/O error while doing `what`.
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BenchError {
        let what = what.into();
        move |source| BenchError::Io { what, source }
    }

    /// A WebSocket error while doing `what`.
    pub fn ws(what: impl Into<String>) -> impl FnOnce(tungstenite::Error) -> BenchError {
        let what = what.into();
        move |source| BenchError::WebSocket {
            what,
            source: Box::new(source),
        }
    }

    /// An unexpected answer while doing `what`.
    pub fn protocol(what: impl Into<String>, detail: impl Into<String>) -> BenchError {
        BenchError::Protocol {
            what: what.into(),
            detail: detail.into(),
        }
    }
}

/// Results of the load generator.
pub type Result<T> = std::result::Result<T, BenchError>;
