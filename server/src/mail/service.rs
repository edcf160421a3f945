//! The mail driver of a node: it follows consultations' records and queues the mail they call
//! for, hands the outbox to the SMTP relay (retrying with back-off), runs digests for a given
//! `now`, and turns inbound mail into statements through the room's own command path
//! (`Hub::post_by_mail`, so the domain applies the same rules and moderation as on the web).

use super::db::{Logged, MailDb, Queued};
use super::digest::{self, Publication, RoomDigest};
use super::inbound::{self, InboundLimits};
use super::labels::{LANGUAGES, date as label_date, labels};
use super::lmtp::{Deliver, Reply};
use super::notices::{self, Context, Recipient};
use super::token::{Target, TokenError, TokenKey};
use super::{MailError, attachments, compose};
use crate::domain::state::RoomState;
use crate::hub::{Hub, HubError};
use crate::registry::access::{person_of_user, user_of};
use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::Phase;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::identity::{Profile, Role};
use baraza_proto::ids::{IdempotencyKey, LanguageTag, Millis, RoomId, Seq};
use baraza_proto::mail::{
    Attachment, ConsultationMailFigures, DeliveryState, InboxEntry, MailFigures, MailSettings,
    OutboxEntry,
};
use baraza_proto::registry::PersonId;
use lettre::message::Mailbox;
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Tokio1Executor};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::Notify;

const PAGE: usize = 1_000;
const FIRST_RETRY: Millis = 30_000;
const LAST_RETRY: Millis = 6 * 3_600_000;

/// How a node takes part in e-mail.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// The SMTP relay (`host`, `port`); without it, mail stays queued.
    pub relay: Option<(String, u16)>,
    /// The sender (`Baraza <noreply@baraza.example.org>`).
    pub from: String,
    /// The domain of reply addresses (`reply+…@DOMAIN`); default: the sender's domain.
    pub domain: Option<String>,
    /// The LMTP listener, if any.
    pub listen: Option<SocketAddr>,
    /// Size limits of inbound mail.
    pub limits: InboundLimits,
    /// How long reply addresses work.
    pub token_ttl: Duration,
    /// How often records are checked for new mail to send.
    pub poll: Duration,
    /// How often digests are run with the clock (the first run after one period).
    pub digest_every: Duration,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            relay: None,
            from: "Baraza <noreply@localhost>".into(),
            domain: None,
            listen: None,
            limits: InboundLimits::default(),
            token_ttl: Duration::from_secs(90 * 86_400),
            poll: Duration::from_millis(500),
            digest_every: Duration::from_secs(3_600),
        }
    }
}

/// A recipient and the consultations they receive mail of.
type PersonRooms<'a> = (Recipient, Vec<(&'a RoomId, &'a Tracked)>);

struct Tracked {
    state: RoomState,
    head: Seq,
    publications: Vec<Publication>,
}

/// The mail driver. Shared (`Arc`).
pub struct MailService {
    hub: Hub,
    data: PathBuf,
    db: Mutex<MailDb>,
    key: TokenKey,
    from: Mailbox,
    domain: String,
    config: MailConfig,
    base: OnceLock<String>,
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    rooms: tokio::sync::Mutex<HashMap<RoomId, Tracked>>,
    other_rooms: Mutex<HashSet<RoomId>>,
    wake: Notify,
    /// When mail was first turned on over this data (see [`MailDb::mail_since`]).
    since: Millis,
}

fn now() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as Millis)
}

/// The wall clock, where a function's `now` is the time it computes for (digests): the queue
/// always runs on the wall clock.
fn wall_clock() -> Millis {
    now()
}

fn backoff(attempts: u32) -> Millis {
    FIRST_RETRY
        .saturating_mul(1 << attempts.min(20))
        .min(LAST_RETRY)
}

