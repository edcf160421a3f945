//! The projection of a room's record into an [`Export`]: pure, deterministic, and the only
//! place an export's content is decided (what each reader may see of it is
//! [`visibility`](crate::domain::visibility)'s answer).

use super::labels::Lang;
use super::model::*;
use crate::domain::visibility::{self, InExport, ReaderKind};
use crate::domain::{RoomState, evolve, geo};
use crate::record::RecordedEvent;
use baraza_proto::event::EventBody;
use baraza_proto::identity::Profile;
use baraza_proto::ids::{QuestionId, Seq, UserId};
use baraza_proto::minutes::CorrectionStatus;
use baraza_proto::view::{RoomView, StatementView};
use std::collections::{BTreeMap, HashMap};

/// The room's state after all of `events` (a room's whole record, in order).
pub fn fold(events: &[RecordedEvent]) -> RoomState {
    let mut state = RoomState::default();
    for event in events {
        evolve(&mut state, &event.envelope);
    }
    state
}

/// Projects a room's whole record (`events`, in order, from seq 1) into the document a
/// `reader` of that kind may read, with headings in `lang`. `None` for an empty record.
///
/// Guarantees: the same events, reader and language always give the same document; for
/// readers who do not moderate it holds no statement that is not published
/// ([`visibility::statement_in_export`]) and no draft synthesis.
pub fn project(events: &[RecordedEvent], reader: ReaderKind, lang: Lang) -> Option<Export> {
    let state = fold(events);
    let info = state.info()?.clone();
    let mut full = state.view(ReaderKind::Moderating)?;
    let mut readable = state.view(reader)?;
    for view in [&mut full, &mut readable] {
        for s in &mut view.statements {
            if let Some(redaction) = &s.redaction {
                s.text = format!("[{}: {}]", lang.labels().redacted, redaction.reason);
            }
        }
    }
    let last = events.last()?;
    let mut people = People::default();
    for m in &full.members {
        people.add(&m.profile);
    }
    let statements = Statements::new(&full, reader);
    let mut chairs: Vec<UserId> = Vec::new();
    let mut attendance: Vec<Attendance> = Vec::new();
    let mut open: HashMap<UserId, usize> = HashMap::new();
    // The audience is named in the attendance only for those who may see its names; its
    // authors are named wherever their statements are shown.
    let audience_named = visibility::sees_audience_names(reader);
    let mut audience: HashMap<UserId, Profile> = HashMap::new();
    for event in events {
        let e = &event.envelope;
        let chairs_here = matches!(
            e.body,
            EventBody::AgendaItemOpened(_)
                | EventBody::AgendaItemClosed(_)
                | EventBody::FloorGranted(_)
                | EventBody::PointOfOrderRuled(_)
        );
        if chairs_here
            && let Some(actor) = &e.actor
            && !chairs.contains(actor)
        {
            chairs.push(actor.clone());
        }
        match &e.body {
            EventBody::FloorGranted(g) => people.add(&g.speaker),
            EventBody::MemberJoined { member } if !open.contains_key(&member.user) => {
                open.insert(member.user.clone(), attendance.len());
                attendance.push(Attendance {
                    user: member.user.clone(),
                    from: e.ts,
                    to: None,
                    reason: None,
                });
            }
            EventBody::MemberLeft { user, reason } => {
                if let Some(i) = open.remove(user) {
                    attendance[i].to = Some(e.ts);
                    attendance[i].reason = Some(*reason);
                }
            }
            EventBody::AudienceChanged { arrived, left, .. } => {
                for member in arrived {
                    if audience_named {
                        people.add(member);
                    } else {
                        audience.insert(member.user.clone(), member.clone());
                    }
                    if audience_named && !open.contains_key(&member.user) {
                        open.insert(member.user.clone(), attendance.len());
                        attendance.push(Attendance {
                            user: member.user.clone(),
                            from: e.ts,
                            to: None,
                            reason: None,
                        });
                    }
                }
                for user in left {
                    if let Some(i) = open.remove(user) {
                        attendance[i].to = Some(e.ts);
                    }
                }
            }
            EventBody::StatementPosted { .. } => {
                if let Some(author) = e.actor.as_ref().and_then(|a| audience.get(a)) {
                    people.add(author);
                }
            }
            EventBody::ParticipantExpelled(s) => {
                if let Some(i) = open.remove(&s.user) {
                    attendance[i].to = Some(e.ts);
                }
            }
            // The record closes: whoever was still present is counted until then.
            EventBody::RoomArchived => {
                for (_, i) in open.drain() {
                    attendance[i].to = Some(e.ts);
                }
            }
            _ => {}
        }
    }
    let mut agenda = Vec::new();
    let mut placed: Vec<Seq> = Vec::new();
    if let Some(rt) = &full.roundtable {
        for item in &rt.agenda {
            let turns = rt
                .turns
                .iter()
                .filter(|t| t.item == item.id)
                .map(|t| {
                    placed.extend(&t.statements);
                    Turn {
                        id: t.id,
                        speaker: t.user.clone(),
                        kind: t.kind,
                        reply_to: t.reply_to.and_then(|r| {
                            rt.turns
                                .iter()
                                .find(|o| o.id == r)
                                .map(|o| (r, o.user.clone()))
                        }),
                        started_at: t.granted_at,
                        spoken_ms: t.spoken_ms,
                        duration_ms: t.duration_ms,
                        end_reason: t.end_reason,
                        out_of_order: t.out_of_order.clone(),
                        ruling: t.ruling.clone(),
                        statements: t
                            .statements
                            .iter()
                            .filter_map(|&id| statements.shown(id))
                            .collect(),
                    }
                })
                .collect();
            let on_item: Vec<Statement> = full
                .statements
                .iter()
                .filter(|s| s.agenda_item == Some(item.id) && !placed.contains(&s.id))
                .filter_map(|s| statements.shown(s.id))
                .collect();
            placed.extend(on_item.iter().map(|s| s.id));
            agenda.push(AgendaItem {
                id: item.id,
                title: item.title.clone(),
                turns,
                statements: on_item,
            });
        }
    }
    let consultation = full
        .consultation
        .as_ref()
        .zip(readable.consultation.as_ref())
        .map(|(c, mine)| {
            let questions = c
                .questions
                .iter()
                .map(|q| {
                    let (published, withheld) = statements.under_question(q.id);
                    placed.extend(published.iter().flat_map(ids));
                    placed.extend(withheld.iter().map(|s| s.id));
                    Question {
                        id: q.id,
                        text: q.text.clone(),
                        published,
                        withheld,
                    }
                })
                .collect();
            ConsultationPart {
                phase: c.phase,
                moderation: c.moderation,
                parent: c.parent.clone(),
                rapporteurs: c.rapporteurs.clone(),
                questions,
                synthesis: mine.synthesis.clone(),
                inputs: mine.inputs.clone(),
                figures: mine.figures.clone(),
            }
        });
    let other_statements = full
        .statements
        .iter()
        .filter(|s| !placed.contains(&s.id))
        .filter_map(|s| statements.shown(s.id))
        .collect::<Vec<_>>();
    let left_out = full
        .statements
        .iter()
        .filter(|s| visibility::statement_in_export(reader, s) == InExport::LeftOut)
        .count() as u32;
    let after_creation = events.iter().skip(1).map(|e| e.envelope.ts);
    let created_at = events[0].envelope.ts;
    Some(Export {
        room: info.id.clone(),
        kind: info.settings.kind,
        title: info.settings.title.clone(),
        description: info.settings.description.clone(),
        scope: info.settings.scope.clone(),
        languages: info.settings.languages.clone(),
        lang,
        audience: if reader.moderating() {
            Audience::Full
        } else {
            Audience::Public
        },
        created_at,
        from: after_creation.clone().min().unwrap_or(created_at),
        to: after_creation.max().unwrap_or(created_at),
        chairs,
        people: people.list,
        agenda,
        other_statements,
        attendance,
        speaking: full.roundtable.as_ref().map(|rt| rt.session_stats.clone()),
        consultation,
        left_out,
        archived_at: info.archived_at,
        minutes: approved_minutes(&state),
        head: HeadRef {
            seq: last.seq(),
            hash: hex::encode(last.hash),
        },
    })
}

