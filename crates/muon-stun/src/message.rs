//! Zero-copy decoding and verification of a STUN message.
//! [RFC 8489 sections 5, 6.3, 14](https://www.rfc-editor.org/rfc/rfc8489#section-6.3).

use std::fmt;
use std::net::SocketAddr;

use subtle::ConstantTimeEq;

use crate::attr::{AttrType, Attribute, ErrorCode};
use crate::error::StunError;
use crate::header::{Class, HEADER_LEN, MAGIC_COOKIE, MessageType, Method, TransactionId};
use crate::integrity::{IntegrityKey, fingerprint};

/// The most attributes a decoded message may hold (counting MESSAGE-INTEGRITY(-SHA256) and
/// FINGERPRINT, not counting ignored attributes after MESSAGE-INTEGRITY). A message with more
/// is rejected with [`StunError::TooManyAttributes`]. Real messages carry fewer than 15; the
/// bound keeps [`Message`] a fixed size (no allocation while decoding).
pub const MAX_ATTRIBUTES: usize = 64;

/// Where one attribute's value lies in the message.
#[derive(Clone, Copy, Default)]
struct Slot {
    typ: u16,
    len: u16,
    /// Offset of the value in the message (at most 20 + 65535 - 4, so it fits in u32).
    start: u32,
}

/// A decoded STUN message borrowing the datagram it came from.
///
/// [`Message::decode`] checks the header, walks every attribute, validates the value of every
/// attribute this crate knows, and checks FINGERPRINT when present; it allocates nothing.
/// MESSAGE-INTEGRITY is checked separately with [`Message::verify_integrity`] once the caller
/// has found the key (from USERNAME, USERHASH or the transaction).
///
/// Attributes after MESSAGE-INTEGRITY other than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, and
/// after MESSAGE-INTEGRITY-SHA256 other than FINGERPRINT, are ignored as RFC 8489 section 14.5
/// and 14.6 require: they are neither validated nor listed.
#[derive(Clone)]
pub struct Message<'a> {
    bytes: &'a [u8],
    typ: MessageType,
    txid: TransactionId,
    slots: [Slot; MAX_ATTRIBUTES],
    count: usize,
    /// Offset of the MESSAGE-INTEGRITY attribute header.
    integrity: Option<usize>,
    /// Offset of the MESSAGE-INTEGRITY-SHA256 attribute header and its value length.
    integrity_sha256: Option<(usize, usize)>,
    fingerprint: bool,
}

macro_rules! getters {
    ($($(#[$doc:meta])* $name:ident -> $ty:ty = $variant:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(&self) -> Option<$ty> {
                self.attributes().find_map(|a| match a {
                    Attribute::$variant(v) => Some(v),
                    _ => None,
                })
            }
        )*
    };
}

impl<'a> Message<'a> {
    /// Decodes one message that fills `bytes` exactly (one UDP datagram; for streams, cut the
    /// frame with [`crate::message_len`] first).
    pub fn decode(bytes: &'a [u8]) -> Result<Self, StunError> {
        let Some((header, _)) = bytes.split_first_chunk::<HEADER_LEN>() else {
            return Err(StunError::Truncated);
        };
        let typ = MessageType::from_u16(u16::from_be_bytes([header[0], header[1]]))
            .ok_or(StunError::NotStun)?;
        if header[4..8] != MAGIC_COOKIE.to_be_bytes() {
            return Err(StunError::NotStun);
        }
        let declared = u16::from_be_bytes([header[2], header[3]]);
        let actual = bytes.len() - HEADER_LEN;
        if usize::from(declared) != actual || !actual.is_multiple_of(4) {
            return Err(StunError::BadLength { declared, actual });
        }
        let mut txid = [0u8; 12];
        txid.copy_from_slice(&header[8..]);
        let mut msg = Self {
            bytes,
            typ,
            txid: TransactionId::from_bytes(txid),
            slots: [Slot::default(); MAX_ATTRIBUTES],
            count: 0,
            integrity: None,
            integrity_sha256: None,
            fingerprint: false,
        };
        msg.walk()?;
        Ok(msg)
    }

