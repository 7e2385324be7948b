//! The retransmission queue: DATA chunks sent and not yet cumulatively acknowledged, in TSN
//! order, with SACK processing (RFC 9260 sections 6.2.1, 7.2.4) and PR-SCTP abandonment
//! (RFC 3758 section 3.5).

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::event::Reliability;
use crate::sender::Fragment;

/// Most gap ack blocks of one SACK that are looked at; the rest are ignored.
pub(crate) const MAX_GAP_BLOCKS: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChunkState {
    /// In flight, counted in the flight size.
    Outstanding,
    /// Reported received in a gap ack block.
    GapAcked,
    /// Marked for retransmission; not in flight.
    Retransmit,
    /// Given up on (partial reliability).
    Abandoned,
}

#[derive(Debug)]
pub(crate) struct Sent {
    pub(crate) tsn: u64,
    pub(crate) frag: Fragment,
    pub(crate) sent_at: Instant,
    pub(crate) tx_count: u32,
    pub(crate) state: ChunkState,
    misses: u8,
    fast_retransmitted: bool,
}

/// What a SACK changed.
#[derive(Debug, Default)]
pub(crate) struct AckOutcome {
    /// Bytes of outstanding chunks newly acknowledged (cumulatively or in gap blocks).
    pub(crate) acked_bytes: usize,
    /// The cumulative ack moved forward.
    pub(crate) cum_advanced: bool,
    /// An RTT sample from a chunk sent once (Karn's rule).
    pub(crate) rtt: Option<Duration>,
    /// TSNs that reached three miss indications.
    pub(crate) fast_retransmit: Vec<u64>,
}

#[derive(Debug)]
pub(crate) struct Inflight {
    q: VecDeque<Sent>,
    /// The peer's cumulative TSN ack: the TSN before `q.front()`.
    cum: u64,
    /// Next TSN to assign.
    next_tsn: u64,
    flight_bytes: usize,
    total_bytes: usize,
    rtx: BTreeSet<u64>,
}

impl Inflight {
    pub(crate) fn new(initial_tsn: u64) -> Self {
        Self {
            q: VecDeque::new(),
            cum: initial_tsn - 1,
            next_tsn: initial_tsn,
            flight_bytes: 0,
            total_bytes: 0,
            rtx: BTreeSet::new(),
        }
    }

    pub(crate) fn next_tsn(&self) -> u64 {
        self.next_tsn
    }

    pub(crate) fn cum(&self) -> u64 {
        self.cum
    }

    /// Bytes of chunks in flight (RFC 9260 "flightsize").
    pub(crate) fn flight_bytes(&self) -> usize {
        self.flight_bytes
    }

    /// Bytes of every chunk not yet cumulatively acknowledged.
    pub(crate) fn total_bytes(&self) -> usize {
        self.total_bytes
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.q.is_empty()
    }

    /// True when some chunk still needs the peer (outstanding or to be retransmitted).
    pub(crate) fn has_outstanding(&self) -> bool {
        self.flight_bytes > 0 || !self.rtx.is_empty()
    }

    pub(crate) fn has_retransmits(&self) -> bool {
        !self.rtx.is_empty()
    }

    fn index(&self, tsn: u64) -> Option<usize> {
        let front = self.q.front()?.tsn;
        let i = usize::try_from(tsn.checked_sub(front)?).ok()?;
        (i < self.q.len()).then_some(i)
    }

    pub(crate) fn get(&self, tsn: u64) -> Option<&Sent> {
        self.q.get(self.index(tsn)?)
    }

    /// Records a first transmission and returns its TSN.
    pub(crate) fn push(&mut self, frag: Fragment, now: Instant) -> u64 {
        let tsn = self.next_tsn;
        self.next_tsn += 1;
        self.flight_bytes += frag.data.len();
        self.total_bytes += frag.data.len();
        self.q.push_back(Sent {
            tsn,
            frag,
            sent_at: now,
            tx_count: 1,
            state: ChunkState::Outstanding,
            misses: 0,
            fast_retransmitted: false,
        });
        tsn
    }

