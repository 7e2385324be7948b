//! The SCTP wire format: the common header and its chunks (RFC 9260 section 3).
//!
//! Parsing borrows from the packet and never panics: every length is checked against what is
//! left, every loop advances by at least a chunk header. Encoding appends to a caller's buffer.

pub(crate) mod chunk;
mod param;

use muon_proto::Reader;

pub use chunk::{Chunk, DataChunk, ForwardTsnChunk, GapBlock, InitChunk, SackChunk};
pub use param::ReConfigParam;

use crate::SctpError;

/// Size of the SCTP common header.
pub const COMMON_HEADER_LEN: usize = 12;

/// The SCTP common header (RFC 9260 section 3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommonHeader {
    /// Source port.
    pub source_port: u16,
    /// Destination port.
    pub destination_port: u16,
    /// Verification tag.
    pub verification_tag: u32,
    /// The checksum field as stored (CRC32c, little-endian on the wire).
    pub checksum: u32,
}

/// A parsed SCTP packet: its header and the (still unparsed) chunk bytes.
///
/// ```
/// use muon_sctp::wire::{Chunk, Packet};
/// let mut bytes = Vec::new();
/// Packet::encode_header(&mut bytes, 5000, 5000, 7);
/// Chunk::CookieAck.encode(&mut bytes);
/// let packet = Packet::parse(&bytes).unwrap();
/// assert_eq!(packet.header.verification_tag, 7);
/// assert_eq!(packet.chunks().next(), Some(Ok(Chunk::CookieAck)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet<'a> {
    /// The common header.
    pub header: CommonHeader,
    body: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Splits `bytes` into header and chunks. Does not verify the checksum.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, SctpError> {
        let mut r = Reader::new(bytes);
        let source_port = r.u16()?;
        let destination_port = r.u16()?;
        let verification_tag = r.u32()?;
        let checksum = u32::from_le_bytes(r.array()?);
        Ok(Self {
            header: CommonHeader {
                source_port,
                destination_port,
                verification_tag,
                checksum,
            },
            body: r.rest(),
        })
    }

    /// The chunks, in order. Iteration stops after the first error.
    pub fn chunks(&self) -> Chunks<'a> {
        Chunks {
            r: Reader::new(self.body),
            failed: false,
        }
    }

    /// Appends a common header with a zero checksum (sealed once the packet is complete).
    pub fn encode_header(out: &mut Vec<u8>, source_port: u16, destination_port: u16, tag: u32) {
        out.extend_from_slice(&source_port.to_be_bytes());
        out.extend_from_slice(&destination_port.to_be_bytes());
        out.extend_from_slice(&tag.to_be_bytes());
        out.extend_from_slice(&[0; 4]);
    }

    /// Writes the CRC32c of a complete packet into its checksum field.
    pub fn seal(packet: &mut [u8]) {
        crate::crc::seal(packet, false);
    }
}

/// Iterator over the chunks of a [`Packet`].
#[derive(Debug, Clone)]
pub struct Chunks<'a> {
    r: Reader<'a>,
    failed: bool,
}

impl<'a> Iterator for Chunks<'a> {
    type Item = Result<Chunk<'a>, SctpError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.r.is_empty() {
            return None;
        }
        let item = Chunk::parse(&mut self.r);
        if item.is_err() {
            self.failed = true;
        }
        Some(item)
    }
}

/// Parses a packet and every chunk in it, then re-encodes the chunks and parses them again.
/// Returns the number of chunks. This is what the `sctp_packet` fuzz target runs: it must
/// never panic, and whatever parses must re-encode to something that parses the same.
pub fn fuzz_roundtrip(bytes: &[u8]) -> Result<usize, SctpError> {
    let packet = Packet::parse(bytes)?;
    let mut n = 0;
    for chunk in packet.chunks() {
        let chunk = chunk?;
        let mut buf = Vec::new();
        chunk.encode(&mut buf);
        debug_assert_eq!(buf.len(), chunk.encoded_len());
        let mut r = Reader::new(&buf);
        let again = Chunk::parse(&mut r)?;
        debug_assert_eq!(again, chunk);
        n += 1;
    }
    Ok(n)
}

/// Appends zero bytes so `out` is a multiple of four long (chunks and parameters are padded).
pub(crate) fn pad4(out: &mut Vec<u8>) {
    let pad = (4 - out.len() % 4) % 4;
    out.extend_from_slice(&[0u8; 3][..pad]);
}

/// Padding needed after `len` bytes.
pub(crate) fn padding(len: usize) -> usize {
    (4 - len % 4) % 4
}
