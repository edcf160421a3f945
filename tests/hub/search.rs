//! `GET /api/search`: statements in Arabic, Chinese, French and English found by a word in
//! their language; what a reader may not read is never found by them.

use super::*;
use baraza_proto::command::RoomCommand;
use baraza_proto::ids::StatementId;
use baraza_proto::search::SearchResults;
use reqwest::StatusCode;

/// Posts `text` in `lang`; returns its id.
async fn say(client: &mut Client, key: &str, text: &str, lang: &str) -> StatementId {
    let command = RoomCommand::PostStatement {
        text: text.into(),
        lang: LanguageTag::new(lang).unwrap(),
        parent: None,
        agenda_item: None,
        question: None,
        alignment: None,
    };
    client
        .command("hall", Some(key), command)
        .await
        .unwrap_or_else(|refusal| panic!("post refused: {refusal:?}"))
        .0
}

async fn search(api: &Api, query: &str) -> SearchResults {
    let (status, body) = api.get(&format!("/api/search?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    serde_json::from_value(body).unwrap()
}

fn found(results: &SearchResults) -> Vec<StatementId> {
    results.hits.iter().map(|h| h.statement).collect()
}

#[tokio::test]
async fn words_are_found_in_their_language_and_hidden_text_only_by_moderators() {
    let node = NodeProcess::start().await;
    let secretariat = Api::new(node.http_url(), secretariat());
    let mut hall = settings(RoomKind::Roundtable, "Land and food systems");
    hall.languages = ["en", "fr", "es", "ru", "zh", "ar"]
        .into_iter()
        .map(|l| LanguageTag::new(l).unwrap())
        .collect();
    secretariat.create_room("hall", &hall).await;
    let amina_token = participant("amina", "KE");
    let mut amina = member(&node, &amina_token, "hall").await;
    let mut li = member(&node, &participant("li", "CN"), "hall").await;
    let mut fatima = member(&node, &participant("fatima", "EG"), "hall").await;
    let mut marie = member(&node, &participant("marie", "FR"), "hall").await;
    let mut chair = member(&node, &moderator(), "hall").await;

    let english = say(
        &mut amina,
        "a-1",
        "Smallholder farmers need secure land rights.",
        "en",
    )
    .await;
    let chinese = say(&mut li, "l-1", "我们支持土地改革和粮食安全。", "zh").await;
    let arabic = say(
        &mut fatima,
        "f-1",
        "نطالب بحماية الأَرَاضِي الزِّرَاعِيَّة للنساء.",
        "ar",
    )
    .await;
    let french = say(
        &mut marie,
        "m-1",
        "La sécurité foncière protège les communautés.",
        "fr",
    )
    .await;
    let bribe = say(
        &mut amina,
        "a-2",
        "A minister took a bribe for the land deal.",
        "en",
    )
    .await;
    chair
        .command(
            "hall",
            Some("hide-1"),
            RoomCommand::HideStatement {
                statement: bribe,
                reason: "an unproven accusation".into(),
            },
        )
        .await
        .unwrap();

    let reader = Api::new(node.http_url(), amina_token);
    let moderator = Api::new(node.http_url(), moderator());

    // A word in each language, written as a reader would type it.
    assert_eq!(found(&search(&reader, "q=farmers").await), [english]);
    assert_eq!(
        found(&search(&reader, "q=%E5%9C%9F%E5%9C%B0").await),
        [chinese],
        "土地 inside a sentence"
    );
    assert_eq!(
        found(&search(&reader, "q=%E7%B2%AE%E9%A3%9F").await),
        [chinese],
        "粮食"
    );
    // الاراضي without its vowels and with a plain alef finds the fully vowelled text.
    assert_eq!(
        found(&search(&reader, "q=%D8%A7%D9%84%D8%A7%D8%B1%D8%A7%D8%B6%D9%8A").await),
        [arabic]
    );
    assert_eq!(
        found(&search(&reader, "q=fonciere").await),
        [french],
        "without the accent"
    );
    assert_eq!(
        found(&search(&reader, "q=Fonci%C3%A8re").await),
        [french],
        "with it"
    );
    // Every word must be there.
    assert_eq!(found(&search(&reader, "q=land+rights").await), [english]);
    assert!(found(&search(&reader, "q=land+drought").await).is_empty());

    // The hidden statement: its text is withheld from the participant, so it is not found.
    assert!(found(&search(&reader, "q=bribe").await).is_empty());
    let for_moderator = search(&moderator, "q=bribe").await;
    assert_eq!(found(&for_moderator), [bribe]);
    assert_eq!(for_moderator.hits[0].status.as_deref(), Some("hidden"));
    // "land" is in the English, and the hidden, statement.
    assert_eq!(found(&search(&reader, "q=land").await), [english]);

    // Filters.
    let hit = &search(&reader, "q=farmers").await.hits[0];
    assert_eq!(
        (
            hit.room.as_str(),
            hit.room_title.as_str(),
            hit.country.as_deref()
        ),
        ("hall", "Land and food systems", Some("KE"))
    );
    assert_eq!(hit.org.as_deref(), Some("amina network"));
    assert!(found(&search(&reader, "q=farmers&country=EG").await).is_empty());
    assert_eq!(
        found(&search(&reader, "q=farmers&speaker=amina&lang=en").await),
        [english]
    );
    assert!(found(&search(&reader, "q=farmers&lang=fr").await).is_empty());
    assert!(found(&search(&reader, "q=farmers&kind=consultation").await).is_empty());
    assert_eq!(
        found(&search(&reader, "q=farmers&constituency=ngos&room=hall").await),
        [english]
    );

    // Bad queries get a clear error.
    let (status, body) = reader.get("/api/search?q=%20").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_message"))
    );
    let (status, _) = reader.get("/api/search").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = Api::new(node.http_url(), "garbage".into())
        .get("/api/search?q=land")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_room_the_reader_may_not_enter_is_not_searched_and_the_index_is_rebuilt_after_a_restart()
{
    let node = NodeProcess::start().await;
    let secretariat = Api::new(node.http_url(), secretariat());
    let mut caucus = settings(RoomKind::Caucus, "Farmers' caucus");
    caucus.languages = vec![LanguageTag::new("en").unwrap()];
    caucus.constituency = Some(Constituency::Farmers);
    secretariat.create_room("hall", &caucus).await;
    let farmer = TokenSpec::new("kofi", Role::Participant)
        .from_org("Ghana Farmers Union", Constituency::Farmers, "GH")
        .sign();
    let mut kofi = member(&node, &farmer, "hall").await;
    let debt = say(&mut kofi, "k-1", "Debt relief must come first.", "en").await;
    drop(kofi);
    let outsider = Api::new(node.http_url(), participant("amina", "KE"));
    assert!(
        found(&search(&outsider, "q=debt").await).is_empty(),
        "a caucus of another constituency is not searched for her"
    );
    assert_eq!(
        found(&search(&Api::new(node.http_url(), farmer.clone()), "q=debt").await),
        [debt]
    );
    assert_eq!(found(&search(&secretariat, "q=debt").await), [debt]);

    let node = node.restart().await;
    let secretariat = Api::new(node.http_url(), super::secretariat());
    assert_eq!(
        found(&search(&secretariat, "q=relief").await),
        [debt],
        "found again from the record alone"
    );
}
