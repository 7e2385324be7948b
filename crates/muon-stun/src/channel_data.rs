//! TURN ChannelData framing.
//! [RFC 8656 section 12.4](https://www.rfc-editor.org/rfc/rfc8656#section-12.4).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Channel Number        |            Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                       Application Data                        /
//! +-------------------------------+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use crate::error::StunError;

/// Channel numbers a ChannelBind may use (RFC 8656 section 12).
pub const CHANNEL_NUMBERS: std::ops::RangeInclusive<u16> = 0x4000..=0x4FFF;

/// A ChannelData message: application data relayed on a bound channel, with a 4-byte header
/// instead of a STUN Send/Data indication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelData<'a> {
    /// The channel number, 0x4000..=0x4FFF.
    pub channel: u16,
    /// The application data, without padding.
    pub data: &'a [u8],
}

impl<'a> ChannelData<'a> {
    /// Decodes a ChannelData message that fills `bytes` (one UDP datagram, or one frame cut
    /// with [`channel_data_len`]). Up to 3 padding bytes after the data are accepted (required
    /// over TCP, optional over UDP: RFC 8656 section 12.5); more is an error.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, StunError> {
        let (&[c0, c1, l0, l1], rest) =
            bytes.split_first_chunk::<4>().ok_or(StunError::Truncated)?;
        let channel = u16::from_be_bytes([c0, c1]);
        if !CHANNEL_NUMBERS.contains(&channel) {
            return Err(StunError::BadChannelNumber(channel));
        }
        let len = usize::from(u16::from_be_bytes([l0, l1]));
        let data = rest.get(..len).ok_or(StunError::Truncated)?;
        let extra = rest.len() - len;
        if extra > (4 - len % 4) % 4 {
            return Err(StunError::ChannelDataTrailing(extra));
        }
        Ok(Self { channel, data })
    }

    /// Appends the message to `out`; `pad` adds zeros up to a multiple of 4 (do it over TCP
    /// and TLS, RFC 8656 section 12.5).
    pub fn encode(&self, out: &mut Vec<u8>, pad: bool) -> Result<(), StunError> {
        if !CHANNEL_NUMBERS.contains(&self.channel) {
            return Err(StunError::BadChannelNumber(self.channel));
        }
        let len = u16::try_from(self.data.len()).map_err(|_| StunError::ChannelDataTooLong)?;
        out.extend_from_slice(&self.channel.to_be_bytes());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(self.data);
        if pad {
            out.resize(out.len() + (4 - self.data.len() % 4) % 4, 0);
        }
        Ok(())
    }
}

/// A quick demultiplexing test: could `bytes` be ChannelData? True when the first byte is in
/// 64..=79 ([RFC 7983 section 7](https://www.rfc-editor.org/rfc/rfc7983#section-7)) and a
/// 4-byte header is there.
pub fn is_channel_data(bytes: &[u8]) -> bool {
    matches!(bytes, [64..=79, _, _, _, ..])
}

/// The length of the ChannelData frame at the start of a stream, padding included (TCP/TLS
/// always pad): `None` until the 4-byte header has arrived.
pub fn channel_data_len(stream: &[u8]) -> Option<usize> {
    let (&[_, _, l0, l1], _) = stream.split_first_chunk::<4>()?;
    Some(4 + usize::from(u16::from_be_bytes([l0, l1])).next_multiple_of(4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_with_and_without_padding() {
        let cd = ChannelData {
            channel: 0x4001,
            data: b"hello",
        };
        let mut udp = Vec::new();
        cd.encode(&mut udp, false).unwrap();
        assert_eq!(udp, [0x40, 0x01, 0x00, 0x05, b'h', b'e', b'l', b'l', b'o']);
        assert_eq!(ChannelData::decode(&udp), Ok(cd));
        let mut tcp = Vec::new();
        cd.encode(&mut tcp, true).unwrap();
        assert_eq!(tcp.len(), 12);
        assert_eq!(channel_data_len(&tcp), Some(12));
        assert_eq!(ChannelData::decode(&tcp), Ok(cd));
        tcp.push(0);
        assert_eq!(
            ChannelData::decode(&tcp),
            Err(StunError::ChannelDataTrailing(4))
        );
    }

    #[test]
    fn channel_range_and_truncation() {
        assert_eq!(
            ChannelData::decode(&[0x3F, 0xFF, 0, 0]),
            Err(StunError::BadChannelNumber(0x3FFF))
        );
        assert_eq!(
            ChannelData::decode(&[0x50, 0x00, 0, 0]),
            Err(StunError::BadChannelNumber(0x5000))
        );
        assert_eq!(
            ChannelData::decode(&[0x4F, 0xFF, 0, 2, 1]),
            Err(StunError::Truncated)
        );
        assert_eq!(ChannelData::decode(&[0x40]), Err(StunError::Truncated));
        let cd = ChannelData {
            channel: 0x5000,
            data: &[],
        };
        assert!(cd.encode(&mut Vec::new(), false).is_err());
        assert_eq!(
            ChannelData::decode(&[0x4F, 0xFF, 0, 0]).map(|c| c.data.len()),
            Ok(0)
        );
    }

    #[test]
    fn demux_first_byte() {
        assert!(is_channel_data(&[0x40, 0, 0, 0]));
        assert!(is_channel_data(&[79, 0, 0, 0]));
        assert!(!is_channel_data(&[80, 0, 0, 0]));
        assert!(!is_channel_data(&[63, 0, 0, 0]));
        assert!(!is_channel_data(&[0x40, 0, 0]));
    }
}
