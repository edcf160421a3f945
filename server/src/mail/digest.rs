//! Digests: for one person and one consultation, the statements published since their last
//! digest under the questions they follow, and the replies to their own statements, each with
//! a reply address. Which period a digest belongs to (`daily:<day>`, `weekly:<week>`) is a
//! function of `now`, so a digest is due once per period and can be run for any `now`. Pure.

use super::compose::{self, Content, fill};
use super::db::Queued;
use super::labels::labels;
use super::notices::{Context, Recipient, excerpt, message};
use super::token::Target;
use crate::domain::state::RoomState;
use crate::registry::access::user_of;
use baraza_proto::ids::{Millis, RoomId, Seq, StatementId};
use baraza_proto::mail::DigestFrequency;
use baraza_proto::view::StatementView;

const DAY_MS: Millis = 86_400_000;

/// The period `now` falls in for `frequency` (`None` for no digests).
pub fn period(frequency: DigestFrequency, now: Millis) -> Option<String> {
    match frequency {
        DigestFrequency::Daily => Some(format!("daily:{}", now / DAY_MS)),
        // Weeks start on Monday: 1970-01-01 was a Thursday.
        DigestFrequency::Weekly => Some(format!("weekly:{}", (now / DAY_MS + 3) / 7)),
        DigestFrequency::None => None,
    }
}

/// A statement becoming visible: `statement_posted` not held, or `statement_approved`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Publication {
    /// The event's seq.
    pub seq: Seq,
    /// Its time.
    pub ts: Millis,
    /// The statement.
    pub statement: StatementId,
}

/// One consultation as a digest reads it.
pub struct RoomDigest<'a> {
    /// The room.
    pub room: &'a RoomId,
    /// Its number for reply tokens.
    pub room_no: u64,
    /// Its state now.
    pub state: &'a RoomState,
    /// Its publications, in record order.
    pub publications: &'a [Publication],
    /// How far the person's digests went in it.
    pub cursor: Seq,
}

fn public(s: &StatementView) -> bool {
    s.hidden.is_none() && !s.held && s.rejected.is_none() && s.redaction.is_none()
}

/// The digest of `rooms` for `recipient` at `now`, and the new cursor of each room. The message
/// is `None` when nothing is new.
pub fn digest(
    ctx: &Context<'_>,
    recipient: &Recipient,
    period: &str,
    rooms: &[RoomDigest<'_>],
) -> (Option<Queued>, Vec<(RoomId, Seq)>) {
    let l = labels(recipient.settings.lang.as_str());
    let me = user_of(recipient.person);
    let mut cursors = Vec::new();
    let mut sections = Vec::new();
    let mut titles = Vec::new();
    for r in rooms {
        let Some(info) = r.state.info() else { continue };
        let mut new = Vec::new();
        let mut replies = Vec::new();
        let mut last = r.cursor;
        for p in r
            .publications
            .iter()
            .filter(|p| p.seq > r.cursor && p.ts <= ctx.now)
        {
            last = last.max(p.seq);
            let Some(s) = r.state.statement(p.statement) else {
                continue;
            };
            if !public(s) || s.author == me {
                continue;
            }
            let to_me = s
                .parent
                .and_then(|parent| r.state.statement(parent))
                .is_some_and(|parent| parent.author == me);
            let followed = recipient.settings.follows.is_empty()
                || recipient
                    .settings
                    .follows
                    .iter()
                    .any(|f| &f.room == r.room && Some(f.question) == s.question);
            if !to_me && !followed {
                continue;
            }
            let address = ctx.reply_address(recipient.person, r.room_no, Target::Statement(s.id));
            let entry = format!(
                "— {}{}:\n{}\n{}",
                s.org.clone().unwrap_or_default(),
                s.alignment
                    .map(|a| format!(
                        " ({})",
                        serde_json::to_value(a)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default()
                    ))
                    .unwrap_or_default(),
                excerpt(&s.text, 1_000),
                fill(l.reply_by_mail, &[("address", &address)])
            );
            if to_me {
                replies.push(entry)
            } else {
                new.push(entry)
            }
        }
        cursors.push((r.room.clone(), last));
        if new.is_empty() && replies.is_empty() {
            continue;
        }
        titles.push(info.settings.title.clone());
        let mut section = format!("## {}", info.settings.title);
        if !replies.is_empty() {
            section.push_str(&format!(
                "\n\n{}\n\n{}",
                l.digest_replies,
                replies.join("\n\n")
            ));
        }
        if !new.is_empty() {
            section.push_str(&format!("\n\n{}\n\n{}", l.digest_new, new.join("\n\n")));
        }
        section.push_str(&format!(
            "\n\n{}",
            fill(l.on_the_web, &[("link", &ctx.room_link(r.room))])
        ));
        sections.push(section);
    }
    if sections.is_empty() {
        return (None, cursors);
    }
    let text = format!(
        "{}\n\n{}\n\n{}",
        fill(l.dear, &[("name", &recipient.name)]),
        sections.join("\n\n"),
        fill(l.unsubscribe, &[("link", &ctx.settings_link())])
    );
    let thread = (rooms.len() == 1).then(|| compose::thread_of(rooms[0].room.as_str(), ctx.domain));
    let queued = message(
        ctx,
        recipient,
        format!("digest:{}:{period}", recipient.person),
        thread.as_deref(),
        None,
        Content {
            subject: fill(l.digest_subject, &[("title", &titles.join(", "))]),
            text,
        },
        l,
    );
    (queued, cursors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_days_and_weeks_from_monday() {
        // 2026-12-07 is a Monday.
        let monday = 1_796_601_600_000;
        assert_eq!(
            period(DigestFrequency::Daily, monday),
            Some(format!("daily:{}", monday / DAY_MS))
        );
        assert_eq!(
            period(DigestFrequency::Weekly, monday),
            period(DigestFrequency::Weekly, monday + 6 * DAY_MS + 1)
        );
        assert_ne!(
            period(DigestFrequency::Weekly, monday),
            period(DigestFrequency::Weekly, monday - 1)
        );
        assert_eq!(period(DigestFrequency::None, monday), None);
    }
}
