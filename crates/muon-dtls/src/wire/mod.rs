//! Wire formats: records, handshake messages, extensions and alerts (RFC 6347, RFC 5246).
//!
//! Each type parses from untrusted bytes with `decode` (never panicking, any structural
//! error is [`crate::DtlsError::Malformed`]) and writes itself with `encode` into a `Vec`.

pub(crate) mod alert;
pub(crate) mod extensions;
pub(crate) mod handshake;
pub(crate) mod messages;
pub(crate) mod record;

#[cfg(test)]
mod proptests;

/// Appends `v` as a big-endian 24-bit integer (values above 2^24-1 are the caller's bug and
/// are prevented by the message size limits).
pub(crate) fn put_u24(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes()[1..]);
}

/// Appends `body` behind a length prefix of `width` bytes (1, 2 or 3).
pub(crate) fn put_vec(out: &mut Vec<u8>, width: usize, body: &[u8]) {
    let len = body.len() as u32;
    match width {
        1 => out.push(len as u8),
        2 => out.extend_from_slice(&(len as u16).to_be_bytes()),
        _ => put_u24(out, len),
    }
    out.extend_from_slice(body);
}

/// Writes a length-prefixed block whose contents `f` appends, patching the prefix afterwards.
pub(crate) fn with_len(out: &mut Vec<u8>, width: usize, f: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    out.resize(at + width, 0);
    f(out);
    let len = (out.len() - at - width) as u32;
    let bytes = len.to_be_bytes();
    out[at..at + width].copy_from_slice(&bytes[4 - width..]);
}
