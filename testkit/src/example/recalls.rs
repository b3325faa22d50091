//! What the programme office does with an award in trouble: recalls, the
//! recalled GPUs lent again (to the reserve list or as top-ups) or released
//! to the pool, and awards handed back early.

use super::calendar::{Kst, term_end, week_after, week_start};
use super::first_call::FIRST_CALL_TRACKS;
use super::monitoring::{Action, Disposal, RecallShare};
use super::proposals::Outcome;
use super::{Award, FOLLOW_UP_CALL, GPUS_PER_SERVER, PROGRAMME_OFFICE, Recall, Story};
use crate::value;
use gpu_ledger_domain::application::Status;
use gpu_ledger_domain::award::{AwardEnded, EndReason};
use gpu_ledger_domain::organization::Sector;
use gpu_ledger_domain::recall::{RecallIssued, RecallReason, RecallReleased};
use gpu_ledger_domain::redistribution::Redistributed;
use rand::RngExt;

impl Story {
    pub(super) fn recall(
        &mut self,
        on: Kst,
        a: usize,
        reason: RecallReason,
        share: RecallShare,
        disposal: Disposal,
    ) {
        let award = &mut self.awards[a];
        let servers = match share {
            RecallShare::Half => (award.held_servers / 2).max(1),
            RecallShare::All => award.held_servers,
        };
        award.held_servers -= servers;
        let proposal = &mut self.proposals[award.proposal];
        proposal.held_servers -= servers;
        let id = format!("RC-2026-{:03}", self.recalls.len() + 1);
        let note = match reason {
            RecallReason::Underutilization => format!(
                "2주 연속 활용률 50% 미만 ({} bp, {} bp): 보유 서버의 절반 회수",
                award.last_reports[0], award.last_reports[1]
            ),
            RecallReason::OffPurposeUse => {
                "현장 점검 결과 상용 서비스 운영 확인: 전량 회수".to_owned()
            }
            RecallReason::Withdrawal => {
                "연구책임자 해외 이직으로 주관기관이 과제 중도 포기 요청: 전량 회수".to_owned()
            }
            RecallReason::Other => unreachable!("the script recalls for no other reason"),
        };
        self.timeline.record_with_note(
            on,
            PROGRAMME_OFFICE,
            note,
            RecallIssued {
                recall_id: value::id(id.as_str()),
                award_id: value::id(award.id.as_str()),
                gpus: servers * GPUS_PER_SERVER,
                reason,
                notice_id: None,
            },
        );
        self.recalls.push(Recall {
            id,
            track: proposal.track,
            awaiting_servers: servers,
        });
        let recall = self.recalls.len() - 1;
        self.agenda.push((
            on.plus_days(7).at_hour(10),
            Action::Dispose { recall, disposal },
        ));
    }

    /// Lends a recall's servers again, to proposals of the same track (so of
    /// the same pool and sector): the reserve list in rank order, then
    /// partly funded proposals up to what they asked; what nobody receives
    /// goes back to the pool.
    pub(super) fn dispose(&mut self, on: Kst, recall: usize, disposal: Disposal) {
        let track = self.recalls[recall].track;
        let ranked = &self.ranking[track];
        let reserve_list = ranked.iter().copied().filter(|&p| {
            let proposal = &self.proposals[p];
            proposal.outcome == Outcome::ReserveList && proposal.status == Status::Pending
        });
        let top_ups = ranked.iter().copied().filter(|&p| {
            let proposal = &self.proposals[p];
            proposal.status == Status::Awarded
                && !proposal.troubled
                && proposal.held_servers < proposal.requested_servers
        });
        let recipients: Vec<usize> = match disposal {
            Disposal::ReserveListFirst => reserve_list.chain(top_ups).collect(),
            Disposal::TopUps => top_ups.collect(),
            Disposal::Release => Vec::new(),
        };
        let starts = week_after(on);
        let mut at = on;
        for p in recipients {
            let awaiting = self.recalls[recall].awaiting_servers;
            if awaiting == 0 {
                break;
            }
            let proposal = &self.proposals[p];
            let servers = awaiting.min(proposal.requested_servers - proposal.held_servers);
            self.redistribute(at, recall, p, servers, starts);
            at = at.plus_seconds(300);
        }
        let left = self.recalls[recall].awaiting_servers;
        if left > 0 {
            self.recalls[recall].awaiting_servers = 0;
            self.timeline.record(
                at,
                PROGRAMME_OFFICE,
                RecallReleased {
                    recall_id: value::id(self.recalls[recall].id.as_str()),
                    gpus: left * GPUS_PER_SERVER,
                    reason: value::label(format!(
                        "{FOLLOW_UP_CALL} 트랙 1 배분 재원으로 보유 풀에 환원"
                    )),
                },
            );
        }
    }

    pub(super) fn redistribute(
        &mut self,
        at: Kst,
        recall: usize,
        p: usize,
        servers: u32,
        starts: usize,
    ) {
        self.redistributions += 1;
        let award_id = format!("AW-2026-{:04}", self.redistributions);
        let proposal = &mut self.proposals[p];
        let note = if proposal.status == Status::Pending {
            let rank = self.ranking[proposal.track]
                .iter()
                .position(|&q| q == p)
                .expect("ranked")
                + 1;
            format!("예비 선정 과제 (트랙 평가 순위 {rank}위)에 회수분 재배정")
        } else {
            format!(
                "부분 지원 과제 증액: 요청 {}대 중 {}대 보유 중",
                proposal.requested_servers, proposal.held_servers
            )
        };
        let recall = &mut self.recalls[recall];
        recall.awaiting_servers -= servers;
        self.timeline.record_with_note(
            at,
            PROGRAMME_OFFICE,
            note,
            Redistributed {
                redistribution_id: value::id(format!("RD-2026-{:03}", self.redistributions)),
                recall_id: value::id(recall.id.as_str()),
                award_id: value::id(award_id.as_str()),
                application_id: value::id(proposal.id.as_str()),
                gpus: servers * GPUS_PER_SERVER,
                starts_at: week_start(starts).timestamp(),
                ends_at: term_end().timestamp(),
            },
        );
        proposal.status = Status::Awarded;
        proposal.held_servers += servers;
        self.awards.push(Award {
            id: award_id,
            proposal: p,
            held_servers: servers,
            first_week: starts,
            ended: false,
            usual_bp: self.dice.random_range(6000..=9300),
            trouble: None,
            last_reports: [0; 2],
        });
    }

    pub(super) fn relinquish(&mut self, on: Kst, a: usize) {
        let award = &mut self.awards[a];
        award.ended = true;
        let proposal = &mut self.proposals[award.proposal];
        proposal.held_servers -= award.held_servers;
        let note = match FIRST_CALL_TRACKS[proposal.track].sector {
            Sector::Industry => "자체 GPU 클러스터 구축으로 잔여 기간 지원 반납",
            Sector::Academia | Sector::Research => "연구 목표 조기 달성으로 잔여 기간 지원 반납",
        };
        self.timeline.record_with_note(
            on,
            PROGRAMME_OFFICE,
            note,
            AwardEnded {
                award_id: value::id(award.id.as_str()),
                reason: EndReason::Relinquished,
            },
        );
    }
}
