//! Where in history a page looks: `?until_seq=N`, `?as_of=T` (business
//! time: the events that had occurred by T) or `?recorded_as_of=T` (ledger
//! time: what the ledger had recorded by T), as the API reads them, and the
//! views at that point. The language a reader chose (`?lang=`) goes along
//! with the point, on every link that keeps it.
//!
//! The present comes from the live views. A past point is rebuilt by replay,
//! starting from the nearest snapshot the [`History`](super::history::History)
//! kept at or before it (so a slider move on a large ledger replays a slice,
//! not everything), and the last few rebuilt points are kept, since a person
//! moving through history goes back and forth between pages.

use super::Dashboard;
use super::language::{self, Language};
use crate::Refusal;
use crate::ledger::with_live_views;
use axum::http::StatusCode;
use gpu_ledger_domain::Timestamp;
use gpu_ledger_ledger::Head;
use gpu_ledger_ledger::time::parse_time;
use gpu_ledger_projections::Projections;
use gpu_ledger_replay::fold::{BATCH, fold};
use gpu_ledger_replay::{Source, Until};
use serde::Deserialize;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// The query parameters every page takes. Strings, so that a form's empty
/// field means "not given" instead of a parse error.
#[derive(Debug, Default, Deserialize)]
pub struct AtQuery {
    pub until_seq: Option<String>,
    pub as_of: Option<String>,
    pub recorded_as_of: Option<String>,
    /// `ko` or `en`, if the reader chose one.
    pub lang: Option<String>,
}

/// A parameter's value, if given and not blank.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A point in history as asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At {
    pub until: Until,
    /// The parameter as given (`until_seq=N` or `as_of=T`), for links.
    param: Option<(&'static str, String)>,
    /// The language chosen with `?lang=`, which links carry too.
    lang: Option<Language>,
}

impl At {
    pub const NOW: At = At {
        until: Until::Head,
        param: None,
        lang: None,
    };

    pub fn parse(q: &AtQuery) -> Result<At, Refusal> {
        let lang = language::asked(q.lang.as_deref());
        Self::parse_point(q).map(|at| At { lang, ..at })
    }

    fn parse_point(q: &AtQuery) -> Result<At, Refusal> {
        let points = [&q.until_seq, &q.as_of, &q.recorded_as_of];
        if points.iter().filter(|p| given(p).is_some()).count() > 1 {
            return Err(Refusal::bad_request(
                "bad_point",
                "give one of until_seq, as_of and recorded_as_of",
            ));
        }
        if let Some(t) = given(&q.recorded_as_of) {
            return Ok(At {
                until: Until::RecordedAt(
                    parse_time(t).map_err(|e| Refusal::bad_request("bad_recorded_as_of", e))?,
                ),
                param: Some(("recorded_as_of", t.to_string())),
                lang: None,
            });
        }
        match (given(&q.until_seq), given(&q.as_of)) {
            (Some(_), Some(_)) => unreachable!("refused above"),
            (Some(n), None) => {
                let seq: u64 = n.parse().map_err(|_| {
                    Refusal::bad_request("bad_until_seq", format!("until_seq {n:?} is not a seq"))
                })?;
                Ok(At {
                    until: Until::Seq(seq),
                    param: Some(("until_seq", seq.to_string())),
                    lang: None,
                })
            }
            (None, Some(t)) => Ok(At {
                until: Until::OccurredAt(
                    Timestamp::parse(t)
                        .map_err(|e| Refusal::bad_request("bad_as_of", format!("as_of: {e}")))?
                        .instant(),
                ),
                param: Some(("as_of", t.to_string())),
                lang: None,
            }),
            (None, None) => Ok(At::NOW),
        }
    }

