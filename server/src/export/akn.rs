//! `akn`: the record as an Akoma Ntoso 3.0 `debate` (OASIS LegalDocML), written with an XML
//! writer: `debateSection` per agenda item (or question), `speech by="#…"` per turn or
//! statement, `pointOfOrder` sections with the chair's ruling, `question`/`answer` for a
//! consultation's questions and submissions, `references` with `TLCPerson`,
//! `TLCOrganization` and `TLCRole`, and FRBR identifiers per room and language
//! (`/akn/un/debate/baraza/{room}/{date}`, expression `…/{iso639-2}@`).
//!
//! The output validates against the official schema (`akomantoso30.xsd`); a test checks it.

use super::model::*;
use super::text;
use baraza_proto::roundtable::RequestKind;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use std::collections::BTreeMap;

/// The Akoma Ntoso 3.0 namespace.
pub const NAMESPACE: &str = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0";

/// An XML document being written to memory (writing to a `Vec` cannot fail).
struct Xml {
    w: Writer<Vec<u8>>,
}

impl Xml {
    fn event(&mut self, e: Event<'_>) {
        self.w
            .write_event(e)
            .expect("writing XML to memory does not fail");
    }

    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.event(Event::Start(
            BytesStart::new(name).with_attributes(attrs.iter().copied()),
        ));
    }

    fn end(&mut self, name: &str) {
        self.event(Event::End(BytesEnd::new(name)));
    }

    fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.event(Event::Empty(
            BytesStart::new(name).with_attributes(attrs.iter().copied()),
        ));
    }

    fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start(name, attrs);
        self.event(Event::Text(BytesText::new(text)));
        self.end(name);
    }

    /// One `<p>` per line of `text` (at least one).
    fn paragraphs(&mut self, text: &str) {
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() {
            self.text("p", &[], "");
        }
        for line in lines {
            self.text("p", &[], line);
        }
    }
}

/// The references of the document: an eId for every person, organisation and role.
struct Refs {
    person: BTreeMap<String, String>,
    org: BTreeMap<String, String>,
}

impl Refs {
    fn new(export: &Export) -> Refs {
        let mut person = BTreeMap::new();
        let mut org = BTreeMap::new();
        for (i, p) in export.people.iter().enumerate() {
            person.insert(p.user.to_string(), format!("person-{}", i + 1));
            if let Some(o) = &p.org {
                let n = org.len() + 1;
                org.entry(o.clone()).or_insert_with(|| format!("org-{n}"));
            }
        }
        Refs { person, org }
    }

    fn by(&self, user: &str) -> String {
        format!(
            "#{}",
            self.person
                .get(user)
                .map_or("unknown-speaker", String::as_str)
        )
    }
}

