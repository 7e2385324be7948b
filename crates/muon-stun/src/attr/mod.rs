//! STUN attributes: the type registry and the typed [`Attribute`] values.
//!
//! Registries: [RFC 8489 section 18.3](https://www.rfc-editor.org/rfc/rfc8489#section-18.3)
//! (STUN), [RFC 8656 section 18](https://www.rfc-editor.org/rfc/rfc8656#section-18) (TURN),
//! [RFC 8445 section 16.1](https://www.rfc-editor.org/rfc/rfc8445#section-16.1) (ICE).

use std::fmt;
use std::net::SocketAddr;

use crate::error::StunError;
use crate::header::TransactionId;

pub(crate) mod address;
mod error_code;
mod lists;

pub use error_code::ErrorCode;
pub use lists::{PasswordAlgorithm, PasswordAlgorithmId, PasswordAlgorithms, UnknownAttributes};

/// Largest USERNAME to encode: "fewer than 509 bytes" (RFC 8489 section 14.3).
const MAX_USERNAME: usize = 508;
/// Largest REALM, NONCE, SOFTWARE or reason phrase to encode: 128 characters, at most 763
/// bytes of UTF-8 (RFC 8489 sections 14.8-14.10, 14.14).
const MAX_TEXT: usize = 763;

/// A 16-bit attribute type. Unknown types round-trip through the raw value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttrType(u16);

macro_rules! attr_types {
    ($($(#[$doc:meta])* $name:ident = $value:literal, $text:literal;)*) => {
        impl AttrType {
            $($(#[$doc])* pub const $name: Self = Self($value);)*

            fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some($text),)*
                    _ => None,
                }
            }
        }
    };
}

attr_types! {
    /// MAPPED-ADDRESS (RFC 8489 section 14.1).
    MAPPED_ADDRESS = 0x0001, "MAPPED-ADDRESS";
    /// USERNAME (RFC 8489 section 14.3).
    USERNAME = 0x0006, "USERNAME";
    /// MESSAGE-INTEGRITY, HMAC-SHA1 (RFC 8489 section 14.5).
    MESSAGE_INTEGRITY = 0x0008, "MESSAGE-INTEGRITY";
    /// ERROR-CODE (RFC 8489 section 14.8).
    ERROR_CODE = 0x0009, "ERROR-CODE";
    /// UNKNOWN-ATTRIBUTES (RFC 8489 section 14.9).
    UNKNOWN_ATTRIBUTES = 0x000A, "UNKNOWN-ATTRIBUTES";
    /// CHANNEL-NUMBER (RFC 8656 section 18.1).
    CHANNEL_NUMBER = 0x000C, "CHANNEL-NUMBER";
    /// LIFETIME (RFC 8656 section 18.2).
    LIFETIME = 0x000D, "LIFETIME";
    /// XOR-PEER-ADDRESS (RFC 8656 section 18.3).
    XOR_PEER_ADDRESS = 0x0012, "XOR-PEER-ADDRESS";
    /// DATA (RFC 8656 section 18.4).
    DATA = 0x0013, "DATA";
    /// REALM (RFC 8489 section 14.9).
    REALM = 0x0014, "REALM";
    /// NONCE (RFC 8489 section 14.10).
    NONCE = 0x0015, "NONCE";
    /// XOR-RELAYED-ADDRESS (RFC 8656 section 18.5).
    XOR_RELAYED_ADDRESS = 0x0016, "XOR-RELAYED-ADDRESS";
    /// REQUESTED-ADDRESS-FAMILY (RFC 8656 section 18.6).
    REQUESTED_ADDRESS_FAMILY = 0x0017, "REQUESTED-ADDRESS-FAMILY";
    /// EVEN-PORT (RFC 8656 section 18.7).
    EVEN_PORT = 0x0018, "EVEN-PORT";
    /// REQUESTED-TRANSPORT (RFC 8656 section 18.8).
    REQUESTED_TRANSPORT = 0x0019, "REQUESTED-TRANSPORT";
    /// DONT-FRAGMENT (RFC 8656 section 18.9).
    DONT_FRAGMENT = 0x001A, "DONT-FRAGMENT";
    /// MESSAGE-INTEGRITY-SHA256 (RFC 8489 section 14.6).
    MESSAGE_INTEGRITY_SHA256 = 0x001C, "MESSAGE-INTEGRITY-SHA256";
    /// PASSWORD-ALGORITHM (RFC 8489 section 14.12).
    PASSWORD_ALGORITHM = 0x001D, "PASSWORD-ALGORITHM";
    /// USERHASH (RFC 8489 section 14.4).
    USERHASH = 0x001E, "USERHASH";
    /// XOR-MAPPED-ADDRESS (RFC 8489 section 14.2).
    XOR_MAPPED_ADDRESS = 0x0020, "XOR-MAPPED-ADDRESS";
    /// RESERVATION-TOKEN (RFC 8656 section 18.10).
    RESERVATION_TOKEN = 0x0022, "RESERVATION-TOKEN";
    /// PRIORITY (RFC 8445 section 7.1.1).
    PRIORITY = 0x0024, "PRIORITY";
    /// USE-CANDIDATE (RFC 8445 section 7.1.2).
    USE_CANDIDATE = 0x0025, "USE-CANDIDATE";
    /// PASSWORD-ALGORITHMS (RFC 8489 section 14.11).
    PASSWORD_ALGORITHMS = 0x8002, "PASSWORD-ALGORITHMS";
    /// ALTERNATE-DOMAIN (RFC 8489 section 14.16).
    ALTERNATE_DOMAIN = 0x8003, "ALTERNATE-DOMAIN";
    /// SOFTWARE (RFC 8489 section 14.14).
    SOFTWARE = 0x8022, "SOFTWARE";
    /// ALTERNATE-SERVER (RFC 8489 section 14.15).
    ALTERNATE_SERVER = 0x8023, "ALTERNATE-SERVER";
    /// FINGERPRINT (RFC 8489 section 14.7).
    FINGERPRINT = 0x8028, "FINGERPRINT";
    /// ICE-CONTROLLED (RFC 8445 section 7.1.3).
    ICE_CONTROLLED = 0x8029, "ICE-CONTROLLED";
    /// ICE-CONTROLLING (RFC 8445 section 7.1.3).
    ICE_CONTROLLING = 0x802A, "ICE-CONTROLLING";
}

impl AttrType {
    /// An attribute type from its number.
    pub const fn new(value: u16) -> Self {
        Self(value)
    }

    /// The type number.
    pub const fn value(self) -> u16 {
        self.0
    }

    /// Types 0x0000-0x7FFF must be understood: a request carrying an unknown one is answered
    /// with 420 and UNKNOWN-ATTRIBUTES (RFC 8489 section 14).
    pub const fn is_comprehension_required(self) -> bool {
        self.0 < 0x8000
    }

    /// Whether this crate decodes the type into a typed [`Attribute`] variant.
    pub fn is_known(self) -> bool {
        self.name().is_some()
    }
}

impl fmt::Debug for AttrType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "AttrType({:#06x})", self.0),
        }
    }
}

