//! `baraza-bench`: a load generator that opens many real WebSocket clients, drives Baraza (and
//! the peers it is compared with) through the real protocol, and records each delivery's
//! latency in an HdrHistogram together with the server's resident memory.

pub mod board;
pub mod conn;
pub mod crowd;
pub mod error;
pub mod floor;
pub mod http;
pub mod latency;
pub mod limits;
pub mod machine;
pub mod member;
pub mod procs;
pub mod report;
pub mod scenarios;
pub mod speaker;
pub mod systems;
pub mod token;
pub mod wire;
