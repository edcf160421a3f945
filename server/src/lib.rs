//! Baraza: a real-time hub for moderated roundtables and regional e-consultations.
//!
//! Every room is an ordered, append-only, hash-chained record; its state is the fold of its
//! events, and every subscriber receives the same encoded events in the same order.
//!
//! - [`domain`]: the pure core: `decide(state, actor, command, now)` and `evolve(state, event)`.
//! - [`record`]: sealing events into the hash chain and checking a chain.
//! - [`store`]: the `RecordStore` trait; the embedded SQLite and the Redis engines.
//! - [`broker`]: the `Broker` trait (fan-out between nodes); in-process and Redis engines.
//! - [`presence`]: which node holds which member, and clean-up after a node dies.
//! - [`hub`]: room actors and WebSocket sessions on one node.
//! - [`registry`]: organisations, forums, accreditation and invitations (a hash-chained record).
//! - [`mail`]: taking part by e-mail: outbox, digests, reply tokens, inbound mail (LMTP).
//! - [`redis_keys`]: every Redis key and channel name.
//! - [`redis_link`]: the command connection to Redis (deadline, fail-fast while it is down).
//! - [`redis_target`]: one Redis server or a Redis Cluster, read from the `--redis` URL.
//! - [`export`]: the record as documents: HTML, Markdown, JSON, CSV, Akoma Ntoso.
//! - [`archive`]: archive bundles of a closed room (record, exports, manifest) and their check.
//! - [`edge`]: the network edge: connection caps, header-read and idle timeouts, the accept loop.
//! - [`http`]: the axum router: `/ws`, `/api/*`, `/healthz`, `/metrics`, the web client; security
//!   headers, allowed origins, the REST rate limit.
//! - [`health`]: the checks behind `/healthz` (free disk space, failing appends).
//! - [`auth`]: verifying and minting JWTs.
//! - [`audit`]: the audit trail of refused commands and tokens (log target `baraza::audit`).
//! - [`metrics`]: the node's counters.
//! - [`node`]: wiring it all together; start and graceful shutdown.
//! - [`cli`]: the `baraza` command line (`serve`, `token`, `verify`, `export`, `archive`).

pub mod archive;
pub mod audit;
pub mod auth;
pub mod broker;
pub mod cli;
pub mod domain;
pub mod edge;
pub mod export;
pub mod health;
pub mod http;
pub mod hub;
pub mod mail;
pub mod metrics;
pub mod node;
pub mod presence;
pub mod record;
pub mod redis_keys;
pub mod redis_link;
pub mod redis_target;
pub mod registry;
pub mod search;
pub mod store;
