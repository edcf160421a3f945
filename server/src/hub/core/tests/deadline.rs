//! A consultation's phase deadline as a timer of the core: scheduled from the state, fired at
//! the room's time with no runtime, once, and not again when another node fired first.

use super::*;
use baraza_proto::consultation::Phase;

fn recorded(sim: &Sim) -> Vec<&'static str> {
    sim.record.iter().map(|e| e.envelope.body.name()).collect()
}

fn count(sim: &Sim, name: &str) -> usize {
    recorded(sim).iter().filter(|n| **n == name).count()
}

/// An open consultation with one question, the secretariat on connection 1 and amina on 2,
/// whose open phase closes `ahead` ms from now.
fn open_with_deadline(ahead: Millis) -> (Sim, Millis) {
    let mut sim = Sim::new(config(16));
    sim.create(RoomKind::Consultation);
    let sec = person("sec", Role::Secretariat);
    sim.join(1, &sec);
    let steps = [
        (
            Some("q1"),
            RoomCommand::AddQuestion {
                text: "What first?".into(),
            },
        ),
        (None, RoomCommand::SetPhase { phase: Phase::Open }),
        (
            None,
            RoomCommand::SetPhaseDeadline {
                phase: Phase::Open,
                at: sim.now + ahead,
            },
        ),
    ];
    for (i, (key, step)) in steps.into_iter().enumerate() {
        let request = format!("c{i}");
        sim.send(command(1, &sec, &request, key, step));
        assert_eq!(sim.answer(1, &request).0, "ack", "{:?}", sim.values(1));
    }
    sim.join(2, &person("amina", Role::Participant));
    let at = sim.now + ahead;
    (sim, at)
}

#[test]
fn the_deadline_is_a_timer_and_fires_once_at_the_rooms_time() {
    let (mut sim, at) = open_with_deadline(5_000);
    assert_eq!(sim.core.state().next_deadline(), Some(at));
    assert!(
        sim.core.poll_timeout().is_some_and(|t| t <= at + 1),
        "the core asks to be woken for the deadline"
    );
    sim.advance(4_999);
    assert_eq!(count(&sim, "phase_changed"), 1, "only the opening so far");
    let before = sim.seen(2);
    sim.advance(2);
    assert_eq!(count(&sim, "phase_changed"), 2, "{:?}", recorded(&sim));
    let frames: Vec<Value> = sim.values(2)[before..].to_vec();
    assert_eq!(
        frames.len(),
        2,
        "amina is told once, with the view: {frames:?}"
    );
    assert_eq!(frames[1]["type"], "view");
    assert_eq!(frames[1]["seq"], frames[0]["seq"]);
    assert_eq!(frames[1]["consultation"]["phase"], "closed");
    let body = &frames[0]["body"];
    assert_eq!(body["type"], "phase_changed");
    assert_eq!(body["phase"], "closed");
    assert_eq!(body["deadline"]["at"], at);
    assert_eq!(body["deadline"]["set_by"], "sec");
    assert!(
        frames[0].get("actor").is_none(),
        "no person changed the phase"
    );
    assert_eq!(sim.core.state().next_deadline(), None);
    // Nothing more is due: a day later there is still one close.
    sim.advance(86_400_000);
    assert_eq!(count(&sim, "phase_changed"), 2);
}

#[test]
fn when_another_node_closed_first_the_tick_records_nothing() {
    let (mut sim, at) = open_with_deadline(5_000);
    // Another node's timer fired and appended the close; this core has not heard of it yet.
    sim.now = at;
    sim.foreign(EventBody::PhaseChanged {
        phase: Phase::Closed,
        deadline: None,
    });
    sim.advance(10_000);
    assert_eq!(
        count(&sim, "phase_changed"),
        2,
        "the lost race is decided again against the record: {:?}",
        recorded(&sim)
    );
    assert_eq!(
        sim.core.state().consultation().unwrap().phase(),
        Phase::Closed
    );
    assert_eq!(sim.core.state().next_deadline(), None);
}
