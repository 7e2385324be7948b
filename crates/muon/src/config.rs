//! Settings of a [`crate::PeerConnection`].

use std::net::SocketAddr;

use muon_rtc::{DEFAULT_MAX_MESSAGE_SIZE, Limits};

/// Which local interfaces give host candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct InterfaceFilter {
    /// The address of the default IPv4 route.
    pub ipv4: bool,
    /// The address of the default IPv6 route.
    pub ipv6: bool,
    /// Loopback (127.0.0.1, and ::1 with `ipv6`): for two peers on one machine and tests.
    pub loopback: bool,
}

impl Default for InterfaceFilter {
    fn default() -> Self {
        Self {
            ipv4: true,
            ipv6: true,
            loopback: false,
        }
    }
}

impl InterfaceFilter {
    /// Loopback only (127.0.0.1): what tests on one machine use.
    pub fn loopback_only() -> Self {
        Self {
            ipv4: false,
            ipv6: false,
            loopback: true,
        }
    }
}

/// Settings of a [`crate::PeerConnection`]. Start from [`Config::default`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// STUN servers for server-reflexive candidates.
    pub stun_servers: Vec<SocketAddr>,
    /// Which interfaces give host candidates.
    pub interfaces: InterfaceFilter,
    /// Largest message received (`a=max-message-size`).
    pub max_message_size: usize,
    /// `DataChannel::send` waits while the channel has more than this many bytes queued.
    pub send_high_water: usize,
    /// Messages buffered per channel for `recv` before the driver stops reading from SCTP
    /// (whose window then closes, slowing the sender).
    pub channel_queue: usize,
    /// Peer events buffered for `next_event`; when full, further events are dropped and
    /// counted (data channel messages are never dropped this way).
    pub event_queue: usize,
    /// Limits of the engine's queues.
    pub limits: Limits,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            stun_servers: Vec::new(),
            interfaces: InterfaceFilter::default(),
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            send_high_water: 1024 * 1024,
            channel_queue: 256,
            event_queue: 1024,
            limits: Limits::default(),
        }
    }
}

impl Config {
    /// Sets the interface filter.
    #[must_use]
    pub fn with_interfaces(mut self, interfaces: InterfaceFilter) -> Self {
        self.interfaces = interfaces;
        self
    }

    /// Adds a STUN server.
    #[must_use]
    pub fn with_stun_server(mut self, server: SocketAddr) -> Self {
        self.stun_servers.push(server);
        self
    }
}