    /// Walks the attributes (RFC 8489 section 14). Every step advances by at least 4 bytes.
    fn walk(&mut self) -> Result<(), StunError> {
        let bytes = self.bytes;
        let mut pos = HEADER_LEN;
        while let Some(rest) = bytes.get(pos..).filter(|r| !r.is_empty()) {
            if self.fingerprint {
                return Err(StunError::AttributeAfterFingerprint);
            }
            let Some((&[t0, t1, l0, l1], rest)) = rest.split_first_chunk::<4>() else {
                return Err(StunError::Truncated);
            };
            let typ = AttrType::new(u16::from_be_bytes([t0, t1]));
            let len = u16::from_be_bytes([l0, l1]);
            let value = rest.get(..usize::from(len)).ok_or(StunError::Truncated)?;
            let here = pos;
            // The message length is a multiple of 4, so the padding always fits.
            pos += 4 + usize::from(len).next_multiple_of(4);

            // RFC 8489 sections 14.5 and 14.6: after MESSAGE-INTEGRITY only
            // MESSAGE-INTEGRITY-SHA256 and FINGERPRINT count; after MESSAGE-INTEGRITY-SHA256
            // only FINGERPRINT. The rest is skipped unread.
            let honored = match typ {
                AttrType::FINGERPRINT => true,
                AttrType::MESSAGE_INTEGRITY_SHA256 => self.integrity_sha256.is_none(),
                _ => !self.has_integrity(),
            };
            if !honored {
                continue;
            }
            Attribute::decode(typ, value, &self.txid)?;
            match typ {
                AttrType::FINGERPRINT => {
                    self.fingerprint = true;
                    self.check_fingerprint(here, value)?;
                }
                AttrType::MESSAGE_INTEGRITY_SHA256 => {
                    self.integrity_sha256 = Some((here, value.len()));
                }
                AttrType::MESSAGE_INTEGRITY => self.integrity = Some(here),
                _ => {}
            }
            let slot = self
                .slots
                .get_mut(self.count)
                .ok_or(StunError::TooManyAttributes)?;
            *slot = Slot {
                typ: typ.value(),
                len,
                start: (here + 4) as u32,
            };
            self.count += 1;
        }
        Ok(())
    }

    /// FINGERPRINT covers the message up to the attribute, with the length field as sent
    /// (it is the last attribute, so the length already counts it).
    fn check_fingerprint(&self, at: usize, value: &[u8]) -> Result<(), StunError> {
        let head = self.bytes.get(..at).ok_or(StunError::Truncated)?;
        let expected = fingerprint(&[head]).to_be_bytes();
        if bool::from(expected.ct_eq(value)) {
            Ok(())
        } else {
            Err(StunError::FingerprintMismatch)
        }
    }

    /// Verifies the message's integrity with `key`, in constant time: MESSAGE-INTEGRITY-SHA256
    /// when present (RFC 8489 sections 9.1.3 and 9.2.4 prefer it), otherwise MESSAGE-INTEGRITY.
    pub fn verify_integrity(&self, key: &IntegrityKey) -> Result<(), StunError> {
        if let Some((at, len)) = self.integrity_sha256 {
            let (head, rest) = self.signed_parts(at, 4 + len)?;
            let mac = key.hmac_sha256(&[&head, rest]);
            let got = self
                .bytes
                .get(at + 4..at + 4 + len)
                .ok_or(StunError::Truncated)?;
            let want = mac.get(..len).ok_or(StunError::Truncated)?;
            return ct_result(want, got);
        }
        if let Some(at) = self.integrity {
            let (head, rest) = self.signed_parts(at, 24)?;
            let mac = key.hmac_sha1(&[&head, rest]);
            let got = self
                .bytes
                .get(at + 4..at + 24)
                .ok_or(StunError::Truncated)?;
            return ct_result(&mac, got);
        }
        Err(StunError::NoIntegrity)
    }

