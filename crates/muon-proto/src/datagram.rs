//! Datagrams entering and leaving a machine.

use std::net::SocketAddr;

/// A datagram a machine wants sent: the driver hands `contents` to the socket bound to
/// `source` and sends it to `destination`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The local address to send from.
    pub source: SocketAddr,
    /// The remote address to send to.
    pub destination: SocketAddr,
    /// The datagram's bytes.
    pub contents: Vec<u8>,
}

/// A datagram that arrived: `contents` came from `source` to our local `destination`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receive<'a> {
    /// The remote address the datagram came from.
    pub source: SocketAddr,
    /// The local address it arrived on.
    pub destination: SocketAddr,
    /// The datagram's bytes, borrowed from the driver's receive buffer.
    pub contents: &'a [u8],
}
