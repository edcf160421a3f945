//! `RoomState`: everything a room's record says so far, and the views readers get of it.

use super::caucus::CaucusState;
use super::consultation::ConsultationState;
use super::minutes::MinutesState;
use super::roundtable::RoundtableState;
use super::visibility::ReaderKind;
use baraza_proto::consultation::ConsultationView;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::identity::Profile;
use baraza_proto::ids::{IdempotencyKey, Millis, Seq, StatementId, UserId};
use baraza_proto::room::{RoomInfo, RoomSummary, SUMMARY_NAMES};
use baraza_proto::roundtable::RoundtableView;
use baraza_proto::view::{AUDIENCE_NAMES, AudienceView, MemberView, RoomView, StatementView};
use std::collections::{HashMap, HashSet};

/// The fold of a room's events up to `seq`.
///
/// Guarantees: built only by [`evolve`](super::evolve) from events in order, so two nodes that
/// applied the same events hold equal states; members keep their order of first arrival;
/// statements are ordered by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoomState {
    pub(super) seq: Seq,
    pub(super) info: Option<RoomInfo>,
    pub(super) members: Vec<MemberView>,
    pub(super) member_index: HashMap<UserId, usize>,
    /// Members whose latest arrival was in the audience (`audience_changed`), present or not.
    pub(super) audience: HashSet<UserId>,
    /// How many members are present (participants and audience).
    pub(super) present_count: usize,
    /// How many of the audience are present.
    pub(super) audience_present: usize,
    pub(super) statements: Vec<StatementView>,
    /// Statements with a text recorded in the v1 form (inside the hashed record): they cannot
    /// be redacted until the record is migrated.
    pub(super) uncommitted: std::collections::BTreeSet<StatementId>,
    pub(super) keys: HashMap<(UserId, IdempotencyKey), Seq>,
    /// Agenda, floor and statistics; `Some` for rooms of kind roundtable.
    pub(super) roundtable: Option<RoundtableState>,
    /// Present for rooms of kind consultation.
    pub(super) consultation: Option<ConsultationState>,
    /// The minutes, once a first draft exists.
    pub(super) minutes: Option<MinutesState>,
    /// Present for rooms of kind caucus.
    pub(super) caucus: Option<CaucusState>,
}

/// The parts of a reader's view the server derives (see [`RoomState::derived`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Derived {
    /// `state.roundtable`.
    pub roundtable: Option<RoundtableView>,
    /// `state.consultation`.
    pub consultation: Option<ConsultationView>,
}

/// The statements an event touches (posts, edits, hides, approves…): those whose view a
/// `view` message after it carries (or names as removed).
pub fn touched_statements(event: &EventEnvelope) -> Vec<StatementId> {
    match &event.body {
        EventBody::StatementPosted { .. } => vec![event.seq],
        EventBody::StatementHidden { statement, .. }
        | EventBody::StatementEdited { statement, .. }
        | EventBody::StatementRedacted { statement, .. }
        | EventBody::StatementRestored { statement, .. }
        | EventBody::StatementApproved { statement, .. }
        | EventBody::StatementRejected { statement, .. }
        | EventBody::StatementReported { statement, .. }
        | EventBody::ReportDismissed { statement, .. } => vec![*statement],
        _ => Vec::new(),
    }
}

impl RoomState {
    /// The seq of the last event applied (0 before the room exists).
    pub fn seq(&self) -> Seq {
        self.seq
    }

    /// The room's identity and settings; `None` until `room_created`.
    pub fn info(&self) -> Option<&RoomInfo> {
        self.info.as_ref()
    }

    /// Whether the room is archived: its record is closed for good.
    pub fn archived(&self) -> bool {
        self.info.as_ref().is_some_and(|i| i.archived_at.is_some())
    }

    /// A member (present or gone) by id.
    pub fn member(&self, user: &UserId) -> Option<&MemberView> {
        self.member_index.get(user).map(|&i| &self.members[i])
    }

