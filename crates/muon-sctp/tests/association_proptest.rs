//! Property test of the association: arbitrary chunks, framed with a valid header, tag and
//! checksum, fed to a listening and an established association never panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_chunks_never_panic(
        chunks in proptest::collection::vec(
            (prop_oneof![Just(0u8), Just(3), Just(4), Just(5), Just(6), Just(7), Just(8),
                         Just(9), Just(10), Just(11), Just(14), Just(130), Just(192),
                         Just(1), Just(2), any::<u8>()],
             any::<u8>(),
             proptest::collection::vec(any::<u8>(), 0..64)),
            1..6)
    ) {
        let mut p = vec![0x13, 0x88, 0x13, 0x88, 0, 0, 0, 0, 0, 0, 0, 0];
        for (kind, flags, body) in &chunks {
            p.push(*kind);
            p.push(*flags);
            p.extend_from_slice(&((body.len() + 4) as u16).to_be_bytes());
            p.extend_from_slice(body);
            while p.len() % 4 != 0 {
                p.push(0);
            }
        }
        muon_sctp::fuzz_packet(muon_netsim::Clock::new().now(), &p);
    }
}
