//! Who may oversee mail: the node-wide rule for the secretariat's mail desk (the outbox, the
//! inbox log with the text stripped from mails, running digests). The mail HTTP handlers ask
//! [`may_oversee`]; they never test a role themselves.

use baraza_proto::identity::{Profile, Role};

/// A part of the mail desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailDesk {
    /// The outbox and its figures.
    Outbox,
    /// Running the digests that are due.
    Digests,
    /// The inbox log, with the quoted text and signatures stripped from mails.
    Inbox,
}

/// Whether `profile` may use `part` of the mail desk: the secretariat all of it; moderators
/// the inbox log too, since they moderate what came by mail.
pub fn may_oversee(profile: &Profile, part: MailDesk) -> bool {
    match part {
        MailDesk::Outbox | MailDesk::Digests => profile.role == Role::Secretariat,
        MailDesk::Inbox => matches!(profile.role, Role::Secretariat | Role::Moderator),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use baraza_proto::ids::UserId;

    fn person(role: Role) -> Profile {
        Profile {
            user: UserId::new("p").unwrap(),
            name: "P".into(),
            role,
            org: None,
            constituency: None,
            country: None,
            region: None,
        }
    }

    #[test]
    fn the_secretariat_oversees_all_mail_and_moderators_read_the_inbox_only() {
        let table: Vec<(Role, [bool; 3])> = [
            Role::Secretariat,
            Role::Moderator,
            Role::Participant,
            Role::Observer,
        ]
        .into_iter()
        .map(|role| {
            let p = person(role);
            (
                role,
                [MailDesk::Outbox, MailDesk::Digests, MailDesk::Inbox].map(|d| may_oversee(&p, d)),
            )
        })
        .collect();
        assert_eq!(
            table,
            [
                (Role::Secretariat, [true, true, true]),
                (Role::Moderator, [false, false, true]),
                (Role::Participant, [false, false, false]),
                (Role::Observer, [false, false, false]),
            ]
        );
    }
}
