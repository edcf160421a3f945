//! `/api/registry/*`: organisations, forums, applications and decisions, people and their
//! sign-in links, and the public list. Handlers are thin: the rules are in
//! [`crate::registry::access`] and [`crate::registry::decide`](mod@crate::registry::decide).
//!
//! The secretariat also reads `GET /api/registry/invitations.csv`.
//!
//! Without a token: `GET /api/registry/public`, `POST /api/registry/apply` and
//! `POST /api/registry/sign-in` (all under the REST rate limit, counted per address).

use super::caller::Caller;
use super::error::HttpError;
use crate::hub::Hub;
use crate::registry::{Registry, RegistryCommand, RegistryError, access, public};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use baraza_proto::api::RecordPage;
use baraza_proto::error::ErrorCode;
use baraza_proto::ids::{IdempotencyKey, Millis, Seq};
use baraza_proto::registry::{
    AnswerRequest, ApplicationRequest, DecisionRequest, ForumSpec, InvitationSent,
    OrganisationRequest, PersonRequest, PublicApplication, PublicList, ReasonRequest, RegistryView,
    SignInRequest, SignedIn,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What a registry request recorded.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Recorded {
    /// The seq of the first event it recorded (the id of what it created).
    pub seq: Seq,
    /// An earlier request with the same `Idempotency-Key` had already done it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub duplicate: bool,
}

/// Answer of `POST /api/registry/apply`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Applied {
    /// The organisation's id.
    pub org: Seq,
    /// The application's id.
    pub application: Seq,
    /// Whether the focal point's sign-in link was handed to the SMTP relay.
    pub mailed: bool,
}

impl From<RegistryError> for HttpError {
    fn from(error: RegistryError) -> HttpError {
        let status = match &error {
            RegistryError::NotFound(_) => StatusCode::NOT_FOUND,
            RegistryError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            RegistryError::Forbidden(_) => StatusCode::FORBIDDEN,
            RegistryError::Conflict(_) => StatusCode::CONFLICT,
            RegistryError::LinkExpired(_) | RegistryError::LinkInvalid(_) => {
                StatusCode::UNAUTHORIZED
            }
            RegistryError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        };
        HttpError::new(status, error.code(), error.to_string())
    }
}

fn registry(hub: &Hub) -> Result<&Arc<Registry>, HttpError> {
    hub.registry().ok_or_else(|| {
        HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "this node runs without a registry",
        )
    })
}

fn body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, HttpError> {
    body.map(|Json(value)| value).map_err(|e| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidMessage,
            e.body_text(),
        )
    })
}

fn key(headers: &HeaderMap) -> Result<Option<IdempotencyKey>, HttpError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|v| IdempotencyKey::new(v).ok())
            .map(Some)
            .ok_or_else(|| {
                HttpError::new(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::InvalidMessage,
                    "Idempotency-Key must be 1 to 64 printable ASCII characters",
                )
            }),
    }
}

/// The wall clock for the registry's rules (the driver's only clock read).
fn now() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as Millis)
}

async fn run(
    hub: &Hub,
    caller: &baraza_proto::identity::Profile,
    headers: &HeaderMap,
    command: RegistryCommand,
) -> Result<(StatusCode, Json<Recorded>), HttpError> {
    let done = registry(hub)?
        .execute(Some(caller), key(headers)?.as_ref(), &command, now())
        .await?;
    let status = if done.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(Recorded {
            seq: done.seq,
            duplicate: done.duplicate,
        }),
    ))
}

type Answer = Result<(StatusCode, Json<Recorded>), HttpError>;

/// `GET /api/registry/public`: the public list (no token).
pub async fn public_list(State(hub): State<Hub>) -> Result<Json<PublicList>, HttpError> {
    let registry = registry(&hub)?;
    let state = registry
        .refresh()
        .await
        .unwrap_or_else(|_| registry.snapshot());
    Ok(Json(public::public_list(&state)))
}

