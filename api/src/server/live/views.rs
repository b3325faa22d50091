//! The one set of live views, and the answers rendered from them.
//!
//! The stream task is the only writer. A query reads them under a read
//! lock; the writer then waits on a blocking thread, so that the runtime's
//! workers go on serving appends meanwhile. A rendered answer is kept per
//! state of the ledger, so a repeated query is a copy.

use bytes::Bytes;
use gpu_ledger_projections::Projections;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, TryLockError};
use std::time::Duration;
use tokio::sync::watch;

/// Rendered answers kept at most: the kinds of query are few, but every
/// parameter is in the key, so a client varying them cannot grow this.
pub const RENDERED_KEPT: usize = 256;

pub struct LiveViews {
    views: Arc<RwLock<Projections>>,
    seq: watch::Sender<u64>,
    /// key -> (the views' seq when rendered, bytes, content type).
    rendered: Mutex<HashMap<String, (u64, Bytes, &'static str)>>,
}

impl LiveViews {
    pub(super) fn new(views: Projections) -> Self {
        let seq = views.seq;
        Self {
            views: Arc::new(RwLock::new(views)),
            seq: watch::channel(seq).0,
            rendered: Mutex::default(),
        }
    }

    /// The seq of the last record the views include.
    pub fn seq(&self) -> u64 {
        *self.seq.borrow()
    }

    /// Waits (five seconds at most) until the views include record `seq`.
    pub async fn wait_for(&self, seq: u64) {
        let mut rx = self.seq.subscribe();
        let _ = tokio::time::timeout(Duration::from_secs(5), rx.wait_for(|s| *s >= seq)).await;
    }

    pub fn read<T>(&self, f: impl FnOnce(&Projections) -> T) -> T {
        f(&self.read_guard())
    }

    /// The views, held as they are until the guard is dropped (never across an await).
    pub(super) fn read_guard(&self) -> std::sync::RwLockReadGuard<'_, Projections> {
        self.views.read().expect("views lock")
    }

    /// Changes the views with `f` (the stream task's one write per record),
    /// then announces `seq`.
    pub(super) async fn write(&self, seq: u64, f: impl FnOnce(&mut Projections) + Send + 'static) {
        let waiting = match self.views.try_write() {
            Ok(mut views) => {
                f(&mut views);
                None
            }
            Err(TryLockError::WouldBlock) => Some(f),
            Err(TryLockError::Poisoned(e)) => panic!("views lock: {e}"),
        };
        if let Some(f) = waiting {
            let views = self.views.clone();
            tokio::task::spawn_blocking(move || f(&mut views.write().expect("views lock")))
                .await
                .expect("applying an event to the views does not panic");
        }
        self.seq.send_replace(seq);
    }

    /// A view rendered for `key` at views seq `seq`, if one is kept.
    pub fn cached(&self, key: &str, seq: u64) -> Option<(Bytes, &'static str)> {
        let cache = self.rendered.lock().expect("view cache");
        cache
            .get(key)
            .filter(|(at, _, _)| *at == seq)
            .map(|(_, body, kind)| (body.clone(), *kind))
    }

    /// Keeps a rendered view, dropping answers of older states when full.
    pub fn keep(&self, key: String, seq: u64, (body, kind): (Bytes, &'static str)) {
        let mut cache = self.rendered.lock().expect("view cache");
        if cache.len() >= RENDERED_KEPT {
            cache.retain(|_, (at, _, _)| *at == seq);
        }
        if cache.len() < RENDERED_KEPT {
            cache.insert(key, (seq, body, kind));
        }
    }
}
