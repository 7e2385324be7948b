//! Association settings, each a named, documented limit.

use std::time::Duration;

/// How the sender picks the next stream to send from (RFC 8260 section 3 describes schedulers).
///
/// Without I-DATA (RFC 8260) a message's fragments must occupy consecutive TSNs, so streams can
/// only be interleaved between messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Scheduler {
    /// Round robin per message: each stream with queued data sends one message in turn.
    #[default]
    RoundRobin,
    /// Fair by bytes (deficit round robin): each stream earns `quantum` bytes of credit per
    /// round and sends whole messages while its credit lasts, so a stream of small messages
    /// gets the same byte rate as a stream of large ones.
    FairBytes {
        /// Credit earned per round, in bytes.
        quantum: usize,
    },
}

/// Settings of an [`Association`](crate::Association).
///
/// `#[non_exhaustive]`: start from [`Config::default`] and change fields.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Our SCTP port (WebRTC: 5000 unless SDP `a=sctp-port` says otherwise).
    pub local_port: u16,
    /// The peer's SCTP port.
    pub remote_port: u16,
    /// Largest SCTP packet we send, in bytes (the path MTU left after DTLS/UDP/IP overhead).
    /// Change at run time with [`Association::set_mtu`](crate::Association::set_mtu).
    pub mtu: usize,
    /// Largest message accepted by `send` and reassembled on receipt (browsers: 256 KiB).
    pub max_message_size: usize,
    /// Receive buffer: bytes of received but undelivered data we hold (out-of-order chunks,
    /// partial messages, messages not yet taken with `poll_event`). Advertised as a_rwnd.
    pub receive_buffer: u32,
    /// Send buffer: bytes queued by `send` plus bytes sent but not yet acknowledged.
    pub max_send_buffer: usize,
    /// Number of outbound and inbound streams we offer.
    pub streams: u16,
    /// Initial congestion window, in bytes.
    pub initial_cwnd: usize,
    /// Initial retransmission timeout.
    pub rto_initial: Duration,
    /// Lower bound of the retransmission timeout.
    pub rto_min: Duration,
    /// Upper bound of the retransmission timeout.
    pub rto_max: Duration,
    /// Longest we delay a SACK (RFC 9260 section 6.2: at most 500 ms).
    pub sack_delay: Duration,
    /// Idle time after which a HEARTBEAT probes the peer.
    pub heartbeat_interval: Duration,
    /// Consecutive retransmission timeouts (or unanswered heartbeats) after which the
    /// association is closed (Association.Max.Retrans). `None`: never give up.
    pub max_retransmissions: Option<u32>,
    /// INIT / COOKIE-ECHO retransmissions before giving up (Max.Init.Retransmits).
    pub max_init_retransmissions: u32,
    /// How long a state cookie stays valid (Valid.Cookie.Life).
    pub cookie_lifetime: Duration,
    /// Offer and accept the zero checksum of RFC 9653 (safe only under DTLS).
    pub zero_checksum: bool,
    /// Stream scheduler.
    pub scheduler: Scheduler,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            local_port: 5000,
            remote_port: 5000,
            mtu: 1200,
            max_message_size: 256 * 1024,
            receive_buffer: 4 * 1024 * 1024,
            max_send_buffer: 16 * 1024 * 1024,
            streams: 65535,
            initial_cwnd: 10 * 1200,
            rto_initial: Duration::from_millis(1000),
            rto_min: Duration::from_millis(400),
            rto_max: Duration::from_secs(60),
            sack_delay: Duration::from_millis(200),
            heartbeat_interval: Duration::from_secs(30),
            max_retransmissions: Some(10),
            max_init_retransmissions: 8,
            cookie_lifetime: Duration::from_secs(60),
            zero_checksum: false,
            scheduler: Scheduler::RoundRobin,
        }
    }
}