    /// Whether `user` is in the room now.
    pub fn is_present(&self, user: &UserId) -> bool {
        self.member(user).is_some_and(|m| m.present)
    }

    /// How many are in the room now (participants and audience).
    pub fn present_count(&self) -> usize {
        self.present_count
    }

    /// How many of the audience are in the room now.
    pub fn audience_present(&self) -> usize {
        self.audience_present
    }

    /// Whether `user` last arrived in the audience (see [`super::audience`]).
    pub fn in_audience(&self, user: &UserId) -> bool {
        self.audience.contains(user)
    }

    /// `profile` arrived at `ts`, as a participant or in the audience.
    pub(super) fn arrive(&mut self, profile: &Profile, ts: Millis, audience: bool) {
        let i = match self.member_index.get(&profile.user) {
            Some(&i) => {
                if self.members[i].present {
                    self.present_count -= 1;
                    if self.audience.contains(&profile.user) {
                        self.audience_present -= 1;
                    }
                }
                let view = &mut self.members[i];
                view.profile = profile.clone();
                view.joined_at = ts;
                i
            }
            None => {
                self.member_index
                    .insert(profile.user.clone(), self.members.len());
                self.members.push(MemberView {
                    profile: profile.clone(),
                    present: false,
                    joined_at: ts,
                });
                self.members.len() - 1
            }
        };
        self.members[i].present = true;
        self.present_count += 1;
        if audience {
            self.audience.insert(profile.user.clone());
            self.audience_present += 1;
        } else {
            self.audience.remove(&profile.user);
        }
    }

    /// `user` is no longer in the room (if they were).
    pub(super) fn depart(&mut self, user: &UserId) {
        if let Some(&i) = self.member_index.get(user)
            && self.members[i].present
        {
            self.members[i].present = false;
            self.present_count -= 1;
            if self.audience.contains(user) {
                self.audience_present -= 1;
            }
        }
    }

    /// Nobody is in the room any more (it was archived).
    pub(super) fn empty(&mut self) {
        for member in &mut self.members {
            member.present = false;
        }
        self.present_count = 0;
        self.audience_present = 0;
    }

    /// Profiles of everyone in the room now.
    pub fn present_members(&self) -> impl Iterator<Item = &Profile> {
        self.members
            .iter()
            .filter(|m| m.present)
            .map(|m| &m.profile)
    }

    /// A statement by id.
    pub fn statement(&self, id: StatementId) -> Option<&StatementView> {
        self.statements
            .binary_search_by_key(&id, |s| s.id)
            .ok()
            .map(|i| &self.statements[i])
    }

    /// Whether every text of `statement` is committed to rather than inside the hashed record
    /// (so it can be redacted).
    pub fn committed(&self, statement: StatementId) -> bool {
        !self.uncommitted.contains(&statement)
    }

    /// The statements that came by e-mail.
    pub fn statements_by_mail(&self) -> impl Iterator<Item = &StatementView> {
        self.statements.iter().filter(|s| s.by_mail)
    }

    /// The consultation part of the state (rooms of kind consultation only).
    pub fn consultation(&self) -> Option<&ConsultationState> {
        self.consultation.as_ref()
    }

    /// The seq of the first event a command with this actor and key produced, if any.
    pub fn seq_for_key(&self, user: &UserId, key: &IdempotencyKey) -> Option<Seq> {
        self.keys.get(&(user.clone(), key.clone())).copied()
    }

