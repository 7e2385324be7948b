//! Data channels ([RFC 8831](https://www.rfc-editor.org/rfc/rfc8831)): ids, settings, state
//! and the borrowed [`Channel`] handle.

use std::time::Duration;

use bytes::Bytes;
use muon_sctp::Reliability;

use crate::dcep::{ChannelType, Open};
use crate::error::RtcError;
use crate::rtc::Rtc;

/// A data channel's handle within one [`Rtc`]: a `Copy` id, never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelId(pub(crate) u64);

/// `RTCDataChannelInit`: how a channel delivers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DataChannelInit {
    /// In-order delivery (default `true`).
    pub ordered: Option<bool>,
    /// Give up on a message after this many retransmissions (partial reliability,
    /// RFC 3758). Exclusive with `max_packet_lifetime`.
    pub max_retransmits: Option<u16>,
    /// Give up on a message this long after `send`. Exclusive with `max_retransmits`.
    pub max_packet_lifetime: Option<Duration>,
    /// Sub-protocol name, sent in DCEP.
    pub protocol: String,
    /// `Some(id)`: negotiated out of band on SCTP stream `id`, no DCEP (both sides create it).
    pub negotiated: Option<u16>,
}

impl DataChannelInit {
    /// Unordered delivery.
    #[must_use]
    pub fn unordered(mut self) -> Self {
        self.ordered = Some(false);
        self
    }

    /// At most `n` retransmissions per message.
    #[must_use]
    pub fn with_max_retransmits(mut self, n: u16) -> Self {
        self.max_retransmits = Some(n);
        self
    }

    /// Messages expire after `lifetime`.
    #[must_use]
    pub fn with_max_packet_lifetime(mut self, lifetime: Duration) -> Self {
        self.max_packet_lifetime = Some(lifetime);
        self
    }

    /// A negotiated channel on stream `id`.
    #[must_use]
    pub fn negotiated(mut self, id: u16) -> Self {
        self.negotiated = Some(id);
        self
    }

    /// Sets the sub-protocol.
    #[must_use]
    pub fn with_protocol(mut self, protocol: impl Into<String>) -> Self {
        self.protocol = protocol.into();
        self
    }
}

/// `RTCDataChannelState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelState {
    /// Waiting for SCTP (and, for negotiated channels, nothing else).
    Connecting,
    /// Messages flow.
    Open,
    /// A stream reset is in progress.
    Closing,
    /// Closed.
    Closed,
}

/// Delivery settings of a channel, as DCEP carries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Delivery {
    pub(crate) ordered: bool,
    pub(crate) reliability: Reliability,
}

impl Delivery {
    pub(crate) fn from_init(init: &DataChannelInit) -> Result<Self, RtcError> {
        let reliability = match (init.max_retransmits, init.max_packet_lifetime) {
            (Some(_), Some(_)) => return Err(RtcError::ConflictingReliability),
            (Some(n), None) => Reliability::MaxRetransmits(n),
            (None, Some(d)) => Reliability::MaxLifetime(d),
            (None, None) => Reliability::Reliable,
        };
        Ok(Self {
            ordered: init.ordered.unwrap_or(true),
            reliability,
        })
    }

    /// From a received OPEN ([RFC 8832 section 5.1](https://www.rfc-editor.org/rfc/rfc8832#section-5.1)).
    /// Unknown types are treated as reliable.
    pub(crate) fn from_open(open: &Open) -> Self {
        let reliability = match open.channel_type.base() {
            ChannelType::PARTIAL_RELIABLE_REXMIT => {
                Reliability::MaxRetransmits(u16::try_from(open.reliability).unwrap_or(u16::MAX))
            }
            ChannelType::PARTIAL_RELIABLE_TIMED => {
                Reliability::MaxLifetime(Duration::from_millis(u64::from(open.reliability)))
            }
            _ => Reliability::Reliable,
        };
        Self {
            ordered: open.channel_type.ordered(),
            reliability,
        }
    }

    /// The OPEN's channel type and reliability parameter.
    pub(crate) fn to_wire(self) -> (ChannelType, u32) {
        let (base, param) = match self.reliability {
            Reliability::Reliable => (ChannelType::RELIABLE, 0),
            Reliability::MaxRetransmits(n) => (ChannelType::PARTIAL_RELIABLE_REXMIT, u32::from(n)),
            Reliability::MaxLifetime(d) => (
                ChannelType::PARTIAL_RELIABLE_TIMED,
                u32::try_from(d.as_millis()).unwrap_or(u32::MAX),
            ),
        };
        let unordered = if self.ordered {
            0
        } else {
            ChannelType::UNORDERED_BIT
        };
        (ChannelType(base.0 | unordered), param)
    }
}