    /// The lowest TSN marked for retransmission whose payload is at most `max_len`.
    pub(crate) fn peek_retransmit(&self) -> Option<&Sent> {
        self.rtx.first().and_then(|&tsn| self.get(tsn))
    }

    /// Takes the lowest TSN marked for retransmission back into flight.
    pub(crate) fn pop_retransmit(&mut self, now: Instant) -> Option<&Sent> {
        let tsn = self.rtx.pop_first()?;
        let i = self.index(tsn)?;
        let s = self.q.get_mut(i)?;
        if s.state != ChunkState::Retransmit {
            return None;
        }
        s.state = ChunkState::Outstanding;
        s.tx_count += 1;
        s.sent_at = now;
        s.misses = 0;
        self.flight_bytes += s.frag.data.len();
        Some(s)
    }

    /// Processes a SACK's cumulative ack and gap blocks (absolute, unwrapped TSN ranges).
    /// Returns `None` for a SACK older than one already processed (RFC 9260 section 6.2.1 D).
    pub(crate) fn on_sack(
        &mut self,
        cum: u64,
        gaps: &[(u64, u64)],
        now: Instant,
    ) -> Option<AckOutcome> {
        if cum < self.cum || cum >= self.next_tsn {
            return None;
        }
        let mut out = AckOutcome::default();
        let mut newest_sample: Option<Instant> = None;
        let mut highest_newly_acked = None;
        while self.q.front().is_some_and(|s| s.tsn <= cum) {
            let Some(s) = self.q.pop_front() else { break };
            let len = s.frag.data.len();
            self.total_bytes -= len;
            match s.state {
                ChunkState::Outstanding => {
                    self.flight_bytes -= len;
                    out.acked_bytes += len;
                    if s.tx_count == 1 {
                        newest_sample = Some(s.sent_at);
                    }
                    highest_newly_acked = Some(s.tsn);
                }
                ChunkState::Retransmit => {
                    self.rtx.remove(&s.tsn);
                    highest_newly_acked = Some(s.tsn);
                }
                ChunkState::GapAcked | ChunkState::Abandoned => {}
            }
        }
        if cum > self.cum {
            out.cum_advanced = true;
            self.cum = cum;
        }
        out.rtt = newest_sample.map(|t| now.saturating_duration_since(t));
        // Gap blocks: ascending, disjoint, above the cumulative ack; anything else is ignored.
        let mut floor = cum;
        for &(start, end) in gaps.iter().take(MAX_GAP_BLOCKS) {
            if start <= floor || end < start {
                break;
            }
            floor = end;
            let Some(first) = self.q.front().map(|s| s.tsn) else {
                break;
            };
            let from = start.max(first);
            let Some(last) = self.q.back().map(|s| s.tsn) else {
                break;
            };
            let to = end.min(last);
            let mut tsn = from;
            while tsn <= to {
                if let Some(i) = self.index(tsn)
                    && let Some(s) = self.q.get_mut(i)
                {
                    match s.state {
                        ChunkState::Outstanding => {
                            s.state = ChunkState::GapAcked;
                            self.flight_bytes -= s.frag.data.len();
                            out.acked_bytes += s.frag.data.len();
                            highest_newly_acked = Some(tsn);
                        }
                        ChunkState::Retransmit => {
                            s.state = ChunkState::GapAcked;
                            self.rtx.remove(&tsn);
                            highest_newly_acked = Some(tsn);
                        }
                        ChunkState::GapAcked | ChunkState::Abandoned => {}
                    }
                }
                tsn += 1;
            }
        }
        // Section 6.2.1: a receiver may renege on gap-acknowledged chunks. If the chunk after
        // the cumulative ack is one we saw gap-acked, the peer dropped it: every gap-acked
        // chunk this SACK does not cover again goes back to be retransmitted.
        if self
            .q
            .front()
            .is_some_and(|s| s.state == ChunkState::GapAcked)
        {
            self.renege(gaps);
        }
        // Section 7.2.4: a miss indication for each outstanding chunk below the highest
        // newly acknowledged TSN, when the SACK reports gaps.
        if let (false, Some(htna)) = (gaps.is_empty(), highest_newly_acked) {
            for s in self.q.iter_mut() {
                if s.tsn >= htna {
                    break;
                }
                if s.state == ChunkState::Outstanding && !s.fast_retransmitted {
                    s.misses += 1;
                    if s.misses >= 3 {
                        s.fast_retransmitted = true;
                        out.fast_retransmit.push(s.tsn);
                    }
                }
            }
        }
        Some(out)
    }

