//! Batching: commands waiting behind an append are appended together, with exactly the frames
//! of handling them one at a time; a failed batch answers every command and sends nothing;
//! a lost race decides the batch again.

use super::*;
use crate::domain::visibility::ReadPath;
use baraza_proto::room::RoomKind;

const AMINA: u64 = 1;
const BRUNO: u64 = 2;
const MODERATOR: u64 = 3;

/// What one run of the scenario left.
struct Run {
    sim: Sim,
    /// Every connection's frames after joining.
    frames: Vec<Vec<String>>,
    head: Seq,
}

/// Three people join; then, while the first command is held at the store, more commands
/// queue behind it (a reply to a statement of the same batch, a refusal, repeated keys, a
/// moderator hiding a statement of the same batch, a command without a key) with a `summary`
/// request in the middle.
fn scenario(batch_limit: usize) -> Run {
    let mut sim = Sim::new(config(batch_limit));
    sim.create(RoomKind::Roundtable);
    let amina = person("amina", Role::Participant);
    let bruno = person("bruno", Role::Participant);
    let moderator = person("mod", Role::Moderator);
    for (conn, profile) in [(AMINA, &amina), (BRUNO, &bruno), (MODERATOR, &moderator)] {
        sim.join(conn, profile);
    }
    let joined: Vec<usize> = [AMINA, BRUNO, MODERATOR]
        .iter()
        .map(|&c| sim.seen(c))
        .collect();
    let h = sim.record.len() as Seq;

    sim.close();
    sim.send(command(
        AMINA,
        &amina,
        "a0",
        Some("a0"),
        post("First.", None),
    ));
    assert!(sim.holding(), "the first append is held");
    let hide = |statement: Seq, reason: &str| RoomCommand::HideStatement {
        statement,
        reason: reason.into(),
    };
    let waiting = [
        command(BRUNO, &bruno, "b1", Some("b1"), post("Second.", None)),
        command(
            AMINA,
            &amina,
            "a2",
            Some("a2"),
            post("A reply.", Some(h + 2)),
        ),
        command(BRUNO, &bruno, "b3", None, hide(h + 1, "I do not like it")),
        command(AMINA, &amina, "a0-again", Some("a0"), post("First.", None)),
        command(MODERATOR, &moderator, "m5", None, hide(h + 2, "Off topic")),
        command(AMINA, &amina, "a6", None, post("No key.", None)),
        Request::Summary {
            reader: None,
            reply: 7,
        },
        command(
            BRUNO,
            &bruno,
            "b7",
            Some("b7"),
            post("After the summary.", None),
        ),
        command(
            AMINA,
            &amina,
            "a2-again",
            Some("a2"),
            post("A reply.", Some(h + 2)),
        ),
        command(
            MODERATOR,
            &moderator,
            "m9",
            Some("m9"),
            post("Closing.", None),
        ),
    ];
    for request in waiting {
        sim.send(request);
    }
    sim.open();
    let frames = [AMINA, BRUNO, MODERATOR]
        .iter()
        .zip(joined)
        .map(|(c, from)| sim.frames[c][from..].to_vec())
        .collect();
    Run {
        sim,
        frames,
        head: h,
    }
}