/// The engine's record of one channel.
#[derive(Debug, Clone)]
pub(crate) struct ChannelEntry {
    pub(crate) label: String,
    pub(crate) protocol: String,
    pub(crate) delivery: Delivery,
    pub(crate) negotiated: bool,
    /// The SCTP stream, once assigned (at creation for negotiated channels, when the DTLS
    /// role is known otherwise).
    pub(crate) stream: Option<u16>,
    pub(crate) state: ChannelState,
    /// RFC 8832 section 6: until the ACK (or any message) arrives, the opener sends ordered.
    pub(crate) acked: bool,
    pub(crate) reset_in: bool,
    pub(crate) reset_out: bool,
    pub(crate) low_threshold: usize,
}

/// A borrowed handle on one channel of an [`Rtc`], from [`Rtc::channel`].
#[derive(Debug)]
pub struct Channel<'a> {
    pub(crate) rtc: &'a mut Rtc,
    pub(crate) id: ChannelId,
}

impl Channel<'_> {
    fn entry(&self) -> Option<&ChannelEntry> {
        self.rtc.channels.get(&self.id)
    }

    /// The channel's id.
    pub fn id(&self) -> ChannelId {
        self.id
    }

    /// The label.
    pub fn label(&self) -> &str {
        self.entry().map_or("", |e| e.label.as_str())
    }

    /// The sub-protocol.
    pub fn protocol(&self) -> &str {
        self.entry().map_or("", |e| e.protocol.as_str())
    }

    /// The SCTP stream id, once assigned.
    pub fn stream_id(&self) -> Option<u16> {
        self.entry().and_then(|e| e.stream)
    }

    /// Whether delivery is in order.
    pub fn ordered(&self) -> bool {
        self.entry().is_none_or(|e| e.delivery.ordered)
    }

    /// `maxRetransmits`: `Some(n)` when the channel gives up on a message after `n`
    /// retransmissions ([RFC 8831 section 6.4](https://www.rfc-editor.org/rfc/rfc8831#section-6.4)).
    pub fn max_retransmits(&self) -> Option<u16> {
        match self.entry()?.delivery.reliability {
            Reliability::MaxRetransmits(n) => Some(n),
            _ => None,
        }
    }

    /// `maxPacketLifeTime`: `Some(d)` when the channel gives up on a message `d` after it was
    /// sent.
    pub fn max_packet_lifetime(&self) -> Option<Duration> {
        match self.entry()?.delivery.reliability {
            Reliability::MaxLifetime(d) => Some(d),
            _ => None,
        }
    }

    /// The state.
    pub fn state(&self) -> ChannelState {
        self.entry().map_or(ChannelState::Closed, |e| e.state)
    }

    /// Bytes queued and not yet sent (`bufferedAmount`).
    pub fn buffered_amount(&self) -> usize {
        self.rtc.buffered_amount(self.id)
    }

    /// Emits [`crate::RtcEvent::ChannelBufferedAmountLow`] when the buffered amount falls to
    /// or below `threshold` (`bufferedAmountLowThreshold`).
    pub fn set_buffered_amount_low_threshold(&mut self, threshold: usize) {
        self.rtc.set_low_threshold(self.id, threshold);
    }

    /// Queues a binary message.
    pub fn send(&mut self, data: impl Into<Bytes>) -> Result<(), RtcError> {
        self.rtc.send_message(self.id, true, data.into())
    }

    /// Queues a text message.
    pub fn send_text(&mut self, text: &str) -> Result<(), RtcError> {
        self.rtc
            .send_message(self.id, false, Bytes::copy_from_slice(text.as_bytes()))
    }

    /// Closes the channel: queued messages are sent, then the stream is reset
    /// ([RFC 8831 section 6.7](https://www.rfc-editor.org/rfc/rfc8831#section-6.7)).
    pub fn close(&mut self) {
        self.rtc.close_channel(self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_round_trips_through_dcep_types() {
        for init in [
            DataChannelInit::default(),
            DataChannelInit::default().unordered(),
            DataChannelInit::default()
                .unordered()
                .with_max_retransmits(0),
            DataChannelInit::default().with_max_retransmits(3),
            DataChannelInit::default().with_max_packet_lifetime(Duration::from_millis(150)),
        ] {
            let d = Delivery::from_init(&init).unwrap();
            let (channel_type, reliability) = d.to_wire();
            let open = Open {
                channel_type,
                priority: 0,
                reliability,
                label: String::new(),
                protocol: String::new(),
            };
            assert_eq!(Delivery::from_open(&open), d, "{init:?}");
        }
        assert_eq!(
            Delivery::from_init(
                &DataChannelInit::default()
                    .with_max_retransmits(1)
                    .with_max_packet_lifetime(Duration::from_secs(1))
            ),
            Err(RtcError::ConflictingReliability)
        );
        // RFC 8832 section 5.1: 0x81 is partial reliable rexmit, unordered.
        let (t, p) = Delivery::from_init(
            &DataChannelInit::default()
                .unordered()
                .with_max_retransmits(2),
        )
        .unwrap()
        .to_wire();
        assert_eq!((t, p), (ChannelType(0x81), 2));
    }
}
