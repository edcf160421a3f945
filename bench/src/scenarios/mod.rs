//! The scenarios, one module each.

pub mod audience;
pub mod fanout;
pub mod held;
pub mod record;
pub mod storm;
pub mod workspace;
