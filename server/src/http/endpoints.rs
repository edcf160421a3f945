//! The table of every HTTP endpoint of a node: the one source from which both the router
//! ([`super::router`]) and the OpenAPI document ([`super::openapi`]) are built, so that the
//! document cannot describe a route that is not served, or miss one that is.
//!
//! An [`Endpoint`] holds its method and path once: the method router is made from them here
//! (`Endpoint::get` wraps the handler in `axum::routing::get`), and the document reads the same
//! fields. Request bodies, answers and query strings are described by the Rust types the
//! handlers use (their `JsonSchema`).

use super::{api, consultation, export, health, mail, openapi, registry, search, ws};
use crate::export::Format;
use crate::hub::Hub;
use axum::handler::Handler;
use axum::routing::MethodRouter;
use baraza_proto::api::{GeoTable, Health, RecordPage};
use baraza_proto::consultation::ThreadsPage;
use baraza_proto::mail::MailSettings;
use baraza_proto::registry::{
    AnswerRequest, ApplicationRequest, DecisionRequest, ForumSpec, InvitationSent,
    OrganisationRequest, PersonRequest, PublicApplication, PublicList, ReasonRequest, RegistryView,
    SignInRequest, SignedIn,
};
use baraza_proto::room::{RoomSpec, RoomSummary};
use baraza_proto::search::SearchResults;
use schemars::{JsonSchema, Schema, SchemaGenerator};

/// Makes the schema of one type, registering the types it names in the generator.
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// An HTTP method an endpoint answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
}

impl Verb {
    /// Its name in an OpenAPI path item (`get`, `post`).
    pub fn name(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Post => "post",
            Verb::Put => "put",
        }
    }
}

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, with no token.
    Public,
    /// A caller with `Authorization: Bearer <token>`; what they may do is the domain's rule.
    Bearer,
}

/// Which middleware stack an endpoint sits behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stack {
    /// `/api/*`: rate-limited per caller.
    Api,
    /// A public form under `/api/*` (an organisation's application): rate-limited per caller
    /// like [`Stack::Api`], and also per source address at the much slower form rate.
    Form,
    /// The node's own routes (`/ws`, `/healthz`, `/metrics`): not rate-limited here.
    Node,
}

/// What a successful call answers.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// A JSON body of this schema.
    Json(SchemaFn),
    /// A document in one of these content types.
    Document(&'static [&'static str]),
    /// Plain text (`text/plain`).
    Text,
    /// `101 Switching Protocols`: a WebSocket.
    Upgrade,
}

/// One endpoint: how it is routed and how it is documented.
pub struct Endpoint {
    /// Its method.
    pub verb: Verb,
    /// Its path, in axum's syntax (`/api/rooms/{id}`), which is also OpenAPI's.
    pub path: &'static str,
    /// One line saying what it does.
    pub summary: &'static str,
    /// Who may call it.
    pub access: Access,
    /// Which middleware it sits behind.
    pub stack: Stack,
    /// The schema of its JSON request body, if it takes one.
    pub body: Option<SchemaFn>,
    /// Whether the body may be left out.
    pub body_optional: bool,
    /// The schema of its query string (an object whose properties are the parameters).
    pub query: Option<SchemaFn>,
    /// The type of its path parameters, in the order of the path (`string` or `integer`).
    pub path_param: PathParam,
    /// The status of a successful call.
    pub status: u16,
    /// What a successful call answers.
    pub answer: Answer,
    /// The handler, already bound to [`Endpoint::verb`].
    pub route: MethodRouter<Hub>,
}

/// The type of an endpoint's path parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathParam {
    /// A room id or another name.
    Name,
    /// A registry id (the seq of the event that created it).
    Id,
}

fn schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

impl Endpoint {
    fn new(verb: Verb, path: &'static str, route: MethodRouter<Hub>) -> Self {
        Endpoint {
            verb,
            path,
            summary: "",
            access: Access::Bearer,
            stack: Stack::Api,
            body: None,
            body_optional: false,
            query: None,
            path_param: PathParam::Name,
            status: 200,
            answer: Answer::Text,
            route,
        }
    }

