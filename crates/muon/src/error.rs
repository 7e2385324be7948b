//! The crate's one error type.

use muon_rtc::RtcError;

/// Everything that can go wrong in the `muon` API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The engine refused the call; the inner error says why (a bad remote description
    /// names the problem in [`muon_rtc::SdpError`]).
    #[error(transparent)]
    Rtc(#[from] RtcError),
    /// A socket could not be bound or no local address was usable.
    #[error("socket: {0}")]
    Io(#[from] std::io::Error),
    /// The [`crate::UdpMux`] holds as many peer connections as it may.
    #[error("the UDP mux is full")]
    MuxFull,
    /// Every port of [`crate::Config::udp_ports`] was taken on every address.
    #[error("no free UDP port in {low}-{high} on the chosen addresses")]
    NoFreePort {
        /// First port of the range.
        low: u16,
        /// Last port of the range.
        high: u16,
    },
    /// No local address passed the interface filter.
    #[error("no usable local address")]
    NoLocalAddress,
    /// The operating system's random source failed.
    #[error("no OS randomness")]
    Randomness,
    /// The peer connection is closed (or its driver task stopped).
    #[error("peer connection closed")]
    Closed,
    /// The data channel closed before or while sending.
    #[error("data channel closed")]
    ChannelClosed,
}
