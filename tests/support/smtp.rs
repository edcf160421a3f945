//! A real SMTP server for the mail tests (aiosmtpd, `smtp_sink.py`): every message it
//! receives lands as a file, read back here with `mail-parser`; and `baraza mail-in`, run as a
//! mail server's pipe transport would run it.

use mail_parser::MessageParser;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

/// How long a test waits for a message to arrive.
const DEADLINE: Duration = Duration::from_secs(30);

/// The SMTP server.
pub struct SmtpSink {
    _child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

/// A message the server received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The file it was written to.
    pub file: String,
    /// The message as received (with `X-Envelope-*` headers first).
    pub raw: Vec<u8>,
    /// The envelope sender.
    pub envelope_from: String,
    /// The envelope recipients.
    pub envelope_to: String,
    /// `Subject`.
    pub subject: String,
    /// `Message-ID`.
    pub message_id: String,
    /// `Reply-To`, if any.
    pub reply_to: Option<String>,
    /// The text/plain body.
    pub text: String,
    /// The text/html body.
    pub html: Option<String>,
}

impl Received {
    /// A header's raw value.
    pub fn header(&self, name: &str) -> Option<String> {
        let message = MessageParser::default().parse(&self.raw)?;
        message.header_raw(name).map(|v| v.trim().to_owned())
    }
}

fn read(file: PathBuf) -> Option<Received> {
    let raw = std::fs::read(&file).ok()?;
    let message = MessageParser::default().parse(&raw)?;
    let header = |name: &str| message.header_raw(name).map(|v| v.trim().to_owned());
    let received = Received {
        file: file.display().to_string(),
        envelope_from: header("X-Envelope-From").unwrap_or_default(),
        envelope_to: header("X-Envelope-To").unwrap_or_default(),
        subject: message.subject().unwrap_or("").to_owned(),
        message_id: message.message_id().unwrap_or("").to_owned(),
        reply_to: message
            .reply_to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(str::to_owned),
        text: message
            .text_bodies()
            .next()
            .and_then(|p| p.text_contents())
            .unwrap_or("")
            .to_owned(),
        html: message
            .html_bodies()
            .next()
            .and_then(|p| p.text_contents())
            .map(str::to_owned),
        raw: raw.clone(),
    };
    Some(received)
}

impl SmtpSink {
    /// Starts the server on a free port.
    pub async fn start() -> SmtpSink {
        let dir = tempfile::tempdir().expect("mail directory");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/support/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 with aiosmtpd (pip install aiosmtpd)");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let port = tokio::time::timeout(DEADLINE, async {
            while let Some(line) = lines.next_line().await.expect("read") {
                if let Some(port) = line.strip_prefix("ready ") {
                    return port.trim().parse::<u16>().expect("port");
                }
            }
            panic!("the SMTP server exited before listening (is aiosmtpd installed?)");
        })
        .await
        .expect("the SMTP server did not start");
        SmtpSink {
            _child: child,
            port,
            dir,
        }
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every message received so far, in the order received.
    pub fn messages(&self) -> Vec<Received> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("mail directory")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files.into_iter().filter_map(read).collect()
    }

    /// The messages to `address`.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.messages()
            .into_iter()
            .filter(|m| m.envelope_to.contains(address))
            .collect()
    }

    /// Waits until a message to `address` matches `what`; panics after 30 s naming `label`.
    pub async fn wait_for(
        &self,
        address: &str,
        label: &str,
        what: impl Fn(&Received) -> bool,
    ) -> Received {
        let start = tokio::time::Instant::now();
        loop {
            if let Some(found) = self.to(address).into_iter().find(|m| what(m)) {
                return found;
            }
            if start.elapsed() > DEADLINE {
                let seen: Vec<String> = self.messages().iter().map(|m| m.subject.clone()).collect();
                panic!(
                    "no message \"{label}\" to {address} within {DEADLINE:?}; received: {seen:?}"
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Runs `baraza mail-in --lmtp ADDR --sender S --recipient R` with `message` on standard
/// input, as a mail server's pipe transport does; its exit code.
pub async fn mail_in(lmtp: &str, sender: &str, recipient: &str, message: &[u8]) -> i32 {
    let mut child = Command::new(crate::node::binary())
        .arg("mail-in")
        .arg("--lmtp")
        .arg(lmtp)
        .arg("--sender")
        .arg(sender)
        .arg("--recipient")
        .arg(recipient)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("baraza mail-in");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(message).await.expect("write the message");
    drop(stdin);
    let status = tokio::time::timeout(DEADLINE, child.wait())
        .await
        .expect("mail-in finished")
        .expect("mail-in ran");
    status.code().unwrap_or(-1)
}

/// A free port on 127.0.0.1 (bound and released: the caller binds it next).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}
