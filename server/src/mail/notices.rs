//! What a consultation's record means for people's mailboxes: who receives a consultation's
//! mail, and the messages its events call for — the invitation when it opens (background,
//! questions, a reply address per question), notices of moderation decisions on a person's
//! submissions, phase changes and the published synthesis. Pure: the state, the events, the
//! registry and the time are arguments; the result is messages to queue.

use super::compose::{self, Content, Envelope, fill};
use super::db::Queued;
use super::labels::{LANGUAGES, Labels, date, labels};
use super::token::{ReplyToken, Target, TokenKey};
use crate::domain::state::RoomState;
use crate::registry::RegistryState;
use crate::registry::access::person_of_user;
use baraza_proto::consultation::Phase;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::ids::{Millis, RoomId};
use baraza_proto::mail::MailSettings;
use baraza_proto::registry::PersonId;
use lettre::message::Mailbox;

/// Where mail comes from and where its links and replies go.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    /// The sender.
    pub from: &'a Mailbox,
    /// The domain of reply addresses and message ids.
    pub domain: &'a str,
    /// The base of links (`https://baraza.example.org`).
    pub base: &'a str,
    /// The reply-token key.
    pub key: &'a TokenKey,
    /// How long reply addresses work.
    pub token_ttl: Millis,
    /// Now.
    pub now: Millis,
}

impl Context<'_> {
    /// The reply address for `person` about `target` in the room numbered `room_no`.
    pub fn reply_address(&self, person: PersonId, room_no: u64, target: Target) -> String {
        let token = ReplyToken::new(person, room_no, target, self.now + self.token_ttl);
        format!("reply+{}@{}", self.key.seal(&token), self.domain)
    }

    /// The link to a room in the web client.
    pub fn room_link(&self, room: &RoomId) -> String {
        format!("{}/#/rooms/{room}", self.base)
    }

    /// The link to one's e-mail settings.
    pub fn settings_link(&self) -> String {
        format!("{}/#/mail-settings", self.base)
    }
}

/// A person who receives a consultation's mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The registry person.
    pub person: PersonId,
    /// Their name.
    pub name: String,
    /// Their address.
    pub email: String,
    /// Their settings (defaults when they saved none).
    pub settings: MailSettings,
}

/// The language mail to a person defaults to: the room's first working language that is one
/// of the six, else English.
pub fn default_lang(state: &RoomState) -> String {
    state
        .info()
        .and_then(|info| {
            info.settings
                .languages
                .iter()
                .find(|l| LANGUAGES.contains(&l.as_str()))
                .map(|l| l.as_str().to_owned())
        })
        .unwrap_or_else(|| "en".into())
}

/// The people who receive `room`'s mail: those of organisations accredited now to a forum that
/// lists the room, not revoked, with an e-mail address. `settings` gives a person's saved
/// settings.
pub fn recipients(
    registry: &RegistryState,
    room: &RoomId,
    state: &RoomState,
    settings: &dyn Fn(PersonId) -> Option<MailSettings>,
) -> Vec<Recipient> {
    let forums: Vec<_> = registry
        .forums()
        .filter(|f| f.spec.rooms.contains(room))
        .map(|f| f.spec.id.clone())
        .collect();
    registry
        .people()
        .filter(|p| p.revoked.is_none() && !p.contact.email.trim().is_empty())
        .filter(|p| forums.iter().any(|f| registry.is_accredited(p.org, f)))
        .map(|p| Recipient {
            person: p.id,
            name: p.contact.name.clone(),
            email: p.contact.email.clone(),
            settings: settings(p.id).unwrap_or_else(|| MailSettings {
                digest: Default::default(),
                follows: Vec::new(),
                lang: baraza_proto::ids::LanguageTag::new(default_lang(state))
                    .expect("one of the six is a valid tag"),
            }),
        })
        .collect()
}

/// Builds one message for `recipient` (the caller queues it under `key`).
pub fn message(
    ctx: &Context<'_>,
    recipient: &Recipient,
    key: String,
    thread: Option<&str>,
    reply_to: Option<&str>,
    content: Content,
    labels: &Labels,
) -> Option<Queued> {
    let unsubscribe = ctx.settings_link();
    let envelope = Envelope {
        from: ctx.from,
        to_name: &recipient.name,
        to_email: &recipient.email,
        key: &key,
        domain: ctx.domain,
        thread,
        in_reply_to: None,
        reply_to,
        unsubscribe: &unsubscribe,
        auto_submitted: "auto-generated",
    };
    match compose::build(&envelope, &content, labels) {
        Ok(built) => Some(Queued {
            key,
            to: recipient.email.clone(),
            subject: content.subject,
            message: built.formatted(),
        }),
        Err(error) => {
            tracing::warn!(person = recipient.person, %error, "a message could not be built");
            None
        }
    }
}

fn footer(ctx: &Context<'_>, l: &Labels, room: &RoomId) -> String {
    format!(
        "{}\n\n{}",
        fill(l.on_the_web, &[("link", &ctx.room_link(room))]),
        fill(l.unsubscribe, &[("link", &ctx.settings_link())])
    )
}