/// The minutes if they were approved: their final text and seal.
fn approved_minutes(state: &RoomState) -> Option<ApprovedMinutes> {
    let m = state.minutes()?.view();
    let seal = m.sealed.as_ref()?;
    let count = |status| m.corrections.iter().filter(|c| c.status == status).count();
    Some(ApprovedMinutes {
        text: m.text.clone(),
        lang: m.lang.clone(),
        approved_by: seal.by.clone(),
        approved_at: seal.at,
        seq: seal.seq,
        sha256: seal.sha256.clone(),
        corrections: (
            count(CorrectionStatus::Accepted),
            count(CorrectionStatus::Declined),
        ),
    })
}

fn ids(s: &Statement) -> Vec<Seq> {
    let mut out = vec![s.id];
    for r in &s.replies {
        out.extend(ids(r));
    }
    out
}

/// Everyone named, once, with their latest profile.
#[derive(Default)]
struct People {
    list: Vec<Person>,
    index: HashMap<UserId, usize>,
}

impl People {
    fn add(&mut self, p: &Profile) {
        let person = Person {
            user: p.user.clone(),
            name: p.name.clone(),
            role: p.role,
            org: p.org.clone(),
            constituency: p.constituency,
            country: p.country.as_ref().map(|c| c.as_str().to_owned()),
            un_group: p
                .region
                .as_ref()
                .and_then(|r| r.un_group)
                .map(|g| geo::un_group_slug(g).to_owned()),
        };
        match self.index.get(&p.user) {
            Some(&i) => self.list[i] = person,
            None => {
                self.index.insert(p.user.clone(), self.list.len());
                self.list.push(person);
            }
        }
    }
}

