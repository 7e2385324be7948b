//! Property tests for every wire parser: arbitrary bytes never panic, and typed values
//! round-trip through encode and decode.

use muon_proto::Reader;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use super::alert::Alert;
use super::extensions::{Extensions, UseSrtp};
use super::handshake::{HandshakeHeader, HandshakeType};
use super::messages::{
    CertificateMsg, CertificateRequest, CertificateVerify, ClientHello, ClientKeyExchange,
    Finished, HelloVerifyRequest, ServerHello, ServerKeyExchange,
};
use super::record::{ContentType, RecordHeader, records};
use crate::der;

/// Extension types with a typed field; unknown ones must avoid them.
const KNOWN: [u16; 6] = [10, 11, 13, 14, 23, 0xFF01];

fn extensions() -> impl Strategy<Value = Extensions> {
    (
        option::of(vec(any::<u16>(), 0..8)),
        option::of(vec(any::<u8>(), 0..4)),
        option::of(vec(any::<u16>(), 0..8)),
        option::of((vec(any::<u16>(), 0..4), vec(any::<u8>(), 0..4))),
        any::<bool>(),
        option::of(vec(any::<u8>(), 0..8)),
        vec((any::<u16>(), vec(any::<u8>(), 0..8)), 0..3),
    )
        .prop_map(|(groups, formats, algs, srtp, ems, reneg, unknown)| {
            let mut seen = Vec::new();
            let unknown = unknown
                .into_iter()
                .filter(|(t, _)| {
                    !KNOWN.contains(t) && !seen.contains(t) && {
                        seen.push(*t);
                        true
                    }
                })
                .collect();
            Extensions {
                supported_groups: groups,
                ec_point_formats: formats,
                signature_algorithms: algs,
                use_srtp: srtp.map(|(profiles, mki)| UseSrtp { profiles, mki }),
                extended_master_secret: ems,
                renegotiation_info: reneg,
                unknown,
            }
        })
}

fn client_hello() -> impl Strategy<Value = ClientHello> {
    (
        any::<u16>(),
        any::<[u8; 32]>(),
        vec(any::<u8>(), 0..=32),
        vec(any::<u8>(), 0..=255),
        vec(any::<u16>(), 1..20),
        vec(any::<u8>(), 1..4),
        extensions(),
    )
        .prop_map(
            |(version, random, session_id, cookie, suites, compression, extensions)| ClientHello {
                version,
                random,
                session_id,
                cookie,
                cipher_suites: suites,
                compression_methods: compression,
                extensions,
            },
        )
}

