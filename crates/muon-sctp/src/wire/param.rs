//! Parameters inside INIT, INIT-ACK, HEARTBEAT and RE-CONFIG chunks.

use muon_proto::Reader;

use super::chunk::{FORWARD_TSN, InitChunk, RE_CONFIG};
use super::{pad4, padding};
use crate::SctpError;
use crate::error::MalformedChunk;

pub(crate) const HEARTBEAT_INFO: u16 = 1;
const STATE_COOKIE: u16 = 7;
const OUTGOING_RESET: u16 = 13;
const INCOMING_RESET: u16 = 14;
const RECONFIG_RESPONSE: u16 = 16;
/// RFC 9653 section 3: Zero Checksum Acceptable.
const ZERO_CHECKSUM: u16 = 0x8001;
/// RFC 5061 section 4.2.7: Supported Extensions.
const SUPPORTED_EXTENSIONS: u16 = 0x8008;
/// RFC 3758 section 3.1: Forward-TSN-Supported.
const FORWARD_TSN_SUPPORTED: u16 = 0xC000;
/// RFC 9653 section 3: the error detection method "SCTP over DTLS".
const EDMID_DTLS: u32 = 1;

/// A parameter of a RE-CONFIG chunk (RFC 6525 section 4).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReConfigParam {
    /// Outgoing SSN Reset Request (section 4.1): the sender resets its outgoing streams.
    OutgoingReset {
        /// Request sequence number.
        request_seq: u32,
        /// Response sequence number (of the last request received from the peer).
        response_seq: u32,
        /// The sender's last assigned TSN.
        last_tsn: u32,
        /// Streams to reset; empty means all.
        streams: Vec<u16>,
    },
    /// Incoming SSN Reset Request (section 4.2).
    IncomingReset {
        /// Request sequence number.
        request_seq: u32,
        /// Streams to reset; empty means all.
        streams: Vec<u16>,
    },
    /// Re-configuration Response (section 4.4).
    Response {
        /// The request sequence number answered.
        response_seq: u32,
        /// Result code (0: nothing to do, 1: performed, 2: denied, 6: in progress, ...).
        result: u32,
    },
    /// A parameter this crate does not implement (e.g. Add Streams).
    Unknown {
        /// Parameter type.
        kind: u16,
    },
}

impl ReConfigParam {
    pub(crate) fn encoded_len(&self) -> usize {
        let len = match self {
            ReConfigParam::OutgoingReset { streams, .. } => 16 + 2 * streams.len(),
            ReConfigParam::IncomingReset { streams, .. } => 8 + 2 * streams.len(),
            ReConfigParam::Response { .. } => 12,
            ReConfigParam::Unknown { .. } => 4,
        };
        len + padding(len)
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        let mut v = Vec::with_capacity(self.encoded_len());
        let kind = match self {
            ReConfigParam::OutgoingReset {
                request_seq,
                response_seq,
                last_tsn,
                streams,
            } => {
                v.extend_from_slice(&request_seq.to_be_bytes());
                v.extend_from_slice(&response_seq.to_be_bytes());
                v.extend_from_slice(&last_tsn.to_be_bytes());
                streams
                    .iter()
                    .for_each(|s| v.extend_from_slice(&s.to_be_bytes()));
                OUTGOING_RESET
            }
            ReConfigParam::IncomingReset {
                request_seq,
                streams,
            } => {
                v.extend_from_slice(&request_seq.to_be_bytes());
                streams
                    .iter()
                    .for_each(|s| v.extend_from_slice(&s.to_be_bytes()));
                INCOMING_RESET
            }
            ReConfigParam::Response {
                response_seq,
                result,
            } => {
                v.extend_from_slice(&response_seq.to_be_bytes());
                v.extend_from_slice(&result.to_be_bytes());
                RECONFIG_RESPONSE
            }
            ReConfigParam::Unknown { kind } => *kind,
        };
        encode_param(out, kind, &v);
    }
}

/// Appends a TLV parameter, padded.
pub(crate) fn encode_param(out: &mut Vec<u8>, kind: u16, value: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    let len = (4 + value.len()).min(usize::from(u16::MAX)) as u16;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(value);
    pad4(out);
}

/// Reads the next TLV parameter: (type, value). Skips padding.
fn next_param<'a>(r: &mut Reader<'a>) -> Result<(u16, Reader<'a>), SctpError> {
    let kind = r.u16()?;
    let len = r.u16()?;
    let body = usize::from(len)
        .checked_sub(4)
        .ok_or(SctpError::Malformed(MalformedChunk::Parameter))?;
    let v = r
        .sub(body)
        .map_err(|_| SctpError::Malformed(MalformedChunk::Parameter))?;
    let pad = padding(usize::from(len)).min(r.remaining());
    r.skip(pad)?;
    Ok((kind, v))
}

