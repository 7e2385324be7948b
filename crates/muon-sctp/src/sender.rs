//! The send side before transmission: per-stream message queues, the stream scheduler and
//! fragmentation into DATA chunks (RFC 9260 section 6.9).

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

use bytes::Bytes;

use crate::config::Scheduler;
use crate::event::Reliability;

/// A message waiting in a stream's queue, possibly partly sent.
#[derive(Debug)]
pub(crate) struct OutMessage {
    pub(crate) ppid: u32,
    pub(crate) unordered: bool,
    pub(crate) reliability: Reliability,
    pub(crate) expires: Option<Instant>,
    pub(crate) data: Bytes,
    /// Bytes already cut into fragments.
    offset: usize,
    /// Assigned when the first fragment is cut.
    ssn: u16,
    id: u64,
}

impl OutMessage {
    pub(crate) fn new(
        ppid: u32,
        unordered: bool,
        reliability: Reliability,
        expires: Option<Instant>,
        data: Bytes,
    ) -> Self {
        Self {
            ppid,
            unordered,
            reliability,
            expires,
            data,
            offset: 0,
            ssn: 0,
            id: 0,
        }
    }
}

/// One DATA chunk's worth of a message, with what retransmission needs to know.
#[derive(Debug, Clone)]
pub(crate) struct Fragment {
    pub(crate) stream: u16,
    pub(crate) ssn: u16,
    pub(crate) ppid: u32,
    pub(crate) unordered: bool,
    pub(crate) beginning: bool,
    pub(crate) ending: bool,
    pub(crate) data: Bytes,
    pub(crate) msg_id: u64,
    pub(crate) reliability: Reliability,
    pub(crate) expires: Option<Instant>,
}

#[derive(Debug, Default)]
struct OutStream {
    queue: VecDeque<OutMessage>,
    next_ssn: u16,
    /// Bytes queued and not yet cut into fragments.
    buffered: usize,
    low_threshold: usize,
    deficit: usize,
    granted: bool,
}

/// All outgoing streams and the scheduler over them.
#[derive(Debug)]
pub(crate) struct SendQueue {
    streams: HashMap<u16, OutStream>,
    /// Streams with queued messages, in scheduling order.
    active: VecDeque<u16>,
    queued_bytes: usize,
    next_msg_id: u64,
    scheduler: Scheduler,
    /// Streams whose buffered amount fell to their threshold (drained into events).
    pub(crate) low: Vec<u16>,
    /// Messages dropped unsent because their lifetime ran out.
    pub(crate) expired: u64,
}

impl SendQueue {
    pub(crate) fn new(scheduler: Scheduler) -> Self {
        Self {
            streams: HashMap::new(),
            active: VecDeque::new(),
            queued_bytes: 0,
            next_msg_id: 0,
            scheduler,
            low: Vec::new(),
            expired: 0,
        }
    }

    /// Bytes queued on every stream, not yet sent.
    pub(crate) fn queued_bytes(&self) -> usize {
        self.queued_bytes
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.active.is_empty()
    }

    pub(crate) fn buffered(&self, stream: u16) -> usize {
        self.streams.get(&stream).map_or(0, |s| s.buffered)
    }

    /// True when nothing of `stream` waits to be cut into fragments.
    pub(crate) fn stream_drained(&self, stream: u16) -> bool {
        self.streams.get(&stream).is_none_or(|s| s.queue.is_empty())
    }

    pub(crate) fn set_low_threshold(&mut self, stream: u16, threshold: usize) {
        self.streams.entry(stream).or_default().low_threshold = threshold;
    }

    /// RFC 6525 section 5.1.2: after an outgoing reset the stream's SSN restarts at 0.
    pub(crate) fn reset_ssn(&mut self, stream: u16) {
        if let Some(s) = self.streams.get_mut(&stream) {
            s.next_ssn = 0;
            if s.queue.is_empty() && s.low_threshold == 0 {
                self.streams.remove(&stream);
            }
        }
    }

    pub(crate) fn push(&mut self, stream: u16, mut msg: OutMessage) {
        msg.id = self.next_msg_id;
        self.next_msg_id += 1;
        let s = self.streams.entry(stream).or_default();
        s.buffered += msg.data.len();
        self.queued_bytes += msg.data.len();
        if s.queue.is_empty() {
            self.active.push_back(stream);
        }
        s.queue.push_back(msg);
    }