/// The room's statements as the export shows them to one reader.
struct Statements<'a> {
    all: BTreeMap<Seq, &'a StatementView>,
    reader: ReaderKind,
}

impl<'a> Statements<'a> {
    fn new(full: &'a RoomView, reader: ReaderKind) -> Self {
        Statements {
            all: full.statements.iter().map(|s| (s.id, s)).collect(),
            reader,
        }
    }

    /// Statement `id` without replies, if this reader's export shows it.
    fn shown(&self, id: Seq) -> Option<Statement> {
        let s = self.all.get(&id)?;
        match visibility::statement_in_export(self.reader, s) {
            InExport::LeftOut => None,
            InExport::Shown | InExport::Marked => Some(statement(s)),
        }
    }

    /// The question a statement belongs to: its own, or its thread's.
    fn question_of(&self, s: &StatementView) -> Option<QuestionId> {
        let mut current = s;
        for _ in 0..self.all.len() {
            if current.question.is_some() {
                return current.question;
            }
            current = self.all.get(&current.parent?)?;
        }
        None
    }

    /// Published threads (published replies under published parents) and, for moderating
    /// readers, the question's statements that are not published, oldest first.
    fn under_question(&self, question: QuestionId) -> (Vec<Statement>, Vec<Statement>) {
        let mine: Vec<&StatementView> = self
            .all
            .values()
            .copied()
            .filter(|s| self.question_of(s) == Some(question))
            .collect();
        let is_shown =
            |s: &StatementView| visibility::statement_in_export(self.reader, s) == InExport::Shown;
        let roots: Vec<&StatementView> = mine
            .iter()
            .copied()
            .filter(|s| is_shown(s))
            .filter(|s| {
                s.parent
                    .is_none_or(|p| !self.all.get(&p).is_some_and(|p| is_shown(p)))
            })
            .collect();
        let published = roots
            .into_iter()
            .map(|root| self.thread(root, &mine, &is_shown))
            .collect();
        let withheld = mine
            .iter()
            .filter(|s| visibility::statement_in_export(self.reader, s) == InExport::Marked)
            .map(|s| statement(s))
            .collect();
        (published, withheld)
    }

    fn thread(
        &self,
        root: &StatementView,
        mine: &[&StatementView],
        is_shown: &impl Fn(&StatementView) -> bool,
    ) -> Statement {
        let mut out = statement(root);
        out.replies = mine
            .iter()
            .filter(|s| s.parent == Some(root.id) && is_shown(s))
            .map(|s| self.thread(s, mine, is_shown))
            .collect();
        out
    }
}

fn statement(s: &StatementView) -> Statement {
    let (status, status_reason) = if s.held {
        (Status::Held, None)
    } else if let Some(r) = &s.rejected {
        (Status::Rejected, Some(r.reason.clone()))
    } else if let Some(h) = &s.hidden {
        (Status::Hidden, Some(h.reason.clone()))
    } else {
        (Status::Published, None)
    };
    Statement {
        id: s.id,
        author: s.author.clone(),
        org: s.org.clone(),
        lang: s.lang.clone(),
        text: s.text.clone(),
        posted_at: s.posted_at,
        edited: s.edited_at.map(|at| (at, s.versions.len())),
        status,
        status_reason,
        parent: s.parent,
        alignment: s.alignment,
        replies: Vec::new(),
        joint: s.joint.clone(),
    }
}
