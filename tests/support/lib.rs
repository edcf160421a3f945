//! Support for Baraza's end-to-end tests: a real `baraza serve` process on 127.0.0.1 with its
//! own data directory, real WebSocket clients, tokens and HTTP calls.
//!
//! - [`node`]: start, stop (SIGTERM), kill and restart the server process.
//! - [`client`]: a WebSocket client speaking `baraza.v1`, with waits that time out loudly.
//! - [`tokens`]: tokens signed with the test secret, valid or deliberately broken.
//! - [`api`]: the HTTP API.
//! - [`export`]: exports in every format; Akoma Ntoso validated against the official schema.
//! - [`redis`]: a Redis server of the test's own, killable and restartable.
//! - [`redis_cluster`]: a Redis Cluster of the test's own (3 masters), one master killable.
//! - [`smtp`]: a real SMTP server (aiosmtpd) that keeps what it receives; `baraza mail-in`.

pub mod api;
pub mod client;
pub mod export;
pub mod node;
pub mod redis;
pub mod redis_cluster;
pub mod smtp;
pub mod tokens;

pub use api::Api;
pub use client::Client;
pub use node::{DataDir, NodeProcess};
pub use redis::RedisProcess;
pub use redis_cluster::RedisCluster;
pub use tokens::TokenSpec;
