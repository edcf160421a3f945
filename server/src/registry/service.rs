//! The registry's driver: loads the record `registry`, runs [`decide`] under one lock, seals
//! and appends the events (optimistically, like a room: on a conflict it catches up and decides
//! again), signs sign-in links, mails them, and exchanges a used link for a session token.
//!
//! Readers that must not wait (token verification, `join`) read [`Registry::snapshot`], the
//! state as of the last append or catch-up on this node. With several nodes a background task
//! catches up every [`CATCH_UP_INTERVAL`].

use super::REGISTRY_RECORD;
use super::access::{self, Who};
use super::decide::{RegistryCommand, RegistryError, decide};
use super::mail::{Mailer, invitation_text};
use super::state::RegistryState;
use crate::auth::{Authenticator, TokenRequest};
use crate::record::{GENESIS, Head, RecordedEvent};
use crate::store::{RecordStore, StoreError};
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::identity::{Profile, Role};
use baraza_proto::ids::{IdempotencyKey, Millis, RoomId, Seq};
use baraza_proto::registry::{
    ApplicationId, InvitationId, InvitationSent, OrgId, PersonId, PersonRole, SignedIn,
};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

/// How often a node sharing the record with others catches up on their registry events.
pub const CATCH_UP_INTERVAL: Duration = Duration::from_secs(1);
const PAGE: usize = 1_000;
const ATTEMPTS: usize = 8;

/// How the registry behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryConfig {
    /// Base of sign-in links (`https://baraza.example.org`); the node's own address when absent.
    pub public_url: Option<String>,
    /// How long a sign-in link works.
    pub invitation_ttl: Duration,
    /// How long the session token a link exchanges for lasts.
    pub session_ttl: Duration,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        RegistryConfig {
            public_url: None,
            invitation_ttl: Duration::from_secs(7 * 86_400),
            session_ttl: Duration::from_secs(12 * 3_600),
        }
    }
}

struct Written {
    state: RegistryState,
    head: Head,
}

/// The registry of one node. Cheap to share (`Arc`).
pub struct Registry {
    store: Arc<dyn RecordStore>,
    auth: Arc<Authenticator>,
    mailer: Option<Mailer>,
    config: RegistryConfig,
    base_url: OnceLock<String>,
    written: tokio::sync::Mutex<Written>,
    snapshot: RwLock<Arc<RegistryState>>,
    /// The seq of the last event in `snapshot`, for followers ([`Registry::watch_head`]).
    head: tokio::sync::watch::Sender<Seq>,
    mail_failures: Mutex<u64>,
}

/// The outcome of a request: the seq of its first event (or of the earlier request with the
/// same idempotency key) and the state after it.
#[derive(Debug, Clone)]
pub struct Done {
    /// Seq of the first event.
    pub seq: Seq,
    /// Whether an earlier request with the same key had already done it.
    pub duplicate: bool,
    /// The registry after it.
    pub state: Arc<RegistryState>,
}

impl Registry {
    /// Loads the registry's record from `store`.
    pub async fn load(
        store: Arc<dyn RecordStore>,
        auth: Arc<Authenticator>,
        mailer: Option<Mailer>,
        config: RegistryConfig,
    ) -> Result<Arc<Registry>, StoreError> {
        let mut written = Written {
            state: RegistryState::default(),
            head: Head {
                seq: 0,
                hash: GENESIS,
            },
        };
        catch_up(store.as_ref(), &mut written).await?;
        let snapshot = RwLock::new(Arc::new(written.state.clone()));
        let (head, _) = tokio::sync::watch::channel(written.head.seq);
        let base_url = OnceLock::new();
        if let Some(url) = &config.public_url {
            let _ = base_url.set(url.trim_end_matches('/').to_owned());
        }
        Ok(Arc::new(Registry {
            store,
            auth,
            mailer,
            config,
            base_url,
            written: tokio::sync::Mutex::new(written),
            snapshot,
            head,
            mail_failures: Mutex::new(0),
        }))
    }

    /// Sets the base of sign-in links to the node's address, unless `--public-url` set one.
    pub fn set_default_base(&self, url: String) {
        let _ = self.base_url.set(url);
    }

    /// The state as of the last append or catch-up on this node.
    pub fn snapshot(&self) -> Arc<RegistryState> {
        self.snapshot.read().expect("registry snapshot").clone()
    }

    /// Catches up with events other nodes appended.
    pub async fn refresh(&self) -> Result<Arc<RegistryState>, StoreError> {
        let mut written = self.written.lock().await;
        catch_up(self.store.as_ref(), &mut written).await?;
        Ok(self.publish(&written))
    }

    fn publish(&self, written: &Written) -> Arc<RegistryState> {
        let state = Arc::new(written.state.clone());
        *self.snapshot.write().expect("registry snapshot") = state.clone();
        self.head.send_if_modified(|seq| {
            let moved = *seq != written.head.seq;
            *seq = written.head.seq;
            moved
        });
        state
    }

    /// Where the registry's record ends as this node last saw it: changes after each append
    /// here and each catch-up with other nodes. The hub follows it to act on revocations.
    pub fn watch_head(&self) -> tokio::sync::watch::Receiver<Seq> {
        self.head.subscribe()
    }