    /// `?until_seq=N` (or `?as_of=T`, or nothing) with `extra` pairs added:
    /// what a link must carry to stay at this point.
    pub fn query(&self, extra: &[(&str, &str)]) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if let Some((k, v)) = &self.param {
            pairs.push((k, v));
        }
        pairs.extend(extra.iter().filter(|(_, v)| !v.is_empty()));
        if let Some(lang) = self.lang {
            pairs.push(("lang", lang.code()));
        }
        if pairs.is_empty() {
            return String::new();
        }
        let parts: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", crate::login::encode_component(v)))
            .collect();
        format!("?{}", parts.join("&"))
    }

    /// The present, in the same language.
    pub fn now(&self) -> At {
        At {
            lang: self.lang,
            ..At::NOW
        }
    }

    /// Record `seq`, in the same language.
    pub fn at_seq(&self, seq: u64) -> At {
        At {
            until: Until::Seq(seq),
            param: Some(("until_seq", seq.to_string())),
            lang: self.lang,
        }
    }

    /// Only the language chosen (`?lang=ko`, or nothing): for links that
    /// lead out of the page's point in history.
    pub fn language_query(&self) -> String {
        self.now().query(&[])
    }

    /// The language chosen with `?lang=`, if any.
    pub fn language(&self) -> Option<Language> {
        self.lang
    }

    /// The parameter as given (`("until_seq", "N")`), for a form to keep.
    pub fn param(&self) -> Option<(&'static str, &str)> {
        self.param.as_ref().map(|(k, v)| (*k, v.as_str()))
    }

    /// The `as_of` text as given, for the form.
    pub fn as_of_text(&self) -> Option<&str> {
        match &self.param {
            Some(("as_of", t)) => Some(t),
            _ => None,
        }
    }

    /// Whether this point includes everything up to `head`. A business
    /// time is told by replay (the head alone does not say when its events
    /// occurred), from the nearest snapshot before it.
    pub fn is_now(&self, head: &Head) -> bool {
        match self.until {
            Until::OccurredAt(_) => false,
            until => until.covers_head(head.seq, head.recorded_at, None),
        }
    }
}

/// The views at a point, and the ledger's head when asked.
pub struct Views<'a> {
    pub p: &'a Projections,
    pub head: &'a Head,
    /// The point is the present: the live list may follow the ledger.
    pub now: bool,
}

/// Runs `f` on the views at `at`: the live ones for the present, else the
/// past rebuilt by replay.
pub async fn with_views<T>(
    dash: &Dashboard,
    at: &At,
    f: impl FnOnce(Views<'_>) -> T,
) -> Result<T, Refusal> {
    let ledger = dash.ledger.as_ref();
    let head = ledger.head().await.map_err(|e| Refusal::store(&e))?;
    if at.is_now(&head) {
        ledger.caught_up().await;
        // The views may be ahead of the head read above: show them with
        // the head they include.
        let head = ledger.head().await.map_err(|e| Refusal::store(&e))?;
        return Ok(with_live_views(ledger, |p| {
            f(Views {
                p,
                head: &head,
                now: true,
            })
        })
        .await);
    }
    let past = dash.past_views(at.until).await?;
    Ok(f(Views {
        p: &past,
        head: &head,
        now: false,
    }))
}

/// The last few past points rebuilt, newest last.
#[derive(Default)]
pub struct PastCache {
    kept: Mutex<VecDeque<(Until, Arc<Projections>)>>,
}

impl PastCache {
    /// How many past points are kept.
    const KEEP: usize = 8;

    fn get(&self, until: Until) -> Option<Arc<Projections>> {
        let kept = self.kept.lock().expect("past cache lock");
        kept.iter()
            .find(|(u, _)| *u == until)
            .map(|(_, p)| p.clone())
    }

    fn put(&self, until: Until, p: Arc<Projections>) {
        let mut kept = self.kept.lock().expect("past cache lock");
        kept.retain(|(u, _)| *u != until);
        if kept.len() == Self::KEEP {
            kept.pop_front();
        }
        kept.push_back((until, p));
    }
}

impl Dashboard {
    /// The views as they were at `until` (a point before the head).
    pub async fn past_views(&self, until: Until) -> Result<Arc<Projections>, Refusal> {
        if let Some(p) = self.past.get(until) {
            return Ok(p);
        }
        let history = self.history.clone();
        let start = tokio::task::spawn_blocking(move || history.snapshot_before(until))
            .await
            .ok()
            .flatten()
            .unwrap_or_else(Projections::new);
        let source = self.ledger.replay_after(start.seq);
        let p = Arc::new(replay_into(source, start, until).await?);
        self.past.put(until, p.clone());
        Ok(p)
    }
}

/// Applies the records after `p.seq` up to `until` to `p`, off the
/// runtime's workers.
pub async fn replay_into(
    mut source: Source,
    mut p: Projections,
    until: Until,
) -> Result<Projections, Refusal> {
    let runtime = tokio::runtime::Handle::current();
    let replayed = tokio::task::spawn_blocking(move || {
        let batch = match until {
            Until::Seq(n) => (n.saturating_sub(p.seq) as usize).clamp(1, BATCH),
            _ => BATCH,
        };
        runtime
            .block_on(fold(
                &mut source,
                batch,
                until,
                |entries| {
                    for e in entries {
                        p.apply(e.record.seq, &e.event);
                    }
                    Ok(())
                },
                |_| {},
            ))
            .map(|()| p)
    })
    .await;
    let failed = |e: String| Refusal::new(StatusCode::SERVICE_UNAVAILABLE, "replay_failed", e);
    replayed
        .map_err(|e| failed(e.to_string()))?
        .map_err(|e| failed(e.to_string()))
}