    /// The message `next` would cut from (ignoring expiry and scheduling credit): its bytes
    /// not yet cut, and whether it is partially reliable.
    pub(crate) fn peek(&self) -> Option<(usize, bool)> {
        let stream = self.active.front()?;
        let msg = self.streams.get(stream)?.queue.front()?;
        let partial = !matches!(msg.reliability, Reliability::Reliable);
        Some((msg.data.len() - msg.offset, partial))
    }

    /// Cuts the next fragment, choosing the stream by the scheduler. Messages whose lifetime
    /// ran out before their first fragment are dropped here, unsent.
    pub(crate) fn next(&mut self, max_payload: usize, now: Instant) -> Option<Fragment> {
        // Every iteration drops a message, removes an idle stream, or rotates; a full round
        // of rotations without a sender grants enough credit that the next round sends.
        let mut rotations = 0;
        loop {
            let stream = *self.active.front()?;
            let Some(s) = self.streams.get_mut(&stream) else {
                self.active.pop_front();
                continue;
            };
            let Some(msg) = s.queue.front() else {
                self.active.pop_front();
                continue;
            };
            if msg.offset == 0 {
                if msg.expires.is_some_and(|e| now >= e) {
                    self.drop_front(stream);
                    self.expired += 1;
                    continue;
                }
                if let Scheduler::FairBytes { quantum } = self.scheduler {
                    let len = msg.data.len();
                    let quantum = quantum.max(1);
                    if self.active.len() > 1 {
                        // Deficit round robin: a stream earns its quantum once per visit.
                        if !s.granted {
                            s.deficit += quantum;
                            s.granted = true;
                        }
                        if s.deficit < len {
                            s.granted = false;
                            self.active.rotate_left(1);
                            rotations += 1;
                            if rotations >= self.active.len() {
                                self.grant_rounds(quantum);
                                rotations = 0;
                            }
                            continue;
                        }
                    }
                    s.deficit = s.deficit.saturating_sub(len);
                }
            }
            return Some(self.cut(stream, max_payload));
        }
    }

    /// Gives every active stream as many quanta as the neediest-but-closest one lacks, so the
    /// next pass finds a stream able to send without looping round after round.
    fn grant_rounds(&mut self, quantum: usize) {
        let need = self
            .active
            .iter()
            .filter_map(|id| self.streams.get(id))
            .filter_map(|s| {
                s.queue
                    .front()
                    .map(|m| m.data.len().saturating_sub(s.deficit))
            })
            .min()
            .unwrap_or(0);
        let rounds = need.div_ceil(quantum);
        for id in &self.active {
            if let Some(s) = self.streams.get_mut(id) {
                s.deficit += rounds * quantum;
            }
        }
    }

    fn cut(&mut self, stream: u16, max_payload: usize) -> Fragment {
        let mut done = false;
        let mut frag = None;
        if let Some(s) = self.streams.get_mut(&stream)
            && let Some(msg) = s.queue.front_mut()
        {
            let beginning = msg.offset == 0;
            if beginning {
                msg.ssn = s.next_ssn;
                if !msg.unordered {
                    s.next_ssn = s.next_ssn.wrapping_add(1);
                }
            }
            let n = (msg.data.len() - msg.offset).min(max_payload.max(1));
            let data = msg.data.slice(msg.offset..msg.offset + n);
            msg.offset += n;
            let ending = msg.offset == msg.data.len();
            let before = s.buffered;
            s.buffered -= n;
            self.queued_bytes -= n;
            if before > s.low_threshold && s.buffered <= s.low_threshold {
                self.low.push(stream);
            }
            frag = Some(Fragment {
                stream,
                ssn: msg.ssn,
                ppid: msg.ppid,
                unordered: msg.unordered,
                beginning,
                ending,
                data,
                msg_id: msg.id,
                reliability: msg.reliability,
                expires: msg.expires,
            });
            if ending {
                s.queue.pop_front();
                done = true;
            }
        }
        if done {
            self.after_message(stream);
        }
        // `cut` is only called for a stream at the front with a queued message.
        frag.unwrap_or(Fragment {
            stream,
            ssn: 0,
            ppid: 0,
            unordered: true,
            beginning: true,
            ending: true,
            data: Bytes::new(),
            msg_id: u64::MAX,
            reliability: Reliability::Reliable,
            expires: None,
        })
    }

