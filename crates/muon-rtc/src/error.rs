//! The crate's one error type.

use crate::channel::ChannelId;

/// Everything that can go wrong in `muon-rtc`.
///
/// Problems with a remote description are [`RtcError::Sdp`], naming what is wrong; the engine
/// is left exactly as it was, so the caller can try another description. Datagrams the
/// engine drops come back as [`RtcError::Dropped`] for the caller to count.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RtcError {
    /// A remote (or hand-edited local) description was refused.
    #[error("bad session description: {0}")]
    Sdp(#[from] SdpError),
    /// The call is not allowed in the current signaling state (JSEP, RFC 8829 section 3.2).
    #[error("not allowed in signaling state {0:?}")]
    InvalidState(crate::SignalingState),
    /// The peer connection was closed.
    #[error("peer connection closed")]
    Closed,
    /// A trickled candidate could not be used.
    #[error("bad ICE candidate")]
    BadCandidate,
    /// No channel with this id.
    #[error("no data channel {0:?}")]
    NoSuchChannel(ChannelId),
    /// The channel is not open (still connecting, closing or closed).
    #[error("data channel is not open")]
    ChannelNotOpen,
    /// A negotiated stream id is already in use, or odd/even against the DTLS role.
    #[error("stream id {0} is not available")]
    StreamIdUnavailable(u16),
    /// A label or protocol longer than 65535 bytes.
    #[error("label or protocol too long")]
    LabelTooLong,
    /// Both `max_retransmits` and `max_packet_lifetime` were set (W3C forbids it).
    #[error("max_retransmits and max_packet_lifetime are exclusive")]
    ConflictingReliability,
    /// A message larger than the negotiated maximum message size (RFC 8841 section 6).
    #[error("message of {size} bytes exceeds the maximum of {max}")]
    MessageTooLarge {
        /// The refused message's size.
        size: usize,
        /// The limit in force.
        max: usize,
    },
    /// A bounded queue is full; see [`crate::Limits`].
    #[error("limit reached: {0:?}")]
    Limit(Limit),
    /// A received datagram was dropped; counted in [`crate::RtcStats`].
    #[error("datagram dropped: {0:?}")]
    Dropped(DropReason),
}

/// What is wrong with a session description. Each names one problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SdpError {
    /// The text is not SDP (RFC 8866); the parser's error says where.
    #[error("does not parse: {0}")]
    Parse(muon_sdp::ParseError),
    /// No usable `m=application ... UDP/DTLS/SCTP webrtc-datachannel` section.
    #[error("no data channel (UDP/DTLS/SCTP) media section")]
    NoApplicationSection,
    /// The data channel section has no `a=mid`.
    #[error("media section without a=mid")]
    MissingMid,
    /// No `a=ice-ufrag` at media or session level.
    #[error("missing a=ice-ufrag")]
    MissingIceUfrag,
    /// No `a=ice-pwd` at media or session level.
    #[error("missing a=ice-pwd")]
    MissingIcePwd,
    /// The ICE ufrag or password breaks RFC 8839 section 5.4 (length or characters).
    #[error("invalid ICE ufrag or password")]
    InvalidIceCredentials,
    /// New ICE credentials in a renegotiation: ICE restart is not supported yet.
    #[error("ICE restart is not supported")]
    IceRestartUnsupported,
    /// No `a=fingerprint` at media or session level.
    #[error("missing a=fingerprint")]
    MissingFingerprint,
    /// Fingerprints present, but none with a hash muon supports (SHA-256/384/512) and the
    /// right length.
    #[error("no a=fingerprint with a supported hash")]
    UnsupportedFingerprint,
    /// A different certificate fingerprint in a renegotiation.
    #[error("fingerprint changed in renegotiation")]
    FingerprintChanged,
    /// No `a=setup`.
    #[error("missing a=setup")]
    MissingSetup,
    /// An `a=setup` value that is not allowed here (RFC 8842 section 5: offers use
    /// `actpass`, answers `active` or `passive`).
    #[error("a=setup:{0} is not allowed here")]
    WrongSetup(muon_sdp::Setup),
    /// An answer whose media sections do not match the offer's (count, kind or mid).
    #[error("media section {index} does not match the offer")]
    MediaSectionMismatch {
        /// The index of the first offending `m=` line.
        index: usize,
    },
    /// The answer rejected the data channel section (port 0).
    #[error("the answer rejected the data channel section")]
    ApplicationRejected,
    /// The description's type does not fit (an answer where an offer is expected).
    #[error("unexpected description type")]
    WrongType,
}

/// Which bounded resource was full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// [`crate::Limits::max_channels`].
    Channels,
    /// [`crate::Limits::max_pending_opens`].
    PendingOpens,
    /// [`crate::Limits::max_channel_buffer`], or the SCTP send buffer.
    ChannelBuffer,
    /// The stream id space (65535 streams, half per DTLS role).
    StreamIds,
}

/// Why a received datagram was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DropReason {
    /// Its first byte fits no protocol of RFC 7983.
    UnknownProtocol,
    /// ICE refused it (bad STUN, unknown source, ...).
    Ice(muon_ice::IceError),
    /// DTLS refused it (malformed, bad MAC, replayed, ...).
    Dtls(muon_dtls::DtlsError),
    /// SCTP refused the decrypted packet.
    Sctp(muon_sctp::SctpError),
    /// DTLS from an address ICE has not validated, while the queue for such datagrams
    /// ([`crate::Limits::max_early_datagrams`]) was full.
    EarlyQueueFull,
    /// RTP/RTCP: media is not supported yet.
    Media,
    /// Nothing is negotiated yet, or the connection is closed.
    NotReady,
}
