//! Minutes with approval: the rapporteur's draft drawn from the record, its circulation to the
//! speakers it quotes, their corrections, the secretariat's decisions and the sealed text.
//!
//! Commands and events are listed in [`crate::command`] and [`crate::event`]; this module
//! holds the view a snapshot gives of the minutes.

use crate::ids::{LanguageTag, Millis, Seq, StatementId, UserId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where the minutes stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MinutesStatus {
    /// Being written; not yet circulated.
    Draft,
    /// Sent to the speakers quoted, who may propose corrections until `deadline`.
    Circulated,
    /// Approved by the secretariat and sealed: they no longer change.
    Approved,
}

/// How a correction was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionStatus {
    /// Waiting for the secretariat.
    Pending,
    /// Accepted: its replacement was applied to the text.
    Accepted,
    /// Declined: the text stays as it was.
    Declined,
}

/// One version of the minutes' text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MinutesVersion {
    /// The text of this version.
    pub text: String,
    /// Its language.
    pub lang: LanguageTag,
    /// Who made it (the writer, or the secretariat accepting a correction).
    pub by: UserId,
    /// When.
    pub at: Millis,
    /// The `seq` of the event that made it.
    pub seq: Seq,
    /// Set when the version is an accepted correction: the correction's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction: Option<Seq>,
}

/// A correction a quoted speaker proposed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CorrectionView {
    /// Id: the `seq` of its `minutes_correction_proposed` event.
    pub id: Seq,
    /// Who proposed it (the author of `statement`).
    pub by: UserId,
    /// The statement of theirs the passage reports.
    pub statement: StatementId,
    /// The passage of the minutes to replace (exactly as it stands in the text).
    pub passage: String,
    /// What it should say instead.
    pub replacement: String,
    /// When it was proposed.
    pub at: Millis,
    /// How it was decided.
    pub status: CorrectionStatus,
    /// The secretariat's reason, once decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who decided it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<UserId>,
}

/// The seal of approved minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MinutesSeal {
    /// Who approved them (the secretariat).
    pub by: UserId,
    /// When.
    pub at: Millis,
    /// The `seq` of the `minutes_approved` event.
    pub seq: Seq,
    /// SHA-256 of the final text's UTF-8 bytes, lowercase hex.
    pub sha256: String,
}

/// The minutes of a room as a snapshot shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MinutesView {
    /// Where they stand.
    pub status: MinutesStatus,
    /// The current text (the last version).
    pub text: String,
    /// Its language.
    pub lang: LanguageTag,
    /// Every version, oldest first; the last is `text`.
    pub versions: Vec<MinutesVersion>,
    /// Until when corrections are taken (ms since the epoch), once circulated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Millis>,
    /// Corrections in the order they were proposed.
    pub corrections: Vec<CorrectionView>,
    /// The seal, once approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<MinutesSeal>,
}

/// The longest minutes text, in characters.
pub const MAX_MINUTES_CHARS: usize = 100_000;
