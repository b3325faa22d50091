//! The checked replay every audit stands on.
//!
//! An audit is only worth what the history under it is worth, so every
//! record is checked before anything is concluded from it: it comes in seq
//! order, its `prev` is the hash of the record before, its `recorded_at`
//! does not go back, its stored hash is the one its content gives, its event
//! decodes, its bytes are canonical, and the event passes the programme's
//! rules against the state so far: the checks of `verify --deep`, with the
//! same per-event check. The first record that fails ends the replay: the
//! audit then covers the records before it and says where and why it
//! stopped. Checking the rules means a forged export with a recomputed
//! chain is caught here rather than believed.
//!
//! Hashes are checked and events decoded on all cores a batch at a time;
//! everything else is sequential. Memory holds one batch of records plus what the visitor keeps.

use super::EventRef;
use crate::fold::decode_each;
use crate::links::{Links, first_bad_hash};
use crate::source::{Source, SourceError};
use crate::verify::check_decoded;
use crate::views::{OccurredBy, Until};
use gpu_ledger_domain::{Event, Programme};
use gpu_ledger_ledger::{Hash, RecordedAt};
use serde::Serialize;

/// Records read from the source at a time.
const BATCH: usize = 1 << 14;

/// One record that passed every check, with its event.
#[derive(Debug)]
pub struct Checked<'a> {
    pub seq: u64,
    pub hash: Hash,
    pub recorded_at: RecordedAt,
    pub event: &'a Event,
}

impl Checked<'_> {
    /// This record as evidence.
    pub fn at(&self) -> EventRef {
        EventRef {
            seq: self.seq,
            hash: self.hash,
        }
    }
}

/// What the checked replay found: how far the history holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Integrity {
    /// Records checked and found good (from seq 1, without gaps).
    pub events_checked: u64,
    /// Hash of the last good record (all zeros for an empty ledger).
    pub head_hash: Hash,
    /// `recorded_at` of the last good record.
    pub head_recorded_at: Option<RecordedAt>,
    /// Every record is in order, linked to the one before, and hashes as stored.
    pub chain_verified: bool,
    /// Every event decodes and passes the programme's rules.
    pub rules_verified: bool,
    /// The first record that failed a check, if any: the audit covers the ones before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_bad_seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Integrity {
    /// Nothing failed.
    pub fn ok(&self) -> bool {
        self.chain_verified && self.rules_verified
    }
}

/// Replays `source` up to `until`, handing every record that passes all
/// checks to `visit`, in seq order. Stops at the first record that fails a
/// check and reports it in the returned [`Integrity`]; an error is returned
/// only when the source cannot be read at all (I/O, a missing store).
pub async fn replay_checked(
    source: &mut Source,
    until: Until,
    mut visit: impl FnMut(&Checked<'_>),
    mut on_progress: impl FnMut(u64),
) -> Result<Integrity, SourceError> {
    let mut state = Integrity {
        events_checked: 0,
        head_hash: Hash::ZERO,
        head_recorded_at: None,
        chain_verified: true,
        rules_verified: true,
        first_bad_seq: None,
        reason: None,
    };
    let mut programme = Programme::new();
    let mut links = Links::default();
    let mut occurred_by = OccurredBy::default();
    let batch_size = match until {
        Until::Seq(n) => (n as usize).clamp(1, BATCH),
        _ => BATCH,
    };
    loop {
        let batch = match source.next_batch(batch_size).await {
            Ok(b) => b,
            Err(e) => match e.seq() {
                Some(seq) => return Ok(chain_broken(state, seq, e.to_string())),
                None => return Err(e),
            },
        };
        if batch.is_empty() {
            return Ok(state);
        }
        let (bad_hash, decoded) = rayon::join(|| first_bad_hash(&batch), || decode_each(&batch));
        for ((i, r), decoded) in batch.iter().enumerate().zip(decoded) {
            if let Ok(event) = &decoded {
                occurred_by = occurred_by.after(event.occurred_at.instant());
            }
            if !until.includes(r.seq, r.recorded_at, occurred_by.0) {
                return Ok(state);
            }
            if let Some(reason) = links.fault(r, bad_hash == Some(i)) {
                return Ok(chain_broken(state, r.seq, reason));
            }
            let event = match check_decoded(&mut programme, r, decoded) {
                Ok(event) => event,
                Err(reason) => return Ok(rules_broken(state, r.seq, reason)),
            };
            visit(&Checked {
                seq: r.seq,
                hash: r.hash,
                recorded_at: r.recorded_at,
                event: &event,
            });
            links.extend(r);
            state.events_checked = links.count;
            state.head_hash = links.head;
            state.head_recorded_at = links.recorded_at;
        }
        on_progress(state.events_checked);
    }
}

fn chain_broken(mut state: Integrity, seq: u64, reason: String) -> Integrity {
    state.chain_verified = false;
    state.first_bad_seq = Some(seq);
    state.reason = Some(reason);
    state
}

fn rules_broken(mut state: Integrity, seq: u64, reason: String) -> Integrity {
    state.rules_verified = false;
    state.first_bad_seq = Some(seq);
    state.reason = Some(reason);
    state
}

#[cfg(test)]
mod tests {
    use super::*;
    use gpu_ledger_domain::decode_event;
    use gpu_ledger_ledger::{EventBatch, EventStore, FileStore};
    use std::sync::Arc;

    /// The bytes of a record are what its hash covers: an event in another
    /// spelling than the canonical one is not the ledger's, even if it reads
    /// the same.
    #[tokio::test]
    async fn an_event_not_in_canonical_form_stops_the_audit_where_it_is() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/march-2026.jsonl"),
        )
        .unwrap();
        let mut batch = EventBatch::new();
        for (i, line) in text.lines().take(3).enumerate() {
            let canonical = decode_event(line.as_bytes()).unwrap().canonical_json();
            match i {
                2 => batch.push(&[b"{ ", &canonical[1..]].concat()),
                _ => batch.push(&canonical),
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn EventStore> = Arc::new(FileStore::open(dir.path()).unwrap());
        store.append(batch, Some(0)).await.unwrap();
        let mut visited = 0;
        let state = replay_checked(
            &mut Source::store(store),
            Until::Head,
            |_| visited += 1,
            |_| {},
        )
        .await
        .unwrap();
        assert!(state.chain_verified && !state.rules_verified);
        assert_eq!(
            (state.first_bad_seq, state.events_checked, visited),
            (Some(3), 2, 2)
        );
        assert_eq!(
            state.reason.as_deref(),
            Some("the event bytes are not in canonical form")
        );
    }
}
