//! Applications to a call's tracks, their reviewers' scores, and the
//! few that are withdrawn.

use super::calls::call_id;
use super::plans::{REQUESTED_SERVERS, TRACKS};
use super::texts::{REVIEW_CRITERIA, TOPICS};
use super::{Action, Application, DAY, HOUR, Simulation, Status, Step};
use crate::value;
use gpu_ledger_domain::application::{ApplicationSubmitted, ApplicationWithdrawn, Purpose};
use gpu_ledger_domain::score::ScoreRecorded;
use rand::RngExt;
use std::collections::BTreeMap;
use std::io::Write;

impl<W: Write> Simulation<W> {
    pub(super) fn submit(&mut self, at: i64, call: usize) -> Step {
        // Any registered organization may apply, to a track it is eligible for.
        let (org, track) = loop {
            let org = self.dice.random_range(0..self.orgs.len());
            let o = &self.orgs[org];
            let eligible: Vec<usize> = self.calls[call]
                .tracks
                .clone()
                .filter(|&t| TRACKS[self.tracks[t].plan].admits(o.sector, o.size))
                .collect();
            if !eligible.is_empty() {
                break (org, self.pick(&eligible));
            }
        };
        let gpus_per_server = self.pools[self.tracks[track].pool].gpus_per_server;
        let requested = self.pick(&REQUESTED_SERVERS) * gpus_per_server;
        let topic = self.pick(&TOPICS);
        let title = if self.chance(200) {
            format!("{topic}, phase 2")
        } else {
            topic.to_owned()
        };
        let purpose = self.pick(Purpose::ALL);
        let quality = self.around(66, 36).clamp(0, 100);
        let id = value::id(format!("APP-{:07}", self.apps.len() + 1));
        let actor = format!("org:{}", self.orgs[org].id);
        let note = self.note(10);
        let submission = ApplicationSubmitted {
            application_id: id.clone(),
            call_id: call_id(call + 1),
            track_id: value::id(TRACKS[self.tracks[track].plan].id),
            org_id: self.orgs[org].id.clone(),
            title: value::label(title),
            purpose,
            requested_gpus: requested,
        };
        let submitted = self.out.write(at, &actor, note, submission)?;
        let app = self.apps.len();
        self.apps.push(Application {
            id,
            track,
            org,
            requested,
            quality,
            reviews: 0,
            score_sum: 0,
            status: Status::Pending,
            held: 0,
            reserve: false,
            barred: false,
        });
        self.tracks[track].applications.push(app);
        self.calls[call].applications.push(app);

        // Reviews come in the three weeks after the call closes; a few
        // reviewers never deliver, leaving the application a score short.
        let closes = self.calls[call].closes;
        let min_reviews = TRACKS[self.tracks[track].plan].min_reviews();
        let reviews = if self.chance(30) {
            min_reviews - 1
        } else {
            min_reviews + self.dice.random_range(0..=2)
        };
        let mut panel: Vec<u32> = Vec::with_capacity(reviews as usize);
        while panel.len() < reviews as usize {
            let reviewer = self.dice.random_range(1..=self.scale.reviewers);
            if !panel.contains(&reviewer) {
                panel.push(reviewer);
            }
        }
        for reviewer in panel {
            let when = self.between(closes + DAY..closes + 18 * DAY);
            self.at(when, Action::Score { app, reviewer });
        }
        if self.chance(20) {
            let when = self.between(submitted + HOUR..closes + 20 * DAY);
            self.at(when, Action::Withdraw { app });
        }
        Ok(())
    }

    pub(super) fn score(&mut self, at: i64, app: usize, reviewer: u32) -> Step {
        if self.apps[app].status != Status::Pending {
            return Ok(());
        }
        let quality = self.apps[app].quality;
        let score = self.around(quality, 24).clamp(0, 100) as u32;
        let criteria = self.chance(400).then(|| {
            let names = self.pick(&REVIEW_CRITERIA);
            names.map(|name| (name, self.around(score as i32, 15).clamp(0, 100) as u32))
        });
        let reviewer_id = format!("rv-{reviewer:05}");
        let actor = format!("reviewer:{reviewer_id}");
        let note = self.note(20);
        let scored = ScoreRecorded {
            application_id: self.apps[app].id.clone(),
            reviewer_id: value::id(reviewer_id),
            score,
            criteria: criteria.map(|criteria| {
                BTreeMap::from(criteria.map(|(name, points)| (value::criterion(name), points)))
            }),
        };
        self.out.write(at, &actor, note, scored)?;
        let a = &mut self.apps[app];
        a.reviews += 1;
        a.score_sum += score;
        Ok(())
    }

    pub(super) fn withdraw(&mut self, at: i64, app: usize, reason: &str) -> Step {
        let a = &self.apps[app];
        let withdrawable = match a.status {
            Status::Pending => true,
            Status::Awarded => a.held == 0,
            Status::Rejected | Status::Withdrawn => false,
        };
        if !withdrawable {
            return Ok(());
        }
        let actor = format!("org:{}", self.orgs[a.org].id);
        let withdrawn = ApplicationWithdrawn {
            application_id: a.id.clone(),
            reason: value::label(reason),
        };
        self.out.write(at, &actor, None, withdrawn)?;
        self.apps[app].status = Status::Withdrawn;
        Ok(())
    }
}