/// `POST /api/registry/apply`: an organisation registers itself and applies (no token).
pub async fn apply(
    State(hub): State<Hub>,
    request: Result<Json<PublicApplication>, JsonRejection>,
) -> Result<(StatusCode, Json<Applied>), HttpError> {
    let request = body(request)?;
    let (org, application, sent) = registry(&hub)?.apply(&request, now()).await?;
    Ok((
        StatusCode::CREATED,
        Json(Applied {
            org,
            application,
            mailed: sent.mailed,
        }),
    ))
}

/// `POST /api/registry/sign-in`: a sign-in link's code for a session token (no token).
pub async fn sign_in(
    State(hub): State<Hub>,
    request: Result<Json<SignInRequest>, JsonRejection>,
) -> Result<Json<SignedIn>, HttpError> {
    let request = body(request)?;
    Ok(Json(registry(&hub)?.sign_in(&request.code, now()).await?))
}

/// `GET /api/registry`: what the caller may see of the registry.
pub async fn view(
    State(hub): State<Hub>,
    Caller(caller): Caller,
) -> Result<Json<RegistryView>, HttpError> {
    let registry = registry(&hub)?;
    let state = registry
        .refresh()
        .await
        .unwrap_or_else(|_| registry.snapshot());
    let who = access::who_is(&state, Some(&caller));
    Ok(Json(access::view_for(&state, &who)))
}

/// Query of `GET /api/registry/events`.
#[derive(Deserialize, JsonSchema)]
pub struct EventsQuery {
    /// Only events after this seq (0, the default, is from the start).
    #[serde(default)]
    after: Seq,
}

/// `GET /api/registry/events?after=N`: the registry's record with its hashes (secretariat).
pub async fn events(
    State(hub): State<Hub>,
    Caller(caller): Caller,
    Query(query): Query<EventsQuery>,
) -> Result<Json<RecordPage>, HttpError> {
    let registry = registry(&hub)?;
    let state = registry.snapshot();
    access::may_read_record(&access::who_is(&state, Some(&caller)))?;
    let (head, events) = registry.read_record(query.after).await?;
    Ok(Json(RecordPage {
        room: crate::registry::service::record_id(),
        head,
        events: events.iter().map(|e| e.entry()).collect(),
    }))
}

/// `GET /api/registry/invitations.csv`: every sign-in invitation with its person, organisation,
/// role, forum and dates, as a CSV file (secretariat; the links themselves are never stored).
pub async fn invitations_csv(
    State(hub): State<Hub>,
    Caller(caller): Caller,
) -> Result<impl IntoResponse, HttpError> {
    let registry = registry(&hub)?;
    let state = registry
        .refresh()
        .await
        .unwrap_or_else(|_| registry.snapshot());
    access::may_read_record(&access::who_is(&state, Some(&caller)))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"baraza-invitations.csv\"",
            ),
        ],
        crate::registry::csv::invitations_csv(&state),
    ))
}

/// `POST /api/registry/organisations` (secretariat).
pub async fn register(
    State(hub): State<Hub>,
    Caller(caller): Caller,
    headers: HeaderMap,
    request: Result<Json<OrganisationRequest>, JsonRejection>,
) -> Answer {
    let request = body(request)?;
    run(
        &hub,
        &caller,
        &headers,
        RegistryCommand::RegisterOrganisation(request),
    )
    .await
}

/// `POST /api/registry/forums` (secretariat).
pub async fn create_forum(
    State(hub): State<Hub>,
    Caller(caller): Caller,
    headers: HeaderMap,
    request: Result<Json<ForumSpec>, JsonRejection>,
) -> Answer {
    let request = body(request)?;
    run(
        &hub,
        &caller,
        &headers,
        RegistryCommand::CreateForum(request),
    )
    .await
}

