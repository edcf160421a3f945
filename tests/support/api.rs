//! The HTTP API, as a test calls it.

use baraza_proto::api::RecordPage;
use baraza_proto::room::{RoomSettings, RoomSpec, RoomSummary};
use reqwest::StatusCode;
use serde_json::Value;

/// An HTTP client bound to one server and one token.
pub struct Api {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Api {
    /// A client for `base` (`http://host:port`) sending `token`.
    pub fn new(base: String, token: String) -> Api {
        Api {
            base,
            token,
            http: reqwest::Client::new(),
        }
    }

    /// `POST /api/rooms`; returns the status and the JSON body.
    pub async fn try_create_room(
        &self,
        id: Option<&str>,
        settings: &RoomSettings,
    ) -> (StatusCode, Value) {
        let spec = RoomSpec {
            id: id.map(|id| id.parse().expect("room id")),
            settings: settings.clone(),
        };
        let response = self
            .http
            .post(format!("{}/api/rooms", self.base))
            .bearer_auth(&self.token)
            .json(&spec)
            .send()
            .await
            .expect("POST");
        let status = response.status();
        (status, response.json().await.expect("JSON body"))
    }

    /// `POST /api/rooms`, which must succeed.
    pub async fn create_room(&self, id: &str, settings: &RoomSettings) -> RoomSummary {
        let (status, body) = self.try_create_room(Some(id), settings).await;
        assert_eq!(status, StatusCode::CREATED, "create room: {body}");
        serde_json::from_value(body).expect("room summary")
    }

    /// `GET path`; returns the status and the JSON body.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("GET");
        let status = response.status();
        let text = response.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// The whole record of a room (all pages).
    pub async fn record(&self, room: &str) -> RecordPage {
        let mut after = 0;
        let mut all: Option<RecordPage> = None;
        loop {
            let (status, body) = self
                .get(&format!("/api/rooms/{room}/events?after={after}"))
                .await;
            assert_eq!(status, StatusCode::OK, "record: {body}");
            let page: RecordPage = serde_json::from_value(body).expect("record page");
            let done = page.events.is_empty()
                || page.events.last().map(|e| e.event.seq) == Some(page.head);
            after = page.events.last().map_or(after, |e| e.event.seq);
            match &mut all {
                None => all = Some(page),
                Some(all) => {
                    all.head = page.head;
                    all.events.extend(page.events);
                }
            }
            if done {
                return all.expect("at least one page");
            }
        }
    }
}
