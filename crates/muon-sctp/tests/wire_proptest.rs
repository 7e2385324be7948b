//! Property tests of the wire codec: arbitrary bytes never panic, and chunks round-trip.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use muon_proto::Reader;
use muon_sctp::wire::{Chunk, DataChunk, ForwardTsnChunk, GapBlock, Packet, SackChunk};
use proptest::prelude::*;

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = muon_sctp::wire::fuzz_roundtrip(&bytes);
    }

    #[test]
    fn arbitrary_chunk_bodies_never_panic(kind in any::<u8>(), flags in any::<u8>(),
                                          body in proptest::collection::vec(any::<u8>(), 0..256)) {
        let mut bytes = vec![0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0, kind, flags];
        bytes.extend_from_slice(&((body.len() + 4) as u16).to_be_bytes());
        bytes.extend_from_slice(&body);
        let _ = muon_sctp::wire::fuzz_roundtrip(&bytes);
    }

    #[test]
    fn data_chunks_roundtrip(tsn in any::<u32>(), stream in any::<u16>(), ssn in any::<u16>(),
                             ppid in any::<u32>(), flags in 0u8..16,
                             payload in proptest::collection::vec(any::<u8>(), 1..300)) {
        let c = Chunk::Data(DataChunk {
            tsn, stream, ssn, ppid,
            ending: flags & 1 != 0, beginning: flags & 2 != 0,
            unordered: flags & 4 != 0, immediate: flags & 8 != 0,
            payload: &payload,
        });
        let mut buf = Vec::new();
        Packet::encode_header(&mut buf, 5000, 5000, 1);
        c.encode(&mut buf);
        Packet::seal(&mut buf);
        let p = Packet::parse(&buf).unwrap();
        let mut chunks = p.chunks();
        prop_assert_eq!(chunks.next(), Some(Ok(c)));
        prop_assert_eq!(chunks.next(), None);
    }

    #[test]
    fn sack_and_forward_tsn_roundtrip(cum in any::<u32>(), rwnd in any::<u32>(),
                                      gaps in proptest::collection::vec((1u16..1000, 0u16..1000), 0..20),
                                      dups in proptest::collection::vec(any::<u32>(), 0..20),
                                      streams in proptest::collection::vec(any::<(u16, u16)>(), 0..20)) {
        let gaps = gaps.into_iter().map(|(s, l)| GapBlock { start: s, end: s.saturating_add(l) }).collect();
        for c in [
            Chunk::Sack(SackChunk { cum_tsn: cum, a_rwnd: rwnd, gaps, dups }),
            Chunk::ForwardTsn(ForwardTsnChunk { new_cum_tsn: cum, streams }),
        ] {
            let mut buf = Vec::new();
            c.encode(&mut buf);
            prop_assert_eq!(buf.len(), c.encoded_len());
            prop_assert_eq!(Chunk::parse(&mut Reader::new(&buf)).unwrap(), c);
        }
    }
}
