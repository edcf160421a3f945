//! Outbound mail: sign-in invitations handed to an SMTP relay (`--smtp-relay host:port`) with
//! `lettre`. The relay is trusted to deliver (a local MTA or the organisation's submission
//! relay on a private network); the connection is plain SMTP.

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Where and as whom mail is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailConfig {
    /// The relay's host.
    pub host: String,
    /// The relay's port.
    pub port: u16,
    /// The sender (`Baraza <noreply@example.org>`).
    pub from: String,
}

/// Why a message was not handed to the relay.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// An address does not parse.
    #[error("bad address {0:?}: {1}")]
    Address(String, String),
    /// The message could not be built.
    #[error("the message could not be built: {0}")]
    Build(String),
    /// The relay refused it or could not be reached.
    #[error("the SMTP relay did not take the message: {0}")]
    Relay(String),
}

/// Sends mail through one relay. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// A mailer for `config`; fails only when the sender does not parse.
    pub fn new(config: &MailConfig) -> Result<Mailer, MailError> {
        let from = config
            .from
            .parse()
            .map_err(|e: lettre::address::AddressError| {
                MailError::Address(config.from.clone(), e.to_string())
            })?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .timeout(Some(Duration::from_secs(10)))
            .build();
        Ok(Mailer { transport, from })
    }

    /// Sends a plain-text message to `name <email>`.
    pub async fn send(
        &self,
        name: &str,
        email: &str,
        subject: &str,
        body: String,
    ) -> Result<(), MailError> {
        let to = Mailbox::new(
            Some(name.to_owned()),
            email.parse().map_err(|e: lettre::address::AddressError| {
                MailError::Address(email.to_owned(), e.to_string())
            })?,
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| MailError::Build(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| MailError::Relay(e.to_string()))
    }
}

/// The text of an invitation e-mail.
pub fn invitation_text(name: &str, org: &str, what: &str, link: &str, expires: &str) -> String {
    format!(
        "Dear {name},\n\n\
         {org} has named you {what} in Baraza.\n\n\
         Open this personal link to sign in (it works once, until {expires}):\n\n\
         {link}\n\n\
         Do not forward it: whoever opens it speaks for {org} as you.\n"
    )
}