/// Renders the document as Akoma Ntoso 3.0 XML.
pub fn render(export: &Export) -> String {
    let mut x = Xml {
        w: Writer::new_with_indent(Vec::new(), b' ', 1),
    };
    let refs = Refs::new(export);
    let l = export.lang.labels();
    let date = text::date(export.from);
    let work = format!("/akn/un/debate/baraza/{}/{date}", export.room);
    let expression = format!("{work}/{}@", export.lang.iso639_2());
    let generated = text::date(export.to);
    x.event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    x.start("akomaNtoso", &[("xmlns", NAMESPACE)]);
    x.start("debate", &[("name", "summaryRecord")]);
    x.start("meta", &[]);
    x.start("identification", &[("source", "#baraza")]);
    x.start("FRBRWork", &[]);
    x.empty("FRBRthis", &[("value", &format!("{work}/!main"))]);
    x.empty("FRBRuri", &[("value", &work)]);
    x.empty("FRBRdate", &[("date", &date), ("name", "meeting")]);
    x.empty("FRBRauthor", &[("href", "#secretariat")]);
    x.empty("FRBRcountry", &[("value", "un")]);
    x.empty("FRBRnumber", &[("value", export.room.as_str())]);
    x.empty("FRBRname", &[("value", &export.title)]);
    x.end("FRBRWork");
    x.start("FRBRExpression", &[]);
    x.empty("FRBRthis", &[("value", &format!("{expression}/!main"))]);
    x.empty("FRBRuri", &[("value", &expression)]);
    x.empty("FRBRdate", &[("date", &generated), ("name", "record")]);
    x.empty("FRBRauthor", &[("href", "#baraza")]);
    x.empty("FRBRlanguage", &[("language", export.lang.iso639_2())]);
    x.end("FRBRExpression");
    x.start("FRBRManifestation", &[]);
    x.empty("FRBRthis", &[("value", &format!("{expression}/!main.xml"))]);
    x.empty("FRBRuri", &[("value", &format!("{expression}.akn"))]);
    x.empty(
        "FRBRdate",
        &[
            ("date", &generated),
            ("name", &format!("seq-{}", export.head.seq)),
        ],
    );
    x.empty("FRBRauthor", &[("href", "#baraza")]);
    x.end("FRBRManifestation");
    x.end("identification");
    x.start("references", &[("source", "#baraza")]);
    x.empty(
        "TLCOrganization",
        &[
            ("eId", "baraza"),
            ("href", "/ontology/organization/baraza"),
            ("showAs", "Baraza"),
        ],
    );
    x.empty(
        "TLCOrganization",
        &[
            ("eId", "secretariat"),
            ("href", "/ontology/organization/baraza/secretariat"),
            ("showAs", "Secretariat"),
        ],
    );
    for (name, id) in &refs.org {
        x.empty(
            "TLCOrganization",
            &[
                ("eId", id),
                ("href", &format!("/ontology/organization/baraza/{id}")),
                ("showAs", name),
            ],
        );
    }
    for p in &export.people {
        let id = &refs.person[p.user.as_str()];
        x.empty(
            "TLCPerson",
            &[
                ("eId", id),
                ("href", &format!("/ontology/person/baraza/{id}")),
                ("showAs", &p.name),
            ],
        );
    }
    x.empty(
        "TLCRole",
        &[
            ("eId", "chair"),
            ("href", "/ontology/role/baraza/chair"),
            ("showAs", l.chair),
        ],
    );
    x.empty(
        "TLCRole",
        &[
            ("eId", "speaker"),
            ("href", "/ontology/role/baraza/speaker"),
            ("showAs", l.statement),
        ],
    );
    x.end("references");
    x.end("meta");

    x.start("preface", &[]);
    x.start("p", &[]);
    x.text("docTitle", &[], &export.title);
    x.end("p");
    x.start("p", &[]);
    x.text("docDate", &[("date", &date)], &text::date_time(export.from));
    x.end("p");
    x.text(
        "p",
        &[],
        &format!("{}: {}", l.forum, text::scope(&export.scope, export.lang)),
    );
    if !export.chairs.is_empty() {
        x.text("p", &[], &format!("{}: {}", l.chair, text::chairs(export)));
    }
    let audience = match export.audience {
        Audience::Full => l.full_record,
        Audience::Public => l.public_record,
    };
    x.text("p", &[], audience);
    x.end("preface");

    x.start("debateBody", &[]);
    let mut sections = 0;
    for (n, item) in export.agenda.iter().enumerate() {
        sections += 1;
        let eid = format!("dbsect_{}", n + 1);
        x.start("debateSection", &[("eId", &eid), ("name", "agendaItem")]);
        x.text("num", &[], &(n + 1).to_string());
        x.text("heading", &[], &item.title);
        for t in &item.turns {
            turn(&mut x, export, &refs, t, &eid);
        }
        for s in &item.statements {
            speech(&mut x, export, &refs, s, "speech");
        }
        x.end("debateSection");
    }
    if let Some(c) = &export.consultation {
        for q in &c.questions {
            sections += 1;
            let eid = format!("dbsect_q{}", q.id);
            x.start("debateSection", &[("eId", &eid), ("name", "question")]);
            x.text("heading", &[], &q.text);
            x.start("question", &[("by", "#secretariat")]);
            x.paragraphs(&q.text);
            x.end("question");
            for s in &q.published {
                speech(&mut x, export, &refs, s, "answer");
            }
            if !q.withheld.is_empty() {
                x.start(
                    "debateSection",
                    &[
                        ("eId", &format!("{eid}_withheld")),
                        ("name", "notPublished"),
                    ],
                );
                x.text("heading", &[], l.withheld);
                for s in &q.withheld {
                    speech(&mut x, export, &refs, s, "answer");
                }
                x.end("debateSection");
            }
            x.end("debateSection");
        }
        if let Some(syn) = &c.synthesis {
            sections += 1;
            x.start(
                "debateSection",
                &[("eId", "dbsect_synthesis"), ("name", "synthesis")],
            );
            x.text("heading", &[], l.synthesis);
            x.start("speech", &[("by", &refs.by(syn.by.as_str()))]);
            x.text("from", &[], &export.name(&syn.by));
            x.paragraphs(&syn.text);
            for cit in &syn.citations {
                if let Some(id) = cit.statement.filter(|&id| export.has_statement(id)) {
                    x.start("p", &[]);
                    x.text(
                        "ref",
                        &[("href", &format!("#stmt_{id}"))],
                        &format!("#{id}"),
                    );
                    if let Some(e) = &cit.excerpt {
                        x.event(Event::Text(BytesText::new(&format!(" “{e}”"))));
                    }
                    x.end("p");
                }
            }
            x.end("speech");
            x.end("debateSection");
        }
        for input in &c.inputs {
            sections += 1;
            let i = &input.input;
            x.start(
                "debateSection",
                &[
                    ("eId", &format!("dbsect_input{}", input.id)),
                    ("name", "input"),
                ],
            );
            x.text("heading", &[], &format!("{} ({})", i.title, i.from));
            x.start("speech", &[("by", "#secretariat")]);
            x.text("from", &[], &i.title);
            x.paragraphs(&i.synthesis);
            for p in &i.points {
                let chain: Vec<&str> = p.chain.iter().map(|r| r.as_str()).collect();
                x.text(
                    "p",
                    &[],
                    &format!(
                        "{} — {} ({}: {} #{} → {})",
                        p.text,
                        p.org.as_deref().unwrap_or(p.author.as_str()),
                        l.origin,
                        p.room,
                        p.statement,
                        chain.join(" → ")
                    ),
                );
            }
            x.end("speech");
            x.end("debateSection");
        }
    }
    if !export.other_statements.is_empty() || sections == 0 {
        x.start(
            "debateSection",
            &[("eId", "dbsect_other"), ("name", "otherStatements")],
        );
        x.text("heading", &[], l.other_statements);
        for s in &export.other_statements {
            speech(&mut x, export, &refs, s, "speech");
        }
        x.end("debateSection");
    }
    if let Some(m) = &export.minutes {
        // The approved minutes: the secretariat's own speech in a section of their own, with
        // the seal (approval, hash, corrections) as its last paragraphs.
        let (approved, corrections) = super::minutes::approval(export, m, export.lang);
        x.start(
            "debateSection",
            &[("eId", "dbsect_minutes"), ("name", "minutes")],
        );
        x.text("heading", &[], l.minutes);
        x.start("speech", &[("by", &refs.by(m.approved_by.as_str()))]);
        x.text("from", &[], &export.name(&m.approved_by));
        x.paragraphs(&m.text);
        x.text("p", &[], &approved);
        x.text("p", &[], &corrections);
        x.end("speech");
        x.end("debateSection");
    }
    x.end("debateBody");
    x.start("conclusions", &[]);
    x.text(
        "p",
        &[],
        &format!(
            "{}: seq {}, SHA-256 {}",
            l.verification, export.head.seq, export.head.hash
        ),
    );
    x.text("p", &[], &text::verification(export));
    x.end("conclusions");
    x.end("debate");
    x.end("akomaNtoso");
    let mut out = String::from_utf8(x.w.into_inner()).expect("the writer writes UTF-8");
    out.push('\n');
    out
}

