//! The Data Channel Establishment Protocol messages
//! ([RFC 8832 section 5](https://www.rfc-editor.org/rfc/rfc8832#section-5)), sent on the
//! channel's own stream with PPID 50.

use muon_proto::Reader;

/// DATA_CHANNEL_OPEN message type.
const OPEN: u8 = 0x03;
/// DATA_CHANNEL_ACK message type.
const ACK: u8 = 0x02;
/// Fixed part of an OPEN message before label and protocol.
const OPEN_HEADER_LEN: usize = 12;

/// The channel types of [RFC 8832 section 5.1](https://www.rfc-editor.org/rfc/rfc8832#section-5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ChannelType(pub(crate) u8);

impl ChannelType {
    pub(crate) const RELIABLE: Self = Self(0x00);
    pub(crate) const PARTIAL_RELIABLE_REXMIT: Self = Self(0x01);
    pub(crate) const PARTIAL_RELIABLE_TIMED: Self = Self(0x02);
    /// The high bit marks unordered delivery.
    pub(crate) const UNORDERED_BIT: u8 = 0x80;

    pub(crate) fn ordered(self) -> bool {
        self.0 & Self::UNORDERED_BIT == 0
    }

    pub(crate) fn base(self) -> Self {
        Self(self.0 & !Self::UNORDERED_BIT)
    }
}

/// A parsed DCEP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Dcep {
    /// DATA_CHANNEL_OPEN.
    Open(Open),
    /// DATA_CHANNEL_ACK.
    Ack,
}

/// A DATA_CHANNEL_OPEN message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Open {
    pub(crate) channel_type: ChannelType,
    pub(crate) priority: u16,
    /// Retransmissions or lifetime in ms, per `channel_type`; ignored for reliable channels.
    pub(crate) reliability: u32,
    pub(crate) label: String,
    pub(crate) protocol: String,
}

/// Why a DCEP message was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DcepError {
    /// Shorter than its fields say.
    Truncated,
    /// Not OPEN or ACK.
    UnknownType(u8),
    /// Label or protocol not UTF-8 (RFC 8832 section 5.1 says UTF-8).
    NotUtf8,
    /// Bytes after the protocol field of an OPEN (RFC 8832 does not allow any).
    TrailingBytes,
}

impl From<muon_proto::Truncated> for DcepError {
    fn from(_: muon_proto::Truncated) -> Self {
        Self::Truncated
    }
}

impl Dcep {
    /// Parses one message.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self, DcepError> {
        let mut r = Reader::new(bytes);
        match r.u8()? {
            ACK => Ok(Self::Ack),
            OPEN => {
                let channel_type = ChannelType(r.u8()?);
                let priority = r.u16()?;
                let reliability = r.u32()?;
                let label_len = usize::from(r.u16()?);
                let protocol_len = usize::from(r.u16()?);
                let label = r.bytes(label_len)?;
                let protocol = r.bytes(protocol_len)?;
                if !r.is_empty() {
                    return Err(DcepError::TrailingBytes);
                }
                let text = |b: &[u8]| {
                    std::str::from_utf8(b)
                        .map(str::to_owned)
                        .map_err(|_| DcepError::NotUtf8)
                };
                Ok(Self::Open(Open {
                    channel_type,
                    priority,
                    reliability,
                    label: text(label)?,
                    protocol: text(protocol)?,
                }))
            }
            other => Err(DcepError::UnknownType(other)),
        }
    }

    /// Encodes the message. Label and protocol longer than 65535 bytes are cut by the
    /// caller's checks before this ([`crate::RtcError::LabelTooLong`]).
    pub(crate) fn encode(&self) -> Vec<u8> {
        match self {
            Self::Ack => vec![ACK],
            Self::Open(o) => {
                let label = o.label.as_bytes();
                let protocol = o.protocol.as_bytes();
                let label_len = u16::try_from(label.len()).unwrap_or(u16::MAX);
                let protocol_len = u16::try_from(protocol.len()).unwrap_or(u16::MAX);
                let mut out = Vec::with_capacity(OPEN_HEADER_LEN + label.len() + protocol.len());
                out.push(OPEN);
                out.push(o.channel_type.0);
                out.extend_from_slice(&o.priority.to_be_bytes());
                out.extend_from_slice(&o.reliability.to_be_bytes());
                out.extend_from_slice(&label_len.to_be_bytes());
                out.extend_from_slice(&protocol_len.to_be_bytes());
                out.extend_from_slice(&label[..usize::from(label_len)]);
                out.extend_from_slice(&protocol[..usize::from(protocol_len)]);
                out
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The OPEN of RFC 8832 section 5.1's layout, built byte by byte: a reliable unordered
    /// channel "chat", protocol "json", priority 256.
    #[test]
    fn open_wire_layout_rfc8832_5_1() {
        let bytes = [
            0x03, 0x80, 0x01, 0x00, 0, 0, 0, 0, 0, 4, 0, 4, b'c', b'h', b'a', b't', b'j', b's',
            b'o', b'n',
        ];
        let msg = Dcep::parse(&bytes).unwrap();
        let Dcep::Open(open) = &msg else {
            panic!("not an open: {msg:?}")
        };
        assert_eq!(open.channel_type, ChannelType(0x80));
        assert!(!open.channel_type.ordered());
        assert_eq!(open.channel_type.base(), ChannelType::RELIABLE);
        assert_eq!(open.priority, 256);
        assert_eq!(open.label, "chat");
        assert_eq!(open.protocol, "json");
        assert_eq!(msg.encode(), bytes);
    }

    #[test]
    fn ack_is_one_byte() {
        assert_eq!(Dcep::parse(&[0x02]).unwrap(), Dcep::Ack);
        assert_eq!(Dcep::Ack.encode(), vec![0x02]);
    }

    #[test]
    fn malformed_opens_are_typed_errors() {
        assert_eq!(Dcep::parse(&[]), Err(DcepError::Truncated));
        assert_eq!(Dcep::parse(&[0x07]), Err(DcepError::UnknownType(7)));
        // Label length 5 with 4 bytes present.
        let short = [
            0x03, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, b'a', b'b', b'c', b'd',
        ];
        assert_eq!(Dcep::parse(&short), Err(DcepError::Truncated));
        let trailing = [0x03, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, b'a', b'x'];
        assert_eq!(Dcep::parse(&trailing), Err(DcepError::TrailingBytes));
        let bad_utf8 = [0x03, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0xFF];
        assert_eq!(Dcep::parse(&bad_utf8), Err(DcepError::NotUtf8));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = Dcep::parse(&bytes);
        }

        #[test]
        fn open_round_trips(
            ty in any::<u8>(),
            priority in any::<u16>(),
            reliability in any::<u32>(),
            label in ".{0,40}",
            protocol in ".{0,20}",
        ) {
            let msg = Dcep::Open(Open {
                channel_type: ChannelType(ty),
                priority,
                reliability,
                label,
                protocol,
            });
            prop_assert_eq!(Dcep::parse(&msg.encode()), Ok(msg));
        }
    }
}
