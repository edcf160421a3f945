//! Taking part by e-mail, end to end: the real binary, a real SMTP server (aiosmtpd) as its
//! relay, replies handed in through `baraza mail-in` and the LMTP listener. An organisation
//! applies and is accredited to a forum listing the consultation; its focal point signs in
//! with the link mailed to them, chooses French, receives the invitation when the consultation
//! opens, answers by mail (held for pre-moderation, for the right organisation and question),
//! is told of the approval, receives in the digest a web participant's reply and replies to it
//! by mail. Forged addresses, auto-replies, a late reply and a repeated `Message-ID` are each
//! handled, and a restart in the middle sends nothing twice.

use super::*;
use baraza_e2e::smtp::{Received, SmtpSink, free_port, mail_in};
use serde_json::{Value, json};

const FOCAL: &str = "focal@witn.example";
const ROOM: &str = "mail-consult";

async fn call(
    method: reqwest::Method,
    base: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client");
    let mut request = client.request(method, format!("{base}{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("HTTP");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A forum listing `rooms`, and the Women in Trade Network accredited to it with its focal
/// point (`FOCAL`), who confirmed the address with a sign-in link the secretariat handed over.
async fn accredit(base: &str, sec: &str, rooms: &[&str]) {
    create_forum(base, sec, rooms).await;
    let applied = apply(base).await;
    // The focal point confirms the address with a sign-in link (handed over here, since this
    // node sends no mail); then the secretariat decides.
    let focal = applied["org"].as_u64().expect("an organisation id") + 1;
    let (status, sent) = call(
        reqwest::Method::POST,
        base,
        &format!("/api/registry/people/{focal}/invitation"),
        Some(sec),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 201, "{sent}");
    let link = sent["link"].as_str().expect("a sign-in link");
    let (_, code) = link.split_once("#invite=").expect("a code in the link");
    sign_in(base, code).await;
    approve(base, sec, &applied).await;
}

/// The forum `ffd-mail` listing `rooms`.
async fn create_forum(base: &str, sec: &str, rooms: &[&str]) {
    let forum = json!({
        "id": "ffd-mail", "title": "Financing for development", "criteria": "Work on it.",
        "rooms": rooms, "quota": 5, "accredited_only": false
    });
    let (status, body) = call(
        reqwest::Method::POST,
        base,
        "/api/registry/forums",
        Some(sec),
        Some(forum),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

/// The Women in Trade Network applies to `ffd-mail` through the public form; the answer.
async fn apply(base: &str) -> Value {
    let application = json!({
        "organisation": {"name": "Women in Trade Network", "country": "KE", "constituency": "ngos",
                         "sdgs": [5], "ecosoc": {"status": "special", "year": 2011}},
        "focal_point": {"name": "Achieng Otieno", "email": FOCAL},
        "forum": "ffd-mail", "statement": "Two decades of work on financing for development."
    });
    let (status, applied) = call(
        reqwest::Method::POST,
        base,
        "/api/registry/apply",
        None,
        Some(application),
    )
    .await;
    assert_eq!(status, 201, "{applied}");
    applied
}

/// Signs in with a sign-in code; the answer (with the session `token`).
async fn sign_in(base: &str, code: &str) -> Value {
    let (status, signed) = call(
        reqwest::Method::POST,
        base,
        "/api/registry/sign-in",
        None,
        Some(json!({ "code": code })),
    )
    .await;
    assert_eq!(status, 200, "{signed}");
    signed
}

/// The secretariat approves the application in `applied` (the form's answer).
async fn approve(base: &str, sec: &str, applied: &Value) {
    let decision = json!({"decision": "approved", "reason": "Long record on the forum's themes."});
    let path = format!(
        "/api/registry/applications/{}/decision",
        applied["application"]
    );
    let (status, body) = call(
        reqwest::Method::POST,
        base,
        &path,
        Some(sec),
        Some(decision),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

/// A node relaying to `sink`, with an LMTP listener; a consultation in pre-moderation with one
/// question, listed in a forum its organisation is accredited to; the focal point signed in
/// with the link mailed to them and their mail language set to `lang`.
struct World {
    node: NodeProcess,
    sink: SmtpSink,
    lmtp: String,
    sec: String,
    question: Seq,
    person_token: String,
    /// When the open phase is scheduled to close.
    closes_at: u64,
}

async fn world(languages: &[&str], lang: &str) -> World {
    let sink = SmtpSink::start().await;
    let lmtp = format!("127.0.0.1:{}", free_port());
    let relay = format!("127.0.0.1:{}", sink.port());
    let node = NodeProcess::start_with(
        baraza_e2e::DataDir::new(),
        &[
            "--smtp-relay",
            &relay,
            "--smtp-from",
            "Baraza <noreply@baraza.test>",
            "--mail-listen",
            &lmtp,
        ],
    )
    .await;
    let base = node.http_url();
    let sec = TokenSpec::new("sec-1", Role::Secretariat).sign();
    let api = Api::new(base.clone(), sec.clone());
    let mut settings = consultation("Financing for development: by e-mail", country("KE"));
    settings.languages = languages
        .iter()
        .map(|l| LanguageTag::new(*l).unwrap())
        .collect();
    api.create_room(ROOM, &settings).await;
    create_forum(&base, &sec, &[ROOM]).await;
    let applied = apply(&base).await;
    assert_eq!(applied["mailed"], true, "{applied}");
    // The focal point signs in with the link mailed to them (confirming the address) and
    // chooses their mail language.
    let link_mail = sink
        .wait_for(FOCAL, "sign-in link", |m| m.text.contains("#invite="))
        .await;
    let code = link_mail
        .text
        .split("#invite=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    let signed = sign_in(&base, code).await;
    let person_token = signed["token"].as_str().unwrap().to_owned();
    // Their sign-in confirmed the address: the secretariat can decide the application now.
    approve(&base, &sec, &applied).await;

    let (status, saved) = call(
        reqwest::Method::PUT,
        &base,
        "/api/mail/settings",
        Some(&person_token),
        Some(json!({"digest": "daily", "lang": lang})),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["lang"], lang);
    let (status, refused) = call(
        reqwest::Method::PUT,
        &base,
        "/api/mail/settings",
        Some(&person_token),
        Some(json!({"digest": "daily", "lang": "de"})),
    )
    .await;
    assert_eq!(status, 422, "only the six languages: {refused}");

    let (mut s, _) = Client::signed_in(&node.ws_url(), &sec).await;
    s.join(ROOM, None).await;
    let question = ok(
        &mut s,
        ROOM,
        Some("q1"),
        RoomCommand::AddQuestion {
            text: "What should change first in how development is financed?".into(),
        },
    )
    .await;
    ok(
        &mut s,
        ROOM,
        None,
        RoomCommand::SetModeration {
            mode: ModerationMode::Pre,
        },
    )
    .await;
    // The close is scheduled a month ahead before the consultation opens: the invitation says so.
    let closes_at = now_ms() + 30 * 86_400_000;
    ok(
        &mut s,
        ROOM,
        None,
        RoomCommand::SetPhaseDeadline {
            phase: Phase::Open,
            at: closes_at as i64,
        },
    )
    .await;
    ok(&mut s, ROOM, None, phase(Phase::Open)).await;
    World {
        node,
        sink,
        lmtp,
        sec,
        question,
        person_token,
        closes_at,
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A plain reply from the focal point to `to`.
fn reply(to: &str, message_id: &str, extra_headers: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Achieng Otieno <{FOCAL}>\r\nTo: {to}\r\nSubject: Re: consultation\r\n\
         Message-ID: <{message_id}>\r\nMIME-Version: 1.0\r\n{extra_headers}\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}"
    )
    .into_bytes()
}

/// The statements of the room as the secretariat sees them.
async fn statements(node: &NodeProcess, sec: &str) -> Vec<Value> {
    let (status, view) = call(
        reqwest::Method::GET,
        &node.http_url(),
        &format!("/api/rooms/{ROOM}"),
        Some(sec),
        None,
    )
    .await;
    assert_eq!(status, 200, "{view}");
    view["state"]["statements"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn wait_statement(node: &NodeProcess, sec: &str, what: impl Fn(&Value) -> bool) -> Value {
    let start = tokio::time::Instant::now();
    loop {
        if let Some(found) = statements(node, sec).await.into_iter().find(|s| what(s)) {
            return found;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let (_, inbox) = call(
                reqwest::Method::GET,
                &node.http_url(),
                "/api/mail/inbox",
                Some(sec),
                None,
            )
            .await;
            panic!(
                "the statement never appeared; statements {:?}; inbox {inbox}",
                statements(node, sec).await
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The address on the line after the entry that contains `text` in a digest.
fn reply_address_after(mail: &Received, text: &str) -> String {
    let mut lines = mail.text.lines().skip_while(|l| !l.contains(text));
    lines
        .find_map(|l| {
            l.split_whitespace()
                .find(|w| w.starts_with("reply+"))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| panic!("no reply address after {text:?} in\n{}", mail.text))
}

#[tokio::test]
async fn a_consultation_is_taken_part_in_by_e_mail_with_the_same_moderation_as_the_web() {
    let World {
        node,
        sink,
        lmtp,
        sec,
        question,
        person_token,
        closes_at,
    } = world(&["en", "fr"], "fr").await;

    // The invitation arrives in French with the question and a reply address for it.
    let invitation = sink
        .wait_for(FOCAL, "invitation", |m| {
            m.subject.starts_with("Consultation ouverte")
        })
        .await;
    assert!(
        invitation.text.contains("What should change first"),
        "{}",
        invitation.text
    );
    assert!(
        invitation.text.contains("Food systems transformation"),
        "the background: {}",
        invitation.text
    );
    // The scheduled close, in French, dated for French readers.
    let fr = baraza_server::mail::labels::labels("fr");
    let when = baraza_server::mail::labels::date(fr, closes_at as i64);
    assert!(
        fr.months.iter().any(|m| when.contains(m)),
        "a French month: {when}"
    );
    assert!(
        invitation
            .text
            .contains(&format!("Les contributions seront closes le {when}.")),
        "the closing date: {}",
        invitation.text
    );
    let address = invitation.reply_to.clone().expect("a Reply-To");
    assert!(
        address.starts_with("reply+") && address.ends_with("@baraza.test"),
        "{address}"
    );
    assert!(invitation.text.contains(&address));
    assert_eq!(
        invitation.header("Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    assert!(invitation.header("List-Unsubscribe").is_some());
    assert!(
        invitation
            .html
            .as_deref()
            .is_some_and(|h| h.contains("lang=\"fr\""))
    );
    assert!(
        invitation.envelope_from.contains("bounce+"),
        "{}",
        invitation.envelope_from
    );

    // The answer by mail, with a quote and a signature, through `baraza mail-in`.
    let body = "Nous proposons un fonds régional.\r\n\r\nLe 2 déc. 2026, Baraza a écrit :\r\n> What should change first\r\n";
    let code = mail_in(
        &lmtp,
        FOCAL,
        &address,
        &reply(&address, "m1@witn.example", "", body),
    )
    .await;
    assert_eq!(code, 0);
    let submission = wait_statement(&node, &sec, |s| {
        s["text"] == "Nous proposons un fonds régional."
    })
    .await;
    assert_eq!(
        submission["held"], true,
        "pre-moderation holds it: {submission}"
    );
    assert_eq!(submission["org"], "Women in Trade Network");
    assert_eq!(submission["question"], question);
    assert_eq!(submission["by_mail"], true);
    assert_eq!(submission["lang"], "fr");
    // Held by pre-moderation: one short confirmation, in French, answering that mail.
    let held_note = sink
        .wait_for(FOCAL, "held confirmation", |m| {
            m.text.contains("attend les modérateurs")
        })
        .await;
    assert!(
        held_note
            .header("In-Reply-To")
            .is_some_and(|v| v.contains("m1@witn.example"))
    );
    let (_, inbox) = call(
        reqwest::Method::GET,
        &node.http_url(),
        "/api/mail/inbox",
        Some(&sec),
        None,
    )
    .await;
    assert!(
        inbox["messages"][0]["stripped"]
            .as_str()
            .unwrap()
            .contains("a écrit"),
        "{inbox}"
    );
    let submission_id = submission["id"].as_u64().unwrap();

    // A moderator approves it; the focal point is told.
    let moderator = TokenSpec::new("mod-1", Role::Moderator).sign();
    let (mut m, _) = Client::signed_in(&node.ws_url(), &moderator).await;
    m.join(ROOM, None).await;
    ok(
        &mut m,
        ROOM,
        None,
        RoomCommand::ApproveStatement {
            statement: submission_id,
        },
    )
    .await;
    sink.wait_for(FOCAL, "approval", |m| {
        m.subject.starts_with("Votre contribution")
    })
    .await;
    drop(m);

    // A restart in the middle: nothing is sent twice.
    let node = node.restart().await;
    let url = node.ws_url();

    // A web participant replies; a moderator approves the reply.
    let web = participant("p-web", "Kenya Land Alliance", Constituency::Farmers, "KE");
    let (mut w, _) = Client::signed_in(&url, &web).await;
    w.join(ROOM, None).await;
    let web_reply = ok(
        &mut w,
        ROOM,
        Some("r1"),
        RoomCommand::PostStatement {
            text: "A regional fund needs clear rules on who decides.".into(),
            lang: LanguageTag::new("en").unwrap(),
            parent: Some(submission_id),
            agenda_item: None,
            question: None,
            alignment: Some(Alignment::Supports),
        },
    )
    .await;
    let (mut m, _) = Client::signed_in(&url, &moderator).await;
    m.join(ROOM, None).await;
    ok(
        &mut m,
        ROOM,
        None,
        RoomCommand::ApproveStatement {
            statement: web_reply,
        },
    )
    .await;

    // The digest, run by the secretariat for a given time (tomorrow), holds the reply.
    let tomorrow = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
        + 86_400_000;
    let (status, queued) = call(
        reqwest::Method::POST,
        &node.http_url(),
        "/api/mail/digests",
        Some(&sec),
        Some(json!({"now": tomorrow})),
    )
    .await;
    assert_eq!(status, 200, "{queued}");
    let (_, outbox) = call(
        reqwest::Method::GET,
        &node.http_url(),
        "/api/mail/outbox",
        Some(&sec),
        None,
    )
    .await;
    assert_eq!(queued["queued"], 1, "one digest: {outbox}");
    let digest = sink
        .wait_for(FOCAL, "digest", |m| m.subject.starts_with("Nouveautés"))
        .await;
    assert!(
        digest.text.contains("Réponses à vos déclarations"),
        "{}",
        digest.text
    );
    assert!(
        digest.text.contains("A regional fund needs clear rules"),
        "{}",
        digest.text
    );
    let (status, again) = call(
        reqwest::Method::POST,
        &node.http_url(),
        "/api/mail/digests",
        Some(&sec),
        Some(json!({"now": tomorrow})),
    )
    .await;
    assert_eq!(
        (status, again["queued"].as_u64()),
        (200, Some(0)),
        "one digest per period"
    );
    let (status, _) = call(
        reqwest::Method::POST,
        &node.http_url(),
        "/api/mail/digests",
        Some(&person_token),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 403, "only the secretariat runs digests");

    // Replying to the digest's entry, straight to the LMTP listener, becomes a reply to it.
    let to_reply = reply_address_after(&digest, "A regional fund needs clear rules");
    let answer = reply(
        &to_reply,
        "m2@witn.example",
        "",
        "contre\r\nLes règles doivent venir des régions.\r\n-- \r\nAchieng\r\n",
    );
    let taken = tokio::time::timeout(
        Duration::from_secs(30),
        baraza_server::mail::lmtp::deliver_to(&lmtp, FOCAL, &to_reply, &answer),
    )
    .await
    .expect("answered in time")
    .expect("LMTP");
    assert_eq!(taken.code, 250, "{taken:?}");
    let mailed_reply = wait_statement(&node, &sec, |s| {
        s["text"] == "Les règles doivent venir des régions."
    })
    .await;
    assert_eq!(mailed_reply["parent"], web_reply);
    assert_eq!(mailed_reply["alignment"], "opposes");
    assert_eq!(mailed_reply["held"], true);

    // The same message delivered again is applied once.
    let again = tokio::time::timeout(
        Duration::from_secs(30),
        baraza_server::mail::lmtp::deliver_to(&lmtp, FOCAL, &to_reply, &answer),
    )
    .await
    .expect("answered in time")
    .expect("LMTP");
    assert_eq!(again.code, 250);
    let texts: Vec<Value> = statements(&node, &sec)
        .await
        .into_iter()
        .map(|s| s["text"].clone())
        .collect();
    assert_eq!(
        texts
            .iter()
            .filter(|t| *t == "Les règles doivent venir des régions.")
            .count(),
        1,
        "{texts:?}"
    );

    // A forged reply address is refused (the mail server bounces it), and nothing is answered.
    let forged = address.replace("reply+", "reply+aa");
    let code = mail_in(
        &lmtp,
        FOCAL,
        &forged,
        &reply(&forged, "m3@witn.example", "", "Forged."),
    )
    .await;
    assert_eq!(code, 67, "EX_NOUSER");
    // An auto-reply is ignored without an answer.
    let auto = reply(
        &address,
        "m4@witn.example",
        "Auto-Submitted: auto-replied\r\n",
        "Je suis absente.",
    );
    assert_eq!(mail_in(&lmtp, FOCAL, &address, &auto).await, 0);

    // After the phase closed, a reply gets a polite answer in French and adds nothing.
    let (mut s, _) = Client::signed_in(&url, &sec).await;
    s.join(ROOM, None).await;
    ok(&mut s, ROOM, None, phase(Phase::Closed)).await;
    let late = reply(&address, "m5@witn.example", "", "Une idée tardive.");
    assert_eq!(mail_in(&lmtp, FOCAL, &address, &late).await, 0);
    let answer = sink
        .wait_for(FOCAL, "late answer", |m| m.text.contains("sont closes"))
        .await;
    // It says when the phase closed, dated for French readers.
    assert!(
        answer.text.contains("Les contributions ont été closes le "),
        "{}",
        answer.text
    );
    assert_eq!(
        answer.header("Auto-Submitted").as_deref(),
        Some("auto-replied")
    );
    assert!(
        answer
            .header("In-Reply-To")
            .is_some_and(|v| v.contains("m5@witn.example"))
    );
    // The phase is named in the reader's language, not by its code.
    let notice = sink
        .wait_for(FOCAL, "phase notice", |m| {
            m.text.contains("La consultation est maintenant : close.")
        })
        .await;
    assert!(!notice.text.contains("closed"), "{}", notice.text);

    let texts: Vec<Value> = statements(&node, &sec)
        .await
        .into_iter()
        .map(|s| s["text"].clone())
        .collect();
    for absent in ["Forged.", "Je suis absente.", "Une idée tardive."] {
        assert!(
            !texts.iter().any(|t| t == absent),
            "{absent} must not be in {texts:?}"
        );
    }
    let (_, inbox) = call(
        reqwest::Method::GET,
        &node.http_url(),
        "/api/mail/inbox",
        Some(&sec),
        None,
    )
    .await;
    let outcomes: Vec<(String, String)> = inbox["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["message_id"].as_str().unwrap_or("").to_owned(),
                e["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (id, outcome) in [
        ("m1@witn.example", "accepted"),
        ("m2@witn.example", "accepted"),
        ("m2@witn.example", "duplicate"),
        ("m3@witn.example", "refused"),
        ("m4@witn.example", "ignored"),
        ("m5@witn.example", "refused"),
    ] {
        assert!(
            outcomes.contains(&(id.to_owned(), outcome.to_owned())),
            "{id} {outcome} in {outcomes:?}"
        );
    }

    // Nothing was ever sent twice: every message id arrived once; no answer went to the
    // forged address or to the auto-reply.
    let all = sink.messages();
    let mut ids: Vec<&str> = all.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort();
    let count = ids.len();
    ids.dedup();
    assert_eq!(
        ids.len(),
        count,
        "a message arrived twice: {:?}",
        all.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    let invitations = all
        .iter()
        .filter(|m| m.subject.starts_with("Consultation ouverte"))
        .count();
    let answers: Vec<&Received> = all
        .iter()
        .filter(|m| m.subject.starts_with("À propos de votre message"))
        .collect();
    let held_notes: Vec<String> = answers
        .iter()
        .filter(|m| m.text.contains("attend les modérateurs"))
        .filter_map(|m| m.header("In-Reply-To"))
        .collect();
    // One confirmation per held mail (m1 before the restart, m2 after; m2 again: none), and
    // the late answer.
    assert_eq!(held_notes.len(), 2, "{held_notes:?}");
    assert!(held_notes.iter().any(|v| v.contains("m1@witn.example")));
    assert!(held_notes.iter().any(|v| v.contains("m2@witn.example")));
    assert_eq!((invitations, answers.len()), (1, 3));
    let (status, outbox) = call(
        reqwest::Method::GET,
        &node.http_url(),
        "/api/mail/outbox",
        Some(&sec),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(outbox["figures"]["refused"], 3, "{}", outbox["figures"]);
    assert_eq!(outbox["figures"]["failed"], 0);
    assert_eq!(
        outbox["figures"]["consultations"],
        json!([{"room": ROOM, "recipients": 1, "mailed_statements": 2}])
    );
}

#[tokio::test]
async fn an_arabic_html_only_mail_with_a_pdf_arrives_as_clean_text_with_its_attachment_hashed() {
    let World {
        node,
        sink,
        lmtp,
        sec,
        ..
    } = world(&["ar", "en"], "ar").await;
    let invitation = sink
        .wait_for(FOCAL, "invitation", |m| {
            m.subject.starts_with("المشاورة مفتوحة")
        })
        .await;
    assert!(
        invitation
            .html
            .as_deref()
            .is_some_and(|h| h.contains("dir=\"rtl\""))
    );
    let address = invitation.reply_to.expect("Reply-To");

    use base64::Engine;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let html = "<html><body dir=\"rtl\"><p>نقترح <b>صندوقًا إقليميًا</b> للتمويل.</p><div>شكرًا</div></body></html>";
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        .to_vec();
    let message = format!(
        "From: {FOCAL}\r\nTo: {address}\r\nSubject: =?utf-8?b?{}?=\r\nMessage-ID: <ar-1@witn.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --b1\r\nContent-Type: application/pdf; name=\"=?utf-8?b?{}?=\"\r\n\
         Content-Disposition: attachment; filename=\"=?utf-8?b?{}?=\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1--\r\n",
        b64("رد".as_bytes()),
        b64(html.as_bytes()),
        b64("ورقة-موقف.pdf".as_bytes()),
        b64("ورقة-موقف.pdf".as_bytes()),
        b64(&pdf),
    );
    assert_eq!(mail_in(&lmtp, FOCAL, &address, message.as_bytes()).await, 0);
    let statement = wait_statement(&node, &sec, |s| s["by_mail"] == true).await;
    let text = statement["text"].as_str().unwrap();
    assert!(text.contains("نقترح صندوقًا إقليميًا للتمويل."), "{text}");
    assert!(
        !text.contains('<') && !text.contains("&"),
        "clean text: {text}"
    );
    assert_eq!(statement["lang"], "ar");
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&pdf))
    };
    assert_eq!(
        statement["attachments"],
        json!([{"name": "ورقة-موقف.pdf", "media_type": "application/pdf", "size": pdf.len(), "sha256": sha}])
    );
    // The hash is in the record itself, and the file is stored under it.
    let record = Api::new(node.http_url(), sec.clone()).record(ROOM).await;
    let posted = record
        .events
        .iter()
        .find_map(|e| match &e.event.body {
            EventBody::StatementPosted { attachments, .. } if !attachments.is_empty() => {
                Some(attachments.clone())
            }
            _ => None,
        })
        .expect("a statement with its attachments in the record");
    assert_eq!(posted[0].sha256, sha);
    let stored =
        std::fs::read(node.data().path().join("attachments").join(&sha)).expect("stored file");
    assert_eq!(stored, pdf);
}

/// Mail turned on over existing data: what was recorded before is history. A consultation that
/// opened before sends no invitation; one that opens after does.
#[tokio::test]
async fn mail_turned_on_over_existing_data_sends_nothing_about_the_past() {
    // First without e-mail: a consultation is opened, its organisation accredited.
    let data = baraza_e2e::DataDir::new();
    let node = NodeProcess::start_with(data.clone(), &[]).await;
    let base = node.http_url();
    let sec = TokenSpec::new("sec-1", Role::Secretariat).sign();
    let api = Api::new(base.clone(), sec.clone());
    let earlier = "mail-earlier";
    for room in [earlier, ROOM] {
        api.create_room(
            room,
            &consultation("Financing for development", country("KE")),
        )
        .await;
    }
    accredit(&base, &sec, &[earlier, ROOM]).await;
    let (mut s, _) = Client::signed_in(&node.ws_url(), &sec).await;
    for room in [earlier, ROOM] {
        s.join(room, None).await;
        ok(
            &mut s,
            room,
            Some("q1"),
            RoomCommand::AddQuestion {
                text: format!("What should change first? ({room})"),
            },
        )
        .await;
    }
    ok(&mut s, earlier, None, phase(Phase::Open)).await;
    drop(s);
    assert!(node.stop().await.success());

    // Then with e-mail, on the same data.
    let sink = SmtpSink::start().await;
    let relay = format!("127.0.0.1:{}", sink.port());
    let node = NodeProcess::start_with(
        data,
        &[
            "--smtp-relay",
            &relay,
            "--smtp-from",
            "Baraza <noreply@baraza.test>",
        ],
    )
    .await;
    let (mut s, _) = Client::signed_in(&node.ws_url(), &sec).await;
    s.join(ROOM, None).await;
    ok(&mut s, ROOM, None, phase(Phase::Open)).await;
    let invitation = sink
        .wait_for(FOCAL, "invitation of the consultation opened now", |m| {
            m.text.contains(&format!("({ROOM})"))
        })
        .await;
    assert!(invitation.subject.starts_with("Consultation open"));
    // The mail of the later opening went out; the earlier one was never mailed, nor queued.
    let about_earlier: Vec<String> = sink
        .messages()
        .iter()
        .filter(|m| m.text.contains(&format!("({earlier})")))
        .map(|m| m.subject.clone())
        .collect();
    assert!(about_earlier.is_empty(), "{about_earlier:?}");
    let (status, outbox) = call(
        reqwest::Method::GET,
        &node.http_url(),
        "/api/mail/outbox",
        Some(&sec),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let keys: Vec<String> = outbox["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.to_string())
        .collect();
    assert!(
        !keys.iter().any(|k| k.contains(earlier)),
        "nothing queued about the past: {keys:?}"
    );
}