impl MailService {
    /// Opens the mail database in `data` and prepares the relay. `secret` is the node's secret
    /// the reply-token key is derived from.
    pub fn open(
        hub: Hub,
        data: PathBuf,
        secret: &[u8],
        config: MailConfig,
        public_url: Option<String>,
    ) -> Result<Arc<MailService>, MailError> {
        let from: Mailbox = config.from.parse().map_err(|_| {
            MailError::Config(format!("--smtp-from {:?} is not an address", config.from))
        })?;
        let domain = config
            .domain
            .clone()
            .unwrap_or_else(|| from.email.domain().to_owned());
        let db = MailDb::open(&data)?;
        let since = db.mail_since(wall_clock())?;
        let transport = config.relay.as_ref().map(|(host, port)| {
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                .port(*port)
                .timeout(Some(Duration::from_secs(20)))
                .build()
        });
        let base = OnceLock::new();
        if let Some(url) = public_url {
            let _ = base.set(url.trim_end_matches('/').to_owned());
        }
        Ok(Arc::new(MailService {
            hub,
            data,
            db: Mutex::new(db),
            key: TokenKey::derive(secret),
            from,
            domain,
            config,
            base,
            transport,
            rooms: tokio::sync::Mutex::new(HashMap::new()),
            other_rooms: Mutex::new(HashSet::new()),
            wake: Notify::new(),
            since,
        }))
    }

    /// Sets the base of links to the node's address, unless a public URL was given.
    pub fn set_default_base(&self, url: String) {
        let _ = self.base.set(url);
    }

