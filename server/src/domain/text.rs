//! The rules for text people give the server, in one place: **names** (display names and
//! organisations from tokens, room and agenda item titles) and **prose** (statements, replies,
//! questions, syntheses, edits, reasons, descriptions, excerpts).
//!
//! A record is read in six languages and both writing directions, so text must not be able to
//! pass for other text:
//!
//! - Every text is normalised to **NFC**, so the same words are the same characters in the
//!   record (and an excerpt matches the statement it quotes).
//! - **Names** refuse control characters (C0, DEL, C1: NUL, ESC of ANSI escapes, tabs and line
//!   breaks alike), every bidi embedding, override and isolate control (U+202A–U+202E,
//!   U+2066–U+2069), line and paragraph separators, and every other format character except
//!   ZWNJ and ZWJ (which Persian, Indic scripts and emoji need). A name must keep at least one
//!   visible character (a letter, digit, punctuation or symbol), so a zero-width-only name is
//!   empty. Names are trimmed.
//! - **Prose** refuses control characters except `\n` and `\t`; `\r\n` and a lone `\r` become
//!   `\n`. Bidi controls are **neutralised** rather than refused, because mixed Arabic and Latin
//!   prose uses them legitimately: on every line, each embedding, override or isolate is kept
//!   only if it is properly nested; a closer with no opener is removed, and an opener still open
//!   at the end of the line (or of the text) is closed there. So a statement's bidi controls
//!   cannot reorder anything after the line they stand on, in any view or export that puts the
//!   statement next to other text. Nesting deeper than [`MAX_BIDI_DEPTH`] is dropped.
//!
//! The cleaning functions are idempotent: cleaning clean text changes nothing.

use super::Rejection;
use baraza_proto::command::RoomCommand;
use baraza_proto::room::RoomSettings;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

/// How deeply bidi embeddings and isolates may nest in prose; deeper ones are dropped.
pub const MAX_BIDI_DEPTH: usize = 16;

/// Why a text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Nothing visible is left (it was empty, blank, or only invisible characters).
    #[error("the {what} is empty (or holds only invisible characters)")]
    Empty {
        /// Which text.
        what: &'static str,
    },
    /// Longer than its limit (in characters, after normalisation).
    #[error("the {what} has {chars} characters; the limit is {max}")]
    TooLong {
        /// Which text.
        what: &'static str,
        /// How many characters it has.
        chars: usize,
        /// Its limit.
        max: usize,
    },
    /// It holds a character this kind of text may not hold.
    #[error("the {what} contains {kind} (U+{code:04X}), which is not allowed", code = u32::from(*found))]
    Forbidden {
        /// Which text.
        what: &'static str,
        /// The character.
        found: char,
        /// What kind of character it is, in words.
        kind: &'static str,
    },
}

impl From<TextError> for Rejection {
    fn from(error: TextError) -> Rejection {
        Rejection::Invalid(error.to_string())
    }
}

/// A name (display name, organisation, title): trimmed, NFC, and free of control, bidi and
/// other format characters (ZWNJ and ZWJ excepted). Does not check emptiness or length; see
/// [`check_length`] and [`name`].
pub fn clean_name(what: &'static str, text: &str) -> Result<String, TextError> {
    let text = nfc(text.trim());
    if let Some((found, kind)) = text
        .chars()
        .find_map(|c| forbidden_in_name(c).map(|k| (c, k)))
    {
        return Err(TextError::Forbidden { what, found, kind });
    }
    Ok(text)
}

/// A complete name check: [`clean_name`], then at least one visible character and at most
/// `max` characters.
pub fn name(what: &'static str, text: &str, max: usize) -> Result<String, TextError> {
    let name = clean_name(what, text)?;
    check_length(what, &name, 1, max)?;
    Ok(name)
}

/// Prose (a statement, question, synthesis, reason …): NFC, line ends as `\n`, no control
/// characters but `\n` and `\t`, bidi controls balanced on each line (see the module's text).
/// Does not check emptiness or length; see [`check_length`].
pub fn clean_prose(what: &'static str, text: &str) -> Result<String, TextError> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if let Some(found) = text
        .chars()
        .find(|&c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(TextError::Forbidden {
            what,
            found,
            kind: "a control character",
        });
    }
    // Bidi controls are starters that never compose, so normalising after balancing keeps the
    // balance (and composes what a removed control had kept apart).
    Ok(nfc(&balance_bidi(&text)))
}

/// Refuses text without a visible character (when `min` > 0) or longer than `max` characters.
pub fn check_length(
    what: &'static str,
    text: &str,
    min: usize,
    max: usize,
) -> Result<(), TextError> {
    if min > 0 && !text.chars().any(is_visible) {
        return Err(TextError::Empty { what });
    }
    let chars = text.chars().count();
    if chars > max {
        return Err(TextError::TooLong { what, chars, max });
    }
    Ok(())
}

