//! Writing a STUN message into a caller's buffer.
//! [RFC 8489 sections 5, 14](https://www.rfc-editor.org/rfc/rfc8489#section-14).

use crate::attr::{AttrType, Attribute};
use crate::error::StunError;
use crate::header::{HEADER_LEN, MAGIC_COOKIE, MessageType, TransactionId};
use crate::integrity::{IntegrityKey, fingerprint};

/// Appends one STUN message to a `Vec<u8>`, keeping the header's length field right after
/// every step, so the buffer always holds a complete message.
///
/// Attributes are padded with zeros to 4 bytes. [`MessageEncoder::message_integrity`],
/// [`MessageEncoder::message_integrity_sha256`] and [`MessageEncoder::fingerprint`] compute
/// their values over what was written before them; nothing can follow FINGERPRINT. A failed
/// call leaves the buffer as it was.
///
/// ```
/// use muon_stun::{Attribute, IntegrityKey, Message, MessageEncoder, MessageType, TransactionId};
/// # fn main() -> Result<(), muon_stun::StunError> {
/// let key = IntegrityKey::short_term("remote-ice-pwd");
/// let mut buf = Vec::new();
/// MessageEncoder::new(&mut buf, MessageType::BINDING_REQUEST, TransactionId::from_bytes([1; 12]))
///     .attribute(&Attribute::Username("remote:local"))?
///     .attribute(&Attribute::Priority(1_853_817_087))?
///     .attribute(&Attribute::IceControlling(42))?
///     .attribute(&Attribute::UseCandidate)?
///     .message_integrity(&key)?
///     .fingerprint()?;
/// let msg = Message::decode(&buf)?;
/// msg.verify_integrity(&key)?;
/// assert_eq!(msg.username(), Some("remote:local"));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct MessageEncoder<'b> {
    buf: &'b mut Vec<u8>,
    start: usize,
    txid: TransactionId,
    sealed: bool,
}

impl<'b> MessageEncoder<'b> {
    /// Appends a header with no attributes to `buf`.
    pub fn new(buf: &'b mut Vec<u8>, typ: MessageType, txid: TransactionId) -> Self {
        let start = buf.len();
        buf.extend_from_slice(&typ.to_u16().to_be_bytes());
        buf.extend_from_slice(&[0, 0]);
        buf.extend_from_slice(&MAGIC_COOKIE.to_be_bytes());
        buf.extend_from_slice(txid.as_bytes());
        Self {
            buf,
            start,
            txid,
            sealed: false,
        }
    }

    /// Appends an attribute.
    pub fn attribute(&mut self, attr: &Attribute<'_>) -> Result<&mut Self, StunError> {
        let txid = self.txid;
        self.append(attr.attr_type(), |out| attr.encode_value(&txid, out))
    }

    /// Appends MESSAGE-INTEGRITY: HMAC-SHA1 with `key` over the message so far
    /// (RFC 8489 section 14.5).
    pub fn message_integrity(&mut self, key: &IntegrityKey) -> Result<&mut Self, StunError> {
        self.signed(AttrType::MESSAGE_INTEGRITY, 20, |m, out| {
            out[..20].copy_from_slice(&key.hmac_sha1(&[m]));
        })
    }

    /// Appends MESSAGE-INTEGRITY-SHA256, untruncated: HMAC-SHA256 with `key` over the message
    /// so far (RFC 8489 section 14.6).
    pub fn message_integrity_sha256(&mut self, key: &IntegrityKey) -> Result<&mut Self, StunError> {
        self.signed(AttrType::MESSAGE_INTEGRITY_SHA256, 32, |m, out| {
            *out = key.hmac_sha256(&[m]);
        })
    }

    /// Appends FINGERPRINT and seals the message (RFC 8489 section 14.7).
    pub fn fingerprint(&mut self) -> Result<&mut Self, StunError> {
        self.signed(AttrType::FINGERPRINT, 4, |m, out| {
            out[..4].copy_from_slice(&fingerprint(&[m]).to_be_bytes());
        })?;
        self.sealed = true;
        Ok(self)
    }

    /// The message's length so far, header included.
    pub fn len(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Always false: a message has at least its header.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Sets the header length as if an attribute of `value_len` (at most 32) bytes were
    /// appended, then appends it with the value `compute` writes, computed over the message so
    /// far.
    fn signed(
        &mut self,
        typ: AttrType,
        value_len: usize,
        compute: impl FnOnce(&[u8], &mut [u8; 32]),
    ) -> Result<&mut Self, StunError> {
        if self.sealed {
            return Err(StunError::Sealed);
        }
        let body = self.len() - HEADER_LEN + 4 + value_len;
        self.set_length(body).ok_or(StunError::ValueTooLong(typ))?;
        let mut value = [0u8; 32];
        compute(&self.buf[self.start..], &mut value);
        self.append(typ, |out| {
            out.extend_from_slice(&value[..value_len]);
            Ok(())
        })
    }

    fn append(
        &mut self,
        typ: AttrType,
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), StunError>,
    ) -> Result<&mut Self, StunError> {
        if self.sealed {
            return Err(StunError::Sealed);
        }
        let before = self.buf.len();
        let result = self.try_append(typ, write);
        if result.is_err() {
            self.buf.truncate(before);
            // Restore the length field of the message as it was.
            let _ = self.set_length(before - self.start - HEADER_LEN);
        }
        result.map(|()| self)
    }