    fn renege(&mut self, gaps: &[(u64, u64)]) {
        let mut blocks = gaps.iter().take(MAX_GAP_BLOCKS).peekable();
        for s in self.q.iter_mut() {
            while blocks.peek().is_some_and(|&&(_, end)| end < s.tsn) {
                blocks.next();
            }
            let covered = blocks.peek().is_some_and(|&&(start, _)| start <= s.tsn);
            if s.state == ChunkState::GapAcked && !covered {
                s.state = ChunkState::Retransmit;
                self.rtx.insert(s.tsn);
            }
        }
    }

    /// Marks an outstanding chunk for retransmission (out of flight).
    pub(crate) fn mark_retransmit(&mut self, tsn: u64) {
        if let Some(i) = self.index(tsn)
            && let Some(s) = self.q.get_mut(i)
            && s.state == ChunkState::Outstanding
        {
            s.state = ChunkState::Retransmit;
            self.flight_bytes -= s.frag.data.len();
            self.rtx.insert(tsn);
        }
    }

    /// Section 6.3.3 rule E3: every outstanding chunk is to be retransmitted.
    pub(crate) fn outstanding_tsns(&self) -> Vec<u64> {
        self.q
            .iter()
            .filter(|s| s.state == ChunkState::Outstanding)
            .map(|s| s.tsn)
            .collect()
    }

    /// RFC 3758 section 3.5 A5: true when the chunk's policy says to stop trying.
    pub(crate) fn should_abandon(&self, tsn: u64, now: Instant, pr_enabled: bool) -> bool {
        let Some(s) = self.get(tsn) else { return false };
        if !pr_enabled {
            return false;
        }
        match s.frag.reliability {
            Reliability::Reliable => false,
            Reliability::MaxRetransmits(n) => s.tx_count > u32::from(n),
            Reliability::MaxLifetime(_) => s.frag.expires.is_some_and(|e| now >= e),
        }
    }

    /// Abandons every chunk of the message `tsn` belongs to (its fragments have consecutive
    /// TSNs). Returns (stream, message id) so the unsent rest can be dropped too, or `None`
    /// when it was abandoned already.
    pub(crate) fn abandon_message(&mut self, tsn: u64) -> Option<(u16, u64)> {
        let i = self.index(tsn)?;
        if self.q.get(i)?.state == ChunkState::Abandoned {
            return None;
        }
        let id = self.q.get(i)?.frag.msg_id;
        let stream = self.q.get(i)?.frag.stream;
        let mut lo = i;
        while lo > 0 && self.q.get(lo - 1).is_some_and(|s| s.frag.msg_id == id) {
            lo -= 1;
        }
        let mut j = lo;
        while let Some(s) = self.q.get_mut(j) {
            if s.frag.msg_id != id {
                break;
            }
            match s.state {
                ChunkState::Outstanding => self.flight_bytes -= s.frag.data.len(),
                ChunkState::Retransmit => {
                    self.rtx.remove(&s.tsn);
                }
                ChunkState::GapAcked | ChunkState::Abandoned => {}
            }
            s.state = ChunkState::Abandoned;
            j += 1;
        }
        Some((stream, id))
    }

