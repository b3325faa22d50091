//! What will happen in the programme, and when: the simulation's agenda.
//! Ties keep the order the actions were scheduled in, so the same seed
//! always tells the same history.

use super::{Simulation, Step};
use gpu_ledger_domain::award::EndReason;
use gpu_ledger_domain::recall::RecallReason;
use std::cmp::{Ordering, Reverse};
use std::io::Write;

/// Something that will happen in the programme.
#[derive(Debug, Clone, Copy)]
pub(super) enum Action {
    OpenCall,
    Submit { call: usize },
    Score { app: usize, reviewer: u32 },
    Withdraw { app: usize },
    CloseCall { call: usize },
    Decide { call: usize },
    ExpireReserve { call: usize },
    Report { award: usize, week: u32 },
    Recall { award: usize, reason: RecallReason },
    Redistribute { recall: usize },
    End { award: usize, reason: EndReason },
}

/// An action at a moment; ties keep the order they were scheduled in.
pub(super) struct Scheduled {
    pub(super) at: i64,
    order: u64,
    pub(super) action: Action,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.order) == (other.at, other.order)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.order).cmp(&(other.at, other.order))
    }
}

impl<W: Write> Simulation<W> {
    pub(super) fn at(&mut self, at: i64, action: Action) {
        self.scheduled += 1;
        self.agenda.push(Reverse(Scheduled {
            at,
            order: self.scheduled,
            action,
        }));
    }

    pub(super) fn act(&mut self, at: i64, action: Action) -> Step {
        match action {
            Action::OpenCall => self.open_call(at),
            Action::Submit { call } => self.submit(at, call),
            Action::Score { app, reviewer } => self.score(at, app, reviewer),
            Action::Withdraw { app } => self.withdraw(at, app, "the project was cancelled"),
            Action::CloseCall { call } => self.close_call(at, call),
            Action::Decide { call } => self.decide(at, call),
            Action::ExpireReserve { call } => self.expire_reserve(at, call),
            Action::Report { award, week } => self.report(at, award, week),
            Action::Recall { award, reason } => self.recall(at, award, reason),
            Action::Redistribute { recall } => self.redistribute(at, recall),
            Action::End { award, reason } => self.end(at, award, reason),
        }
    }
}
