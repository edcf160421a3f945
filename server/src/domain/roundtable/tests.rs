//! Given/when/then tests of roundtables: commands through `decide` and `evolve` as the hub runs
//! them, with time passed in.

use super::super::visibility::ReaderKind;
use super::super::{Actor, Command, Rejection, RoomState, decide, evolve, geo};
use baraza_proto::command::RoomCommand;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::identity::{Constituency, Profile, Role};
use baraza_proto::ids::{CountryCode, IdempotencyKey, LanguageTag, Millis, RoomId, UserId};
use baraza_proto::room::{RoomKind, RoomSettings, Scope};
use baraza_proto::roundtable::*;

pub(crate) const T0: Millis = 1_790_000_000_000;

pub(crate) fn profile(user: &str, role: Role, c: Option<Constituency>, country: &str) -> Profile {
    let country = CountryCode::new(country).unwrap();
    Profile {
        user: UserId::new(user).unwrap(),
        name: user.to_uppercase(),
        role,
        org: c.map(|_| format!("{user}-org")),
        constituency: c,
        region: geo::region_of(&country),
        country: Some(country),
    }
}

pub(crate) fn moderator() -> Profile {
    profile("mod", Role::Moderator, None, "CH")
}
/// Women, Kenya (African group).
pub(crate) fn amina() -> Profile {
    profile("amina", Role::Participant, Some(Constituency::Women), "KE")
}
/// NGOs, Brazil (Latin American and Caribbean group).
pub(crate) fn bruno() -> Profile {
    profile("bruno", Role::Participant, Some(Constituency::Ngos), "BR")
}
/// NGOs, Kenya.
pub(crate) fn chen() -> Profile {
    profile("chen", Role::Participant, Some(Constituency::Ngos), "KE")
}
/// Farmers, Brazil.
pub(crate) fn dara() -> Profile {
    profile("dara", Role::Participant, Some(Constituency::Farmers), "BR")
}
fn press() -> Profile {
    profile("press", Role::Observer, None, "FR")
}

/// A room driven like the hub drives it.
pub(crate) struct Room {
    pub(crate) state: RoomState,
    pub(crate) log: Vec<EventEnvelope>,
    pub(crate) now: Millis,
    keys: u64,
}

impl Room {
    pub(crate) fn new(kind: RoomKind) -> Room {
        let mut room = Room {
            state: RoomState::default(),
            log: Vec::new(),
            now: T0,
            keys: 0,
        };
        let sec = profile("sec", Role::Secretariat, None, "CH");
        let settings = RoomSettings {
            kind,
            title: "Financing for development".into(),
            description: String::new(),
            languages: vec![LanguageTag::new("en").unwrap()],
            scope: Scope::Global,
            constituency: (kind == RoomKind::Caucus).then_some(Constituency::Women),
            audience_above: None,
        };
        room.exec(&Actor::Person(sec), &Command::Create(settings))
            .unwrap();
        for p in [moderator(), amina(), bruno(), chen(), dara(), press()] {
            let joined = room.exec(&Actor::Person(p), &Command::Join);
            // A caucus admits only its constituency's participants (and moderators).
            if kind != RoomKind::Caucus {
                joined.unwrap();
            }
        }
        room
    }

    /// A roundtable with item "Debt" open; returns the room and the item id.
    pub(crate) fn with_open_item() -> (Room, u64) {
        let mut room = Room::new(RoomKind::Roundtable);
        let item = room.add_item("Debt");
        room.ok(&moderator(), RoomCommand::OpenAgendaItem(ItemRef { item }));
        (room, item)
    }

    pub(crate) fn exec(
        &mut self,
        actor: &Actor,
        command: &Command,
    ) -> Result<Vec<EventBody>, Rejection> {
        let events = decide(&self.state, actor, command, self.now)?;
        let key = match command {
            Command::Room { key, .. } => key.clone(),
            _ => None,
        };
        for body in &events {
            let envelope = EventEnvelope {
                room: RoomId::new("rt").unwrap(),
                seq: self.state.seq() + 1,
                ts: self.now,
                actor: actor.user().cloned(),
                key: key.clone(),
                body: body.clone(),
            };
            evolve(&mut self.state, &envelope);
            self.log.push(envelope);
        }
        Ok(events)
    }

    pub(crate) fn run(
        &mut self,
        who: &Profile,
        command: RoomCommand,
    ) -> Result<Vec<EventBody>, Rejection> {
        self.keys += 1;
        let key = Some(IdempotencyKey::new(format!("k{}", self.keys)).unwrap());
        self.exec(&Actor::Person(who.clone()), &Command::Room { key, command })
    }