/// The address family REQUESTED-ADDRESS-FAMILY asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressFamily {
    /// IPv4 (0x01).
    V4,
    /// IPv6 (0x02).
    V6,
}

/// One attribute, decoded. Text and byte values borrow the message.
///
/// Build these to encode with [`crate::MessageEncoder::attribute`]; get them from a decoded
/// [`crate::Message`]. MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT are normally appended by the
/// encoder's dedicated methods rather than built by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Attribute<'a> {
    /// MAPPED-ADDRESS: the reflexive address, in the clear (RFC 3489 compatibility).
    MappedAddress(SocketAddr),
    /// XOR-MAPPED-ADDRESS: the reflexive transport address.
    XorMappedAddress(SocketAddr),
    /// XOR-PEER-ADDRESS: a TURN peer.
    XorPeerAddress(SocketAddr),
    /// XOR-RELAYED-ADDRESS: the TURN server's relayed address.
    XorRelayedAddress(SocketAddr),
    /// ALTERNATE-SERVER: where a 300 Try Alternate sends the client.
    AlternateServer(SocketAddr),
    /// USERNAME (for ICE, `remote-ufrag:local-ufrag`).
    Username(&'a str),
    /// USERHASH: SHA-256(username ":" realm), see [`crate::userhash`].
    Userhash([u8; 32]),
    /// MESSAGE-INTEGRITY: HMAC-SHA1 over the message up to this attribute.
    MessageIntegrity([u8; 20]),
    /// MESSAGE-INTEGRITY-SHA256: HMAC-SHA256, 16 to 32 bytes (a multiple of 4).
    MessageIntegritySha256(&'a [u8]),
    /// FINGERPRINT: CRC-32 of the message XOR 0x5354554E.
    Fingerprint(u32),
    /// ERROR-CODE.
    ErrorCode(ErrorCode<'a>),
    /// REALM.
    Realm(&'a str),
    /// NONCE (opaque bytes, echoed back as received).
    Nonce(&'a [u8]),
    /// PASSWORD-ALGORITHMS.
    PasswordAlgorithms(PasswordAlgorithms<'a>),
    /// PASSWORD-ALGORITHM.
    PasswordAlgorithm(PasswordAlgorithm<'a>),
    /// UNKNOWN-ATTRIBUTES.
    UnknownAttributes(UnknownAttributes<'a>),
    /// SOFTWARE.
    Software(&'a str),
    /// ALTERNATE-DOMAIN.
    AlternateDomain(&'a str),
    /// LIFETIME, in seconds.
    Lifetime(u32),
    /// DATA: the application payload of a Send or Data indication.
    Data(&'a [u8]),
    /// REQUESTED-TRANSPORT: an IP protocol number (17 for UDP).
    RequestedTransport(u8),
    /// CHANNEL-NUMBER (any value; the 0x4000..=0x4FFF rule is the TURN machine's to enforce).
    ChannelNumber(u16),
    /// EVEN-PORT, with its R bit (reserve the next port too).
    EvenPort(bool),
    /// DONT-FRAGMENT.
    DontFragment,
    /// RESERVATION-TOKEN.
    ReservationToken([u8; 8]),
    /// REQUESTED-ADDRESS-FAMILY.
    RequestedAddressFamily(AddressFamily),
    /// PRIORITY: the ICE priority of a peer-reflexive candidate.
    Priority(u32),
    /// USE-CANDIDATE: ICE nomination.
    UseCandidate,
    /// ICE-CONTROLLED with the agent's tie-breaker.
    IceControlled(u64),
    /// ICE-CONTROLLING with the agent's tie-breaker.
    IceControlling(u64),
    /// Any other type, kept as bytes so it round-trips. (Encoding one with a registered type
    /// writes its bytes unchecked, which tests use to build malformed messages.)
    Other {
        /// The attribute type.
        typ: AttrType,
        /// The raw value, without padding.
        value: &'a [u8],
    },
}

impl<'a> Attribute<'a> {
    /// This attribute's type.
    pub fn attr_type(&self) -> AttrType {
        match self {
            Self::MappedAddress(_) => AttrType::MAPPED_ADDRESS,
            Self::XorMappedAddress(_) => AttrType::XOR_MAPPED_ADDRESS,
            Self::XorPeerAddress(_) => AttrType::XOR_PEER_ADDRESS,
            Self::XorRelayedAddress(_) => AttrType::XOR_RELAYED_ADDRESS,
            Self::AlternateServer(_) => AttrType::ALTERNATE_SERVER,
            Self::Username(_) => AttrType::USERNAME,
            Self::Userhash(_) => AttrType::USERHASH,
            Self::MessageIntegrity(_) => AttrType::MESSAGE_INTEGRITY,
            Self::MessageIntegritySha256(_) => AttrType::MESSAGE_INTEGRITY_SHA256,
            Self::Fingerprint(_) => AttrType::FINGERPRINT,
            Self::ErrorCode(_) => AttrType::ERROR_CODE,
            Self::Realm(_) => AttrType::REALM,
            Self::Nonce(_) => AttrType::NONCE,
            Self::PasswordAlgorithms(_) => AttrType::PASSWORD_ALGORITHMS,
            Self::PasswordAlgorithm(_) => AttrType::PASSWORD_ALGORITHM,
            Self::UnknownAttributes(_) => AttrType::UNKNOWN_ATTRIBUTES,
            Self::Software(_) => AttrType::SOFTWARE,
            Self::AlternateDomain(_) => AttrType::ALTERNATE_DOMAIN,
            Self::Lifetime(_) => AttrType::LIFETIME,
            Self::Data(_) => AttrType::DATA,
            Self::RequestedTransport(_) => AttrType::REQUESTED_TRANSPORT,
            Self::ChannelNumber(_) => AttrType::CHANNEL_NUMBER,
            Self::EvenPort(_) => AttrType::EVEN_PORT,
            Self::DontFragment => AttrType::DONT_FRAGMENT,
            Self::ReservationToken(_) => AttrType::RESERVATION_TOKEN,
            Self::RequestedAddressFamily(_) => AttrType::REQUESTED_ADDRESS_FAMILY,
            Self::Priority(_) => AttrType::PRIORITY,
            Self::UseCandidate => AttrType::USE_CANDIDATE,
            Self::IceControlled(_) => AttrType::ICE_CONTROLLED,
            Self::IceControlling(_) => AttrType::ICE_CONTROLLING,
            Self::Other { typ, .. } => *typ,
        }
    }

    /// Decodes one value of type `typ`. Unknown types become [`Attribute::Other`].
    pub(crate) fn decode(
        typ: AttrType,
        value: &'a [u8],
        txid: &TransactionId,
    ) -> Result<Self, StunError> {
        let bad = StunError::MalformedAttribute(typ);
        let text = |v: &'a [u8]| std::str::from_utf8(v).map_err(|_| bad);
        let u32v = |v: &[u8]| {
            <[u8; 4]>::try_from(v)
                .map(u32::from_be_bytes)
                .map_err(|_| bad)
        };
        let u64v = |v: &[u8]| {
            <[u8; 8]>::try_from(v)
                .map(u64::from_be_bytes)
                .map_err(|_| bad)
        };
        let empty = |v: &[u8], a| if v.is_empty() { Ok(a) } else { Err(bad) };
        let addr = |xor| address::decode(value, xor).ok_or(bad);
        Ok(match typ {
            AttrType::MAPPED_ADDRESS => Self::MappedAddress(addr(None)?),
            AttrType::XOR_MAPPED_ADDRESS => Self::XorMappedAddress(addr(Some(txid))?),
            AttrType::XOR_PEER_ADDRESS => Self::XorPeerAddress(addr(Some(txid))?),
            AttrType::XOR_RELAYED_ADDRESS => Self::XorRelayedAddress(addr(Some(txid))?),
            AttrType::ALTERNATE_SERVER => Self::AlternateServer(addr(None)?),
            AttrType::USERNAME => Self::Username(text(value)?),
            AttrType::USERHASH => Self::Userhash(value.try_into().map_err(|_| bad)?),
            AttrType::MESSAGE_INTEGRITY => {
                Self::MessageIntegrity(value.try_into().map_err(|_| bad)?)
            }
            AttrType::MESSAGE_INTEGRITY_SHA256 => {
                // RFC 8489 section 14.6: at least 16 bytes, a multiple of 4, at most 32.
                if !(16..=32).contains(&value.len()) || !value.len().is_multiple_of(4) {
                    return Err(bad);
                }
                Self::MessageIntegritySha256(value)
            }
            AttrType::FINGERPRINT => Self::Fingerprint(u32v(value)?),
            AttrType::ERROR_CODE => Self::ErrorCode(ErrorCode::decode(value).ok_or(bad)?),
            AttrType::REALM => Self::Realm(text(value)?),
            AttrType::NONCE => Self::Nonce(value),
            AttrType::PASSWORD_ALGORITHMS => {
                Self::PasswordAlgorithms(PasswordAlgorithms::decode(value).ok_or(bad)?)
            }
            AttrType::PASSWORD_ALGORITHM => {
                Self::PasswordAlgorithm(PasswordAlgorithm::decode(value).ok_or(bad)?)
            }
            AttrType::UNKNOWN_ATTRIBUTES => {
                Self::UnknownAttributes(UnknownAttributes::decode(value).ok_or(bad)?)
            }
            AttrType::SOFTWARE => Self::Software(text(value)?),
            AttrType::ALTERNATE_DOMAIN => Self::AlternateDomain(text(value)?),
            AttrType::LIFETIME => Self::Lifetime(u32v(value)?),
            AttrType::DATA => Self::Data(value),
            AttrType::REQUESTED_TRANSPORT => match value {
                [proto, _, _, _] => Self::RequestedTransport(*proto),
                _ => return Err(bad),
            },
            AttrType::CHANNEL_NUMBER => match value {
                [a, b, _, _] => Self::ChannelNumber(u16::from_be_bytes([*a, *b])),
                _ => return Err(bad),
            },
            AttrType::EVEN_PORT => match value {
                [flags] => Self::EvenPort(flags & 0x80 != 0),
                _ => return Err(bad),
            },
            AttrType::DONT_FRAGMENT => empty(value, Self::DontFragment)?,
            AttrType::RESERVATION_TOKEN => {
                Self::ReservationToken(value.try_into().map_err(|_| bad)?)
            }
            AttrType::REQUESTED_ADDRESS_FAMILY => match value {
                [0x01, _, _, _] => Self::RequestedAddressFamily(AddressFamily::V4),
                [0x02, _, _, _] => Self::RequestedAddressFamily(AddressFamily::V6),
                _ => return Err(bad),
            },
            AttrType::PRIORITY => Self::Priority(u32v(value)?),
            AttrType::USE_CANDIDATE => empty(value, Self::UseCandidate)?,
            AttrType::ICE_CONTROLLED => Self::IceControlled(u64v(value)?),
            AttrType::ICE_CONTROLLING => Self::IceControlling(u64v(value)?),
            _ => Self::Other { typ, value },
        })
    }

    /// Appends this attribute's value (no header, no padding) to `out`.
    pub(crate) fn encode_value(
        &self,
        txid: &TransactionId,
        out: &mut Vec<u8>,
    ) -> Result<(), StunError> {
        let typ = self.attr_type();
        let limited = |s: &[u8], max: usize, out: &mut Vec<u8>| {
            if s.len() > max {
                return Err(StunError::ValueTooLong(typ));
            }
            out.extend_from_slice(s);
            Ok(())
        };
        match self {
            Self::MappedAddress(a) | Self::AlternateServer(a) => address::encode(*a, None, out),
            Self::XorMappedAddress(a) | Self::XorPeerAddress(a) | Self::XorRelayedAddress(a) => {
                address::encode(*a, Some(txid), out);
            }
            Self::Username(s) => limited(s.as_bytes(), MAX_USERNAME, out)?,
            Self::Userhash(h) => out.extend_from_slice(h),
            Self::MessageIntegrity(h) => out.extend_from_slice(h),
            Self::MessageIntegritySha256(h) => {
                if !(16..=32).contains(&h.len()) || !h.len().is_multiple_of(4) {
                    return Err(StunError::InvalidValue(typ));
                }
                out.extend_from_slice(h);
            }
            Self::Fingerprint(v) | Self::Lifetime(v) | Self::Priority(v) => {
                out.extend_from_slice(&v.to_be_bytes());
            }
            Self::ErrorCode(e) => {
                if e.reason.len() > MAX_TEXT {
                    return Err(StunError::ValueTooLong(typ));
                }
                e.encode(out).ok_or(StunError::InvalidValue(typ))?;
            }
            Self::Realm(s) | Self::Software(s) => limited(s.as_bytes(), MAX_TEXT, out)?,
            Self::Nonce(s) => limited(s, MAX_TEXT, out)?,
            Self::AlternateDomain(s) => limited(s.as_bytes(), 255, out)?,
            Self::PasswordAlgorithms(p) => p.encode(out).ok_or(StunError::ValueTooLong(typ))?,
            Self::PasswordAlgorithm(p) => {
                p.encode(out, false).ok_or(StunError::ValueTooLong(typ))?;
            }
            Self::UnknownAttributes(u) => u.encode(out),
            Self::Data(d) | Self::Other { value: d, .. } => out.extend_from_slice(d),
            Self::RequestedTransport(p) => out.extend_from_slice(&[*p, 0, 0, 0]),
            Self::ChannelNumber(c) => {
                out.extend_from_slice(&c.to_be_bytes());
                out.extend_from_slice(&[0, 0]);
            }
            Self::EvenPort(r) => out.push(if *r { 0x80 } else { 0 }),
            Self::DontFragment | Self::UseCandidate => {}
            Self::ReservationToken(t) => out.extend_from_slice(t),
            Self::RequestedAddressFamily(f) => {
                let code = match f {
                    AddressFamily::V4 => 0x01,
                    AddressFamily::V6 => 0x02,
                };
                out.extend_from_slice(&[code, 0, 0, 0]);
            }
            Self::IceControlled(v) | Self::IceControlling(v) => {
                out.extend_from_slice(&v.to_be_bytes());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TXID: TransactionId = TransactionId::from_bytes([7; 12]);

    fn round_trip(a: Attribute<'_>) {
        let mut out = Vec::new();
        a.encode_value(&TXID, &mut out).unwrap();
        let back = Attribute::decode(a.attr_type(), &out, &TXID).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn every_variant_round_trips() {
        let algs = [PasswordAlgorithm::new(PasswordAlgorithmId::MD5)];
        let unknown = [AttrType::new(0x0042)];
        for a in [
            Attribute::MappedAddress("1.2.3.4:5".parse().unwrap()),
            Attribute::XorMappedAddress("[2001:db8::1]:5".parse().unwrap()),
            Attribute::XorPeerAddress("1.2.3.4:65535".parse().unwrap()),
            Attribute::XorRelayedAddress("[::]:0".parse().unwrap()),
            Attribute::AlternateServer("[::1]:3478".parse().unwrap()),
            Attribute::Username("ab:cd"),
            Attribute::Userhash([3; 32]),
            Attribute::MessageIntegrity([4; 20]),
            Attribute::MessageIntegritySha256(&[5; 16]),
            Attribute::Fingerprint(0xDEAD_BEEF),
            Attribute::ErrorCode(ErrorCode::new(438, "Stale Nonce")),
            Attribute::Realm("example.org"),
            Attribute::Nonce(b"obMatJos2AAAB"),
            Attribute::PasswordAlgorithms(PasswordAlgorithms::new(&algs)),
            Attribute::PasswordAlgorithm(PasswordAlgorithm::new(PasswordAlgorithmId::SHA256)),
            Attribute::UnknownAttributes(UnknownAttributes::new(&unknown)),
            Attribute::Software("muon"),
            Attribute::AlternateDomain("example.net"),
            Attribute::Lifetime(600),
            Attribute::Data(&[1, 2, 3]),
            Attribute::RequestedTransport(17),
            Attribute::ChannelNumber(0x4001),
            Attribute::EvenPort(true),
            Attribute::EvenPort(false),
            Attribute::DontFragment,
            Attribute::ReservationToken([9; 8]),
            Attribute::RequestedAddressFamily(AddressFamily::V6),
            Attribute::Priority(0x6E00_01FF),
            Attribute::UseCandidate,
            Attribute::IceControlled(u64::MAX),
            Attribute::IceControlling(1),
            Attribute::Other {
                typ: AttrType::new(0xC001),
                value: &[0xAA],
            },
        ] {
            round_trip(a);
        }
    }

    #[test]
    fn wrong_sizes_are_malformed() {
        for (typ, value) in [
            (AttrType::PRIORITY, &[0u8; 3][..]),
            (AttrType::ICE_CONTROLLING, &[0; 4]),
            (AttrType::USE_CANDIDATE, &[0; 4]),
            (AttrType::MESSAGE_INTEGRITY, &[0; 19]),
            (AttrType::MESSAGE_INTEGRITY_SHA256, &[0; 12]),
            (AttrType::MESSAGE_INTEGRITY_SHA256, &[0; 18]),
            (AttrType::FINGERPRINT, &[0; 5]),
            (AttrType::USERNAME, &[0xFF]),
            (AttrType::REQUESTED_ADDRESS_FAMILY, &[3, 0, 0, 0]),
            (AttrType::EVEN_PORT, &[]),
        ] {
            assert_eq!(
                Attribute::decode(typ, value, &TXID),
                Err(StunError::MalformedAttribute(typ)),
                "{typ:?}"
            );
        }
    }

    #[test]
    fn comprehension_ranges() {
        assert!(AttrType::PRIORITY.is_comprehension_required());
        assert!(!AttrType::ICE_CONTROLLED.is_comprehension_required());
        assert!(AttrType::USERHASH.is_known());
        assert!(!AttrType::new(0x0042).is_known());
        assert_eq!(format!("{:?}", AttrType::new(0x0042)), "AttrType(0x0042)");
    }

    #[test]
    fn encode_limits() {
        let long = "x".repeat(509);
        let mut out = Vec::new();
        assert_eq!(
            Attribute::Username(&long).encode_value(&TXID, &mut out),
            Err(StunError::ValueTooLong(AttrType::USERNAME))
        );
        assert_eq!(
            Attribute::ErrorCode(ErrorCode::new(200, "")).encode_value(&TXID, &mut out),
            Err(StunError::InvalidValue(AttrType::ERROR_CODE))
        );
    }
}
