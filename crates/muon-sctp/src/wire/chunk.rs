//! SCTP chunks (RFC 9260 section 3.3, RFC 3758 section 3.2, RFC 6525 section 3.1).

use muon_proto::Reader;

use super::param::{self, ReConfigParam};
use super::{pad4, padding};
use crate::SctpError;
use crate::error::MalformedChunk;

pub(crate) const DATA: u8 = 0;
pub(crate) const INIT: u8 = 1;
pub(crate) const INIT_ACK: u8 = 2;
pub(crate) const SACK: u8 = 3;
pub(crate) const HEARTBEAT: u8 = 4;
pub(crate) const HEARTBEAT_ACK: u8 = 5;
pub(crate) const ABORT: u8 = 6;
pub(crate) const SHUTDOWN: u8 = 7;
pub(crate) const SHUTDOWN_ACK: u8 = 8;
pub(crate) const ERROR: u8 = 9;
pub(crate) const COOKIE_ECHO: u8 = 10;
pub(crate) const COOKIE_ACK: u8 = 11;
pub(crate) const SHUTDOWN_COMPLETE: u8 = 14;
pub(crate) const RE_CONFIG: u8 = 130;
pub(crate) const FORWARD_TSN: u8 = 192;

/// Size of the DATA chunk header (chunk header plus TSN, stream, SSN and PPID).
pub(crate) const DATA_HEADER_LEN: usize = 16;