    pub(crate) fn ok(&mut self, who: &Profile, command: RoomCommand) -> Vec<EventBody> {
        let name = command.name();
        self.run(who, command)
            .unwrap_or_else(|e| panic!("{name} refused: {e}"))
    }

    pub(crate) fn tick(&mut self) -> Vec<EventBody> {
        self.exec(&Actor::System, &Command::Tick).unwrap()
    }

    pub(crate) fn add_item(&mut self, title: &str) -> u64 {
        self.ok(
            &moderator(),
            RoomCommand::AddAgendaItem(AddAgendaItem {
                title: title.into(),
                speaking_time_ms: None,
            }),
        );
        self.state.seq()
    }

    /// Requests the floor; returns the request id.
    pub(crate) fn ask(&mut self, who: &Profile, kind: RequestKind) -> u64 {
        self.ok(who, RoomCommand::RequestFloor(RequestFloor::new(kind)));
        self.state.seq()
    }

    /// Grants the floor to the next speaker; returns the turn id.
    pub(crate) fn grant_next(&mut self) -> u64 {
        self.ok(
            &moderator(),
            RoomCommand::GrantFloor(GrantFloor {
                request: None,
                reason: None,
            }),
        );
        self.state.seq()
    }

    pub(crate) fn view(&self) -> RoundtableView {
        self.state
            .view(ReaderKind::Member)
            .unwrap()
            .roundtable
            .unwrap()
    }

    /// Users of the open item's list in the suggested order.
    pub(crate) fn order(&self) -> Vec<String> {
        let view = self.view();
        let open = view.open_item.unwrap();
        view.agenda
            .iter()
            .find(|i| i.id == open)
            .unwrap()
            .speakers
            .iter()
            .map(|s| s.user.to_string())
            .collect()
    }

    fn item_view(&self, item: u64) -> AgendaItemView {
        self.view()
            .agenda
            .into_iter()
            .find(|i| i.id == item)
            .unwrap()
    }

    pub(crate) fn policy(&mut self, item: u64, policy: SpeakingPolicy, balance_by: BalanceBy) {
        self.ok(
            &moderator(),
            RoomCommand::SetSpeakingPolicy(SetSpeakingPolicy {
                item,
                policy,
                balance_by,
            }),
        );
    }

    fn floor_user(&self) -> Option<String> {
        self.view().floor.map(|f| f.user.to_string())
    }
}

fn invalid(result: Result<Vec<EventBody>, Rejection>) -> String {
    match result {
        Err(Rejection::Invalid(message)) => message,
        other => panic!("expected an invalid-command rejection, got {other:?}"),
    }
}

fn forbidden(result: Result<Vec<EventBody>, Rejection>) {
    assert!(
        matches!(result, Err(Rejection::Forbidden(_))),
        "expected forbidden, got {result:?}"
    );
}

fn ended(events: &[EventBody]) -> &FloorEnded {
    events
        .iter()
        .find_map(|e| match e {
            EventBody::FloorEnded(f) => Some(f),
            _ => None,
        })
        .expect("a floor_ended event")
}

#[test]
fn roundtable_commands_on_other_rooms_are_invalid() {
    let mut room = Room::new(RoomKind::Caucus);
    let message = invalid(room.run(
        &moderator(),
        RoomCommand::AddAgendaItem(AddAgendaItem {
            title: "x".into(),
            speaking_time_ms: None,
        }),
    ));
    assert!(message.contains("not available in a caucus"), "{message}");
    assert!(
        room.state
            .view(ReaderKind::Moderating)
            .unwrap()
            .roundtable
            .is_none()
    );
    assert!(room.tick().is_empty());
}

