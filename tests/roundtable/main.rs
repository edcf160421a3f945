//! End-to-end tests of moderated roundtables over real sockets against the real `baraza`
//! binary: requests, grants, a point of order, a reply, a server-side timer expiry, and the
//! statistics at the end.

use baraza_e2e::client::Incoming;
use baraza_e2e::{Api, Client, NodeProcess, TokenSpec, export};
use baraza_proto::command::RoomCommand;
use baraza_proto::error::ErrorCode;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::identity::{Constituency, Role};
use baraza_proto::ids::{LanguageTag, Seq};
use baraza_proto::message::ServerMessage;
use baraza_proto::room::{RoomKind, RoomSettings, Scope};
use baraza_proto::roundtable::*;
use baraza_proto::view::RoomView;
use std::collections::{BTreeMap, HashMap};

mod minutes;
mod views;

const ROOM: &str = "rt";

fn participant(sub: &str, constituency: Constituency, country: &str) -> String {
    TokenSpec::new(sub, Role::Participant)
        .from_org(&format!("{sub} network"), constituency, country)
        .sign()
}

async fn setup() -> (NodeProcess, Api, Client) {
    let node = NodeProcess::start().await;
    let api = Api::new(
        node.http_url(),
        TokenSpec::new("sec-1", Role::Secretariat).sign(),
    );
    api.create_room(
        ROOM,
        &RoomSettings {
            kind: RoomKind::Roundtable,
            title: "Financing for development".into(),
            description: String::new(),
            languages: vec![LanguageTag::new("en").unwrap()],
            scope: Scope::Global,
            constituency: None,
            audience_above: None,
        },
    )
    .await;
    let moderator = member(&node, &TokenSpec::new("mod-1", Role::Moderator).sign()).await;
    (node, api, moderator)
}

async fn member(node: &NodeProcess, token: &str) -> Client {
    let (mut client, _) = Client::signed_in(&node.ws_url(), token).await;
    client.join(ROOM, None).await;
    client
}

/// Sends a command that must succeed; returns the seq of its first event.
async fn ok(client: &mut Client, key: Option<&str>, command: RoomCommand) -> Seq {
    let name = command.name();
    client
        .command(ROOM, key, command)
        .await
        .unwrap_or_else(|refusal| panic!("{name} refused: {refusal:?}"))
        .0
}

async fn grant_next(moderator: &mut Client) -> Seq {
    ok(
        moderator,
        None,
        RoomCommand::GrantFloor(GrantFloor {
            request: None,
            reason: None,
        }),
    )
    .await
}

/// Waits for the first event whose body `pick` accepts.
async fn event_where(
    client: &mut Client,
    what: &str,
    pick: impl Fn(&EventBody) -> bool,
) -> EventEnvelope {
    client
        .wait_for(what, |incoming| match incoming {
            Incoming::Message(ServerMessage::Event(e)) if pick(&e.body) => Some((**e).clone()),
            _ => None,
        })
        .await
}

async fn roundtable_view(api: &Api) -> RoundtableView {
    let (_, body) = api.get(&format!("/api/rooms/{ROOM}")).await;
    let view: RoomView = serde_json::from_value(body["state"].clone()).expect("a room view");
    view.roundtable.expect("a roundtable part")
}

