//! The audience's presence on this node: arrivals and departures gathered between digests.
//!
//! A person who joins the audience ([`domain::audience::is_audience`]) is subscribed at once
//! (snapshot and `ack`) but not announced: their arrival waits here. A departure of the
//! audience (the grace ran out, `leave`, a lost node) waits here too. The first of them arms
//! the digest timer `digest_every` later (1 s), so the digests of a room come at most once
//! per `digest_every`; when it fires, the core submits everything gathered as one
//! `Command::Audience` as the server, and the domain records one `audience_changed` with what
//! is still news. A failed digest goes back here and is tried again a second later.
//!
//! A command from someone whose arrival is still waiting would find them absent, so it
//! brings the digest forward (the command follows it).
//!
//! [`domain::audience::is_audience`]: crate::domain::audience::is_audience

use super::exec::Then;
use super::io::{Effect, Io};
use super::{Job, RETRY_LATER, RoomCore};
use crate::domain::{Actor, Command, audience};
use crate::hub::error::HubError;
use crate::hub::frames;
use crate::hub::outbound::Outbound;
use baraza_proto::identity::Profile;
use baraza_proto::ids::{Millis, UserId};
use std::collections::HashSet;

/// How often at most a room records its audience's comings and goings.
pub const DIGEST_EVERY: Millis = 1000;

/// Arrivals and departures of the audience not yet recorded.
#[derive(Default)]
pub struct Pending {
    /// In order of arrival.
    arrived: Vec<Profile>,
    arriving: HashSet<UserId>,
    left: Vec<UserId>,
    leaving: HashSet<UserId>,
}

impl Pending {
    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.arrived.is_empty() && self.left.is_empty()
    }

    /// Whether `user`'s arrival waits.
    pub fn arriving(&self, user: &UserId) -> bool {
        self.arriving.contains(user)
    }

    /// `profile` arrived: a departure of theirs still waiting is dropped instead (they stay).
    pub fn arrive(&mut self, profile: Profile, present: bool) {
        let user = &profile.user;
        if self.leaving.remove(user) {
            self.left.retain(|u| u != user);
        }
        if !present && self.arriving.insert(user.clone()) {
            self.arrived.push(profile);
        }
    }

    /// `user` left: an arrival of theirs still waiting is dropped instead (never recorded,
    /// so not recorded gone either).
    pub fn depart(&mut self, user: UserId, present: bool) {
        if self.arriving.remove(&user) {
            self.arrived.retain(|p| p.user != user);
        }
        if present && self.leaving.insert(user.clone()) {
            self.left.push(user);
        }
    }

    /// Everything gathered, in order.
    pub fn take(&mut self) -> (Vec<Profile>, Vec<UserId>) {
        self.arriving.clear();
        self.leaving.clear();
        (
            std::mem::take(&mut self.arrived),
            std::mem::take(&mut self.left),
        )
    }
}

impl<I: Io> RoomCore<I> {
    /// Whether `user` is present in the audience or arriving in it.
    pub(super) fn audience_member(&self, user: &UserId) -> bool {
        self.pending.arriving(user) || (self.state.is_present(user) && self.state.in_audience(user))
    }

    /// Whether `profile`, joining, joins the audience (and is not announced one by one).
    pub(super) fn joins_audience(&self, profile: &Profile) -> bool {
        !self.state.archived()
            && (self.audience_member(&profile.user) || audience::is_audience(&self.state, profile))
    }

    /// `profile` arrived in the audience (or is still in it): their arrival waits for the
    /// digest, a departure of theirs still waiting is dropped.
    pub(super) fn audience_arrived(&mut self, profile: Profile) {
        let present = self.state.is_present(&profile.user);
        self.timers.cancel_leave(&profile.user);
        self.pending.arrive(profile, present);
        self.arm_digest();
    }

    /// `user` of the audience left: their departure waits for the digest.
    pub(super) fn audience_left(&mut self, user: UserId) {
        let present = self.state.is_present(&user);
        self.pending.depart(user, present);
        self.arm_digest();
    }

    /// The digest is due `digest_every` after the first thing waiting for it.
    fn arm_digest(&mut self) {
        if !self.pending.is_empty() && self.timers.digest_at.is_none() {
            self.timers.digest_at = Some(self.clock + self.config.digest_every);
        }
    }

    /// Submits what waits as one digest (nothing when nothing waits).
    pub(super) fn run_digest(&mut self) {
        self.timers.digest_at = None;
        let (arrived, left) = self.pending.take();
        if arrived.is_empty() && left.is_empty() {
            return;
        }
        let command = Command::Audience {
            arrived: arrived.clone(),
            left: left.clone(),
        };
        self.exec_one(Actor::System, command, Then::Digest { arrived, left });
    }

    /// The digest could not be recorded: what still holds waits again, a second later.
    pub(super) fn digest_failed(
        &mut self,
        arrived: Vec<Profile>,
        left: Vec<UserId>,
        error: &HubError,
    ) {
        tracing::warn!(room = %self.id, %error, "recording the audience failed; retrying in a second");
        for profile in arrived {
            if self.members.holds(&profile.user) {
                let present = self.state.is_present(&profile.user);
                self.pending.arrive(profile, present);
            }
        }
        for user in left {
            if !self.members.holds(&user) {
                let present = self.state.is_present(&user);
                self.pending.depart(user, present);
            }
        }
        if !self.pending.is_empty() {
            let at = self.clock + RETRY_LATER.max(self.config.digest_every);
            self.timers.digest_at = Some(self.timers.digest_at.map_or(at, |t| t.max(at)));
        }
    }

    /// A command from someone whose arrival in the audience still waits: the digest comes
    /// first, so the command (`job`, put back at the front of the queue) finds them present.
    pub(super) fn digest_before(&mut self, job: Job<I>) {
        self.inbox.push_front(job);
        self.run_digest();
    }

    /// A join of the audience: subscribed at once, announced in the next digest.
    pub(super) fn audience_join(
        &mut self,
        conn: I::Conn,
        profile: Profile,
        since: Option<super::Seq>,
        request: String,
        reader: crate::domain::visibility::ReaderKind,
    ) {
        self.audience_arrived(profile.clone());
        self.subscribe(conn, profile, since, request, reader);
    }

    /// A join on a connection already joined, by a member of the audience: they are (or will
    /// be) recorded present; answered at once.
    pub(super) fn audience_rejoin(&mut self, conn: &I::Conn, profile: Profile, request: &str) {
        self.audience_arrived(profile);
        let ack = frames::ack(request, self.head.seq, false);
        self.effects.push_back(Effect::Send {
            conn: conn.clone(),
            item: Outbound::Frame(ack),
        });
    }
}
