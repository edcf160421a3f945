//! The result of an election of organising partners, computed from its recorded ballots.
//!
//! Each ballot (one per organisation) gives one vote to each candidate it chose. Candidates
//! are ranked by votes; the `seats` best are elected, but only with at least one vote. When
//! the last seats fall inside a group of candidates with equal votes, none of that group is
//! elected: the tie is stated (`tied`, `unfilled`), never broken by order or chance.

use baraza_proto::caucus::{ElectionResult, TallyLine};

/// The result for `candidates` (in their listed order) and `seats`, from `ballots`.
pub fn result(
    candidates: &[String],
    seats: u32,
    ballots: &[(String, Vec<String>)],
) -> ElectionResult {
    let mut tally: Vec<TallyLine> = candidates
        .iter()
        .map(|org| TallyLine {
            org: org.clone(),
            votes: ballots
                .iter()
                .filter(|(_, choices)| choices.contains(org))
                .count() as u32,
        })
        .collect();
    // Stable: equal votes keep the order of the candidates' list.
    tally.sort_by_key(|t| std::cmp::Reverse(t.votes));
    let seats = seats as usize;
    let with_votes: Vec<&TallyLine> = tally.iter().filter(|t| t.votes > 0).collect();
    let (elected, tied): (Vec<String>, Vec<String>) = if with_votes.len() <= seats {
        (
            with_votes.iter().map(|t| t.org.clone()).collect(),
            Vec::new(),
        )
    } else {
        // More candidates with votes than seats: the last seat's vote count decides.
        let last = with_votes[seats - 1].votes;
        let above: Vec<String> = with_votes
            .iter()
            .filter(|t| t.votes > last)
            .map(|t| t.org.clone())
            .collect();
        let at: Vec<String> = with_votes
            .iter()
            .filter(|t| t.votes == last)
            .map(|t| t.org.clone())
            .collect();
        if above.len() + at.len() <= seats {
            ([above, at].concat(), Vec::new())
        } else {
            (above, at)
        }
    };
    ElectionResult {
        unfilled: (seats - elected.len()) as u32,
        tally,
        elected,
        tied,
        ballots: ballots.len() as u32,
    }
}
