//! Who is connected to the room on this node: its subscribers (one per connection) and, per
//! member, how many local connections they have.

use super::io::ConnAddr;
use baraza_proto::identity::Profile;
use baraza_proto::ids::UserId;
use std::collections::HashMap;

/// A joined connection.
pub struct Subscriber<C> {
    /// Its address.
    pub conn: C,
    /// Who is on it.
    pub profile: Profile,
    /// False once its queue refused a frame; it stays listed until it detaches.
    pub live: bool,
}

/// The local subscribers and connection counts.
pub struct Members<C> {
    subscribers: HashMap<u64, Subscriber<C>>,
    connections: HashMap<UserId, usize>,
}

impl<C> Default for Members<C> {
    fn default() -> Self {
        Members {
            subscribers: HashMap::new(),
            connections: HashMap::new(),
        }
    }
}

impl<C: ConnAddr> Members<C> {
    /// Whether connection `conn` joined.
    pub fn subscribed(&self, conn: u64) -> bool {
        self.subscribers.contains_key(&conn)
    }

    /// Whether nobody is subscribed.
    pub fn is_empty(&self) -> bool {
        self.subscribers.is_empty()
    }

    /// Adds a connection and counts it for its member; true when it is the member's first here.
    pub fn subscribe(&mut self, conn: C, profile: Profile, live: bool) -> bool {
        let count = self.connections.entry(profile.user.clone()).or_default();
        *count += 1;
        let first = *count == 1;
        self.subscribers.insert(
            conn.id(),
            Subscriber {
                conn,
                profile,
                live,
            },
        );
        first
    }

    /// Removes a connection; with it, whether it was its member's last here.
    pub fn unsubscribe(&mut self, conn: u64) -> Option<(Subscriber<C>, bool)> {
        let subscriber = self.subscribers.remove(&conn)?;
        let last = match self.connections.get_mut(&subscriber.profile.user) {
            Some(count) if *count > 1 => {
                *count -= 1;
                false
            }
            _ => {
                self.connections.remove(&subscriber.profile.user);
                true
            }
        };
        Some((subscriber, last))
    }

    /// Removes every connection of `user`; true if they had any.
    pub fn remove_user(&mut self, user: &UserId) -> Vec<Subscriber<C>> {
        let ids: Vec<u64> = self
            .subscribers
            .iter()
            .filter(|(_, s)| &s.profile.user == user)
            .map(|(id, _)| *id)
            .collect();
        self.connections.remove(user);
        ids.into_iter()
            .filter_map(|id| self.subscribers.remove(&id))
            .collect()
    }

    /// Marks a connection as no longer taking frames.
    pub fn stall(&mut self, conn: u64) {
        if let Some(subscriber) = self.subscribers.get_mut(&conn) {
            subscriber.live = false;
        }
    }

    /// Whether `user` has a connection here.
    pub fn holds(&self, user: &UserId) -> bool {
        self.connections.contains_key(user)
    }

    /// The members with a connection here.
    pub fn users(&self) -> impl Iterator<Item = &UserId> {
        self.connections.keys()
    }

    /// The live subscribers.
    pub fn live(&self) -> impl Iterator<Item = &Subscriber<C>> {
        self.subscribers.values().filter(|s| s.live)
    }

    /// The profile of a live connection of `user`.
    pub fn profile_of(&self, user: &UserId) -> Option<&Profile> {
        self.live()
            .find(|s| &s.profile.user == user)
            .map(|s| &s.profile)
    }
}
