//! Issue 14, no refetch storms: after each roundtable command the `view` message that follows
//! its event carries the roundtable part as `GET /api/rooms/{id}` returns it afterwards, for a
//! moderator and for a participant; an event that changes nothing derived (a member joining)
//! is followed by none; a resume ends with the whole part.

use super::{ROOM, member, ok, participant, roundtable_view, setup};
use baraza_e2e::{Api, TokenSpec};
use baraza_proto::command::RoomCommand;
use baraza_proto::identity::{Constituency, Role};
use baraza_proto::roundtable::*;

#[tokio::test]
async fn each_command_is_followed_by_the_roundtable_part_each_reader_would_fetch() {
    let (node, api, mut moderator) = setup().await;
    let amina_token = participant("amina", Constituency::Women, "KE");
    let mut amina = member(&node, &amina_token).await;
    let moderator_api = Api::new(
        node.http_url(),
        TokenSpec::new("mod-1", Role::Moderator).sign(),
    );
    let amina_api = Api::new(node.http_url(), amina_token.clone());

    let item = ok(
        &mut moderator,
        Some("item-1"),
        RoomCommand::AddAgendaItem(AddAgendaItem {
            title: "Debt and fiscal space".into(),
            speaking_time_ms: None,
        }),
    )
    .await;
    let steps: Vec<(&str, RoomCommand, bool)> = vec![
        ("open", RoomCommand::OpenAgendaItem(ItemRef { item }), true),
        (
            "request",
            RoomCommand::RequestFloor(RequestFloor::new(RequestKind::Speak)),
            false,
        ),
        (
            "grant",
            RoomCommand::GrantFloor(GrantFloor {
                request: None,
                reason: None,
            }),
            true,
        ),
        ("revoke", RoomCommand::RevokeFloor, true),
    ];
    let mut last = 0;
    for (name, command, by_moderator) in steps {
        let seq = if by_moderator {
            ok(&mut moderator, None, command).await
        } else {
            ok(&mut amina, Some(name), command).await
        };
        for (who, client, reader) in [
            ("moderator", &mut moderator, &moderator_api),
            ("amina", &mut amina, &amina_api),
        ] {
            let view = client.view_at(ROOM, seq).await;
            assert_eq!(view.seq, seq, "{name}: the view follows its event ({who})");
            let (_, body) = reader.get(&format!("/api/rooms/{ROOM}")).await;
            assert_eq!(body["seq"], seq, "{name}: nothing happened since");
            assert_eq!(
                view.roundtable.as_ref(),
                Some(&roundtable_view(reader).await),
                "{name}: the part {who} would fetch"
            );
            assert!(view.consultation.is_none() && view.statements.is_empty());
        }
        last = seq;
    }
    assert_eq!(
        roundtable_view(&api).await.floor,
        None,
        "the floor was revoked"
    );

    // A member joining changes nothing derived here: no view follows it.
    let chen = member(&node, &participant("chen", Constituency::Ngos, "BR")).await;
    let joined_at = last + 1;
    let next = add_item(&mut moderator).await;
    assert!(next > joined_at);
    let view = amina.view_at(ROOM, joined_at).await;
    assert_eq!(view.seq, next, "no view after member_joined");
    drop(chen);

    // A resume (here from memory) ends with the whole part as of the room's seq.
    let (mut again, _) = baraza_e2e::Client::signed_in(&node.ws_url(), &amina_token).await;
    let resumed = again.join(ROOM, Some(last)).await;
    let view = resumed.view.expect("a resume ends with a view");
    assert!(view.resume);
    assert_eq!(view.seq, resumed.seq);
    assert_eq!(view.roundtable, Some(roundtable_view(&amina_api).await));
}

/// A command that changes the roundtable part: another agenda item.
async fn add_item(moderator: &mut baraza_e2e::Client) -> baraza_proto::ids::Seq {
    ok(
        moderator,
        Some("item-2"),
        RoomCommand::AddAgendaItem(AddAgendaItem {
            title: "Trade".into(),
            speaking_time_ms: None,
        }),
    )
    .await
}