    /// What an HMAC covers for an integrity attribute at offset `at`, `attr_len` bytes long:
    /// the message type and a length field adjusted to end at that attribute, then the rest of
    /// the message up to it (RFC 8489 section 14.5).
    fn signed_parts(&self, at: usize, attr_len: usize) -> Result<([u8; 4], &'a [u8]), StunError> {
        let len = u16::try_from(at - HEADER_LEN + attr_len).map_err(|_| StunError::Truncated)?;
        let [l0, l1] = len.to_be_bytes();
        let (&[t0, t1, _, _], _) = self
            .bytes
            .split_first_chunk::<4>()
            .ok_or(StunError::Truncated)?;
        let rest = self.bytes.get(4..at).ok_or(StunError::Truncated)?;
        Ok(([t0, t1, l0, l1], rest))
    }

    /// The message type.
    pub fn message_type(&self) -> MessageType {
        self.typ
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.typ.method
    }

    /// The class.
    pub fn class(&self) -> Class {
        self.typ.class
    }

    /// The transaction id.
    pub fn transaction_id(&self) -> TransactionId {
        self.txid
    }

    /// The whole message as received.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// True when the message carries MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256.
    pub fn has_integrity(&self) -> bool {
        self.integrity.is_some() || self.integrity_sha256.is_some()
    }

    /// True when the message carried a FINGERPRINT (already verified by `decode`).
    pub fn has_fingerprint(&self) -> bool {
        self.fingerprint
    }

    /// The attributes in order, MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT included, ignored
    /// ones (after MESSAGE-INTEGRITY) left out.
    pub fn attributes(&self) -> impl Iterator<Item = Attribute<'a>> + '_ {
        self.slots[..self.count].iter().filter_map(|s| {
            let start = s.start as usize;
            let value = self.bytes.get(start..start + usize::from(s.len))?;
            // Validated by `decode`, so this cannot fail.
            Attribute::decode(AttrType::new(s.typ), value, &self.txid).ok()
        })
    }

    /// The first attribute of type `typ`.
    pub fn get(&self, typ: AttrType) -> Option<Attribute<'a>> {
        self.attributes().find(|a| a.attr_type() == typ)
    }

    /// Comprehension-required attribute types (0x0000-0x7FFF) this crate does not know. A
    /// request with any must be answered 420 with these in UNKNOWN-ATTRIBUTES; a response with
    /// any fails its transaction (RFC 8489 section 6.3).
    pub fn unknown_comprehension_required(&self) -> impl Iterator<Item = AttrType> + '_ {
        self.slots[..self.count]
            .iter()
            .map(|s| AttrType::new(s.typ))
            .filter(|t| t.is_comprehension_required() && !t.is_known())
    }

    getters! {
        /// USERNAME.
        username -> &'a str = Username;
        /// USERHASH.
        userhash -> [u8; 32] = Userhash;
        /// REALM.
        realm -> &'a str = Realm;
        /// NONCE.
        nonce -> &'a [u8] = Nonce;
        /// SOFTWARE.
        software -> &'a str = Software;
        /// ERROR-CODE.
        error_code -> ErrorCode<'a> = ErrorCode;
        /// XOR-MAPPED-ADDRESS.
        xor_mapped_address -> SocketAddr = XorMappedAddress;
        /// MAPPED-ADDRESS.
        mapped_address -> SocketAddr = MappedAddress;
        /// XOR-PEER-ADDRESS.
        xor_peer_address -> SocketAddr = XorPeerAddress;
        /// XOR-RELAYED-ADDRESS.
        xor_relayed_address -> SocketAddr = XorRelayedAddress;
        /// LIFETIME, in seconds.
        lifetime -> u32 = Lifetime;
        /// DATA.
        data -> &'a [u8] = Data;
        /// CHANNEL-NUMBER.
        channel_number -> u16 = ChannelNumber;
        /// PRIORITY.
        priority -> u32 = Priority;
        /// ICE-CONTROLLING's tie-breaker.
        ice_controlling -> u64 = IceControlling;
        /// ICE-CONTROLLED's tie-breaker.
        ice_controlled -> u64 = IceControlled;
    }

    /// True when USE-CANDIDATE is present.
    pub fn use_candidate(&self) -> bool {
        self.slots[..self.count]
            .iter()
            .any(|s| s.typ == AttrType::USE_CANDIDATE.value())
    }
}

