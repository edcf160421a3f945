//! The audience: joins subscribed at once and recorded in one digest at most once a second;
//! participants still announced one by one; the grace period for departures; what one
//! member is sent for N audience joins.

use super::*;
use baraza_proto::room::RoomSettings;

fn recorded(sim: &Sim) -> Vec<&'static str> {
    sim.record.iter().map(|e| e.envelope.body.name()).collect()
}

fn count(sim: &Sim, name: &str) -> usize {
    recorded(sim).iter().filter(|n| **n == name).count()
}

/// The digests in the record: (ts, arrived users, left users, count).
fn digests(sim: &Sim) -> Vec<(Millis, Vec<String>, Vec<String>, u32)> {
    sim.record
        .iter()
        .filter_map(|e| match &e.envelope.body {
            EventBody::AudienceChanged {
                arrived,
                left,
                count,
            } => Some((
                e.envelope.ts,
                arrived.iter().map(|p| p.user.to_string()).collect(),
                left.iter().map(|u| u.to_string()).collect(),
                *count,
            )),
            _ => None,
        })
        .collect()
}

fn observer(i: usize) -> Profile {
    person(&format!("obs{i}"), Role::Observer)
}

/// Creates a roundtable with these settings.
fn create_with(sim: &mut Sim, audience_above: Option<u32>) {
    let settings = RoomSettings {
        audience_above,
        ..super::settings(RoomKind::Roundtable)
    };
    sim.send(Request::Create {
        profile: person("sec", Role::Secretariat),
        settings,
        reply: 0,
    });
    assert!(matches!(sim.replies.pop(), Some(Reply::Created(0, Ok(_)))));
}

/// Connection numbers of the audience start here.
const AUDIENCE_CONN: u64 = 1000;

#[test]
fn a_thousand_audience_joins_within_a_second_are_one_digest() {
    let mut sim = Sim::new(config(16));
    sim.create(RoomKind::Roundtable);
    let bruno = person("bruno", Role::Participant);
    sim.join(1, &bruno);
    let before = sim.seen(1);
    let appends = sim.appends;
    for i in 0..1000 {
        sim.join(AUDIENCE_CONN + i as u64, &observer(i));
    }
    assert_eq!(sim.appends, appends, "joining the audience appends nothing");
    assert_eq!(count(&sim, "member_joined"), 1, "only bruno is announced");
    assert_eq!(
        sim.core.poll_timeout(),
        Some(T0 + DIGEST),
        "the digest is a timer"
    );
    sim.advance(DIGEST - 1);
    assert!(digests(&sim).is_empty());
    sim.advance(1);
    let digests = digests(&sim);
    assert_eq!(digests.len(), 1, "one digest");
    let (ts, arrived, left, present) = &digests[0];
    assert_eq!(*ts, T0 + DIGEST);
    let expected: Vec<String> = (0..1000).map(|i| format!("obs{i}")).collect();
    assert_eq!(arrived, &expected, "exactly who arrived, in order");
    assert!(left.is_empty());
    assert_eq!(*present, 1000);
    assert_eq!(sim.appends, appends + 1);
    let to_bruno = &sim.values(1)[before..];
    assert_eq!(to_bruno.len(), 1, "bruno gets one frame");
    assert_eq!(to_bruno[0]["body"]["type"], "audience_changed");
    assert_eq!(to_bruno[0]["body"]["count"], 1000);
    assert!(
        to_bruno[0]["body"].get("arrived").is_none(),
        "a participant gets the count, not the names: {}",
        to_bruno[0]
    );
    assert!(sim.core.state().is_present(&UserId::new("obs999").unwrap()));
}

#[test]
fn arrivals_after_a_digest_wait_for_the_next_one_a_second_later() {
    let mut sim = Sim::new(config(16));
    sim.create(RoomKind::Roundtable);
    sim.join(1, &observer(0));
    sim.advance(DIGEST);
    assert_eq!(digests(&sim).len(), 1);
    // Right after the first digest, and half a second later.
    sim.join(2, &observer(1));
    sim.advance(DIGEST / 2);
    sim.join(3, &observer(2));
    sim.advance(DIGEST / 2 - 1);
    assert_eq!(digests(&sim).len(), 1, "not sooner than a second");
    sim.advance(1);
    let all = digests(&sim);
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].0 - all[0].0, DIGEST);
    assert_eq!(all[1].1, ["obs1", "obs2"]);
    assert_eq!(all[1].3, 3);
    sim.advance(10 * DIGEST);
    assert_eq!(digests(&sim).len(), 2, "nothing waits: no more digests");
}

