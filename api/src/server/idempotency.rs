//! `Idempotency-Key`: a retried append gets the first answer and appends
//! nothing; the same key with another body is refused.
//!
//! Keys are scoped to the client (its token) and kept in memory for the
//! most recent [`CAPACITY`] keys of the process. A retry that arrives while
//! the first request is still in flight waits for its answer. Answers of
//! server failures (5xx) are not kept, so those can be retried.

use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

pub const CAPACITY: usize = 100_000;

/// A first answer, kept for retries.
#[derive(Clone, Debug)]
pub struct Saved {
    pub status: u16,
    pub body: Bytes,
}

enum Slot {
    InFlight {
        body: [u8; 32],
        done: watch::Receiver<Option<Saved>>,
    },
    Done {
        body: [u8; 32],
        saved: Saved,
    },
}

type Key = (String, String);

#[derive(Default)]
struct Keys {
    slots: HashMap<Key, Slot>,
    order: VecDeque<Key>,
}

#[derive(Clone, Default)]
pub struct Idempotency {
    keys: Arc<Mutex<Keys>>,
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
    keys: Arc<Mutex<Keys>>,
    key: Key,
    body: [u8; 32],
    tx: watch::Sender<Option<Saved>>,
    finished: bool,
}

pub fn body_hash(body: &[u8]) -> [u8; 32] {
    Sha256::digest(body).into()
}

impl Idempotency {
    pub async fn claim(&self, client: &str, key: &str, body: &[u8]) -> Claim {
        let key: Key = (client.to_string(), key.to_string());
        let body = body_hash(body);
        loop {
            let mut wait = {
                let mut keys = self.keys.lock().expect("idempotency keys");
                match keys.slots.get(&key) {
                    Some(Slot::Done { body: b, saved }) => {
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
                        keys.order.push_back(key.clone());
                        while keys.order.len() > CAPACITY {
                            if let Some(old) = keys.order.pop_front() {
                                keys.slots.remove(&old);
                            }
                        }
                        return Claim::First(Ticket {
                            keys: self.keys.clone(),
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
}

impl Ticket {
    /// Keeps the answer for retries (unless it is a server failure).
    pub fn finish(mut self, status: u16, body: Bytes) {
        self.finished = true;
        let mut keys = self.keys.lock().expect("idempotency keys");
        if status >= 500 {
            keys.slots.remove(&self.key);
            return;
        }
        let saved = Saved { status, body };
        keys.slots.insert(
            self.key.clone(),
            Slot::Done {
                body: self.body,
                saved: saved.clone(),
            },
        );
        self.tx.send_replace(Some(saved));
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if !self.finished
            && let Ok(mut keys) = self.keys.lock()
        {
            keys.slots.remove(&self.key);
        }
    }
}
