//! The ICE hot path: decode and verify a Binding request carrying USERNAME, PRIORITY,
//! ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY and FINGERPRINT.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use muon_stun::{Attribute, IntegrityKey, Message, MessageEncoder, MessageType, TransactionId};

fn binding_request(key: &IntegrityKey) -> Vec<u8> {
    let mut buf = Vec::new();
    MessageEncoder::new(
        &mut buf,
        MessageType::BINDING_REQUEST,
        TransactionId::from_bytes([0x5A; 12]),
    )
    .attribute(&Attribute::Username("9c1f7a2e:4d0b8e31"))
    .unwrap()
    .attribute(&Attribute::Priority(1_853_817_087))
    .unwrap()
    .attribute(&Attribute::IceControlling(0x0123_4567_89AB_CDEF))
    .unwrap()
    .attribute(&Attribute::UseCandidate)
    .unwrap()
    .message_integrity(key)
    .unwrap()
    .fingerprint()
    .unwrap();
    buf
}

fn decode_verify(c: &mut Criterion) {
    let key = IntegrityKey::short_term("f1dd5a6b2c7e49c8a3d01f2b");
    let datagram = binding_request(&key);
    c.bench_function("binding_request_decode_verify", |b| {
        b.iter(|| {
            let msg = Message::decode(black_box(&datagram)).unwrap();
            msg.verify_integrity(&key).unwrap();
            black_box((msg.username(), msg.priority(), msg.use_candidate()))
        })
    });
    c.bench_function("binding_request_decode_only", |b| {
        b.iter(|| {
            black_box(
                Message::decode(black_box(&datagram))
                    .unwrap()
                    .transaction_id(),
            )
        })
    });
    c.bench_function("binding_request_encode_sign", |b| {
        let mut buf = Vec::with_capacity(256);
        b.iter(|| {
            buf.clear();
            MessageEncoder::new(
                &mut buf,
                MessageType::BINDING_REQUEST,
                TransactionId::from_bytes([0x5A; 12]),
            )
            .attribute(&Attribute::Username("9c1f7a2e:4d0b8e31"))
            .unwrap()
            .attribute(&Attribute::Priority(1_853_817_087))
            .unwrap()
            .attribute(&Attribute::IceControlling(0x0123_4567_89AB_CDEF))
            .unwrap()
            .attribute(&Attribute::UseCandidate)
            .unwrap()
            .message_integrity(&key)
            .unwrap()
            .fingerprint()
            .unwrap();
            black_box(buf.len())
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = decode_verify
}
criterion_main!(benches);
