//! Headers every response carries, so that a browser gives the web client no more power than it
//! needs: a Content-Security-Policy, no framing, no referrer, no content sniffing.
//!
//! The policy fits the web client as it is: ES modules and one stylesheet from this origin, no
//! inline script or style, the WebSocket and `fetch` to this origin (`connect-src 'self'`, which
//! browsers apply to `ws:`/`wss:` of the same host), and the empty `data:` favicon.

use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Response;

/// The Content-Security-Policy of every response.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The headers [`security_headers`] sets, with their values.
pub const SECURITY_HEADERS: [(HeaderName, &str); 4] = [
    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
];

/// Sets [`SECURITY_HEADERS`] on a response (replacing any value a handler set).
pub async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}
