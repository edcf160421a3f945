//! Keeping the state at the record, and delivering events: catch-up page by page, folding
//! again after a failed batch, events from other nodes (apply the next, repair a gap, drop the
//! old), and the fan-out of each event to the subscribers who may read it.

use super::exec::Rollup;
use super::io::{Effect, Io};
use super::ring::PerKind;
use super::{CATCH_UP_PAGE, Job, RoomCore, Wait};
use crate::domain::visibility::{self, ReaderKind, Visibility};
use crate::domain::{RoomState, evolve};
use crate::hub::error::HubError;
use crate::hub::frames;
use crate::hub::outbound::Outbound;
use crate::record::{Head, RecordedEvent};
use crate::store::StoreError;
use axum::extract::ws::Utf8Bytes;
use baraza_proto::consultation::Phase;
use baraza_proto::error::ErrorCode;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::ids::UserId;
use baraza_proto::message::ServerMessage;
use baraza_proto::view::ViewPatch;

impl<I: Io> RoomCore<I> {
    /// Asks for the next page of the record; `job` runs once the state is up to it.
    pub(super) fn begin_read(&mut self, job: Job<I>) {
        self.effects.push_back(Effect::Read {
            after: self.head.seq,
            limit: CATCH_UP_PAGE,
        });
        self.waiting = Some(Wait::Fresh(job));
    }

    /// A page of the record arrived: apply it, then read on or run `job`.
    pub(super) fn read_page(
        &mut self,
        job: Job<I>,
        result: Result<Vec<RecordedEvent>, StoreError>,
    ) {
        let events = match result {
            Ok(events) => events,
            Err(error) => return self.fail(job, error.into()),
        };
        let full = events.len() >= CATCH_UP_PAGE;
        for event in events {
            if event.prev_hash != self.head.hash {
                let error = StoreError::Corrupt(format!(
                    "{} seq {} does not chain onto seq {}",
                    self.id,
                    event.seq(),
                    self.head.seq
                ));
                return self.fail(job, error.into());
            }
            if event.seq() <= self.replay_until {
                // Delivered before the failed batch: folded again, not sent again.
                evolve(&mut self.state, &event.envelope);
                self.head = event.head();
            } else {
                self.apply(event);
            }
        }
        if full {
            return self.begin_read(job);
        }
        if self.head.seq < self.replay_until {
            let error = StoreError::Corrupt(format!(
                "the record of {} no longer holds the events delivered up to seq {}",
                self.id, self.replay_until
            ));
            return self.fail(job, HubError::from(error));
        }
        self.replay_until = 0;
        self.stale = false;
        self.run(job);
    }

    /// The state holds events that may not be in the record: fold the record again from the
    /// start before the state is used (what was delivered is not sent again).
    pub(super) fn diverge(&mut self) {
        self.replay_until = self.replay_until.max(self.head.seq);
        self.state = RoomState::default();
        self.head = Head::EMPTY;
        self.snapshots.clear();
        self.folded_views.clear();
        self.stale = true;
    }

    /// An event from another node: apply it if it is the next one, repair a gap, drop the old.
    pub(super) fn receive(&mut self, event: RecordedEvent) {
        if event.seq() <= self.head.seq.max(self.replay_until) {
            return;
        }
        if !self.stale && event.seq() == self.head.seq + 1 && event.prev_hash == self.head.hash {
            self.apply(event);
            return;
        }
        self.stale = true;
        self.start(Job::Sync);
    }

    /// Folds one event into the state and delivers it.
    fn apply(&mut self, event: RecordedEvent) {
        let rollup = self.fold(&event.envelope);
        self.deliver(event, rollup);
    }

    /// Folds one event into the state; for a publication, also what rolls up into the parent.
    /// Inside a batch this runs before the append: nothing here leaves the core.
    pub(super) fn fold(&mut self, event: &EventEnvelope) -> Rollup {
        evolve(&mut self.state, event);
        self.note_views(event);
        match &event.body {
            EventBody::PhaseChanged {
                phase: Phase::Published,
                ..
            } => crate::domain::consultation::rollup(&self.state),
            _ => None,
        }
    }