/// [`check_length`] as the deciders use it.
pub(crate) fn check_text(
    what: &'static str,
    text: &str,
    min: usize,
    max: usize,
) -> Result<(), Rejection> {
    check_length(what, text, min, max).map_err(Rejection::from)
}

/// A room's settings with their title cleaned as a name and their description as prose.
pub fn clean_settings(settings: &RoomSettings) -> Result<RoomSettings, TextError> {
    let mut settings = settings.clone();
    settings.title = clean_name("title", &settings.title)?;
    settings.description = clean_prose("description", &settings.description)?;
    Ok(settings)
}

/// A client's command with every text in it cleaned by its kind (titles as names, the rest as
/// prose). Commands without text come back unchanged.
pub fn clean_command(command: &RoomCommand) -> Result<RoomCommand, TextError> {
    let mut command = command.clone();
    match &mut command {
        RoomCommand::PostStatement { text, .. } => *text = clean_prose("statement", text)?,
        RoomCommand::EditStatement { text, .. } => *text = clean_prose("statement", text)?,
        RoomCommand::AddQuestion { text } | RoomCommand::EditQuestion { text, .. } => {
            *text = clean_prose("question", text)?
        }
        RoomCommand::UpdateRoom {
            title, description, ..
        } => {
            *title = clean_name("title", title)?;
            *description = clean_prose("description", description)?;
        }
        RoomCommand::HideStatement { reason, .. }
        | RoomCommand::RedactStatement { reason, .. }
        | RoomCommand::RejectStatement { reason, .. }
        | RoomCommand::ReportStatement { reason, .. } => *reason = clean_prose("reason", reason)?,
        RoomCommand::MuteParticipant(sanction) | RoomCommand::ExpelParticipant(sanction) => {
            sanction.reason = clean_prose("reason", &sanction.reason)?;
        }
        RoomCommand::RemoveRequest(remove) => {
            remove.reason = clean_prose("reason", &remove.reason)?;
        }
        RoomCommand::GrantFloor(grant) => {
            if let Some(reason) = &mut grant.reason {
                *reason = clean_prose("reason", reason)?;
            }
        }
        RoomCommand::AddAgendaItem(item) => item.title = clean_name("title", &item.title)?,
        RoomCommand::RulePointOfOrder(rule) => rule.ruling = clean_prose("ruling", &rule.ruling)?,
        RoomCommand::DraftSynthesis { text, citations } => {
            *text = clean_prose("synthesis", text)?;
            for citation in citations {
                if let Some(excerpt) = &mut citation.excerpt {
                    *excerpt = clean_prose("excerpt", excerpt)?;
                }
            }
        }
        RoomCommand::NamePartner(named) | RoomCommand::RemovePartner(named) => {
            named.org = clean_name("organisation", &named.org)?;
            named.reason = clean_prose("reason", &named.reason)?;
        }
        RoomCommand::OpenElection(open) => {
            for org in &mut open.candidates {
                *org = clean_name("organisation", org)?;
            }
        }
        RoomCommand::CastVote(vote) => {
            for org in &mut vote.choices {
                *org = clean_name("organisation", org)?;
            }
        }
        RoomCommand::DraftJointStatement(draft) => {
            draft.text = clean_prose("statement", &draft.text)?;
        }
        RoomCommand::EditJointStatement(edit) => {
            edit.text = clean_prose("statement", &edit.text)?;
        }
        RoomCommand::DraftMinutes { text, .. } => *text = clean_prose("minutes", text)?,
        RoomCommand::ProposeMinutesCorrection {
            passage,
            replacement,
            ..
        } => {
            *passage = clean_prose("passage", passage)?;
            *replacement = clean_prose("replacement", replacement)?;
        }
        RoomCommand::DecideMinutesCorrection { reason, .. } => {
            *reason = clean_prose("reason", reason)?
        }
        RoomCommand::CirculateMinutes { .. }
        | RoomCommand::ApproveMinutes
        | RoomCommand::ConfigureRoundtable(_)
        | RoomCommand::CloseElection(_)
        | RoomCommand::EndorseJointStatement(_)
        | RoomCommand::AdoptJointStatement(_)
        | RoomCommand::ResendJointStatement(_)
        | RoomCommand::OpenAgendaItem(_)
        | RoomCommand::CloseAgendaItem(_)
        | RoomCommand::ReorderAgenda(_)
        | RoomCommand::SetSpeakingPolicy(_)
        | RoomCommand::SetTimeBudget(_)
        | RoomCommand::RequestFloor(_)
        | RoomCommand::WithdrawRequest(_)
        | RoomCommand::CloseSpeakingList
        | RoomCommand::ReopenSpeakingList
        | RoomCommand::RevokeFloor
        | RoomCommand::ExtendFloor(_)
        | RoomCommand::PauseFloor
        | RoomCommand::ResumeFloor
        | RoomCommand::YieldFloor
        | RoomCommand::UnmuteParticipant(_)
        | RoomCommand::ReadmitParticipant(_)
        | RoomCommand::SetPhase { .. }
        | RoomCommand::SetModeration { .. }
        | RoomCommand::SetPhaseDeadline { .. }
        | RoomCommand::ClearPhaseDeadline { .. }
        | RoomCommand::SetParent { .. }
        | RoomCommand::AppointRapporteur { .. }
        | RoomCommand::DismissRapporteur { .. }
        | RoomCommand::WithdrawQuestion { .. }
        | RoomCommand::DismissReport { .. }
        | RoomCommand::RestoreStatement { .. }
        | RoomCommand::ApproveStatement { .. }
        | RoomCommand::ArchiveRoom => {}
    }
    Ok(command)
}