#[test]
fn participants_are_still_announced_one_by_one() {
    let mut sim = Sim::new(config(16));
    create_with(&mut sim, Some(2));
    sim.join(1, &person("amina", Role::Participant));
    sim.join(2, &person("bruno", Role::Participant));
    assert_eq!(count(&sim, "member_joined"), 2);
    // Two present: the next participant joins the audience; the chair never does.
    sim.join(3, &person("chen", Role::Participant));
    sim.join(4, &person("chair", Role::Moderator));
    assert_eq!(count(&sim, "member_joined"), 3, "{:?}", recorded(&sim));
    sim.advance(DIGEST);
    let all = digests(&sim);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].1, ["chen"]);
    // A participant leaving is recorded at once, by name.
    sim.send(Request::Leave {
        conn: C(1),
        request: "bye".into(),
    });
    assert_eq!(count(&sim, "member_left"), 1);
}

#[test]
fn leaving_and_coming_back_within_the_grace_records_nothing() {
    let mut sim = Sim::new(config(16));
    sim.create(RoomKind::Roundtable);
    sim.join(1, &observer(0));
    sim.join(2, &observer(1));
    sim.advance(DIGEST);
    assert_eq!(digests(&sim).len(), 1);

    sim.send(Request::Detach { conn: 1 });
    sim.advance(GRACE / 2);
    sim.join(3, &observer(0));
    sim.advance(10 * GRACE);
    assert_eq!(digests(&sim).len(), 1, "{:?}", digests(&sim));

    // Gone for good: recorded in the digest after the grace.
    sim.send(Request::Detach { conn: 2 });
    let gone_at = sim.now;
    sim.advance(GRACE + DIGEST);
    let all = digests(&sim);
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].0, gone_at + GRACE + DIGEST);
    assert!(all[1].1.is_empty());
    assert_eq!(all[1].2, ["obs1"]);
    assert_eq!(all[1].3, 1);
    assert!(!sim.core.state().is_present(&UserId::new("obs1").unwrap()));
    assert_eq!(count(&sim, "member_left"), 0, "no one-by-one departure");
}

#[test]
fn a_leave_goes_in_the_digest_and_is_answered_at_once() {
    let mut sim = Sim::new(config(16));
    sim.create(RoomKind::Roundtable);
    sim.join(1, &observer(0));
    sim.advance(DIGEST);
    sim.send(Request::Leave {
        conn: C(1),
        request: "bye".into(),
    });
    assert_eq!(sim.answer(1, "bye").0, "ack");
    sim.advance(DIGEST);
    let all = digests(&sim);
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].2, ["obs0"]);
}

#[test]
fn joining_and_leaving_between_two_digests_records_nothing() {
    let mut sim = Sim::new(config(16));
    sim.create(RoomKind::Roundtable);
    sim.join(1, &observer(0));
    sim.send(Request::Leave {
        conn: C(1),
        request: "bye".into(),
    });
    sim.advance(10 * DIGEST);
    assert!(digests(&sim).is_empty(), "{:?}", recorded(&sim));
}

#[test]
fn one_member_gets_one_frame_per_digest_for_n_audience_joins() {
    let mut sim = Sim::new(config(16));
    sim.create(RoomKind::Roundtable);
    let bruno = person("bruno", Role::Participant);
    sim.join(1, &bruno);
    let before = sim.seen(1);
    // 1,000 joins, one every 5 ms: 5 seconds of arrivals.
    const N: usize = 1000;
    for i in 0..N {
        sim.advance(5);
        sim.join(AUDIENCE_CONN + i as u64, &observer(i));
    }
    sim.advance(DIGEST);
    let all = digests(&sim);
    // The first arrival (at +5 ms) arms the timer for +1005; the arrival right after a
    // digest arms the next, a second later: +1005, +2005, +3005, +4005, +5005.
    let times: Vec<Millis> = all.iter().map(|d| d.0 - T0).collect();
    assert_eq!(times, [1005, 2005, 3005, 4005, 5005]);
    assert_eq!(all.iter().map(|d| d.1.len()).sum::<usize>(), N);
    assert_eq!(all.last().expect("digests").3 as usize, N);
    let to_bruno = &sim.values(1)[before..];
    assert_eq!(
        to_bruno.len(),
        all.len(),
        "one frame per digest: {to_bruno:?}"
    );
    assert!(
        to_bruno
            .iter()
            .all(|v| v["body"]["type"] == "audience_changed")
    );
    // A member of the audience gets its snapshot and ack, then the digests that followed.
    let first = AUDIENCE_CONN;
    assert_eq!(sim.seen(first), 2 + all.len());
}

