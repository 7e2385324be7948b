//! The crate's error type.

use std::time::Duration;

/// Why a harness run ([`Pair::run_until`](crate::Pair::run_until),
/// [`Mesh::run_until`](crate::Mesh::run_until), `run_for`) stopped without success.
/// Times are virtual time since the clock's epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The virtual deadline passed before the condition held.
    #[error("condition still false at the deadline ({elapsed:?} of virtual time)")]
    TimedOut {
        /// Virtual time at the deadline.
        elapsed: Duration,
    },
    /// Nothing can happen any more: no datagram in flight and no machine wants a timeout, yet
    /// the condition is false. The clock is left where the last event happened.
    #[error("stalled at {elapsed:?}: nothing in flight and no timeouts pending")]
    Stalled {
        /// Virtual time of the stall.
        elapsed: Duration,
    },
    /// Machines kept doing work at one virtual instant for more steps than the limit
    /// ([`DEFAULT_MAX_STEPS_PER_INSTANT`](crate::DEFAULT_MAX_STEPS_PER_INSTANT)): usually a
    /// machine whose `poll_timeout` stays at or before `now` after `handle_timeout`, or
    /// machines ping-ponging over zero-delay links.
    #[error("livelock at {elapsed:?}: time cannot advance (machine with a past timeout: {node:?})")]
    Livelock {
        /// Virtual time the run got stuck at.
        elapsed: Duration,
        /// The index of a machine whose timeout stayed in the past (0 = `a`, 1 = `b` in a
        /// `Pair`; the node index in a `Mesh`), if any.
        node: Option<usize>,
    },
}