#[test]
fn the_moderator_opens_closes_and_reorders_the_agenda() {
    let mut room = Room::new(RoomKind::Roundtable);
    let a = room.add_item("Debt");
    let b = room.add_item("Tax");
    forbidden(room.run(&amina(), RoomCommand::OpenAgendaItem(ItemRef { item: a })));
    room.ok(
        &moderator(),
        RoomCommand::OpenAgendaItem(ItemRef { item: a }),
    );
    let message = invalid(room.run(
        &moderator(),
        RoomCommand::OpenAgendaItem(ItemRef { item: b }),
    ));
    assert!(message.contains("close it first"));
    room.ok(
        &moderator(),
        RoomCommand::ReorderAgenda(ReorderAgenda { items: vec![b, a] }),
    );
    invalid(room.run(
        &moderator(),
        RoomCommand::ReorderAgenda(ReorderAgenda { items: vec![b] }),
    ));
    room.ask(&amina(), RequestKind::Speak);
    room.grant_next();
    room.now += 10_000;
    let events = room.ok(
        &moderator(),
        RoomCommand::CloseAgendaItem(ItemRef { item: a }),
    );
    assert_eq!(ended(&events).reason, FloorEndReason::ItemClosed);
    let view = room.view();
    assert_eq!(view.agenda.iter().map(|i| i.id).collect::<Vec<_>>(), [b, a]);
    assert_eq!(view.agenda[1].state, ItemState::Closed);
    assert_eq!(view.agenda[0].state, ItemState::Pending);
    assert!(view.open_item.is_none() && view.floor.is_none());
    // Requests need an open item.
    invalid(room.run(
        &bruno(),
        RoomCommand::RequestFloor(RequestFloor::new(RequestKind::Speak)),
    ));
}

#[test]
fn each_request_kind_and_one_open_request_per_kind() {
    let (mut room, _) = Room::with_open_item();
    let speak = room.ask(&amina(), RequestKind::Speak);
    let message = invalid(room.run(
        &amina(),
        RoomCommand::RequestFloor(RequestFloor::new(RequestKind::Speak)),
    ));
    assert!(message.contains("already have an open request"));
    // A reply needs someone at the floor.
    invalid(room.run(
        &bruno(),
        RoomCommand::RequestFloor(RequestFloor::new(RequestKind::Reply)),
    ));
    room.ask(&bruno(), RequestKind::Speak);
    let turn = room.grant_next();
    assert_eq!(room.floor_user().as_deref(), Some("amina"));
    assert!(
        !room.view().agenda[0]
            .speakers
            .iter()
            .any(|s| s.request == speak)
    );
    // The speaker cannot reply to herself; others can, linked to her turn.
    invalid(room.run(
        &amina(),
        RoomCommand::RequestFloor(RequestFloor::new(RequestKind::Reply)),
    ));
    let reply = room.ask(&chen(), RequestKind::Reply);
    let point = room.ask(&dara(), RequestKind::PointOfOrder);
    let view = room.view();
    let list = &view.agenda[0].speakers;
    assert_eq!(list[0].request, point);
    assert_eq!(list[0].kind, RequestKind::PointOfOrder);
    assert_eq!(list[1].request, reply);
    assert_eq!(list[1].reply_to, Some(turn));
    assert_eq!(list[2].user.as_str(), "bruno");
    assert!(list.iter().all(|s| !s.reason.is_empty()));
    // Observers cannot ask; authors (and moderators) withdraw.
    forbidden(room.run(
        &press(),
        RoomCommand::RequestFloor(RequestFloor::new(RequestKind::Speak)),
    ));
    forbidden(room.run(
        &bruno(),
        RoomCommand::WithdrawRequest(WithdrawRequest { request: reply }),
    ));
    room.ok(
        &chen(),
        RoomCommand::WithdrawRequest(WithdrawRequest { request: reply }),
    );
    room.ok(
        &moderator(),
        RoomCommand::WithdrawRequest(WithdrawRequest { request: point }),
    );
    assert_eq!(room.order(), ["bruno"]);
    // After withdrawing, the same kind may be asked again.
    room.ask(&chen(), RequestKind::Reply);
}

#[test]
fn a_point_of_order_goes_before_everyone_and_the_reply_is_linked_to_the_turn() {
    let (mut room, _) = Room::with_open_item();
    room.ask(&amina(), RequestKind::Speak);
    room.ask(&bruno(), RequestKind::Speak);
    let amina_turn = room.grant_next();
    room.ask(&chen(), RequestKind::Reply);
    room.ask(&dara(), RequestKind::PointOfOrder);
    assert_eq!(room.order(), ["dara", "chen", "bruno"]);
    room.ok(&amina(), RoomCommand::YieldFloor);
    room.grant_next();
    assert_eq!(room.floor_user().as_deref(), Some("dara"));
    room.ok(&dara(), RoomCommand::YieldFloor);
    let reply_turn = room.grant_next();
    let view = room.view();
    let turn = view.turns.iter().find(|t| t.id == reply_turn).unwrap();
    assert_eq!(turn.kind, RequestKind::Reply);
    assert_eq!(turn.reply_to, Some(amina_turn));
    assert_eq!(turn.duration_ms, view.settings.reply_time_ms);
}

