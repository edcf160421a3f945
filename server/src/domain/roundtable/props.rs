//! Property tests over random command sequences: the speaking list never holds a duplicate
//! request, a point of order is always first, `rotate_constituency` never lets a constituency
//! speak twice while another waits, the statistics equal a recount from the record, and
//! replaying the record gives the same state.

use super::super::{Actor, Command, RoomState, evolve};
use super::policy;
use super::stats;
use super::tests::{Room, amina, bruno, chen, dara, moderator};
use baraza_proto::command::RoomCommand;
use baraza_proto::event::EventBody;
use baraza_proto::identity::Profile;
use baraza_proto::roundtable::*;
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone)]
enum Op {
    Ask(usize, RequestKind),
    Withdraw(usize),
    Grant,
    GrantNamed(usize),
    Yield,
    Revoke,
    Extend,
    Pause,
    Resume,
    Wait(i64),
    Policy(SpeakingPolicy, BalanceBy),
    CloseList,
    ReopenList,
    Mute(usize),
    Unmute(usize),
    Expel(usize),
    Readmit(usize),
    Post(usize),
    CloseAndReopenItem,
    Settings(bool),
    Budget(u64),
}

fn people() -> [Profile; 4] {
    [amina(), bruno(), chen(), dara()]
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0..4usize;
    let kind = prop_oneof![
        3 => Just(RequestKind::Speak),
        1 => Just(RequestKind::Reply),
        1 => Just(RequestKind::PointOfOrder),
    ];
    let policy = prop_oneof![
        Just(SpeakingPolicy::Fifo),
        Just(SpeakingPolicy::FirstTimeFirst),
        Just(SpeakingPolicy::RotateConstituency),
        Just(SpeakingPolicy::BalanceTime),
    ];
    let by = prop_oneof![Just(BalanceBy::Constituency), Just(BalanceBy::Region)];
    prop_oneof![
        6 => (who.clone(), kind).prop_map(|(w, k)| Op::Ask(w, k)),
        1 => who.clone().prop_map(Op::Withdraw),
        4 => Just(Op::Grant),
        1 => (0..6usize).prop_map(Op::GrantNamed),
        2 => Just(Op::Yield),
        1 => Just(Op::Revoke),
        1 => Just(Op::Extend),
        1 => Just(Op::Pause),
        1 => Just(Op::Resume),
        4 => (1..200_000i64).prop_map(Op::Wait),
        2 => (policy, by).prop_map(|(p, b)| Op::Policy(p, b)),
        1 => Just(Op::CloseList),
        1 => Just(Op::ReopenList),
        1 => who.clone().prop_map(Op::Mute),
        1 => who.clone().prop_map(Op::Unmute),
        1 => who.clone().prop_map(Op::Expel),
        1 => who.clone().prop_map(Op::Readmit),
        1 => who.prop_map(Op::Post),
        1 => Just(Op::CloseAndReopenItem),
        1 => any::<bool>().prop_map(Op::Settings),
        1 => (0..300_000u64).prop_map(Op::Budget),
    ]
}

/// Runs one op; rejections are fine (random sequences ask for impossible things).
fn step(room: &mut Room, item: u64, op: &Op) {
    let m = moderator();
    let p = people();
    let _ = match op {
        Op::Ask(w, kind) => room.run(&p[*w], RoomCommand::RequestFloor(RequestFloor::new(*kind))),
        Op::Withdraw(w) => {
            let request = room
                .state
                .roundtable()
                .and_then(|rt| rt.item(item))
                .and_then(|i| i.requests.iter().find(|r| r.user == p[*w].user))
                .map(|r| r.id)
                .unwrap_or(0);
            room.run(
                &p[*w],
                RoomCommand::WithdrawRequest(WithdrawRequest { request }),
            )
        }
        Op::Grant => room.run(
            &m,
            RoomCommand::GrantFloor(GrantFloor {
                request: None,
                reason: None,
            }),
        ),
        Op::GrantNamed(i) => {
            let request = room
                .state
                .roundtable()
                .and_then(|rt| rt.item(item))
                .and_then(|it| it.requests.get(*i))
                .map(|r| r.id);
            room.run(
                &m,
                RoomCommand::GrantFloor(GrantFloor {
                    request,
                    reason: Some("chair's discretion".into()),
                }),
            )
        }
        Op::Yield => {
            let holder = room
                .state
                .roundtable()
                .and_then(|rt| rt.floor.as_ref())
                .map(|f| f.speaker.clone());
            match holder {
                Some(h) => room.run(&h, RoomCommand::YieldFloor),
                None => Ok(vec![]),
            }
        }
        Op::Revoke => room.run(&m, RoomCommand::RevokeFloor),
        Op::Extend => room.run(&m, RoomCommand::ExtendFloor(ExtendFloor { by_ms: 30_000 })),
        Op::Pause => room.run(&m, RoomCommand::PauseFloor),
        Op::Resume => room.run(&m, RoomCommand::ResumeFloor),
        Op::Wait(ms) => {
            room.now += ms;
            Ok(room.tick())
        }
        Op::Policy(policy, balance_by) => room.run(
            &m,
            RoomCommand::SetSpeakingPolicy(SetSpeakingPolicy {
                item,
                policy: *policy,
                balance_by: *balance_by,
            }),
        ),
        Op::CloseList => room.run(&m, RoomCommand::CloseSpeakingList),
        Op::ReopenList => room.run(&m, RoomCommand::ReopenSpeakingList),
        Op::Mute(w) | Op::Expel(w) => {
            let sanction = Sanction {
                user: p[*w].user.clone(),
                reason: "disorder".into(),
            };
            room.run(
                &m,
                if matches!(op, Op::Mute(_)) {
                    RoomCommand::MuteParticipant(sanction)
                } else {
                    RoomCommand::ExpelParticipant(sanction)
                },
            )
        }
        Op::Unmute(w) => room.run(
            &m,
            RoomCommand::UnmuteParticipant(UserRef {
                user: p[*w].user.clone(),
            }),
        ),
        Op::Readmit(w) => {
            let user = UserRef {
                user: p[*w].user.clone(),
            };
            let result = room.run(&m, RoomCommand::ReadmitParticipant(user));
            let _ = room.exec(&Actor::Person(p[*w].clone()), &Command::Join);
            result
        }
        Op::Post(w) => room.run(
            &p[*w],
            RoomCommand::PostStatement {
                text: "A point".into(),
                lang: "en".parse().unwrap(),
                parent: None,
                agenda_item: Some(item),
                question: None,
                alignment: None,
            },
        ),
        Op::CloseAndReopenItem => {
            let _ = room.run(&m, RoomCommand::CloseAgendaItem(ItemRef { item }));
            room.run(&m, RoomCommand::OpenAgendaItem(ItemRef { item }))
        }
        Op::Settings(ask) => room.run(
            &m,
            RoomCommand::ConfigureRoundtable(ConfigureRoundtable {
                settings: RoundtableSettings {
                    speaking_time_ms: 60_000,
                    warning_ms: 10_000,
                    on_expiry: if *ask {
                        OnExpiry::AskModerator
                    } else {
                        OnExpiry::EndFloor
                    },
                    ..RoundtableSettings::default()
                },
            }),
        ),
        Op::Budget(ms) => room.run(
            &m,
            RoomCommand::SetTimeBudget(SetTimeBudget {
                item,
                constituency: baraza_proto::identity::Constituency::Ngos,
                budget_ms: (*ms >= 1_000).then_some(*ms),
            }),
        ),
    };
    room.now += 1;
}

