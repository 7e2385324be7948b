//! The published test vectors: RFC 5769 sections 2.1-2.4 and RFC 8489 Appendix B.1 (as
//! corrected by verified erratum 6268). Bytes typed in from the RFC text.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;

use muon_stun::{
    Attribute, Class, IntegrityKey, Message, MessageEncoder, MessageType, Method,
    PasswordAlgorithm, PasswordAlgorithmId, StunError, TransactionId, userhash,
};

/// Hex as the RFCs print it (spaces and line breaks) to bytes.
fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect()
}

/// RFC 5769 section 2: the short-term password of vectors 2.1-2.3.
const SHORT_TERM_PASSWORD: &str = "VOkJxbRl1RmTxUk/WvJxBt";

/// RFC 5769 section 2.1, Sample Request.
const SAMPLE_REQUEST: &str = "
    00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
    00 24 00 04 6e 00 01 ff
    80 29 00 08 93 2f f9 b1 51 26 3b 36
    00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
    00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
    80 28 00 04 e5 7a 3b cf";

/// RFC 5769 section 2.2, Sample IPv4 Response.
const SAMPLE_IPV4_RESPONSE: &str = "
    01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
    00 20 00 08 00 01 a1 47 e1 12 a6 43
    00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
    80 28 00 04 c0 7d 4c 96";

/// RFC 5769 section 2.3, Sample IPv6 Response.
const SAMPLE_IPV6_RESPONSE: &str = "
    01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
    00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
    00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
    80 28 00 04 c8 fb 0b 4c";

/// RFC 5769 section 2.4, Sample Request with Long-Term Authentication.
const SAMPLE_LONG_TERM: &str = "
    00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
    00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
    00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41
    00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
    00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66";

/// RFC 8489 Appendix B.1 as corrected by erratum 6268 (length 0x90, PASSWORD-ALGORITHM
/// SHA-256 added, MESSAGE-INTEGRITY-SHA256 recomputed).
const SHA256_LONG_TERM: &str = "
    00 01 00 90 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
    00 1e 00 20 4a 3c f3 8f ef 69 92 bd a9 52 c6 78 04 17 da 0f
                24 81 94 15 56 9e 60 b2 05 c4 6e 41 40 7f 17 04
    00 15 00 29 6f 62 4d 61 74 4a 6f 73 32 41 41 41 43 66 2f 2f
                34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39
                46 53 54 76 79 36 34 73 41 00 00 00
    00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
    00 1d 00 04 00 02 00 00
    00 1c 00 20 b5 c7 bf 00 5b 6c 52 a2 1c 51 c5 e8 92 f8 19 24
                13 62 96 cb 92 7c 43 14 93 09 27 8c c6 51 8e 65";

/// The RFC 5769 section 2.4 and RFC 8489 B.1 username, "<U+30DE><U+30C8><U+30EA><U+30C3>
/// <U+30AF><U+30B9>", and password after SASLprep/OpaqueString.
const USERNAME: &str = "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}";
const PASSWORD: &str = "TheMatrIX";
const REALM: &str = "example.org";

/// Builds the same message again from its decoded attributes with our encoder.
fn reencode(msg: &Message<'_>, key: &IntegrityKey) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = MessageEncoder::new(&mut out, msg.message_type(), msg.transaction_id());
    for a in msg.attributes() {
        match a {
            Attribute::MessageIntegrity(_) => {
                enc.message_integrity(key).unwrap();
            }
            Attribute::MessageIntegritySha256(_) => {
                enc.message_integrity_sha256(key).unwrap();
            }
            Attribute::Fingerprint(_) => {
                enc.fingerprint().unwrap();
            }
            other => {
                enc.attribute(&other).unwrap();
            }
        }
    }
    out
}

#[test]
fn rfc5769_2_1_sample_request() {
    let bytes = hex(SAMPLE_REQUEST);
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(msg.message_type(), MessageType::BINDING_REQUEST);
    assert_eq!(
        msg.transaction_id(),
        TransactionId::from_bytes(hex("b7e7a701bc34d686fa87dfae").try_into().unwrap())
    );
    assert_eq!(msg.software(), Some("STUN test client"));
    assert_eq!(msg.priority(), Some(0x6E00_01FF));
    assert_eq!(msg.ice_controlled(), Some(0x932F_F9B1_5126_3B36));
    assert_eq!(msg.username(), Some("evtj:h6vY"));
    assert!(msg.has_fingerprint());
    let key = IntegrityKey::short_term(SHORT_TERM_PASSWORD);
    assert_eq!(msg.verify_integrity(&key), Ok(()));
    assert_eq!(
        msg.verify_integrity(&IntegrityKey::short_term("VOkJxbRl1RmTxUk/WvJxBu")),
        Err(StunError::IntegrityMismatch)
    );
    assert_eq!(msg.unknown_comprehension_required().count(), 0);

    // Re-encoded: identical but for USERNAME's padding (the RFC pads with spaces, we with
    // zeros) and the two checksums over it.
    let ours = reencode(&msg, &key);
    assert_eq!(ours.len(), bytes.len());
    assert_eq!(ours[..73], bytes[..73]);
    assert_eq!(ours[73..76], [0, 0, 0]);
    assert_eq!(ours[76..80], bytes[76..80]);
    assert_eq!(ours[100..104], bytes[100..104]);
    // And ours verifies on its own.
    Message::decode(&ours)
        .unwrap()
        .verify_integrity(&key)
        .unwrap();
}

