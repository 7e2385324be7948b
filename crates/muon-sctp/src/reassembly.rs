//! Reassembly of fragmented messages (RFC 9260 section 6.9) and per-stream ordered delivery
//! (section 6.6), with the bytes held counted so the receive buffer stays bounded.

use std::collections::{BTreeMap, HashMap, VecDeque};

use bytes::{Bytes, BytesMut};

use crate::tsn::ssn_after;

/// A received DATA chunk's payload and the fields reassembly needs.
#[derive(Debug, Clone)]
pub(crate) struct Frag {
    pub(crate) stream: u16,
    pub(crate) ssn: u16,
    pub(crate) ppid: u32,
    pub(crate) unordered: bool,
    pub(crate) beginning: bool,
    pub(crate) ending: bool,
    pub(crate) data: Bytes,
}

/// A complete message.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub(crate) stream: u16,
    pub(crate) ssn: u16,
    pub(crate) ppid: u32,
    pub(crate) unordered: bool,
    pub(crate) data: Bytes,
}

#[derive(Debug, Default)]
struct InStream {
    next_ssn: u16,
    /// Complete ordered messages waiting for an earlier SSN.
    held: HashMap<u16, Message>,
}

#[derive(Debug)]
pub(crate) struct Reassembly {
    pending: BTreeMap<u64, Frag>,
    streams: HashMap<u16, InStream>,
    bytes: usize,
    max_message: usize,
    /// Messages dropped as too large or inconsistent.
    pub(crate) bad_messages: u64,
}

impl Reassembly {
    pub(crate) fn new(max_message: usize) -> Self {
        Self {
            pending: BTreeMap::new(),
            streams: HashMap::new(),
            bytes: 0,
            max_message,
            bad_messages: 0,
        }
    }

    /// Bytes held: fragments of incomplete messages and messages waiting for their turn.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    /// Stores a chunk and appends any messages now deliverable to `out`.
    pub(crate) fn insert(&mut self, tsn: u64, frag: Frag, out: &mut VecDeque<Message>) {
        if frag.beginning && frag.ending {
            let msg = Message {
                stream: frag.stream,
                ssn: frag.ssn,
                ppid: frag.ppid,
                unordered: frag.unordered,
                data: frag.data,
            };
            self.bytes += msg.data.len();
            self.complete(msg, out);
            return;
        }
        let ending = frag.ending;
        self.bytes += frag.data.len();
        self.pending.insert(tsn, frag);
        // A message completes only when its last fragment arrives or a hole before a
        // present successor is filled.
        if (ending || self.pending.contains_key(&(tsn + 1)))
            && let Some(msg) = self.assemble(tsn)
        {
            self.complete(msg, out);
        }
    }

    /// Finds the message around `tsn`; when all its fragments are present, removes them and
    /// joins them. Fragments must agree on stream, order and SSN.
    fn assemble(&mut self, tsn: u64) -> Option<Message> {
        let same = |a: &Frag, b: &Frag| {
            a.stream == b.stream && a.unordered == b.unordered && (a.unordered || a.ssn == b.ssn)
        };
        let here = self.pending.get(&tsn)?;
        let mut first = tsn;
        let mut len = here.data.len();
        let mut cur = here;
        while !cur.beginning {
            let prev = self.pending.get(&(first - 1))?;
            if prev.ending || !same(prev, here) {
                return None;
            }
            first -= 1;
            len += prev.data.len();
            cur = prev;
        }
        let mut last = tsn;
        let mut cur = here;
        while !cur.ending {
            let next = self.pending.get(&(last + 1))?;
            if next.beginning || !same(next, here) {
                return None;
            }
            last += 1;
            len += next.data.len();
            cur = next;
        }
        let mut data = BytesMut::with_capacity(len.min(self.max_message));
        let mut head = None;
        for t in first..=last {
            if let Some(f) = self.pending.remove(&t) {
                self.bytes -= f.data.len();
                if data.len() + f.data.len() <= self.max_message {
                    data.extend_from_slice(&f.data);
                }
                head.get_or_insert((f.stream, f.ssn, f.ppid, f.unordered));
            }
        }
        let (stream, ssn, ppid, unordered) = head?;
        if len > self.max_message {
            self.bad_messages += 1;
            return None;
        }
        self.bytes += len;
        Some(Message {
            stream,
            ssn,
            ppid,
            unordered,
            data: data.freeze(),
        })
    }

