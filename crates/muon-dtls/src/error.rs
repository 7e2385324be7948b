//! The crate's one error type.

/// Everything that can go wrong in `muon-dtls`.
///
/// Peer-caused problems (`Malformed`, `PeerMisbehaved`, `BadRecordMac`, `Alert`) are kept apart
/// from local ones (`NotConnected`, `Config`, `PayloadTooLarge`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DtlsError {
    /// A record or handshake message could not be parsed.
    #[error("malformed {0:?}")]
    Malformed(Wire),
    /// The peer broke the protocol.
    #[error("peer misbehaved: {0:?}")]
    PeerMisbehaved(Misbehavior),
    /// A protected record failed authentication (or arrived for keys we do not have).
    #[error("record failed authentication")]
    BadRecordMac,
    /// A record was already received (anti-replay window, RFC 6347 section 4.1.2.6).
    #[error("replayed record")]
    Replayed,
    /// The peer sent a fatal alert.
    #[error("peer sent fatal alert {0}")]
    Alert(u8),
    /// The peer's certificate did not match any fingerprint from the SDP.
    #[error("peer certificate does not match the expected fingerprint")]
    FingerprintMismatch,
    /// The peer's certificate could not be read or used.
    #[error("unusable peer certificate")]
    BadCertificate,
    /// The handshake did not finish within the configured give-up time.
    #[error("handshake timed out")]
    HandshakeTimeout,
    /// A bounded buffer is full; the input was dropped.
    #[error("limit reached: {0:?}")]
    LimitExceeded(Limit),
    /// The operation needs an established connection.
    #[error("connection not established")]
    NotConnected,
    /// The connection is closed.
    #[error("connection closed")]
    Closed,
    /// Application data larger than a record can carry.
    #[error("payload larger than one record")]
    PayloadTooLarge,
    /// A configuration value is out of range.
    #[error("invalid configuration: {0:?}")]
    Config(ConfigError),
}

/// What could not be parsed.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// A record header or record length.
    Record,
    /// A handshake message header or a fragment outside its message.
    HandshakeHeader,
    /// A handshake message body (of the given `HandshakeType` code).
    HandshakeBody(u8),
    /// An extension block.
    Extension,
    /// An alert record.
    Alert,
    /// A ChangeCipherSpec record.
    ChangeCipherSpec,
    /// A DER structure in a certificate.
    Der,
}

/// How the peer broke the protocol.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misbehavior {
    /// A message that is not allowed in the current state.
    UnexpectedMessage,
    /// No cipher suite in common.
    NoCommonCipherSuite,
    /// No elliptic-curve group in common, or an unknown group chosen.
    NoCommonGroup,
    /// A signature scheme we do not support or did not offer.
    UnsupportedSignatureScheme,
    /// The peer did not negotiate extended_master_secret (RFC 7627, required).
    MissingExtendedMasterSecret,
    /// The peer does not offer the secure renegotiation indication (RFC 5746).
    MissingRenegotiationInfo,
    /// No SRTP protection profile in common, or one we did not offer.
    NoCommonSrtpProfile,
    /// A version other than DTLS 1.2.
    UnsupportedVersion,
    /// A signature (ServerKeyExchange or CertificateVerify) did not verify.
    BadSignature,
    /// The Finished message did not verify.
    BadFinished,
    /// The peer sent no certificate (both directions are required).
    NoCertificate,
    /// The peer's ECDHE public value was invalid.
    BadKeyShare,
    /// The server chose something the client did not offer.
    UnsolicitedChoice,
    /// The peer tried to renegotiate.
    Renegotiation,
    /// A handshake message larger than the configured limit.
    MessageTooLarge,
    /// Compression other than null.
    Compression,
}

/// Which bounded resource was full.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Handshake reassembly buffer (`Config::max_handshake_buffer`).
    HandshakeBuffer,
    /// Records of a future epoch (`Config::max_future_records`).
    FutureRecords,
    /// Application data received before the handshake finished.
    EarlyData,
    /// The 48-bit record sequence number space.
    SequenceNumbers,
}

/// A configuration value out of range.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigError {
    /// `mtu` below [`crate::Config::MIN_MTU`].
    MtuTooSmall,
    /// `mtu` above [`crate::Config::MAX_MTU`].
    MtuTooLarge,
    /// `initial_retransmit` is zero or above `max_retransmit`.
    BadTimers,
    /// No cipher suite enabled.
    NoCipherSuites,
    /// No remote fingerprint given (and the check was not dangerously disabled).
    NoRemoteFingerprint,
    /// A certificate or key could not be read.
    BadCertificate,
    /// A fingerprint string could not be parsed.
    BadFingerprint,
}