    /// RFC 3758 section 3.5 C1-C4: the Advanced.Peer.Ack.Point and, for ordered streams, the
    /// highest skipped SSN of each, when it is ahead of the cumulative ack.
    pub(crate) fn forward_tsn(&self) -> Option<(u64, Vec<(u16, u16)>)> {
        let mut point = self.cum;
        let mut streams: HashMap<u16, u16> = HashMap::new();
        for s in &self.q {
            if s.state != ChunkState::Abandoned {
                break;
            }
            point = s.tsn;
            if !s.frag.unordered {
                streams.insert(s.frag.stream, s.frag.ssn);
            }
        }
        (point > self.cum).then(|| {
            let mut v: Vec<_> = streams.into_iter().collect();
            v.sort_unstable();
            (point, v)
        })
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn frag(msg_id: u64, reliability: Reliability) -> Fragment {
        Fragment {
            stream: 1,
            ssn: msg_id as u16,
            ppid: 53,
            unordered: false,
            beginning: true,
            ending: true,
            data: Bytes::from_static(&[0; 100]),
            msg_id,
            reliability,
            expires: None,
        }
    }

    fn filled(n: u64) -> (Inflight, Instant) {
        let now = muon_netsim::Clock::new().now();
        let mut f = Inflight::new(1000);
        for i in 0..n {
            f.push(frag(i, Reliability::Reliable), now);
        }
        (f, now)
    }

    #[test]
    fn cumulative_ack_frees_and_samples_rtt() {
        let (mut f, now) = filled(4);
        let later = now + Duration::from_millis(30);
        let out = f.on_sack(1001, &[], later).unwrap();
        assert_eq!(out.acked_bytes, 200);
        assert_eq!(out.rtt, Some(Duration::from_millis(30)));
        assert_eq!(f.flight_bytes(), 200);
        assert_eq!(f.total_bytes(), 200);
        // An older SACK is ignored; one beyond what was sent too.
        assert!(f.on_sack(1000, &[], later).is_none());
        assert!(f.on_sack(1004, &[], later).is_none());
    }

    #[test]
    fn three_miss_indications_trigger_fast_retransmit_once() {
        let (mut f, now) = filled(6);
        let mut fired = Vec::new();
        for end in [1002, 1003, 1004, 1005] {
            let out = f.on_sack(999, &[(1001, end)], now).unwrap();
            fired.extend(out.fast_retransmit);
        }
        assert_eq!(fired, [1000]);
        f.mark_retransmit(1000);
        assert!(f.has_retransmits());
        let s = f.pop_retransmit(now).unwrap();
        assert_eq!((s.tsn, s.tx_count), (1000, 2));
    }

    #[test]
    fn reneged_gap_acks_are_retransmitted() {
        let (mut f, now) = filled(4);
        f.on_sack(999, &[(1001, 1003)], now).unwrap();
        assert_eq!(f.flight_bytes(), 100);
        // The peer now acknowledges 1000 but no longer reports 1001..=1003.
        f.on_sack(1000, &[], now).unwrap();
        let again: Vec<u64> = std::iter::from_fn(|| f.pop_retransmit(now).map(|s| s.tsn)).collect();
        assert_eq!(again, [1001, 1002, 1003]);
    }

    #[test]
    fn hostile_gap_blocks_are_clamped() {
        let (mut f, now) = filled(3);
        // Out of order, overlapping and far beyond what was sent.
        let out = f
            .on_sack(999, &[(1001, u64::MAX / 2), (1000, 1000), (5, 6)], now)
            .unwrap();
        assert_eq!(out.acked_bytes, 200);
        assert_eq!(f.flight_bytes(), 100);
    }

    #[test]
    fn abandoning_a_message_moves_the_forward_point() {
        let now = muon_netsim::Clock::new().now();
        let mut f = Inflight::new(1000);
        let mut a = frag(7, Reliability::MaxRetransmits(0));
        a.ending = false;
        f.push(a.clone(), now);
        a.beginning = false;
        a.ending = true;
        f.push(a, now);
        f.push(frag(8, Reliability::Reliable), now);
        assert!(f.should_abandon(1000, now, true));
        assert!(!f.should_abandon(1000, now, false));
        assert!(!f.should_abandon(1002, now, true));
        assert_eq!(f.abandon_message(1001), Some((1, 7)));
        assert_eq!(f.abandon_message(1000), None);
        assert_eq!(f.flight_bytes(), 100);
        assert_eq!(f.forward_tsn(), Some((1001, vec![(1, 7)])));
    }
}
