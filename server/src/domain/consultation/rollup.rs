//! Roll-up: the input a published consultation hands to its parent, with every cited point
//! traced to its original submission.

use crate::domain::state::RoomState;
use baraza_proto::consultation::{CitedPoint, ConsultationInput, Phase};
use baraza_proto::ids::RoomId;

/// The parent to notify and the input to record there, once the consultation is published
/// with a parent; `None` otherwise. Deterministic: the same record gives the same input, so
/// sending it again is harmless (the parent ignores an input it already holds from this
/// child).
pub fn rollup(state: &RoomState) -> Option<(RoomId, ConsultationInput)> {
    let info = state.info()?;
    let c = state.consultation.as_ref()?;
    if c.phase != Phase::Published {
        return None;
    }
    let parent = c.parent.clone()?;
    let synthesis = c.synthesis.as_ref()?;
    let mut points = Vec::with_capacity(synthesis.citations.len());
    for citation in &synthesis.citations {
        let point = match (citation.statement, citation.input, citation.point) {
            (Some(id), _, _) => state.statement(id).map(|s| CitedPoint {
                room: info.id.clone(),
                statement: s.id,
                author: s.author.clone(),
                org: s.org.clone(),
                lang: s.lang.clone(),
                text: s.text.clone(),
                excerpt: citation.excerpt.clone(),
                chain: vec![info.id.clone()],
            }),
            (None, Some(input), Some(point)) => c
                .inputs
                .iter()
                .find(|i| i.id == input)
                .and_then(|i| i.input.points.get(point as usize))
                .map(|p| {
                    let mut p = p.clone();
                    if citation.excerpt.is_some() {
                        p.excerpt = citation.excerpt.clone();
                    }
                    p.chain.push(info.id.clone());
                    p
                }),
            _ => None,
        };
        points.extend(point);
    }
    Some((
        parent,
        ConsultationInput {
            from: info.id.clone(),
            title: info.settings.title.clone(),
            scope: info.settings.scope.clone(),
            synthesis: synthesis.text.clone(),
            points,
            published_at: c.published_at.unwrap_or(synthesis.at),
        },
    ))
}
