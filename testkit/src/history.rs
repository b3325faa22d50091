//! Histories as the ledger imports them: JSON Lines of event bodies, one
//! per line, each line ending with `\n`.
//!
//! - [`EXAMPLE`] and [`example_lines`]: the committed March 2026 example
//!   ([`crate::example`] writes it);
//! - [`synthetic_history`]: a small valid history of any length, quicker to
//!   reason about than the example (ids and scores follow the line number);
//! - [`to_jsonl`] and [`write_lines`]: lines to a file.

use crate::value::{self, actor, id, label};
use gpu_ledger_domain::application::{ApplicationSubmitted, Purpose};
use gpu_ledger_domain::call::{CallOpened, TrackSpec};
use gpu_ledger_domain::organization::{OrganizationRegistered, Region, Sector, Size};
use gpu_ledger_domain::pool::{PoolRegistered, PoolSource};
use gpu_ledger_domain::score::ScoreRecorded;
use gpu_ledger_domain::{Body, Event, Text};
use std::path::Path;

/// The March 2026 example history, one event per line: the round and its
/// monitoring (the first part), then the rest of the awards' life in
/// vocabulary v2 (the second part).
pub const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/march-2026.jsonl");

/// Events of the example's first part (chapters 1 to 4, all vocabulary v1):
/// the tests of the March 2026 round and its figures read this part.
pub const FIRST_PART_EVENTS: usize = 5416;

/// The lines of [`EXAMPLE`].
pub fn example_lines() -> Vec<String> {
    std::fs::read_to_string(EXAMPLE)
        .unwrap_or_else(|e| {
            panic!(
                "cannot read the example history {EXAMPLE} ({e}); \
                 write it with `cargo run -p gpu-ledger-testkit -- example --out examples/march-2026.jsonl`"
            )
        })
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// The lines of the example's first part.
pub fn first_part_lines() -> Vec<String> {
    let mut lines = example_lines();
    lines.truncate(FIRST_PART_EVENTS);
    lines
}

/// The example's first part as a JSON Lines file in `dir`, to import with the binary.
pub fn first_part_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("march-2026-first-part.jsonl");
    write_lines(&path, &first_part_lines());
    path
}

/// The lines as a JSON Lines file: each line ends with `\n`.
pub fn to_jsonl(lines: &[String]) -> String {
    let mut file = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for line in lines {
        file.push_str(line);
        file.push('\n');
    }
    file
}

/// Writes the lines to `path` as a JSON Lines file.
pub fn write_lines(path: &Path, lines: &[String]) {
    std::fs::write(path, to_jsonl(lines))
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// The business time of line `i` (from 0) of the synthetic history: one
/// second apart from 2026-03-02T00:00:00+09:00.
fn at(i: usize) -> String {
    let s = i % 60;
    let m = (i / 60) % 60;
    let h = (i / 3600) % 24;
    format!("2026-03-{:02}T{h:02}:{m:02}:{s:02}+09:00", 2 + i / 86_400)
}

/// A valid history of `apps * 4 + 4` events: a pool, two organizations, an
/// open call with one track, and `apps` applications (`APP-000000`...),
/// each scored by reviewers `r-000`, `r-001` and `r-002`. Titles carry
/// Korean, quotes and an emoji, so they need escaping.
pub fn synthetic_history(apps: usize) -> Vec<String> {
    let office = || actor("msit");
    let mut bodies: Vec<(Text, Body)> = vec![
        (
            office(),
            PoolRegistered {
                pool_id: id("POOL-1"),
                name: label("Owned H100"),
                source: PoolSource::Owned,
                provider: None,
                gpu_model: label("H100"),
                gpus: 800,
                gpus_per_server: 8,
            }
            .into(),
        ),
        (
            office(),
            OrganizationRegistered {
                org_id: id("ORG-1"),
                name: label("서울대학교"),
                sector: Sector::Academia,
                size: Size::Public,
                region: Region::Capital,
            }
            .into(),
        ),
        (
            office(),
            OrganizationRegistered {
                org_id: id("ORG-2"),
                name: label("Busan AI Labs"),
                sector: Sector::Industry,
                size: Size::Startup,
                region: Region::NonCapital,
            }
            .into(),
        ),
        (
            office(),
            CallOpened {
                call_id: id("CALL-1"),
                title: label("Call 1"),
                closes_at: value::timestamp("2026-04-01T00:00:00+09:00"),
                tracks: vec![TrackSpec {
                    track_id: id("T1"),
                    pool_id: id("POOL-1"),
                    gpus: 400,
                    eligible_sectors: vec![Sector::Academia, Sector::Industry],
                    eligible_sizes: None,
                    min_reviews: None,
                    regional_bonus: None,
                    max_org_share_bp: None,
                }],
                recall_notice_days: None,
                appeal_days: None,
            }
            .into(),
        ),
    ];
    const REVIEWERS: [&str; 3] = ["r-000", "r-001", "r-002"];
    for a in 0..apps {
        let app = id(format!("APP-{a:06}"));
        bodies.push((
            office(),
            ApplicationSubmitted {
                application_id: app.clone(),
                call_id: id("CALL-1"),
                track_id: id("T1"),
                org_id: id(if a % 2 == 0 { "ORG-1" } else { "ORG-2" }),
                title: label(format!("Project {a} \"한국어\" 🚀")),
                purpose: Purpose::Research,
                requested_gpus: 8 * (1 + a as u32 % 4),
            }
            .into(),
        ));
        for (r, reviewer) in REVIEWERS.into_iter().enumerate() {
            bodies.push((
                actor(format!("reviewer:{reviewer}")),
                ScoreRecorded {
                    application_id: app.clone(),
                    reviewer_id: id(reviewer),
                    score: ((a * 7 + r * 13) % 101) as u32,
                    criteria: None,
                }
                .into(),
            ));
        }
    }
    bodies
        .into_iter()
        .enumerate()
        .map(|(i, (actor, body))| {
            let event = Event {
                occurred_at: value::timestamp(at(i)),
                actor,
                note: None,
                body,
            };
            String::from_utf8(event.canonical_json()).expect("canonical JSON is UTF-8")
        })
        .collect()
}

/// An `OrganizationRegistered` body for `id`, dated after the example's
/// first part: the smallest event a test can append anywhere.
pub fn organization_registered(id: &str) -> String {
    format!(
        r#"{{"type":"OrganizationRegistered","occurred_at":"2026-06-01T09:00:00+09:00","actor":"msit","org_id":"{id}","name":"n","sector":"academia","size":"public","region":"capital"}}"#
    )
}
