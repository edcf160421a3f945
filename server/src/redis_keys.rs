//! Names of every Redis key and channel Baraza uses, in one place.
//!
//! All keys of one room share the hash tag `{room:ID}`, so the append script (which touches the
//! room's stream, head and channel) also runs on Redis Cluster. Node-level keys carry the node
//! name in their own tag (the heartbeat and claim scripts touch only one node's keys). No
//! command touches keys of two tags.

use baraza_proto::ids::RoomId;

/// The set of every room id that has (or is about to have) a record.
pub const ROOMS: &str = "baraza:rooms";
/// The set of every node name that has registered.
pub const NODES: &str = "baraza:nodes";

/// The stream holding a room's events (entry id `<seq>-0`).
pub fn stream(room: &RoomId) -> String {
    format!("baraza:{{room:{room}}}:log")
}

/// The hash holding a room's head (`seq`, `hash`).
pub fn head(room: &RoomId) -> String {
    format!("baraza:{{room:{room}}}:head")
}

/// The hash holding a room's committed texts (field: commitment; value: JSON with
/// `commitment`, `statement`, `salt`, `text`), withdrawn by a redaction.
pub fn texts(room: &RoomId) -> String {
    format!("baraza:{{room:{room}}}:texts")
}

/// The pub/sub channel of a room's events.
pub fn channel(room: &RoomId) -> String {
    format!("baraza:{{room:{room}}}:events")
}

/// The set of `node<TAB>user` entries: which node holds which member of the room.
pub fn presence(room: &RoomId) -> String {
    format!("baraza:{{room:{room}}}:presence")
}

/// A node's heartbeat key (expires when the node stops refreshing it).
pub fn node_alive(node: &str) -> String {
    format!("baraza:{{node:{node}}}:alive")
}

/// The rooms in which a node holds members.
pub fn node_rooms(node: &str) -> String {
    format!("baraza:{{node:{node}}}:rooms")
}

/// A node's fencing epoch: set by each incarnation, superseded (incremented) by the node that
/// claims it as dead.
pub fn node_epoch(node: &str) -> String {
    format!("baraza:{{node:{node}}}:epoch")
}

/// The epoch under which a node was last claimed as dead (so it is claimed once per epoch).
pub fn node_claimed(node: &str) -> String {
    format!("baraza:{{node:{node}}}:claimed")
}

/// The room id inside a channel name, if it is one of ours.
pub fn room_of_channel(channel: &str) -> Option<RoomId> {
    let inner = channel
        .strip_prefix("baraza:{room:")?
        .strip_suffix("}:events")?;
    RoomId::new(inner).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_round_trip() {
        let room = RoomId::new("hlpf-2026").unwrap();
        assert_eq!(room_of_channel(&channel(&room)), Some(room.clone()));
        assert_eq!(room_of_channel("other"), None);
        assert!(
            stream(&room).contains("{room:hlpf-2026}") && head(&room).contains("{room:hlpf-2026}")
        );
    }
}