pub(crate) fn heartbeat_info<'a>(v: &mut Reader<'a>) -> Result<&'a [u8], SctpError> {
    while !v.is_empty() {
        let (kind, mut value) = next_param(v)?;
        if kind == HEARTBEAT_INFO {
            return Ok(value.rest());
        }
    }
    Err(SctpError::Malformed(MalformedChunk::Parameter))
}

/// RFC 9260 sections 3.3.2 and 3.3.3.
pub(crate) fn parse_init<'a>(v: &mut Reader<'a>, ack: bool) -> Result<InitChunk<'a>, SctpError> {
    let mut init = InitChunk {
        initiate_tag: v.u32()?,
        a_rwnd: v.u32()?,
        outbound_streams: v.u16()?,
        inbound_streams: v.u16()?,
        initial_tsn: v.u32()?,
        cookie: None,
        forward_tsn: false,
        reconfig: false,
        zero_checksum: false,
    };
    if init.initiate_tag == 0 || init.outbound_streams == 0 || init.inbound_streams == 0 {
        return Err(SctpError::Malformed(MalformedChunk::Init));
    }
    while !v.is_empty() {
        let (kind, mut value) = next_param(v)?;
        match kind {
            STATE_COOKIE if ack => init.cookie = Some(value.rest()),
            FORWARD_TSN_SUPPORTED => init.forward_tsn = true,
            SUPPORTED_EXTENSIONS => {
                for &t in value.rest() {
                    init.forward_tsn |= t == FORWARD_TSN;
                    init.reconfig |= t == RE_CONFIG;
                }
            }
            ZERO_CHECKSUM => init.zero_checksum = value.u32() == Ok(EDMID_DTLS),
            // RFC 9260 section 3.2.1: the top bit of an unknown parameter's type says whether
            // to skip it (1) or to stop processing the remaining parameters (0).
            _ if kind & 0x8000 == 0 => break,
            _ => {}
        }
    }
    if ack && init.cookie.is_none() {
        return Err(SctpError::Malformed(MalformedChunk::Init));
    }
    Ok(init)
}

pub(crate) fn init_len(i: &InitChunk<'_>) -> usize {
    let mut len = 16;
    if let Some(c) = i.cookie {
        len += 4 + c.len() + padding(c.len());
    }
    if i.forward_tsn {
        len += 4;
    }
    if i.forward_tsn || i.reconfig {
        let n = usize::from(i.forward_tsn) + usize::from(i.reconfig);
        len += 4 + n + padding(4 + n);
    }
    if i.zero_checksum {
        len += 8;
    }
    len
}

pub(crate) fn encode_init(i: &InitChunk<'_>, out: &mut Vec<u8>) {
    out.extend_from_slice(&i.initiate_tag.to_be_bytes());
    out.extend_from_slice(&i.a_rwnd.to_be_bytes());
    out.extend_from_slice(&i.outbound_streams.to_be_bytes());
    out.extend_from_slice(&i.inbound_streams.to_be_bytes());
    out.extend_from_slice(&i.initial_tsn.to_be_bytes());
    if let Some(c) = i.cookie {
        encode_param(out, STATE_COOKIE, c);
    }
    if i.forward_tsn {
        encode_param(out, FORWARD_TSN_SUPPORTED, &[]);
    }
    if i.forward_tsn || i.reconfig {
        let mut ext = Vec::with_capacity(2);
        if i.reconfig {
            ext.push(RE_CONFIG);
        }
        if i.forward_tsn {
            ext.push(FORWARD_TSN);
        }
        encode_param(out, SUPPORTED_EXTENSIONS, &ext);
    }
    if i.zero_checksum {
        encode_param(out, ZERO_CHECKSUM, &EDMID_DTLS.to_be_bytes());
    }
}

fn parse_streams(v: &mut Reader<'_>) -> Result<Vec<u16>, SctpError> {
    if !v.remaining().is_multiple_of(2) {
        return Err(SctpError::Malformed(MalformedChunk::ReConfig));
    }
    let mut streams = Vec::with_capacity(v.remaining() / 2);
    while !v.is_empty() {
        streams.push(v.u16()?);
    }
    Ok(streams)
}