    /// `GET path`, served by `handler`.
    pub fn get<H, T>(path: &'static str, handler: H) -> Self
    where
        H: Handler<T, Hub>,
        T: 'static,
    {
        Endpoint::new(Verb::Get, path, axum::routing::get(handler))
    }

    /// `PUT path`, served by `handler`.
    pub fn put<H, T>(path: &'static str, handler: H) -> Self
    where
        H: Handler<T, Hub>,
        T: 'static,
    {
        Endpoint::new(Verb::Put, path, axum::routing::put(handler))
    }

    /// `POST path`, served by `handler`.
    pub fn post<H, T>(path: &'static str, handler: H) -> Self
    where
        H: Handler<T, Hub>,
        T: 'static,
    {
        Endpoint::new(Verb::Post, path, axum::routing::post(handler))
    }

    fn summary(mut self, summary: &'static str) -> Self {
        self.summary = summary;
        self
    }

    fn public(mut self) -> Self {
        self.access = Access::Public;
        self
    }

    fn node(mut self) -> Self {
        self.stack = Stack::Node;
        self
    }

    fn form(mut self) -> Self {
        self.stack = Stack::Form;
        self
    }

    fn by_id(mut self) -> Self {
        self.path_param = PathParam::Id;
        self
    }

    fn body<T: JsonSchema>(mut self) -> Self {
        self.body = Some(schema::<T>);
        self
    }

    fn optional_body<T: JsonSchema>(mut self) -> Self {
        self.body = Some(schema::<T>);
        self.body_optional = true;
        self
    }

    fn query<T: JsonSchema>(mut self) -> Self {
        self.query = Some(schema::<T>);
        self
    }

    fn answers<T: JsonSchema>(mut self, status: u16) -> Self {
        self.status = status;
        self.answer = Answer::Json(schema::<T>);
        self
    }

    fn answer(mut self, status: u16, answer: Answer) -> Self {
        self.status = status;
        self.answer = answer;
        self
    }

    /// The names of its path parameters, in order (`{id}` gives `id`).
    pub fn path_params(&self) -> impl Iterator<Item = &'static str> {
        self.path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
    }
}

/// The content types of every export format.
const EXPORT_TYPES: [&str; 6] = [
    Format::ALL[0].content_type(),
    Format::ALL[1].content_type(),
    Format::ALL[2].content_type(),
    Format::ALL[3].content_type(),
    Format::ALL[4].content_type(),
    Format::ALL[5].content_type(),
];

/// Every endpoint of a node, in the order the document lists them.
pub fn all() -> Vec<Endpoint> {
    use Endpoint as E;
    vec![
        E::get("/api/rooms", api::list_rooms)
            .summary("Every room, with who is present where the caller may enter.")
            .answers::<Vec<RoomSummary>>(200),
        E::post("/api/rooms", api::create_room)
            .summary("The secretariat creates a room.")
            .body::<RoomSpec>()
            .answers::<RoomSummary>(201),
        E::get("/api/rooms/{id}", api::room_view)
            .summary("The room as the caller may see it (403 where they may not enter).")
            .answers::<api::ViewBody>(200),
        E::get("/api/rooms/{id}/events", api::room_events)
            .summary("A page of the room's record with its hashes (secretariat and moderators).")
            .query::<api::RecordQuery>()
            .answers::<RecordPage>(200),
        E::get("/api/rooms/{id}/threads", consultation::room_threads)
            .summary("A consultation's questions and threaded statements, as the caller may read them.")
            .answers::<ThreadsPage>(200),
        E::get("/api/rooms/{id}/export", export::room_export)
            .summary("The record as a document (HTML, Markdown, JSON, CSV, Akoma Ntoso or Word), as the caller may read it.")
            .query::<export::ExportQuery>()
            .answer(200, Answer::Document(&EXPORT_TYPES)),
        E::get("/api/rooms/{id}/minutes/skeleton", export::minutes_skeleton)
            .summary("The text draft minutes start from: the published record as lines with `[#id]` markers.")
            .query::<export::SkeletonQuery>()
            .answers::<export::SkeletonBody>(200),
        E::get("/api/search", search::search)
            .summary("Statements found by their words in every room the caller may read, with filters.")
            .query::<search::SearchQuery>()
            .answers::<SearchResults>(200),
        E::get("/api/rooms/{id}/bundle", export::room_bundle)
            .summary("An archived room's sealed bundle: record, exports, signed manifest (secretariat and moderators).")
            .answer(200, Answer::Document(&["application/x-tar"])),
        E::get("/api/geo", api::geo)
            .summary("The countries, M49 areas and UN regional groups a scope may name.")
            .public()
            .answers::<GeoTable>(200),
        E::get("/api/registry", registry::view)
            .summary("What the caller may see of the registry.")
            .answers::<RegistryView>(200),
        E::get("/api/registry/public", registry::public_list)
            .summary("The public list of accredited organisations per forum, with figures.")
            .public()
            .answers::<PublicList>(200),
        E::post("/api/registry/apply", registry::apply)
            .summary("An organisation registers itself and applies to a forum.")
            .public()
            .form()
            .body::<PublicApplication>()
            .answers::<registry::Applied>(201),
        E::post("/api/registry/sign-in", registry::sign_in)
            .summary("Exchanges a sign-in link's code for a session token.")
            .public()
            .body::<SignInRequest>()
            .answers::<SignedIn>(200),
        E::get("/api/registry/events", registry::events)
            .summary("The registry's record with its hashes (secretariat).")
            .query::<registry::EventsQuery>()
            .answers::<RecordPage>(200),
        E::get("/api/registry/invitations.csv", registry::invitations_csv)
            .summary("Every sign-in invitation with its person, organisation, role, forum and dates, as CSV (secretariat).")
            .answer(200, Answer::Document(&["text/csv; charset=utf-8"])),
        E::post("/api/registry/organisations", registry::register)
            .summary("The secretariat registers an organisation.")
            .body::<OrganisationRequest>()
            .answers::<registry::Recorded>(201),
        E::post("/api/registry/forums", registry::create_forum)
            .summary("The secretariat creates a forum with its criteria and quota.")
            .body::<ForumSpec>()
            .answers::<registry::Recorded>(201),
        E::post("/api/registry/applications", registry::submit)
            .summary("An organisation's focal point applies to a forum.")
            .body::<ApplicationRequest>()
            .answers::<registry::Recorded>(201),
        E::post("/api/registry/applications/{id}/decision", registry::decision)
            .summary("The secretariat decides an application, with a reason.")
            .by_id()
            .body::<DecisionRequest>()
            .answers::<registry::Recorded>(201),
        E::post("/api/registry/applications/{id}/answer", registry::answer)
            .summary("The focal point answers a deferred application's questions.")
            .by_id()
            .body::<AnswerRequest>()
            .answers::<registry::Recorded>(201),
        E::post("/api/registry/applications/{id}/withdraw", registry::withdraw)
            .summary("The secretariat withdraws an accreditation, with a reason.")
            .by_id()
            .body::<ReasonRequest>()
            .answers::<registry::Recorded>(201),
        E::post("/api/registry/organisations/{id}/people", registry::add_person)
            .summary("A focal point or the secretariat names a person for an organisation.")
            .by_id()
            .body::<PersonRequest>()
            .answers::<registry::Recorded>(201),
        E::post("/api/registry/people/{id}/revoke", registry::revoke_person)
            .summary("Revokes a person, with a reason.")
            .by_id()
            .body::<ReasonRequest>()
            .answers::<registry::Recorded>(201),
        E::post("/api/registry/people/{id}/invitation", registry::invite)
            .summary("Sends a person a personal sign-in link.")
            .by_id()
            .answers::<InvitationSent>(201),
        E::post("/api/registry/invitations/{id}/revoke", registry::revoke_invitation)
            .summary("Revokes an unused sign-in link, with a reason.")
            .by_id()
            .body::<ReasonRequest>()
            .answers::<registry::Recorded>(201),
        E::get("/api/mail/settings", mail::get_settings)
            .summary("The caller's e-mail settings: digest frequency, followed questions, language (a registry person).")
            .answers::<MailSettings>(200),
        E::put("/api/mail/settings", mail::put_settings)
            .summary("Changes the caller's e-mail settings (a registry person).")
            .body::<MailSettings>()
            .answers::<MailSettings>(200),
        E::post("/api/mail/digests", mail::run_digests)
            .summary("Queues the digests due at `now` (default: the node's clock) for everyone (secretariat).")
            .optional_body::<mail::DigestRequest>()
            .answers::<mail::DigestsQueued>(200),
        E::get("/api/mail/outbox", mail::outbox)
            .summary("Outbound mail: figures per consultation and the latest messages with their delivery state (secretariat).")
            .answers::<mail::Outbox>(200),
        E::get("/api/mail/inbox", mail::inbox)
            .summary("Inbound mail: every message's outcome and reason, and the text stripped from it (secretariat and moderators).")
            .answers::<mail::Inbox>(200),
        E::get("/api/openapi.json", openapi::serve)
            .summary("This document.")
            .public()
            .answer(200, Answer::Document(&["application/json"])),
        E::get("/.well-known/baraza-archive-key", export::archive_key)
            .summary("The Ed25519 public key this node signs archive bundles with.")
            .public()
            .node()
            .answer(200, Answer::Document(&["application/json"])),
        E::get("/ws", ws::upgrade)
            .summary("Upgrades to a WebSocket speaking the `baraza.v1` subprotocol (docs/protocol.md).")
            .public()
            .node()
            .answer(101, Answer::Upgrade),
        E::get("/healthz", health::healthz)
            .summary("Whether the node can serve, and why not.")
            .public()
            .node()
            .answers::<Health>(200),
        E::get("/metrics", super::metrics)
            .summary("Prometheus text metrics.")
            .public()
            .node()
            .answer(200, Answer::Text),
    ]
}