#[test]
fn waiting_commands_are_appended_together_with_the_frames_of_one_at_a_time() {
    let batched = scenario(64);
    let single = scenario(1);

    // The joins, then the held command alone, the six before the summary, the three after.
    let joins = 3;
    assert_eq!(batched.sim.appends, 1 + joins + 3);
    assert_eq!(
        single.sim.appends,
        1 + joins + 6,
        "a0 b1 a2 m5 b7 m9 one by one"
    );
    // Texts are committed to under fresh random salts, so commitments (and hence hashes)
    // differ between the two runs; everything else is the same byte for byte.
    let unsalted = |frames: &Vec<Vec<String>>| -> Vec<Vec<String>> {
        frames
            .iter()
            .map(|c| c.iter().map(|f| without_commitments(f)).collect())
            .collect()
    };
    assert_eq!(
        unsalted(&batched.frames),
        unsalted(&single.frames),
        "the same frames, byte for byte but for the salted commitments, in the same order"
    );
    let events = |sim: &Sim| -> Vec<String> {
        sim.record
            .iter()
            .map(|e| without_commitments(&e.wire_frame()))
            .collect()
    };
    assert_eq!(events(&batched.sim), events(&single.sim), "the same events");
    let (appends, events) = batched.sim.appended_metric();
    assert_eq!(
        appends, batched.sim.appends as u64,
        "one append counted once"
    );
    assert_eq!(events, batched.sim.record.len() as u64);

    let h = batched.head;
    let sim = &batched.sim;
    let ack = |seq: Seq, duplicate: bool| ("ack".to_string(), seq, duplicate.to_string());
    let refused = |code: &str| ("error".to_string(), 0, code.to_string());
    assert_eq!(sim.answer(AMINA, "a0"), ack(h + 1, false));
    assert_eq!(sim.answer(BRUNO, "b1"), ack(h + 2, false));
    assert_eq!(
        sim.answer(AMINA, "a2"),
        ack(h + 3, false),
        "replies in the batch"
    );
    assert_eq!(sim.answer(BRUNO, "b3"), refused("forbidden"));
    assert_eq!(sim.answer(AMINA, "a0-again"), ack(h + 1, true));
    assert_eq!(sim.answer(MODERATOR, "m5"), ack(h + 4, false));
    assert_eq!(sim.answer(AMINA, "a6"), refused("idempotency_key_required"));
    let summary = sim.replies.iter().find_map(|r| match r {
        Reply::Summary(7, Ok(Some(summary))) => Some(summary.seq),
        _ => None,
    });
    assert_eq!(summary, Some(h + 4), "the summary comes between");
    assert_eq!(sim.answer(BRUNO, "b7"), ack(h + 5, false));
    assert_eq!(sim.answer(AMINA, "a2-again"), ack(h + 3, true));
    assert_eq!(sim.answer(MODERATOR, "m9"), ack(h + 6, false));
    for conn in [AMINA, BRUNO, MODERATOR] {
        let after: Vec<u64> = sim
            .event_seqs(conn)
            .into_iter()
            .filter(|&s| s > h)
            .collect();
        assert_eq!(
            after,
            (h + 1..=h + 6).collect::<Vec<_>>(),
            "each event once"
        );
    }
    assert_eq!(
        sim.published,
        (1..=h + 6).collect::<Vec<_>>(),
        "each published once"
    );
}