#[tokio::test]
async fn a_moderated_item_from_requests_to_statistics() {
    let (_node, api, mut moderator) = setup().await;
    // Three constituencies, two regions (African and Latin American and Caribbean groups).
    let mut amina = member(&_node, &participant("amina", Constituency::Women, "KE")).await;
    let mut bruno = member(&_node, &participant("bruno", Constituency::Ngos, "BR")).await;
    let mut chen = member(&_node, &participant("chen", Constituency::Ngos, "KE")).await;
    let mut dara = member(&_node, &participant("dara", Constituency::Farmers, "BR")).await;

    ok(
        &mut moderator,
        None,
        RoomCommand::ConfigureRoundtable(ConfigureRoundtable {
            settings: RoundtableSettings {
                speaking_time_ms: 20_000,
                reply_time_ms: 1_200,
                point_of_order_time_ms: 20_000,
                warning_ms: 600,
                on_expiry: OnExpiry::EndFloor,
            },
        }),
    )
    .await;
    let item = ok(
        &mut moderator,
        Some("item-1"),
        RoomCommand::AddAgendaItem(AddAgendaItem {
            title: "Debt and fiscal space".into(),
            speaking_time_ms: None,
        }),
    )
    .await;
    ok(
        &mut moderator,
        None,
        RoomCommand::OpenAgendaItem(ItemRef { item }),
    )
    .await;
    ok(
        &mut moderator,
        None,
        RoomCommand::SetSpeakingPolicy(SetSpeakingPolicy {
            item,
            policy: SpeakingPolicy::RotateConstituency,
            balance_by: BalanceBy::Constituency,
        }),
    )
    .await;

    let speak = || RoomCommand::RequestFloor(RequestFloor::new(RequestKind::Speak));
    ok(&mut bruno, Some("b-1"), speak()).await;
    ok(&mut chen, Some("c-1"), speak()).await;
    ok(&mut amina, Some("a-1"), speak()).await;
    // A retried request changes nothing; a second open request of one kind is refused.
    let (_, duplicate) = bruno.command(ROOM, Some("b-1"), speak()).await.unwrap();
    assert!(duplicate);
    let refused = bruno.command(ROOM, Some("b-2"), speak()).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidCommand);

    // Everyone sees the suggested order and why: two NGOs do not speak in a row.
    let view = roundtable_view(&api).await;
    let list = &view.agenda[0].speakers;
    let order: Vec<&str> = list.iter().map(|s| s.user.as_str()).collect();
    assert_eq!(order, ["bruno", "amina", "chen"]);
    assert!(list.iter().all(|s| !s.reason.is_empty()));

    // Bruno speaks and posts from the floor.
    let bruno_turn = grant_next(&mut moderator).await;
    let statement = bruno
        .post(
            ROOM,
            "b-s1",
            "Debt service now exceeds health spending.",
            None,
        )
        .await;
    // A point of order and a reply arrive while he speaks.
    ok(
        &mut dara,
        Some("d-1"),
        RoomCommand::RequestFloor(RequestFloor::new(RequestKind::PointOfOrder)),
    )
    .await;
    ok(
        &mut amina,
        Some("a-2"),
        RoomCommand::RequestFloor(RequestFloor::new(RequestKind::Reply)),
    )
    .await;
    let order: Vec<String> = roundtable_view(&api).await.agenda[0]
        .speakers
        .iter()
        .map(|s| format!("{}:{:?}", s.user, s.kind))
        .collect();
    assert_eq!(
        order,
        [
            "dara:PointOfOrder",
            "amina:Reply",
            "amina:Speak",
            "chen:Speak"
        ]
    );
    ok(&mut bruno, None, RoomCommand::YieldFloor).await;

    // The point of order goes first.
    let turn = grant_next(&mut moderator).await;
    let granted = event_where(
        &mut dara,
        "dara's grant",
        |b| matches!(b, EventBody::FloorGranted(g) if g.speaker.user.as_str() == "dara"),
    )
    .await;
    assert_eq!(granted.seq, turn);
    ok(&mut dara, None, RoomCommand::YieldFloor).await;

    // The reply, linked to Bruno's turn, runs out of time: the server's timer warns, then ends it.
    let reply_turn = grant_next(&mut moderator).await;
    let warning = event_where(&mut amina, "the warning", |b| {
        matches!(b, EventBody::FloorWarning(_))
    })
    .await;
    assert!(warning.actor.is_none(), "timer events are the server's");
    let expired = event_where(&mut moderator, "the expiry", |b| {
        matches!(
            b,
            EventBody::FloorEnded(FloorEnded {
                reason: FloorEndReason::Expired,
                ..
            })
        )
    })
    .await;
    let EventBody::FloorEnded(expired) = expired.body else {
        unreachable!()
    };
    assert_eq!(expired.turn, reply_turn);
    assert_eq!(expired.spoken_ms, 1_200, "ended at the deadline");

    // Rotation: after an NGO, the women's constituency, then the other NGO.
    let amina_turn = grant_next(&mut moderator).await;
    ok(&mut amina, None, RoomCommand::YieldFloor).await;
    let chen_turn = grant_next(&mut moderator).await;
    ok(&mut chen, None, RoomCommand::YieldFloor).await;
    let refused = moderator
        .command(
            ROOM,
            None,
            RoomCommand::GrantFloor(GrantFloor {
                request: None,
                reason: None,
            }),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidCommand, "the list is empty");

    // The final state matches what happened…
    let view = roundtable_view(&api).await;
    let turns: Vec<(u64, &str, RequestKind)> = view
        .turns
        .iter()
        .map(|t| (t.id, t.user.as_str(), t.kind))
        .collect();
    assert_eq!(
        turns,
        [
            (bruno_turn, "bruno", RequestKind::Speak),
            (turn, "dara", RequestKind::PointOfOrder),
            (reply_turn, "amina", RequestKind::Reply),
            (amina_turn, "amina", RequestKind::Speak),
            (chen_turn, "chen", RequestKind::Speak),
        ]
    );
    assert_eq!(view.turns[0].statements, [statement]);
    assert_eq!(view.turns[2].reply_to, Some(bruno_turn));
    assert_eq!(view.turns[2].end_reason, Some(FloorEndReason::Expired));
    let stats = &view.session_stats;
    assert_eq!(stats, &view.agenda[0].stats);
    assert_eq!(stats.participants["amina"].turns, 2);
    assert_eq!(stats.constituencies["ngos"].turns, 2);
    assert_eq!(stats.constituencies["farmers"].turns, 1);
    assert_eq!(stats.un_groups["african"].turns, 3);
    assert_eq!(stats.un_groups["latin_american_caribbean"].turns, 2);
    assert_eq!(stats.m49_regions["002"].turns, 3);
    assert_eq!(stats.organisations["chen network"].turns, 1);

    // …and equals a recount of the record.
    let record = api.record(ROOM).await;
    let mut speaker_of: HashMap<Seq, (String, Constituency)> = HashMap::new();
    let mut per_user: BTreeMap<String, (u32, u64)> = BTreeMap::new();
    let mut per_constituency: BTreeMap<String, (u32, u64)> = BTreeMap::new();
    for entry in &record.events {
        match &entry.event.body {
            EventBody::FloorGranted(g) => {
                let c = g.speaker.constituency.expect("a constituency");
                speaker_of.insert(entry.event.seq, (g.speaker.user.to_string(), c));
                per_user.entry(g.speaker.user.to_string()).or_default().0 += 1;
                per_constituency.entry(c.as_str().into()).or_default().0 += 1;
            }
            EventBody::FloorEnded(e) => {
                let (user, c) = &speaker_of[&e.turn];
                per_user.entry(user.clone()).or_default().1 += e.spoken_ms;
                per_constituency.entry(c.as_str().into()).or_default().1 += e.spoken_ms;
            }
            _ => {}
        }
    }
    let live_users: BTreeMap<String, (u32, u64)> = stats
        .participants
        .iter()
        .map(|(k, t)| (k.clone(), (t.turns, t.speaking_ms)))
        .collect();
    let live_constituencies: BTreeMap<String, (u32, u64)> = stats
        .constituencies
        .iter()
        .map(|(k, t)| (k.clone(), (t.turns, t.speaking_ms)))
        .collect();
    assert_eq!(live_users, per_user);
    assert_eq!(live_constituencies, per_constituency);

    // The chair rules on Dara's point of order; the record, and every export of it, show it.
    ok(
        &mut moderator,
        None,
        RoomCommand::RulePointOfOrder(RulePointOfOrder {
            turn,
            ruling: "Speakers keep to the item under discussion.".into(),
        }),
    )
    .await;
    let ruling = roundtable_view(&api).await.turns[1].ruling.clone();
    assert_eq!(
        ruling.map(|r| r.text),
        Some("Speakers keep to the item under discussion.".into())
    );
    let participant_token = participant("chen", Constituency::Ngos, "KE");
    for lang in ["en", "ar"] {
        let docs = export::every_format(&_node.http_url(), &participant_token, ROOM, lang).await;
        for (format, body) in &docs {
            assert!(
                body.contains("Debt service now exceeds health spending."),
                "{format}"
            );
            assert!(
                body.contains("Speakers keep to the item under discussion."),
                "{format}"
            );
        }
        assert!(docs["html"].contains("Debt and fiscal space"));
        export::assert_valid_akn(&docs["akn"]);
    }
    // Offline, on the data directory, the same document.
    let offline = export::offline(_node.data().path(), ROOM, "akn", "full");
    export::assert_valid_akn(&offline);
    assert!(offline.contains("<pointOfOrder"));
}

