//! Chapter 3, the follow-up call (`CALL-2026-01`) of March 2026 with the
//! report's three tracks: new start-ups register, proposals are scored, and
//! the call is closed with selection still to come.

use super::calendar::Kst;
use super::first_call::FIRST_CALL_TRACKS;
use super::organizations::{Organization, region_of};
use super::proposals::{project_title, purpose_of};
use super::reviews::{Review, reviews_from};
use super::{
    CSP_AI_POOL, CSP_HPC_POOL, FOLLOW_UP_CALL, GPUS_PER_SERVER, MIN_REVIEWS, OWNED_POOL,
    PROGRAMME_OFFICE, Story, TYPICAL_SERVERS,
};
use crate::value;
use gpu_ledger_domain::application::ApplicationSubmitted;
use gpu_ledger_domain::call::{CallClosed, CallOpened, TrackSpec};
use gpu_ledger_domain::organization::{Sector, Size};
use rand::RngExt;
use rand::seq::{IndexedRandom, SliceRandom};

impl Story {
    /// The follow-up call of March 2026 with the report's three tracks, and
    /// the new policy: a bonus for applicants outside the capital region and
    /// a cap on any one organization's share of a track. New start-ups
    /// register for it; its proposals are scored and the call is closed,
    /// with selection still to come when the history ends.
    pub(super) fn run_follow_up_call(&mut self) {
        let newcomers = std::mem::take(&mut self.newcomer_names);
        let moments = Kst::scattered(
            &mut self.dice,
            newcomers.len(),
            Kst::on(2026, 3, 5, 10, 0),
            Kst::on(2026, 3, 8, 18, 0),
        );
        let companies = FIRST_CALL_TRACKS[1].organizations;
        for (n, (name, at)) in newcomers.into_iter().zip(moments).enumerate() {
            let newcomer = Organization {
                id: format!("ORG-I{:03}", companies + n + 1),
                name,
                sector: Sector::Industry,
                size: Size::Startup,
                region: region_of(&mut self.dice, 1, 2),
                activity: 1,
            };
            self.timeline
                .record(at, PROGRAMME_OFFICE, newcomer.registration());
            self.organizations.push(newcomer);
        }

        struct FollowUpTrack {
            track_id: &'static str,
            pool_id: &'static str,
            gpus: u32,
            sectors: &'static [Sector],
            sizes: Option<&'static [Size]>,
            max_org_share_bp: u32,
            applications: usize,
        }
        let tracks = [
            FollowUpTrack {
                track_id: "T1",
                pool_id: OWNED_POOL,
                gpus: 3000,
                sectors: &[Sector::Industry],
                sizes: Some(&[Size::Sme, Size::Startup]),
                max_org_share_bp: 1000,
                applications: 16,
            },
            FollowUpTrack {
                track_id: "T2",
                pool_id: CSP_HPC_POOL,
                gpus: 1000,
                sectors: &[Sector::Industry],
                sizes: None,
                max_org_share_bp: 2000,
                applications: 10,
            },
            FollowUpTrack {
                track_id: "T3",
                pool_id: CSP_AI_POOL,
                gpus: 1000,
                sectors: &[Sector::Academia, Sector::Research],
                sizes: None,
                max_org_share_bp: 1500,
                applications: 14,
            },
        ];
        self.timeline.record_with_note(
            Kst::on(2026, 3, 9, 10, 0),
            PROGRAMME_OFFICE,
            "비수도권 기관 평가 가점 5점, 기관별 트랙 GPU 점유 상한 적용",
            CallOpened {
                call_id: value::id(FOLLOW_UP_CALL),
                title: value::label(
                    "2026년 국가 GPU 지원사업 추가 공모 (미배분 보유 GPU 및 CSP 임차 GPU)",
                ),
                closes_at: Kst::on(2026, 4, 10, 18, 0).timestamp(),
                tracks: tracks
                    .iter()
                    .map(|t| TrackSpec {
                        track_id: value::id(t.track_id),
                        pool_id: value::id(t.pool_id),
                        gpus: t.gpus,
                        eligible_sectors: t.sectors.to_vec(),
                        eligible_sizes: t.sizes.map(<[Size]>::to_vec),
                        min_reviews: Some(MIN_REVIEWS),
                        regional_bonus: Some(5),
                        max_org_share_bp: Some(t.max_org_share_bp),
                    })
                    .collect(),
                recall_notice_days: None,
                appeal_days: None,
            },
        );

        // (track, organization, request in servers, reviews)
        let mut planned: Vec<(&FollowUpTrack, usize, u32, Vec<Review>)> = Vec::new();
        for track in &tracks {
            let eligible: Vec<usize> = (0..self.organizations.len())
                .filter(|&o| {
                    let org = &self.organizations[o];
                    track.sectors.contains(&org.sector)
                        && track.sizes.is_none_or(|sizes| sizes.contains(&org.size))
                })
                .collect();
            for _ in 0..track.applications {
                let dice = &mut self.dice;
                let org = *eligible.choose(dice).expect("eligible organizations");
                let panel = match self.organizations[org].sector {
                    Sector::Academia => &FIRST_CALL_TRACKS[0].panel,
                    Sector::Industry => &FIRST_CALL_TRACKS[1].panel,
                    Sector::Research => &FIRST_CALL_TRACKS[2].panel,
                };
                let servers = *TYPICAL_SERVERS.choose(dice).expect("sizes");
                let quality = dice.random_range(50..=92);
                planned.push((track, org, servers, reviews_from(dice, panel, quality)));
            }
        }
        planned.shuffle(&mut self.dice);
        let moments = Kst::scattered(
            &mut self.dice,
            planned.len(),
            Kst::on(2026, 3, 10, 9, 0),
            Kst::on(2026, 4, 10, 18, 0),
        );
        let mut scores = Vec::new();
        for (n, ((track, org, servers, reviews), at)) in
            planned.into_iter().zip(moments).enumerate()
        {
            let id = format!("APP-2026-{:04}", n + 1);
            let org = &self.organizations[org];
            self.timeline.record(
                at,
                format!("org:{}", org.id),
                ApplicationSubmitted {
                    application_id: value::id(id.as_str()),
                    call_id: value::id(FOLLOW_UP_CALL),
                    track_id: value::id(track.track_id),
                    org_id: value::id(org.id.as_str()),
                    title: value::label(project_title(&mut self.dice, org.sector)),
                    purpose: purpose_of(&mut self.dice, org.sector),
                    requested_gpus: servers * GPUS_PER_SERVER,
                },
            );
            scores.extend(reviews.into_iter().map(|review| (id.clone(), review)));
        }
        scores.shuffle(&mut self.dice);
        let moments = Kst::scattered(
            &mut self.dice,
            scores.len(),
            Kst::on(2026, 4, 13, 9, 0),
            Kst::on(2026, 4, 24, 18, 0),
        );
        for ((id, review), at) in scores.into_iter().zip(moments) {
            self.timeline.record(
                at,
                format!("reviewer:{}", review.reviewer_id()),
                review.event(&id),
            );
        }
        self.timeline.record_with_note(
            Kst::on(2026, 5, 11, 10, 0),
            PROGRAMME_OFFICE,
            "평가 완료, 6월 선정심의위원회에서 트랙별 선정 예정",
            CallClosed {
                call_id: value::id(FOLLOW_UP_CALL),
            },
        );
    }
}
