//! A parent room's decision on a caucus's joint statement (`Command::ReceiveJoint`, given by
//! the server only): the parent's own rules apply, as to a statement of its own.
//!
//! Recorded at most once per (caucus, statement): delivery is at least once, so a repeat
//! records nothing and is answered with the statement already recorded.

use crate::domain::state::RoomState;
use crate::domain::text::{check_text, clean_prose};
use crate::domain::{Rejection, consultation};
use baraza_proto::caucus::JointPost;
use baraza_proto::event::EventBody;
use baraza_proto::limits::MAX_STATEMENT_CHARS;
use baraza_proto::room::RoomKind;
use baraza_proto::view::StatementView;

/// The statement of `state` that came from this post's caucus statement, if recorded.
pub fn recorded<'a>(state: &'a RoomState, post: &JointPost) -> Option<&'a StatementView> {
    state.statements.iter().find(|s| {
        s.joint
            .as_ref()
            .is_some_and(|j| j.caucus == post.origin.caucus && j.statement == post.origin.statement)
    })
}

/// What a joint statement posted to this room means: a `statement_posted` carrying its
/// origin (held under pre-moderation), nothing when it is already recorded, or the parent's
/// refusal (not a roundtable or consultation, a consultation not open, no such question, not
/// a working language).
pub fn receive(state: &RoomState, post: &JointPost) -> Result<Vec<EventBody>, Rejection> {
    let info = state.info().ok_or(Rejection::RoomNotFound)?;
    if recorded(state, post).is_some() {
        return Ok(vec![]);
    }
    if post.origin.caucus == info.id {
        return Err(Rejection::Invalid(
            "a caucus does not post to itself".into(),
        ));
    }
    let text = clean_prose("statement", &post.text)?;
    check_text("statement", &text, 1, MAX_STATEMENT_CHARS)?;
    let (question, held) = match info.settings.kind {
        RoomKind::Consultation => {
            consultation::decide::joint_submission(state, &post.lang, post.question)?
        }
        RoomKind::Roundtable => {
            if post.question.is_some() {
                return Err(Rejection::Invalid("a roundtable has no questions".into()));
            }
            (None, false)
        }
        RoomKind::Caucus => {
            return Err(Rejection::Invalid(
                "joint statements are posted to a roundtable or a consultation, not a caucus"
                    .into(),
            ));
        }
    };
    Ok(vec![EventBody::StatementPosted {
        text,
        text_commitment: None,
        lang: post.lang.clone(),
        parent: None,
        agenda_item: None,
        question,
        alignment: None,
        held,
        attachments: Vec::new(),
        by_mail: None,
        joint: Some(Box::new(post.origin.clone())),
    }])
}
