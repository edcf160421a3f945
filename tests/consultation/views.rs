//! Issue 14, no refetch storms: a consultation's `view` messages keep a client's derived parts
//! (the consultation part and the statement list as its role may see them) equal to what
//! `GET /api/rooms/{id}` returns afterwards, for a moderator and a participant, through a held
//! submission, its approval, a rejection and a report — without fetching anything.

use super::{consultation, country, ok, participant, phase, submit};
use baraza_e2e::{Api, Client, NodeProcess, TokenSpec};
use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::ModerationMode;
use baraza_proto::identity::{Constituency, Role};
use baraza_proto::ids::Seq;
use baraza_proto::view::{RoomView, ViewPatch};

const ROOM: &str = "ke-views";

/// What a client keeps of the derived parts: the consultation part and the statement list.
struct Kept {
    who: &'static str,
    client: Client,
    api: Api,
    view: RoomView,
}

impl Kept {
    /// Applies a `view` message as the web client does (store.applyView).
    fn apply(&mut self, patch: ViewPatch) {
        if let Some(part) = patch.consultation {
            self.view.consultation = Some(part);
        }
        let list = &mut self.view.statements;
        list.retain(|s| !patch.removed.contains(&s.id));
        for statement in patch.statements {
            match list.binary_search_by_key(&statement.id, |s| s.id) {
                Ok(at) => list[at] = statement,
                Err(at) => list.insert(at, statement),
            }
        }
    }

    /// Waits for the view after event `seq`, applies it, and compares with a fetch.
    async fn check(&mut self, step: &str, seq: Seq) {
        let patch = self.client.view_at(ROOM, seq).await;
        assert_eq!(
            patch.seq, seq,
            "{step}: the view follows its event ({})",
            self.who
        );
        assert!(patch.roundtable.is_none());
        self.apply(patch);
        let (_, body) = self.api.get(&format!("/api/rooms/{ROOM}")).await;
        assert_eq!(body["seq"], seq, "{step}: nothing happened since");
        let fetched: RoomView = serde_json::from_value(body["state"].clone()).unwrap();
        assert_eq!(
            self.view.consultation, fetched.consultation,
            "{step}: the consultation part {} would fetch",
            self.who
        );
        assert_eq!(
            self.view.statements, fetched.statements,
            "{step}: the statements {} would fetch",
            self.who
        );
    }
}

#[tokio::test]
async fn view_messages_keep_each_readers_consultation_equal_to_a_fetch() {
    let node = NodeProcess::start().await;
    let url = node.ws_url();
    let sec_token = TokenSpec::new("sec-1", Role::Secretariat).sign();
    Api::new(node.http_url(), sec_token.clone())
        .create_room(ROOM, &consultation("Kenya: seeds", country("KE")))
        .await;
    let (mut sec, _) = Client::signed_in(&url, &sec_token).await;
    sec.join(ROOM, None).await;
    let question = ok(
        &mut sec,
        ROOM,
        Some("q1"),
        RoomCommand::AddQuestion {
            text: "Who keeps the seeds?".into(),
        },
    )
    .await;
    ok(
        &mut sec,
        ROOM,
        None,
        RoomCommand::SetModeration {
            mode: ModerationMode::Pre,
        },
    )
    .await;
    ok(
        &mut sec,
        ROOM,
        None,
        phase(baraza_proto::consultation::Phase::Open),
    )
    .await;

    let mut readers = Vec::new();
    for (who, token) in [
        ("moderator", TokenSpec::new("mod-1", Role::Moderator).sign()),
        (
            "participant",
            participant("wanjiku", "Seed Savers", Constituency::Women, "KE"),
        ),
    ] {
        let (mut client, _) = Client::signed_in(&url, &token).await;
        let joined = client.join(ROOM, None).await;
        readers.push(Kept {
            who,
            client,
            api: Api::new(node.http_url(), token),
            view: joined.snapshot.expect("a snapshot").1,
        });
    }
    let (mut author, _) = Client::signed_in(
        &url,
        &participant("otieno", "Lake Basin Farmers", Constituency::Farmers, "KE"),
    )
    .await;
    author.join(ROOM, None).await;
    // The author's join: a member_joined, which changes nothing derived for anyone here.

    let held = ok(
        &mut author,
        ROOM,
        Some("s1"),
        submit("Farmer organisations keep the seeds.", "en", question),
    )
    .await;
    for reader in &mut readers {
        reader.check("held submission", held).await;
    }
    let approved = ok(
        &mut sec,
        ROOM,
        None,
        RoomCommand::ApproveStatement { statement: held },
    )
    .await;
    for reader in &mut readers {
        reader.check("approval", approved).await;
    }
    let spam = ok(
        &mut author,
        ROOM,
        Some("s2"),
        submit("Buy cheap seeds at example.com", "en", question),
    )
    .await;
    for reader in &mut readers {
        reader.check("second submission", spam).await;
    }
    let rejected = ok(
        &mut sec,
        ROOM,
        None,
        RoomCommand::RejectStatement {
            statement: spam,
            reason: "Advertising".into(),
        },
    )
    .await;
    for reader in &mut readers {
        reader.check("rejection", rejected).await;
    }
    let report = ok(
        &mut readers[1].client,
        ROOM,
        None,
        RoomCommand::ReportStatement {
            statement: held,
            reason: "Off topic".into(),
        },
    )
    .await;
    for reader in &mut readers {
        reader.check("report", report).await;
    }
    let closed = ok(
        &mut sec,
        ROOM,
        None,
        phase(baraza_proto::consultation::Phase::Closed),
    )
    .await;
    for reader in &mut readers {
        reader.check("closing", closed).await;
    }
    // The participant never saw the rejected one; the moderator sees it marked.
    assert!(readers[1].view.statements.iter().all(|s| s.id != spam));
    assert!(
        readers[0]
            .view
            .statements
            .iter()
            .any(|s| s.id == spam && s.rejected.is_some())
    );
}