fn server_hello() -> impl Strategy<Value = ServerHello> {
    (
        any::<u16>(),
        any::<[u8; 32]>(),
        vec(any::<u8>(), 0..=32),
        any::<u16>(),
        any::<u8>(),
        extensions(),
    )
        .prop_map(
            |(version, random, session_id, cipher_suite, compression_method, extensions)| {
                ServerHello {
                    version,
                    random,
                    session_id,
                    cipher_suite,
                    compression_method,
                    extensions,
                }
            },
        )
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(data in vec(any::<u8>(), 0..600)) {
        for r in records(&data).flatten() {
            let _ = r;
        }
        let mut r = Reader::new(&data);
        while HandshakeHeader::decode(&mut r).is_ok() {}
        let _ = ClientHello::decode(&data);
        let _ = ServerHello::decode(&data);
        let _ = HelloVerifyRequest::decode(&data);
        let _ = CertificateMsg::decode(&data);
        let _ = ServerKeyExchange::decode(&data);
        let _ = CertificateRequest::decode(&data);
        let _ = ClientKeyExchange::decode(&data);
        let _ = CertificateVerify::decode(&data);
        let _ = Finished::decode(&data);
        let _ = Alert::decode(&data);
        let _ = Extensions::decode(&mut Reader::new(&data));
        let _ = der::certificate_spki(&data);
    }

    #[test]
    fn record_header_round_trips(ty in any::<u8>(), version in any::<u16>(), epoch in any::<u16>(),
                                 seq in 0u64..(1 << 48), payload in vec(any::<u8>(), 0..64)) {
        let h = RecordHeader { content_type: ContentType(ty), version, epoch, seq, length: payload.len() as u16 };
        let mut out = Vec::new();
        h.encode(&mut out);
        out.extend_from_slice(&payload);
        let back: Vec<_> = records(&out).collect();
        prop_assert_eq!(back, vec![Ok((h, &payload[..]))]);
    }

    #[test]
    fn handshake_header_round_trips(ty in any::<u8>(), seq in any::<u16>(), len in 0u32..1000,
                                    off in 0u32..1000, frag in vec(any::<u8>(), 0..64)) {
        prop_assume!(off as usize + frag.len() <= len as usize);
        let h = HandshakeHeader {
            msg_type: HandshakeType(ty), length: len, message_seq: seq,
            fragment_offset: off, fragment_length: frag.len() as u32,
        };
        let mut out = Vec::new();
        h.encode(&mut out);
        out.extend_from_slice(&frag);
        let (back, f) = HandshakeHeader::decode(&mut Reader::new(&out)).unwrap();
        prop_assert_eq!(back, h);
        prop_assert_eq!(f, &frag[..]);
    }

    #[test]
    fn extensions_round_trip(ext in extensions()) {
        let mut out = Vec::new();
        ext.encode(&mut out);
        prop_assert_eq!(Extensions::decode(&mut Reader::new(&out)).unwrap(), ext);
    }

    #[test]
    fn hellos_round_trip(ch in client_hello(), sh in server_hello(),
                         version in any::<u16>(), cookie in vec(any::<u8>(), 0..=255)) {
        prop_assert_eq!(ClientHello::decode(&ch.encode()).unwrap(), ch);
        prop_assert_eq!(ServerHello::decode(&sh.encode()).unwrap(), sh);
        let hvr = HelloVerifyRequest { version, cookie };
        prop_assert_eq!(HelloVerifyRequest::decode(&hvr.encode()).unwrap(), hvr);
    }

    #[test]
    fn key_exchange_messages_round_trip(
        chain in vec(vec(any::<u8>(), 1..200), 0..4),
        group in any::<u16>(), public in vec(any::<u8>(), 1..=255), scheme in any::<u16>(),
        signature in vec(any::<u8>(), 0..300),
        types in vec(any::<u8>(), 0..4), schemes in vec(any::<u16>(), 0..8), cas in vec(any::<u8>(), 0..40),
        verify_data in any::<[u8; 12]>(),
    ) {
        let cert = CertificateMsg { chain };
        prop_assert_eq!(CertificateMsg::decode(&cert.encode()).unwrap(), cert);
        let ske = ServerKeyExchange { group, public: public.clone(), scheme, signature: signature.clone() };
        prop_assert_eq!(ServerKeyExchange::decode(&ske.encode()).unwrap(), ske);
        let cr = CertificateRequest { certificate_types: types, schemes, authorities: cas };
        prop_assert_eq!(CertificateRequest::decode(&cr.encode()).unwrap(), cr);
        let cke = ClientKeyExchange { public };
        prop_assert_eq!(ClientKeyExchange::decode(&cke.encode()).unwrap(), cke);
        let cv = CertificateVerify { scheme, signature };
        prop_assert_eq!(CertificateVerify::decode(&cv.encode()).unwrap(), cv);
        let fin = Finished { verify_data };
        prop_assert_eq!(Finished::decode(&fin.encode()).unwrap(), fin);
    }

    #[test]
    fn alerts_round_trip(level in any::<u8>(), description in any::<u8>()) {
        let a = Alert { level, description };
        prop_assert_eq!(Alert::decode(&a.encode()).unwrap(), a);
    }

    #[test]
    fn der_lengths_round_trip(tag in 0u8..0x1F, body in vec(any::<u8>(), 0..400)) {
        let mut out = Vec::new();
        der::tlv(&mut out, tag, &body);
        let e = der::read(&mut Reader::new(&out)).unwrap();
        prop_assert_eq!(e.tag, tag);
        prop_assert_eq!(e.contents, &body[..]);
    }
}