    /// The effects of a folded, appended event: roll-up, head, ring, fan-out, and cutting off
    /// whoever may no longer read the room.
    pub(super) fn deliver(&mut self, event: RecordedEvent, rollup: Rollup) {
        // Consultations: a publication rolls up into the parent, again on every load (the
        // parent ignores an input it already holds), so a lost delivery is repaired.
        if let Some((parent, input)) = rollup {
            self.effects.push_back(Effect::Rollup(parent, input));
        }
        self.head = event.head();
        self.last_ts = self.last_ts.max(event.envelope.ts);
        // A redaction: frames kept in memory may hold the texts; resumes read the record again
        // (after the texts are withdrawn from it, which is the next thing this room does).
        // Caucuses: an adoption (or a resend) posts the statement to the parent once the
        // room is loaded; while loading, `loaded` posts whatever is still pending.
        match &event.envelope.body {
            EventBody::StatementRedacted { statement, .. } => {
                self.ring.clear();
                self.snapshots.clear();
                self.effects.push_back(Effect::Withdraw(*statement));
            }
            EventBody::JointStatementAdopted { .. } => {
                self.adoptions.insert(event.seq(), hex::encode(event.hash));
                if self.loaded {
                    self.post_pending_joint();
                }
            }
            EventBody::JointStatementResent(_) if self.loaded => self.post_pending_joint(),
            _ => {}
        }
        let per_kind = self.frames_of(&event);
        self.ring.push(event.seq(), per_kind.clone());
        let views = self.views_of(&event);
        // Each subscriber gets the frame of its kind of reader; one whose right to read the
        // room this event took away gets it too (it says why), then is cut off.
        let mut revoked: Vec<(UserId, String)> = Vec::new();
        // The registry ended someone's access: they are cut off however the room reads them.
        if let EventBody::AccessEnded(ended) = &event.envelope.body {
            revoked.push((ended.user.clone(), String::new()));
        }
        for subscriber in self.members.live() {
            let kind = match visibility::may_enter(&subscriber.profile, &self.state) {
                Ok(kind) => kind,
                Err(refusal) => {
                    if !revoked.iter().any(|(u, _)| *u == subscriber.profile.user) {
                        revoked.push((subscriber.profile.user.clone(), refusal.to_string()));
                    }
                    visibility::reader_kind(&subscriber.profile, &self.state)
                }
            };
            let frame = per_kind[kind.index()].clone();
            let item = match &views[kind.index()] {
                Some(view) => Outbound::Batch(vec![frame, view.clone()]),
                None => Outbound::Frame(frame),
            };
            self.effects.push_back(Effect::Send {
                conn: subscriber.conn.clone(),
                item,
            });
        }
        for (user, refusal) in revoked {
            let message = match &event.envelope.body {
                EventBody::ParticipantExpelled(sanction) if sanction.user == user => {
                    format!("you were expelled from {}: {}", self.id, sanction.reason)
                }
                EventBody::AccessEnded(ended) if ended.user == user => {
                    format!(
                        "the registry ended your access to {}: {}",
                        self.id, ended.reason
                    )
                }
                _ => format!("you may no longer read {}: {refusal}", self.id),
            };
            self.cut_off(&user, message);
        }
        // The record says they left, but they are connected here: that was not a fact (e.g.
        // another node took this one for dead). They are recorded joined again.
        if let EventBody::MemberLeft { user, .. } = &event.envelope.body
            && self.members.holds(user)
        {
            self.rejoin.insert(user.clone());
        }
        if let EventBody::AudienceChanged { left, .. } = &event.envelope.body {
            let back: Vec<_> = left
                .iter()
                .filter(|u| self.members.holds(u))
                .filter_map(|u| self.members.profile_of(u).cloned())
                .collect();
            for profile in back {
                self.audience_arrived(profile);
            }
        }
    }

    /// Posts every adopted joint statement whose parent's answer is not recorded yet.
    pub(super) fn post_pending_joint(&mut self) {
        for (statement, adoption_seq) in crate::domain::caucus::pending_posts(&self.state) {
            let Some(hash) = self.adoptions.get(&adoption_seq) else {
                continue;
            };
            if let Some((parent, post)) =
                crate::domain::caucus::joint_post(&self.state, statement, hash)
            {
                self.effects.push_back(Effect::JointPost(parent, post));
            }
        }
    }

    /// Each kind of reader's frame of `event`; each distinct frame is encoded once.
    fn frames_of(&self, event: &RecordedEvent) -> PerKind {
        let shared: Utf8Bytes = event.wire_frame().into();
        let mut redacted: Option<Utf8Bytes> = None;
        ReaderKind::ALL.map(|kind| {
            match visibility::frame_for(kind, &self.state, &event.envelope.body) {
                Visibility::All => shared.clone(),
                Visibility::Redacted => redacted
                    .get_or_insert_with(|| frames::event(event, Visibility::Redacted))
                    .clone(),
            }
        })
    }

