//! LMTP (RFC 2033): the listener a mail server delivers to (`--mail-listen 127.0.0.1:2525`,
//! a Postfix `lmtp:inet:` transport), and the client `baraza mail-in` uses to hand one message
//! read on standard input to the running node, so the node stays the only writer of the record.
//!
//! The listener speaks the minimum a delivering MTA needs: `LHLO`, `MAIL FROM`, `RCPT TO`,
//! `DATA` (dot-unstuffed, size-capped), `RSET`, `NOOP`, `QUIT`, and answers `DATA` once per
//! accepted recipient, as LMTP requires.

use std::future::Future;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// Longest command line accepted.
const MAX_LINE: usize = 2_048;
/// Recipients per transaction.
const MAX_RECIPIENTS: usize = 100;

/// The answer to one delivered message for one recipient: an SMTP reply line (`250 2.0.0 …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The code: 2xx taken, 4xx try again later, 5xx refused.
    pub code: u16,
    /// The enhanced status and text.
    pub text: String,
}

impl Reply {
    /// Taken.
    pub fn ok(text: impl Into<String>) -> Reply {
        Reply {
            code: 250,
            text: format!("2.0.0 {}", text.into()),
        }
    }
}

/// What the node does with a message delivered to one recipient.
pub trait Deliver: Send + Sync + 'static {
    /// Handles `message` for envelope `sender` and `recipient`.
    fn deliver(
        &self,
        sender: String,
        recipient: String,
        message: Vec<u8>,
    ) -> impl Future<Output = Reply> + Send;
}

/// Serves LMTP on `listener` until `stop`; messages over `max_size` bytes are refused (552).
pub async fn serve<D: Deliver>(
    listener: TcpListener,
    deliver: Arc<D>,
    max_size: usize,
    stop: CancellationToken,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stop.cancelled() => return,
        };
        match accepted {
            Ok((stream, _)) => {
                let deliver = deliver.clone();
                tokio::spawn(async move {
                    if let Err(error) = session(stream, deliver.as_ref(), max_size).await {
                        tracing::debug!(%error, "an LMTP session ended with an error");
                    }
                });
            }
            Err(error) => {
                tracing::warn!(%error, "LMTP accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}

async fn write(stream: &mut (impl AsyncWrite + Unpin), line: &str) -> std::io::Result<()> {
    stream.write_all(line.as_bytes()).await?;
    stream.write_all(b"\r\n").await?;
    stream.flush().await
}

/// The address inside `FROM:<…>` or `TO:<…>` (parameters after it ignored).
fn path(argument: &str) -> Option<String> {
    let (_, rest) = argument.split_once(':')?;
    let rest = rest.trim_start();
    let inner = rest.strip_prefix('<')?.split_once('>')?.0;
    Some(inner.to_owned())
}

async fn session<D: Deliver>(
    stream: TcpStream,
    deliver: &D,
    max_size: usize,
) -> std::io::Result<()> {
    let _ = stream.set_nodelay(true);
    let (read, mut write_half) = stream.into_split();
    let mut reader = BufReader::new(read);
    write(&mut write_half, "220 baraza LMTP ready").await?;
    let mut sender: Option<String> = None;
    let mut recipients: Vec<String> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .await?;
        if n == 0 {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_owned();
        let upper = text.to_ascii_uppercase();
        let verb = upper.split_whitespace().next().unwrap_or("");
        match verb {
            "LHLO" => {
                write(&mut write_half, "250-baraza").await?;
                write(&mut write_half, "250-PIPELINING").await?;
                write(&mut write_half, "250-ENHANCEDSTATUSCODES").await?;
                write(&mut write_half, "250-8BITMIME").await?;
                write(&mut write_half, &format!("250 SIZE {max_size}")).await?;
            }
            "MAIL" => match path(&text) {
                Some(from) => {
                    sender = Some(from);
                    recipients.clear();
                    write(&mut write_half, "250 2.1.0 sender ok").await?;
                }
                None => write(&mut write_half, "501 5.5.4 MAIL FROM:<address>").await?,
            },
            "RCPT" => match (path(&text), &sender) {
                (_, None) => write(&mut write_half, "503 5.5.1 MAIL first").await?,
                (None, _) => write(&mut write_half, "501 5.5.4 RCPT TO:<address>").await?,
                (Some(_), _) if recipients.len() >= MAX_RECIPIENTS => {
                    write(&mut write_half, "452 4.5.3 too many recipients").await?;
                }
                (Some(to), _) => {
                    recipients.push(to);
                    write(&mut write_half, "250 2.1.5 recipient ok").await?;
                }
            },
            "DATA" => {
                if recipients.is_empty() {
                    write(&mut write_half, "503 5.5.1 RCPT first").await?;
                    continue;
                }
                write(&mut write_half, "354 end with <CRLF>.<CRLF>").await?;
                let body = read_data(&mut reader, max_size).await?;
                let from = sender.take().unwrap_or_default();
                for to in std::mem::take(&mut recipients) {
                    let reply = match &body {
                        Some(message) => deliver.deliver(from.clone(), to, message.clone()).await,
                        None => Reply {
                            code: 552,
                            text: format!("5.3.4 the message is larger than {max_size} bytes"),
                        },
                    };
                    write(&mut write_half, &format!("{} {}", reply.code, reply.text)).await?;
                }
            }
            "RSET" => {
                sender = None;
                recipients.clear();
                write(&mut write_half, "250 2.0.0 ok").await?;
            }
            "NOOP" => write(&mut write_half, "250 2.0.0 ok").await?,
            "QUIT" => {
                write(&mut write_half, "221 2.0.0 bye").await?;
                return Ok(());
            }
            _ => write(&mut write_half, "500 5.5.2 unknown command").await?,
        }
    }
}

/// Reads a `DATA` body up to the line `.`, dot-unstuffed. `None` when it is larger than
/// `max_size` (read to its end all the same, so the session can go on).
async fn read_data(
    reader: &mut (impl AsyncBufReadExt + Unpin),
    max_size: usize,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut body = Vec::new();
    let mut too_large = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok((!too_large).then_some(body));
        }
        let content = line.strip_prefix(b".").unwrap_or(&line);
        if body.len() + content.len() > max_size {
            too_large = true;
        }
        if !too_large {
            body.extend_from_slice(content);
        }
    }
}

/// Why `mail-in` could not hand a message over.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The node could not be reached or the connection broke.
    #[error("the node's LMTP listener: {0}")]
    Io(#[from] std::io::Error),
    /// The node answered something unexpected.
    #[error("unexpected answer from the node: {0}")]
    Protocol(String),
}

async fn expect<R: AsyncBufReadExt + Unpin>(reader: &mut R) -> Result<Reply, ClientError> {
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 {
            return Err(ClientError::Protocol("the connection closed".into()));
        }
        let line = line.trim_end();
        let code: u16 = line
            .get(..3)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| ClientError::Protocol(line.to_owned()))?;
        if line.as_bytes().get(3) == Some(&b'-') {
            continue;
        }
        return Ok(Reply {
            code,
            text: line.get(4..).unwrap_or("").to_owned(),
        });
    }
}

