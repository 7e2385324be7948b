//! What a [`crate::Dtls`] reports.

use crate::crypto::suite::CipherSuite;
use crate::error::DtlsError;
use crate::srtp::SrtpKeyingMaterial;

/// An event from [`crate::Dtls::poll_event`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DtlsEvent {
    /// The handshake finished: the peer's certificate matched the SDP fingerprint and its
    /// signature verified.
    Connected(Connected),
    /// One application-data record's plaintext.
    ApplicationData(Vec<u8>),
    /// The connection ended; nothing more will be sent or received.
    Closed(CloseReason),
}

/// The outcome of a successful handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Connected {
    /// The negotiated cipher suite.
    pub cipher_suite: CipherSuite,
    /// SRTP keys, when use_srtp was negotiated (RFC 5764).
    pub srtp: Option<SrtpKeyingMaterial>,
    /// The peer's leaf certificate (DER).
    pub peer_certificate: Vec<u8>,
}

/// Why the connection closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The peer sent close_notify.
    PeerClosed,
    /// We called [`crate::Dtls::close`].
    LocalClose,
    /// A fatal error, ours or the peer's (a received fatal alert is [`DtlsError::Alert`]).
    Error(DtlsError),
}
