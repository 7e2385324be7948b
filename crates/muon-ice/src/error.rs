//! The one error type of this crate.

use muon_stun::StunError;

/// Why the agent or the mux refused an input or a call.
///
/// Variants up to [`IceError::UnexpectedResponse`] are caused by the network: count them and
/// drop the datagram (the agent has already counted them in [`crate::IceStats`]). The rest are
/// local: a limit reached or an API misused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IceError {
    /// A datagram that looked like STUN failed to decode.
    #[error("malformed STUN message: {0}")]
    Malformed(StunError),
    /// A STUN request without USERNAME, MESSAGE-INTEGRITY or FINGERPRINT, or whose USERNAME
    /// does not name this agent's ufrag (wrong ufrag, restart leftovers, scans).
    #[error("STUN request for an unknown username")]
    UnknownUsername,
    /// MESSAGE-INTEGRITY did not verify with the expected password.
    #[error("STUN message failed integrity check")]
    BadIntegrity,
    /// A datagram that is not STUN from an address that is no remote candidate.
    #[error("non-STUN datagram from an unknown source")]
    UnknownSource,
    /// A STUN message this agent has no use for (a non-Binding method, a Binding request
    /// arriving at an address that is no local candidate, a response from the wrong address).
    #[error("unexpected STUN message")]
    Unexpected,
    /// A STUN response to no outstanding transaction (late, duplicate or forged).
    #[error("STUN response matches no transaction")]
    UnexpectedResponse,
    /// A bounded table is full (see [`crate::IceConfig`] and [`crate::MuxConfig`]).
    #[error("limit reached: {0:?}")]
    Limit(Limit),
    /// A candidate was refused (see [`CandidateRejection`]).
    #[error("candidate rejected: {0:?}")]
    CandidateRejected(CandidateRejection),
    /// `send` without a selected pair.
    #[error("no selected candidate pair")]
    NotConnected,
    /// `send` after consent expired ([RFC 7675 section 5.1](https://www.rfc-editor.org/rfc/rfc7675#section-5.1)):
    /// the agent stops sending until an ICE restart.
    #[error("consent to send expired")]
    ConsentExpired,
    /// The agent was closed.
    #[error("agent closed")]
    Closed,
    /// A call that this agent's configuration forbids (e.g. gathering on an ICE-lite agent).
    #[error("operation not allowed in this configuration")]
    ApiMisuse,
    /// Credentials that ICE does not allow: ufrag 4 to [`crate::MAX_UFRAG_LEN`] and password 22 to 256 `ice-char`s
    /// ([RFC 8839 section 5.4](https://www.rfc-editor.org/rfc/rfc8839#section-5.4)).
    #[error("invalid ICE credentials")]
    InvalidCredentials,
    /// The mux knows no agent with that id.
    #[error("unknown agent id")]
    UnknownAgent,
}

/// Which bounded table was full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// Local candidates ([`crate::IceConfig::max_local_candidates`]).
    LocalCandidates,
    /// Remote candidates ([`crate::IceConfig::max_remote_candidates`]).
    RemoteCandidates,
    /// Candidate pairs ([`crate::IceConfig::max_pairs`]).
    Pairs,
    /// Unresolved mDNS candidates ([`crate::IceConfig::max_pending_mdns`]).
    PendingMdns,
    /// STUN servers ([`crate::MAX_STUN_SERVERS`]).
    StunServers,
    /// Agents in a mux ([`crate::MuxConfig::max_agents`]).
    Agents,
}

/// Why a candidate was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CandidateRejection {
    /// The host filter excludes this address (family, loopback, link-local).
    Filtered,
    /// An unspecified (0.0.0.0, ::), multicast or port-0 address.
    Unusable,
    /// Already known.
    Duplicate,
    /// A component other than [`crate::COMPONENT_ID`], or a malformed foundation.
    Malformed,
    /// A name that is not an mDNS `.local` name.
    NotMdns,
}

impl From<StunError> for IceError {
    fn from(e: StunError) -> Self {
        match e {
            StunError::IntegrityMismatch | StunError::NoIntegrity => Self::BadIntegrity,
            other => Self::Malformed(other),
        }
    }
}
