//! The web client (`client-web/`), compiled into the binary so that `baraza serve` needs nothing
//! else: `GET /` is the app and `GET /<path>` its modules and styles (`css/` holds the styles
//! of views loaded on demand, kept out of the first load).
//!
//! Files are embedded with `rust-embed`; the client's own browser tests (`client-web/tests/`)
//! and anything else that is not part of the app are excluded. In debug builds `rust-embed`
//! reads the files from disk, so the client can be edited without rebuilding (the version and
//! the index page are then worked out again on every request, so an edit is never hidden
//! behind a long-lived cache).
//!
//! Caching by content: the app's files are served under a prefix naming its
//! [version](App::version), a hash of every embedded file (`/v/<hash>/js/main.js`), with
//! `Cache-Control: public, max-age=31536000, immutable`: a browser that has them asks for them
//! never again, and a new build has a new prefix. The index page (`GET /`) is `no-cache` and
//! points into the prefix; modules import each other by relative paths, so static and dynamic
//! `import()`s, the locale tables and the stylesheets linked on demand (resolved against
//! `import.meta.url`) all stay inside it. The unprefixed paths (`/js/main.js`) keep working
//! as before, `no-cache` with an `ETag` (`304 Not Modified` on a revisit), and so does a prefix
//! of another version (a tab opened before a deploy): it is served the current files, but
//! `no-cache`, never as immutable.
//!
//! No chain of round trips: the index page carries a `<link rel="modulepreload">` for every
//! module in the static import closure of `js/main.js` ([`static_closure`], from the embedded
//! sources' `import … from './x.js'` statements), so the browser fetches the whole first-load
//! graph at once instead of discovering it one level per round trip. Modules only reached by a
//! dynamic `import()` (views opened on demand, locale tables) are not preloaded.
//!
//! Responses are compressed by the router's [compression layer](super::compression). The
//! security headers (`nosniff`, the Content-Security-Policy …) are set on every response of the
//! router ([`super::security`]).

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::Embed;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::sync::Arc;

#[derive(Embed)]
#[folder = "../client-web/"]
#[include = "index.html"]
#[include = "app.css"]
#[include = "css/*"]
#[include = "registry.css"]
#[include = "js/*"]
#[exclude = "tests/*"]
#[exclude = "*/node_modules/*"]
struct Assets;

/// The entry module of the app.
const ENTRY: &str = "js/main.js";

/// How the prefixed files are cached: a year, and never revalidated.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The app as served: its version and its index page.
#[derive(Debug)]
pub struct App {
    /// The hex hash of every embedded file's path and content (16 digits).
    pub version: String,
    /// The modules preloaded by the index page: the static import closure of `js/main.js`,
    /// without itself.
    pub preload: Vec<String>,
    /// The index page, pointing into the version's prefix.
    pub index: String,
}

impl App {
    fn build() -> App {
        let mut hasher = Sha256::new();
        let mut paths: Vec<String> = Assets::iter().map(|p| p.into_owned()).collect();
        paths.sort();
        for path in &paths {
            if let Some(file) = Assets::get(path) {
                hasher.update(path.as_bytes());
                hasher.update([0]);
                hasher.update(file.metadata.sha256_hash());
            }
        }
        let version = hex::encode(&hasher.finalize()[..8]);
        let source =
            |path: &str| Assets::get(path).map(|f| String::from_utf8_lossy(&f.data).into_owned());
        let preload: Vec<String> = static_closure(ENTRY, source)
            .into_iter()
            .filter(|p| p != ENTRY)
            .collect();
        let mut app = App {
            version,
            preload,
            index: String::new(),
        };
        app.index = app.render_index(&source("index.html").unwrap_or_default());
        app
    }

    /// The index page pointing into [`App::prefix`]: its stylesheet and entry module, and a
    /// `modulepreload` link per module of [`App::preload`], before the entry's `<script>`.
    fn render_index(&self, page: &str) -> String {
        let prefix = self.prefix();
        let links: String = self
            .preload
            .iter()
            .map(|p| format!("<link rel=\"modulepreload\" href=\"{prefix}{p}\">\n"))
            .collect();
        page.replace("href=\"app.css\"", &format!("href=\"{prefix}app.css\""))
            .replace(
                &format!("<script type=\"module\" src=\"{ENTRY}\">"),
                &format!("{links}<script type=\"module\" src=\"{prefix}{ENTRY}\">"),
            )
    }

    /// The prefix of this version's files (`/v/<hash>/`).
    pub fn prefix(&self) -> String {
        format!("/v/{}/", self.version)
    }
}

