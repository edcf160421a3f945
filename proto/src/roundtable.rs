//! Moderated roundtables: agenda, speaking list, floor control, server-side timers and live
//! speaking statistics.
//!
//! The payloads here travel inside [`RoomCommand`](crate::command::RoomCommand) (as commands),
//! [`EventBody`](crate::event::EventBody) (as recorded facts) and
//! [`RoomView`](crate::view::RoomView) (as the `roundtable` part of a snapshot). Durations are
//! milliseconds (`u64`), times are [`Millis`] since the Unix epoch. An agenda item's id is the
//! `seq` of its `agenda_item_added` event, a request's id the `seq` of its `floor_requested`
//! event and a turn's id the `seq` of its `floor_granted` event.

use crate::identity::{Constituency, Profile};
use crate::ids::{AgendaItemId, Millis, Seq, StatementId, UserId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A request to speak is identified by the `seq` of its `floor_requested` event.
pub type RequestId = Seq;

/// A turn at the floor is identified by the `seq` of its `floor_granted` event.
pub type TurnId = Seq;

// ---------------------------------------------------------------------------------------------
// Enumerations
// ---------------------------------------------------------------------------------------------

/// What someone asks the floor for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// A contribution; ordered by the item's policy.
    Speak,
    /// A reply to the current speaker; linked to that turn, goes after points of order.
    Reply,
    /// A point of order; goes to the top of the list, ahead of everyone.
    PointOfOrder,
}

/// How the `speak` requests of an item are ordered.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SpeakingPolicy {
    /// First come, first served.
    Fifo,
    /// Those who have not spoken on this item go before repeat speakers.
    FirstTimeFirst,
    /// No constituency speaks twice while another is waiting.
    RotateConstituency,
    /// The group (see [`BalanceBy`]) with the least speaking time on this item goes first.
    BalanceTime,
}

/// Which groups `balance_time` balances.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum BalanceBy {
    /// Constituencies (major groups and other stakeholders).
    #[default]
    Constituency,
    /// UN regional groups (`unknown` for countries without one).
    Region,
}

/// What happens when a speaker's time runs out.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OnExpiry {
    /// The floor ends at the deadline.
    #[default]
    EndFloor,
    /// The moderator is told (`floor_time_up`) and decides; the speaker keeps the floor.
    AskModerator,
}

/// Where an agenda item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// Not opened yet.
    Pending,
    /// Under discussion (at most one item at a time).
    Open,
    /// Discussed; may be opened again.
    Closed,
}

/// Why a turn at the floor ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FloorEndReason {
    /// The speaker gave the floor back.
    Yielded,
    /// The moderator took it back.
    Revoked,
    /// The time ran out.
    Expired,
    /// The agenda item was closed.
    ItemClosed,
    /// The speaker was muted.
    Muted,
    /// The speaker was expelled.
    Expelled,
    /// The registry ended the speaker's access (`access_ended` follows).
    AccessEnded,
}

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

/// How a roundtable runs its floor. Every room of kind `roundtable` starts with the defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RoundtableSettings {
    /// Speaking time of a `speak` turn unless the item sets its own (default 3 minutes).
    pub speaking_time_ms: u64,
    /// Speaking time of a `reply` turn (default 1 minute).
    pub reply_time_ms: u64,
    /// Speaking time of a `point_of_order` turn (default 1 minute).
    pub point_of_order_time_ms: u64,
    /// How long before the deadline `floor_warning` goes out; 0 sends none (default 30 s).
    pub warning_ms: u64,
    /// What happens at the deadline.
    pub on_expiry: OnExpiry,
}

impl Default for RoundtableSettings {
    fn default() -> Self {
        RoundtableSettings {
            speaking_time_ms: 180_000,
            reply_time_ms: 60_000,
            point_of_order_time_ms: 60_000,
            warning_ms: 30_000,
            on_expiry: OnExpiry::EndFloor,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

/// `configure_roundtable`: replace the room's floor settings (moderators). Applies to turns
/// granted afterwards; the current turn keeps its deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConfigureRoundtable {
    /// The new settings.
    pub settings: RoundtableSettings,
}

/// `add_agenda_item`: append an item to the agenda (moderators; needs an idempotency key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AddAgendaItem {
    /// Title (1–200 characters).
    pub title: String,
    /// Speaking time of `speak` turns on this item, if not the room's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaking_time_ms: Option<u64>,
}

/// Names one agenda item: `open_agenda_item`, `close_agenda_item`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ItemRef {
    /// The item.
    pub item: AgendaItemId,
}

/// `reorder_agenda`: the complete agenda in its new order (moderators).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReorderAgenda {
    /// Every item id exactly once.
    pub items: Vec<AgendaItemId>,
}

/// `set_speaking_policy`: how the item's `speak` requests are ordered (moderators); may change
/// at any time, the suggested order follows at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SetSpeakingPolicy {
    /// The item.
    pub item: AgendaItemId,
    /// The policy.
    pub policy: SpeakingPolicy,
    /// What `balance_time` balances.
    #[serde(default)]
    pub balance_by: BalanceBy,
}