/// Delivers one message to the LMTP listener at `addr` and returns the node's answer for it.
pub async fn deliver_to(
    addr: &str,
    sender: &str,
    recipient: &str,
    message: &[u8],
) -> Result<Reply, ClientError> {
    let stream = TcpStream::connect(addr).await?;
    client(stream, sender, recipient, message).await
}

async fn client<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    sender: &str,
    recipient: &str,
    message: &[u8],
) -> Result<Reply, ClientError> {
    let (read, mut write_half) = tokio::io::split(stream);
    let mut reader = BufReader::new(read);
    let step = |reply: Reply, what: &str| {
        if reply.code / 100 == 2 || reply.code / 100 == 3 {
            Ok(reply)
        } else {
            Err(reply)
                .map_err(|r: Reply| ClientError::Protocol(format!("{what}: {} {}", r.code, r.text)))
        }
    };
    step(expect(&mut reader).await?, "greeting")?;
    write(&mut write_half, "LHLO localhost").await?;
    step(expect(&mut reader).await?, "LHLO")?;
    write(&mut write_half, &format!("MAIL FROM:<{sender}>")).await?;
    step(expect(&mut reader).await?, "MAIL")?;
    write(&mut write_half, &format!("RCPT TO:<{recipient}>")).await?;
    let rcpt = expect(&mut reader).await?;
    if rcpt.code / 100 != 2 {
        return Ok(rcpt);
    }
    write(&mut write_half, "DATA").await?;
    let go = expect(&mut reader).await?;
    if go.code != 354 {
        return Ok(go);
    }
    let mut data = Vec::with_capacity(message.len() + 64);
    for line in message.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b".") {
            data.push(b'.');
        }
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        data.extend_from_slice(content);
        data.extend_from_slice(b"\r\n");
    }
    data.extend_from_slice(b".\r\n");
    write_half.write_all(&data).await?;
    write_half.flush().await?;
    let answer = expect(&mut reader).await?;
    let _ = write(&mut write_half, "QUIT").await;
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Keep(Mutex<Vec<(String, String, Vec<u8>)>>);

    impl Deliver for Keep {
        async fn deliver(&self, sender: String, recipient: String, message: Vec<u8>) -> Reply {
            self.0
                .lock()
                .expect("lock")
                .push((sender, recipient, message));
            Reply::ok("taken")
        }
    }

    #[tokio::test]
    async fn a_message_crosses_lmtp_whole_with_its_dots_and_a_too_large_one_is_refused() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let keep = Arc::new(Keep::default());
        let stop = CancellationToken::new();
        tokio::spawn(serve(listener, keep.clone(), 1_000, stop.clone()));
        let message = b"Subject: x\r\n\r\n.leading dot\r\n.\r\nend\r\n";
        let reply = deliver_to(&addr, "a@example.org", "reply+t@example.org", message)
            .await
            .expect("delivered");
        assert_eq!(reply.code, 250, "{reply:?}");
        let kept = keep.0.lock().expect("lock").clone();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].0, "a@example.org");
        assert_eq!(kept[0].1, "reply+t@example.org");
        assert_eq!(kept[0].2, message.to_vec());
        let big = vec![b'a'; 2_000];
        let reply = deliver_to(&addr, "", "reply+t@example.org", &big)
            .await
            .expect("answered");
        assert_eq!(reply.code, 552);
        stop.cancel();
    }
}