#[test]
fn fifo_orders_by_arrival() {
    let (mut room, _) = Room::with_open_item();
    for p in [dara(), bruno(), amina()] {
        room.ask(&p, RequestKind::Speak);
    }
    assert_eq!(room.order(), ["dara", "bruno", "amina"]);
    assert!(
        room.view().agenda[0].speakers[0]
            .reason
            .contains("first come")
    );
}

#[test]
fn first_time_speakers_go_before_repeat_speakers() {
    let (mut room, item) = Room::with_open_item();
    room.policy(
        item,
        SpeakingPolicy::FirstTimeFirst,
        BalanceBy::Constituency,
    );
    room.ask(&amina(), RequestKind::Speak);
    room.grant_next();
    room.ok(&amina(), RoomCommand::YieldFloor);
    room.ask(&amina(), RequestKind::Speak);
    room.ask(&bruno(), RequestKind::Speak);
    assert_eq!(room.order(), ["bruno", "amina"]);
    let view = room.view();
    assert!(view.agenda[0].speakers[1].reason.contains("spoken once"));
}

#[test]
fn rotation_lets_no_constituency_speak_twice_while_another_waits() {
    let (mut room, item) = Room::with_open_item();
    room.policy(
        item,
        SpeakingPolicy::RotateConstituency,
        BalanceBy::Constituency,
    );
    // bruno and chen are both NGOs; amina is women, dara farmers.
    room.ask(&bruno(), RequestKind::Speak);
    room.ask(&chen(), RequestKind::Speak);
    room.ask(&amina(), RequestKind::Speak);
    room.ask(&dara(), RequestKind::Speak);
    assert_eq!(room.order(), ["bruno", "amina", "dara", "chen"]);
    room.grant_next();
    room.ok(&bruno(), RoomCommand::YieldFloor);
    assert_eq!(room.order(), ["amina", "dara", "chen"]);
    let view = room.view();
    assert!(view.agenda[0].speakers[2].reason.contains("ngos"));
}

#[test]
fn balance_time_puts_the_least_heard_group_first_and_policies_switch_mid_item() {
    let (mut room, item) = Room::with_open_item();
    // amina (women, KE) speaks 60 s, bruno (ngos, BR) 20 s.
    for (p, secs) in [(amina(), 60_000), (bruno(), 20_000)] {
        room.ask(&p, RequestKind::Speak);
        room.grant_next();
        room.now += secs;
        room.ok(&p, RoomCommand::YieldFloor);
    }
    room.ask(&amina(), RequestKind::Speak);
    room.ask(&chen(), RequestKind::Speak);
    room.ask(&dara(), RequestKind::Speak);
    assert_eq!(room.order(), ["amina", "chen", "dara"]);
    room.policy(item, SpeakingPolicy::BalanceTime, BalanceBy::Constituency);
    // Farmers have used nothing, NGOs 20 s, women 60 s.
    assert_eq!(room.order(), ["dara", "chen", "amina"]);
    assert!(
        room.view().agenda[0].speakers[0]
            .reason
            .contains("farmers has used 0 s")
    );
    room.policy(item, SpeakingPolicy::BalanceTime, BalanceBy::Region);
    // By UN group: Latin America (bruno 20 s) before Africa (amina 60 s). dara is BR, chen KE.
    assert_eq!(room.order(), ["dara", "amina", "chen"]);
    room.policy(
        item,
        SpeakingPolicy::FirstTimeFirst,
        BalanceBy::Constituency,
    );
    assert_eq!(room.order(), ["chen", "dara", "amina"]);
}

#[test]
fn closing_the_list_still_takes_points_of_order_and_reopening_takes_all() {
    let (mut room, _) = Room::with_open_item();
    room.ask(&amina(), RequestKind::Speak);
    forbidden(room.run(&amina(), RoomCommand::CloseSpeakingList));
    room.ok(&moderator(), RoomCommand::CloseSpeakingList);
    invalid(room.run(&moderator(), RoomCommand::CloseSpeakingList));
    let message = invalid(room.run(
        &bruno(),
        RoomCommand::RequestFloor(RequestFloor::new(RequestKind::Speak)),
    ));
    assert!(message.contains("closed"));
    room.ask(&bruno(), RequestKind::PointOfOrder);
    assert!(room.view().agenda[0].list_closed);
    assert_eq!(room.order(), ["bruno", "amina"]);
    room.ok(&moderator(), RoomCommand::ReopenSpeakingList);
    room.ask(&bruno(), RequestKind::Speak);
    assert_eq!(room.order(), ["bruno", "amina", "bruno"]);
}

