//! Counters.

use crate::record::DropReason;

/// What happened to datagrams, network-wide ([`Network::stats`](crate::Network::stats)) or on
/// one directed link ([`Network::link_stats`](crate::Network::link_stats)).
///
/// Every datagram handed to [`Network::send`](crate::Network::send) is counted once in `sent`
/// and ends either delivered or in exactly one `dropped_*` counter (or is still in flight).
/// Duplicate copies are counted in `duplicated` and then like any other datagram, so at all
/// times `sent + duplicated == delivered + dropped() + in flight`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Datagrams handed to the network.
    pub sent: u64,
    /// Datagrams handed out by `poll_deliver` (duplicates included).
    pub delivered: u64,
    /// Payload bytes delivered (duplicates included).
    pub bytes_delivered: u64,
    /// Lost by the link's loss model.
    pub dropped_loss: u64,
    /// Dropped because the bottleneck buffer (or the network's in-flight limit) was full.
    pub dropped_queue: u64,
    /// Dropped because they exceeded the link MTU.
    pub dropped_mtu: u64,
    /// Dropped by a NAT: no mapping, filtered, expired, table full, or hairpinning disabled.
    pub dropped_nat: u64,
    /// Dropped because the destination is a private address not reachable from the sender.
    pub dropped_no_route: u64,
    /// Dropped by the test's own filter ([`Network::set_filter`](crate::Network::set_filter)).
    pub dropped_filter: u64,
    /// Extra copies created by duplication.
    pub duplicated: u64,
    /// Datagrams picked for reordering (held back by the reorder delay).
    pub reordered: u64,
}

impl Stats {
    /// All drops together.
    pub fn dropped(&self) -> u64 {
        self.dropped_loss
            + self.dropped_queue
            + self.dropped_mtu
            + self.dropped_nat
            + self.dropped_no_route
            + self.dropped_filter
    }
}

impl Stats {
    pub(crate) fn count_drop(&mut self, reason: DropReason) {
        let counter = match reason {
            DropReason::Loss => &mut self.dropped_loss,
            DropReason::Queue => &mut self.dropped_queue,
            DropReason::Mtu => &mut self.dropped_mtu,
            DropReason::NoRoute => &mut self.dropped_no_route,
            DropReason::Filter => &mut self.dropped_filter,
            DropReason::Nat(_) => &mut self.dropped_nat,
        };
        *counter += 1;
    }
}
