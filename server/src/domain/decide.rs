//! `decide`: what a command means for a room, or why it is refused.

use super::state::RoomState;
use super::text::{self, check_text};
use super::{
    Actor, Command, Rejection, audience, caucus, consultation, geo, roundtable, visibility,
};
use baraza_proto::command::RoomCommand;
use baraza_proto::event::{EventBody, LeaveReason};
use baraza_proto::identity::{Profile, Role};
use baraza_proto::ids::{IdempotencyKey, LanguageTag, Millis};
use baraza_proto::limits::{
    MAX_DESCRIPTION_CHARS, MAX_LANGUAGES, MAX_REASON_CHARS, MAX_STATEMENT_CHARS, MAX_TITLE_CHARS,
};
use baraza_proto::room::{RoomKind, RoomSettings, Scope};
use std::collections::HashSet;

/// Decides what `command` from `actor` means for a room in `state` at time `now`.
///
/// Returns the events to append (possibly none: a repeated idempotency key, joining twice,
/// leaving when already gone), or why the command is refused. Pure: no IO, no clock, no
/// randomness; the caller appends the events only if the record is still at `state.seq()`.
pub fn decide(
    state: &RoomState,
    actor: &Actor,
    command: &Command,
    now: Millis,
) -> Result<Vec<EventBody>, Rejection> {
    if let Command::Create(settings) = command {
        return create(state, actor, settings);
    }
    if state.info().is_none() {
        return Err(Rejection::RoomNotFound);
    }
    if state.archived() {
        return archived(state, actor, command);
    }
    match (command, actor) {
        (Command::Create(_), _) => unreachable!("handled above"),
        (Command::Join, Actor::Person(profile)) => {
            // Entering is reading: the same rule as every read path.
            visibility::may_enter(profile, state)?;
            if state.is_present(&profile.user) {
                return Ok(vec![]);
            }
            Ok(vec![EventBody::MemberJoined {
                member: profile.clone(),
            }])
        }
        (Command::Join, Actor::System) => Err(Rejection::Forbidden(
            "the server does not join rooms".into(),
        )),
        (Command::Leave { user, reason }, _) => {
            if let Actor::Person(profile) = actor
                && (&profile.user != user || *reason != LeaveReason::Left)
            {
                return Err(Rejection::Forbidden(
                    "a person may only leave for themselves".into(),
                ));
            }
            if !state.is_present(user) {
                return Ok(vec![]);
            }
            Ok(vec![EventBody::MemberLeft {
                user: user.clone(),
                reason: *reason,
            }])
        }
        (Command::Room { .. }, Actor::System) => Err(Rejection::Forbidden(
            "room commands come from people".into(),
        )),
        (Command::Room { key, command }, Actor::Person(profile)) => {
            room_command(state, profile, key.as_ref(), command, now)
        }
        (Command::Tick, Actor::System) => {
            let mut events = roundtable::tick(state, now);
            events.extend(consultation::deadline::tick(state, now));
            Ok(events)
        }
        (Command::Tick, Actor::Person(_)) => {
            Err(Rejection::Forbidden("only the server's timer ticks".into()))
        }
        (Command::SetParent { parent, found }, Actor::Person(profile)) => {
            if state.caucus.is_some() {
                caucus::decide::set_parent(state, profile, parent, found.as_ref())
            } else {
                consultation::decide::set_parent(state, profile, parent, found.as_ref())
            }
        }
        (Command::ReceiveJoint(post), Actor::System) => caucus::receive::receive(state, post),
        (
            Command::JointDelivered {
                statement,
                delivery,
            },
            Actor::System,
        ) => caucus::decide::delivered(state, *statement, delivery),
        (Command::ReceiveJoint(_) | Command::JointDelivered { .. }, Actor::Person(_)) => Err(
            Rejection::Forbidden("joint statements are carried between rooms by the server".into()),
        ),
        (Command::ReceiveInput(input), Actor::System) => {
            consultation::decide::receive_input(state, input)
        }
        (Command::SetParent { .. } | Command::ReceiveInput(_), _) => Err(Rejection::Forbidden(
            "parents are named by people; inputs are recorded by the server".into(),
        )),
        (
            Command::Mail {
                key,
                command,
                attachments,
            },
            Actor::Person(profile),
        ) => by_mail(state, profile, key, command, attachments, now),
        (Command::Mail { .. }, Actor::System) => {
            Err(Rejection::Forbidden("mail comes from people".into()))
        }
        (Command::EndAccess(ended), Actor::System) => Ok(end_access(state, ended, now)),
        (Command::EndAccess(_), Actor::Person(_)) => Err(Rejection::Forbidden(
            "access ends through the registry".into(),
        )),
        (Command::Audience { arrived, left }, Actor::System) => {
            Ok(audience::digest(state, arrived, left))
        }
        (Command::Audience { .. }, Actor::Person(_)) => Err(Rejection::Forbidden(
            "only the server records the audience".into(),
        )),
        (Command::Archive, Actor::System) => Ok(vec![EventBody::RoomArchived]),
        (Command::Archive, Actor::Person(_)) => Err(Rejection::Forbidden(
            "people archive a room with archive_room".into(),
        )),
    }
}