/// The app as it is now (built once in release builds, on every call in debug builds, where
/// the files are read from disk).
pub fn app() -> Arc<App> {
    #[cfg(debug_assertions)]
    {
        Arc::new(App::build())
    }
    #[cfg(not(debug_assertions))]
    {
        static APP: std::sync::LazyLock<Arc<App>> =
            std::sync::LazyLock::new(|| Arc::new(App::build()));
        APP.clone()
    }
}

/// The modules `entry` loads statically, itself first, in the order they are found; `source`
/// gives a module's text by its path. Only relative specifiers (`./x.js`, `../x.js`) are
/// followed; dynamic `import()`s are not static imports.
pub fn static_closure(entry: &str, source: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let mut seen = BTreeSet::from([entry.to_owned()]);
    let mut order = vec![entry.to_owned()];
    let mut next = 0;
    while next < order.len() {
        let module = order[next].clone();
        next += 1;
        let Some(text) = source(&module) else {
            continue;
        };
        for specifier in static_imports(&text) {
            if let Some(path) = resolve(&module, &specifier)
                && seen.insert(path.clone())
            {
                order.push(path);
            }
        }
    }
    order
}

/// The specifiers of a module's static `import` and `export … from` statements, in order.
///
/// A statement is recognised where it begins a line (as the client's modules are written):
/// `import x from '…'`, `import { a,\n b } from '…'`, `import '…'`, `export { a } from '…'`,
/// `export * from '…'`. `import(` (dynamic) and `import.meta` are not statements, and text in
/// comments does not begin a line with `import`.
pub fn static_imports(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = source;
    let mut at_line_start = true;
    while !rest.is_empty() {
        if at_line_start {
            let line = rest.trim_start_matches([' ', '\t']);
            let statement = if let Some(after) = line.strip_prefix("import") {
                // `import x`, `import {`, `import '…'`, `import *`; not `import(` or `import.meta`.
                after
                    .starts_with([' ', '{', '\'', '"', '*', '\n'])
                    .then_some((after, false))
            } else {
                line.strip_prefix("export")
                    .filter(|after| after.trim_start().starts_with(['{', '*']))
                    .map(|after| (after, true))
            };
            if let Some((after, needs_from)) = statement
                && let Some(specifier) = specifier_of(after, needs_from)
            {
                found.push(specifier);
            }
        }
        let Some(newline) = rest.find('\n') else {
            break;
        };
        rest = &rest[newline + 1..];
        at_line_start = true;
    }
    found
}

/// The first string literal of a statement, before its `;` (after its `from` where `needs_from`).
fn specifier_of(statement: &str, needs_from: bool) -> Option<String> {
    let end = statement.find(';').unwrap_or(statement.len());
    let mut body = &statement[..end];
    if needs_from {
        let from = body.find("from")?;
        body = &body[from + 4..];
    } else if let Some(from) = body.find("} from").or_else(|| body.find(" from ")) {
        body = &body[from..];
    }
    let open = body.find(['\'', '"'])?;
    let quote = body[open..].chars().next()?;
    let close = body[open + 1..].find(quote)?;
    Some(body[open + 1..open + 1 + close].to_owned())
}

/// The embedded path a relative specifier names from `module` (`js/views/room.js` and
/// `../dom.js` give `js/dom.js`); `None` for a bare or absolute specifier, or one leaving the app.
fn resolve(module: &str, specifier: &str) -> Option<String> {
    if !(specifier.starts_with("./") || specifier.starts_with("../")) {
        return None;
    }
    let mut parts: Vec<&str> = module.split('/').collect();
    parts.pop();
    for segment in specifier.split('/') {
        match segment {
            "." | "" => {}
            ".." => {
                parts.pop()?;
            }
            name => parts.push(name),
        }
    }
    Some(parts.join("/"))
}

/// Routes of the web client; with `plain` the index page is served as it is in `client-web/`
/// (no prefix, no preloads: as before issue 14, for benchmarks).
pub fn routes<S: Clone + Send + Sync + 'static>(plain: bool) -> Router<S> {
    let page = move |headers: HeaderMap| async move {
        if plain {
            asset("index.html", headers).await
        } else {
            index(headers).await
        }
    };
    Router::new()
        .route("/", get(page))
        .route("/index.html", get(page))
        .route("/app.css", get(|headers| asset("app.css", headers)))
        .route(
            "/registry.css",
            get(|headers| asset("registry.css", headers)),
        )
        .route("/js/{*path}", get(script))
        .route("/css/{*path}", get(style))
        .route("/v/{version}/{*path}", get(versioned))
}

