//! The room's memory of recent frames: the last events encoded for each kind of reader (to
//! serve resumes without reading the record) and the encoded snapshot per kind of reader
//! (reused until the next event).

use crate::domain::visibility::ReaderKind;
use axum::extract::ws::Utf8Bytes;
use baraza_proto::ids::Seq;
use std::collections::VecDeque;

/// One event's frame for each kind of reader (`ReaderKind::index`).
pub type PerKind = [Utf8Bytes; 3];

/// The last `capacity` events' frames, consecutive by seq.
pub struct FrameRing {
    capacity: usize,
    frames: VecDeque<(Seq, PerKind)>,
}

impl FrameRing {
    /// An empty ring holding at most `capacity` events.
    pub fn new(capacity: usize) -> FrameRing {
        FrameRing {
            capacity: capacity.max(1),
            frames: VecDeque::new(),
        }
    }

    /// Keeps the frames of event `seq` (the one after the last kept), dropping the oldest.
    pub fn push(&mut self, seq: Seq, frames: PerKind) {
        if self.frames.back().is_some_and(|(last, _)| last + 1 != seq) {
            self.frames.clear();
        }
        if self.frames.len() == self.capacity {
            self.frames.pop_front();
        }
        self.frames.push_back((seq, frames));
    }

    /// Forgets every frame (they may hold texts since withdrawn): resumes read the record.
    pub fn clear(&mut self) {
        self.frames.clear();
    }

    /// The frames after `since` up to the newest, as `reader` sees them; `None` when the ring no
    /// longer holds all of them. `head` is the room's last seq (nothing after it: an empty list).
    pub fn after(&self, since: Seq, head: Seq, reader: ReaderKind) -> Option<Vec<Utf8Bytes>> {
        let oldest = self.frames.front().map_or(head + 1, |(seq, _)| *seq);
        if since + 1 < oldest {
            return None;
        }
        let skip = usize::try_from(since + 1 - oldest).unwrap_or(usize::MAX);
        Some(
            self.frames
                .iter()
                .skip(skip)
                .map(|(_, frames)| frames[reader.index()].clone())
                .collect(),
        )
    }
}

/// Encoded snapshots by kind of reader, each valid at one seq.
#[derive(Default)]
pub struct SnapshotCache {
    slots: [Option<(Seq, Utf8Bytes)>; 3],
}

impl SnapshotCache {
    /// The cached snapshot for `reader` if it was encoded at `seq`.
    pub fn get(&self, reader: ReaderKind, seq: Seq) -> Option<Utf8Bytes> {
        match &self.slots[reader.index()] {
            Some((at, frame)) if *at == seq => Some(frame.clone()),
            _ => None,
        }
    }

    /// Keeps `frame` as the snapshot for `reader` at `seq`.
    pub fn put(&mut self, reader: ReaderKind, seq: Seq, frame: Utf8Bytes) {
        self.slots[reader.index()] = Some((seq, frame));
    }

    /// Forgets every snapshot (the state was folded again).
    pub fn clear(&mut self) {
        self.slots = [None, None, None];
    }
}
