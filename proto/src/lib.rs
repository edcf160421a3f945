//! Wire types of the Baraza protocol, version 1 (`baraza.v1`).
//!
//! This crate has no runtime: it is the contract between the server, the web client, the
//! load generator and anyone who writes a client of their own.
//!
//! - [`ids`]: identifiers (`RoomId`, `UserId`, `Seq` …) that check their own shape.
//! - [`identity`]: roles, constituencies, regions and the `Profile` built from a token.
//! - [`room`]: room kinds, scopes and the request that creates a room.
//! - [`command`]: what a client may ask a room to do.
//! - [`event`]: the facts a room's record is made of.
//! - [`roundtable`]: agenda, speaking list, floor, timers and statistics of roundtables.
//! - [`view`]: the state of a room as a `snapshot` shows it.
//! - [`caucus`]: organising partners, elections and joint statements of caucuses.
//! - [`consultation`]: phases, questions, syntheses, roll-up inputs and figures of consultations.
//! - [`minutes`]: minutes drawn from the record, corrected by the speakers quoted, approved.
//! - [`registry`]: organisations, forums, accreditation and invitations (the registry).
//! - [`message`]: the client and server messages of `GET /ws`.
//! - [`api`]: bodies of the HTTP API.
//! - [`error`]: error codes and WebSocket close codes.
//! - [`limits`]: the limits a server announces and enforces.
//! - [`schema`]: the JSON Schema generated from all of the above.

pub mod api;
pub mod caucus;
pub mod command;
pub mod consultation;
pub mod error;
pub mod event;
pub mod identity;
pub mod ids;
pub mod limits;
pub mod mail;
pub mod message;
pub mod minutes;
pub mod registry;
pub mod room;
pub mod roundtable;
pub mod schema;
pub mod search;
pub mod view;

/// The protocol version this crate describes.
pub const PROTOCOL_VERSION: u32 = 1;

/// The WebSocket subprotocol a client must offer on `GET /ws`.
pub const SUBPROTOCOL: &str = "baraza.v1";