    /// Runs `command` for `profile` (`None`: the public) at `now`: decides, appends, applies.
    pub async fn execute(
        &self,
        profile: Option<&Profile>,
        key: Option<&IdempotencyKey>,
        command: &RegistryCommand,
        now: Millis,
    ) -> Result<Done, RegistryError> {
        let mut written = self.written.lock().await;
        for _ in 0..ATTEMPTS {
            catch_up(self.store.as_ref(), &mut written)
                .await
                .map_err(unavailable)?;
            let state = &written.state;
            let who = access::who_is(state, profile);
            if let Some(key) = key
                && let Some(seq) = state.seen_key(who.user(), key.as_str())
            {
                return Ok(Done {
                    seq,
                    duplicate: true,
                    state: self.publish(&written),
                });
            }
            let events = decide(state, &who, command, now)?;
            let ts = now.max(state.last_ts());
            let mut prev = written.head.hash;
            let sealed: Vec<RecordedEvent> = events
                .into_iter()
                .enumerate()
                .map(|(i, body)| {
                    let event = RecordedEvent::seal(
                        EventEnvelope {
                            room: record_id(),
                            seq: written.head.seq + 1 + i as Seq,
                            ts,
                            actor: who.user().cloned(),
                            key: key.cloned(),
                            body: EventBody::Registry(body),
                        },
                        prev,
                    );
                    prev = event.hash;
                    event
                })
                .collect();
            let Some(first) = sealed.first().map(RecordedEvent::seq) else {
                return Ok(Done {
                    seq: written.head.seq,
                    duplicate: false,
                    state: self.publish(&written),
                });
            };
            match self
                .store
                .append(&record_id(), written.head.seq, &sealed)
                .await
            {
                Ok(()) => {
                    for event in &sealed {
                        written.state.apply(&event.envelope);
                        written.head = event.head();
                    }
                    return Ok(Done {
                        seq: first,
                        duplicate: false,
                        state: self.publish(&written),
                    });
                }
                Err(StoreError::Conflict { .. }) => continue,
                Err(error) => return Err(unavailable(error)),
            }
        }
        Err(RegistryError::Unavailable(
            "the registry is too busy right now; retry".into(),
        ))
    }

    /// Issues a sign-in link to `person`, records it and mails it when a relay is set.
    pub async fn invite(
        &self,
        by: &Profile,
        person: PersonId,
        now: Millis,
    ) -> Result<InvitationSent, RegistryError> {
        let expires_at = now + self.config.invitation_ttl.as_millis() as Millis;
        let done = self
            .execute(
                Some(by),
                None,
                &RegistryCommand::Invite { person, expires_at },
                now,
            )
            .await?;
        self.send_link(&done.state, done.seq, now).await
    }

    async fn send_link(
        &self,
        state: &RegistryState,
        invitation: InvitationId,
        now: Millis,
    ) -> Result<InvitationSent, RegistryError> {
        let found = state
            .invitation(invitation)
            .ok_or_else(|| RegistryError::NotFound(format!("no invitation {invitation}")))?;
        let code = self
            .auth
            .mint_invitation(
                invitation,
                (found.expires_at / 1000) as u64,
                (now / 1000) as u64,
            )
            .map_err(|e| RegistryError::Forbidden(format!("cannot sign sign-in links: {e}")))?;
        let base = self.base_url.get().cloned().unwrap_or_default();
        let link = format!("{base}/#invite={code}");
        let person = state
            .person(found.person)
            .ok_or_else(|| RegistryError::NotFound(format!("no person {}", found.person)))?;
        let org = state
            .organisation(person.org)
            .map(|o| o.details.name.clone())
            .unwrap_or_default();
        let what = match (&person.role, &person.forum) {
            (PersonRole::FocalPoint, _) => "its focal point".to_owned(),
            (PersonRole::Representative, Some(forum)) => {
                let title = state
                    .forum(forum)
                    .map_or(forum.to_string(), |f| f.spec.title.clone());
                format!("one of its representatives to \"{title}\"")
            }
            (PersonRole::Representative, None) => "one of its representatives".to_owned(),
        };
        let mut mailed = false;
        if let Some(mailer) = &self.mailer {
            let expires = format_time(found.expires_at);
            let body = invitation_text(&person.contact.name, &org, &what, &link, &expires);
            match mailer
                .send(
                    &person.contact.name,
                    &person.contact.email,
                    &format!("Your sign-in link to Baraza for {org}"),
                    body,
                )
                .await
            {
                Ok(()) => mailed = true,
                Err(error) => {
                    *self.mail_failures.lock().expect("mail failures") += 1;
                    tracing::warn!(invitation, %error, "the invitation was not mailed");
                }
            }
        }
        Ok(InvitationSent {
            invitation,
            person: found.person,
            expires_at: found.expires_at,
            link,
            mailed,
        })
    }

