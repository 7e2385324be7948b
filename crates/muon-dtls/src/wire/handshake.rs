//! The DTLS handshake message header (RFC 6347 section 4.2.2).

use muon_proto::{Reader, Truncated};

use super::put_u24;
use crate::error::{DtlsError, Wire};

/// Bytes in a DTLS handshake header.
pub(crate) const HANDSHAKE_HEADER_LEN: usize = 12;

/// Handshake message types (RFC 5246 section 7.4, RFC 6347 section 4.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct HandshakeType(pub(crate) u8);

impl HandshakeType {
    pub(crate) const CLIENT_HELLO: Self = Self(1);
    pub(crate) const SERVER_HELLO: Self = Self(2);
    pub(crate) const HELLO_VERIFY_REQUEST: Self = Self(3);
    pub(crate) const CERTIFICATE: Self = Self(11);
    pub(crate) const SERVER_KEY_EXCHANGE: Self = Self(12);
    pub(crate) const CERTIFICATE_REQUEST: Self = Self(13);
    pub(crate) const SERVER_HELLO_DONE: Self = Self(14);
    pub(crate) const CERTIFICATE_VERIFY: Self = Self(15);
    pub(crate) const CLIENT_KEY_EXCHANGE: Self = Self(16);
    pub(crate) const FINISHED: Self = Self(20);
}

/// One handshake fragment's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HandshakeHeader {
    pub(crate) msg_type: HandshakeType,
    /// Length of the whole message body.
    pub(crate) length: u32,
    pub(crate) message_seq: u16,
    pub(crate) fragment_offset: u32,
    pub(crate) fragment_length: u32,
}

impl HandshakeHeader {
    /// Reads a header and its fragment; the fragment must lie inside the message.
    pub(crate) fn decode<'a>(r: &mut Reader<'a>) -> Result<(Self, &'a [u8]), DtlsError> {
        Self::decode_inner(r).map_err(|_: Truncated| DtlsError::Malformed(Wire::HandshakeHeader))
    }

    fn decode_inner<'a>(r: &mut Reader<'a>) -> Result<(Self, &'a [u8]), Truncated> {
        let h = HandshakeHeader {
            msg_type: HandshakeType(r.u8()?),
            length: r.u24()?,
            message_seq: r.u16()?,
            fragment_offset: r.u24()?,
            fragment_length: r.u24()?,
        };
        let end = u64::from(h.fragment_offset) + u64::from(h.fragment_length);
        if end > u64::from(h.length) {
            return Err(Truncated);
        }
        let fragment = r.bytes(h.fragment_length as usize)?;
        Ok((h, fragment))
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.msg_type.0);
        put_u24(out, self.length);
        out.extend_from_slice(&self.message_seq.to_be_bytes());
        put_u24(out, self.fragment_offset);
        put_u24(out, self.fragment_length);
    }

    /// The header of a whole, unfragmented message (how it enters the transcript).
    pub(crate) fn whole(msg_type: HandshakeType, message_seq: u16, length: u32) -> Self {
        Self {
            msg_type,
            length,
            message_seq,
            fragment_offset: 0,
            fragment_length: length,
        }
    }
}

/// Appends a whole message (header and body) as it enters the handshake transcript
/// (RFC 6347 section 4.2.6: hashed as if sent unfragmented).
pub(crate) fn encode_whole(out: &mut Vec<u8>, msg_type: HandshakeType, seq: u16, body: &[u8]) {
    HandshakeHeader::whole(msg_type, seq, body.len() as u32).encode(out);
    out.extend_from_slice(body);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips() {
        let h = HandshakeHeader {
            msg_type: HandshakeType::CERTIFICATE,
            length: 1000,
            message_seq: 3,
            fragment_offset: 400,
            fragment_length: 2,
        };
        let mut out = Vec::new();
        h.encode(&mut out);
        assert_eq!(out.len(), HANDSHAKE_HEADER_LEN);
        out.extend_from_slice(&[7, 8]);
        let (back, frag) = HandshakeHeader::decode(&mut Reader::new(&out)).unwrap();
        assert_eq!(back, h);
        assert_eq!(frag, &[7, 8]);
    }

    #[test]
    fn fragment_past_message_end_is_malformed() {
        let h = HandshakeHeader {
            msg_type: HandshakeType::FINISHED,
            length: 12,
            message_seq: 0,
            fragment_offset: 11,
            fragment_length: 2,
        };
        let mut out = Vec::new();
        h.encode(&mut out);
        out.extend_from_slice(&[0, 0]);
        assert_eq!(
            HandshakeHeader::decode(&mut Reader::new(&out)),
            Err(DtlsError::Malformed(Wire::HandshakeHeader))
        );
    }
}