    /// Starts following records, sending, the digest clock and (if configured) the LMTP
    /// listener; everything stops with the hub.
    pub async fn start(self: &Arc<Self>) -> Result<Option<SocketAddr>, MailError> {
        let stop = self.hub.shutdown_token();
        tokio::spawn(self.hub.track(self.clone().watch()));
        tokio::spawn(self.hub.track(self.clone().send_loop()));
        tokio::spawn(self.hub.track(self.clone().digest_clock()));
        let Some(addr) = self.config.listen else {
            return Ok(None);
        };
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| MailError::Config(format!("--mail-listen {addr}: {e}")))?;
        let bound = listener
            .local_addr()
            .map_err(|e| MailError::Config(e.to_string()))?;
        let max = self.config.limits.max_message.saturating_mul(2);
        tokio::spawn(
            self.hub
                .track(super::lmtp::serve(listener, self.clone(), max, stop)),
        );
        Ok(Some(bound))
    }

    fn db(&self) -> std::sync::MutexGuard<'_, MailDb> {
        self.db.lock().expect("mail database")
    }

    fn context(&self, now: Millis) -> Context<'_> {
        Context {
            from: &self.from,
            domain: &self.domain,
            base: self.base.get().map_or("", String::as_str),
            key: &self.key,
            token_ttl: self.config.token_ttl.as_millis() as Millis,
            now,
        }
    }

    /// Reads `room`'s new events into its tracked state; returns them.
    async fn refresh<'a>(
        &self,
        rooms: &'a mut HashMap<RoomId, Tracked>,
        room: &RoomId,
    ) -> Result<(&'a Tracked, Vec<EventEnvelope>), MailError> {
        let tracked = rooms.entry(room.clone()).or_insert_with(|| Tracked {
            state: RoomState::default(),
            head: 0,
            publications: Vec::new(),
        });
        let mut new = Vec::new();
        loop {
            let events = self
                .hub
                .store()
                .read_after(room, tracked.head, PAGE)
                .await
                .map_err(|e| MailError::Record(e.to_string()))?;
            for event in &events {
                let envelope = &event.envelope;
                crate::domain::evolve::evolve(&mut tracked.state, envelope);
                tracked.head = envelope.seq;
                match &envelope.body {
                    // What was published before mail was turned on is no digest's news.
                    _ if envelope.ts < self.since => {}
                    EventBody::StatementPosted { held: false, .. } => {
                        tracked.publications.push(Publication {
                            seq: envelope.seq,
                            ts: envelope.ts,
                            statement: envelope.seq,
                        });
                    }
                    EventBody::StatementApproved { statement } => {
                        tracked.publications.push(Publication {
                            seq: envelope.seq,
                            ts: envelope.ts,
                            statement: *statement,
                        });
                    }
                    _ => {}
                }
                new.push(envelope.clone());
            }
            if events.len() < PAGE {
                break;
            }
        }
        Ok((tracked, new))
    }

    fn settings_of(&self, person: PersonId) -> Option<MailSettings> {
        self.db().settings(person).ok().flatten()
    }

    fn recipients(&self, room: &RoomId, state: &RoomState) -> Vec<Recipient> {
        match self.hub.registry() {
            Some(registry) => {
                notices::recipients(&registry.snapshot(), room, state, &|p| self.settings_of(p))
            }
            None => Vec::new(),
        }
    }

    /// One pass over every room: queues the mail of events not yet turned into mail.
    pub async fn scan(&self) -> Result<usize, MailError> {
        let ids = self
            .hub
            .store()
            .rooms()
            .await
            .map_err(|e| MailError::Record(e.to_string()))?;
        let mut rooms = self.rooms.lock().await;
        let mut queued = 0;
        for room in ids {
            if crate::registry::is_reserved(&room)
                || self.other_rooms.lock().expect("rooms").contains(&room)
            {
                continue;
            }
            let (tracked, _) = self.refresh(&mut rooms, &room).await?;
            if tracked.state.info().is_none() {
                continue;
            }
            if tracked.state.consultation().is_none() {
                self.other_rooms.lock().expect("rooms").insert(room.clone());
                rooms.remove(&room);
                continue;
            }
            let cursor = self.db().cursor(&room)?;
            if cursor >= tracked.head {
                continue;
            }
            let events: Vec<EventEnvelope> = self
                .hub
                .store()
                .read_after(&room, cursor, usize::MAX >> 1)
                .await
                .map_err(|e| MailError::Record(e.to_string()))?
                .into_iter()
                .map(|e| e.envelope)
                // What was recorded before mail was turned on is history, not news.
                .filter(|e| e.seq <= tracked.head && e.ts >= self.since)
                .collect();
            let recipients = self.recipients(&room, &tracked.state);
            let room_no = self.db().room_no(&room)?;
            let ctx = self.context(now());
            let messages =
                notices::for_events(&ctx, &room, room_no, &tracked.state, &events, &recipients);
            queued += self
                .db()
                .queue(&messages, Some((&room, tracked.head)), now())?;
        }
        if queued > 0 {
            self.wake.notify_one();
        }
        Ok(queued)
    }

    async fn watch(self: Arc<Self>) {
        let stop = self.hub.shutdown_token();
        let mut every = tokio::time::interval(self.config.poll);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                () = stop.cancelled() => return,
            }
            if let Err(error) = self.scan().await {
                tracing::warn!(%error, "mail: reading the records failed");
            }
        }
    }

    async fn send_loop(self: Arc<Self>) {
        let stop = self.hub.shutdown_token();
        let Some(transport) = self.transport.clone() else {
            return;
        };
        loop {
            loop {
                let due = match self.db().take_due(now()) {
                    Ok(due) => due,
                    Err(error) => {
                        tracing::warn!(%error, "mail: the outbox could not be read");
                        None
                    }
                };
                let Some(due) = due else { break };
                let bounce = format!("{}@{}", self.key.bounce_local(due.id), self.domain);
                let result = match (bounce.parse(), due.to.parse()) {
                    (Ok(from), Ok(to)) => {
                        let envelope = lettre::address::Envelope::new(Some(from), vec![to])
                            .map_err(|e| e.to_string());
                        match envelope {
                            Ok(envelope) => transport
                                .send_raw(&envelope, &due.message)
                                .await
                                .map(|_| ())
                                .map_err(|e| e.to_string()),
                            Err(e) => Err(e),
                        }
                    }
                    _ => Err(format!("bad address {:?}", due.to)),
                };
                let recorded = match &result {
                    Ok(()) => self.db().sent(due.id),
                    Err(error) => {
                        tracing::warn!(id = due.id, %error, "mail: the relay did not take a message");
                        self.db()
                            .failed(due.id, error, now() + backoff(due.attempts))
                    }
                };
                if let Err(error) = recorded {
                    tracing::warn!(%error, "mail: a delivery could not be recorded");
                }
                if stop.is_cancelled() {
                    return;
                }
            }
            let wait = self
                .db()
                .next_due()
                .ok()
                .flatten()
                .map_or(Duration::from_secs(1), |at| {
                    Duration::from_millis((at - now()).clamp(10, 1_000) as u64)
                });
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
                () = stop.cancelled() => return,
            }
        }
    }

    async fn digest_clock(self: Arc<Self>) {
        let stop = self.hub.shutdown_token();
        loop {
            tokio::select! {
                () = tokio::time::sleep(self.config.digest_every) => {}
                () = stop.cancelled() => return,
            }
            if let Err(error) = self.run_digests(now()).await {
                tracing::warn!(%error, "mail: digests failed");
            }
        }
    }

    /// Queues the digests due at `now`: for everyone whose frequency's period at `now` has had
    /// no digest yet, what was published since their last one. Returns how many were queued.
    pub async fn run_digests(&self, now: Millis) -> Result<usize, MailError> {
        self.scan().await?;
        let rooms = self.rooms.lock().await;
        let mut by_person: HashMap<PersonId, PersonRooms<'_>> = HashMap::new();
        for (room, tracked) in rooms.iter() {
            if tracked.state.consultation().is_none() {
                continue;
            }
            for recipient in self.recipients(room, &tracked.state) {
                by_person
                    .entry(recipient.person)
                    .or_insert_with(|| (recipient, Vec::new()))
                    .1
                    .push((room, tracked));
            }
        }
        let ctx = self.context(now);
        let mut queued = 0;
        for (person, (recipient, rooms)) in by_person {
            let Some(period) = digest::period(recipient.settings.digest, now) else {
                // No digests: what is published meanwhile is not saved up for the day they
                // choose daily or weekly again.
                let cursors: Vec<(RoomId, Seq)> = rooms
                    .iter()
                    .filter_map(|(room, t)| t.publications.last().map(|p| ((*room).clone(), p.seq)))
                    .collect();
                self.db().move_digest_cursors(person, &cursors)?;
                continue;
            };
            let last = self.db().digest_period(person)?;
            if last.as_deref() == Some(period.as_str()) {
                continue;
            }
            let mut parts = Vec::new();
            for (room, tracked) in &rooms {
                let room_no = self.db().room_no(room)?;
                let cursor = self.db().digest_cursor(person, room)?;
                parts.push(RoomDigest {
                    room,
                    room_no,
                    state: &tracked.state,
                    publications: &tracked.publications,
                    cursor,
                });
            }
            let (message, cursors) = digest::digest(&ctx, &recipient, &period, &parts);
            queued +=
                self.db()
                    .digest_done(person, &period, message.as_ref(), &cursors, wall_clock())?;
        }
        if queued > 0 {
            self.wake.notify_one();
        }
        Ok(queued)
    }

    /// A person's e-mail settings (defaults when they saved none).
    pub fn settings(&self, person: PersonId) -> MailSettings {
        self.settings_of(person).unwrap_or_else(|| MailSettings {
            digest: Default::default(),
            follows: Vec::new(),
            lang: LanguageTag::new("en").expect("valid"),
        })
    }

    /// Saves a person's settings; the language must be one of the six.
    pub fn save_settings(
        &self,
        person: PersonId,
        settings: &MailSettings,
    ) -> Result<(), MailError> {
        if !LANGUAGES.contains(&settings.lang.as_str()) {
            return Err(MailError::Invalid(format!(
                "mail is written in ar, en, es, fr, ru or zh, not {}",
                settings.lang
            )));
        }
        if settings.follows.len() > 500 {
            return Err(MailError::Invalid("at most 500 followed questions".into()));
        }
        Ok(self.db().save_settings(person, settings)?)
    }

    /// The outbox (newest first) and the figures.
    pub async fn outbox(&self, limit: usize) -> Result<(MailFigures, Vec<OutboxEntry>), MailError> {
        let (mut figures, entries) = {
            let db = self.db();
            let mut figures = MailFigures {
                refused: db.refused_count()?,
                ..MailFigures::default()
            };
            for (state, n) in db.outbox_counts()? {
                match state {
                    DeliveryState::Queued => figures.queued += n,
                    DeliveryState::Sent => figures.sent += n,
                    DeliveryState::Failed => figures.failed += n,
                    DeliveryState::Bounced => figures.bounced += n,
                    DeliveryState::Unknown => figures.unknown += n,
                }
            }
            let entries = db.outbox(limit)?;
            (figures, entries)
        };
        if let Some(registry) = self.hub.registry() {
            let state = registry.snapshot();
            figures.recipients = state
                .people()
                .filter(|p| p.revoked.is_none() && !p.contact.email.trim().is_empty())
                .count() as u64;
        }
        let rooms = self.rooms.lock().await;
        let mut ids: Vec<&RoomId> = rooms
            .iter()
            .filter(|(_, t)| t.state.consultation().is_some())
            .map(|(id, _)| id)
            .collect();
        ids.sort();
        for room in ids {
            let tracked = &rooms[room];
            let mailed = tracked.state.statements_by_mail().count() as u64;
            figures.mailed_statements += mailed;
            figures.consultations.push(ConsultationMailFigures {
                room: room.clone(),
                recipients: self.recipients(room, &tracked.state).len() as u64,
                mailed_statements: mailed,
            });
        }
        Ok((figures, entries))
    }

    /// The inbox log (newest first).
    pub fn inbox(&self, limit: usize) -> Result<Vec<InboxEntry>, MailError> {
        Ok(self.db().inbox(limit)?)
    }

    /// Queues an automatic answer to an inbound mail, to the person's registry address (never
    /// to its `From:`), once per inbound `Message-ID`.
    fn answer(&self, person: PersonId, in_reply_to: &str, text: String) {
        let Some(registry) = self.hub.registry() else {
            return;
        };
        let state = registry.snapshot();
        let Some(p) = state.person(person) else {
            return;
        };
        let settings = self.settings(person);
        let l = labels(settings.lang.as_str());
        let key = format!("answer:{}", compose::message_id(in_reply_to, "in"));
        let unsubscribe = self.context(now()).settings_link();
        let envelope = compose::Envelope {
            from: &self.from,
            to_name: &p.contact.name,
            to_email: &p.contact.email,
            key: &key,
            domain: &self.domain,
            thread: None,
            in_reply_to: Some(in_reply_to),
            reply_to: None,
            unsubscribe: &unsubscribe,
            auto_submitted: "auto-replied",
        };
        let content = compose::Content {
            subject: l.answer_subject.to_owned(),
            text: format!(
                "{}\n\n{text}",
                compose::fill(l.dear, &[("name", &p.contact.name)])
            ),
        };
        match compose::build(&envelope, &content, l) {
            Ok(message) => {
                let queued = Queued {
                    key,
                    to: p.contact.email.clone(),
                    subject: content.subject,
                    message: message.formatted(),
                };
                if let Err(error) = self.db().queue(&[queued], None, now()) {
                    tracing::warn!(%error, "mail: an answer could not be queued");
                }
                self.wake.notify_one();
            }
            Err(error) => tracing::warn!(%error, "mail: an answer could not be built"),
        }
    }

    fn log(&self, entry: Logged) {
        if entry.outcome != "accepted" {
            tracing::info!(
                message_id = %entry.message_id,
                outcome = entry.outcome,
                reason = entry.reason.as_deref().unwrap_or(""),
                "mail: an inbound message was not taken"
            );
        }
        if let Err(error) = self.db().log_inbound(&entry, now()) {
            tracing::warn!(%error, "mail: the inbox log could not be written");
        }
    }

    /// Handles one inbound message for envelope `recipient` at `now`.
    pub async fn receive(&self, sender: &str, recipient: &str, raw: &[u8], now: Millis) -> Reply {
        let local = recipient
            .rsplit_once('@')
            .map_or(recipient, |(local, _)| local)
            .to_ascii_lowercase();
        let mut entry = Logged {
            to: recipient.to_owned(),
            ..Logged::default()
        };
        let parsed = inbound::parse(raw, self.config.limits);
        entry.message_id = parsed
            .as_ref()
            .map(|p| p.message_id.clone())
            .unwrap_or_else(|_| format!("sha256-{}", hex::encode(inbound::sha256(raw))));
        let refuse = |mut entry: Logged, reason: String, reply: Reply| {
            entry.outcome = "refused";
            entry.reason = Some(reason);
            self.log(entry);
            reply
        };
        if let Some(id) = self.key.open_bounce(&local) {
            let marked = self
                .db()
                .bounced(id, "a delivery report came back")
                .unwrap_or(false);
            entry.outcome = "ignored";
            entry.reason = Some(format!(
                "a bounce of outbound message {id} (marked: {marked})"
            ));
            self.log(entry);
            return Reply::ok("bounce recorded");
        }
        let Some(token_text) = local.strip_prefix("reply+") else {
            return refuse(
                entry,
                "not a reply address".into(),
                Reply {
                    code: 550,
                    text: "5.1.1 no such address".into(),
                },
            );
        };
        let token = match self.key.open(token_text, now) {
            Ok(token) => Ok(token),
            Err(TokenError::Forged) => {
                return refuse(
                    entry,
                    "forged or unknown reply token".into(),
                    Reply {
                        code: 550,
                        text: "5.1.1 this reply address was not issued here".into(),
                    },
                );
            }
            Err(TokenError::Expired(token)) => Err(token),
        };
        let parsed = match parsed {
            Ok(parsed) => parsed,
            Err(error) => {
                return refuse(
                    entry,
                    error.to_string(),
                    Reply {
                        code: 550,
                        text: "5.6.0 the message could not be parsed".into(),
                    },
                );
            }
        };
        let automatic = parsed.automatic.clone().or_else(|| {
            (sender.trim().is_empty() || sender == "<>").then(|| "an empty return path".into())
        });
        if let Some(why) = automatic {
            entry.outcome = "ignored";
            entry.reason = Some(format!("automatic message: {why}"));
            self.log(entry);
            return Reply::ok("automatic message ignored");
        }
        let before = self.db().accepted_before(&parsed.message_id);
        if let Ok(Some(before)) = before {
            self.log(Logged {
                to: entry.to,
                ..before
            });
            return Reply::ok("already taken");
        }
        let token = match token {
            Ok(token) => token,
            Err(expired) => {
                let l = labels(self.settings(expired.person).lang.as_str());
                self.answer(expired.person, &parsed.message_id, l.expired.to_owned());
                return refuse(
                    entry,
                    "the reply address expired".into(),
                    Reply::ok("answered: expired"),
                );
            }
        };
        let person = token.person;
        let l = labels(self.settings(person).lang.as_str());
        entry.stripped = parsed.stripped.clone();
        if let Some(why) = &parsed.too_large {
            let limit = format!("{} MiB", self.config.limits.max_attachment >> 20);
            self.answer(
                person,
                &parsed.message_id,
                compose::fill(l.too_large, &[("limit", &limit)]),
            );
            return refuse(entry, why.clone(), Reply::ok("answered: too large"));
        }
        let Some(registry) = self.hub.registry().cloned() else {
            return Reply {
                code: 451,
                text: "4.3.0 the registry is not ready".into(),
            };
        };
        let snapshot = registry.snapshot();
        let placeholder = Profile {
            user: user_of(person),
            name: "-".into(),
            role: Role::Participant,
            org: None,
            constituency: None,
            country: None,
            region: None,
        };
        let profile = match crate::registry::access::resolve(&snapshot, placeholder, None) {
            Ok(profile) => profile,
            Err(error) => {
                return refuse(
                    entry,
                    format!("person {person}: {error}"),
                    Reply {
                        code: 550,
                        text: "5.7.1 this person no longer takes part".into(),
                    },
                );
            }
        };
        let room = self.db().room_of(token.room);
        let room = match room {
            Ok(Some(room)) => room,
            _ => {
                return refuse(
                    entry,
                    "the token names no known consultation".into(),
                    Reply {
                        code: 550,
                        text: "5.1.1 no such consultation".into(),
                    },
                );
            }
        };
        entry.room = Some(room.to_string());
        let (phase, since, languages) = {
            let mut rooms = self.rooms.lock().await;
            match self.refresh(&mut rooms, &room).await {
                Ok((tracked, _)) => (
                    tracked.state.consultation().map(|c| c.phase()),
                    tracked.state.consultation().map_or(0, |c| c.phase_since()),
                    tracked
                        .state
                        .info()
                        .map(|i| i.settings.languages.clone())
                        .unwrap_or_default(),
                ),
                Err(error) => {
                    tracing::warn!(%error, "mail: the room could not be read");
                    return Reply {
                        code: 451,
                        text: "4.3.0 try again later".into(),
                    };
                }
            }
        };
        if phase != Some(Phase::Open) {
            let mut text = l.late.to_owned();
            // Closed (or later) since `since`: say when; a draft or a missing room has no
            // such moment.
            if phase.is_some_and(|p| p > Phase::Open) && since > 0 {
                text.push_str(&format!(
                    "\n\n{}",
                    compose::fill(l.closed_on, &[("when", &label_date(l, since))])
                ));
            }
            self.answer(person, &parsed.message_id, text);
            let phase = phase.map_or("gone", |p| p.as_str());
            return refuse(
                entry,
                format!("late: the consultation is {phase}"),
                Reply::ok("answered: submissions are closed"),
            );
        }
        let mut files: Vec<Attachment> = Vec::new();
        for file in &parsed.files {
            match attachments::store(&self.data, &file.bytes) {
                Ok(sha256) => files.push(Attachment {
                    name: file.name.clone(),
                    media_type: file.media_type.clone(),
                    size: file.bytes.len() as u64,
                    sha256,
                }),
                Err(error) => {
                    tracing::warn!(%error, "mail: an attachment could not be stored");
                    return Reply {
                        code: 451,
                        text: "4.3.0 try again later".into(),
                    };
                }
            }
        }
        // Only a reply to a statement takes an alignment; an answer to a question keeps its
        // first line whatever it says.
        let mut text = match token.target {
            Target::Question(_) => parsed.whole_text.clone(),
            Target::Statement(_) => parsed.text.clone(),
        };
        if text.trim().is_empty() {
            text = files
                .iter()
                .map(|f| format!("📎 {}", f.name))
                .collect::<Vec<_>>()
                .join("\n");
        }
        if text.trim().is_empty() {
            let reason = "the message has no text";
            self.answer(
                person,
                &parsed.message_id,
                compose::fill(l.not_accepted, &[("reason", reason)]),
            );
            return refuse(entry, reason.into(), Reply::ok("answered: empty"));
        }
        let wanted = self.settings(person).lang;
        let lang = if languages.contains(&wanted) {
            wanted
        } else {
            languages.first().cloned().unwrap_or(wanted)
        };
        let (parent, question, alignment) = match token.target {
            Target::Question(q) => (None, Some(q), None),
            Target::Statement(s) => (Some(s), None, parsed.alignment),
        };
        let command = RoomCommand::PostStatement {
            text,
            lang,
            parent,
            agenda_item: None,
            question,
            alignment,
        };
        let key = IdempotencyKey::new(format!(
            "mail-{}",
            &hex::encode(inbound::sha256(parsed.message_id.as_bytes()))[..40]
        ))
        .expect("a valid key");
        match self
            .hub
            .post_by_mail(&room, profile, key, command, files)
            .await
        {
            Ok((seq, _)) => {
                entry.outcome = "accepted";
                entry.statement = Some(seq);
                self.log(entry);
                // Held by pre-moderation: one short confirmation, keyed by the Message-ID like
                // every answer, so it is queued once whatever restarts or retries happen.
                if self.held(&room, seq).await {
                    self.answer(person, &parsed.message_id, l.received_held.to_owned());
                }
                self.wake.notify_one();
                Reply::ok(format!("statement {seq}"))
            }
            Err(HubError::Rejected(rejection)) => {
                let reason = rejection.to_string();
                self.answer(
                    person,
                    &parsed.message_id,
                    compose::fill(l.not_accepted, &[("reason", &reason)]),
                );
                refuse(entry, reason, Reply::ok("answered: not accepted"))
            }
            Err(error) => {
                tracing::warn!(%error, "mail: the room did not take a mailed statement");
                Reply {
                    code: 451,
                    text: "4.3.0 try again later".into(),
                }
            }
        }
    }

    /// Whether statement `seq` of `room` waits for the moderators, as the record says now.
    async fn held(&self, room: &RoomId, seq: Seq) -> bool {
        let mut rooms = self.rooms.lock().await;
        match self.refresh(&mut rooms, room).await {
            Ok((tracked, _)) => tracked.state.statement(seq).is_some_and(|s| s.held),
            Err(error) => {
                tracing::warn!(%error, "mail: the room could not be read");
                false
            }
        }
    }

    /// The person a profile is, if a registry person.
    pub fn person_of(profile: &Profile) -> Option<PersonId> {
        person_of_user(&profile.user)
    }
}

impl Deliver for MailService {
    async fn deliver(&self, sender: String, recipient: String, message: Vec<u8>) -> Reply {
        self.receive(&sender, &recipient, &message, now()).await
    }
}
