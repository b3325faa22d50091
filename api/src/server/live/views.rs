//! The one set of live views, and the answers rendered from them.
//!
//! The stream task is the only writer. A query reads them under a read
//! lock; the writer then waits on a blocking thread, so that the runtime's
//! workers go on serving appends meanwhile. A rendered answer is kept per
//! state of the ledger, so a repeated query is a copy; any principal's
//! query is served from it, but each principal's queries keep at most
//! [`RENDERED_PER_PRINCIPAL`] answers, so one that varies its parameters
//! evicts only its own.

use bytes::Bytes;
use gpu_ledger_projections::Projections;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, TryLockError};
use std::time::Duration;
use tokio::sync::watch;

/// Rendered answers kept at most: the kinds of query are few, but every
/// parameter is in the key, so a client varying them cannot grow this.
pub const RENDERED_KEPT: usize = 256;

/// Rendered answers one principal's queries keep at most.
pub const RENDERED_PER_PRINCIPAL: usize = 32;

pub struct LiveViews {
    views: Arc<RwLock<Projections>>,
    seq: watch::Sender<u64>,
    rendered: Mutex<Rendered>,
}

/// Answers rendered from the views, by query key.
#[derive(Default)]
struct Rendered {
    answers: HashMap<String, Answer>,
    /// Counts the answers kept, to tell the oldest.
    kept: u64,
}

struct Answer {
    /// The views' seq when it was rendered.
    seq: u64,
    body: Bytes,
    kind: &'static str,
    /// The principal whose query rendered it.
    owner: String,
    /// When it was kept, in [`Rendered::kept`].
    order: u64,
}

impl Rendered {
    /// The oldest answer among those `owner` (or, with none, anyone) kept.
    fn oldest_of(&self, owner: Option<&str>) -> Option<String> {
        self.answers
            .iter()
            .filter(|(_, a)| owner.is_none_or(|o| a.owner == o))
            .min_by_key(|(_, a)| a.order)
            .map(|(k, _)| k.clone())
    }

    /// The principal keeping the most answers.
    fn largest_owner(&self) -> Option<String> {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for a in self.answers.values() {
            *counts.entry(&a.owner).or_default() += 1;
        }
        counts
            .into_iter()
            .max_by_key(|(_, n)| *n)
            .map(|(o, _)| o.to_owned())
    }

    fn owned_by(&self, owner: &str) -> usize {
        self.answers.values().filter(|a| a.owner == owner).count()
    }
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
            .answers
            .get(key)
            .filter(|a| a.seq == seq)
            .map(|a| (a.body.clone(), a.kind))
    }

    /// Keeps a view rendered for `owner`'s query. Answers of older states
    /// go first; then an owner at its share gives up its own oldest; past
    /// the total, the oldest of the principal keeping the most goes.
    pub fn keep(&self, owner: &str, key: String, seq: u64, (body, kind): (Bytes, &'static str)) {
        let mut cache = self.rendered.lock().expect("view cache");
        cache.answers.remove(&key);
        if cache.answers.len() >= RENDERED_KEPT {
            cache.answers.retain(|_, a| a.seq == seq);
        }
        if cache.owned_by(owner) >= RENDERED_PER_PRINCIPAL
            && let Some(oldest) = cache.oldest_of(Some(owner))
        {
            cache.answers.remove(&oldest);
        }
        if cache.answers.len() >= RENDERED_KEPT
            && let Some(oldest) = cache
                .largest_owner()
                .and_then(|o| cache.oldest_of(Some(&o)))
        {
            cache.answers.remove(&oldest);
        }
        cache.kept += 1;
        let order = cache.kept;
        cache.answers.insert(
            key,
            Answer {
                seq,
                body,
                kind,
                owner: owner.to_owned(),
                order,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn views() -> LiveViews {
        LiveViews::new(Projections::new())
    }

    fn answer(n: usize) -> (Bytes, &'static str) {
        (Bytes::from(n.to_string()), "application/json")
    }

    #[test]
    fn a_principal_varying_its_queries_evicts_only_its_own_answers() {
        let v = views();
        v.keep("analyst", "pools".into(), 1, answer(0));
        for n in 0..RENDERED_KEPT * 2 {
            v.keep("flooder", format!("ranking?after={n}"), 1, answer(n));
        }
        assert!(
            v.cached("pools", 1).is_some(),
            "the analyst's answer was evicted"
        );
        // And the analyst's next queries are kept too.
        v.keep("analyst", "calls".into(), 1, answer(1));
        assert!(v.cached("calls", 1).is_some(), "no room for the analyst");
        let cache = v.rendered.lock().unwrap();
        assert_eq!(cache.owned_by("flooder"), RENDERED_PER_PRINCIPAL);
        // The flooder keeps its newest answers.
        let newest = format!("ranking?after={}", RENDERED_KEPT * 2 - 1);
        assert!(cache.answers.contains_key(&newest));
    }

    #[test]
    fn past_the_total_the_principal_keeping_most_gives_up_its_oldest() {
        let v = views();
        // p0 keeps its whole share, every other principal one less, until full.
        for n in 0..RENDERED_PER_PRINCIPAL {
            v.keep("p0", format!("p0-{n}"), 1, answer(n));
        }
        let (mut kept, mut p) = (RENDERED_PER_PRINCIPAL, 1);
        while kept < RENDERED_KEPT {
            let queries = (RENDERED_PER_PRINCIPAL - 1).min(RENDERED_KEPT - kept);
            for n in 0..queries {
                v.keep(&format!("p{p}"), format!("p{p}-{n}"), 1, answer(n));
            }
            kept += queries;
            p += 1;
        }
        assert_eq!(v.rendered.lock().unwrap().answers.len(), RENDERED_KEPT);
        v.keep("newcomer", "new".into(), 1, answer(0));
        let cache = v.rendered.lock().unwrap();
        assert_eq!(cache.answers.len(), RENDERED_KEPT);
        assert!(cache.answers.contains_key("new"));
        assert!(
            !cache.answers.contains_key("p0-0"),
            "p0 kept the most: its oldest goes"
        );
        assert!(cache.answers.contains_key("p0-1"));
        assert!(cache.answers.contains_key("p1-0"));
    }

    #[test]
    fn answers_of_an_older_state_are_never_served_and_go_first() {
        let v = views();
        v.keep("a", "pools".into(), 1, answer(1));
        assert!(v.cached("pools", 2).is_none());
        v.keep("b", "pools".into(), 2, answer(2));
        assert_eq!(v.cached("pools", 2).unwrap().0, Bytes::from("2"));
    }
}