/// `POST /api/registry/applications` (secretariat or the organisation's focal point).
pub async fn submit(
    State(hub): State<Hub>,
    Caller(caller): Caller,
    headers: HeaderMap,
    request: Result<Json<ApplicationRequest>, JsonRejection>,
) -> Answer {
    let request = body(request)?;
    run(
        &hub,
        &caller,
        &headers,
        RegistryCommand::SubmitApplication(request),
    )
    .await
}

/// `POST /api/registry/applications/{id}/decision` (secretariat).
pub async fn decision(
    State(hub): State<Hub>,
    Caller(caller): Caller,
    Path(application): Path<Seq>,
    headers: HeaderMap,
    request: Result<Json<DecisionRequest>, JsonRejection>,
) -> Answer {
    let request = body(request)?;
    let command = RegistryCommand::Decide {
        application,
        request,
    };
    run(&hub, &caller, &headers, command).await
}

/// `POST /api/registry/applications/{id}/answer` (focal point or secretariat).
pub async fn answer(
    State(hub): State<Hub>,
    Caller(caller): Caller,
    Path(application): Path<Seq>,
    headers: HeaderMap,
    request: Result<Json<AnswerRequest>, JsonRejection>,
) -> Answer {
    let request = body(request)?;
    let command = RegistryCommand::Answer {
        application,
        answer: request.answer,
    };
    run(&hub, &caller, &headers, command).await
}

/// `POST /api/registry/applications/{id}/withdraw` (secretariat, or the focal point).
pub async fn withdraw(
    State(hub): State<Hub>,
    Caller(caller): Caller,
    Path(application): Path<Seq>,
    headers: HeaderMap,
    request: Result<Json<ReasonRequest>, JsonRejection>,
) -> Answer {
    let request = body(request)?;
    let command = RegistryCommand::Withdraw {
        application,
        reason: request.reason,
    };
    run(&hub, &caller, &headers, command).await
}

/// `POST /api/registry/organisations/{id}/people` (focal point or secretariat).
pub async fn add_person(
    State(hub): State<Hub>,
    Caller(caller): Caller,
    Path(org): Path<Seq>,
    headers: HeaderMap,
    request: Result<Json<PersonRequest>, JsonRejection>,
) -> Answer {
    let request = body(request)?;
    run(
        &hub,
        &caller,
        &headers,
        RegistryCommand::AddPerson { org, request },
    )
    .await
}

/// `POST /api/registry/people/{id}/revoke` (focal point or secretariat).
pub async fn revoke_person(
    State(hub): State<Hub>,
    Caller(caller): Caller,
    Path(person): Path<Seq>,
    headers: HeaderMap,
    request: Result<Json<ReasonRequest>, JsonRejection>,
) -> Answer {
    let request = body(request)?;
    let command = RegistryCommand::RevokePerson {
        person,
        reason: request.reason,
    };
    run(&hub, &caller, &headers, command).await
}

/// `POST /api/registry/people/{id}/invitation` (focal point or secretariat): issues and
/// mails a sign-in link; the answer holds the link for sending by other means.
pub async fn invite(
    State(hub): State<Hub>,
    Caller(caller): Caller,
    Path(person): Path<Seq>,
) -> Result<(StatusCode, Json<InvitationSent>), HttpError> {
    let sent = registry(&hub)?.invite(&caller, person, now()).await?;
    Ok((StatusCode::CREATED, Json(sent)))
}

/// `POST /api/registry/invitations/{id}/revoke` (focal point or secretariat).
pub async fn revoke_invitation(
    State(hub): State<Hub>,
    Caller(caller): Caller,
    Path(invitation): Path<Seq>,
    headers: HeaderMap,
    request: Result<Json<ReasonRequest>, JsonRejection>,
) -> Answer {
    let request = body(request)?;
    let command = RegistryCommand::RevokeInvitation {
        invitation,
        reason: request.reason,
    };
    run(&hub, &caller, &headers, command).await
}
