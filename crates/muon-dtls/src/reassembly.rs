//! Reassembly of fragmented handshake messages (RFC 6347 section 4.2.3), tolerant of
//! reordering and duplication, within hard limits on message size and buffered bytes.

use std::collections::BTreeMap;

use crate::error::{DtlsError, Limit, Misbehavior};
use crate::wire::handshake::{HandshakeHeader, HandshakeType};

/// A whole handshake message, ready for the state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Message {
    pub(crate) msg_type: HandshakeType,
    pub(crate) seq: u16,
    /// The record epoch it arrived in (Finished must be protected, everything else not).
    pub(crate) epoch: u16,
    pub(crate) body: Vec<u8>,
}

/// What happened to an incoming fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fragment {
    /// It belongs to a message we already processed: the peer is retransmitting.
    Old,
    /// It was stored (or was a duplicate of stored bytes).
    Stored,
    /// It was too far ahead and dropped.
    TooFarAhead,
}

#[derive(Debug)]
struct Partial {
    msg_type: HandshakeType,
    epoch: u16,
    body: Vec<u8>,
    /// Sorted, disjoint, non-adjacent covered ranges `[start, end)`.
    covered: Vec<(u32, u32)>,
}

impl Partial {
    fn complete(&self) -> bool {
        matches!(self.covered.as_slice(), [(0, end)] if *end as usize == self.body.len())
            || self.body.is_empty()
    }

    fn cover(&mut self, start: u32, end: u32) {
        if start == end {
            return;
        }
        self.covered.push((start, end));
        self.covered.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(self.covered.len());
        for &(s, e) in &self.covered {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        self.covered = merged;
    }
}

/// The peer's handshake messages in `message_seq` order.
#[derive(Debug)]
pub(crate) struct Reassembler {
    next_seq: u16,
    pending: BTreeMap<u16, Partial>,
    buffered: usize,
    max_message: usize,
    max_buffer: usize,
    max_ahead: u16,
}

impl Reassembler {
    pub(crate) fn new(max_message: usize, max_buffer: usize, max_ahead: u16) -> Self {
        Self {
            next_seq: 0,
            pending: BTreeMap::new(),
            buffered: 0,
            max_message,
            max_buffer,
            max_ahead,
        }
    }

    /// The next message_seq we will hand out.
    pub(crate) fn next_seq(&self) -> u16 {
        self.next_seq
    }

    /// Skips to `seq` (after a stateless ClientHello), dropping anything buffered.
    pub(crate) fn reset_to(&mut self, seq: u16) {
        self.next_seq = seq;
        self.pending.clear();
        self.buffered = 0;
    }

    /// Takes one fragment.
    pub(crate) fn insert(
        &mut self,
        epoch: u16,
        h: &HandshakeHeader,
        fragment: &[u8],
    ) -> Result<Fragment, DtlsError> {
        if h.message_seq < self.next_seq {
            return Ok(Fragment::Old);
        }
        if h.message_seq - self.next_seq >= self.max_ahead {
            return Ok(Fragment::TooFarAhead);
        }
        let length = h.length as usize;
        if length > self.max_message {
            return Err(DtlsError::PeerMisbehaved(Misbehavior::MessageTooLarge));
        }
        if !self.pending.contains_key(&h.message_seq) {
            if self.buffered + length > self.max_buffer {
                return Err(DtlsError::LimitExceeded(Limit::HandshakeBuffer));
            }
            self.buffered += length;
            self.pending.insert(
                h.message_seq,
                Partial {
                    msg_type: h.msg_type,
                    epoch,
                    body: vec![0; length],
                    covered: Vec::new(),
                },
            );
        }
        let Some(partial) = self.pending.get_mut(&h.message_seq) else {
            return Ok(Fragment::Stored);
        };
        if partial.msg_type != h.msg_type || partial.body.len() != length || partial.epoch != epoch
        {
            // Fragments of one message must agree on its type, length and epoch.
            return Err(DtlsError::PeerMisbehaved(Misbehavior::UnexpectedMessage));
        }
        let start = h.fragment_offset as usize;
        let end = start + fragment.len();
        // The header parser guarantees offset + length <= message length.
        if let Some(dst) = partial.body.get_mut(start..end) {
            dst.copy_from_slice(fragment);
            partial.cover(h.fragment_offset, end as u32);
        }
        Ok(Fragment::Stored)
    }