#[test]
fn a_failed_batch_answers_every_command_with_the_error_and_sends_none_of_its_events() {
    let mut sim = Sim::new(config(64));
    sim.create(RoomKind::Roundtable);
    let amina = person("amina", Role::Participant);
    sim.join(AMINA, &amina);
    let h = sim.record.len() as Seq;
    let seen = sim.seen(AMINA);

    sim.fail_appends = true;
    sim.close();
    sim.send(command(
        AMINA,
        &amina,
        "f1",
        Some("f1"),
        post("Lost.", None),
    ));
    sim.send(command(
        AMINA,
        &amina,
        "f2",
        Some("f2"),
        post("Lost too.", None),
    ));
    sim.send(command(
        AMINA,
        &amina,
        "f3",
        Some("f3"),
        post("A reply to f2.", Some(h + 2)),
    ));
    let appends = sim.appends;
    sim.open();
    assert_eq!(
        sim.appends,
        appends + 2,
        "f1 alone, then f2 and f3 in one append"
    );
    let refused = ("error".to_string(), 0, "unavailable".to_string());
    for request in ["f1", "f2", "f3"] {
        assert_eq!(sim.answer(AMINA, request), refused, "{request}");
    }
    assert_eq!(sim.seen(AMINA), seen + 3, "three errors and no event");
    assert_eq!(sim.record.len() as Seq, h);

    // The client retries with the same keys: nothing of the failed batch stood.
    sim.fail_appends = false;
    sim.close();
    sim.send(command(
        AMINA,
        &amina,
        "r1",
        Some("f1"),
        post("Lost.", None),
    ));
    sim.send(command(
        AMINA,
        &amina,
        "r2",
        Some("f2"),
        post("Lost too.", None),
    ));
    sim.send(command(
        AMINA,
        &amina,
        "r3",
        Some("f3"),
        post("A reply to f2.", Some(h + 2)),
    ));
    sim.open();
    for (request, seq) in [("r1", h + 1), ("r2", h + 2), ("r3", h + 3)] {
        assert_eq!(
            sim.answer(AMINA, request),
            ("ack".into(), seq, "false".into())
        );
    }
    let since_join: Vec<u64> = sim
        .event_seqs(AMINA)
        .into_iter()
        .filter(|&s| s > h)
        .collect();
    assert_eq!(since_join, vec![h + 1, h + 2, h + 3], "each event once");
    sim.send(Request::View {
        profile: amina.clone(),
        path: ReadPath::View,
        reply: 1,
    });
    let Some(Reply::View(1, Ok((seq, view)))) = sim.replies.pop() else {
        panic!("no view");
    };
    assert_eq!(seq, h + 3);
    let statements: Vec<(u64, Option<u64>)> =
        view.statements.iter().map(|s| (s.id, s.parent)).collect();
    assert_eq!(
        statements,
        vec![(h + 1, None), (h + 2, None), (h + 3, Some(h + 2))],
        "the state is the record's"
    );
}

#[test]
fn a_command_that_loses_the_race_is_decided_again_after_the_other_nodes_events() {
    let mut sim = Sim::new(config(1));
    sim.create(RoomKind::Roundtable);
    let amina = person("amina", Role::Participant);
    sim.join(AMINA, &amina);
    let h = sim.record.len() as Seq;

    // Another node appends while the command waits for its append.
    sim.race_appends = 2;
    sim.send(command(
        AMINA,
        &amina,
        "p1",
        Some("p1"),
        post("Raced.", None),
    ));
    assert!(sim.core.busy(), "waiting to decide again");
    sim.advance(1_000);
    assert_eq!(
        sim.answer(AMINA, "p1"),
        ("ack".into(), h + 3, "false".into())
    );
    let after: Vec<u64> = sim
        .event_seqs(AMINA)
        .into_iter()
        .filter(|&s| s > h)
        .collect();
    assert_eq!(
        after,
        vec![h + 1, h + 2, h + 3],
        "the other node's events first, each once"
    );
    assert_eq!(sim.metrics.append_conflicts.get(), 2);
    assert_eq!(
        sim.appended_metric().0,
        sim.appends as u64 - 2,
        "lost races are not appends"
    );

    // A room that loses every race gives up and says so.
    sim.race_appends = crate::hub::core::MAX_ATTEMPTS;
    sim.send(command(
        AMINA,
        &amina,
        "p2",
        Some("p2"),
        post("Never.", None),
    ));
    sim.advance(10_000);
    assert_eq!(
        sim.answer(AMINA, "p2"),
        ("error".into(), 0, "unavailable".into())
    );
    assert!(!sim.core.busy());
}

/// `frame` with the value of every `text_commitment` blanked.
fn without_commitments(frame: &str) -> String {
    const KEY: &str = "\"text_commitment\":\"";
    let mut out = String::with_capacity(frame.len());
    let mut rest = frame;
    while let Some(at) = rest.find(KEY) {
        let (head, tail) = rest.split_at(at + KEY.len());
        out.push_str(head);
        rest = &tail[tail.find('"').unwrap_or(tail.len())..];
    }
    out.push_str(rest);
    out
}
