//! The one HTTP call the generator needs: creating rooms (`POST /api/rooms`), spoken as plain
//! HTTP/1.1 over a TCP socket so the generator carries no HTTP client.

use crate::error::{BenchError, Result};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Creates a global roundtable `room` on the node at `addr` with a secretariat `token`.
pub async fn create_room(addr: SocketAddr, token: &str, room: &str) -> Result<()> {
    let body = serde_json::json!({
        "id": room,
        "kind": "roundtable",
        "title": format!("Benchmark roundtable {room}"),
        "languages": ["en"],
        "scope": {"level": "global"},
    })
    .to_string();
    let request = format!(
        "POST /api/rooms HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let what = format!("creating room {room}");
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(BenchError::io(what.clone()))?;
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(BenchError::io(what.clone()))?;
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .await
        .map_err(BenchError::io(what.clone()))?;
    let answer = String::from_utf8_lossy(&answer);
    let status = answer.split_whitespace().nth(1).unwrap_or_default();
    if status == "201" {
        Ok(())
    } else {
        Err(BenchError::protocol(
            what,
            answer.lines().next().unwrap_or_default(),
        ))
    }
}
