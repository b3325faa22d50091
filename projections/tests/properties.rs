//! Properties of the views over random valid histories.
//!
//! Histories are made by proposing random events against a small model of
//! what exists (ids, pools) and keeping only those the domain's rules accept,
//! so every history is valid. After every event: pools add up to capacity,
//! holdings equal the sum of active awards (as this test tracks them itself),
//! nothing is negative, and the incrementally kept views equal views rebuilt
//! from scratch by replaying the history so far.

use gpu_ledger_domain::{Event, Programme, decode_event};
use gpu_ledger_projections::{Projections, ViewName, ViewParams};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// What the generator knows exists; also the test's own account of holdings.
#[derive(Default)]
struct Model {
    pools: Vec<(String, u32)>,
    orgs: Vec<String>,
    calls: Vec<(String, Vec<(String, usize)>)>,
    apps: Vec<(String, usize, usize)>,
    /// award -> (pool index, org, held, ended)
    awards: BTreeMap<String, (usize, String, u32, bool)>,
    /// recall -> (pool index, awaiting)
    recalls: BTreeMap<String, (usize, u32)>,
    app_org: BTreeMap<String, String>,
    n: usize,
}

fn pick<T>(v: &[T], i: u32) -> Option<&T> {
    (!v.is_empty()).then(|| &v[i as usize % v.len()])
}

impl Model {
    fn gps(&self, pool: usize) -> u32 {
        self.pools[pool].1
    }

    fn app_pool(&self, app: usize) -> usize {
        let (_, call, track) = self.apps[app];
        self.calls[call].1[track].1
    }