    /// Registers an organisation from the public form and mails its focal point a sign-in
    /// link (which also confirms the address). Answers the new organisation's and
    /// application's ids, read from the registry after the append, and the link sent.
    pub async fn apply(
        &self,
        application: &baraza_proto::registry::PublicApplication,
        now: Millis,
    ) -> Result<(OrgId, ApplicationId, InvitationSent), RegistryError> {
        let expires_at = now + self.config.invitation_ttl.as_millis() as Millis;
        let command = RegistryCommand::Apply {
            application: application.clone(),
            invitation_expires_at: expires_at,
        };
        let done = self.execute(None, None, &command, now).await?;
        let state = &done.state;
        // An organisation's id is the seq of the event that registered it: the first here.
        let org = done.seq;
        let missing = || RegistryError::Unavailable("the application was not recorded".into());
        let applied = state
            .applications()
            .filter(|a| a.org == org && a.forum == application.forum)
            .map(|a| a.id)
            .max()
            .ok_or_else(missing)?;
        let invitation = state
            .invitations()
            .filter(|i| state.person(i.person).is_some_and(|p| p.org == org))
            .map(|i| i.id)
            .max()
            .ok_or_else(missing)?;
        let sent = self.send_link(state, invitation, now).await?;
        Ok((org, applied, sent))
    }

    /// Exchanges a sign-in link's code for a session token whose identity comes from the
    /// registry. The link works once.
    pub async fn sign_in(&self, code: &str, now: Millis) -> Result<SignedIn, RegistryError> {
        let invitation = self.auth.verify_invitation(code.trim()).map_err(|_| {
            RegistryError::LinkInvalid("this sign-in link is not one this server issued".into())
        })?;
        let done = self
            .execute(
                None,
                None,
                &RegistryCommand::UseInvitation { invitation },
                now,
            )
            .await?;
        let state = &done.state;
        let person = state
            .invitation(invitation)
            .and_then(|i| state.person(i.person))
            .ok_or_else(|| RegistryError::NotFound("no such person".into()))?;
        let org = state
            .organisation(person.org)
            .ok_or_else(|| RegistryError::NotFound("no such organisation".into()))?;
        let request = TokenRequest {
            sub: access::user_of(person.id).to_string(),
            name: person.contact.name.clone(),
            role: Role::Participant,
            org: Some(org.details.name.clone()),
            constituency: Some(org.details.constituency),
            country: Some(org.details.country.to_string()),
            ttl_secs: self.config.session_ttl.as_secs(),
        };
        let now_secs = (now / 1000) as u64;
        let token = self
            .auth
            .mint(&request, now_secs)
            .map_err(|e| RegistryError::Forbidden(format!("cannot mint a session: {e}")))?;
        let verified = self
            .auth
            .verify(&token)
            .map_err(|e| RegistryError::Forbidden(e.to_string()))?;
        let profile = access::resolve(state, verified.profile, None)?;
        Ok(SignedIn {
            token,
            profile,
            expires_at: verified.expires_at,
        })
    }

    /// Up to 1,000 events of the registry's record after `after`, and its last seq.
    pub async fn read_record(
        &self,
        after: Seq,
    ) -> Result<(Seq, Vec<RecordedEvent>), RegistryError> {
        let head = self.store.head(&record_id()).await.map_err(unavailable)?;
        let events = self
            .store
            .read_after(&record_id(), after, PAGE)
            .await
            .map_err(unavailable)?;
        Ok((head.seq, events))
    }

    /// Who `profile` is in the registry now.
    pub fn who_is(&self, profile: Option<&Profile>) -> Who {
        access::who_is(&self.snapshot(), profile)
    }

    /// Invitations that could not be mailed since the node started.
    pub fn mail_failures(&self) -> u64 {
        *self.mail_failures.lock().expect("mail failures")
    }

    /// Catches up every [`CATCH_UP_INTERVAL`] until `stop` (for nodes sharing a record).
    pub async fn follow(self: Arc<Self>, stop: tokio_util::sync::CancellationToken) {
        let mut every = tokio::time::interval(CATCH_UP_INTERVAL);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                () = stop.cancelled() => return,
            }
            if let Err(error) = self.refresh().await {
                tracing::debug!(%error, "the registry could not catch up");
            }
        }
    }
}

/// The record the registry lives in.
pub fn record_id() -> RoomId {
    RoomId::new(REGISTRY_RECORD).expect("a valid id")
}

async fn catch_up(store: &dyn RecordStore, written: &mut Written) -> Result<(), StoreError> {
    loop {
        let events = store
            .read_after(&record_id(), written.head.seq, PAGE)
            .await?;
        for event in &events {
            written.state.apply(&event.envelope);
            written.head = event.head();
        }
        if events.len() < PAGE {
            return Ok(());
        }
    }
}

fn unavailable(error: StoreError) -> RegistryError {
    RegistryError::Unavailable(format!("the registry's record is unavailable: {error}"))
}

/// `2027-03-01 12:00 UTC` from milliseconds since the epoch.
pub(crate) fn format_time(ms: Millis) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rem / 3_600,
        rem % 3_600 / 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_read_as_utc_dates() {
        assert_eq!(super::format_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(
            super::format_time(1_800_000_000_000),
            "2027-01-15 08:00 UTC"
        );
    }
}