async fn index(headers: HeaderMap) -> Response {
    let app = app();
    let etag = format!(
        "W/\"{}\"",
        hex::encode(&Sha256::digest(app.index.as_bytes())[..16])
    );
    respond(
        "index.html",
        app.index.clone().into_bytes(),
        &etag,
        "no-cache",
        &headers,
    )
}

async fn script(Path(path): Path<String>, headers: HeaderMap) -> Response {
    asset(&format!("js/{path}"), headers).await
}

async fn style(Path(path): Path<String>, headers: HeaderMap) -> Response {
    asset(&format!("css/{path}"), headers).await
}

/// `GET /v/<version>/<path>`: immutable when `version` is the app's, `no-cache` otherwise.
async fn versioned(Path((version, path)): Path<(String, String)>, headers: HeaderMap) -> Response {
    if path == "index.html" {
        return index(headers).await;
    }
    let cache = if version == app().version {
        IMMUTABLE
    } else {
        "no-cache"
    };
    serve(&path, cache, &headers)
}

async fn asset(path: &str, headers: HeaderMap) -> Response {
    serve(path, "no-cache", &headers)
}

fn serve(path: &str, cache: &'static str, headers: &HeaderMap) -> Response {
    let Some(file) = Assets::get(path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    // Weak: the same tag names the file whatever encoding the compression layer gives it.
    let etag = format!("W/\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    respond(path, file.data.into_owned(), &etag, cache, headers)
}

fn respond(
    path: &str,
    body: Vec<u8>,
    etag: &str,
    cache: &'static str,
    headers: &HeaderMap,
) -> Response {
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| same_tag(tag, etag)));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, body).into_response()
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(value) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, value);
    }
    response
}

/// Whether two entity tags match by the weak comparison of `If-None-Match` (RFC 9110 8.8.3.2).
fn same_tag(a: &str, b: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    a.trim() == "*" || opaque(a) == opaque(b)
}