    /// A candidate event for action `(kind, a, b, c)`, if the model can make one.
    fn propose(&mut self, kind: u8, a: u32, b: u32, c: u32) -> Option<Value> {
        self.n += 1;
        let n = self.n;
        let e = match kind % 15 {
            0 => {
                let gps = if a.is_multiple_of(2) { 8 } else { 4 };
                json!({"type":"PoolRegistered","pool_id":format!("P{n}"),"name":"p","source":"owned","gpu_model":"m","gpus":gps * (2 + b % 30),"gpus_per_server":gps})
            }
            1 => {
                let (id, gps) = pick(&self.pools, a)?.clone();
                json!({"type":"PoolResized","pool_id":id,"gpus":gps * (1 + b % 40),"reason":"r"})
            }
            2 => {
                let sector = ["academia", "industry", "research"][a as usize % 3];
                let size = ["large", "sme", "startup", "public"][b as usize % 4];
                let region = ["capital", "non_capital"][c as usize % 2];
                json!({"type":"OrganizationRegistered","org_id":format!("O{n}"),"name":"o","sector":sector,"size":size,"region":region})
            }
            3 => {
                if self.pools.is_empty() {
                    return None;
                }
                let mut tracks = vec![];
                for t in 0..(1 + b % 2) {
                    let p = (a + t) as usize % self.pools.len();
                    let mut tr = json!({"track_id":format!("T{t}"),"pool_id":self.pools[p].0,"gpus":self.pools[p].1 * (1 + c % 4),
                        "eligible_sectors":["academia","industry","research"],"min_reviews":1 + a % 2,"regional_bonus":c % 10});
                    if c.is_multiple_of(3) {
                        tr["max_org_share_bp"] = json!(5000);
                    }
                    tracks.push(tr);
                }
                json!({"type":"CallOpened","call_id":format!("C{n}"),"title":"t","closes_at":"2026-06-01T00:00:00Z","tracks":tracks})
            }
            4 => json!({"type":"CallClosed","call_id":pick(&self.calls, a)?.0}),
            5 => {
                let ci = a as usize % self.calls.len().max(1);
                let (call, tracks) = self.calls.get(ci)?;
                let ti = b as usize % tracks.len();
                let gps = self.gps(tracks[ti].1);
                json!({"type":"ApplicationSubmitted","application_id":format!("A{n}"),"call_id":call,"track_id":tracks[ti].0,
                    "org_id":pick(&self.orgs, c)?,"title":"t","purpose":"research","requested_gpus":gps * (1 + c % 4)})
            }
            6 => {
                json!({"type":"ScoreRecorded","application_id":pick(&self.apps, a)?.0,"reviewer_id":format!("r{}", b % 4),"score":c % 101})
            }
            7 => {
                let ai = a as usize % self.apps.len().max(1);
                let app = self.apps.get(ai)?.0.clone();
                let gps = self.gps(self.app_pool(ai));
                json!({"type":"AwardGranted","award_id":format!("W{n}"),"application_id":app,"gpus":gps * (1 + b % 3),
                    "starts_at":"2026-04-01T00:00:00Z","ends_at":"2026-12-01T00:00:00Z"})
            }
            8 => {
                let ids: Vec<_> = self.awards.keys().cloned().collect();
                json!({"type":"UtilizationReported","award_id":pick(&ids, a)?,"period_start":format!("2026-04-{:02}T00:00:00Z", 1 + b % 20),
                    "period_end":format!("2026-04-{:02}T00:00:00Z", 2 + b % 20),"utilization_bp":c % 10001,"off_purpose_use":c.is_multiple_of(9)})
            }
            9 => {
                let ids: Vec<_> = self.awards.keys().cloned().collect();
                let id = pick(&ids, a)?.clone();
                let gps = self.gps(self.awards[&id].0);
                let reason =
                    ["underutilization", "off_purpose_use", "withdrawal", "other"][c as usize % 4];
                json!({"type":"RecallIssued","recall_id":format!("R{n}"),"award_id":id,"gpus":gps * (1 + b % 2),"reason":reason})
            }
            10 => {
                let ids: Vec<_> = self.recalls.keys().cloned().collect();
                let id = pick(&ids, a)?.clone();
                let gps = self.gps(self.recalls[&id].0);
                json!({"type":"Redistributed","redistribution_id":format!("D{n}"),"recall_id":id,"award_id":format!("W{n}"),
                    "application_id":pick(&self.apps, b)?.0,"gpus":gps,"starts_at":"2026-05-01T00:00:00Z","ends_at":"2026-12-01T00:00:00Z"})
            }
            11 => {
                let ids: Vec<_> = self.recalls.keys().cloned().collect();
                let id = pick(&ids, a)?.clone();
                let gps = self.gps(self.recalls[&id].0);
                json!({"type":"RecallReleased","recall_id":id,"gpus":gps * (1 + b % 2),"reason":"r"})
            }
            12 => {
                let ids: Vec<_> = self.awards.keys().cloned().collect();
                json!({"type":"AwardEnded","award_id":pick(&ids, a)?,"reason":"relinquished"})
            }
            13 => {
                json!({"type":"ApplicationRejected","application_id":pick(&self.apps, a)?.0,"reason":"r"})
            }
            _ => {
                json!({"type":"ApplicationWithdrawn","application_id":pick(&self.apps, a)?.0,"reason":"r"})
            }
        };
        let mut e = e;
        e["occurred_at"] = json!("2026-03-02T09:00:00+09:00");
        e["actor"] = json!("msit");
        Some(e)
    }

    /// Learns an accepted event.
    fn learn(&mut self, e: &Value) {
        let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
        let g = e["gpus"].as_u64().unwrap_or(0) as u32;
        match e["type"].as_str().unwrap() {
            "PoolRegistered" => self
                .pools
                .push((s("pool_id"), e["gpus_per_server"].as_u64().unwrap() as u32)),
            "OrganizationRegistered" => self.orgs.push(s("org_id")),
            "CallOpened" => {
                let tracks = e["tracks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| {
                        let pool = t["pool_id"].as_str().unwrap();
                        (
                            t["track_id"].as_str().unwrap().to_string(),
                            self.pools.iter().position(|p| p.0 == pool).unwrap(),
                        )
                    })
                    .collect();
                self.calls.push((s("call_id"), tracks));
            }
            "ApplicationSubmitted" => {
                let call = self.calls.iter().position(|c| c.0 == s("call_id")).unwrap();
                let track = self.calls[call]
                    .1
                    .iter()
                    .position(|t| t.0 == s("track_id"))
                    .unwrap();
                self.apps.push((s("application_id"), call, track));
                self.app_org.insert(s("application_id"), s("org_id"));
            }
            "AwardGranted" | "Redistributed" => {
                let ai = self
                    .apps
                    .iter()
                    .position(|a| a.0 == s("application_id"))
                    .unwrap();
                let pool = self.app_pool(ai);
                if let Some(r) = self.recalls.get_mut(&s("recall_id")) {
                    r.1 -= g;
                }
                self.awards.insert(
                    s("award_id"),
                    (pool, self.app_org[&s("application_id")].clone(), g, false),
                );
            }
            "RecallIssued" => {
                let a = self.awards.get_mut(&s("award_id")).unwrap();
                a.2 -= g;
                self.recalls.insert(s("recall_id"), (a.0, g));
            }
            "RecallReleased" => self.recalls.get_mut(&s("recall_id")).unwrap().1 -= g,
            "AwardEnded" => self.awards.get_mut(&s("award_id")).unwrap().3 = true,
            _ => {}
        }
    }
}