#[test]
fn rfc5769_2_2_ipv4_response() {
    let bytes = hex(SAMPLE_IPV4_RESPONSE);
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(msg.message_type(), MessageType::BINDING_SUCCESS);
    assert_eq!(msg.software(), Some("test vector"));
    let mapped: SocketAddr = "192.0.2.1:32853".parse().unwrap();
    assert_eq!(msg.xor_mapped_address(), Some(mapped));
    let key = IntegrityKey::short_term(SHORT_TERM_PASSWORD);
    assert_eq!(msg.verify_integrity(&key), Ok(()));
    assert!(msg.has_fingerprint());

    // SOFTWARE is padded with one space; the XOR-MAPPED-ADDRESS bytes must match exactly.
    let ours = reencode(&msg, &key);
    assert_eq!(ours[..35], bytes[..35]);
    assert_eq!(ours[36..48], bytes[36..48]);
    Message::decode(&ours)
        .unwrap()
        .verify_integrity(&key)
        .unwrap();
}

#[test]
fn rfc5769_2_3_ipv6_response() {
    let bytes = hex(SAMPLE_IPV6_RESPONSE);
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(msg.class(), Class::Success);
    let mapped: SocketAddr = "[2001:db8:1234:5678:11:2233:4455:6677]:32853"
        .parse()
        .unwrap();
    assert_eq!(msg.xor_mapped_address(), Some(mapped));
    let key = IntegrityKey::short_term(SHORT_TERM_PASSWORD);
    assert_eq!(msg.verify_integrity(&key), Ok(()));
    assert!(msg.has_fingerprint());
    let ours = reencode(&msg, &key);
    assert_eq!(ours[..35], bytes[..35]);
    assert_eq!(ours[36..60], bytes[36..60]);
    Message::decode(&ours)
        .unwrap()
        .verify_integrity(&key)
        .unwrap();
}

#[test]
fn rfc5769_2_4_long_term_request() {
    let bytes = hex(SAMPLE_LONG_TERM);
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(msg.message_type(), MessageType::BINDING_REQUEST);
    assert_eq!(msg.username(), Some(USERNAME));
    assert_eq!(msg.nonce(), Some(&b"f//499k954d6OL34oL9FSTvy64sA"[..]));
    assert_eq!(msg.realm(), Some(REALM));
    assert!(!msg.has_fingerprint());
    let key = IntegrityKey::long_term(USERNAME, REALM, PASSWORD);
    assert_eq!(msg.verify_integrity(&key), Ok(()));
    assert_eq!(
        msg.verify_integrity(&IntegrityKey::long_term(USERNAME, REALM, "thematrix")),
        Err(StunError::IntegrityMismatch)
    );
    // Zero padding throughout: re-encoding gives the RFC's bytes exactly.
    assert_eq!(reencode(&msg, &key), bytes);
}

#[test]
fn rfc8489_b1_sha256_long_term_request_with_userhash() {
    let bytes = hex(SHA256_LONG_TERM);
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(
        msg.message_type(),
        MessageType::new(Method::BINDING, Class::Request)
    );
    assert_eq!(msg.userhash(), Some(userhash(USERNAME, REALM)));
    assert_eq!(
        msg.nonce(),
        Some(&b"obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA"[..])
    );
    assert_eq!(msg.realm(), Some(REALM));
    assert_eq!(
        msg.get(muon_stun::AttrType::PASSWORD_ALGORITHM),
        Some(Attribute::PasswordAlgorithm(PasswordAlgorithm::new(
            PasswordAlgorithmId::SHA256
        )))
    );
    let key = IntegrityKey::long_term_with(PasswordAlgorithmId::SHA256, USERNAME, REALM, PASSWORD)
        .unwrap();
    assert_eq!(msg.verify_integrity(&key), Ok(()));
    // The MD5 key of the same credentials does not verify it.
    assert_eq!(
        msg.verify_integrity(&IntegrityKey::long_term(USERNAME, REALM, PASSWORD)),
        Err(StunError::IntegrityMismatch)
    );
    assert_eq!(reencode(&msg, &key), bytes);
}

#[test]
fn rfc8489_b1_as_printed_has_the_wrong_length() {
    // Erratum 6268: the printed header says 0x9c, the whole message's size.
    let mut bytes = hex(SHA256_LONG_TERM);
    bytes[3] = 0x9c;
    assert_eq!(
        Message::decode(&bytes).err(),
        Some(StunError::BadLength {
            declared: 0x9c,
            actual: 0x90
        })
    );
}

#[test]
fn tampering_breaks_integrity_or_fingerprint() {
    let bytes = hex(SAMPLE_REQUEST);
    // Flip a bit of PRIORITY: the FINGERPRINT catches it at decode.
    let mut t = bytes.clone();
    t[45] ^= 1;
    assert_eq!(
        Message::decode(&t).err(),
        Some(StunError::FingerprintMismatch)
    );
    // Without FINGERPRINT (vector 2.4), MESSAGE-INTEGRITY catches it.
    let mut t = hex(SAMPLE_LONG_TERM);
    t[60] ^= 1;
    let msg = Message::decode(&t).unwrap();
    assert_eq!(
        msg.verify_integrity(&IntegrityKey::long_term(USERNAME, REALM, PASSWORD)),
        Err(StunError::IntegrityMismatch)
    );
}
