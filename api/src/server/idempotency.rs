//! `Idempotency-Key`: a retried append gets the first answer and appends
//! nothing; the same key with another body is refused.
//!
//! Keys are scoped to the principal (its token) and kept in memory. Only
//! answers that a retry must see again are kept: an append accepted (201)
//! or refused by a rule or the expected head (422, 409). A request refused
//! before the rules (401, 403, 400, 413) or a server failure (5xx) keeps
//! nothing, so a flood of forbidden requests takes no room and a failed one
//! can be retried.
//!
//! What is kept is bounded in bytes, per principal and in total
//! ([`Bounds`]), and for a retention window: past its window a key is
//! forgotten; past a principal's bytes its own oldest answers go first; past
//! the total, the oldest answers of the principal holding the most. So one
//! principal's traffic cannot evict another's keys while that other holds
//! no more than its share. A retry that arrives while the first request is
//! still in flight waits for its answer.

use bytes::Bytes;
use prometheus_client::metrics::counter::Counter;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How much the kept answers may take, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Bytes of kept answers (with their keys) of one principal.
    pub principal_bytes: usize,
    /// Bytes of kept answers of all principals together.
    pub total_bytes: usize,
    /// How long an answer is kept for retries.
    pub retention: Duration,
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            principal_bytes: 16 << 20,
            total_bytes: 256 << 20,
            retention: Duration::from_secs(24 * 3600),
        }
    }
}

/// Bytes an answer is counted for besides its key and body: the map's and
/// queue's entries.
const ENTRY_OVERHEAD: usize = 128;

/// A first answer, kept for retries.
#[derive(Clone, Debug)]
pub struct Saved {
    pub status: u16,
    pub body: Bytes,
}

/// Whether an answer with this status is kept for retries: accepted, or
/// refused by a rule or by the expected head.
pub fn kept_for_retries(status: u16) -> bool {
    matches!(status, 200..=299 | 409 | 422)
}

enum Slot {
    InFlight {
        body: [u8; 32],
        done: watch::Receiver<Option<Saved>>,
    },
    Done {
        body: [u8; 32],
        saved: Saved,
        generation: u64,
    },
}

type Key = (String, String);

/// A kept answer in its principal's order of arrival.
struct Kept {
    key: String,
    bytes: usize,
    at: Instant,
    generation: u64,
}

#[derive(Default)]
struct Principal {
    bytes: usize,
    order: VecDeque<Kept>,
}

#[derive(Default)]
struct Keys {
    slots: HashMap<Key, Slot>,
    principals: HashMap<String, Principal>,
    total: usize,
    generation: u64,
}

impl Keys {
    /// Forgets `client`'s oldest kept answer; false if it has none.
    fn evict_oldest(&mut self, client: &str) -> bool {
        let Some(p) = self.principals.get_mut(client) else {
            return false;
        };
        let Some(old) = p.order.pop_front() else {
            return false;
        };
        p.bytes -= old.bytes;
        self.total -= old.bytes;
        if p.order.is_empty() {
            self.principals.remove(client);
        }
        let key = (client.to_string(), old.key);
        if matches!(self.slots.get(&key), Some(Slot::Done { generation, .. }) if *generation == old.generation)
        {
            self.slots.remove(&key);
        }
        true
    }

    /// Forgets every principal's answers past the window: what the total
    /// frees first, before any answer still in its window.
    fn forget_expired(&mut self, bounds: &Bounds, now: Instant) {
        let clients: Vec<String> = self.principals.keys().cloned().collect();
        for client in clients {
            while self.principals.get(&client).is_some_and(|p| {
                p.order
                    .front()
                    .is_some_and(|k| now.duration_since(k.at) > bounds.retention)
            }) {
                self.evict_oldest(&client);
            }
        }
    }