/// One chunk of a packet. Variable parts borrow from the packet.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Chunk<'a> {
    /// DATA (RFC 9260 section 3.3.1).
    Data(DataChunk<'a>),
    /// INIT (section 3.3.2).
    Init(InitChunk<'a>),
    /// INIT-ACK (section 3.3.3); carries the state cookie.
    InitAck(InitChunk<'a>),
    /// SACK (section 3.3.4).
    Sack(SackChunk),
    /// HEARTBEAT (section 3.3.5): the Heartbeat Info parameter's value.
    Heartbeat(&'a [u8]),
    /// HEARTBEAT-ACK (section 3.3.6): the echoed Heartbeat Info.
    HeartbeatAck(&'a [u8]),
    /// ABORT (section 3.3.7).
    Abort {
        /// T bit: the verification tag is the sender's own (reflected).
        reflected: bool,
        /// Raw error causes.
        causes: &'a [u8],
    },
    /// SHUTDOWN (section 3.3.8).
    Shutdown {
        /// Cumulative TSN ack.
        cum_tsn: u32,
    },
    /// SHUTDOWN-ACK (section 3.3.9).
    ShutdownAck,
    /// ERROR (section 3.3.10): raw error causes.
    Error(&'a [u8]),
    /// COOKIE-ECHO (section 3.3.11).
    CookieEcho(&'a [u8]),
    /// COOKIE-ACK (section 3.3.12).
    CookieAck,
    /// SHUTDOWN-COMPLETE (section 3.3.13).
    ShutdownComplete {
        /// T bit, as in ABORT.
        reflected: bool,
    },
    /// RE-CONFIG (RFC 6525 section 3.1): one or two parameters.
    ReConfig(Vec<ReConfigParam>),
    /// FORWARD-TSN (RFC 3758 section 3.2).
    ForwardTsn(ForwardTsnChunk),
    /// A chunk type this crate does not implement.
    Unknown {
        /// Chunk type.
        kind: u8,
        /// Chunk flags.
        flags: u8,
        /// Chunk value.
        value: &'a [u8],
    },
}

/// A DATA chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataChunk<'a> {
    /// Transmission sequence number.
    pub tsn: u32,
    /// Stream identifier.
    pub stream: u16,
    /// Stream sequence number (meaningless when `unordered`).
    pub ssn: u16,
    /// Payload protocol identifier.
    pub ppid: u32,
    /// U bit: deliver without regard to SSN order.
    pub unordered: bool,
    /// B bit: first fragment of a message.
    pub beginning: bool,
    /// E bit: last fragment of a message.
    pub ending: bool,
    /// I bit (RFC 7053): the receiver should SACK without delay.
    pub immediate: bool,
    /// User data; never empty on the wire.
    pub payload: &'a [u8],
}

/// An INIT or INIT-ACK chunk with the parameters this crate understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InitChunk<'a> {
    /// Initiate tag: the verification tag the sender expects on packets sent to it.
    pub initiate_tag: u32,
    /// Advertised receiver window credit.
    pub a_rwnd: u32,
    /// Number of outbound streams.
    pub outbound_streams: u16,
    /// Maximum number of inbound streams.
    pub inbound_streams: u16,
    /// Initial TSN.
    pub initial_tsn: u32,
    /// State cookie (INIT-ACK only).
    pub cookie: Option<&'a [u8]>,
    /// Forward-TSN-Supported parameter (RFC 3758) or FORWARD-TSN in Supported Extensions.
    pub forward_tsn: bool,
    /// RE-CONFIG listed in Supported Extensions (RFC 6525).
    pub reconfig: bool,
    /// Zero Checksum Acceptable with the DTLS method (RFC 9653).
    pub zero_checksum: bool,
}

/// A gap ack block: TSNs `cum_tsn + start ..= cum_tsn + end` were received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GapBlock {
    /// Offset of the first received TSN from the cumulative TSN ack.
    pub start: u16,
    /// Offset of the last received TSN.
    pub end: u16,
}

/// A SACK chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SackChunk {
    /// Cumulative TSN ack.
    pub cum_tsn: u32,
    /// Advertised receiver window credit.
    pub a_rwnd: u32,
    /// Gap ack blocks.
    pub gaps: Vec<GapBlock>,
    /// Duplicate TSNs.
    pub dups: Vec<u32>,
}

/// A FORWARD-TSN chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardTsnChunk {
    /// The new cumulative TSN.
    pub new_cum_tsn: u32,
    /// For ordered streams: (stream, largest skipped SSN).
    pub streams: Vec<(u16, u16)>,
}

impl<'a> Chunk<'a> {
    /// Parses one chunk (and skips its padding) from `r`.
    pub fn parse(r: &mut Reader<'a>) -> Result<Self, SctpError> {
        let kind = r.u8()?;
        let flags = r.u8()?;
        let len = r.u16()?;
        let body_len = usize::from(len)
            .checked_sub(4)
            .ok_or(SctpError::ChunkLength(len))?;
        let mut v = r.sub(body_len).map_err(|_| SctpError::ChunkLength(len))?;
        // The last chunk may come without its padding; skip what is there.
        let pad = padding(usize::from(len)).min(r.remaining());
        r.skip(pad)?;
        let chunk = match kind {
            DATA => Chunk::Data(parse_data(flags, &mut v)?),
            INIT => Chunk::Init(param::parse_init(&mut v, false)?),
            INIT_ACK => Chunk::InitAck(param::parse_init(&mut v, true)?),
            SACK => Chunk::Sack(parse_sack(&mut v)?),
            HEARTBEAT => Chunk::Heartbeat(param::heartbeat_info(&mut v)?),
            HEARTBEAT_ACK => Chunk::HeartbeatAck(param::heartbeat_info(&mut v)?),
            ABORT => Chunk::Abort {
                reflected: flags & 1 != 0,
                causes: v.rest(),
            },
            SHUTDOWN => Chunk::Shutdown { cum_tsn: v.u32()? },
            SHUTDOWN_ACK => Chunk::ShutdownAck,
            ERROR => Chunk::Error(v.rest()),
            COOKIE_ECHO => Chunk::CookieEcho(v.rest()),
            COOKIE_ACK => Chunk::CookieAck,
            SHUTDOWN_COMPLETE => Chunk::ShutdownComplete {
                reflected: flags & 1 != 0,
            },
            RE_CONFIG => Chunk::ReConfig(param::parse_reconfig(&mut v)?),
            FORWARD_TSN => Chunk::ForwardTsn(parse_forward_tsn(&mut v)?),
            _ => Chunk::Unknown {
                kind,
                flags,
                value: v.rest(),
            },
        };
        Ok(chunk)
    }

    /// The chunk type code.
    pub fn kind(&self) -> u8 {
        match self {
            Chunk::Data(_) => DATA,
            Chunk::Init(_) => INIT,
            Chunk::InitAck(_) => INIT_ACK,
            Chunk::Sack(_) => SACK,
            Chunk::Heartbeat(_) => HEARTBEAT,
            Chunk::HeartbeatAck(_) => HEARTBEAT_ACK,
            Chunk::Abort { .. } => ABORT,
            Chunk::Shutdown { .. } => SHUTDOWN,
            Chunk::ShutdownAck => SHUTDOWN_ACK,
            Chunk::Error(_) => ERROR,
            Chunk::CookieEcho(_) => COOKIE_ECHO,
            Chunk::CookieAck => COOKIE_ACK,
            Chunk::ShutdownComplete { .. } => SHUTDOWN_COMPLETE,
            Chunk::ReConfig(_) => RE_CONFIG,
            Chunk::ForwardTsn(_) => FORWARD_TSN,
            Chunk::Unknown { kind, .. } => *kind,
        }
    }

    /// Bytes this chunk takes when encoded, padding included.
    pub fn encoded_len(&self) -> usize {
        let body = match self {
            Chunk::Data(d) => DATA_HEADER_LEN - 4 + d.payload.len(),
            Chunk::Init(i) | Chunk::InitAck(i) => param::init_len(i),
            Chunk::Sack(s) => 12 + 4 * s.gaps.len() + 4 * s.dups.len(),
            Chunk::Heartbeat(info) | Chunk::HeartbeatAck(info) => 4 + info.len(),
            Chunk::Abort { causes, .. } | Chunk::Error(causes) => causes.len(),
            Chunk::Shutdown { .. } => 4,
            Chunk::CookieEcho(c) => c.len(),
            Chunk::ShutdownAck | Chunk::CookieAck | Chunk::ShutdownComplete { .. } => 0,
            Chunk::ReConfig(params) => params.iter().map(ReConfigParam::encoded_len).sum(),
            Chunk::ForwardTsn(f) => 4 + 4 * f.streams.len(),
            Chunk::Unknown { value, .. } => value.len(),
        };
        let len = 4 + body;
        len + padding(len)
    }

    /// Appends the chunk, padded to four bytes. `out` must be four-byte aligned in length.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let start = out.len();
        let flags = match self {
            Chunk::Data(d) => {
                u8::from(d.ending)
                    | u8::from(d.beginning) << 1
                    | u8::from(d.unordered) << 2
                    | u8::from(d.immediate) << 3
            }
            Chunk::Abort { reflected, .. } | Chunk::ShutdownComplete { reflected } => {
                u8::from(*reflected)
            }
            Chunk::Unknown { flags, .. } => *flags,
            _ => 0,
        };
        out.extend_from_slice(&[self.kind(), flags, 0, 0]);
        match self {
            Chunk::Data(d) => {
                out.extend_from_slice(&d.tsn.to_be_bytes());
                out.extend_from_slice(&d.stream.to_be_bytes());
                out.extend_from_slice(&d.ssn.to_be_bytes());
                out.extend_from_slice(&d.ppid.to_be_bytes());
                out.extend_from_slice(d.payload);
            }
            Chunk::Init(i) | Chunk::InitAck(i) => param::encode_init(i, out),
            Chunk::Sack(s) => {
                out.extend_from_slice(&s.cum_tsn.to_be_bytes());
                out.extend_from_slice(&s.a_rwnd.to_be_bytes());
                out.extend_from_slice(&(s.gaps.len() as u16).to_be_bytes());
                out.extend_from_slice(&(s.dups.len() as u16).to_be_bytes());
                for g in &s.gaps {
                    out.extend_from_slice(&g.start.to_be_bytes());
                    out.extend_from_slice(&g.end.to_be_bytes());
                }
                for d in &s.dups {
                    out.extend_from_slice(&d.to_be_bytes());
                }
            }
            Chunk::Heartbeat(info) | Chunk::HeartbeatAck(info) => {
                param::encode_param(out, param::HEARTBEAT_INFO, info);
            }
            Chunk::Abort { causes, .. } | Chunk::Error(causes) => out.extend_from_slice(causes),
            Chunk::Shutdown { cum_tsn } => out.extend_from_slice(&cum_tsn.to_be_bytes()),
            Chunk::CookieEcho(c) => out.extend_from_slice(c),
            Chunk::ShutdownAck | Chunk::CookieAck | Chunk::ShutdownComplete { .. } => {}
            Chunk::ReConfig(params) => params.iter().for_each(|p| p.encode(out)),
            Chunk::ForwardTsn(f) => {
                out.extend_from_slice(&f.new_cum_tsn.to_be_bytes());
                for (stream, ssn) in &f.streams {
                    out.extend_from_slice(&stream.to_be_bytes());
                    out.extend_from_slice(&ssn.to_be_bytes());
                }
            }
            Chunk::Unknown { value, .. } => out.extend_from_slice(value),
        }
        let len = (out.len() - start).min(usize::from(u16::MAX)) as u16;
        if let Some(field) = out.get_mut(start + 2..start + 4) {
            field.copy_from_slice(&len.to_be_bytes());
        }
        pad4(out);
    }
}