/// The invitation of a consultation that opened: background, questions, how to answer each by
/// e-mail.
pub fn invitation(
    ctx: &Context<'_>,
    room: &RoomId,
    room_no: u64,
    state: &RoomState,
    recipient: &Recipient,
) -> Option<Queued> {
    let info = state.info()?;
    let c = state.consultation()?;
    let l = labels(recipient.settings.lang.as_str());
    let title = &info.settings.title;
    let mut text = format!(
        "{}\n\n{}",
        fill(l.dear, &[("name", &recipient.name)]),
        fill(l.opened, &[("title", title)])
    );
    if !info.settings.description.trim().is_empty() {
        text.push_str(&format!("\n\n{}", info.settings.description.trim()));
    }
    if let Some(d) = c.deadline().filter(|d| d.phase == Phase::Open) {
        text.push_str(&format!(
            "\n\n{}",
            fill(l.closes, &[("when", &date(l, d.at))])
        ));
    }
    text.push_str(&format!("\n\n{}:", l.questions));
    let mut first = None;
    for (i, q) in c.questions.iter().enumerate() {
        let address = ctx.reply_address(recipient.person, room_no, Target::Question(q.id));
        first.get_or_insert_with(|| address.clone());
        text.push_str(&format!(
            "\n\n{}. {}\n{}",
            i + 1,
            q.text,
            fill(l.answer_by_mail, &[("address", &address)])
        ));
    }
    text.push_str(&format!(
        "\n\n{}\n\n{}",
        l.alignment_hint,
        footer(ctx, l, room)
    ));
    let thread = compose::thread_of(room.as_str(), ctx.domain);
    message(
        ctx,
        recipient,
        format!("open:{room}:{}", recipient.person),
        Some(&thread),
        first.as_deref(),
        Content {
            subject: fill(l.opened_subject, &[("title", title)]),
            text,
        },
        l,
    )
}

/// The messages the events after a room's cursor call for. `state` is the room after them.
pub fn for_events(
    ctx: &Context<'_>,
    room: &RoomId,
    room_no: u64,
    state: &RoomState,
    events: &[EventEnvelope],
    recipients: &[Recipient],
) -> Vec<Queued> {
    let Some(info) = state.info() else {
        return Vec::new();
    };
    let title = &info.settings.title;
    let thread = compose::thread_of(room.as_str(), ctx.domain);
    let mut out = Vec::new();
    for event in events {
        match &event.body {
            EventBody::PhaseChanged {
                phase: Phase::Open, ..
            } => {
                out.extend(
                    recipients
                        .iter()
                        .filter_map(|r| invitation(ctx, room, room_no, state, r)),
                );
            }
            EventBody::PhaseChanged { phase, deadline } => {
                for r in recipients {
                    let l = labels(r.settings.lang.as_str());
                    let mut text = format!(
                        "{}\n\n{}",
                        fill(l.dear, &[("name", &r.name)]),
                        fill(l.phase_now, &[("phase", l.phases[*phase as usize])])
                    );
                    if let Some(d) = deadline {
                        text.push_str(&format!(
                            "\n\n{}",
                            fill(l.closed_by_deadline, &[("when", &date(l, d.at))])
                        ));
                    }
                    if *phase == Phase::Published
                        && let Some(synthesis) =
                            state.consultation().and_then(|c| c.synthesis.as_ref())
                    {
                        text.push_str(&format!(
                            "\n\n{}\n\n{}",
                            fill(l.synthesis, &[("link", &ctx.room_link(room))]),
                            excerpt(&synthesis.text, 2_000)
                        ));
                    }
                    text.push_str(&format!("\n\n{}", footer(ctx, l, room)));
                    out.extend(message(
                        ctx,
                        r,
                        format!("phase:{room}:{}:{}", event.seq, r.person),
                        Some(&thread),
                        None,
                        Content {
                            subject: fill(l.phase_subject, &[("title", title)]),
                            text,
                        },
                        l,
                    ));
                }
            }
            EventBody::StatementApproved { statement }
            | EventBody::StatementRejected { statement, .. } => {
                let Some(s) = state.statement(*statement) else {
                    continue;
                };
                let Some(person) = person_of_user(&s.author) else {
                    continue;
                };
                let Some(r) = recipients.iter().find(|r| r.person == person) else {
                    continue;
                };
                let l = labels(r.settings.lang.as_str());
                let decision = match &event.body {
                    EventBody::StatementRejected { reason, .. } => {
                        fill(l.rejected, &[("reason", reason)])
                    }
                    _ => l.approved.to_owned(),
                };
                let text = format!(
                    "{}\n\n{}\n\n> {}\n\n{}",
                    fill(l.dear, &[("name", &r.name)]),
                    decision,
                    excerpt(&s.text, 500).replace('\n', "\n> "),
                    footer(ctx, l, room)
                );
                out.extend(message(
                    ctx,
                    r,
                    format!("decision:{room}:{}:{}", event.seq, r.person),
                    Some(&thread),
                    None,
                    Content {
                        subject: fill(l.decision_subject, &[("title", title)]),
                        text,
                    },
                    l,
                ));
            }
            _ => {}
        }
    }
    out
}

/// At most `max` characters of `text`, with an ellipsis when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}…")
}