/// The statistics recounted from the record alone.
fn recount(room: &Room) -> SpeakingStats {
    let mut speakers: HashMap<u64, Profile> = HashMap::new();
    let mut out = SpeakingStats::default();
    for event in &room.log {
        match &event.body {
            EventBody::FloorGranted(g) => {
                speakers.insert(event.seq, g.speaker.clone());
                stats::add(&mut out, &g.speaker, 1, 0);
            }
            EventBody::FloorEnded(e) => {
                if let Some(p) = speakers.get(&e.turn) {
                    stats::add(&mut out, p, 0, e.spoken_ms);
                }
            }
            _ => {}
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_sessions_keep_the_invariants(ops in prop::collection::vec(op(), 1..80)) {
        let (mut room, item) = Room::with_open_item();
        for op in &ops {
            // Before a policy grant: which constituencies wait, eligible, with a speak request.
            let before = room.state.roundtable().and_then(|rt| {
                let it = rt.item(item)?;
                let waiting: HashSet<String> = policy::suggest(rt, it, &room.state)
                    .into_iter()
                    .filter(|s| s.eligible && s.request.kind == RequestKind::Speak)
                    .filter_map(|s| room.state.member(&s.request.user))
                    .map(|m| stats::constituency_key(&m.profile))
                    .collect();
                let last = it.speak_turns.last().map(stats::constituency_key);
                Some((it.policy, waiting, last, it.speak_turns.len()))
            });
            step(&mut room, item, op);
            let rt = room.state.roundtable().expect("a roundtable");
            let it = rt.item(item).expect("the item");

            // No duplicate request (per person and kind, and per id).
            let mut seen = HashSet::new();
            let mut ids = HashSet::new();
            for r in &it.requests {
                prop_assert!(seen.insert((r.user.clone(), r.kind)), "duplicate request {r:?}");
                prop_assert!(ids.insert(r.id));
            }

            // Points of order first in the suggested order.
            let order = policy::suggest(rt, it, &room.state);
            let first_other = order.iter().position(|s| s.request.kind != RequestKind::PointOfOrder);
            if let Some(i) = first_other {
                prop_assert!(order[i..].iter().all(|s| s.request.kind != RequestKind::PointOfOrder));
            }

            // Rotation: a grant in order under rotate_constituency never repeats the last
            // constituency while another waits.
            if let (Op::Grant, Some((SpeakingPolicy::RotateConstituency, waiting, Some(last), n))) = (op, &before)
                && it.speak_turns.len() == n + 1
            {
                let now = stats::constituency_key(it.speak_turns.last().expect("a turn"));
                let others_waiting = waiting.iter().any(|c| c != last);
                prop_assert!(!(now == *last && others_waiting), "{last} spoke twice while {waiting:?} waited");
            }

            // Statistics equal a recount of the record.
            let recounted = recount(&room);
            prop_assert_eq!(&rt.session, &recounted);
            let item_total: u64 = it.stats.participants.values().map(|t| t.speaking_ms).sum();
            let session_total: u64 = rt.session.participants.values().map(|t| t.speaking_ms).sum();
            prop_assert_eq!(item_total, session_total);
        }

        // Replaying the record gives the same state.
        let mut replayed = RoomState::default();
        for event in &room.log {
            evolve(&mut replayed, event);
        }
        prop_assert_eq!(&replayed, &room.state);
        prop_assert_eq!(replayed.view(crate::domain::visibility::ReaderKind::Member), room.state.view(crate::domain::visibility::ReaderKind::Member));
    }
}
