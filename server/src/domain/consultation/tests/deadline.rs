//! Phase deadlines with time as an argument: set, move, cancel, refusals, the timer firing
//! once, and the phase change it records naming no person.

use super::*;
use baraza_proto::consultation::DeadlinePassed;

const HOUR: Millis = 3_600_000;

fn set(at: Millis) -> RoomCommand {
    RoomCommand::SetPhaseDeadline {
        phase: Phase::Open,
        at,
    }
}
fn clear() -> RoomCommand {
    RoomCommand::ClearPhaseDeadline { phase: Phase::Open }
}
fn tick(g: &Given, at: Millis) -> Vec<EventBody> {
    decide(&g.state, &Actor::System, &Command::Tick, at).expect("a tick is never refused")
}
fn deadline_at(g: &Given) -> Option<Millis> {
    g.state.consultation().unwrap().deadline().map(|d| d.at)
}

#[test]
fn the_secretariat_schedules_the_close_and_every_reader_sees_it() {
    let (g, _) = open();
    let at = g.now + 72 * HOUR;
    assert_eq!(
        g.when(sec(), cmd(set(at))).unwrap(),
        vec![EventBody::PhaseDeadlineSet {
            phase: Phase::Open,
            at
        }]
    );
    let set_at = g.now;
    let g = g.did(sec(), cmd(set(at)));
    assert_eq!(g.state.next_deadline(), Some(at));
    for reader in [ReaderKind::Member, ReaderKind::Moderating] {
        let view = g.state.view(reader).unwrap().consultation.unwrap();
        let d = view.deadline.expect("the view shows the deadline");
        assert_eq!(
            (d.phase, d.at, d.by, d.set_at),
            (Phase::Open, at, uid("sec"), set_at)
        );
    }
    // Setting the same time again records nothing.
    assert_eq!(g.when(sec(), cmd(set(at))).unwrap(), vec![]);
}

#[test]
fn a_draft_may_carry_the_close_and_it_waits_for_the_open_phase() {
    let g = Given::new("ke-food", kenya());
    let at = g.now + 10 * HOUR;
    let mut g = g.did(sec(), cmd(set(at)));
    // While a draft, the close is scheduled but no timer runs.
    assert_eq!(deadline_at(&g), Some(at));
    assert_eq!(g.state.next_deadline(), None);
    assert_eq!(tick(&g, at + 1), vec![]);
    g.made(
        sec(),
        RoomCommand::AddQuestion {
            text: "What should change first?".into(),
        },
    );
    let g = g.did(sec(), phase(Phase::Open));
    assert_eq!(g.state.next_deadline(), Some(at));
}

#[test]
fn the_deadline_moves_and_is_cancelled_until_it_passes() {
    let (g, _) = open();
    let first = g.now + HOUR;
    let g = g.did(sec(), cmd(set(first)));
    let later = first + 24 * HOUR;
    let g = g.did(sec(), cmd(set(later)));
    assert_eq!(g.state.next_deadline(), Some(later));
    // The old time no longer fires.
    assert_eq!(tick(&g, first + 1), vec![]);
    let g = g.did(sec(), cmd(clear()));
    assert_eq!(deadline_at(&g), None);
    assert_eq!(g.state.next_deadline(), None);
    assert_eq!(tick(&g, later + 1), vec![]);
    assert!(
        g.state
            .view(ReaderKind::Member)
            .unwrap()
            .consultation
            .unwrap()
            .deadline
            .is_none()
    );
    // Nothing left to cancel.
    assert!(
        matches!(g.when(sec(), cmd(clear())), Err(Rejection::Invalid(m)) if m.contains("no deadline"))
    );
}

#[test]
fn a_time_not_ahead_is_refused_with_a_clear_error() {
    let (g, _) = open();
    for at in [g.now, g.now - 1, 0] {
        match g.when(sec(), cmd(set(at))) {
            Err(Rejection::Invalid(m)) => assert!(m.contains("not ahead of now"), "{m}"),
            other => panic!("a past deadline was not refused: {other:?}"),
        }
    }
    assert!(matches!(
        g.when(sec(), cmd(set(g.now + 11 * 366 * 24 * HOUR))),
        Err(Rejection::Invalid(m)) if m.contains("ten years")
    ));
    assert_eq!(g.state.next_deadline(), None);
}

