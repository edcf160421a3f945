//! The audit trail: every refused command and every refused token is logged under the target
//! `baraza::audit`, at `info`, with who, where, what and the wire code.
//!
//! Without `BARAZA_LOG` (or `RUST_LOG`) it is left out, since one client can cause many
//! refusals; an operator turns it on with a filter that names it, such as
//! `BARAZA_LOG=info,baraza::audit=info` (plain `BARAZA_LOG=info` includes it too). Each refusal
//! is also counted in `/metrics` (`baraza_commands_rejected_total`,
//! `baraza_auth_failures_total`).

use crate::auth::AuthError;
use crate::domain::{Actor, Rejection};
use baraza_proto::ids::RoomId;

/// Logs that `actor`'s `command` to `room` was refused.
pub fn command_refused(room: &RoomId, actor: &Actor, command: &str, rejection: &Rejection) {
    let user = actor.user().map_or("(server)", |user| user.as_str());
    tracing::info!(
        target: "baraza::audit",
        user,
        %room,
        command,
        code = rejection.code().as_str(),
        reason = %rejection,
        "command refused"
    );
}

/// Logs that a token was refused on connection `conn`.
pub fn token_refused(conn: u64, error: &AuthError) {
    tracing::info!(
        target: "baraza::audit",
        conn,
        code = error.code().as_str(),
        reason = %error,
        "token refused"
    );
}

/// Logs that the bearer token of a REST request to `path` was refused.
pub fn rest_token_refused(path: &str, error: &AuthError) {
    tracing::info!(
        target: "baraza::audit",
        path,
        code = error.code().as_str(),
        reason = %error,
        "token refused"
    );
}

/// Logs that the registry's event `registry_seq` ended `user`'s access and this node closed
/// their connections.
pub fn access_ended(
    user: &baraza_proto::ids::UserId,
    cause: baraza_proto::event::AccessEndCause,
    registry_seq: baraza_proto::ids::Seq,
) {
    tracing::info!(
        target: "baraza::audit",
        user = user.as_str(),
        ?cause,
        registry_seq,
        "access ended by the registry"
    );
}
