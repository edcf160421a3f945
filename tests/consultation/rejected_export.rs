//! Issue 15: a rejected statement never appears in a participant's export, in any format, over
//! REST or offline with `baraza export --audience public`, while the approved one does.

use super::{consultation, country, ok, participant, phase, submit};
use baraza_e2e::{Api, Client, NodeProcess, TokenSpec, export};
use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::{ModerationMode, Phase};
use baraza_proto::identity::{Constituency, Role};

#[tokio::test]
async fn a_rejected_statement_never_appears_in_a_participants_export() {
    let node = NodeProcess::start().await;
    let url = node.ws_url();
    let sec_token = TokenSpec::new("sec-1", Role::Secretariat).sign();
    let api = Api::new(node.http_url(), sec_token.clone());
    api.create_room("ke-spam", &consultation("Kenya: water", country("KE")))
        .await;
    let (mut sec, _) = Client::signed_in(&url, &sec_token).await;
    sec.join("ke-spam", None).await;
    let question = ok(
        &mut sec,
        "ke-spam",
        Some("q1"),
        RoomCommand::AddQuestion {
            text: "Who lacks safe water?".into(),
        },
    )
    .await;
    ok(
        &mut sec,
        "ke-spam",
        None,
        RoomCommand::SetModeration {
            mode: ModerationMode::Pre,
        },
    )
    .await;
    ok(&mut sec, "ke-spam", None, phase(Phase::Open)).await;
    let (mut moderator, _) =
        Client::signed_in(&url, &TokenSpec::new("mod-1", Role::Moderator).sign()).await;
    moderator.join("ke-spam", None).await;
    let reader_token = participant("wanjiku", "Kibera Water Users", Constituency::Women, "KE");
    let (mut author, _) = Client::signed_in(
        &url,
        &participant("otieno", "Lake Basin Farmers", Constituency::Farmers, "KE"),
    )
    .await;
    author.join("ke-spam", None).await;

    let good = "Informal settlements pay ten times the utility price.";
    let spam = "Cheap pumps at discount prices, call now";
    let good_id = ok(
        &mut author,
        "ke-spam",
        Some("s1"),
        submit(good, "en", question),
    )
    .await;
    let spam_id = ok(
        &mut author,
        "ke-spam",
        Some("s2"),
        submit(spam, "en", question),
    )
    .await;
    ok(
        &mut moderator,
        "ke-spam",
        None,
        RoomCommand::ApproveStatement { statement: good_id },
    )
    .await;
    ok(
        &mut moderator,
        "ke-spam",
        None,
        RoomCommand::RejectStatement {
            statement: spam_id,
            reason: "Advertising.".into(),
        },
    )
    .await;

    for lang in ["en", "fr"] {
        let docs = export::every_format(&node.http_url(), &reader_token, "ke-spam", lang).await;
        export::assert_valid_akn(&docs["akn"]);
        for (format, body) in &docs {
            assert!(
                body.contains(good),
                "{format} ({lang}): the approved statement"
            );
            assert!(
                !body.contains("Cheap pumps"),
                "{format} ({lang}): the rejected statement is in a participant's export"
            );
        }
    }
    for format in ["html", "md", "json", "csv", "akn"] {
        let offline = export::offline(node.data().path(), "ke-spam", format, "public");
        assert!(offline.contains(good), "offline {format}");
        assert!(!offline.contains("Cheap pumps"), "offline {format}");
    }
}