fn parse_data<'a>(flags: u8, v: &mut Reader<'a>) -> Result<DataChunk<'a>, SctpError> {
    let tsn = v.u32()?;
    let stream = v.u16()?;
    let ssn = v.u16()?;
    let ppid = v.u32()?;
    let payload = v.rest();
    if payload.is_empty() {
        // RFC 9260 section 6.2: a DATA chunk without user data is a protocol violation.
        return Err(SctpError::Malformed(MalformedChunk::Data));
    }
    Ok(DataChunk {
        tsn,
        stream,
        ssn,
        ppid,
        ending: flags & 1 != 0,
        beginning: flags & 2 != 0,
        unordered: flags & 4 != 0,
        immediate: flags & 8 != 0,
        payload,
    })
}

fn parse_sack(v: &mut Reader<'_>) -> Result<SackChunk, SctpError> {
    let cum_tsn = v.u32()?;
    let a_rwnd = v.u32()?;
    let n_gaps = usize::from(v.u16()?);
    let n_dups = usize::from(v.u16()?);
    if v.remaining() < 4 * (n_gaps + n_dups) {
        return Err(SctpError::Malformed(MalformedChunk::Sack));
    }
    let mut gaps = Vec::with_capacity(n_gaps);
    for _ in 0..n_gaps {
        let start = v.u16()?;
        let end = v.u16()?;
        if start == 0 || end < start {
            return Err(SctpError::Malformed(MalformedChunk::Sack));
        }
        gaps.push(GapBlock { start, end });
    }
    let mut dups = Vec::with_capacity(n_dups);
    for _ in 0..n_dups {
        dups.push(v.u32()?);
    }
    Ok(SackChunk {
        cum_tsn,
        a_rwnd,
        gaps,
        dups,
    })
}

