//! Replays the saved fuzz corpus (fuzz/corpus/stun_decode) through the fuzz target's body,
//! and checks what the hand-made seeds are meant to exercise.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use muon_stun::{AttrType, ChannelData, IntegrityKey, Message, fuzzing::stun_decode};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/stun_decode");

fn seed(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(CORPUS).join(name)).unwrap()
}

#[test]
fn every_corpus_file_replays() {
    let mut n = 0;
    for entry in std::fs::read_dir(CORPUS).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            stun_decode(&std::fs::read(&path).unwrap());
            n += 1;
        }
    }
    assert!(n >= 10, "corpus has only {n} files");
}

#[test]
fn turn_seed_decodes_every_attribute_and_flags_the_unknown_required_one() {
    let bytes = seed("turn_every_attribute");
    let msg = Message::decode(&bytes).unwrap();
    msg.verify_integrity(&IntegrityKey::short_term("fuzz"))
        .unwrap();
    assert!(msg.has_fingerprint());
    assert_eq!(
        msg.unknown_comprehension_required().collect::<Vec<_>>(),
        [AttrType::new(0x7F00)]
    );
    assert!(msg.get(AttrType::new(0xC001)).is_some());
    assert_eq!(msg.lifetime(), Some(600));
    assert_eq!(msg.channel_number(), Some(0x4001));
    assert_eq!(
        msg.xor_peer_address(),
        Some("10.0.0.1:5000".parse().unwrap())
    );
    assert_eq!(msg.attributes().count(), 28 + 3);
}

#[test]
fn attributes_after_integrity_are_ignored() {
    let bytes = seed("after_integrity");
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(msg.priority(), None);
    msg.verify_integrity(&IntegrityKey::short_term("fuzz"))
        .unwrap();
}

#[test]
fn channel_data_seeds() {
    assert_eq!(
        ChannelData::decode(&seed("channel_data_padded"))
            .unwrap()
            .data,
        b"hello"
    );
    assert_eq!(
        ChannelData::decode(&seed("channel_data_udp"))
            .unwrap()
            .channel,
        0x4FFF
    );
}
