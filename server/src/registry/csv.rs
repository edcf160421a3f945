//! The secretariat's list of sign-in invitations as CSV (`GET /api/registry/invitations.csv`):
//! one line per invitation with the person, their organisation, role and forum, and when the
//! link was issued, expires, was used or revoked, for sending or following up by other means.
//! The links themselves are never stored, so they are not in it. Who may read it is
//! [`super::access::may_read_record`]'s rule (the secretariat: it holds names and addresses).

use super::service::format_time;
use super::state::RegistryState;
use baraza_proto::registry::PersonRole;

/// The header line's columns, in order.
pub const COLUMNS: [&str; 11] = [
    "invitation",
    "person",
    "name",
    "email",
    "organisation",
    "role",
    "forum",
    "issued_at",
    "expires_at",
    "used_at",
    "revoked",
];

/// The invitations of `state`, oldest first, as CSV (RFC 4180: CRLF line ends, fields with a
/// comma, quote or line break quoted). A field that a spreadsheet would read as a formula
/// (starting with `=`, `+`, `-` or `@`: names come from a public form) is prefixed with `'`.
pub fn invitations_csv(state: &RegistryState) -> String {
    let mut out = line(COLUMNS.iter().map(|c| c.to_string()));
    for invitation in state.invitations() {
        let person = state.person(invitation.person);
        let org = person.and_then(|p| state.organisation(p.org));
        let forum = person
            .and_then(|p| p.forum.as_ref())
            .map(|f| {
                state
                    .forum(f)
                    .map_or(f.to_string(), |f| f.spec.title.clone())
            })
            .unwrap_or_default();
        let role = match person.map(|p| p.role) {
            Some(PersonRole::FocalPoint) => "focal_point",
            Some(PersonRole::Representative) => "representative",
            None => "",
        };
        out.push_str(&line([
            invitation.id.to_string(),
            invitation.person.to_string(),
            person.map(|p| p.contact.name.clone()).unwrap_or_default(),
            person.map(|p| p.contact.email.clone()).unwrap_or_default(),
            org.map(|o| o.details.name.clone()).unwrap_or_default(),
            role.to_owned(),
            forum,
            format_time(invitation.issued_at),
            format_time(invitation.expires_at),
            invitation.used_at.map(format_time).unwrap_or_default(),
            invitation.revoked.clone().unwrap_or_default(),
        ]));
    }
    out
}

fn line(fields: impl IntoIterator<Item = String>) -> String {
    let mut out = fields.into_iter().map(cell).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

fn cell(text: String) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("Achieng Otieno".into()), "Achieng Otieno");
        assert_eq!(cell("Otieno, Achieng".into()), "\"Otieno, Achieng\"");
        assert_eq!(cell("The \"Network\"".into()), "\"The \"\"Network\"\"\"");
        assert_eq!(cell("two\nlines".into()), "\"two\nlines\"");
        assert_eq!(
            cell("=HYPERLINK(\"http://x\")".into()),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(cell("@SUM(A1)".into()), "'@SUM(A1)");
    }
}
