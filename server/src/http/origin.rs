//! Which web pages may open a WebSocket to this node: the `Origin` check of `GET /ws`.
//!
//! A browser always sends `Origin` on a WebSocket upgrade; other clients usually do not. An
//! upgrade without `Origin` is allowed (tokens travel in-band, so a page cannot borrow a
//! browser's credentials anyway). With `Origin`, it is allowed when the origin is this node's
//! own (its host and port equal the `Host` header, default ports aside) or one of the configured
//! origins; anything else is refused with `403`.

/// The configured origins, beyond the node's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedOrigins {
    any: bool,
    origins: Vec<String>,
}

/// Why a configured origin is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an origin like https://baraza.example.org or https://host:8443 (or *)")]
pub struct BadOrigin(pub String);

impl AllowedOrigins {
    /// Origins given as `scheme://host[:port]` (`http` or `https`, no path), or `*` for any.
    pub fn parse<S: AsRef<str>>(list: &[S]) -> Result<AllowedOrigins, BadOrigin> {
        let mut allowed = AllowedOrigins::default();
        for text in list {
            let text = text.as_ref().trim();
            if text.is_empty() {
                continue;
            }
            if text == "*" {
                allowed.any = true;
                continue;
            }
            let origin = normalise(text).ok_or_else(|| BadOrigin(text.to_owned()))?;
            allowed.origins.push(origin);
        }
        Ok(allowed)
    }

    /// Whether an upgrade with these `Origin` and `Host` headers may proceed.
    pub fn permits(&self, origin: Option<&str>, host: Option<&str>) -> bool {
        let Some(origin) = origin else { return true };
        if self.any {
            return true;
        }
        let Some(origin) = normalise(origin) else {
            return false;
        };
        if self.origins.contains(&origin) {
            return true;
        }
        let authority = origin.split_once("://").map(|(_, a)| a);
        let host = host.map(|h| strip_default_port(&origin, &h.trim().to_ascii_lowercase()));
        authority.is_some() && authority == host.as_deref()
    }
}

/// `scheme://host[:port]` in lower case without a default port, or `None` when not an origin.
fn normalise(text: &str) -> Option<String> {
    let text = text.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, authority) = text.split_once("://")?;
    if !matches!(scheme, "http" | "https")
        || authority.is_empty()
        || authority.contains(['/', '?', '#', '@', ' '])
    {
        return None;
    }
    let origin = format!("{scheme}://{authority}");
    let authority = strip_default_port(&origin, authority);
    Some(format!("{scheme}://{authority}"))
}

fn strip_default_port(origin: &str, authority: &str) -> String {
    let default = if origin.starts_with("https://") {
        ":443"
    } else {
        ":80"
    };
    authority
        .strip_suffix(default)
        .unwrap_or(authority)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_origin_configured_origins_and_no_origin_pass() {
        let allowed = AllowedOrigins::parse(&["https://Portal.example.org/"]).unwrap();
        assert!(allowed.permits(None, Some("node:8080")));
        assert!(allowed.permits(Some("http://127.0.0.1:8080"), Some("127.0.0.1:8080")));
        assert!(allowed.permits(Some("https://baraza.example"), Some("baraza.example:443")));
        assert!(allowed.permits(Some("https://portal.example.org"), Some("node:8080")));
        assert!(!allowed.permits(Some("https://evil.example"), Some("node:8080")));
        assert!(!allowed.permits(Some("http://127.0.0.1:9999"), Some("127.0.0.1:8080")));
        assert!(!allowed.permits(Some("null"), Some("node:8080")));
        assert!(!allowed.permits(Some("http://node:8080"), None));
    }

    #[test]
    fn star_allows_any_and_bad_entries_are_refused() {
        let any = AllowedOrigins::parse(&["*"]).unwrap();
        assert!(any.permits(Some("https://anywhere.example"), Some("node")));
        assert!(AllowedOrigins::parse(&["baraza.example"]).is_err());
        assert!(AllowedOrigins::parse(&["https://baraza.example/path"]).is_err());
        assert!(AllowedOrigins::parse(&["ftp://baraza.example"]).is_err());
    }
}
