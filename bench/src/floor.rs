//! The floor probe: the least work a WebSocket broadcast can do. It accepts WebSockets, and when
//! a text frame arrives from any client it frames the payload once and writes the very same
//! bytes to every socket: no JSON, no queues, no per-recipient work beyond the `write`.

use crate::error::{BenchError, Result};
use bytes::{Bytes, BytesMut};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{Mutex, mpsc};

type Writers = Arc<Mutex<Vec<OwnedWriteHalf>>>;

/// Serves on `bind` until killed; prints `floor probe listening on ADDR`.
pub async fn serve(bind: SocketAddr) -> Result<()> {
    let socket = TcpSocket::new_v4().map_err(BenchError::io("creating the floor socket"))?;
    socket
        .set_reuseaddr(true)
        .map_err(BenchError::io("SO_REUSEADDR"))?;
    socket
        .bind(bind)
        .map_err(BenchError::io(format!("binding {bind}")))?;
    let listener = socket.listen(4096).map_err(BenchError::io("listening"))?;
    let addr = listener
        .local_addr()
        .map_err(BenchError::io("local address"))?;
    let mut out = std::io::stdout();
    writeln!(out, "floor probe listening on {addr}")
        .and_then(|()| out.flush())
        .map_err(BenchError::io("writing to stdout"))?;
    let writers: Writers = Arc::default();
    let (frames, mut incoming) = mpsc::channel::<Bytes>(1024);
    let broadcast = writers.clone();
    tokio::spawn(async move {
        while let Some(frame) = incoming.recv().await {
            let mut writers = broadcast.lock().await;
            let mut dead = Vec::new();
            for (i, writer) in writers.iter_mut().enumerate() {
                if writer.write_all(&frame).await.is_err() {
                    dead.push(i);
                }
            }
            for i in dead.into_iter().rev() {
                writers.swap_remove(i);
            }
        }
    });
    loop {
        let (stream, _) = listener
            .accept()
            .await
            .map_err(BenchError::io("accepting"))?;
        let (writers, frames) = (writers.clone(), frames.clone());
        tokio::spawn(async move {
            if let Ok((reader, writer)) = handshake(stream).await {
                writers.lock().await.push(writer);
                read_frames(reader, frames).await;
            }
        });
    }
}

/// Answers the HTTP upgrade; returns the two halves of the socket.
async fn handshake(mut stream: TcpStream) -> std::io::Result<(OwnedReadHalf, OwnedWriteHalf)> {
    let mut request = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || request.len() > 16 * 1024 {
            return Err(std::io::ErrorKind::InvalidData.into());
        }
        request.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&request);
    let key = text
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("sec-websocket-key")
                .then(|| value.trim().to_owned())
        })
        .ok_or(std::io::ErrorKind::InvalidData)?;
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    let answer = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\n\r\n"
    );
    stream.write_all(answer.as_bytes()).await?;
    let _ = stream.set_nodelay(true);
    Ok(stream.into_split())
}

/// A server text frame around `payload`.
pub fn text_frame(payload: &[u8]) -> Bytes {
    let mut frame = BytesMut::with_capacity(payload.len() + 10);
    frame.extend_from_slice(&[0x81]);
    match payload.len() {
        n if n < 126 => frame.extend_from_slice(&[n as u8]),
        n if n <= 0xFFFF => {
            frame.extend_from_slice(&[126]);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.extend_from_slice(&[127]);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(payload);
    frame.freeze()
}

/// Reads masked client frames; hands each text frame, framed for sending, to the broadcaster.
async fn read_frames(mut reader: OwnedReadHalf, frames: mpsc::Sender<Bytes>) {
    let mut buf = BytesMut::with_capacity(4096);
    loop {
        while let Some((opcode, payload, used)) = parse_client_frame(&buf) {
            let _ = buf.split_to(used);
            match opcode {
                0x1 if frames.send(text_frame(&payload)).await.is_err() => return,
                0x8 => return,
                _ => {}
            }
        }
        match reader.read_buf(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// One complete masked frame at the start of `buf`: opcode, unmasked payload, bytes used.
fn parse_client_frame(buf: &[u8]) -> Option<(u8, Vec<u8>, usize)> {
    if buf.len() < 2 {
        return None;
    }
    let opcode = buf[0] & 0x0F;
    let masked = buf[1] & 0x80 != 0;
    let (len, mut at) = match buf[1] & 0x7F {
        126 => (u16::from_be_bytes([*buf.get(2)?, *buf.get(3)?]) as usize, 4),
        127 => (
            u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?) as usize,
            10,
        ),
        n => (n as usize, 2),
    };
    let mask = if masked {
        let mask: [u8; 4] = buf.get(at..at + 4)?.try_into().ok()?;
        at += 4;
        Some(mask)
    } else {
        None
    };
    let mut payload = buf.get(at..at + len)?.to_vec();
    if let Some(mask) = mask {
        for (i, byte) in payload.iter_mut().enumerate() {
            *byte ^= mask[i % 4];
        }
    }
    Some((opcode, payload, at + len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_and_unmasks() {
        assert_eq!(&text_frame(b"hi")[..], &[0x81, 2, b'h', b'i']);
        let mask = [1u8, 2, 3, 4];
        let mut frame = vec![0x81, 0x80 | 2];
        frame.extend_from_slice(&mask);
        frame.extend_from_slice(&[b'h' ^ 1, b'i' ^ 2]);
        assert_eq!(parse_client_frame(&frame), Some((1, b"hi".to_vec(), 8)));
        assert_eq!(parse_client_frame(&frame[..5]), None);
    }
}