    /// The room as a `reader` of that kind may see it: hidden statements keep their place but
    /// lose their text for those who do not moderate. `None` before the room exists. Whether
    /// someone may read the room at all, and as which kind, is
    /// [`visibility::may_read`](super::visibility::may_read)'s answer.
    pub fn view(&self, reader: ReaderKind) -> Option<RoomView> {
        let info = self.info.clone()?;
        let statements = self
            .statements
            .iter()
            .filter_map(|s| self.statement_as(reader, s))
            .collect();
        let consultation = self.consultation.as_ref().map(|c| c.view(self, reader));
        let audience = AudienceView {
            present: self.audience_present,
            names: if super::visibility::sees_audience_names(reader) {
                self.members
                    .iter()
                    .filter(|m| m.present && self.audience.contains(&m.profile.user))
                    .take(AUDIENCE_NAMES)
                    .map(|m| m.profile.name.clone())
                    .collect()
            } else {
                Vec::new()
            },
        };
        Some(RoomView {
            info,
            // The audience is counted, not listed: a view stays the size of the debate.
            members: self
                .members
                .iter()
                .filter(|m| !self.audience.contains(&m.profile.user))
                .cloned()
                .collect(),
            audience,
            statements,
            roundtable: self.roundtable.as_ref().map(|rt| rt.view(self)),
            consultation,
            minutes: self.minutes.as_ref().map(|m| m.view().clone()),
            caucus: self.caucus.as_ref().map(|c| c.view()),
        })
    }

    /// The statement `id` as a `reader` of that kind sees it in [`RoomState::view`]; `None`
    /// when there is no such statement or their view does not list it.
    pub fn statement_for(&self, reader: ReaderKind, id: StatementId) -> Option<StatementView> {
        self.statement_as(reader, self.statement(id)?)
    }

    /// The one rule for a statement in a reader's view: hidden statements keep their place
    /// but lose their text for those who do not moderate; a consultation filters further
    /// ([`ConsultationState::shows`]).
    fn statement_as(&self, reader: ReaderKind, s: &StatementView) -> Option<StatementView> {
        let mut shown = if s.hidden.is_some() && !reader.moderating() {
            StatementView {
                text: String::new(),
                redacted: true,
                ..s.clone()
            }
        } else {
            s.clone()
        };
        if self.consultation.is_some() && !ConsultationState::shows(reader, &mut shown) {
            return None;
        }
        Some(shown)
    }

    /// The server-derived parts of the view as `reader` sees them: the roundtable part and
    /// the consultation part (without statements). What a `view` message carries.
    pub fn derived(&self, reader: ReaderKind) -> Derived {
        Derived {
            roundtable: self.roundtable.as_ref().map(|rt| rt.view(self)),
            consultation: self.consultation.as_ref().map(|c| c.view(self, reader)),
        }
    }

    /// The minutes (once a first draft exists).
    pub fn minutes(&self) -> Option<&MinutesState> {
        self.minutes.as_ref()
    }

    /// The caucus part of the state (rooms of kind caucus).
    pub fn caucus(&self) -> Option<&CaucusState> {
        self.caucus.as_ref()
    }

    /// The roundtable part of the state (rooms of kind roundtable).
    pub fn roundtable(&self) -> Option<&RoundtableState> {
        self.roundtable.as_ref()
    }

    /// When the hub must next send `Command::Tick`: the next speaking-time warning or deadline,
    /// or a consultation phase's scheduled end. `None` when no timer runs.
    pub fn next_deadline(&self) -> Option<Millis> {
        if self.archived() {
            return None;
        }
        let floor = self.roundtable.as_ref().and_then(|rt| rt.next_deadline());
        let phase = self.consultation.as_ref().and_then(|c| c.next_deadline());
        match (floor, phase) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The room's line in the room list. `None` before the room exists.
    pub fn summary(&self) -> Option<RoomSummary> {
        let present = self.members.iter().filter(|m| m.present);
        Some(RoomSummary {
            info: self.info.clone()?,
            seq: self.seq,
            present: present.clone().count(),
            present_names: present
                .take(SUMMARY_NAMES)
                .map(|m| m.profile.name.clone())
                .collect(),
            phase: self.consultation.as_ref().map(|c| c.phase()),
        })
    }
}