#[test]
fn a_command_from_a_new_member_of_the_audience_brings_the_digest_forward() {
    let mut sim = Sim::new(config(16));
    create_with(&mut sim, Some(1));
    sim.join(1, &person("amina", Role::Participant));
    let chen = person("chen", Role::Participant);
    sim.join(2, &chen);
    assert!(digests(&sim).is_empty());
    sim.send(command(
        2,
        &chen,
        "p1",
        Some("p1"),
        post("From the floor.", None),
    ));
    assert_eq!(sim.answer(2, "p1").0, "ack", "{:?}", sim.values(2));
    assert_eq!(
        recorded(&sim)[recorded(&sim).len() - 2..],
        ["audience_changed", "statement_posted"]
    );
    sim.advance(10 * DIGEST);
    assert_eq!(digests(&sim).len(), 1);
}

#[test]
fn a_snapshot_counts_the_audience_rather_than_listing_it() {
    let mut sim = Sim::new(config(16));
    sim.create(RoomKind::Roundtable);
    sim.join(1, &person("amina", Role::Participant));
    for i in 0..50 {
        sim.join(AUDIENCE_CONN + i, &observer(i as usize));
    }
    sim.advance(DIGEST);
    sim.join(2, &person("bruno", Role::Participant));
    let snapshot = sim
        .values(2)
        .into_iter()
        .find(|v| v["type"] == "snapshot")
        .expect("snapshot");
    let members = snapshot["state"]["members"].as_array().expect("members");
    assert_eq!(members.len(), 2, "amina and bruno only");
    assert_eq!(snapshot["state"]["audience"]["present"], 50);
}

#[test]
fn a_failed_digest_is_tried_again_a_second_later() {
    let mut sim = Sim::new(config(16));
    sim.create(RoomKind::Roundtable);
    sim.join(1, &observer(0));
    sim.fail_appends = true;
    sim.advance(DIGEST);
    assert!(digests(&sim).is_empty());
    sim.fail_appends = false;
    sim.advance(DIGEST);
    let all = digests(&sim);
    assert_eq!(all.len(), 1, "{:?}", recorded(&sim));
    assert_eq!(all[0].1, ["obs0"]);
}

#[test]
fn another_nodes_digest_of_the_same_people_records_nothing_twice() {
    let mut sim = Sim::new(config(16));
    sim.create(RoomKind::Roundtable);
    sim.join(1, &observer(0));
    sim.join(2, &observer(1));
    // Another node recorded obs0 (also connected there) first.
    let event = sim.foreign(EventBody::AudienceChanged {
        arrived: vec![observer(0)],
        left: vec![],
        count: 1,
    });
    sim.send(Request::Published(event));
    sim.advance(DIGEST);
    let all = digests(&sim);
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].1, ["obs1"], "obs0 is not news any more");
    assert_eq!(all[1].3, 2);
}

#[test]
fn a_digest_saying_someone_connected_here_left_is_corrected() {
    let mut sim = Sim::new(config(16));
    sim.create(RoomKind::Roundtable);
    sim.join(1, &observer(0));
    sim.advance(DIGEST);
    // Another node took obs0 for gone; they are still connected here.
    let event = sim.foreign(EventBody::AudienceChanged {
        arrived: vec![],
        left: vec![UserId::new("obs0").unwrap()],
        count: 0,
    });
    sim.send(Request::Published(event));
    assert!(!sim.core.state().is_present(&UserId::new("obs0").unwrap()));
    sim.advance(DIGEST);
    let all = digests(&sim);
    assert_eq!(all.len(), 3, "{all:?}");
    assert_eq!(all[2].1, ["obs0"], "recorded present again");
    assert!(sim.core.state().is_present(&UserId::new("obs0").unwrap()));
}
