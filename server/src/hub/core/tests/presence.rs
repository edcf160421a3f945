//! Presence and its timers: a member whose last connection ends leaves after the grace, not
//! before; reconnecting within the grace cancels the departure; a resume from a seq gets what
//! came after it and nothing before.

use super::*;

/// The names of the events in the record, in order.
fn recorded(sim: &Sim) -> Vec<&'static str> {
    sim.record.iter().map(|e| e.envelope.body.name()).collect()
}

fn count(sim: &Sim, name: &str) -> usize {
    recorded(sim).iter().filter(|n| **n == name).count()
}

#[test]
fn a_member_whose_connection_ends_leaves_after_the_grace_and_not_before() {
    let mut sim = Sim::new(config(16));
    sim.create(RoomKind::Roundtable);
    let amina = person("amina", Role::Participant);
    let bruno = person("bruno", Role::Participant);
    sim.join(1, &amina);
    sim.join(2, &bruno);
    assert_eq!(count(&sim, "member_left"), 0);

    sim.send(Request::Detach { conn: 1 });
    assert!(
        sim.core.poll_timeout().is_some_and(|at| at <= T0 + GRACE),
        "the departure is a timer"
    );
    sim.advance(GRACE - 1);
    assert_eq!(count(&sim, "member_left"), 0, "{:?}", recorded(&sim));
    let before = sim.seen(2);
    sim.advance(1);
    assert_eq!(count(&sim, "member_left"), 1, "{:?}", recorded(&sim));
    let to_bruno: Vec<Value> = sim.values(2)[before..].to_vec();
    assert_eq!(to_bruno.len(), 1, "bruno is told once: {to_bruno:?}");
    assert_eq!(to_bruno[0]["type"], "event");
    assert_eq!(to_bruno[0]["body"]["type"], "member_left");
    assert_eq!(to_bruno[0]["body"]["user"], "amina");
    assert_eq!(to_bruno[0]["body"]["reason"], "disconnected");
    assert_eq!(
        to_bruno[0]["ts"],
        T0 + GRACE,
        "at the room's time, not the wall clock"
    );
    // Nothing more is due for amina.
    sim.advance(10 * GRACE);
    assert_eq!(count(&sim, "member_left"), 1);
}

#[test]
fn reconnecting_within_the_grace_cancels_the_departure() {
    let mut sim = Sim::new(config(16));
    sim.create(RoomKind::Roundtable);
    let amina = person("amina", Role::Participant);
    sim.join(1, &amina);
    let joined = count(&sim, "member_joined");

    sim.send(Request::Detach { conn: 1 });
    sim.advance(GRACE / 2);
    sim.join(3, &amina);
    sim.advance(10 * GRACE);
    assert_eq!(count(&sim, "member_left"), 0, "{:?}", recorded(&sim));
    assert_eq!(
        count(&sim, "member_joined"),
        joined,
        "still present: not joined again"
    );
}

#[test]
fn a_resume_gets_what_came_after_its_seq_and_nothing_before() {
    let mut sim = Sim::new(config(16));
    sim.create(RoomKind::Roundtable);
    let amina = person("amina", Role::Participant);
    let bruno = person("bruno", Role::Participant);
    sim.join(1, &amina);
    sim.join(2, &bruno);
    sim.send(command(1, &amina, "p1", Some("p1"), post("One.", None)));
    let since = sim.record.len() as Seq;
    sim.send(command(1, &amina, "p2", Some("p2"), post("Two.", None)));
    sim.send(command(1, &amina, "p3", Some("p3"), post("Three.", None)));
    let head = sim.record.len() as Seq;

    sim.send(join(4, &bruno, Some(since), "resume"));
    assert_eq!(sim.answer(4, "resume").0, "ack", "{:?}", sim.values(4));
    let values = sim.values(4);
    let seqs = sim.event_seqs(4);
    let expected: Vec<u64> = ((since + 1)..=head).collect();
    assert_eq!(seqs, expected, "only what came after {since}: {values:?}");
    let last = values.last().expect("frames");
    assert_eq!(
        last["type"], "ack",
        "the missing events come before the ack"
    );
    assert_eq!(last["seq"], head);
}
