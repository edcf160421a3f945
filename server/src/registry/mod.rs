//! The registry of organisations, forums, accreditation and invitations: the source of every
//! identity in an accredited room.
//!
//! Like a room, the registry is a hash-chained record (the record [`REGISTRY_RECORD`], in the
//! same store, sealed and checked by the same machinery, so `baraza verify` covers it) whose
//! state is the fold of its events. The rules are pure (time is an argument); the driver does
//! the IO.
//!
//! - [`state`]: `RegistryState`, the fold of the registry's events.
//! - [`decide`](mod@decide): requests → events, or a `RegistryError`.
//! - [`access`]: who may do and read what, the identity a token speaks for, and who may join a
//!   room of an accredited-only forum.
//! - [`public`]: the public list of accredited organisations and the figures.
//! - [`service`]: the driver: record, signing of sign-in links, mail, session tokens.
//! - [`mail`]: the SMTP relay (`lettre`).
//! - [`csv`]: the secretariat's list of invitations as CSV.

pub mod access;
pub mod csv;
pub mod decide;
pub mod mail;
pub mod public;
pub mod service;
pub mod state;

#[cfg(test)]
mod tests;

pub use decide::{RegistryCommand, RegistryError};
pub use service::{Registry, RegistryConfig};
pub use state::RegistryState;

/// The id of the registry's record in the store. No room can have it: the hub refuses to
/// create a room under it, and a room actor loaded for it finds no `room_created`.
pub const REGISTRY_RECORD: &str = "registry";

/// Whether `id` is reserved for the registry's record.
pub fn is_reserved(id: &baraza_proto::ids::RoomId) -> bool {
    id.as_str() == REGISTRY_RECORD
}
