//! Raising the open-file limit so that one process can hold tens of thousands of sockets.

use crate::error::{BenchError, Result};
use nix::sys::resource::{Resource, getrlimit, setrlimit};

/// Raises `RLIMIT_NOFILE` to `wanted` (soft and, if allowed, hard); returns the soft limit now in
/// force. Child processes (the servers under test) inherit it.
pub fn raise_nofile(wanted: u64) -> Result<u64> {
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)
        .map_err(|e| BenchError::Usage(format!("getrlimit: {e}")))?;
    if soft >= wanted {
        return Ok(soft);
    }
    if setrlimit(Resource::RLIMIT_NOFILE, wanted, wanted.max(hard)).is_ok() {
        return Ok(wanted);
    }
    // Not privileged: go as far as the hard limit.
    setrlimit(Resource::RLIMIT_NOFILE, hard, hard)
        .map_err(|e| BenchError::Usage(format!("setrlimit: {e}")))?;
    Ok(hard)
}
