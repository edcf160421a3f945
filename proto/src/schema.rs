//! The JSON Schema of protocol v1, generated from the types of this crate.
//!
//! `schema/baraza.v1.schema.json` is the checked-in copy; `cargo run -p baraza-proto --bin
//! baraza-schema > proto/schema/baraza.v1.schema.json` regenerates it, and a test fails while the
//! copy is out of date.

use crate::api::{ApiError, Health, RecordPage};
use crate::consultation::ThreadsPage;
use crate::mail::{InboxEntry, MailFigures, MailSettings, OutboxEntry};
use crate::message::{ClientMessage, ServerMessage};
use crate::registry::{
    AnswerRequest, ApplicationRequest, DecisionRequest, ForumSpec, InvitationSent,
    OrganisationRequest, PersonRequest, PublicApplication, PublicList, ReasonRequest, RegistryView,
    SignInRequest, SignedIn,
};
use crate::room::{RoomSpec, RoomSummary};
use crate::search::SearchResults;
use schemars::JsonSchema;

/// Every type a peer of Baraza reads or writes, under one root so that the schema's `$defs`
/// hold them all.
#[derive(JsonSchema)]
#[schemars(title = "Baraza protocol v1")]
#[allow(dead_code)]
struct Protocol {
    /// A WebSocket frame from client to server.
    client_message: ClientMessage,
    /// A WebSocket frame from server to client.
    server_message: ServerMessage,
    /// Body of `POST /api/rooms`.
    room_spec: RoomSpec,
    /// One entry of `GET /api/rooms`.
    room_summary: RoomSummary,
    /// Body of `GET /api/rooms/{id}/events`.
    record_page: RecordPage,
    /// Body of every HTTP error.
    api_error: ApiError,
    /// Body of `GET /healthz`.
    health: Health,
    /// Body of `GET /api/rooms/{id}/threads`.
    threads_page: ThreadsPage,
    /// Body of `GET /api/search`.
    search_results: SearchResults,
    /// Body of `GET /api/registry`.
    registry_view: RegistryView,
    /// Body of `GET /api/registry/public`.
    public_list: PublicList,
    /// Body of `POST /api/registry/apply`.
    public_application: PublicApplication,
    /// Body of `POST /api/registry/organisations`.
    organisation_request: OrganisationRequest,
    /// Body of `POST /api/registry/forums`.
    forum_spec: ForumSpec,
    /// Body of `POST /api/registry/applications`.
    application_request: ApplicationRequest,
    /// Body of `POST /api/registry/applications/{id}/decision`.
    decision_request: DecisionRequest,
    /// Body of `POST /api/registry/applications/{id}/answer`.
    answer_request: AnswerRequest,
    /// Body of the registry's `…/withdraw` and `…/revoke`.
    reason_request: ReasonRequest,
    /// Body of `POST /api/registry/organisations/{id}/people`.
    person_request: PersonRequest,
    /// Answer of `POST /api/registry/people/{id}/invitation`.
    invitation_sent: InvitationSent,
    /// Body of `POST /api/registry/sign-in`.
    sign_in_request: SignInRequest,
    /// Answer of `POST /api/registry/sign-in`.
    signed_in: SignedIn,
    /// Body of `GET`/`PUT /api/mail/settings`.
    mail_settings: MailSettings,
    /// One entry of `GET /api/mail/outbox`.
    outbox_entry: OutboxEntry,
    /// The figures of `GET /api/mail/outbox`.
    mail_figures: MailFigures,
    /// One entry of `GET /api/mail/inbox`.
    inbox_entry: InboxEntry,
}

/// The schema as pretty-printed JSON with a trailing newline.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Protocol);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema always serializes");
    text.push('\n');
    text
}