    /// The next message in order, once every byte of it arrived.
    pub(crate) fn pop(&mut self) -> Option<Message> {
        let complete = self
            .pending
            .get(&self.next_seq)
            .is_some_and(Partial::complete);
        if !complete {
            return None;
        }
        let partial = self.pending.remove(&self.next_seq)?;
        self.buffered -= partial.body.len();
        let msg = Message {
            msg_type: partial.msg_type,
            seq: self.next_seq,
            epoch: partial.epoch,
            body: partial.body,
        };
        self.next_seq = self.next_seq.wrapping_add(1);
        Some(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(seq: u16, len: u32, off: u32, flen: u32) -> HandshakeHeader {
        HandshakeHeader {
            msg_type: HandshakeType::CERTIFICATE,
            length: len,
            message_seq: seq,
            fragment_offset: off,
            fragment_length: flen,
        }
    }

    #[test]
    fn out_of_order_overlapping_duplicated_fragments_reassemble() {
        let body: Vec<u8> = (0..100u8).collect();
        let mut r = Reassembler::new(1000, 4000, 8);
        for (off, len) in [(60, 40), (0, 30), (20, 30), (0, 30), (45, 20)] {
            assert!(r.pop().is_none());
            let f = &body[off..off + len];
            assert_eq!(
                r.insert(0, &header(0, 100, off as u32, len as u32), f),
                Ok(Fragment::Stored)
            );
        }
        let m = r.pop().unwrap();
        assert_eq!(m.body, body);
        assert_eq!(m.seq, 0);
        assert_eq!(r.next_seq(), 1);
        assert_eq!(
            r.insert(0, &header(0, 100, 0, 10), &body[..10]),
            Ok(Fragment::Old)
        );
    }

    #[test]
    fn later_messages_wait_for_earlier_ones() {
        let mut r = Reassembler::new(100, 400, 8);
        r.insert(0, &header(1, 2, 0, 2), &[1, 2]).unwrap();
        assert!(r.pop().is_none());
        r.insert(0, &header(0, 0, 0, 0), &[]).unwrap();
        assert_eq!(r.pop().unwrap().seq, 0);
        assert_eq!(r.pop().unwrap().body, vec![1, 2]);
        assert!(r.pop().is_none());
    }

    #[test]
    fn limits_are_enforced() {
        let mut r = Reassembler::new(100, 150, 4);
        assert_eq!(
            r.insert(0, &header(0, 101, 0, 0), &[]),
            Err(DtlsError::PeerMisbehaved(Misbehavior::MessageTooLarge))
        );
        r.insert(0, &header(0, 100, 0, 0), &[]).unwrap();
        assert_eq!(
            r.insert(0, &header(1, 100, 0, 0), &[]),
            Err(DtlsError::LimitExceeded(Limit::HandshakeBuffer))
        );
        assert_eq!(
            r.insert(0, &header(9, 1, 0, 0), &[]),
            Ok(Fragment::TooFarAhead)
        );
        // A fragment disagreeing on length is rejected.
        assert!(r.insert(0, &header(0, 99, 0, 0), &[]).is_err());
    }

    #[test]
    fn zero_length_fragments_do_not_complete_a_non_empty_message() {
        let mut r = Reassembler::new(100, 400, 8);
        for _ in 0..10 {
            r.insert(0, &header(0, 5, 0, 0), &[]).unwrap();
        }
        assert!(r.pop().is_none());
    }
}
