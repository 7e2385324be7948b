//! What the agent tells its driver: connection states, events and counters.

use std::net::SocketAddr;

use crate::candidate::Candidate;
use crate::config::IceRole;

/// The connection state, with the names and meaning of the W3C `RTCIceConnectionState`
/// ([webrtc-pc section 5.6](https://www.w3.org/TR/webrtc/#rtciceconnectionstate-enum)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IceConnectionState {
    /// No remote credentials yet, or nothing to check.
    New,
    /// Checking pairs; none selected yet.
    Checking,
    /// A pair is selected and has consent; checks may still run.
    Connected,
    /// A nominated pair is selected, checking is over and both sides gathered everything.
    Completed,
    /// The selected pair lost consent for a while ([`crate::IceConfig::disconnected_timeout`]);
    /// it may come back.
    Disconnected,
    /// Every pair failed after end-of-candidates, or consent expired: nothing is sent until an
    /// ICE restart.
    Failed,
    /// [`crate::IceAgent::close`] was called.
    Closed,
}

/// The 5-tuple in use: send from `local` (a base address, i.e. the local socket) to `remote`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SelectedPair {
    /// The local base the datagrams leave from.
    pub local: SocketAddr,
    /// The remote candidate's address.
    pub remote: SocketAddr,
}

/// Something the application should see, from [`crate::IceAgent::poll_event`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IceEvent {
    /// The connection state changed.
    StateChanged(IceConnectionState),
    /// A new local candidate to signal to the peer (host ones as they are added, server- and
    /// peer-reflexive ones as they are discovered).
    LocalCandidate(Candidate),
    /// Every local candidate has been gathered (after
    /// [`crate::IceAgent::end_of_local_candidates`] and the last STUN server answer or timeout):
    /// signal end-of-candidates ([RFC 8838 section 13](https://www.rfc-editor.org/rfc/rfc8838#section-13)).
    GatheringComplete,
    /// The pair used for data changed (or was first chosen).
    SelectedPair(SelectedPair),
    /// A remote candidate hides its address behind this mDNS name: resolve it and call
    /// [`crate::IceAgent::resolved_mdns`].
    ResolveMdns(String),
    /// A role conflict switched this agent's role ([RFC 8445 section 7.3.1.1](https://www.rfc-editor.org/rfc/rfc8445#section-7.3.1.1)).
    RoleChanged(IceRole),
    /// A STUN server did not answer (all retransmissions timed out).
    StunServerUnreachable(SocketAddr),
}

/// Counters: everything dropped is counted here, so tests and operators can see floods and
/// misbehaving peers without logs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct IceStats {
    /// STUN messages received and decoded.
    pub stun_received: u64,
    /// Non-STUN datagrams handed back to the caller as application data.
    pub data_received: u64,
    /// Non-STUN datagrams from unknown sources, dropped.
    pub dropped_unknown_source: u64,
    /// STUN messages that failed to decode.
    pub dropped_malformed: u64,
    /// Requests with a missing or foreign USERNAME.
    pub dropped_unknown_username: u64,
    /// Messages whose MESSAGE-INTEGRITY did not verify.
    pub dropped_bad_integrity: u64,
    /// Responses to no outstanding transaction.
    pub dropped_unexpected_response: u64,
    /// Other STUN messages dropped (other methods, unknown local address, asymmetric responses).
    pub dropped_unexpected: u64,
    /// Peer-reflexive remote candidates not learned because the table was full.
    pub dropped_remote_candidates: u64,
    /// Pairs not formed because the checklist was full.
    pub dropped_pairs: u64,
    /// Transmits dropped because the queue was full.
    pub dropped_transmits: u64,
    /// Events dropped because the queue was full.
    pub dropped_events: u64,
    /// Connectivity checks sent (retransmissions included).
    pub checks_sent: u64,
    /// Authenticated connectivity checks received and answered.
    pub checks_received: u64,
    /// Consent checks sent.
    pub consent_checks_sent: u64,
    /// Keepalive Binding indications sent.
    pub keepalives_sent: u64,
    /// Binding indications received.
    pub indications_received: u64,
    /// Role conflicts seen (487 sent or received, or a role switch).
    pub role_conflicts: u64,
    /// Remote candidates currently known (a gauge).
    pub remote_candidates: usize,
    /// Candidate pairs currently in the checklist (a gauge).
    pub pairs: usize,
    /// STUN transactions outstanding (a gauge).
    pub transactions: usize,
}
