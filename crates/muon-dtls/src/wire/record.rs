//! The DTLS record header (RFC 6347 section 4.1).

use muon_proto::{Reader, Truncated};

use crate::error::{DtlsError, Wire};

/// Bytes in a DTLS 1.2 record header: type, version, epoch, 48-bit sequence number, length.
pub(crate) const RECORD_HEADER_LEN: usize = 13;
/// Largest record payload we accept: 2^14 plaintext plus 2048 bytes of expansion
/// (RFC 5246 section 6.2.3).
pub(crate) const MAX_RECORD_PAYLOAD: usize = 16384 + 2048;
/// DTLS 1.2 on the wire (RFC 6347 section 4.1: the ones' complement of 1.2).
pub(crate) const DTLS_1_2: u16 = 0xFEFD;
/// DTLS 1.0, which a ClientHello record and a HelloVerifyRequest may carry.
pub(crate) const DTLS_1_0: u16 = 0xFEFF;
/// The largest 48-bit sequence number.
pub(crate) const MAX_SEQ: u64 = (1 << 48) - 1;

/// A record's content type (RFC 5246 section 6.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ContentType(pub(crate) u8);

impl ContentType {
    pub(crate) const CHANGE_CIPHER_SPEC: Self = Self(20);
    pub(crate) const ALERT: Self = Self(21);
    pub(crate) const HANDSHAKE: Self = Self(22);
    pub(crate) const APPLICATION_DATA: Self = Self(23);
}

/// A parsed record header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordHeader {
    pub(crate) content_type: ContentType,
    pub(crate) version: u16,
    pub(crate) epoch: u16,
    /// 48-bit record sequence number.
    pub(crate) seq: u64,
    pub(crate) length: u16,
}

impl RecordHeader {
    /// Reads one header and its payload. The payload must lie inside the datagram.
    pub(crate) fn decode<'a>(r: &mut Reader<'a>) -> Result<(Self, &'a [u8]), DtlsError> {
        Self::decode_inner(r).map_err(|_: Truncated| DtlsError::Malformed(Wire::Record))
    }

    fn decode_inner<'a>(r: &mut Reader<'a>) -> Result<(Self, &'a [u8]), Truncated> {
        let header = RecordHeader {
            content_type: ContentType(r.u8()?),
            version: r.u16()?,
            epoch: r.u16()?,
            seq: r.u48()?,
            length: r.u16()?,
        };
        if usize::from(header.length) > MAX_RECORD_PAYLOAD {
            return Err(Truncated);
        }
        let payload = r.bytes(usize::from(header.length))?;
        Ok((header, payload))
    }

    /// Appends the header; `length` is written as given.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.content_type.0);
        out.extend_from_slice(&self.version.to_be_bytes());
        out.extend_from_slice(&self.epoch.to_be_bytes());
        out.extend_from_slice(&self.seq.to_be_bytes()[2..]);
        out.extend_from_slice(&self.length.to_be_bytes());
    }

    /// The 64-bit `epoch || sequence_number` used in the AEAD nonce and additional data.
    pub(crate) fn epoch_seq(&self) -> u64 {
        (u64::from(self.epoch) << 48) | (self.seq & MAX_SEQ)
    }
}

/// Splits a datagram into records. A malformed record ends the walk (RFC 6347 section 4.1.2.7:
/// invalid records are discarded); every step consumes at least a header, so it cannot loop.
pub(crate) fn records(
    datagram: &[u8],
) -> impl Iterator<Item = Result<(RecordHeader, &[u8]), DtlsError>> {
    let mut r = Reader::new(datagram);
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed || r.is_empty() {
            return None;
        }
        let item = RecordHeader::decode(&mut r);
        failed = item.is_err();
        Some(item)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips() {
        let h = RecordHeader {
            content_type: ContentType::HANDSHAKE,
            version: DTLS_1_2,
            epoch: 1,
            seq: 0x0000_1234_5678_9ABC,
            length: 3,
        };
        let mut out = Vec::new();
        h.encode(&mut out);
        out.extend_from_slice(&[1, 2, 3]);
        assert_eq!(out.len(), RECORD_HEADER_LEN + 3);
        let mut r = Reader::new(&out);
        let (back, payload) = RecordHeader::decode(&mut r).unwrap();
        assert_eq!(back, h);
        assert_eq!(payload, &[1, 2, 3]);
        assert_eq!(back.epoch_seq(), 0x0001_1234_5678_9ABC);
    }

    #[test]
    fn length_beyond_datagram_is_malformed() {
        let bytes = [22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2];
        let all: Vec<_> = records(&bytes).collect();
        assert_eq!(all, vec![Err(DtlsError::Malformed(Wire::Record))]);
    }

    #[test]
    fn several_records_and_zero_length_ones_split_without_looping() {
        let mut dgram = Vec::new();
        for len in [0u16, 2, 0] {
            let h = RecordHeader {
                content_type: ContentType::APPLICATION_DATA,
                version: DTLS_1_2,
                epoch: 0,
                seq: 7,
                length: len,
            };
            h.encode(&mut dgram);
            dgram.extend(std::iter::repeat_n(9, usize::from(len)));
        }
        let lens: Vec<usize> = records(&dgram).map(|r| r.unwrap().1.len()).collect();
        assert_eq!(lens, vec![0, 2, 0]);
    }
}
