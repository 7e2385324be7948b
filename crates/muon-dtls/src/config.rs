//! Configuration of a DTLS endpoint.

use std::time::Duration;

use crate::cert::{Certificate, Fingerprint};
use crate::crypto::suite::CipherSuite;
use crate::error::{ConfigError, DtlsError};
use crate::srtp::SrtpProfile;

/// Which side of the handshake we play. WebRTC derives it from `a=setup` (RFC 8842 section 5):
/// `active` is the DTLS client, `passive` the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Sends the ClientHello.
    Client,
    /// Answers ClientHellos, with a stateless cookie exchange first unless
    /// [`Config::cookie_exchange`] is off.
    Server,
}

/// Settings of one DTLS endpoint. Build with [`Config::new`], then adjust the public fields.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// Our certificate (sent in both roles: WebRTC authenticates both sides).
    pub certificate: Certificate,
    /// Fingerprints from the peer's SDP; its certificate must match one of them.
    pub remote_fingerprints: Vec<Fingerprint>,
    /// Cipher suites in order of preference.
    pub cipher_suites: Vec<CipherSuite>,
    /// SRTP protection profiles to offer/accept, in order of preference (RFC 5764). Empty
    /// disables use_srtp (data-channel-only sessions).
    pub srtp_profiles: Vec<SrtpProfile>,
    /// Largest datagram we send during the handshake; messages are fragmented to fit.
    /// Default 1200, between [`Config::MIN_MTU`] and [`Config::MAX_MTU`].
    pub mtu: usize,
    /// First retransmission timeout (RFC 6347 section 4.2.4.1 recommends 1 s).
    pub initial_retransmit: Duration,
    /// Ceiling of the doubling retransmission timeout (RFC 6347: at least 60 s).
    pub max_retransmit: Duration,
    /// The handshake gives up after this long without finishing. Default 30 s.
    pub handshake_timeout: Duration,
    /// Largest handshake message body we reassemble (bytes). Default 16 KiB, enough for a
    /// certificate chain; larger messages are a protocol error.
    pub max_handshake_message: usize,
    /// Total bytes of handshake fragments buffered for reassembly. Default 64 KiB.
    pub max_handshake_buffer: usize,
    /// How many messages ahead of the next expected one we buffer. Default 16.
    pub max_messages_ahead: u16,
    /// Records of the next epoch kept until its keys exist (RFC 6347 section 4.1). Default 16.
    pub max_future_records: usize,
    /// Application-data records that arrive before the handshake completes, kept and
    /// delivered after `Connected`. Default 16.
    pub max_early_data_records: usize,
    /// Whether a server answers a ClientHello without a valid cookie with a stateless
    /// HelloVerifyRequest (RFC 6347 section 4.2.1). Default `true`: a server reachable from
    /// any address needs the cookie, or a spoofed ClientHello makes it send its whole first
    /// flight (a certificate, several times the hello's size) to the victim and keep state.
    ///
    /// Turning it off saves one round trip: the first ClientHello is answered with the
    /// ServerHello flight at once. RFC 6347 section 4.2.1 allows this ("If the server is
    /// being operated in an environment where amplification is not a problem, the server MAY
    /// be configured not to perform a cookie exchange. The default SHOULD be that the exchange
    /// is performed, however."). That environment is WebRTC when the layer below hands DTLS
    /// only datagrams from a source address ICE already validated with an authenticated
    /// connectivity check (RFC 8445 section 7.2.5, consent RFC 7675). A client always accepts
    /// both ways; the setting is ignored in [`Role::Client`].
    pub cookie_exchange: bool,
    dangerous_skip_fingerprint_check: bool,
}

impl Config {
    /// Smallest accepted `mtu`: room for a record header, AEAD overhead, a handshake header and
    /// a useful fragment.
    pub const MIN_MTU: usize = 200;

    /// Largest accepted `mtu`: a record's plaintext is at most 2^14 bytes (RFC 5246 section
    /// 6.2.1), so bigger datagrams could not be filled by handshake fragments anyway.
    pub const MAX_MTU: usize = 16384;

    /// A configuration with our certificate and the peer's fingerprints from SDP, all
    /// cipher suites and both SRTP profiles enabled, and the defaults above.
    pub fn new(certificate: Certificate, remote_fingerprints: Vec<Fingerprint>) -> Self {
        Self {
            certificate,
            remote_fingerprints,
            cipher_suites: CipherSuite::ALL.to_vec(),
            srtp_profiles: vec![SrtpProfile::AeadAes128Gcm, SrtpProfile::Aes128CmHmacSha1_80],
            mtu: 1200,
            initial_retransmit: Duration::from_secs(1),
            max_retransmit: Duration::from_secs(60),
            handshake_timeout: Duration::from_secs(30),
            max_handshake_message: 16 * 1024,
            max_handshake_buffer: 64 * 1024,
            max_messages_ahead: 16,
            max_future_records: 16,
            max_early_data_records: 16,
            cookie_exchange: true,
            dangerous_skip_fingerprint_check: false,
        }
    }

    /// Accepts any peer certificate. This removes the only authentication WebRTC has: anyone
    /// on the path can impersonate the peer. For tests and debugging only.
    pub fn dangerous_skip_fingerprint_check(mut self) -> Self {
        self.dangerous_skip_fingerprint_check = true;
        self
    }

    pub(crate) fn skips_fingerprint_check(&self) -> bool {
        self.dangerous_skip_fingerprint_check
    }

    pub(crate) fn validate(&self) -> Result<(), DtlsError> {
        if self.mtu < Self::MIN_MTU {
            return Err(DtlsError::Config(ConfigError::MtuTooSmall));
        }
        if self.mtu > Self::MAX_MTU {
            return Err(DtlsError::Config(ConfigError::MtuTooLarge));
        }
        if self.initial_retransmit.is_zero() || self.max_retransmit < self.initial_retransmit {
            return Err(DtlsError::Config(ConfigError::BadTimers));
        }
        if self.cipher_suites.is_empty() {
            return Err(DtlsError::Config(ConfigError::NoCipherSuites));
        }
        if self.remote_fingerprints.is_empty() && !self.dangerous_skip_fingerprint_check {
            return Err(DtlsError::Config(ConfigError::NoRemoteFingerprint));
        }
        Ok(())
    }
}
