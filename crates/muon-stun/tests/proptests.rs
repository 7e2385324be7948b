//! Property tests: arbitrary bytes never panic the decoder, and generated messages survive
//! encode -> decode unchanged, with integrity and fingerprint verifying.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{IpAddr, SocketAddr};

use muon_stun::{
    AddressFamily, AttrType, Attribute, ChannelData, Class, ErrorCode, IntegrityKey, Message,
    MessageEncoder, MessageType, Method, PasswordAlgorithm, PasswordAlgorithmId,
    PasswordAlgorithms, TransactionId, UnknownAttributes, fuzzing::stun_decode,
};
use proptest::prelude::*;

/// An attribute with owned data, so proptest can generate it; [`Owned::attr`] borrows it.
#[derive(Debug, Clone)]
enum Owned {
    Addr(u8, SocketAddr),
    Text(u8, String),
    Bytes(u8, Vec<u8>),
    Error(u16, String),
    Algorithms(Vec<(u16, Vec<u8>)>),
    Algorithm(u16, Vec<u8>),
    Unknown(Vec<u16>),
    Word(u8, u32),
    Tie(bool, u64),
    Flag(u8),
    Small(u8, u16),
    Family(bool),
    Other(u16, Vec<u8>),
}

impl Owned {
    /// Calls `f` with this as an [`Attribute`] (list variants need a borrowed slice built
    /// here first).
    fn with_attr<R>(&self, f: impl FnOnce(&Attribute<'_>) -> R) -> R {
        let a = match self {
            Self::Addr(k, a) => match k % 5 {
                0 => Attribute::MappedAddress(*a),
                1 => Attribute::XorMappedAddress(*a),
                2 => Attribute::XorPeerAddress(*a),
                3 => Attribute::XorRelayedAddress(*a),
                _ => Attribute::AlternateServer(*a),
            },
            Self::Text(k, s) => match k % 4 {
                0 => Attribute::Username(s),
                1 => Attribute::Realm(s),
                2 => Attribute::Software(s),
                _ => Attribute::AlternateDomain(s),
            },
            Self::Bytes(k, b) => match k % 2 {
                0 => Attribute::Data(b),
                _ => Attribute::Nonce(b),
            },
            Self::Error(c, r) => Attribute::ErrorCode(ErrorCode::new(*c, r)),
            Self::Algorithms(list) => {
                let algs: Vec<PasswordAlgorithm<'_>> = list
                    .iter()
                    .map(|(i, p)| PasswordAlgorithm {
                        id: PasswordAlgorithmId(*i),
                        params: p,
                    })
                    .collect();
                return f(&Attribute::PasswordAlgorithms(PasswordAlgorithms::new(
                    &algs,
                )));
            }
            Self::Algorithm(id, p) => Attribute::PasswordAlgorithm(PasswordAlgorithm {
                id: PasswordAlgorithmId(*id),
                params: p,
            }),
            Self::Unknown(list) => {
                let types: Vec<AttrType> = list.iter().map(|t| AttrType::new(*t)).collect();
                return f(&Attribute::UnknownAttributes(UnknownAttributes::new(
                    &types,
                )));
            }
            Self::Word(k, v) => match k % 3 {
                0 => Attribute::Priority(*v),
                1 => Attribute::Lifetime(*v),
                _ => Attribute::RequestedTransport(*v as u8),
            },
            Self::Tie(true, v) => Attribute::IceControlling(*v),
            Self::Tie(false, v) => Attribute::IceControlled(*v),
            Self::Flag(k) => match k % 4 {
                0 => Attribute::UseCandidate,
                1 => Attribute::DontFragment,
                2 => Attribute::EvenPort(true),
                _ => Attribute::EvenPort(false),
            },
            Self::Small(k, v) => match k % 3 {
                0 => Attribute::ChannelNumber(*v),
                1 => Attribute::ReservationToken([*v as u8; 8]),
                _ => Attribute::Userhash([*v as u8; 32]),
            },
            Self::Family(v6) => Attribute::RequestedAddressFamily(if *v6 {
                AddressFamily::V6
            } else {
                AddressFamily::V4
            }),
            Self::Other(t, v) => Attribute::Other {
                typ: AttrType::new(*t),
                value: v,
            },
        };
        f(&a)
    }
}

fn owned() -> impl Strategy<Value = Owned> {
    let addr = (any::<IpAddr>(), any::<u16>()).prop_map(|(ip, p)| SocketAddr::new(ip, p));
    prop_oneof![
        (any::<u8>(), addr).prop_map(|(k, a)| Owned::Addr(k, a)),
        (any::<u8>(), "\\PC{0,40}").prop_map(|(k, s)| Owned::Text(k, s)),
        (any::<u8>(), prop::collection::vec(any::<u8>(), 0..50))
            .prop_map(|(k, b)| Owned::Bytes(k, b)),
        (300u16..700, "\\PC{0,20}").prop_map(|(c, r)| Owned::Error(c, r)),
        prop::collection::vec(
            (any::<u16>(), prop::collection::vec(any::<u8>(), 0..6)),
            0..4
        )
        .prop_map(Owned::Algorithms),
        (any::<u16>(), prop::collection::vec(any::<u8>(), 0..6))
            .prop_map(|(i, p)| Owned::Algorithm(i, p)),
        prop::collection::vec(any::<u16>(), 0..5).prop_map(Owned::Unknown),
        (any::<u8>(), any::<u32>()).prop_map(|(k, v)| Owned::Word(k, v)),
        (any::<bool>(), any::<u64>()).prop_map(|(c, v)| Owned::Tie(c, v)),
        any::<u8>().prop_map(Owned::Flag),
        (any::<u8>(), any::<u16>()).prop_map(|(k, v)| Owned::Small(k, v)),
        any::<bool>().prop_map(Owned::Family),
        // Unregistered types only, so they decode back as `Other`.
        (0xC000u16..0xFFFF, prop::collection::vec(any::<u8>(), 0..20))
            .prop_map(|(t, v)| Owned::Other(t, v)),
    ]
}

/// Encodes `attrs` (plus optional integrity and fingerprint) and returns the bytes.
fn encode(
    typ: MessageType,
    txid: TransactionId,
    attrs: &[Owned],
    key: Option<&IntegrityKey>,
    sha256: bool,
    fingerprint: bool,
) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut enc = MessageEncoder::new(&mut buf, typ, txid);
    for o in attrs {
        o.with_attr(|a| enc.attribute(a).map(|_| ())).unwrap();
    }
    if let Some(key) = key {
        enc.message_integrity(key).unwrap();
        if sha256 {
            enc.message_integrity_sha256(key).unwrap();
        }
    }
    if fingerprint {
        enc.fingerprint().unwrap();
    }
    buf
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        stun_decode(&bytes);
    }

    #[test]
    fn valid_header_with_random_attributes_never_panics(
        first in 0u8..4,
        second in any::<u8>(),
        body in prop::collection::vec(any::<u8>(), 0..75),
        txid in any::<[u8; 12]>(),
    ) {
        // A real header in front of random TLVs reaches the attribute parsers.
        let body_len = body.len() / 4 * 4;
        let mut bytes = vec![first, second];
        bytes.extend_from_slice(&(body_len as u16).to_be_bytes());
        bytes.extend_from_slice(&muon_stun::MAGIC_COOKIE.to_be_bytes());
        bytes.extend_from_slice(&txid);
        bytes.extend_from_slice(&body[..body_len]);
        stun_decode(&bytes);
    }

    #[test]
    fn generated_messages_round_trip(
        method in 0u16..0x1000,
        class in 0u8..4,
        txid in any::<[u8; 12]>(),
        attrs in prop::collection::vec(owned(), 0..12),
        password in "[ -~]{0,80}",
        integrity in any::<bool>(),
        sha256 in any::<bool>(),
        fingerprint in any::<bool>(),
    ) {
        let class = [Class::Request, Class::Indication, Class::Success, Class::Error][usize::from(class)];
        let typ = MessageType::new(Method::new(method).unwrap(), class);
        let txid = TransactionId::from_bytes(txid);
        let key = IntegrityKey::short_term(&password);
        let bytes = encode(typ, txid, &attrs, integrity.then_some(&key), sha256, fingerprint);

        // RFC 7983 demultiplexing only recognises first bytes 0..=3 (methods below 0x100).
        prop_assert_eq!(muon_stun::is_stun(&bytes), method < 0x100);
        let msg = Message::decode(&bytes).unwrap();
        prop_assert_eq!(msg.message_type(), typ);
        prop_assert_eq!(msg.transaction_id(), txid);
        prop_assert_eq!(msg.has_fingerprint(), fingerprint);
        let decoded: Vec<Attribute<'_>> = msg
            .attributes()
            .filter(|a| !matches!(
                a,
                Attribute::MessageIntegrity(_)
                    | Attribute::MessageIntegritySha256(_)
                    | Attribute::Fingerprint(_)
            ))
            .collect();
        prop_assert_eq!(decoded.len(), attrs.len());
        for (d, o) in decoded.iter().zip(&attrs) {
            prop_assert!(o.with_attr(|a| a == d), "{:?} != {:?}", d, o);
        }
        if integrity {
            prop_assert_eq!(msg.verify_integrity(&key), Ok(()));
            let wrong = IntegrityKey::short_term(&format!("{password}!"));
            prop_assert!(msg.verify_integrity(&wrong).is_err());
        } else {
            prop_assert_eq!(msg.verify_integrity(&key), Err(muon_stun::StunError::NoIntegrity));
        }
        // And the fuzz body's own invariants hold on it.
        stun_decode(&bytes);
    }

    #[test]
    fn channel_data_round_trips(
        channel in 0x4000u16..=0x4FFF,
        data in prop::collection::vec(any::<u8>(), 0..100),
        pad in any::<bool>(),
    ) {
        let cd = ChannelData { channel, data: &data };
        let mut out = Vec::new();
        cd.encode(&mut out, pad).unwrap();
        prop_assert!(muon_stun::is_channel_data(&out));
        prop_assert!(!muon_stun::is_stun(&out));
        prop_assert_eq!(out.len().is_multiple_of(4), pad || data.len().is_multiple_of(4));
        if pad {
            prop_assert_eq!(muon_stun::channel_data_len(&out), Some(out.len()));
        }
        prop_assert_eq!(ChannelData::decode(&out), Ok(cd));
    }

    #[test]
    fn any_single_bit_flip_is_caught(
        attrs in prop::collection::vec(owned(), 1..6),
        bit in any::<prop::sample::Index>(),
    ) {
        let key = IntegrityKey::short_term("pw");
        let typ = MessageType::BINDING_REQUEST;
        let mut bytes = encode(typ, TransactionId::from_bytes([1; 12]), &attrs, Some(&key), false, true);
        // Everything MESSAGE-INTEGRITY covers, and its own value. (A flip in FINGERPRINT's type
        // makes it an unknown attribute after MESSAGE-INTEGRITY, which RFC 8489 says to ignore.)
        let i = bit.index((bytes.len() - 8) * 8);
        bytes[i / 8] ^= 1 << (i % 8);
        // Either decoding fails (header, structure, fingerprint) or integrity does.
        let accepted = Message::decode(&bytes).is_ok_and(|m| m.verify_integrity(&key).is_ok());
        prop_assert!(!accepted, "bit {} flipped and still accepted", i);
    }
}