    /// Drops what is past the window, then what is over the bounds.
    fn trim(&mut self, client: &str, bounds: &Bounds, now: Instant, evicted: &Counter) {
        while self.principals.get(client).is_some_and(|p| {
            p.bytes > bounds.principal_bytes
                || p.order
                    .front()
                    .is_some_and(|k| now.duration_since(k.at) > bounds.retention)
        }) {
            let expired = self.principals[client]
                .order
                .front()
                .is_some_and(|k| now.duration_since(k.at) > bounds.retention);
            self.evict_oldest(client);
            if !expired {
                evicted.inc();
            }
        }
        if self.total > bounds.total_bytes {
            self.forget_expired(bounds, now);
        }
        while self.total > bounds.total_bytes {
            let Some(largest) = self
                .principals
                .iter()
                .max_by_key(|(_, p)| p.bytes)
                .map(|(c, _)| c.clone())
            else {
                break;
            };
            self.evict_oldest(&largest);
            evicted.inc();
        }
    }
}

#[derive(Clone)]
pub struct Idempotency {
    keys: Arc<Mutex<Keys>>,
    bounds: Bounds,
    /// Answers forgotten before their window ended, to stay in bounds.
    evicted: Counter,
}

impl Default for Idempotency {
    fn default() -> Self {
        Self::new(Bounds::default(), Counter::default())
    }
}

/// What to do with a request carrying a key.
pub enum Claim {
    /// The first request with this key: do it, then [`Ticket::finish`].
    First(Ticket),
    /// Answer with what the first request got.
    Replay(Saved),
    /// The key was used with another body.
    Reused,
}

/// The right (and duty) to answer a key first.
pub struct Ticket {
    idempotency: Idempotency,
    key: Key,
    body: [u8; 32],
    tx: watch::Sender<Option<Saved>>,
    finished: bool,
}

pub fn body_hash(body: &[u8]) -> [u8; 32] {
    Sha256::digest(body).into()
}

impl Idempotency {
    pub fn new(bounds: Bounds, evicted: Counter) -> Self {
        Self {
            keys: Arc::default(),
            bounds,
            evicted,
        }
    }

    pub async fn claim(&self, client: &str, key: &str, body: &[u8]) -> Claim {
        let key: Key = (client.to_string(), key.to_string());
        let body = body_hash(body);
        loop {
            let mut wait = {
                let mut keys = self.keys.lock().expect("idempotency keys");
                keys.trim(client, &self.bounds, Instant::now(), &self.evicted);
                match keys.slots.get(&key) {
                    Some(Slot::Done { body: b, saved, .. }) => {
                        return if *b == body {
                            Claim::Replay(saved.clone())
                        } else {
                            Claim::Reused
                        };
                    }
                    Some(Slot::InFlight { body: b, .. }) if *b != body => return Claim::Reused,
                    Some(Slot::InFlight { done, .. }) => done.clone(),
                    None => {
                        let (tx, rx) = watch::channel(None);
                        keys.slots
                            .insert(key.clone(), Slot::InFlight { body, done: rx });
                        return Claim::First(Ticket {
                            idempotency: self.clone(),
                            key,
                            body,
                            tx,
                            finished: false,
                        });
                    }
                }
            };
            // Another request with this key is in flight: wait for its answer.
            match wait.wait_for(|s| s.is_some()).await {
                Ok(saved) => return Claim::Replay(saved.clone().expect("waited for Some")),
                // It ended without an answer to keep: claim again.
                Err(_) => continue,
            }
        }
    }

    /// Bytes kept for `client` (for tests and `/metrics`).
    pub fn bytes_of(&self, client: &str) -> usize {
        let keys = self.keys.lock().expect("idempotency keys");
        keys.principals.get(client).map_or(0, |p| p.bytes)
    }
}