/// The content type of an embedded file, by its extension.
fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_is_embedded_and_its_tests_are_not() {
        assert!(Assets::get("index.html").is_some());
        assert!(Assets::get("app.css").is_some());
        assert!(Assets::get("registry.css").is_some());
        assert!(Assets::get("js/main.js").is_some());
        assert!(Assets::get("js/locales/ar.js").is_some());
        assert!(Assets::get("js/locales/chair-ar.js").is_some());
        assert!(Assets::get("css/chair.css").is_some());
        assert!(Assets::iter().all(|p| !p.starts_with("tests/")));
        assert!(Assets::iter().all(|p| !p.contains("node_modules")));
    }

    #[test]
    fn static_imports_are_read_from_statements_not_from_dynamic_imports_or_comments() {
        let source = "/**\n * Uses {import('./typed.js').T} in a comment.\n * import x from './in-comment.js';\n */\n\
            import { a } from './a.js';\n\
            import b from \"../b.js\";\n\
            import {\n  c,\n  d,\n} from './views/cd.js';\n\
            import './side-effect.js';\n\
            import * as all from './all.js';\n\
            export { e } from './e.js';\n\
            export * from './star.js';\n\
            export function f() { return import('./lazy.js'); }\n\
            export const url = import.meta.url;\n\
            const g = await import(`./locales/${code}.js`);\n";
        assert_eq!(
            static_imports(source),
            [
                "./a.js",
                "../b.js",
                "./views/cd.js",
                "./side-effect.js",
                "./all.js",
                "./e.js",
                "./star.js"
            ]
        );
        assert_eq!(
            resolve("js/views/room.js", "../dom.js").as_deref(),
            Some("js/dom.js")
        );
        assert_eq!(
            resolve("js/main.js", "./views/room.js").as_deref(),
            Some("js/views/room.js")
        );
        assert_eq!(resolve("js/main.js", "../../x.js"), None);
        assert_eq!(resolve("js/main.js", "lit"), None);
    }

    /// Every embedded module's static imports, as the browser would follow them: here with
    /// a deliberately plain reader (every `from '…'` and bare `import '…'`), independent of
    /// [`static_imports`].
    fn closure_by_plain_reading() -> BTreeSet<String> {
        let text = |p: &str| String::from_utf8(Assets::get(p).unwrap().data.into_owned()).unwrap();
        let mut seen = BTreeSet::from([ENTRY.to_owned()]);
        let mut todo = vec![ENTRY.to_owned()];
        while let Some(module) = todo.pop() {
            let source = text(&module);
            let code: String = source
                .lines()
                .filter(|l| {
                    !l.trim_start().starts_with('*')
                        && !l.trim_start().starts_with("/*")
                        && !l.trim_start().starts_with("//")
                })
                .collect::<Vec<_>>()
                .join("\n");
            for piece in code
                .split(" from ")
                .skip(1)
                .chain(code.split("\nimport '").skip(1))
            {
                let piece = piece.trim_start_matches(['\'', '"']);
                let spec: String = piece
                    .chars()
                    .take_while(|c| *c != '\'' && *c != '"')
                    .collect();
                if let Some(path) = resolve(&module, &spec)
                    && seen.insert(path.clone())
                {
                    todo.push(path);
                }
            }
        }
        seen
    }

    #[test]
    fn the_index_preloads_exactly_the_static_import_closure_of_main() {
        let app = App::build();
        let preloaded: BTreeSet<String> = app.preload.iter().cloned().collect();
        assert_eq!(preloaded.len(), app.preload.len(), "no module twice");
        let mut expected = closure_by_plain_reading();
        expected.remove(ENTRY);
        assert_eq!(preloaded, expected);
        // The first-load views and their helpers are in; what is opened on demand is not.
        for module in [
            "js/i18n.js",
            "js/views/room.js",
            "js/views/rooms.js",
            "js/views/signin.js",
            "js/dom.js",
        ] {
            assert!(preloaded.contains(module), "{module} is preloaded");
        }
        for module in [
            "js/views/chair.js",
            "js/views/projector.js",
            "js/views/search.js",
            "js/views/room-form.js",
            "js/locales/fr.js",
        ] {
            assert!(Assets::get(module).is_some(), "{module} exists");
            assert!(
                !preloaded.contains(module),
                "{module} is loaded on demand, not preloaded"
            );
        }
        // Every preloaded module exists and is linked from the index page, inside the prefix.
        let prefix = app.prefix();
        for module in &app.preload {
            assert!(Assets::get(module).is_some(), "{module}");
            let link = format!("<link rel=\"modulepreload\" href=\"{prefix}{module}\">");
            assert!(app.index.contains(&link), "{link}");
        }
        assert!(app.index.contains(&format!(
            "<script type=\"module\" src=\"{prefix}js/main.js\">"
        )));
        assert!(app.index.contains(&format!("href=\"{prefix}app.css\"")));
        let script = app.index.find("<script type=\"module\"").unwrap();
        assert!(
            app.index.rfind("modulepreload").unwrap() < script,
            "preloads come before the entry"
        );
    }

    #[test]
    fn the_version_is_a_hash_of_the_content() {
        let app = App::build();
        assert_eq!(app.version.len(), 16);
        assert!(app.version.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(
            App::build().version,
            app.version,
            "the same files give the same version"
        );
        assert_eq!(app.prefix(), format!("/v/{}/", app.version));
    }

    #[test]
    fn entity_tags_match_weakly() {
        assert!(same_tag("W/\"ab\"", "W/\"ab\""));
        assert!(same_tag(" \"ab\"", "W/\"ab\""));
        assert!(same_tag("*", "W/\"ab\""));
        assert!(!same_tag("W/\"ac\"", "W/\"ab\""));
    }

    #[tokio::test]
    async fn prefixed_files_are_immutable_and_the_rest_revalidates() {
        let app = app();
        let header_of = |r: &Response, name: header::HeaderName| {
            r.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let current = versioned(
            Path((app.version.clone(), "js/main.js".into())),
            HeaderMap::new(),
        )
        .await;
        assert_eq!(current.status(), StatusCode::OK);
        assert_eq!(
            header_of(&current, header::CACHE_CONTROL).as_deref(),
            Some(IMMUTABLE)
        );
        let old = versioned(
            Path(("0123456789abcdef".into(), "js/main.js".into())),
            HeaderMap::new(),
        )
        .await;
        assert_eq!(old.status(), StatusCode::OK);
        assert_eq!(
            header_of(&old, header::CACHE_CONTROL).as_deref(),
            Some("no-cache")
        );
        let missing = versioned(
            Path((app.version.clone(), "js/nothing.js".into())),
            HeaderMap::new(),
        )
        .await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let plain = asset("js/main.js", HeaderMap::new()).await;
        assert_eq!(
            header_of(&plain, header::CACHE_CONTROL).as_deref(),
            Some("no-cache")
        );
        let etag = header_of(&plain, header::ETAG).unwrap();
        let mut revisit = HeaderMap::new();
        revisit.insert(header::IF_NONE_MATCH, HeaderValue::from_str(&etag).unwrap());
        assert_eq!(
            asset("js/main.js", revisit).await.status(),
            StatusCode::NOT_MODIFIED
        );
        let page = index(HeaderMap::new()).await;
        assert_eq!(
            header_of(&page, header::CACHE_CONTROL).as_deref(),
            Some("no-cache")
        );
        assert!(header_of(&page, header::ETAG).is_some());
    }

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(content_type("js/main.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("app.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
    }
}