fn turn(x: &mut Xml, export: &Export, refs: &Refs, t: &Turn, section: &str) {
    let by = refs.by(t.speaker.as_str());
    let start = text::iso(t.started_at);
    let end = t
        .spoken_ms
        .map(|ms| text::iso(t.started_at + i64::try_from(ms).unwrap_or(0)));
    let mut attrs: Vec<(&str, &str)> = vec![("by", &by), ("as", "#speaker"), ("startTime", &start)];
    if let Some(end) = &end {
        attrs.push(("endTime", end));
    }
    let reply_to = t.reply_to.as_ref().map(|(_, who)| refs.by(who.as_str()));
    if let Some(to) = &reply_to {
        attrs.push(("to", to));
    }
    let eid = format!("{section}__turn_{}", t.id);
    if t.kind == RequestKind::PointOfOrder {
        x.start("pointOfOrder", &[("eId", &eid)]);
        x.text("heading", &[], export.lang.labels().point_of_order);
    }
    x.start("speech", &attrs);
    x.text("from", &[], &export.name(&t.speaker));
    if let Some(reason) = &t.out_of_order {
        x.start("p", &[]);
        x.text(
            "i",
            &[],
            &format!("{}: {reason}", export.lang.labels().out_of_order),
        );
        x.end("p");
    }
    if t.statements.is_empty() {
        let l = export.lang.labels();
        let spoke = t.spoken_ms.map(text::duration).unwrap_or_default();
        x.start("p", &[]);
        x.text(
            "i",
            &[],
            &format!("{} {} {}", text::kind(t.kind, l), l.spoke, spoke),
        );
        x.end("p");
    }
    for s in &t.statements {
        statement_body(x, s);
    }
    x.end("speech");
    if t.kind == RequestKind::PointOfOrder {
        if let Some(r) = &t.ruling {
            let by = refs.by(r.by.as_str());
            let at = text::iso(r.at);
            x.start(
                "speech",
                &[("by", &by), ("as", "#chair"), ("startTime", &at)],
            );
            x.text(
                "from",
                &[],
                &format!("{} ({})", export.name(&r.by), export.lang.labels().ruling),
            );
            x.paragraphs(&r.text);
            x.end("speech");
        }
        x.end("pointOfOrder");
    }
}