#[test]
fn granting_out_of_order_needs_a_reason_which_is_recorded() {
    let (mut room, _) = Room::with_open_item();
    room.ask(&amina(), RequestKind::Speak);
    let bruno_request = room.ask(&bruno(), RequestKind::Speak);
    forbidden(room.run(
        &amina(),
        RoomCommand::GrantFloor(GrantFloor {
            request: None,
            reason: None,
        }),
    ));
    let message = invalid(room.run(
        &moderator(),
        RoomCommand::GrantFloor(GrantFloor {
            request: Some(bruno_request),
            reason: None,
        }),
    ));
    assert!(message.contains("needs a reason"));
    let events = room.ok(
        &moderator(),
        RoomCommand::GrantFloor(GrantFloor {
            request: Some(bruno_request),
            reason: Some("He must leave for the airport".into()),
        }),
    );
    let EventBody::FloorGranted(granted) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(
        granted.out_of_order.as_deref(),
        Some("He must leave for the airport")
    );
    assert_eq!(granted.speaker.user.as_str(), "bruno");
    let view = room.view();
    assert_eq!(
        view.turns[0].out_of_order.as_deref(),
        Some("He must leave for the airport")
    );
    // The floor is taken: no second grant.
    invalid(room.run(
        &moderator(),
        RoomCommand::GrantFloor(GrantFloor {
            request: None,
            reason: None,
        }),
    ));
}

#[test]
fn extend_pause_resume_and_expire_with_warnings() {
    let (mut room, _) = Room::with_open_item();
    room.ask(&amina(), RequestKind::Speak);
    let t = room.now;
    let turn = room.grant_next();
    // 180 s with a warning 30 s before.
    assert_eq!(room.state.next_deadline(), Some(t + 150_000));
    room.now = t + 100_000;
    assert!(room.tick().is_empty());
    room.ok(
        &moderator(),
        RoomCommand::ExtendFloor(ExtendFloor { by_ms: 60_000 }),
    );
    assert_eq!(room.state.next_deadline(), Some(t + 210_000));
    room.now = t + 110_000;
    let paused = room.ok(&moderator(), RoomCommand::PauseFloor);
    assert_eq!(
        paused,
        [EventBody::FloorPaused(FloorRemaining {
            turn,
            remaining_ms: 130_000
        })]
    );
    assert_eq!(room.state.next_deadline(), None);
    invalid(room.run(&moderator(), RoomCommand::PauseFloor));
    room.now = t + 500_000;
    assert!(room.tick().is_empty());
    room.ok(&moderator(), RoomCommand::ResumeFloor);
    let deadline = t + 630_000;
    assert_eq!(room.view().floor.unwrap().deadline, Some(deadline));
    room.now = deadline - 30_000;
    let warning = room.tick();
    assert_eq!(
        warning,
        [EventBody::FloorWarning(FloorRemaining {
            turn,
            remaining_ms: 30_000
        })]
    );
    assert!(room.tick().is_empty(), "a repeated tick changes nothing");
    // A late tick ends the floor at the deadline: 110 s before the pause + 130 s after.
    room.now = deadline + 5_000;
    let events = room.tick();
    assert_eq!(
        events,
        [EventBody::FloorEnded(FloorEnded {
            turn,
            reason: FloorEndReason::Expired,
            spoken_ms: 240_000
        })]
    );
    assert!(room.tick().is_empty());
    assert_eq!(room.state.next_deadline(), None);
    let view = room.view();
    assert_eq!(
        view.session_stats.participants["amina"].speaking_ms,
        240_000
    );
    assert_eq!(view.turns[0].duration_ms, 240_000);
}

#[test]
fn asking_the_moderator_at_expiry_keeps_the_floor_until_they_decide() {
    let (mut room, _) = Room::with_open_item();
    room.ok(
        &moderator(),
        RoomCommand::ConfigureRoundtable(ConfigureRoundtable {
            settings: RoundtableSettings {
                speaking_time_ms: 60_000,
                warning_ms: 0,
                on_expiry: OnExpiry::AskModerator,
                ..RoundtableSettings::default()
            },
        }),
    );
    room.ask(&amina(), RequestKind::Speak);
    let t = room.now;
    let turn = room.grant_next();
    assert_eq!(room.state.next_deadline(), Some(t + 60_000));
    room.now = t + 60_000;
    assert_eq!(room.tick(), [EventBody::FloorTimeUp(TurnRef { turn })]);
    assert!(room.tick().is_empty());
    assert!(room.view().floor.unwrap().time_up);
    room.now = t + 75_000;
    let events = room.ok(&moderator(), RoomCommand::RevokeFloor);
    assert_eq!(ended(&events).spoken_ms, 75_000);
    assert_eq!(ended(&events).reason, FloorEndReason::Revoked);
}