#[test]
fn only_the_secretariat_schedules_and_only_the_open_phase() {
    let (g, _) = open();
    let at = g.now + HOUR;
    for who in [moderator(), amina(), press()] {
        assert!(matches!(
            g.when(who.clone(), cmd(set(at))),
            Err(Rejection::Forbidden(_))
        ));
    }
    let g = g.did(sec(), cmd(set(at)));
    assert!(matches!(
        g.when(moderator(), cmd(clear())),
        Err(Rejection::Forbidden(_))
    ));
    for other in [
        Phase::Draft,
        Phase::Closed,
        Phase::Synthesis,
        Phase::Published,
    ] {
        assert!(matches!(
            g.when(sec(), cmd(RoomCommand::SetPhaseDeadline { phase: other, at })),
            Err(Rejection::Invalid(m)) if m.contains("only the open phase")
        ));
    }
    // A person cannot make the timer tick.
    assert!(matches!(
        g.when(sec(), Command::Tick),
        Err(Rejection::Forbidden(_))
    ));
}

#[test]
fn the_deadline_closes_the_consultation_once_naming_no_person() {
    let (g, q) = open();
    let at = g.now + 2 * HOUR;
    let set_at = g.now;
    let g = g.did(sec(), cmd(set(at)));
    // Before the deadline the timer finds nothing to do.
    assert_eq!(tick(&g, at - 1), vec![]);
    let fired = tick(&g, at);
    assert_eq!(
        fired,
        vec![EventBody::PhaseChanged {
            phase: Phase::Closed,
            deadline: Some(DeadlinePassed {
                at,
                set_by: uid("sec"),
                set_at,
            }),
        }]
    );
    let mut g = g;
    g.now = at;
    g.apply(&Actor::System, &Command::Tick, fired);
    assert_eq!(g.phase(), Phase::Closed);
    assert_eq!(g.state.next_deadline(), None);
    assert_eq!(deadline_at(&g), None);
    // A second tick (another node, a retry after a lost race) records nothing.
    assert_eq!(tick(&g, at + 5), vec![]);
    // Closed means closed: submissions are refused.
    assert!(matches!(
        g.refused(amina(), submit("late", q)),
        Rejection::Invalid(_)
    ));
}

#[test]
fn closing_by_hand_first_spends_the_deadline_and_reopening_does_not_revive_it() {
    let (g, _) = open();
    let at = g.now + HOUR;
    let g = g.did(sec(), cmd(set(at))).did(sec(), phase(Phase::Closed));
    assert_eq!(deadline_at(&g), None);
    let g = g.did(sec(), phase(Phase::Open));
    assert_eq!(g.state.next_deadline(), None);
    assert_eq!(tick(&g, at + 1), vec![]);
    // Once closed, no new deadline is scheduled.
    let g = g.did(sec(), phase(Phase::Closed));
    assert!(matches!(
        g.when(sec(), cmd(set(at + HOUR))),
        Err(Rejection::Invalid(m)) if m.contains("draft or open")
    ));
}

#[test]
fn an_archived_consultation_runs_no_timer() {
    let (g, _) = open();
    let at = g.now + HOUR;
    let g = g
        .did(sec(), cmd(set(at)))
        .did(sec(), cmd(RoomCommand::ArchiveRoom));
    assert_eq!(g.state.next_deadline(), None);
    assert_eq!(tick(&g, at + 1), vec![]);
}

#[test]
fn a_draft_whose_close_has_passed_does_not_open_until_it_is_moved() {
    let g = Given::new("ke-food", kenya());
    let at = g.now + HOUR;
    let mut g = g.did(sec(), cmd(set(at)));
    g.made(
        sec(),
        RoomCommand::AddQuestion {
            text: "What should change first?".into(),
        },
    );
    g.now = at + 1;
    assert!(matches!(
        g.when(sec(), phase(Phase::Open)),
        Err(Rejection::Invalid(m)) if m.contains("scheduled close has passed")
    ));
    let g = g.did(sec(), cmd(set(at + 2 * HOUR)));
    assert_eq!(g.phase(), Phase::Draft);
    let g = g.did(sec(), phase(Phase::Open));
    assert_eq!(g.phase(), Phase::Open);
}