fn parse_forward_tsn(v: &mut Reader<'_>) -> Result<ForwardTsnChunk, SctpError> {
    let new_cum_tsn = v.u32()?;
    if !v.remaining().is_multiple_of(4) {
        return Err(SctpError::Malformed(MalformedChunk::ForwardTsn));
    }
    let mut streams = Vec::with_capacity(v.remaining() / 4);
    while !v.is_empty() {
        streams.push((v.u16()?, v.u16()?));
    }
    Ok(ForwardTsnChunk {
        new_cum_tsn,
        streams,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(c: &Chunk<'_>) {
        let mut buf = Vec::new();
        c.encode(&mut buf);
        assert_eq!(buf.len(), c.encoded_len());
        assert_eq!(buf.len() % 4, 0);
        let mut r = Reader::new(&buf);
        assert_eq!(&Chunk::parse(&mut r).unwrap(), c);
        assert!(r.is_empty());
    }

    #[test]
    fn data_chunk_layout_matches_rfc9260_3_3_1() {
        let c = Chunk::Data(DataChunk {
            tsn: 0x0102_0304,
            stream: 5,
            ssn: 6,
            ppid: 51,
            unordered: true,
            beginning: true,
            ending: false,
            immediate: false,
            payload: b"hello",
        });
        let mut buf = Vec::new();
        c.encode(&mut buf);
        assert_eq!(
            buf,
            [
                0, 0x06, 0, 21, 1, 2, 3, 4, 0, 5, 0, 6, 0, 0, 0, 51, b'h', b'e', b'l', b'l', b'o',
                0, 0, 0
            ]
        );
        roundtrip(&c);
    }

    #[test]
    fn every_simple_chunk_roundtrips() {
        let chunks = [
            Chunk::Sack(SackChunk {
                cum_tsn: 9,
                a_rwnd: 1 << 20,
                gaps: vec![GapBlock { start: 2, end: 4 }],
                dups: vec![7, 8],
            }),
            Chunk::Heartbeat(b"abc"),
            Chunk::HeartbeatAck(b"abcd"),
            Chunk::Abort {
                reflected: true,
                causes: &[0, 1, 0, 4],
            },
            Chunk::Shutdown { cum_tsn: 77 },
            Chunk::ShutdownAck,
            Chunk::Error(&[0, 5, 0, 4]),
            Chunk::CookieEcho(&[1, 2, 3]),
            Chunk::CookieAck,
            Chunk::ShutdownComplete { reflected: false },
            Chunk::ForwardTsn(ForwardTsnChunk {
                new_cum_tsn: 100,
                streams: vec![(1, 2), (3, 4)],
            }),
            Chunk::Unknown {
                kind: 0x40,
                flags: 3,
                value: &[9, 9],
            },
        ];
        for c in &chunks {
            roundtrip(c);
        }
    }

    #[test]
    fn zero_and_overlong_lengths_are_errors() {
        let mut r = Reader::new(&[0, 0, 0, 0]);
        assert_eq!(Chunk::parse(&mut r), Err(SctpError::ChunkLength(0)));
        let mut r = Reader::new(&[3, 0, 0, 2]);
        assert_eq!(Chunk::parse(&mut r), Err(SctpError::ChunkLength(2)));
        let mut r = Reader::new(&[11, 0, 0, 40, 0, 0]);
        assert_eq!(Chunk::parse(&mut r), Err(SctpError::ChunkLength(40)));
    }

    #[test]
    fn empty_data_and_bad_gap_blocks_are_malformed() {
        let mut r = Reader::new(&[0, 3, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 51]);
        assert_eq!(
            Chunk::parse(&mut r),
            Err(SctpError::Malformed(MalformedChunk::Data))
        );
        // One gap block whose end lies before its start.
        let sack = [3, 0, 0, 20, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 5, 0, 4];
        let mut r = Reader::new(&sack);
        assert_eq!(
            Chunk::parse(&mut r),
            Err(SctpError::Malformed(MalformedChunk::Sack))
        );
        // A SACK that claims more blocks than it holds.
        let sack = [3, 0, 0, 16, 0, 0, 0, 1, 0, 0, 1, 0, 0xff, 0xff, 0, 0];
        let mut r = Reader::new(&sack);
        assert_eq!(
            Chunk::parse(&mut r),
            Err(SctpError::Malformed(MalformedChunk::Sack))
        );
    }
}
