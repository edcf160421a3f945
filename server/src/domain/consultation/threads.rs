//! The threaded page of `GET /api/rooms/{id}/threads`, built from a reader's view (so it
//! shows exactly what that reader may see).

use baraza_proto::consultation::{QuestionThreads, Thread, ThreadsPage};
use baraza_proto::ids::{Seq, StatementId};
use baraza_proto::view::{RoomView, StatementView};
use std::collections::HashMap;

/// The threads of a consultation's view, or `None` for rooms of other kinds. Statements come
/// oldest first under their question; replies under their parent; a reply whose parent the
/// reader cannot see is left out with it.
pub fn threads(seq: Seq, view: &RoomView) -> Option<ThreadsPage> {
    let consultation = view.consultation.as_ref()?;
    let mut children: HashMap<Option<StatementId>, Vec<&StatementView>> = HashMap::new();
    for s in &view.statements {
        children.entry(s.parent).or_default().push(s);
    }
    let roots = children.get(&None).cloned().unwrap_or_default();
    let questions = consultation
        .questions
        .iter()
        .map(|q| QuestionThreads {
            question: q.clone(),
            threads: roots
                .iter()
                .filter(|s| s.question == Some(q.id))
                .map(|s| thread(s, &children))
                .collect(),
        })
        .collect();
    let other = roots
        .iter()
        .filter(|s| {
            s.question
                .is_none_or(|q| !consultation.questions.iter().any(|x| x.id == q))
        })
        .map(|s| thread(s, &children))
        .collect();
    Some(ThreadsPage {
        room: view.info.id.clone(),
        seq,
        title: view.info.settings.title.clone(),
        phase: consultation.phase,
        questions,
        other,
        synthesis: consultation.synthesis.clone(),
        inputs: consultation.inputs.clone(),
        figures: consultation.figures.clone(),
    })
}

fn thread(
    s: &StatementView,
    children: &HashMap<Option<StatementId>, Vec<&StatementView>>,
) -> Thread {
    Thread {
        statement: s.clone(),
        replies: children
            .get(&Some(s.id))
            .map(|replies| replies.iter().map(|r| thread(r, children)).collect())
            .unwrap_or_default(),
    }
}