/// Whether `c` shows something: a letter, digit, punctuation or symbol that is not one of the
/// blank "filler" characters (Hangul fillers, the blank Braille pattern).
pub fn is_visible(c: char) -> bool {
    const BLANK_FILLERS: [char; 5] = ['\u{115F}', '\u{1160}', '\u{3164}', '\u{FFA0}', '\u{2800}'];
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter
            | GeneralCategoryGroup::Number
            | GeneralCategoryGroup::Punctuation
            | GeneralCategoryGroup::Symbol
    ) && !BLANK_FILLERS.contains(&c)
}

/// The bidi controls that open an embedding or override (closed by PDF, U+202C).
const EMBEDDINGS: [char; 4] = ['\u{202A}', '\u{202B}', '\u{202D}', '\u{202E}'];
/// Pop directional formatting.
const PDF: char = '\u{202C}';
/// The bidi controls that open an isolate (closed by PDI, U+2069).
const ISOLATES: [char; 3] = ['\u{2066}', '\u{2067}', '\u{2068}'];
/// Pop directional isolate.
const PDI: char = '\u{2069}';

/// Whether `c` is a bidi embedding, override or isolate control (U+202A–U+202E, U+2066–U+2069).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// What makes `c` unfit for a name, if anything.
fn forbidden_in_name(c: char) -> Option<&'static str> {
    if c.is_control() {
        return Some("a control character");
    }
    if is_bidi_control(c) {
        return Some("a bidi control character");
    }
    match c.general_category() {
        GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator => {
            Some("a line break")
        }
        GeneralCategory::Format if c != '\u{200C}' && c != '\u{200D}' => {
            Some("an invisible format character")
        }
        _ => None,
    }
}

fn nfc(text: &str) -> String {
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => text.to_owned(),
        IsNormalized::No | IsNormalized::Maybe => text.nfc().collect(),
    }
}

/// Keeps the properly nested bidi controls of each line, drops closers without an opener and
/// openers nested deeper than [`MAX_BIDI_DEPTH`], and closes what is still open at the end of
/// each line (a line ends at `\n` or U+2029, where the bidi algorithm ends a paragraph).
fn balance_bidi(text: &str) -> String {
    if !text.chars().any(is_bidi_control) {
        return text.to_owned();
    }
    /// An open embedding (or override) or isolate, and whether its opener was kept.
    #[derive(Clone, Copy, PartialEq)]
    enum Open {
        Embedding { kept: bool },
        Isolate { kept: bool },
    }
    fn close(open: Open, out: &mut String) {
        match open {
            Open::Embedding { kept: true } => out.push(PDF),
            Open::Isolate { kept: true } => out.push(PDI),
            _ => {}
        }
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut stack: Vec<Open> = Vec::new();
    let mut kept_depth = 0;
    for c in text.chars() {
        if EMBEDDINGS.contains(&c) || ISOLATES.contains(&c) {
            let kept = kept_depth < MAX_BIDI_DEPTH;
            if kept {
                kept_depth += 1;
                out.push(c);
            }
            stack.push(if EMBEDDINGS.contains(&c) {
                Open::Embedding { kept }
            } else {
                Open::Isolate { kept }
            });
        } else if c == PDF {
            // As in the bidi algorithm, PDF closes an embedding, never an isolate.
            if let Some(&top @ Open::Embedding { kept }) = stack.last() {
                stack.pop();
                kept_depth -= usize::from(kept);
                close(top, &mut out);
            }
        } else if c == PDI {
            // PDI closes the innermost isolate and every embedding opened inside it.
            if stack.iter().any(|o| matches!(o, Open::Isolate { .. })) {
                while let Some(open) = stack.pop() {
                    kept_depth -= usize::from(matches!(
                        open,
                        Open::Embedding { kept: true } | Open::Isolate { kept: true }
                    ));
                    close(open, &mut out);
                    if matches!(open, Open::Isolate { .. }) {
                        break;
                    }
                }
            }
        } else if c == '\n' || c == '\u{2029}' {
            while let Some(open) = stack.pop() {
                close(open, &mut out);
            }
            kept_depth = 0;
            out.push(c);
        } else {
            out.push(c);
        }
    }
    while let Some(open) = stack.pop() {
        close(open, &mut out);
    }
    out
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
