//! Not part of the API: the body of the `stun_decode` fuzz target, here so that the crate's
//! ordinary tests replay the fuzz corpus through exactly the same code.

use crate::{
    Attribute, ChannelData, IntegrityKey, Message, MessageEncoder, is_channel_data, is_stun,
    message_len,
};

/// Decodes `data` every way this crate can and checks the invariants a correct decoder keeps.
/// Panics (so the fuzzer reports it) only when an invariant breaks.
pub fn stun_decode(data: &[u8]) {
    let _ = is_stun(data);
    let _ = is_channel_data(data);
    let _ = message_len(data);
    if let Ok(cd) = ChannelData::decode(data) {
        let mut out = Vec::new();
        assert!(cd.encode(&mut out, false).is_ok());
        assert_eq!(ChannelData::decode(&out), Ok(cd));
    }
    let Ok(msg) = Message::decode(data) else {
        return;
    };
    // RFC 7983 demultiplexing recognises first bytes 0..=3 only (methods below 0x100).
    assert_eq!(is_stun(data), msg.method().value() < 0x100);
    assert_eq!(message_len(data), Some(data.len()));
    let _ = msg.verify_integrity(&IntegrityKey::short_term("fuzz"));
    let _ = msg.unknown_comprehension_required().count();

    // Re-encode what was decoded (integrity and fingerprint left out) and decode it again: the
    // attributes must survive unchanged.
    let attrs: Vec<Attribute<'_>> = msg
        .attributes()
        .filter(|a| {
            !matches!(
                a,
                Attribute::MessageIntegrity(_)
                    | Attribute::MessageIntegritySha256(_)
                    | Attribute::Fingerprint(_)
            )
        })
        .collect();
    let mut buf = Vec::new();
    let mut enc = MessageEncoder::new(&mut buf, msg.message_type(), msg.transaction_id());
    for a in &attrs {
        // Decoding is more lenient than encoding (e.g. over-long USERNAME): skip those.
        if enc.attribute(a).is_err() {
            return;
        }
    }
    let again = match Message::decode(&buf) {
        Ok(m) => m,
        Err(e) => panic!("re-encoded message does not decode: {e}"),
    };
    assert_eq!(again.message_type(), msg.message_type());
    assert!(again.attributes().eq(attrs.iter().copied()));
}
