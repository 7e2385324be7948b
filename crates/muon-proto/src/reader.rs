//! A bounds-checked cursor for parsing untrusted input.

use std::fmt;

/// The input ended before a field it must contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Truncated;

impl fmt::Display for Truncated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("input ended before the end of a field")
    }
}

impl std::error::Error for Truncated {}

/// A cursor over bytes from the network. Every read checks the remaining length and returns
/// [`Truncated`] instead of panicking; nothing allocates.
///
/// ```
/// use muon_proto::Reader;
/// let mut r = Reader::new(&[0x00, 0x01, 0xAB, 0xCD, 0xEF]);
/// assert_eq!(r.u16(), Ok(1));
/// assert_eq!(r.bytes(2), Ok(&[0xAB, 0xCD][..]));
/// assert!(r.u16().is_err());
/// ```
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    rest: &'a [u8],
    consumed: usize,
}

impl<'a> Reader<'a> {
    /// A reader positioned at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self {
            rest: bytes,
            consumed: 0,
        }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// True when everything has been read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// How many bytes have been read so far.
    pub fn position(&self) -> usize {
        self.consumed
    }

    /// The unread bytes, without consuming them.
    pub fn peek_rest(&self) -> &'a [u8] {
        self.rest
    }

    /// Takes the next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], Truncated> {
        if n > self.rest.len() {
            return Err(Truncated);
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        self.consumed += n;
        Ok(head)
    }

    /// Takes everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        let all = self.rest;
        self.consumed += all.len();
        self.rest = &[];
        all
    }

    /// Skips `n` bytes.
    pub fn skip(&mut self, n: usize) -> Result<(), Truncated> {
        self.bytes(n).map(|_| ())
    }

    /// Takes a fixed-size array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], Truncated> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N)?);
        Ok(out)
    }

    /// Takes a sub-reader over the next `n` bytes (for length-prefixed structures).
    pub fn sub(&mut self, n: usize) -> Result<Reader<'a>, Truncated> {
        self.bytes(n).map(Reader::new)
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> Result<u8, Truncated> {
        Ok(self.array::<1>()?[0])
    }

    /// Reads a big-endian u16.
    pub fn u16(&mut self) -> Result<u16, Truncated> {
        self.array().map(u16::from_be_bytes)
    }

    /// Reads a big-endian 24-bit integer.
    pub fn u24(&mut self) -> Result<u32, Truncated> {
        let [a, b, c] = self.array()?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    /// Reads a big-endian u32.
    pub fn u32(&mut self) -> Result<u32, Truncated> {
        self.array().map(u32::from_be_bytes)
    }

    /// Reads a big-endian 48-bit integer.
    pub fn u48(&mut self) -> Result<u64, Truncated> {
        let [a, b, c, d, e, f] = self.array()?;
        Ok(u64::from_be_bytes([0, 0, a, b, c, d, e, f]))
    }

    /// Reads a big-endian u64.
    pub fn u64(&mut self) -> Result<u64, Truncated> {
        self.array().map(u64::from_be_bytes)
    }

    /// Reads a one-byte length then that many bytes (TLS `opaque<0..2^8-1>`).
    pub fn vec8(&mut self) -> Result<&'a [u8], Truncated> {
        let n = self.u8()?;
        self.bytes(usize::from(n))
    }

    /// Reads a two-byte length then that many bytes (TLS `opaque<0..2^16-1>`).
    pub fn vec16(&mut self) -> Result<&'a [u8], Truncated> {
        let n = self.u16()?;
        self.bytes(usize::from(n))
    }

    /// Reads a three-byte length then that many bytes (TLS `opaque<0..2^24-1>`).
    pub fn vec24(&mut self) -> Result<&'a [u8], Truncated> {
        let n = self.u24()?;
        self.bytes(n as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_big_endian_fields_in_order() {
        let data = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
        let mut r = Reader::new(&data);
        assert_eq!(r.u8(), Ok(1));
        assert_eq!(r.u16(), Ok(0x0203));
        assert_eq!(r.u24(), Ok(0x040506));
        assert_eq!(r.u32(), Ok(0x0708090A));
        assert_eq!(r.position(), 10);
        assert_eq!(r.u48(), Ok(0x0B0C0D0E0F10));
        assert!(r.is_empty());
        assert_eq!(r.u8(), Err(Truncated));
    }

    #[test]
    fn short_input_is_an_error_and_consumes_nothing() {
        let mut r = Reader::new(&[0xFF, 0xFF]);
        assert_eq!(r.u32(), Err(Truncated));
        assert_eq!(r.remaining(), 2);
        assert_eq!(r.vec16(), Err(Truncated));
    }

    #[test]
    fn length_prefixed_vectors() {
        let mut r = Reader::new(&[2, 0xAA, 0xBB, 0, 1, 0xCC, 0, 0, 0]);
        assert_eq!(r.vec8(), Ok(&[0xAA, 0xBB][..]));
        assert_eq!(r.vec16(), Ok(&[0xCC][..]));
        assert_eq!(r.vec24(), Ok(&[][..]));
        assert!(r.is_empty());
    }
}
