//! Limits a server enforces, announced to each client in `welcome`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Most characters a statement may have.
pub const MAX_STATEMENT_CHARS: usize = 10_000;
/// Most characters of a room title.
pub const MAX_TITLE_CHARS: usize = 200;
/// Most characters of a room description.
pub const MAX_DESCRIPTION_CHARS: usize = 4_000;
/// Most characters of a moderation reason.
pub const MAX_REASON_CHARS: usize = 500;
/// Most working languages of one room.
pub const MAX_LANGUAGES: usize = 12;

/// The limits of one connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Limits {
    /// Largest text frame accepted; a larger one gets `frame_too_large` and is discarded. A frame
    /// sixteen times larger closes the connection with 1009.
    pub max_frame_bytes: usize,
    /// Most characters of one statement.
    pub max_statement_chars: usize,
    /// Messages per second a connection may send on average.
    pub messages_per_second: u32,
    /// Messages a connection may send in a burst above the average.
    pub burst: u32,
    /// Frames the server queues for a connection before closing it with 4008 (slow consumer).
    pub send_queue: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frame_bytes: 64 * 1024,
            max_statement_chars: MAX_STATEMENT_CHARS,
            messages_per_second: 20,
            burst: 40,
            send_queue: 4096,
        }
    }
}
