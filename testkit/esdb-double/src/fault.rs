//! The faults an append can be made to meet, one per append, in the order
//! they were injected.

/// What happens to the next append that reaches a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The events are written, then the answer is `ABORTED "Operation timed
    /// out"`, as KurrentDB answers a commit that timed out (during an
    /// election, say) although it may still complete.
    TimeoutAfterCommit,
    /// The answer is `ABORTED "Operation timed out"` and nothing is written.
    TimeoutBeforeCommit,
    /// The events are written, then every connection to the node is cut
    /// before the answer goes out.
    DropAfterCommit,
    /// Every connection to the node is cut before anything is written.
    DropBeforeCommit,
    /// No answer until the request's deadline (the server cancels it, as
    /// tonic does with `grpc-timeout`); nothing is written.
    Hang,
    /// `CANCELLED`, nothing written (a server shutting the call down).
    Cancelled,
    /// The events are written, the answer is `ABORTED "Operation timed
    /// out"`, and the leader is lost: every node answers `UNAVAILABLE` for
    /// this many milliseconds (an election), then the same node leads again.
    LeaderLostAfterCommit { for_ms: u64 },
}

impl Fault {
    /// Whether the events are written before the fault.
    pub fn commits(self) -> bool {
        matches!(
            self,
            Fault::TimeoutAfterCommit
                | Fault::DropAfterCommit
                | Fault::LeaderLostAfterCommit { .. }
        )
    }
}