fn statement_body(x: &mut Xml, s: &Statement) {
    let id = format!("stmt_{}", s.id);
    let class = match s.status {
        Status::Published => "published",
        Status::Held => "held",
        Status::Rejected => "rejected",
        Status::Hidden => "hidden",
    };
    let mut lines: Vec<&str> = s
        .text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        lines.push("");
    }
    for (n, line) in lines.iter().enumerate() {
        let eid = if n == 0 {
            id.clone()
        } else {
            format!("{id}_{n}")
        };
        let mut attrs = vec![("eId", eid.as_str()), ("xml:lang", s.lang.as_str())];
        if s.status != Status::Published {
            attrs.push(("class", class));
        }
        x.text("p", &attrs, line);
    }
}

fn speech(x: &mut Xml, export: &Export, refs: &Refs, s: &Statement, element: &str) {
    let by = refs.by(s.author.as_str());
    let start = text::iso(s.posted_at);
    let parent = s.parent.and_then(|p| {
        export
            .statements()
            .into_iter()
            .find(|o| o.id == p)
            .map(|o| refs.by(o.author.as_str()))
    });
    let mut attrs: Vec<(&str, &str)> = vec![("by", &by), ("startTime", &start)];
    if let Some(to) = &parent {
        attrs.push(("to", to));
    }
    x.start(element, &attrs);
    match &s.joint {
        // On a caucus's behalf: `from` names the caucus; the link to its record follows.
        Some(j) => {
            x.text("from", &[], &text::joint_heading(j, export.lang));
            x.start("p", &[("class", "joint")]);
            x.text("i", &[], &text::joint_line(j, export.lang));
            x.end("p");
        }
        None => x.text("from", &[], &export.name(&s.author)),
    }
    if s.status != Status::Published {
        let l = export.lang.labels();
        let reason = s
            .status_reason
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        x.start("p", &[]);
        x.text("b", &[], &format!("{}{reason}", text::status(s.status, l)));
        x.end("p");
    }
    if let Some(a) = s.alignment {
        x.start("p", &[]);
        x.text("i", &[], text::alignment(a, export.lang.labels()));
        x.end("p");
    }
    statement_body(x, s);
    x.end(element);
    for r in &s.replies {
        speech(x, export, refs, r, "speech");
    }
}