impl fmt::Debug for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Attribute values can hold addresses and usernames: list only their types.
        let types: Vec<AttrType> = self.slots[..self.count]
            .iter()
            .map(|s| AttrType::new(s.typ))
            .collect();
        f.debug_struct("Message")
            .field("type", &self.typ)
            .field("transaction_id", &self.txid)
            .field("attributes", &types)
            .finish()
    }
}

fn ct_result(want: &[u8], got: &[u8]) -> Result<(), StunError> {
    if bool::from(want.ct_eq(got)) {
        Ok(())
    } else {
        Err(StunError::IntegrityMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoder::MessageEncoder;

    const TXID: TransactionId = TransactionId::from_bytes([3; 12]);

    fn build(f: impl FnOnce(&mut MessageEncoder<'_>)) -> Vec<u8> {
        let mut buf = Vec::new();
        f(&mut MessageEncoder::new(
            &mut buf,
            MessageType::BINDING_REQUEST,
            TXID,
        ));
        buf
    }

    /// Appends a raw attribute after whatever `msg` holds and fixes the header length.
    fn append_raw(msg: &mut Vec<u8>, typ: u16, value: &[u8]) {
        msg.extend_from_slice(&typ.to_be_bytes());
        msg.extend_from_slice(&(value.len() as u16).to_be_bytes());
        msg.extend_from_slice(value);
        msg.resize(msg.len().next_multiple_of(4), 0);
        let len = (msg.len() - HEADER_LEN) as u16;
        msg[2..4].copy_from_slice(&len.to_be_bytes());
    }

    #[test]
    fn header_errors() {
        let ok = build(|_| {});
        assert!(Message::decode(&ok).is_ok());
        assert_eq!(Message::decode(&ok[..19]).err(), Some(StunError::Truncated));
        let mut bad = ok.clone();
        bad[0] = 0x40;
        assert_eq!(Message::decode(&bad).err(), Some(StunError::NotStun));
        let mut bad = ok.clone();
        bad[4] = 0;
        assert_eq!(Message::decode(&bad).err(), Some(StunError::NotStun));
        let mut bad = ok.clone();
        bad.push(0);
        assert_eq!(
            Message::decode(&bad).err(),
            Some(StunError::BadLength {
                declared: 0,
                actual: 1
            })
        );
        let mut bad = ok.clone();
        bad.extend_from_slice(&[0, 0]);
        bad[3] = 2;
        assert!(matches!(
            Message::decode(&bad),
            Err(StunError::BadLength { .. })
        ));
    }

    #[test]
    fn attribute_overrunning_the_message_is_truncated() {
        let mut m = build(|e| {
            e.attribute(&Attribute::Priority(1)).unwrap();
        });
        m[22..24].copy_from_slice(&8u16.to_be_bytes());
        assert_eq!(Message::decode(&m).err(), Some(StunError::Truncated));
    }

    #[test]
    fn attribute_count_is_bounded() {
        let mut m = build(|_| {});
        for _ in 0..MAX_ATTRIBUTES {
            append_raw(&mut m, AttrType::USE_CANDIDATE.value(), &[]);
        }
        assert_eq!(
            Message::decode(&m).unwrap().attributes().count(),
            MAX_ATTRIBUTES
        );
        append_raw(&mut m, AttrType::USE_CANDIDATE.value(), &[]);
        assert_eq!(
            Message::decode(&m).err(),
            Some(StunError::TooManyAttributes)
        );
    }

    #[test]
    fn after_integrity_only_sha256_and_fingerprint_count() {
        let key = IntegrityKey::short_term("k");
        let mut m = build(|e| {
            e.attribute(&Attribute::Username("a:b")).unwrap();
            e.message_integrity(&key).unwrap();
        });
        // Ignored: a malformed PRIORITY, an unknown required type, a second MESSAGE-INTEGRITY.
        append_raw(&mut m, AttrType::PRIORITY.value(), &[1]);
        append_raw(&mut m, 0x7777, &[1, 2]);
        append_raw(&mut m, AttrType::MESSAGE_INTEGRITY.value(), &[0; 20]);
        let msg = Message::decode(&m).unwrap();
        assert_eq!(msg.priority(), None);
        assert_eq!(msg.unknown_comprehension_required().count(), 0);
        assert_eq!(msg.attributes().count(), 2);
        assert_eq!(msg.verify_integrity(&key), Ok(()));
    }

    #[test]
    fn sha256_is_preferred_and_may_be_truncated_to_16_bytes() {
        let key = IntegrityKey::short_term("k");
        let mut m = build(|e| {
            e.attribute(&Attribute::Username("a:b")).unwrap();
            // A wrong MESSAGE-INTEGRITY: only the SHA-256 one is checked when both are there.
            e.attribute(&Attribute::MessageIntegrity([0; 20])).unwrap();
        });
        let at = m.len();
        let len = (at - HEADER_LEN + 4 + 16) as u16;
        m[2..4].copy_from_slice(&len.to_be_bytes());
        let mac = key.hmac_sha256(&[&m]);
        append_raw(
            &mut m,
            AttrType::MESSAGE_INTEGRITY_SHA256.value(),
            &mac[..16],
        );
        let msg = Message::decode(&m).unwrap();
        assert_eq!(msg.verify_integrity(&key), Ok(()));
        assert_eq!(
            msg.verify_integrity(&IntegrityKey::short_term("j")),
            Err(StunError::IntegrityMismatch)
        );
    }

    #[test]
    fn nothing_may_follow_fingerprint() {
        let mut m = build(|e| {
            e.fingerprint().unwrap();
        });
        assert!(Message::decode(&m).unwrap().has_fingerprint());
        append_raw(&mut m, AttrType::USE_CANDIDATE.value(), &[]);
        // The length now differs from what the fingerprint covered, or the attribute follows
        // it: either way the message is refused.
        assert!(matches!(
            Message::decode(&m),
            Err(StunError::FingerprintMismatch | StunError::AttributeAfterFingerprint)
        ));
    }

    #[test]
    fn no_integrity_and_unknown_required_attributes() {
        let mut m = build(|e| {
            e.attribute(&Attribute::Other {
                typ: AttrType::new(0x8123),
                value: &[1],
            })
            .unwrap();
        });
        append_raw(&mut m, 0x0042, &[]);
        let msg = Message::decode(&m).unwrap();
        assert_eq!(
            msg.verify_integrity(&IntegrityKey::short_term("k")),
            Err(StunError::NoIntegrity)
        );
        assert_eq!(
            msg.unknown_comprehension_required().collect::<Vec<_>>(),
            [AttrType::new(0x0042)]
        );
    }

    #[test]
    fn debug_lists_types_not_values() {
        let m = build(|e| {
            e.attribute(&Attribute::Username("secret-ufrag:x")).unwrap();
        });
        let s = format!("{:?}", Message::decode(&m).unwrap());
        assert!(s.contains("USERNAME"), "{s}");
        assert!(!s.contains("secret"), "{s}");
    }
}