/// RFC 6525 section 3.1: one or two parameters.
pub(crate) fn parse_reconfig(v: &mut Reader<'_>) -> Result<Vec<ReConfigParam>, SctpError> {
    let mut params = Vec::with_capacity(2);
    while !v.is_empty() {
        if params.len() == 2 {
            return Err(SctpError::Malformed(MalformedChunk::ReConfig));
        }
        let (kind, mut p) = next_param(v)?;
        let param = match kind {
            OUTGOING_RESET => ReConfigParam::OutgoingReset {
                request_seq: p.u32()?,
                response_seq: p.u32()?,
                last_tsn: p.u32()?,
                streams: parse_streams(&mut p)?,
            },
            INCOMING_RESET => ReConfigParam::IncomingReset {
                request_seq: p.u32()?,
                streams: parse_streams(&mut p)?,
            },
            RECONFIG_RESPONSE => ReConfigParam::Response {
                response_seq: p.u32()?,
                result: p.u32()?,
            },
            kind => ReConfigParam::Unknown { kind },
        };
        params.push(param);
    }
    if params.is_empty() {
        return Err(SctpError::Malformed(MalformedChunk::ReConfig));
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::*;

    fn roundtrip(c: &Chunk<'_>) {
        let mut buf = Vec::new();
        c.encode(&mut buf);
        assert_eq!(buf.len(), c.encoded_len());
        let mut r = Reader::new(&buf);
        assert_eq!(&Chunk::parse(&mut r).unwrap(), c);
    }

    fn init(cookie: Option<&[u8]>) -> InitChunk<'_> {
        InitChunk {
            initiate_tag: 0xdead_beef,
            a_rwnd: 1 << 20,
            outbound_streams: 1024,
            inbound_streams: 1024,
            initial_tsn: 42,
            cookie,
            forward_tsn: true,
            reconfig: true,
            zero_checksum: true,
        }
    }

    #[test]
    fn init_and_init_ack_roundtrip() {
        roundtrip(&Chunk::Init(init(None)));
        roundtrip(&Chunk::InitAck(init(Some(&[1, 2, 3, 4, 5]))));
        let mut plain = init(None);
        plain.forward_tsn = false;
        plain.reconfig = false;
        plain.zero_checksum = false;
        roundtrip(&Chunk::Init(plain));
    }

    #[test]
    fn init_ack_without_cookie_and_zero_tag_are_malformed() {
        let mut buf = Vec::new();
        Chunk::InitAck(init(None)).encode(&mut buf);
        buf[0] = super::super::chunk::INIT_ACK;
        assert_eq!(
            Chunk::parse(&mut Reader::new(&buf)),
            Err(SctpError::Malformed(MalformedChunk::Init))
        );
        let mut zero = init(None);
        zero.initiate_tag = 0;
        let mut buf = Vec::new();
        Chunk::Init(zero).encode(&mut buf);
        assert_eq!(
            Chunk::parse(&mut Reader::new(&buf)),
            Err(SctpError::Malformed(MalformedChunk::Init))
        );
    }

    #[test]
    fn unknown_init_parameter_with_top_bit_is_skipped() {
        let mut buf = Vec::new();
        let mut plain = init(None);
        plain.zero_checksum = false;
        Chunk::Init(plain).encode(&mut buf);
        // Append an unknown parameter 0x8123 and fix up the chunk length.
        encode_param(&mut buf, 0x8123, &[1, 2, 3]);
        encode_param(&mut buf, ZERO_CHECKSUM, &EDMID_DTLS.to_be_bytes());
        let len = buf.len() as u16;
        buf[2..4].copy_from_slice(&len.to_be_bytes());
        let Ok(Chunk::Init(parsed)) = Chunk::parse(&mut Reader::new(&buf)) else {
            panic!("INIT must parse");
        };
        assert!(parsed.zero_checksum && parsed.forward_tsn && parsed.reconfig);
    }

    #[test]
    fn reconfig_params_roundtrip() {
        roundtrip(&Chunk::ReConfig(vec![
            ReConfigParam::OutgoingReset {
                request_seq: 1,
                response_seq: 2,
                last_tsn: 3,
                streams: vec![4, 5, 6],
            },
            ReConfigParam::Response {
                response_seq: 7,
                result: 1,
            },
        ]));
        roundtrip(&Chunk::ReConfig(vec![ReConfigParam::IncomingReset {
            request_seq: 9,
            streams: vec![],
        }]));
    }

    #[test]
    fn reconfig_with_three_params_or_none_is_malformed() {
        let p = ReConfigParam::Response {
            response_seq: 1,
            result: 0,
        };
        let mut buf = Vec::new();
        Chunk::ReConfig(vec![p.clone(), p.clone(), p]).encode(&mut buf);
        assert_eq!(
            Chunk::parse(&mut Reader::new(&buf)),
            Err(SctpError::Malformed(MalformedChunk::ReConfig))
        );
        assert_eq!(
            Chunk::parse(&mut Reader::new(&[130, 0, 0, 4])),
            Err(SctpError::Malformed(MalformedChunk::ReConfig))
        );
    }
}
