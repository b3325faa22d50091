//! Positions and outcomes: the ledger's `seq` against the stream's revision,
//! and what an `eventstore` error means for the ledger.
//!
//! The ledger is one stream and every record one event, so record `seq` N is
//! stream revision N - 1, and an empty ledger is a stream that does not
//! exist yet.

use eventstore::{CurrentRevision, Error, ExpectedRevision, StreamPosition};
use tonic::Code;

/// The stream revision of record `seq` (from 1).
pub fn revision_of(seq: u64) -> u64 {
    debug_assert!(seq >= 1, "seq starts at 1");
    seq.saturating_sub(1)
}

/// The record `seq` at stream revision `revision`.
pub fn seq_of(revision: u64) -> u64 {
    revision + 1
}

/// What the stream must look like for an append onto a ledger whose head is
/// at `head_seq`: this is what makes two racing writers unable to both win.
pub fn expected_revision(head_seq: u64) -> ExpectedRevision {
    match head_seq {
        0 => ExpectedRevision::NoStream,
        n => ExpectedRevision::Exact(revision_of(n)),
    }
}

/// The ledger's head seq for a stream at `current`.
pub fn head_seq(current: CurrentRevision) -> u64 {
    match current {
        CurrentRevision::NoStream => 0,
        CurrentRevision::Current(revision) => seq_of(revision),
    }
}

/// Where a forward read that returns record `seq` first starts (inclusive).
pub fn read_from(seq: u64) -> StreamPosition<u64> {
    match seq {
        0 | 1 => StreamPosition::Start,
        n => StreamPosition::Position(revision_of(n)),
    }
}

/// What an `eventstore` error means for the operation that got it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The stream was not at the expected revision: another writer appended.
    /// `head_seq` is the ledger's head the server reported.
    Moved { head_seq: u64 },
    /// The stream does not exist (an empty ledger, for reads).
    NoStream,
    /// Refused before anything was done, for now: the node is not the
    /// leader (the client moves to the one named), or no node could be
    /// reached to send it to. Sending again is safe and needs no check.
    Refused,
    /// The request may or may not have been carried out: a commit that
    /// timed out (`ABORTED "Operation timed out"`, which KurrentDB answers
    /// during an election although the write may still complete), a
    /// cancelled call, a deadline that passed, a connection dropped or a
    /// node that became unavailable while the call was open. Worth trying
    /// again; an append must first be looked for in the stream.
    Unknown,
    /// Sending it again will not help (access denied, a deleted stream,
    /// a request the server refuses as malformed).
    Fatal,
}

impl Failure {
    /// Whether trying again may succeed.
    pub fn is_transient(self) -> bool {
        matches!(self, Failure::Refused | Failure::Unknown)
    }
}

/// Sorts an `eventstore` error into what to do about it.
pub fn classify(error: &Error) -> Failure {
    match error {
        Error::WrongExpectedVersion { current, .. } => Failure::Moved {
            head_seq: head_seq(*current),
        },
        Error::ResourceNotFound => Failure::NoStream,
        Error::NotLeaderException(_) | Error::ConnectionClosed | Error::GrpcConnectionError(_) => {
            Failure::Refused
        }
        // v4 maps UNAVAILABLE, INTERNAL, UNKNOWN and DATA_LOSS here, and a
        // dropped HTTP/2 connection arrives as one of them: not knowable.
        Error::ServerError(_) | Error::DeadlineExceeded => Failure::Unknown,
        Error::Grpc { code, .. } if UNKNOWN_OUTCOME.contains(code) => Failure::Unknown,
        _ => Failure::Fatal,
    }
}

/// The gRPC codes v4 passes through as `Error::Grpc` after which a call may
/// have done its work.
const UNKNOWN_OUTCOME: [Code; 5] = [
    Code::Aborted,
    Code::Cancelled,
    Code::DeadlineExceeded,
    Code::Unavailable,
    Code::ResourceExhausted,
];

/// Whether the client that gave `error` has closed for good: the v4 client
/// stops for good once discovery fails, and answers everything after with
/// `ConnectionClosed`. A new client is needed to try again.
pub fn client_is_closed(error: &Error) -> bool {
    matches!(
        error,
        Error::ConnectionClosed | Error::GrpcConnectionError(_)
    )
}

