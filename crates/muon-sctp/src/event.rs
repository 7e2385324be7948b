//! What an association reports, and the vocabulary of its API.

use std::time::Duration;

use bytes::Bytes;

/// A payload protocol identifier (RFC 9260 section 3.3.1; WebRTC values from RFC 8831).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ppid(pub u32);

impl Ppid {
    /// WebRTC DCEP (RFC 8832).
    pub const DCEP: Ppid = Ppid(50);
    /// WebRTC string.
    pub const STRING: Ppid = Ppid(51);
    /// WebRTC binary.
    pub const BINARY: Ppid = Ppid(53);
    /// WebRTC empty string (sent as one zero byte; delivered as an empty [`Ppid::STRING`]).
    pub const STRING_EMPTY: Ppid = Ppid(56);
    /// WebRTC empty binary (delivered as an empty [`Ppid::BINARY`]).
    pub const BINARY_EMPTY: Ppid = Ppid(57);
}

/// How hard the association tries to deliver a message (RFC 3758 policies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reliability {
    /// Retransmit until acknowledged.
    #[default]
    Reliable,
    /// Give up after this many retransmissions (0: send once).
    MaxRetransmits(u16),
    /// Give up once the message is this old (measured from `send`).
    MaxLifetime(Duration),
}

/// Which half of a stream a reset concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetDirection {
    /// The peer reset its outgoing stream: our incoming half is reset (the peer closed).
    Incoming,
    /// Our request to reset our outgoing stream completed; its SSN restarts at 0.
    Outgoing,
}

/// Why an association closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The SHUTDOWN sequence completed.
    Shutdown,
    /// We aborted ([`Association::abort`](crate::Association::abort)).
    LocalAbort,
    /// The peer sent ABORT.
    PeerAbort,
    /// INIT or COOKIE-ECHO went unanswered too many times.
    HandshakeTimeout,
    /// Data or heartbeats went unacknowledged too many times.
    RetransmitTimeout,
    /// The peer broke the protocol badly enough that we aborted.
    ProtocolViolation,
}

/// Something that happened, taken with [`Association::poll_event`](crate::Association::poll_event).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The association is established; data flows.
    Connected,
    /// A complete message arrived.
    Message {
        /// Stream it arrived on.
        stream: u16,
        /// Its payload protocol identifier (empty variants mapped back to 51/53).
        ppid: Ppid,
        /// True when it was sent unordered.
        unordered: bool,
        /// The message.
        data: Bytes,
    },
    /// A stream was reset.
    StreamReset {
        /// The stream.
        stream: u16,
        /// Which half.
        direction: ResetDirection,
    },
    /// A stream's unsent bytes fell to or below its threshold
    /// ([`Association::set_buffered_amount_low_threshold`](crate::Association::set_buffered_amount_low_threshold)).
    BufferedAmountLow {
        /// The stream.
        stream: u16,
    },
    /// The association is closed; no further events follow.
    Closed {
        /// Why.
        reason: CloseReason,
    },
}