fn render_all(p: &Projections) -> Vec<Value> {
    ViewName::ALL
        .iter()
        .map(|v| p.json(*v, &ViewParams::default()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn views_hold_their_invariants_and_equal_a_replay(actions in prop::collection::vec((0u8..15, any::<u32>(), any::<u32>(), any::<u32>()), 40..160)) {
        let mut model = Model::default();
        let mut rules = Programme::new();
        let mut live = Projections::new();
        let mut history: Vec<Event> = Vec::new();
        for (kind, a, b, c) in actions {
            let Some(candidate) = model.propose(kind, a, b, c) else { continue };
            let event = decode_event(candidate.to_string().as_bytes()).expect("the generator writes valid shapes");
            if rules.accept(&event).is_err() {
                continue;
            }
            model.learn(&candidate);
            history.push(event.clone());
            live.apply(history.len() as u64, &event);

            // Pools add up to capacity, nothing negative, and agree with the model.
            let pools = live.json(ViewName::Pools, &ViewParams::default());
            for p in pools["pools"].as_array().unwrap() {
                let (cap, held, wait, free) = (p["capacity"].as_u64().unwrap(), p["held"].as_u64().unwrap(),
                    p["awaiting_redistribution"].as_u64().unwrap(), p["free"].as_u64().unwrap());
                prop_assert_eq!(held + wait + free, cap);
                let idx = model.pools.iter().position(|x| x.0 == p["pool_id"].as_str().unwrap()).unwrap();
                let model_held: u64 = model.awards.values().filter(|w| w.0 == idx && !w.3).map(|w| u64::from(w.2)).sum();
                let model_wait: u64 = model.recalls.values().filter(|r| r.0 == idx).map(|r| u64::from(r.1)).sum();
                prop_assert_eq!(held, model_held);
                prop_assert_eq!(wait, model_wait);
            }
            // Holdings are the sum of active awards, by organization too.
            let holdings = live.json(ViewName::Holdings, &ViewParams::default());
            let active: Vec<_> = model.awards.values().filter(|w| !w.3 && w.2 > 0).collect();
            prop_assert_eq!(holdings["total"]["gpus"].as_u64().unwrap(), active.iter().map(|w| u64::from(w.2)).sum::<u64>());
            prop_assert_eq!(holdings["total"]["awards"].as_u64().unwrap(), active.len() as u64);
            for o in holdings["by_organization"].as_array().unwrap() {
                let org = o["org_id"].as_str().unwrap();
                let sum: u64 = active.iter().filter(|w| w.1 == org).map(|w| u64::from(w.2)).sum();
                prop_assert_eq!(o["gpus"].as_u64().unwrap(), sum);
                prop_assert!(sum > 0, "organizations holding nothing are not listed");
            }
            let sectors: u64 = holdings["by_sector"].as_object().unwrap().values().map(|h| h["gpus"].as_u64().unwrap()).sum();
            prop_assert_eq!(sectors, holdings["total"]["gpus"].as_u64().unwrap());

            // Rebuilt from scratch, the views are the same.
            let mut rebuilt = Projections::new();
            for (i, e) in history.iter().enumerate() {
                rebuilt.apply(i as u64 + 1, e);
            }
            prop_assert_eq!(render_all(&rebuilt), render_all(&live));
        }
    }
}
