//! What `muon perf` sends in its bulk phase, and how every echoed byte is checked.
//!
//! Message `seq` of channel `ch` is a 16-byte header (`seq` as u64, `ch` as u32, the magic
//! `MUON`, all big-endian) followed by bytes generated from `(ch, seq)`; its length is
//! known from `seq` too (the last message of a channel may be short). So the receiver can
//! regenerate and compare every message without keeping what was sent, whatever the order
//! and whatever was lost. On top, both sides fold SHA-256 of every message into an
//! order-independent digest (XOR): on a reliable channel the two digests must match.

use sha2::{Digest, Sha256};

/// Header length.
pub(crate) const HEADER: usize = 16;
const MAGIC: [u8; 4] = *b"MUON";

/// The plan of one channel's bulk transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Channel index.
    pub(crate) channel: u32,
    /// Bytes this channel sends.
    pub(crate) bytes: u64,
    /// Size of every message but possibly the last (at least [`HEADER`]).
    pub(crate) msg: usize,
}

impl Plan {
    /// Number of messages.
    pub(crate) fn count(&self) -> u64 {
        self.bytes.div_ceil(self.msg as u64)
    }

    /// Length of message `seq` (`None` past the end).
    pub(crate) fn len_of(&self, seq: u64) -> Option<usize> {
        let start = seq.checked_mul(self.msg as u64)?;
        let left = self.bytes.checked_sub(start).filter(|l| *l > 0)?;
        // A short last message still carries a whole header.
        Some((left.min(self.msg as u64) as usize).max(HEADER))
    }

    /// Message `seq`, written into `out` (cleared first).
    pub(crate) fn fill(&self, seq: u64, out: &mut Vec<u8>) {
        out.clear();
        let Some(len) = self.len_of(seq) else {
            return;
        };
        out.extend_from_slice(&seq.to_be_bytes());
        out.extend_from_slice(&self.channel.to_be_bytes());
        out.extend_from_slice(&MAGIC);
        let mut state = (u64::from(self.channel) << 48) ^ seq ^ 0x9e37_79b9_7f4a_7c15;
        while out.len() < len {
            let word = splitmix64(&mut state).to_le_bytes();
            let take = (len - out.len()).min(8);
            out.extend_from_slice(word.get(..take).unwrap_or_default());
        }
    }

    /// Checks a received message: header, length and every byte. Returns its `seq`.
    pub(crate) fn check(&self, msg: &[u8], scratch: &mut Vec<u8>) -> Result<u64, Corrupt> {
        let (Some(seq), Some(ch), Some(magic)) = (msg.get(..8), msg.get(8..12), msg.get(12..16))
        else {
            return Err(Corrupt::Header);
        };
        let seq = u64::from_be_bytes(seq.try_into().map_err(|_| Corrupt::Header)?);
        let ch = u32::from_be_bytes(ch.try_into().map_err(|_| Corrupt::Header)?);
        if magic != MAGIC || ch != self.channel || self.len_of(seq).is_none() {
            return Err(Corrupt::Header);
        }
        self.fill(seq, scratch);
        if scratch.len() != msg.len() {
            return Err(Corrupt::Length { seq });
        }
        if scratch.as_slice() != msg {
            return Err(Corrupt::Bytes { seq });
        }
        Ok(seq)
    }
}

/// How an echoed message was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Corrupt {
    /// Not a message this run sent on this channel.
    #[error("an echoed message has a foreign header")]
    Header,
    /// The right header with the wrong length.
    #[error("message {seq} came back with the wrong length")]
    Length {
        /// The message.
        seq: u64,
    },
    /// The right header and length, different bytes.
    #[error("message {seq} came back with different bytes")]
    Bytes {
        /// The message.
        seq: u64,
    },
    /// Received twice.
    #[error("message {seq} came back twice")]
    Duplicate {
        /// The message.
        seq: u64,
    },
    /// Received before an earlier one on an ordered channel.
    #[error("message {seq} came back out of order on an ordered channel")]
    Order {
        /// The message.
        seq: u64,
    },
}

/// An order-independent digest of a set of messages: XOR of their SHA-256.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SetDigest([u8; 32]);

