//! `/api/mail/*`: a person's e-mail settings, and for the secretariat the outbox (delivery
//! state and figures), the inbox log (every inbound mail and what became of it, with the text
//! stripped from it) and running the digests due at a given time. The rules are in
//! [`crate::mail`]; handlers stay thin.

use super::caller::Caller;
use super::error::HttpError;
use crate::domain::mail_access::{MailDesk, may_oversee};
use crate::mail::{MailError, MailService};
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::{Extension, Json};
use baraza_proto::error::ErrorCode;
use baraza_proto::ids::Millis;
use baraza_proto::mail::{InboxEntry, MailFigures, MailSettings, OutboxEntry};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The mail driver, when the node runs one.
pub type MailExtension = Extension<Option<Arc<MailService>>>;

/// Body of `POST /api/mail/digests`.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct DigestRequest {
    /// The time to run digests for (ms since 1970); default: now.
    #[serde(default)]
    pub now: Option<Millis>,
}

/// Answer of `POST /api/mail/digests`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct DigestsQueued {
    /// How many digests were queued.
    pub queued: usize,
}

/// Answer of `GET /api/mail/outbox`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Outbox {
    /// Counts.
    pub figures: MailFigures,
    /// The latest messages, newest first.
    pub messages: Vec<OutboxEntry>,
}

/// Answer of `GET /api/mail/inbox`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Inbox {
    /// The latest inbound messages, newest first.
    pub messages: Vec<InboxEntry>,
}

impl From<MailError> for HttpError {
    fn from(error: MailError) -> HttpError {
        match error {
            MailError::Invalid(message) => HttpError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InvalidCommand,
                message,
            ),
            other => HttpError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                other.to_string(),
            ),
        }
    }
}

fn service(mail: &Option<Arc<MailService>>) -> Result<&Arc<MailService>, HttpError> {
    mail.as_ref().ok_or_else(|| {
        HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "this node does not run e-mail",
        )
    })
}

fn forbidden(what: &str) -> HttpError {
    HttpError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, what.to_owned())
}

fn person(caller: &Caller) -> Result<u64, HttpError> {
    MailService::person_of(&caller.0)
        .ok_or_else(|| forbidden("e-mail settings belong to people of the registry"))
}

fn now() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as Millis)
}

/// `GET /api/mail/settings`: the caller's settings.
pub async fn get_settings(
    Extension(mail): MailExtension,
    caller: Caller,
) -> Result<Json<MailSettings>, HttpError> {
    let person = person(&caller)?;
    Ok(Json(service(&mail)?.settings(person)))
}

/// `PUT /api/mail/settings`: saves the caller's settings.
pub async fn put_settings(
    Extension(mail): MailExtension,
    caller: Caller,
    body: Result<Json<MailSettings>, JsonRejection>,
) -> Result<Json<MailSettings>, HttpError> {
    let person = person(&caller)?;
    let Json(settings) = body.map_err(|e| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidMessage,
            e.body_text(),
        )
    })?;
    let mail = service(&mail)?;
    mail.save_settings(person, &settings)?;
    Ok(Json(mail.settings(person)))
}

/// `POST /api/mail/digests`: queues the digests due at `now` (secretariat).
pub async fn run_digests(
    Extension(mail): MailExtension,
    caller: Caller,
    body: Option<Json<DigestRequest>>,
) -> Result<Json<DigestsQueued>, HttpError> {
    if !may_oversee(&caller.0, MailDesk::Digests) {
        return Err(forbidden("only the secretariat runs digests"));
    }
    let at = body.and_then(|Json(b)| b.now).unwrap_or_else(now);
    let queued = service(&mail)?.run_digests(at).await?;
    Ok(Json(DigestsQueued { queued }))
}

/// `GET /api/mail/outbox`: delivery state of outbound mail (secretariat).
pub async fn outbox(
    Extension(mail): MailExtension,
    caller: Caller,
) -> Result<Json<Outbox>, HttpError> {
    if !may_oversee(&caller.0, MailDesk::Outbox) {
        return Err(forbidden("only the secretariat reads the outbox"));
    }
    let (figures, messages) = service(&mail)?.outbox(500).await?;
    Ok(Json(Outbox { figures, messages }))
}

/// `GET /api/mail/inbox`: what became of inbound mail (secretariat and moderators).
pub async fn inbox(
    Extension(mail): MailExtension,
    caller: Caller,
) -> Result<Json<Inbox>, HttpError> {
    if !may_oversee(&caller.0, MailDesk::Inbox) {
        return Err(forbidden(
            "only the secretariat and moderators read the inbox log",
        ));
    }
    Ok(Json(Inbox {
        messages: service(&mail)?.inbox(500)?,
    }))
}