    fn try_append(
        &mut self,
        typ: AttrType,
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), StunError>,
    ) -> Result<(), StunError> {
        let at = self.buf.len();
        self.buf.extend_from_slice(&typ.value().to_be_bytes());
        self.buf.extend_from_slice(&[0, 0]);
        write(self.buf)?;
        let value_len = self.buf.len() - at - 4;
        let len = u16::try_from(value_len).map_err(|_| StunError::ValueTooLong(typ))?;
        self.buf[at + 2..at + 4].copy_from_slice(&len.to_be_bytes());
        self.buf.resize(self.buf.len() + (4 - value_len % 4) % 4, 0);
        let body = self.len() - HEADER_LEN;
        self.set_length(body).ok_or(StunError::ValueTooLong(typ))
    }

    /// Writes the header's length field; `None` when it does not fit 16 bits.
    fn set_length(&mut self, body: usize) -> Option<()> {
        let len = u16::try_from(body).ok()?;
        self.buf[self.start + 2..self.start + 4].copy_from_slice(&len.to_be_bytes());
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::{Class, Method};
    use crate::message::Message;

    const TXID: TransactionId = TransactionId::from_bytes([0x42; 12]);

    #[test]
    fn header_length_tracks_attributes_and_padding() {
        let mut buf = vec![0xEE]; // something already in the caller's buffer
        let mut enc = MessageEncoder::new(&mut buf, MessageType::BINDING_REQUEST, TXID);
        assert_eq!(enc.len(), 20);
        enc.attribute(&Attribute::Username("abc")).unwrap();
        assert_eq!(enc.len(), 28);
        assert_eq!(&buf[1..5], &[0x00, 0x01, 0x00, 0x08]);
        assert_eq!(&buf[21..29], &[0x00, 0x06, 0x00, 0x03, b'a', b'b', b'c', 0]);
        assert!(Message::decode(&buf[1..]).is_ok());
    }

    #[test]
    fn failed_attribute_leaves_the_buffer_unchanged() {
        let mut buf = Vec::new();
        let mut enc = MessageEncoder::new(&mut buf, MessageType::BINDING_REQUEST, TXID);
        enc.attribute(&Attribute::Priority(1)).unwrap();
        let big = vec![0u8; 70_000];
        assert_eq!(
            enc.attribute(&Attribute::Data(&big)).err(),
            Some(StunError::ValueTooLong(AttrType::DATA))
        );
        assert_eq!(enc.len(), 28);
        let fill = vec![0u8; 65_000];
        enc.attribute(&Attribute::Data(&fill)).unwrap();
        // The message would exceed a 16-bit length.
        assert!(enc.attribute(&Attribute::Data(&fill)).is_err());
        assert_eq!(enc.len(), 28 + 65_004);
        assert!(Message::decode(&buf).is_ok());
    }

    #[test]
    fn nothing_after_fingerprint() {
        let mut buf = Vec::new();
        let mut enc = MessageEncoder::new(
            &mut buf,
            MessageType::new(Method::SEND, Class::Indication),
            TXID,
        );
        enc.fingerprint().unwrap();
        assert_eq!(
            enc.attribute(&Attribute::UseCandidate).err(),
            Some(StunError::Sealed)
        );
        assert_eq!(enc.fingerprint().err(), Some(StunError::Sealed));
        let msg = Message::decode(&buf).unwrap();
        assert!(msg.has_fingerprint());
    }

    #[test]
    fn integrity_sha256_then_fingerprint_verify() {
        let key = IntegrityKey::short_term("pwd");
        let mut buf = Vec::new();
        MessageEncoder::new(&mut buf, MessageType::BINDING_REQUEST, TXID)
            .attribute(&Attribute::Username("u:v"))
            .unwrap()
            .message_integrity(&key)
            .unwrap()
            .message_integrity_sha256(&key)
            .unwrap()
            .fingerprint()
            .unwrap();
        let msg = Message::decode(&buf).unwrap();
        assert!(msg.has_integrity());
        msg.verify_integrity(&key).unwrap();
        assert_eq!(
            msg.verify_integrity(&IntegrityKey::short_term("pwe")),
            Err(StunError::IntegrityMismatch)
        );
    }
}
