//! An optional, bounded log of what the network did with each datagram.

use std::time::Instant;

use muon_proto::Transmit;

/// Default capacity of [`Network::record`](crate::Network::record) when asked for `None`.
pub const DEFAULT_MAX_RECORDS: usize = 100_000;

/// Why the network dropped a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DropReason {
    /// The link's loss model lost it.
    Loss,
    /// The bottleneck buffer, or the network's in-flight limit, was full.
    Queue,
    /// Longer than the link MTU.
    Mtu,
    /// A private address not reachable from the sender.
    NoRoute,
    /// The test's filter ([`Network::set_filter`](crate::Network::set_filter)) refused it.
    Filter,
    /// A NAT refused it.
    Nat(NatRefusal),
}

/// Why a NAT refused a datagram (RFC 4787 terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NatRefusal {
    /// Inbound to an external port with no mapping.
    NoMapping,
    /// Inbound to a mapping that timed out.
    Expired,
    /// Inbound from a remote endpoint the filtering does not admit.
    Filtered,
    /// Outbound, but the mapping table is full.
    TableFull,
    /// From inside to the NAT's own external address, with hairpinning off.
    NoHairpin,
}

/// What a [`Record`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RecordKind {
    /// Handed to [`Network::send`](crate::Network::send); the transmit as the machine sent it.
    Sent,
    /// Handed out by [`Network::poll_deliver`](crate::Network::poll_deliver); the transmit as
    /// the receiver sees it.
    Delivered,
    /// Dropped; the transmit as it was when dropped (after the sender's NAT if it got there).
    Dropped(DropReason),
}

/// One entry of the network's log ([`Network::take_records`](crate::Network::take_records)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Record {
    /// When it happened (virtual time).
    pub at: Instant,
    /// What happened.
    pub kind: RecordKind,
    /// The datagram.
    pub transmit: Transmit,
}

/// The bounded log itself.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    on: bool,
    max: usize,
    records: Vec<Record>,
    overflow: u64,
}

impl Recorder {
    pub(crate) fn start(&mut self, max: usize) {
        self.on = true;
        self.max = max;
    }

    pub(crate) fn stop(&mut self) {
        self.on = false;
    }

    pub(crate) fn is_on(&self) -> bool {
        self.on
    }

    pub(crate) fn push(&mut self, at: Instant, kind: RecordKind, transmit: &Transmit) {
        if !self.on {
            return;
        }
        if self.records.len() >= self.max {
            self.overflow += 1;
            return;
        }
        self.records.push(Record {
            at,
            kind,
            transmit: transmit.clone(),
        });
    }

    pub(crate) fn take(&mut self) -> Vec<Record> {
        std::mem::take(&mut self.records)
    }

    pub(crate) fn overflow(&self) -> u64 {
        self.overflow
    }
}