/// `set_time_budget`: a constituency's total speaking time on an item (moderators); absent
/// `budget_ms` removes the budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SetTimeBudget {
    /// The item.
    pub item: AgendaItemId,
    /// The constituency.
    pub constituency: Constituency,
    /// The budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_ms: Option<u64>,
}

/// `request_floor`: ask to speak on the open item (participants; needs an idempotency key).
/// With `on_behalf_of`, a moderator puts a participant of the room on the list (a placard
/// raised in the hall, a delegate with a bad line); the request is that participant's, and the
/// record keeps who made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RequestFloor {
    /// What for.
    pub kind: RequestKind,
    /// The participant the moderator asks for (moderators only; a participant of the room who
    /// is not muted or expelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<UserId>,
}

impl RequestFloor {
    /// A request by the sender for themselves.
    pub fn new(kind: RequestKind) -> Self {
        RequestFloor {
            kind,
            on_behalf_of: None,
        }
    }
}

/// `withdraw_request`: take a request off the list (its author, or a moderator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WithdrawRequest {
    /// The request.
    pub request: RequestId,
}

/// `remove_request`: a moderator takes someone's request off the list, with a reason that
/// the record keeps and everyone sees (a stale request of someone who left, a duplicate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RemoveRequest {
    /// The request, on the open item's list.
    pub request: RequestId,
    /// Why (1–500 characters); recorded.
    pub reason: String,
}

/// `grant_floor`: give the floor (moderators). Without `request`, to the first speaker of the
/// suggested order; with it, to that request, which needs a `reason` if it is out of order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GrantFloor {
    /// A request of the open item's list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestId>,
    /// Why the suggested order is not followed (1–500 characters); recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `extend_floor`: add time to the current turn (moderators).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExtendFloor {
    /// How much (1 ms to 1 hour).
    pub by_ms: u64,
}

/// `mute_participant`, `expel_participant`: a sanction with its reason (moderators).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Sanction {
    /// Who.
    pub user: UserId,
    /// Why (1–500 characters); shown to everyone.
    pub reason: String,
}

/// `unmute_participant`, `readmit_participant`: lift a sanction (moderators).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UserRef {
    /// Who.
    pub user: UserId,
}

/// `rule_point_of_order` (command) and `point_of_order_ruled` (event): the chair's ruling on
/// the point of order raised in `turn`, recorded once per turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RulePointOfOrder {
    /// The `point_of_order` turn ruled on (during or after it).
    pub turn: TurnId,
    /// The ruling (1–2,000 characters).
    pub ruling: String,
}

/// Most characters of a ruling on a point of order.
pub const MAX_RULING_CHARS: usize = 2_000;

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

/// `agenda_item_added`: a new item at the end of the agenda; its id is this event's `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AgendaItemAdded {
    /// Title.
    pub title: String,
    /// Speaking time of `speak` turns on this item, if not the room's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaking_time_ms: Option<u64>,
}

/// `floor_requested`: the actor asked for the floor on `item`; the request's id is this `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FloorRequested {
    /// The item.
    pub item: AgendaItemId,
    /// What for.
    pub kind: RequestKind,
    /// For a reply: the turn it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<TurnId>,
    /// Set when a moderator (the event's actor) made the request for this participant: the
    /// request is theirs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<UserId>,
}

/// `request_withdrawn`: a request left the list without being granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RequestWithdrawn {
    /// The request.
    pub request: RequestId,
}

/// `request_removed`: a moderator (the event's actor) took a request off the list; `reason` is
/// the moderator's words, recorded (the [`RemoveRequest`] command's payload).
pub type RequestRemoved = RemoveRequest;

/// `floor_granted`: a turn began; its id is this event's `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FloorGranted {
    /// The item.
    pub item: AgendaItemId,
    /// The request it answers.
    pub request: RequestId,
    /// Who speaks, as the room knew them when granted (statistics are counted from this).
    pub speaker: Profile,
    /// What for.
    pub kind: RequestKind,
    /// For a reply: the turn it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<TurnId>,
    /// Speaking time given.
    pub duration_ms: u64,
    /// When the time runs out (the event's `ts` + `duration_ms`).
    pub deadline: Millis,
    /// Set when the moderator did not follow the suggested order: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_order: Option<String>,
}

/// Names the current turn: `floor_time_up`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TurnRef {
    /// The turn.
    pub turn: TurnId,
}

/// `floor_extended`: more time for the turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FloorExtended {
    /// The turn.
    pub turn: TurnId,
    /// How much was added.
    pub by_ms: u64,
    /// The new deadline; absent while the clock is paused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Millis>,
}

/// `floor_paused`: the clock stopped; `floor_warning`: the deadline is near.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FloorRemaining {
    /// The turn.
    pub turn: TurnId,
    /// Speaking time left.
    pub remaining_ms: u64,
}

/// `floor_resumed`: the clock runs again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FloorResumed {
    /// The turn.
    pub turn: TurnId,
    /// The new deadline.
    pub deadline: Millis,
}

