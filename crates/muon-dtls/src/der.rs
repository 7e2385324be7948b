//! A minimal DER writer (for our self-signed certificate) and reader (to find the
//! SubjectPublicKeyInfo in a peer's certificate). ITU-T X.690 section 10, RFC 5280 section 4.1.
//!
//! The reader walks a fixed path with a cursor; it never recurses, so hostile nesting
//! cannot exhaust the stack.

use muon_proto::Reader;

use crate::error::{DtlsError, Wire};

pub(crate) const TAG_INTEGER: u8 = 0x02;
pub(crate) const TAG_BIT_STRING: u8 = 0x03;
pub(crate) const TAG_OID: u8 = 0x06;
pub(crate) const TAG_UTF8_STRING: u8 = 0x0C;
pub(crate) const TAG_UTC_TIME: u8 = 0x17;
pub(crate) const TAG_GENERALIZED_TIME: u8 = 0x18;
pub(crate) const TAG_SEQUENCE: u8 = 0x30;
pub(crate) const TAG_SET: u8 = 0x31;
/// `[0] EXPLICIT`, constructed, context-specific.
pub(crate) const TAG_CONTEXT_0: u8 = 0xA0;

/// Appends one TLV with a definite length.
pub(crate) fn tlv(out: &mut Vec<u8>, tag: u8, contents: &[u8]) {
    out.push(tag);
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u32).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (4 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(contents);
}

/// A TLV whose contents `f` builds.
pub(crate) fn nested(out: &mut Vec<u8>, tag: u8, f: impl FnOnce(&mut Vec<u8>)) {
    let mut inner = Vec::new();
    f(&mut inner);
    tlv(out, tag, &inner);
}

/// A non-negative INTEGER from big-endian magnitude bytes (minimal, sign-safe).
pub(crate) fn unsigned_integer(out: &mut Vec<u8>, magnitude: &[u8]) {
    let trimmed: &[u8] = match magnitude.iter().position(|b| *b != 0) {
        Some(i) => &magnitude[i..],
        None => &[0],
    };
    let mut v = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
        v.push(0);
    }
    v.extend_from_slice(trimmed);
    tlv(out, TAG_INTEGER, &v);
}

/// A BIT STRING with no unused bits.
pub(crate) fn bit_string(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut v = Vec::with_capacity(bytes.len() + 1);
    v.push(0);
    v.extend_from_slice(bytes);
    tlv(out, TAG_BIT_STRING, &v);
}

/// One element read from DER: its tag, contents, and the whole encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Element<'a> {
    pub(crate) tag: u8,
    pub(crate) contents: &'a [u8],
    pub(crate) whole: &'a [u8],
}

/// Reads one element (single-byte tags, definite lengths of at most 4 bytes, minimal form).
pub(crate) fn read<'a>(r: &mut Reader<'a>) -> Result<Element<'a>, DtlsError> {
    read_inner(r).ok_or(DtlsError::Malformed(Wire::Der))
}

fn read_inner<'a>(r: &mut Reader<'a>) -> Option<Element<'a>> {
    let start = r.peek_rest();
    let tag = r.u8().ok()?;
    if tag & 0x1F == 0x1F {
        return None; // multi-byte tags do not occur in the structures we read
    }
    let first = r.u8().ok()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for _ in 0..n {
            len = (len << 8) | usize::from(r.u8().ok()?);
        }
        if len < 0x80 {
            return None; // not minimal
        }
        len
    };
    let contents = r.bytes(len).ok()?;
    let header_len = start.len() - r.remaining() - len;
    let whole = start.get(..header_len + len)?;
    Some(Element {
        tag,
        contents,
        whole,
    })
}

/// Reads one element and checks its tag.
pub(crate) fn expect<'a>(r: &mut Reader<'a>, tag: u8) -> Result<Element<'a>, DtlsError> {
    let e = read(r)?;
    if e.tag == tag {
        Ok(e)
    } else {
        Err(DtlsError::Malformed(Wire::Der))
    }
}

/// Finds the SubjectPublicKeyInfo (whole DER) of an X.509 certificate (RFC 5280 section 4.1).
pub(crate) fn certificate_spki(cert: &[u8]) -> Result<&[u8], DtlsError> {
    let mut outer = Reader::new(cert);
    let certificate = expect(&mut outer, TAG_SEQUENCE)?;
    let mut c = Reader::new(certificate.contents);
    let tbs = expect(&mut c, TAG_SEQUENCE)?;
    let mut t = Reader::new(tbs.contents);
    let mut first = read(&mut t)?;
    if first.tag == TAG_CONTEXT_0 {
        first = read(&mut t)?; // version present; next is the serial number
    }
    if first.tag != TAG_INTEGER {
        return Err(DtlsError::Malformed(Wire::Der));
    }
    expect(&mut t, TAG_SEQUENCE)?; // signature algorithm
    expect(&mut t, TAG_SEQUENCE)?; // issuer
    expect(&mut t, TAG_SEQUENCE)?; // validity
    expect(&mut t, TAG_SEQUENCE)?; // subject
    Ok(expect(&mut t, TAG_SEQUENCE)?.whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lengths_round_trip() {
        for len in [0usize, 5, 127, 128, 255, 256, 70000] {
            let mut out = Vec::new();
            tlv(&mut out, TAG_SEQUENCE, &vec![1; len]);
            let e = read(&mut Reader::new(&out)).unwrap();
            assert_eq!(e.contents.len(), len);
            assert_eq!(e.whole, &out[..]);
        }
    }

    #[test]
    fn integers_are_minimal_and_positive() {
        let mut out = Vec::new();
        unsigned_integer(&mut out, &[0, 0, 0x80]);
        assert_eq!(out, [2, 2, 0, 0x80]);
        out.clear();
        unsigned_integer(&mut out, &[0, 0]);
        assert_eq!(out, [2, 1, 0]);
    }

    #[test]
    fn non_minimal_and_truncated_lengths_are_rejected() {
        assert!(read(&mut Reader::new(&[0x30, 0x81, 0x05, 0, 0, 0, 0, 0])).is_err());
        assert!(read(&mut Reader::new(&[0x30, 0x85, 1, 1, 1, 1, 1])).is_err());
        assert!(read(&mut Reader::new(&[0x30, 0x03, 0])).is_err());
        assert!(read(&mut Reader::new(&[0x1F, 0x00])).is_err());
        assert!(certificate_spki(&[0x30, 0x02, 0x30, 0x00]).is_err());
    }
}
