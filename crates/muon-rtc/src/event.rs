//! What the engine reports through [`crate::Rtc::poll_event`].

use bytes::Bytes;

use crate::channel::ChannelId;
use crate::state::{DtlsTransportState, IceConnectionState, PeerConnectionState, SignalingState};

/// An event from [`crate::Rtc::poll_event`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RtcEvent {
    /// A local candidate to trickle to the peer: the `candidate:...` attribute value for
    /// media section `mid` (JS `RTCIceCandidate.candidate` / `sdpMid`).
    IceCandidate {
        /// `candidate:<foundation> 1 udp ...`, without `a=`.
        candidate: String,
        /// The media section it belongs to.
        mid: String,
    },
    /// Every local candidate was gathered; the local description now holds them all
    /// (non-trickle signaling can send it) and `a=end-of-candidates`.
    IceGatheringComplete,
    /// `iceconnectionstatechange`.
    IceConnectionState(IceConnectionState),
    /// DTLS transport `statechange`.
    DtlsState(DtlsTransportState),
    /// `connectionstatechange`.
    PeerConnectionState(PeerConnectionState),
    /// `signalingstatechange`.
    SignalingState(SignalingState),
    /// The peer opened a data channel (DCEP, RFC 8832) - `ondatachannel`. An
    /// [`RtcEvent::ChannelOpen`] follows.
    DataChannel(ChannelId),
    /// A channel is open: messages can be sent.
    ChannelOpen(ChannelId),
    /// A message arrived on a channel.
    ChannelMessage {
        /// The channel.
        id: ChannelId,
        /// Binary (`true`) or text (`false`, UTF-8 as sent; not validated here).
        binary: bool,
        /// The message.
        data: Bytes,
    },
    /// The channel's buffered amount fell to or below its low threshold.
    ChannelBufferedAmountLow(ChannelId),
    /// The channel is closed (by either side, or with the connection); its id is gone.
    ChannelClosed(ChannelId),
    /// The transport failed; the state events say which layer. No more data flows.
    Failed(FailReason),
    /// A remote candidate hides behind this mDNS name; resolution is not done by muon yet
    /// (browsers' checks reveal the address as peer-reflexive anyway).
    ResolveMdns(String),
}

/// Why the transport failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailReason {
    /// ICE found no working pair, or consent expired (RFC 7675: the peer vanished).
    Ice,
    /// The peer's certificate did not match the SDP fingerprint.
    FingerprintMismatch,
    /// The DTLS handshake or connection failed.
    Dtls(muon_dtls::DtlsError),
    /// The SCTP association ended abnormally.
    Sctp(muon_sctp::CloseReason),
}