/// What a command means for an archived room: entering is still reading (nothing is
/// recorded), departures and timers record nothing more, and every other command is refused.
fn archived(
    state: &RoomState,
    actor: &Actor,
    command: &Command,
) -> Result<Vec<EventBody>, Rejection> {
    match (command, actor) {
        (Command::Join, Actor::Person(profile)) => {
            visibility::may_enter(profile, state)?;
            Ok(vec![])
        }
        (
            Command::Leave { .. }
            | Command::Tick
            | Command::EndAccess(_)
            | Command::Audience { .. },
            _,
        ) => Ok(vec![]),
        _ => Err(Rejection::Archived),
    }
}

/// The registry ended a person's access: `access_ended` (after `floor_ended` if they were
/// speaking) when the room has something to end — they are present, waiting on the list or
/// holding the floor — and nothing otherwise. Repeating it (another node, a retry) finds
/// nothing left to end.
fn end_access(
    state: &RoomState,
    ended: &baraza_proto::event::AccessEnded,
    now: Millis,
) -> Vec<EventBody> {
    let (mut events, on_list) = roundtable::on_access_ended(state, &ended.user, now);
    if !on_list && !state.is_present(&ended.user) {
        return vec![];
    }
    events.push(EventBody::AccessEnded(ended.clone()));
    events
}

/// A statement by e-mail: whoever may enter the room may post without being present; the
/// rest is `post_statement`'s rules. The event names the sender's profile (`by_mail`) since
/// the record holds no `member_joined` for them.
fn by_mail(
    state: &RoomState,
    profile: &Profile,
    key: &IdempotencyKey,
    command: &RoomCommand,
    attachments: &[baraza_proto::mail::Attachment],
    now: Millis,
) -> Result<Vec<EventBody>, Rejection> {
    if !matches!(command, RoomCommand::PostStatement { .. }) {
        return Err(Rejection::Invalid(
            "only statements and replies come by e-mail".into(),
        ));
    }
    visibility::may_enter(profile, state)?;
    if state.seq_for_key(&profile.user, key).is_some() {
        return Ok(vec![]);
    }
    let mut events = post(state, profile, Some(key), command, now)?;
    for event in &mut events {
        if let EventBody::StatementPosted {
            attachments: files,
            by_mail,
            ..
        } = event
        {
            *files = attachments.to_vec();
            *by_mail = Some(profile.clone());
        }
    }
    Ok(events)
}