impl SetDigest {
    /// Folds one message in.
    pub(crate) fn add(&mut self, msg: &[u8]) {
        let h = Sha256::digest(msg);
        for (a, b) in self.0.iter_mut().zip(h.iter()) {
            *a ^= b;
        }
    }

    /// Hex form, for reports.
    pub(crate) fn hex(&self) -> String {
        hex::encode(self.0)
    }
}

/// Which messages arrived: one bit per message, so memory is `count / 8` bytes.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    bits: Vec<u64>,
}

impl Seen {
    pub(crate) fn new(count: u64) -> Self {
        Self {
            bits: vec![0; usize::try_from(count.div_ceil(64)).unwrap_or(0)],
        }
    }

    /// Marks `seq`; `false` if it was already marked or out of range.
    pub(crate) fn insert(&mut self, seq: u64) -> bool {
        let Some(word) = usize::try_from(seq / 64)
            .ok()
            .and_then(|i| self.bits.get_mut(i))
        else {
            return false;
        };
        let bit = 1u64 << (seq % 64);
        let fresh = *word & bit == 0;
        *word |= bit;
        fresh
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): fast, good enough to make payloads incompressible
/// and position-dependent. Not for anything secret.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn messages_cover_the_bytes_and_differ() {
        let plan = Plan {
            channel: 3,
            bytes: 100_000,
            msg: 16_384,
        };
        assert_eq!(plan.count(), 7);
        let total: usize = (0..plan.count()).map(|s| plan.len_of(s).unwrap()).sum();
        assert_eq!(total, 100_000);
        assert_eq!(plan.len_of(7), None);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        plan.fill(0, &mut a);
        plan.fill(1, &mut b);
        assert_eq!(a.len(), 16_384);
        assert_ne!(a[HEADER..], b[HEADER..]);
        let other = Plan { channel: 4, ..plan };
        other.fill(0, &mut b);
        assert_ne!(a[HEADER..], b[HEADER..]);
    }

    #[test]
    fn a_flipped_byte_or_a_foreign_message_is_caught() {
        let plan = Plan {
            channel: 0,
            bytes: 1 << 20,
            msg: 1000,
        };
        let (mut msg, mut scratch) = (Vec::new(), Vec::new());
        plan.fill(5, &mut msg);
        assert_eq!(plan.check(&msg, &mut scratch), Ok(5));
        msg[600] ^= 1;
        assert_eq!(
            plan.check(&msg, &mut scratch),
            Err(Corrupt::Bytes { seq: 5 })
        );
        msg[600] ^= 1;
        msg.pop();
        assert_eq!(
            plan.check(&msg, &mut scratch),
            Err(Corrupt::Length { seq: 5 })
        );
        let other = Plan { channel: 1, ..plan };
        other.fill(5, &mut msg);
        assert_eq!(plan.check(&msg, &mut scratch), Err(Corrupt::Header));
        assert_eq!(plan.check(b"short", &mut scratch), Err(Corrupt::Header));
    }

    #[test]
    fn set_digest_ignores_order_and_seen_catches_duplicates() {
        let (mut x, mut y) = (SetDigest::default(), SetDigest::default());
        for m in [&b"a"[..], b"b", b"c"] {
            x.add(m);
        }
        for m in [&b"c"[..], b"a", b"b"] {
            y.add(m);
        }
        assert_eq!(x, y);
        y.add(b"d");
        assert_ne!(x, y);
        let mut seen = Seen::new(130);
        assert!(seen.insert(129));
        assert!(!seen.insert(129));
        assert!(!seen.insert(130 + 64));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic_the_check(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let plan = Plan { channel: 0, bytes: 10_000, msg: 64 };
            let mut scratch = Vec::new();
            let _ = plan.check(&bytes, &mut scratch);
        }

        #[test]
        fn every_generated_message_checks(ch in 0u32..8, bytes in 1u64..50_000, msg in 16usize..5000, seq in 0u64..100) {
            let plan = Plan { channel: ch, bytes, msg };
            let (mut m, mut scratch) = (Vec::new(), Vec::new());
            if plan.len_of(seq).is_some() {
                plan.fill(seq, &mut m);
                prop_assert_eq!(plan.check(&m, &mut scratch), Ok(seq));
            }
        }
    }
}