    /// Right after `event` is folded (so each event's own state, even inside a batch): the
    /// derived parts and the touched statements as each kind of reader with a subscriber here
    /// sees them, kept until the event is delivered ([`RoomCore::views_of`]).
    fn note_views(&mut self, event: &EventEnvelope) {
        if self.state.roundtable().is_none() && self.state.consultation().is_none() {
            return;
        }
        let mut listening = [false; 3];
        for subscriber in self.members.live() {
            listening[visibility::reader_kind(&subscriber.profile, &self.state).index()] = true;
        }
        // Roundtables list statements from the events themselves; a consultation's list is
        // the reader's view of each.
        let touched = match self.state.consultation() {
            Some(_) => crate::domain::state::touched_statements(event),
            None => Vec::new(),
        };
        let views = ReaderKind::ALL.map(|kind| {
            listening[kind.index()].then(|| {
                let mut shown = Vec::new();
                let mut removed = Vec::new();
                for id in &touched {
                    match self.state.statement_for(kind, *id) {
                        Some(statement) => shown.push(statement),
                        None => removed.push(*id),
                    }
                }
                (self.state.derived(kind), shown, removed)
            })
        });
        self.folded_views.push_back((event.seq, views));
    }

    /// Each kind of reader's `view` message after `event`: the derived parts that changed since
    /// the last one that kind was sent, and the touched statements as that kind sees them;
    /// `None` when nothing changed for it. Computed and encoded once per kind (once for all
    /// kinds when they get the same), only for kinds with a subscriber here (for the others the
    /// memory is dropped, so their next one is whole).
    fn views_of(&mut self, event: &RecordedEvent) -> [Option<Utf8Bytes>; 3] {
        let mut out: [Option<Utf8Bytes>; 3] = Default::default();
        while self
            .folded_views
            .front()
            .is_some_and(|(seq, _)| *seq < event.seq())
        {
            self.folded_views.pop_front();
        }
        let views = match self.folded_views.front() {
            Some((seq, _)) if *seq == event.seq() => self.folded_views.pop_front().map(|(_, v)| v),
            _ => None,
        };
        let Some(views) = views else {
            self.derived = Default::default();
            return out;
        };
        let mut last: Option<(ViewPatch, Utf8Bytes)> = None;
        for (kind, view) in ReaderKind::ALL.into_iter().zip(views) {
            let Some((now, statements, removed)) = view else {
                self.derived[kind.index()] = None;
                continue;
            };
            let before = self.derived[kind.index()].replace(now.clone());
            let mut patch = ViewPatch {
                room: self.id.clone(),
                seq: event.seq(),
                roundtable: None,
                consultation: None,
                statements,
                removed,
                resume: false,
            };
            if before
                .as_ref()
                .is_none_or(|b| b.roundtable != now.roundtable)
            {
                patch.roundtable = now.roundtable;
            }
            if before
                .as_ref()
                .is_none_or(|b| b.consultation != now.consultation)
            {
                patch.consultation = now.consultation;
            }
            if patch.roundtable.is_none()
                && patch.consultation.is_none()
                && patch.statements.is_empty()
                && patch.removed.is_empty()
            {
                continue;
            }
            let frame = match &last {
                Some((same, frame)) if *same == patch => frame.clone(),
                _ => frames::encode(&ServerMessage::View(Box::new(patch.clone()))),
            };
            last = Some((patch, frame.clone()));
            out[kind.index()] = Some(frame);
        }
        out
    }

    /// The `view` message that ends a resume for `reader`: the derived parts as of the head,
    /// whole; `None` for rooms without any.
    pub(super) fn resume_view(&self, reader: ReaderKind) -> Option<Utf8Bytes> {
        let now = self.state.derived(reader);
        if now.roundtable.is_none() && now.consultation.is_none() {
            return None;
        }
        Some(frames::encode(&ServerMessage::View(Box::new(ViewPatch {
            room: self.id.clone(),
            seq: self.head.seq,
            roundtable: now.roundtable,
            consultation: now.consultation,
            statements: Vec::new(),
            removed: Vec::new(),
            resume: true,
        }))))
    }

    /// Stops sending this room to every local connection of `user`: each gets a `forbidden`
    /// error naming the room (after the frames already queued), then nothing more from it.
    /// Their other rooms are not affected. If the record still shows them present, their
    /// departure is recorded at once (they cannot come back).
    fn cut_off(&mut self, user: &UserId, message: String) {
        let cut = self.members.remove_user(user);
        if cut.is_empty() {
            return;
        }
        for subscriber in cut {
            self.effects.push_back(Effect::Send {
                conn: subscriber.conn,
                item: Outbound::Frame(frames::error(
                    None,
                    ErrorCode::Forbidden,
                    message.clone(),
                    None,
                )),
            });
        }
        self.effects.push_back(Effect::Detach(user.clone()));
        if self.state.is_present(user) {
            self.timers.schedule_leave(user.clone(), self.clock);
        }
    }
}