/// How long to wait before try number `attempt` (from 0) of something that
/// failed transiently: doubling from 100 ms up to 5 s.
pub fn backoff(attempt: u32) -> std::time::Duration {
    let ms = 100u64.saturating_mul(1 << attempt.min(6));
    std::time::Duration::from_millis(ms.min(5_000))
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventstore::{Endpoint, GrpcConnectionError};

    #[test]
    fn seq_n_is_revision_n_minus_one() {
        assert_eq!(revision_of(1), 0);
        assert_eq!(revision_of(42), 41);
        assert_eq!(seq_of(0), 1);
        for seq in [1, 2, 1000, u64::MAX] {
            assert_eq!(seq_of(revision_of(seq)), seq);
        }
    }

    #[test]
    fn an_empty_ledger_expects_no_stream() {
        assert_eq!(expected_revision(0), ExpectedRevision::NoStream);
        assert_eq!(expected_revision(1), ExpectedRevision::Exact(0));
        assert_eq!(expected_revision(7), ExpectedRevision::Exact(6));
        assert_eq!(head_seq(CurrentRevision::NoStream), 0);
        assert_eq!(head_seq(CurrentRevision::Current(6)), 7);
        for head in [0, 1, 7, 1 << 40] {
            let current = match expected_revision(head) {
                ExpectedRevision::NoStream => CurrentRevision::NoStream,
                ExpectedRevision::Exact(r) => CurrentRevision::Current(r),
                other => panic!("unexpected {other:?}"),
            };
            assert_eq!(head_seq(current), head);
        }
    }

    #[test]
    fn reads_start_at_the_seq() {
        assert_eq!(read_from(0), StreamPosition::Start);
        assert_eq!(read_from(1), StreamPosition::Start);
        assert_eq!(read_from(5), StreamPosition::Position(4));
    }

    #[test]
    fn a_wrong_expected_version_is_a_moved_head() {
        let e = Error::WrongExpectedVersion {
            expected: ExpectedRevision::Exact(3),
            current: CurrentRevision::Current(9),
        };
        assert_eq!(classify(&e), Failure::Moved { head_seq: 10 });
        let e = Error::WrongExpectedVersion {
            expected: ExpectedRevision::Exact(3),
            current: CurrentRevision::NoStream,
        };
        assert_eq!(classify(&e), Failure::Moved { head_seq: 0 });
    }

    #[test]
    fn timeouts_cancellations_and_dropped_connections_leave_the_outcome_unknown() {
        for e in [
            // What KurrentDB answers a commit or prepare that timed out.
            Error::Grpc {
                code: Code::Aborted,
                message: "Operation timed out".into(),
            },
            Error::Grpc {
                code: Code::Cancelled,
                message: "Operation cancelled".into(),
            },
            Error::ServerError("status: Unknown, message: \"transport error\"".into()),
            Error::ServerError("unavailable".into()),
            Error::DeadlineExceeded,
        ] {
            assert_eq!(classify(&e), Failure::Unknown, "{e}");
            assert!(classify(&e).is_transient());
        }
    }

    #[test]
    fn not_leader_and_no_connection_are_refusals_worth_another_try() {
        for e in [
            Error::ConnectionClosed,
            Error::GrpcConnectionError(GrpcConnectionError::MaxDiscoveryAttemptReached(10)),
            Error::NotLeaderException(Endpoint {
                host: "n2".into(),
                port: 2113,
            }),
        ] {
            assert_eq!(classify(&e), Failure::Refused, "{e}");
            assert!(classify(&e).is_transient());
        }
    }

    #[test]
    fn what_another_try_cannot_mend_is_fatal() {
        assert_eq!(classify(&Error::ResourceNotFound), Failure::NoStream);
        for e in [
            Error::AccessDenied,
            Error::ResourceDeleted,
            Error::UnsupportedFeature,
            Error::Grpc {
                code: Code::InvalidArgument,
                message: "bad".into(),
            },
        ] {
            assert_eq!(classify(&e), Failure::Fatal, "{e}");
            assert!(!classify(&e).is_transient());
        }
    }

    #[test]
    fn a_closed_client_is_replaced_but_not_for_a_server_error() {
        assert!(client_is_closed(&Error::ConnectionClosed));
        assert!(client_is_closed(&Error::GrpcConnectionError(
            GrpcConnectionError::MaxDiscoveryAttemptReached(10)
        )));
        assert!(!client_is_closed(&Error::ServerError("unavailable".into())));
        assert!(!client_is_closed(&Error::DeadlineExceeded));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(0).as_millis(), 100);
        assert_eq!(backoff(1).as_millis(), 200);
        assert_eq!(backoff(5).as_millis(), 3_200);
        assert_eq!(backoff(6).as_millis(), 5_000);
        assert_eq!(backoff(100).as_millis(), 5_000);
    }
}