    /// Delivers a complete message now or holds it for its turn (bytes already counted).
    fn complete(&mut self, msg: Message, out: &mut VecDeque<Message>) {
        if msg.unordered {
            self.bytes -= msg.data.len();
            out.push_back(msg);
            return;
        }
        let s = self.streams.entry(msg.stream).or_default();
        if msg.ssn == s.next_ssn {
            s.next_ssn = s.next_ssn.wrapping_add(1);
            self.bytes -= msg.data.len();
            out.push_back(msg);
            Self::drain(s, &mut self.bytes, out);
        } else if ssn_after(msg.ssn, s.next_ssn) {
            if let Some(old) = s.held.insert(msg.ssn, msg) {
                self.bytes -= old.data.len();
            }
        } else {
            // An SSN already delivered: a stale or hostile retransmission.
            self.bytes -= msg.data.len();
            self.bad_messages += 1;
        }
    }

    fn drain(s: &mut InStream, bytes: &mut usize, out: &mut VecDeque<Message>) {
        while let Some(m) = s.held.remove(&s.next_ssn) {
            s.next_ssn = s.next_ssn.wrapping_add(1);
            *bytes -= m.data.len();
            out.push_back(m);
        }
    }

    /// RFC 3758 section 3.6: drop fragments up to `new_cum` and skip the given SSNs,
    /// delivering held messages up to them.
    pub(crate) fn forward(
        &mut self,
        new_cum: u64,
        skipped: &[(u16, u16)],
        out: &mut VecDeque<Message>,
    ) {
        while let Some(entry) = self.pending.first_entry() {
            if *entry.key() > new_cum {
                break;
            }
            self.bytes -= entry.remove().data.len();
        }
        for &(stream, ssn) in skipped {
            let s = self.streams.entry(stream).or_default();
            if ssn_after(s.next_ssn, ssn) {
                continue;
            }
            // Deliver held messages up to the skipped SSN, then continue after it.
            let mut k = s.next_ssn;
            loop {
                if let Some(m) = s.held.remove(&k) {
                    self.bytes -= m.data.len();
                    out.push_back(m);
                }
                if k == ssn {
                    break;
                }
                k = k.wrapping_add(1);
            }
            s.next_ssn = ssn.wrapping_add(1);
            Self::drain(s, &mut self.bytes, out);
        }
    }

    /// RFC 6525 section 5.2.2: the peer reset its outgoing stream; SSNs restart at 0.
    pub(crate) fn reset_stream(&mut self, stream: u16) {
        if let Some(s) = self.streams.remove(&stream) {
            for m in s.held.values() {
                self.bytes -= m.data.len();
            }
        }
    }

    /// Ids of streams with incoming state.
    pub(crate) fn stream_ids(&self) -> Vec<u16> {
        self.streams.keys().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frag(stream: u16, ssn: u16, b: bool, e: bool, data: &'static [u8]) -> Frag {
        Frag {
            stream,
            ssn,
            ppid: 53,
            unordered: false,
            beginning: b,
            ending: e,
            data: Bytes::from_static(data),
        }
    }

    #[test]
    fn out_of_order_fragments_reassemble_and_order_holds() {
        let mut r = Reassembly::new(1000);
        let mut out = VecDeque::new();
        // Message ssn 1 (single chunk) arrives before ssn 0 (three fragments).
        r.insert(13, frag(0, 1, true, true, b"second"), &mut out);
        r.insert(12, frag(0, 0, false, true, b"c"), &mut out);
        r.insert(10, frag(0, 0, true, false, b"a"), &mut out);
        assert!(out.is_empty());
        assert_eq!(r.bytes(), 8);
        r.insert(11, frag(0, 0, false, false, b"b"), &mut out);
        let got: Vec<_> = out.iter().map(|m| m.data.clone()).collect();
        assert_eq!(
            got,
            [Bytes::from_static(b"abc"), Bytes::from_static(b"second")]
        );
        assert_eq!(r.bytes(), 0);
    }

    #[test]
    fn oversized_message_is_dropped() {
        let mut r = Reassembly::new(3);
        let mut out = VecDeque::new();
        r.insert(1, frag(0, 0, true, false, b"ab"), &mut out);
        r.insert(2, frag(0, 0, false, true, b"cd"), &mut out);
        assert!(out.is_empty());
        assert_eq!(r.bad_messages, 1);
        assert_eq!(r.bytes(), 0);
    }

    #[test]
    fn forward_tsn_drops_partials_and_unblocks_order() {
        let mut r = Reassembly::new(100);
        let mut out = VecDeque::new();
        r.insert(1, frag(0, 0, true, false, b"lost"), &mut out);
        r.insert(4, frag(0, 1, true, true, b"next"), &mut out);
        assert!(out.is_empty());
        r.forward(3, &[(0, 0)], &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].data, Bytes::from_static(b"next"));
        assert_eq!(r.bytes(), 0);
    }
}