#[test]
fn statements_from_the_floor_are_linked_to_the_turn_and_agenda_items_are_checked() {
    let (mut room, item) = Room::with_open_item();
    let post = |item: Option<u64>| RoomCommand::PostStatement {
        text: "Debt relief first.".into(),
        lang: LanguageTag::new("en").unwrap(),
        parent: None,
        agenda_item: item,
        question: None,
        alignment: None,
    };
    invalid(room.run(&amina(), post(Some(999))));
    room.ask(&amina(), RequestKind::Speak);
    let turn = room.grant_next();
    room.ok(&amina(), post(Some(item)));
    let statement = room.state.seq();
    room.ok(&bruno(), post(None));
    let view = room.view();
    assert_eq!(
        view.turns.iter().find(|t| t.id == turn).unwrap().statements,
        [statement]
    );
}

#[test]
fn muted_people_neither_request_nor_post_and_expelled_ones_leave_for_good() {
    let (mut room, _) = Room::with_open_item();
    room.ask(&amina(), RequestKind::Speak);
    room.ask(&bruno(), RequestKind::Speak);
    let sanction = |p: Profile| Sanction {
        user: p.user,
        reason: "Repeated personal attacks".into(),
    };
    forbidden(room.run(&bruno(), RoomCommand::MuteParticipant(sanction(amina()))));
    invalid(room.run(
        &moderator(),
        RoomCommand::MuteParticipant(sanction(moderator())),
    ));
    room.ok(
        &moderator(),
        RoomCommand::MuteParticipant(sanction(amina())),
    );
    assert_eq!(room.order(), ["bruno"], "a mute drops the requests");
    forbidden(room.run(
        &amina(),
        RoomCommand::RequestFloor(RequestFloor::new(RequestKind::Speak)),
    ));
    forbidden(room.run(
        &amina(),
        RoomCommand::PostStatement {
            text: "hello".into(),
            lang: LanguageTag::new("en").unwrap(),
            parent: None,
            agenda_item: None,
            question: None,
            alignment: None,
        },
    ));
    room.ok(
        &moderator(),
        RoomCommand::UnmuteParticipant(UserRef { user: amina().user }),
    );
    room.ask(&amina(), RequestKind::Speak);

    // Expel the speaker: the floor ends, the record says why, presence ends, rejoin refused.
    room.grant_next();
    room.now += 12_000;
    let events = room.ok(
        &moderator(),
        RoomCommand::ExpelParticipant(sanction(bruno())),
    );
    assert_eq!(ended(&events).reason, FloorEndReason::Expelled);
    assert_eq!(ended(&events).spoken_ms, 12_000);
    assert!(!room.state.is_present(&bruno().user));
    assert_eq!(room.view().expelled[0].reason, "Repeated personal attacks");
    forbidden(room.exec(&Actor::Person(bruno()), &Command::Join));
    assert_eq!(
        room.run(&bruno(), RoomCommand::YieldFloor),
        Err(Rejection::NotPresent)
    );
    room.ok(
        &moderator(),
        RoomCommand::ReadmitParticipant(UserRef { user: bruno().user }),
    );
    room.exec(&Actor::Person(bruno()), &Command::Join).unwrap();
    assert!(room.state.is_present(&bruno().user));
}

#[test]
fn budgets_cap_speaking_time_and_send_spent_constituencies_last() {
    let (mut room, item) = Room::with_open_item();
    room.ok(
        &moderator(),
        RoomCommand::SetTimeBudget(SetTimeBudget {
            item,
            constituency: Constituency::Ngos,
            budget_ms: Some(100_000),
        }),
    );
    room.ask(&bruno(), RequestKind::Speak);
    room.grant_next();
    room.now += 90_000;
    room.ok(&bruno(), RoomCommand::YieldFloor);
    room.ask(&chen(), RequestKind::Speak);
    room.grant_next();
    assert_eq!(
        room.view().turns[1].duration_ms,
        10_000,
        "what is left of the budget"
    );
    room.now += 20_000;
    let events = room.tick();
    assert_eq!(ended(&events).spoken_ms, 10_000);
    room.ask(&chen(), RequestKind::Speak);
    room.ask(&amina(), RequestKind::Speak);
    assert_eq!(room.order(), ["amina", "chen"]);
    let view = room.item_view(item);
    assert!(!view.speakers[1].eligible);
    assert_eq!(view.budgets[0].used_ms, 100_000);
}

