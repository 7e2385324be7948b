//! Settings of a [`crate::PeerConnection`].

use std::net::{IpAddr, SocketAddr};

use muon_rtc::{Certificate, DEFAULT_MAX_MESSAGE_SIZE, Limits};

use crate::mux::UdpMux;

/// Which local addresses give host candidates: kinds of interface addresses, named
/// interfaces, and explicit addresses, together.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InterfaceFilter {
    /// Every IPv4 address of every interface that is up, except loopback and link-local
    /// (169.254/16).
    pub ipv4: bool,
    /// Every IPv6 address of every interface that is up, except loopback and link-local
    /// (fe80::/10, which needs a scope id).
    pub ipv6: bool,
    /// Loopback (127.0.0.1, and ::1 with `ipv6`): for two peers on one machine and tests.
    pub loopback: bool,
    /// Every address (loopback and link-local aside) of the interfaces with these names.
    pub names: Vec<String>,
    /// These addresses, as they are.
    pub addresses: Vec<IpAddr>,
}

impl Default for InterfaceFilter {
    fn default() -> Self {
        Self {
            ipv4: true,
            ipv6: true,
            loopback: false,
            names: Vec::new(),
            addresses: Vec::new(),
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
            names: Vec::new(),
            addresses: Vec::new(),
        }
    }

    /// Nothing but these addresses.
    pub fn addresses(addresses: impl IntoIterator<Item = IpAddr>) -> Self {
        Self {
            ipv4: false,
            ipv6: false,
            loopback: false,
            names: Vec::new(),
            addresses: addresses.into_iter().collect(),
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
    /// Serve on this shared port instead of binding sockets of our own; `interfaces` and
    /// `udp_ports` are then unused (the mux's addresses are the host candidates).
    pub mux: Option<UdpMux>,
    /// Bind our own sockets on a port in this inclusive range (a firewall's opening)
    /// instead of an ephemeral one.
    pub udp_ports: Option<(u16, u16)>,
    /// The DTLS certificate; a fresh one per connection when `None`. Sharing one
    /// ([`generate_certificate`]) saves a key generation per connection and lets peers pin
    /// its fingerprint.
    pub certificate: Option<Certificate>,
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
            mux: None,
            udp_ports: None,
            certificate: None,
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

    /// Serves on a shared [`UdpMux`] port.
    #[must_use]
    pub fn with_mux(mut self, mux: UdpMux) -> Self {
        self.mux = Some(mux);
        self
    }

    /// Binds own sockets on a port in `low..=high`.
    #[must_use]
    pub fn with_udp_ports(mut self, low: u16, high: u16) -> Self {
        self.udp_ports = Some((low, high));
        self
    }

    /// Uses this DTLS certificate.
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
}

/// A fresh self-signed ECDSA P-256 certificate, keyed from the OS's randomness, to share
/// between connections ([`Config::with_certificate`]).
pub fn generate_certificate() -> Result<Certificate, crate::Error> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|_| crate::Error::Randomness)?;
    Ok(Certificate::generate(&mut muon_proto::Rng::from_seed(seed)))
}