    /// A message of `stream` finished (sent or dropped): maybe rotate to the next stream.
    fn after_message(&mut self, stream: u16) {
        let empty = self.streams.get(&stream).is_none_or(|s| s.queue.is_empty());
        if empty {
            if let Some(s) = self.streams.get_mut(&stream) {
                s.deficit = 0;
                s.granted = false;
            }
            self.active.retain(|&id| id != stream);
        } else if self.scheduler == Scheduler::RoundRobin && self.active.front() == Some(&stream) {
            self.active.rotate_left(1);
        }
    }

    fn drop_front(&mut self, stream: u16) {
        if let Some(s) = self.streams.get_mut(&stream)
            && let Some(msg) = s.queue.pop_front()
        {
            let rest = msg.data.len() - msg.offset;
            let before = s.buffered;
            s.buffered -= rest;
            self.queued_bytes -= rest;
            if before > s.low_threshold && s.buffered <= s.low_threshold {
                self.low.push(stream);
            }
        }
        self.after_message(stream);
    }

    /// Drops the rest of a partly sent message that was abandoned (RFC 3758 section 3.5).
    pub(crate) fn abandon(&mut self, stream: u16, msg_id: u64) {
        let hit = self
            .streams
            .get(&stream)
            .and_then(|s| s.queue.front())
            .is_some_and(|m| m.id == msg_id);
        if hit {
            self.drop_front(stream);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(len: usize) -> OutMessage {
        OutMessage::new(
            53,
            false,
            Reliability::Reliable,
            None,
            Bytes::from(vec![7u8; len]),
        )
    }

    fn drain(q: &mut SendQueue, now: Instant) -> Vec<(u16, usize, bool)> {
        let mut out = Vec::new();
        while let Some(f) = q.next(100, now) {
            out.push((f.stream, f.data.len(), f.ending));
        }
        out
    }

    #[test]
    fn fragments_to_max_payload_with_b_and_e_flags_and_ssns() {
        let now = muon_netsim::Clock::new().now();
        let mut q = SendQueue::new(Scheduler::RoundRobin);
        q.push(1, msg(250));
        q.push(1, msg(10));
        assert_eq!(q.buffered(1), 260);
        let f: Vec<_> = std::iter::from_fn(|| q.next(100, now)).collect();
        let lens: Vec<_> = f
            .iter()
            .map(|f| (f.data.len(), f.beginning, f.ending, f.ssn))
            .collect();
        assert_eq!(
            lens,
            [
                (100, true, false, 0),
                (100, false, false, 0),
                (50, false, true, 0),
                (10, true, true, 1)
            ]
        );
        assert_eq!(q.buffered(1), 0);
        assert_eq!(q.queued_bytes(), 0);
        assert_eq!(q.low, [1]);
    }

    #[test]
    fn round_robin_alternates_streams_by_message() {
        let now = muon_netsim::Clock::new().now();
        let mut q = SendQueue::new(Scheduler::RoundRobin);
        for _ in 0..3 {
            q.push(1, msg(150));
        }
        q.push(2, msg(50));
        q.push(2, msg(50));
        let order: Vec<_> = drain(&mut q, now).into_iter().map(|(s, ..)| s).collect();
        assert_eq!(order, [1, 1, 2, 1, 1, 2, 1, 1]);
    }

    #[test]
    fn fair_bytes_gives_small_message_stream_its_share() {
        let now = muon_netsim::Clock::new().now();
        let mut q = SendQueue::new(Scheduler::FairBytes { quantum: 100 });
        for _ in 0..4 {
            q.push(1, msg(400));
        }
        for _ in 0..16 {
            q.push(2, msg(100));
        }
        let sent = drain(&mut q, now);
        // Over the first 800 bytes, each stream got roughly half.
        let mut bytes = [0usize; 3];
        let mut total = 0;
        for (s, len, _) in &sent {
            if total >= 800 {
                break;
            }
            bytes[usize::from(*s)] += len;
            total += len;
        }
        assert!(bytes[1] >= 300 && bytes[2] >= 300, "{bytes:?}");
        assert_eq!(sent.iter().map(|x| x.1).sum::<usize>(), 3200);
    }

    #[test]
    fn expired_unsent_messages_are_dropped() {
        let now = muon_netsim::Clock::new().now();
        let mut q = SendQueue::new(Scheduler::RoundRobin);
        let mut m = msg(10);
        m.reliability = Reliability::MaxLifetime(std::time::Duration::from_millis(5));
        m.expires = Some(now);
        q.push(3, m);
        q.push(3, msg(20));
        let sent = drain(&mut q, now);
        assert_eq!(sent, [(3, 20, true)]);
        assert_eq!(q.expired, 1);
    }
}