#[test]
fn statistics_count_turns_and_time_per_participant_org_constituency_and_region() {
    let (mut room, item) = Room::with_open_item();
    for (p, ms) in [(amina(), 30_000), (chen(), 45_000), (bruno(), 15_000)] {
        room.ask(&p, RequestKind::Speak);
        room.grant_next();
        room.now += ms;
        room.ok(&p, RoomCommand::YieldFloor);
    }
    let view = room.view();
    let stats = &room.item_view(item).stats;
    assert_eq!(stats, &view.session_stats);
    assert_eq!(
        stats.participants["chen"],
        Tally {
            turns: 1,
            speaking_ms: 45_000
        }
    );
    assert_eq!(stats.organisations["chen-org"].speaking_ms, 45_000);
    assert_eq!(
        stats.constituencies["ngos"],
        Tally {
            turns: 2,
            speaking_ms: 60_000
        }
    );
    assert_eq!(
        stats.un_groups["african"],
        Tally {
            turns: 2,
            speaking_ms: 75_000
        }
    );
    assert_eq!(stats.m49_regions["019"].speaking_ms, 15_000);
}

#[test]
fn only_the_server_ticks() {
    let (mut room, _) = Room::with_open_item();
    forbidden(room.exec(&Actor::Person(moderator()), &Command::Tick));
}

/// Issue 11, defect 9: `floor.warned` reports what the record says. With no warning lead, or a
/// turn shorter than the lead, no `floor_warning` is ever recorded, so the view never says one
/// went out; with a lead it says so exactly from the recorded warning until an extension makes a
/// new one due.
#[test]
fn the_floor_is_warned_only_once_a_floor_warning_is_recorded() {
    let warnings = |room: &Room| {
        room.log
            .iter()
            .filter(|e| matches!(e.body, EventBody::FloorWarning(_)))
            .count()
    };
    let configure = |room: &mut Room, speaking_time_ms: u64, warning_ms: u64| {
        room.ok(
            &moderator(),
            RoomCommand::ConfigureRoundtable(ConfigureRoundtable {
                settings: RoundtableSettings {
                    speaking_time_ms,
                    warning_ms,
                    ..RoundtableSettings::default()
                },
            }),
        );
    };
    // No lead: never warned, from the grant to the deadline.
    let (mut room, _) = Room::with_open_item();
    configure(&mut room, 60_000, 0);
    room.ask(&amina(), RequestKind::Speak);
    let t = room.now;
    room.grant_next();
    assert!(!room.view().floor.unwrap().warned, "warned at the grant");
    assert_eq!(room.state.next_deadline(), Some(t + 60_000));
    room.now = t + 59_000;
    assert!(room.tick().is_empty());
    assert!(!room.view().floor.unwrap().warned);
    assert_eq!(warnings(&room), 0);

    // A turn shorter than the lead: no warning is due, none is claimed.
    let (mut room, _) = Room::with_open_item();
    configure(&mut room, 20_000, 30_000);
    room.ask(&amina(), RequestKind::Speak);
    let t = room.now;
    room.grant_next();
    assert!(!room.view().floor.unwrap().warned, "warned at the grant");
    assert_eq!(room.state.next_deadline(), Some(t + 20_000));
    room.now = t + 10_000;
    assert!(room.tick().is_empty());
    assert!(!room.view().floor.unwrap().warned);
    assert_eq!(warnings(&room), 0);

    // A lead: warned from the recorded warning; an extension past the lead makes a new one due.
    let (mut room, _) = Room::with_open_item();
    configure(&mut room, 60_000, 30_000);
    room.ask(&amina(), RequestKind::Speak);
    let t = room.now;
    let turn = room.grant_next();
    assert!(!room.view().floor.unwrap().warned);
    room.now = t + 30_000;
    assert_eq!(
        room.tick(),
        [EventBody::FloorWarning(FloorRemaining {
            turn,
            remaining_ms: 30_000
        })]
    );
    assert!(room.view().floor.unwrap().warned);
    room.ok(
        &moderator(),
        RoomCommand::ExtendFloor(ExtendFloor { by_ms: 60_000 }),
    );
    assert!(!room.view().floor.unwrap().warned, "a new warning is due");
    assert_eq!(room.state.next_deadline(), Some(t + 90_000));
    room.ok(
        &moderator(),
        RoomCommand::ExtendFloor(ExtendFloor { by_ms: 1_000 }),
    );
    room.now = t + 121_000 - 30_000;
    assert_eq!(room.tick().len(), 1);
    assert!(room.view().floor.unwrap().warned);
    assert_eq!(warnings(&room), 2);
}