/// `floor_ended`: the turn is over; `spoken_ms` is what the statistics count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FloorEnded {
    /// The turn.
    pub turn: TurnId,
    /// Why.
    pub reason: FloorEndReason,
    /// Time the clock ran during the turn (pauses excluded; at most up to the deadline unless
    /// the moderator let the speaker go on after `floor_time_up`).
    pub spoken_ms: u64,
}

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

/// The roundtable part of a room's snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RoundtableView {
    /// Floor settings.
    pub settings: RoundtableSettings,
    /// The agenda in its order.
    pub agenda: Vec<AgendaItemView>,
    /// The item under discussion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_item: Option<AgendaItemId>,
    /// The current turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<FloorView>,
    /// Every turn so far (ended or not), oldest first.
    pub turns: Vec<TurnView>,
    /// Statistics of the whole session.
    pub session_stats: SpeakingStats,
    /// Muted people.
    pub muted: Vec<SanctionView>,
    /// Expelled people.
    pub expelled: Vec<SanctionView>,
}

/// One agenda item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AgendaItemView {
    /// Id.
    pub id: AgendaItemId,
    /// Title.
    pub title: String,
    /// Where it stands.
    pub state: ItemState,
    /// Ordering policy.
    pub policy: SpeakingPolicy,
    /// What `balance_time` balances.
    pub balance_by: BalanceBy,
    /// Speaking time of `speak` turns, if not the room's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaking_time_ms: Option<u64>,
    /// Speaking-time budgets per constituency.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<BudgetView>,
    /// Closed to new `speak` and `reply` requests (points of order still allowed).
    pub list_closed: bool,
    /// The speaking list in the suggested order.
    pub speakers: Vec<SpeakerEntry>,
    /// Statistics of this item.
    pub stats: SpeakingStats,
}

/// A constituency's budget on an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BudgetView {
    /// The constituency.
    pub constituency: Constituency,
    /// Its budget.
    pub budget_ms: u64,
    /// What it has used.
    pub used_ms: u64,
}

/// One request in the suggested order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SpeakerEntry {
    /// Place in the suggested order (1 is next).
    pub position: usize,
    /// The request.
    pub request: RequestId,
    /// Who.
    pub user: UserId,
    /// Display name.
    pub name: String,
    /// Organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// Constituency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constituency: Option<Constituency>,
    /// What for.
    pub kind: RequestKind,
    /// For a reply: the turn it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<TurnId>,
    /// When asked.
    pub requested_at: Millis,
    /// Set when a moderator put this person on the list: that moderator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_by: Option<UserId>,
    /// Why this entry stands where it stands, in plain words.
    pub reason: String,
    /// False when `grant_floor` without a request skips it (absent, or budget used up).
    pub eligible: bool,
}

/// The current turn and its clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FloorView {
    /// The turn.
    pub turn: TurnId,
    /// Who speaks.
    pub user: UserId,
    /// When the time runs out; absent while paused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Millis>,
    /// The clock is stopped.
    pub paused: bool,
    /// While paused: the time left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_ms: Option<u64>,
    /// `floor_warning` went out.
    pub warned: bool,
    /// `floor_time_up` went out; the moderator decides.
    pub time_up: bool,
}

/// A turn at the floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TurnView {
    /// Id.
    pub id: TurnId,
    /// The item.
    pub item: AgendaItemId,
    /// Who spoke.
    pub user: UserId,
    /// What for.
    pub kind: RequestKind,
    /// For a reply: the turn it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<TurnId>,
    /// When granted.
    pub granted_at: Millis,
    /// Speaking time given, extensions included.
    pub duration_ms: u64,
    /// Why the suggested order was not followed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_order: Option<String>,
    /// Statements the speaker posted while holding the floor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<StatementId>,
    /// When it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Millis>,
    /// Why it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<FloorEndReason>,
    /// Time spoken, once ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spoken_ms: Option<u64>,
    /// For a point of order: the chair's ruling, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ruling: Option<RulingView>,
}

/// The chair's ruling on a point of order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RulingView {
    /// The ruling.
    pub text: String,
    /// The chair who ruled.
    pub by: UserId,
    /// When.
    pub at: Millis,
}

/// Turns and speaking time of one participant, organisation, constituency or region.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Tally {
    /// Turns granted.
    pub turns: u32,
    /// Time spoken in ended turns.
    pub speaking_ms: u64,
}

/// Speaking statistics, keyed by wire names: user id, organisation, constituency
/// (`none` when absent), UN regional group slug and M49 region code (`unknown` when absent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SpeakingStats {
    /// Per participant.
    pub participants: BTreeMap<String, Tally>,
    /// Per organisation.
    pub organisations: BTreeMap<String, Tally>,
    /// Per constituency.
    pub constituencies: BTreeMap<String, Tally>,
    /// Per UN regional group.
    pub un_groups: BTreeMap<String, Tally>,
    /// Per M49 region.
    pub m49_regions: BTreeMap<String, Tally>,
}

/// A mute or an expulsion in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SanctionView {
    /// Who.
    pub user: UserId,
    /// Why.
    pub reason: String,
    /// The moderator.
    pub by: UserId,
    /// When.
    pub at: Millis,
}