impl Ticket {
    /// Keeps the answer for retries if [`kept_for_retries`]; otherwise a
    /// retry runs again (and a waiting one claims again).
    pub fn finish(mut self, status: u16, body: Bytes) {
        self.finished = true;
        let idem = self.idempotency.clone();
        let mut keys = idem.keys.lock().expect("idempotency keys");
        if !kept_for_retries(status) {
            keys.slots.remove(&self.key);
            return;
        }
        let (client, key) = self.key.clone();
        let bytes = ENTRY_OVERHEAD + client.len() + key.len() + body.len();
        let now = Instant::now();
        keys.generation += 1;
        let generation = keys.generation;
        let saved = Saved { status, body };
        keys.slots.insert(
            self.key.clone(),
            Slot::Done {
                body: self.body,
                saved: saved.clone(),
                generation,
            },
        );
        let p = keys.principals.entry(client.clone()).or_default();
        p.bytes += bytes;
        p.order.push_back(Kept {
            key,
            bytes,
            at: now,
            generation,
        });
        keys.total += bytes;
        keys.trim(&client, &idem.bounds, now, &idem.evicted);
        self.tx.send_replace(Some(saved));
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if !self.finished
            && let Ok(mut keys) = self.idempotency.keys.lock()
        {
            keys.slots.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(principal_bytes: usize, total_bytes: usize) -> Bounds {
        Bounds {
            principal_bytes,
            total_bytes,
            retention: Duration::from_secs(3600),
        }
    }

    async fn keep(i: &Idempotency, client: &str, key: &str, status: u16, body: &[u8]) {
        match i.claim(client, key, b"req").await {
            Claim::First(t) => t.finish(status, Bytes::copy_from_slice(body)),
            _ => panic!("{client}/{key} was not a first claim"),
        }
    }

    async fn replays(i: &Idempotency, client: &str, key: &str) -> bool {
        matches!(i.claim(client, key, b"req").await, Claim::Replay(_))
    }

    #[tokio::test]
    async fn refusals_before_the_rules_keep_nothing() {
        let i = Idempotency::default();
        for status in [400, 401, 403, 413, 500, 503] {
            keep(&i, "a", "k", status, b"{}").await;
            assert_eq!(i.bytes_of("a"), 0, "a {status} was kept");
        }
        keep(&i, "a", "k", 422, b"{}").await;
        assert!(replays(&i, "a", "k").await, "a rule's refusal is kept");
    }

    #[tokio::test]
    async fn a_principal_over_its_bytes_loses_its_own_oldest_only() {
        let i = Idempotency::new(bounds(2_000, 1 << 20), Counter::default());
        keep(&i, "office", "mine", 201, &[b'x'; 500]).await;
        for n in 0..100 {
            keep(&i, "reviewer", &format!("k{n}"), 422, &[b'y'; 500]).await;
        }
        assert!(i.bytes_of("reviewer") <= 2_000);
        assert!(replays(&i, "office", "mine").await);
        assert!(!replays(&i, "reviewer", "k0").await, "its oldest went");
        assert!(replays(&i, "reviewer", "k99").await);
    }

    #[tokio::test]
    async fn over_the_total_the_largest_holder_loses_first() {
        let i = Idempotency::new(bounds(1 << 20, 4_000), Counter::default());
        keep(&i, "office", "mine", 201, &[b'x'; 500]).await;
        for n in 0..100 {
            keep(&i, "reviewer", &format!("k{n}"), 422, &[b'y'; 500]).await;
        }
        assert!(i.bytes_of("office") + i.bytes_of("reviewer") <= 4_000);
        assert!(replays(&i, "office", "mine").await);
    }

    #[tokio::test]
    async fn several_principals_each_within_their_bytes_past_the_total_evict_among_themselves() {
        let i = Idempotency::new(bounds(2_000, 4_000), Counter::default());
        keep(&i, "office", "mine", 201, &[b'x'; 500]).await;
        for n in 0..100 {
            for flooder in ["reviewer", "applicant", "monitor"] {
                keep(&i, flooder, &format!("k{n}"), 422, &[b'y'; 300]).await;
            }
        }
        let held: usize = ["office", "reviewer", "applicant", "monitor"]
            .into_iter()
            .map(|c| i.bytes_of(c))
            .sum();
        assert!(held <= 4_000, "{held} bytes kept");
        assert!(replays(&i, "office", "mine").await);
    }

    #[tokio::test]
    async fn past_the_window_a_key_is_forgotten() {
        let mut b = bounds(1 << 20, 1 << 20);
        b.retention = Duration::ZERO;
        let i = Idempotency::new(b, Counter::default());
        keep(&i, "office", "mine", 201, b"{}").await;
        std::thread::sleep(Duration::from_millis(2));
        assert!(!replays(&i, "office", "mine").await);
    }
}