#[test]
fn the_chair_rules_once_on_a_point_of_order_and_the_view_shows_the_ruling() {
    let (mut room, _) = Room::with_open_item();
    room.ask(&bruno(), RequestKind::Speak);
    let speech = room.grant_next();
    room.ask(&dara(), RequestKind::PointOfOrder);
    room.ok(&bruno(), RoomCommand::YieldFloor);
    let point = room.grant_next();
    let rule = |turn, ruling: &str| {
        RoomCommand::RulePointOfOrder(RulePointOfOrder {
            turn,
            ruling: ruling.into(),
        })
    };
    // Only the chair rules, only on a point of order, with a ruling.
    let refused = room.run(&dara(), rule(point, "Sustained")).unwrap_err();
    assert!(matches!(refused, Rejection::Forbidden(_)));
    let refused = room
        .run(&moderator(), rule(speech, "Sustained"))
        .unwrap_err();
    assert!(matches!(refused, Rejection::Invalid(_)), "{refused}");
    let refused = room.run(&moderator(), rule(point, "   ")).unwrap_err();
    assert!(matches!(refused, Rejection::Invalid(_)));
    room.now += 5_000;
    let events = room.ok(
        &moderator(),
        rule(point, "The point is well taken: speakers keep to the item."),
    );
    assert_eq!(
        events,
        [EventBody::PointOfOrderRuled(RulePointOfOrder {
            turn: point,
            ruling: "The point is well taken: speakers keep to the item.".into(),
        })]
    );
    let turn = room
        .view()
        .turns
        .into_iter()
        .find(|t| t.id == point)
        .unwrap();
    let ruling = turn.ruling.expect("a ruling");
    assert_eq!(ruling.by.as_str(), "mod");
    assert_eq!(ruling.at, room.now);
    // Once per turn; the floor is still the point of order's, and stays so.
    let refused = room.run(&moderator(), rule(point, "Again")).unwrap_err();
    assert!(matches!(refused, Rejection::Invalid(_)));
    assert_eq!(room.view().floor.map(|f| f.turn), Some(point));
}

#[test]
fn the_registry_ending_an_access_ends_the_floor_drops_the_requests_and_is_recorded_once() {
    use baraza_proto::event::{AccessEndCause, AccessEnded};
    let (mut room, _) = Room::with_open_item();
    room.ask(&amina(), RequestKind::Speak);
    room.ask(&bruno(), RequestKind::Speak);
    room.ask(&chen(), RequestKind::Speak);
    room.grant_next();
    let speaker = room.view().floor.unwrap().user;
    let waiting: Vec<String> = room.order();
    assert!(!waiting.is_empty());
    let access_end = |user: &UserId| AccessEnded {
        user: user.clone(),
        cause: AccessEndCause::AccreditationWithdrawn,
        reason: "Not a civil-society organisation".into(),
        registry_seq: 42,
    };
    room.now += 7_000;

    // The speaker: the floor ends (the record says why), then the access.
    let events = room
        .exec(&Actor::System, &Command::EndAccess(access_end(&speaker)))
        .unwrap();
    assert_eq!(ended(&events).reason, FloorEndReason::AccessEnded);
    assert_eq!(ended(&events).spoken_ms, 7_000);
    assert!(matches!(events.last(), Some(EventBody::AccessEnded(a)) if a.registry_seq == 42));
    assert!(!room.state.is_present(&speaker));
    assert!(room.view().floor.is_none());

    // Someone waiting on the list: their request goes, the others' stay.
    let next = UserId::new(waiting[0].as_str()).unwrap();
    let before = room.order();
    room.exec(&Actor::System, &Command::EndAccess(access_end(&next)))
        .unwrap();
    let after = room.order();
    assert_eq!(after.len(), before.len() - 1);
    assert!(!after.contains(&waiting[0]));

    // Again (another node saw the same registry event): nothing left to end, nothing recorded.
    let again = room
        .exec(&Actor::System, &Command::EndAccess(access_end(&next)))
        .unwrap();
    assert!(again.is_empty());
    // Someone never in the room: nothing to state.
    let stranger = UserId::new("registry:99").unwrap();
    assert!(
        room.exec(&Actor::System, &Command::EndAccess(access_end(&stranger)))
            .unwrap()
            .is_empty()
    );
    // Only the server records it.
    forbidden(room.exec(
        &Actor::Person(moderator()),
        &Command::EndAccess(access_end(&amina().user)),
    ));
}