#[tokio::test]
async fn an_expelled_participant_leaves_and_cannot_rejoin_until_readmitted() {
    let (node, _api, mut moderator) = setup().await;
    let token = participant("bruno", Constituency::Ngos, "BR");
    let mut bruno = member(&node, &token).await;
    ok(
        &mut moderator,
        None,
        RoomCommand::ExpelParticipant(Sanction {
            user: "bruno".parse().unwrap(),
            reason: "Repeated personal attacks".into(),
        }),
    )
    .await;
    event_where(&mut bruno, "the expulsion", |b| {
        matches!(b, EventBody::ParticipantExpelled(_))
    })
    .await;
    assert_eq!(bruno.connection_error().await, ErrorCode::Forbidden);
    // Nothing of the room reaches the expelled connection any more.
    let later = moderator
        .post(ROOM, "m-after", "We continue without him.", None)
        .await;
    assert!(later > 0);
    bruno.ping().await;
    assert_eq!(bruno.kept_events(), 0, "no events after the expulsion");
    let refused = bruno
        .command(
            ROOM,
            Some("b-1"),
            RoomCommand::RequestFloor(RequestFloor::new(RequestKind::Speak)),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::NotJoined);
    let (mut again, _) = Client::signed_in(&node.ws_url(), &token).await;
    let refused = again.try_join(ROOM, None).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::Forbidden);
    ok(
        &mut moderator,
        None,
        RoomCommand::ReadmitParticipant(UserRef {
            user: "bruno".parse().unwrap(),
        }),
    )
    .await;
    again.join(ROOM, None).await;
}
