//! Engine settings and the limits on every queue between layers.

use std::net::SocketAddr;

use muon_dtls::Certificate;
use muon_ice::HostFilter;

/// Largest message muon accepts and announces (`a=max-message-size`), as browsers do.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 256 * 1024;

/// The SCTP port muon announces (`a=sctp-port`, RFC 8841 section 5).
pub const DEFAULT_SCTP_PORT: u16 = 5000;

/// Bounds of the queues between layers. Each overflow is refused or counted, never a panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// DTLS datagrams held while their source is not yet validated by ICE, or before the
    /// DTLS endpoint exists (the peer may start its handshake before our answer arrives).
    /// Oldest dropped first.
    pub max_early_datagrams: usize,
    /// Total bytes of those datagrams.
    pub max_early_bytes: usize,
    /// Data channels open or opening at once.
    pub max_channels: usize,
    /// Channels created before SCTP is up, waiting to send their DCEP OPEN.
    pub max_pending_opens: usize,
    /// Bytes queued in one channel and not yet sent (its `buffered_amount`); `send` fails
    /// beyond. The SCTP association's total send buffer bounds all channels together.
    pub max_channel_buffer: usize,
    /// Events (messages included) queued for [`crate::Rtc::poll_event`] before the engine
    /// stops taking messages from SCTP, whose receive window then closes: back-pressure
    /// reaches the sender.
    pub max_queued_events: usize,
    /// Bytes of messages queued for [`crate::Rtc::poll_event`] (same effect).
    pub max_queued_event_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_early_datagrams: 32,
            max_early_bytes: 64 * 1024,
            max_channels: 1024,
            max_pending_opens: 1024,
            max_channel_buffer: 8 * 1024 * 1024,
            max_queued_events: 1024,
            max_queued_event_bytes: 4 * 1024 * 1024,
        }
    }
}

/// Settings of an [`crate::Rtc`]. Start from [`RtcConfig::default`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RtcConfig {
    /// Our DTLS certificate; generated from the engine's RNG when `None`.
    pub certificate: Option<Certificate>,
    /// Which host addresses are used as ICE candidates (loopback is off by default).
    pub host_filter: HostFilter,
    /// STUN servers to learn server-reflexive candidates from.
    pub stun_servers: Vec<SocketAddr>,
    /// Largest message we receive, announced as `a=max-message-size`.
    pub max_message_size: usize,
    /// Our SCTP port (`a=sctp-port`).
    pub sctp_port: u16,
    /// Queue limits.
    pub limits: Limits,
}

impl Default for RtcConfig {
    fn default() -> Self {
        Self {
            certificate: None,
            host_filter: HostFilter::default(),
            stun_servers: Vec::new(),
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            sctp_port: DEFAULT_SCTP_PORT,
            limits: Limits::default(),
        }
    }
}

impl RtcConfig {
    /// Sets the host filter (e.g. [`HostFilter::all`] to allow loopback in tests).
    #[must_use]
    pub fn with_host_filter(mut self, filter: HostFilter) -> Self {
        self.host_filter = filter;
        self
    }

    /// Uses this certificate instead of generating one.
    #[must_use]
    pub fn with_certificate(mut self, certificate: Certificate) -> Self {
        self.certificate = Some(certificate);
        self
    }

    /// Adds a STUN server.
    #[must_use]
    pub fn with_stun_server(mut self, server: SocketAddr) -> Self {
        self.stun_servers.push(server);
        self
    }

    /// Sets the queue limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}
