//! One receiving member: reads its socket until told to stop and reports every frame to the
//! board.

use crate::board::{Board, Cursor};
use crate::conn::{Dialect, Ws, send};
use crate::wire::{Frame, classify};
use futures_util::StreamExt;
use std::sync::Arc;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

/// How a member's reading ended.
pub enum End {
    /// Told to stop; the socket is still open.
    Stopped(Box<Ws>),
    /// The server closed the socket (or it failed), with the close frame's code if any.
    Closed(Option<u16>),
}

/// Reads `ws` as member `who` until `stop` fires or the socket ends.
pub async fn read(
    mut ws: Ws,
    who: usize,
    dialect: Dialect,
    board: Arc<Board>,
    cursor: &mut Cursor,
    stop: CancellationToken,
) -> End {
    loop {
        let message = tokio::select! {
            biased;
            () = stop.cancelled() => return End::Stopped(Box::new(ws)),
            message = ws.next() => message,
        };
        let text = match message {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(frame))) => {
                return End::Closed(frame.map(|f| u16::from(f.code)));
            }
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return End::Closed(None),
        };
        match classify(text.as_str()) {
            Frame::Event { seq, ts, statement } => {
                board.event_seq(who, seq);
                if let Some(statement) = statement {
                    board.statement(who, cursor, statement, ts);
                }
            }
            Frame::Relayed(statement) => board.statement(who, cursor, statement, 0),
            Frame::Other
                if dialect == Dialect::SocketIo
                    && text.as_str() == "2"
                    && send(&mut ws, "3".into()).await.is_err() =>
            {
                return End::Closed(None);
            }
            _ => {}
        }
    }
}