fn create(
    state: &RoomState,
    actor: &Actor,
    settings: &RoomSettings,
) -> Result<Vec<EventBody>, Rejection> {
    let Actor::Person(profile) = actor else {
        return Err(Rejection::Forbidden(
            "rooms are created by the secretariat".into(),
        ));
    };
    if profile.role != Role::Secretariat {
        return Err(Rejection::Forbidden(format!(
            "a {} may not create rooms",
            profile.role.as_str()
        )));
    }
    if state.info().is_some() || state.seq() > 0 {
        return Err(Rejection::RoomExists);
    }
    let settings = &text::clean_settings(settings)?;
    check_room_texts(&settings.title, &settings.description, &settings.languages)?;
    match &settings.scope {
        Scope::Global => {}
        Scope::Region { region } if geo::is_known_region(region) => {}
        Scope::Region { region } => {
            return Err(Rejection::Invalid(format!(
                "unknown region {region:?}: use a UN regional group (african, asia_pacific, eastern_european, \
                 latin_american_caribbean, western_european_others) or an M49 code"
            )));
        }
        Scope::Country { country } if geo::is_assigned(country.as_str()) => {}
        Scope::Country { country } => {
            return Err(Rejection::Invalid(format!(
                "{country} is not an assigned ISO 3166-1 country code"
            )));
        }
    }
    if settings.constituency.is_some() && settings.kind != RoomKind::Caucus {
        return Err(Rejection::Invalid(
            "only a caucus belongs to one constituency".into(),
        ));
    }
    if settings.kind == RoomKind::Caucus && settings.constituency.is_none() {
        return Err(Rejection::Invalid(
            "a caucus belongs to one constituency: give its `constituency` (e.g. \"women\")".into(),
        ));
    }
    Ok(vec![EventBody::RoomCreated(settings.clone())])
}

/// The title, description and working languages of a room, as creating and updating check them.
fn check_room_texts(
    title: &str,
    description: &str,
    languages: &[LanguageTag],
) -> Result<(), Rejection> {
    check_text("title", title, 1, MAX_TITLE_CHARS)?;
    check_text("description", description, 0, MAX_DESCRIPTION_CHARS)?;
    if languages.is_empty() || languages.len() > MAX_LANGUAGES {
        return Err(Rejection::Invalid(format!(
            "a room has 1 to {MAX_LANGUAGES} working languages"
        )));
    }
    if languages.iter().collect::<HashSet<_>>().len() != languages.len() {
        return Err(Rejection::Invalid(
            "a working language is listed twice".into(),
        ));
    }
    Ok(())
}

fn room_command(
    state: &RoomState,
    profile: &Profile,
    key: Option<&IdempotencyKey>,
    command: &RoomCommand,
    now: Millis,
) -> Result<Vec<EventBody>, Rejection> {
    if !state.is_present(&profile.user) {
        return Err(Rejection::NotPresent);
    }
    post(state, profile, key, command, now)
}

/// A present person's command, or one by mail (presence checked by the caller).
fn post(
    state: &RoomState,
    profile: &Profile,
    key: Option<&IdempotencyKey>,
    command: &RoomCommand,
    now: Millis,
) -> Result<Vec<EventBody>, Rejection> {
    match key {
        None if command.creates() => return Err(Rejection::KeyRequired(command.name())),
        Some(key) if state.seq_for_key(&profile.user, key).is_some() => return Ok(vec![]),
        _ => {}
    }
    // Every text of the command is normalised (or refused) before any rule reads it.
    let command = &text::clean_command(command)?;
    match command {
        RoomCommand::PostStatement {
            text,
            lang,
            parent,
            agenda_item,
            question,
            alignment,
        } => {
            if !profile.role.may_post() {
                return Err(Rejection::Forbidden(
                    "observers may read but not post".into(),
                ));
            }
            if state
                .roundtable
                .as_ref()
                .is_some_and(|rt| rt.is_muted(&profile.user))
            {
                return Err(Rejection::Forbidden(
                    "you are muted and may not post".into(),
                ));
            }
            check_text("statement", text, 1, MAX_STATEMENT_CHARS)?;
            if let Some(parent) = parent {
                match state.statement(*parent) {
                    None => {
                        return Err(Rejection::Invalid(format!(
                            "there is no statement {parent} to reply to"
                        )));
                    }
                    Some(s) if s.hidden.is_some() => {
                        return Err(Rejection::Invalid(format!(
                            "statement {parent} is hidden; it takes no replies"
                        )));
                    }
                    Some(_) => {}
                }
            }
            if let Some(item) = agenda_item
                && !roundtable::has_item(state, *item)
            {
                return Err(Rejection::Invalid(format!(
                    "this room has no agenda item {item}"
                )));
            }
            // Consultations check phase, question, language, alignment and pre-moderation.
            let (question, held) = if state.consultation.is_some() {
                consultation::decide::submission(
                    state, profile, lang, *parent, *question, *alignment,
                )?
            } else if let Some(question) = question {
                return Err(Rejection::Invalid(format!(
                    "this room has no question {question}"
                )));
            } else if alignment.is_some() {
                return Err(Rejection::Invalid(
                    "only replies in consultations take an alignment".into(),
                ));
            } else {
                (None, false)
            };
            Ok(vec![EventBody::StatementPosted {
                text: text.clone(),
                text_commitment: None,
                lang: lang.clone(),
                parent: *parent,
                agenda_item: *agenda_item,
                question,
                alignment: *alignment,
                held,
                attachments: Vec::new(),
                by_mail: None,
                joint: None,
            }])
        }
        RoomCommand::HideStatement { statement, reason } => {
            if !profile.role.moderates() {
                return Err(Rejection::Forbidden(format!(
                    "only moderators and the secretariat hide statements, not a {}",
                    profile.role.as_str()
                )));
            }
            check_text("reason", reason, 1, MAX_REASON_CHARS)?;
            match state.statement(*statement) {
                None => Err(Rejection::Invalid(format!(
                    "there is no statement {statement}"
                ))),
                Some(s) if s.hidden.is_some() => Err(Rejection::Invalid(format!(
                    "statement {statement} is already hidden"
                ))),
                Some(_) => Ok(vec![EventBody::StatementHidden {
                    statement: *statement,
                    reason: reason.clone(),
                }]),
            }
        }
        RoomCommand::RedactStatement { statement, reason } => {
            if profile.role != Role::Secretariat {
                return Err(Rejection::Forbidden(format!(
                    "only the secretariat redacts a statement (on a lawful request), not a {}",
                    profile.role.as_str()
                )));
            }
            check_text("reason", reason, 1, MAX_REASON_CHARS)?;
            match state.statement(*statement) {
                None => Err(Rejection::Invalid(format!(
                    "there is no statement {statement}"
                ))),
                Some(s) if s.redaction.is_some() => Err(Rejection::Invalid(format!(
                    "statement {statement} is already redacted"
                ))),
                Some(_) if !state.committed(*statement) => Err(Rejection::Invalid(format!(
                    "statement {statement} was recorded before text commitments: its text is part \
                     of the hashed record; run `baraza migrate` on the stopped node first"
                ))),
                Some(_) => Ok(vec![EventBody::StatementRedacted {
                    statement: *statement,
                    reason: reason.clone(),
                }]),
            }
        }
        RoomCommand::UpdateRoom {
            title,
            description,
            languages,
        } => {
            if profile.role != Role::Secretariat {
                return Err(Rejection::Forbidden(format!(
                    "only the secretariat edits a room, not a {}",
                    profile.role.as_str()
                )));
            }
            check_room_texts(title, description, languages)?;
            let settings = &state.info().ok_or(Rejection::RoomNotFound)?.settings;
            if settings.title == *title
                && settings.description == *description
                && settings.languages == *languages
            {
                return Ok(vec![]);
            }
            Ok(vec![EventBody::RoomUpdated {
                title: title.clone(),
                description: description.clone(),
                languages: languages.clone(),
            }])
        }
        RoomCommand::ArchiveRoom => {
            if profile.role != Role::Secretariat {
                return Err(Rejection::Forbidden(format!(
                    "only the secretariat archives a room, not a {}",
                    profile.role.as_str()
                )));
            }
            Ok(vec![EventBody::RoomArchived])
        }
        other if super::minutes::is_minutes_command(other) => {
            super::minutes::decide(state, profile, other, now)
        }
        // Commands of one room kind go to that kind's module, which refuses the others'.
        other => match state.info().map(|info| info.settings.kind) {
            Some(RoomKind::Roundtable) => roundtable::decide(state, profile, other, now),
            Some(RoomKind::Consultation) => {
                consultation::decide::room_command(state, profile, other, now)
            }
            Some(RoomKind::Caucus) => caucus::decide::room_command(state, profile, other),
            None => Err(Rejection::RoomNotFound),
        },
    }
}
