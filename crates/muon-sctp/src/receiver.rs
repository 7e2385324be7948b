//! Which TSNs arrived: the cumulative TSN, out-of-order ranges and duplicates, from which
//! SACKs are built (RFC 9260 sections 3.3.4, 6.2).

use crate::wire::{GapBlock, SackChunk};

/// How far past the cumulative TSN a DATA chunk may be (gap blocks are 16-bit offsets).
pub(crate) const MAX_TSN_AHEAD: u64 = 65_535;
/// Most disjoint out-of-order ranges tracked; a chunk that would open another is dropped.
pub(crate) const MAX_RANGES: usize = 256;
/// Most duplicate TSNs reported in one SACK.
pub(crate) const MAX_DUPS: usize = 32;
/// Most gap blocks put in one SACK.
pub(crate) const MAX_SACK_GAPS: usize = 128;

/// What became of an arriving TSN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arrival {
    /// New; to be stored.
    New,
    /// Already received.
    Duplicate,
    /// Beyond the window we track; dropped.
    OutOfWindow,
}

#[derive(Debug)]
pub(crate) struct Received {
    cum: u64,
    /// Sorted, disjoint, non-adjacent ranges of TSNs above `cum + 1`.
    ranges: Vec<(u64, u64)>,
    dups: Vec<u32>,
}

impl Received {
    pub(crate) fn new(peer_initial_tsn: u64) -> Self {
        Self {
            cum: peer_initial_tsn - 1,
            ranges: Vec::new(),
            dups: Vec::new(),
        }
    }

    pub(crate) fn cum(&self) -> u64 {
        self.cum
    }

    /// True when TSNs above the cumulative TSN were received (a gap exists).
    pub(crate) fn has_gaps(&self) -> bool {
        !self.ranges.is_empty()
    }

    pub(crate) fn classify(&mut self, tsn: u64) -> Arrival {
        if tsn <= self.cum || self.ranges.iter().any(|&(a, b)| (a..=b).contains(&tsn)) {
            if self.dups.len() < MAX_DUPS {
                self.dups.push(tsn as u32);
            }
            return Arrival::Duplicate;
        }
        if tsn > self.cum + MAX_TSN_AHEAD {
            return Arrival::OutOfWindow;
        }
        Arrival::New
    }

    /// True when recording `tsn` would not exceed [`MAX_RANGES`].
    pub(crate) fn can_record(&self, tsn: u64) -> bool {
        tsn == self.cum + 1
            || self.ranges.len() < MAX_RANGES
            || self
                .ranges
                .iter()
                .any(|&(a, b)| tsn + 1 >= a && tsn <= b + 1)
    }

    /// Records a new TSN (after [`Received::classify`] said `New`).
    pub(crate) fn record(&mut self, tsn: u64) {
        if tsn == self.cum + 1 {
            self.cum = tsn;
        } else {
            let i = self.ranges.partition_point(|&(_, b)| b + 1 < tsn);
            match self.ranges.get_mut(i) {
                Some(r) if r.0 <= tsn + 1 => {
                    r.0 = r.0.min(tsn);
                    r.1 = r.1.max(tsn);
                    // Merge with the next range if they now touch.
                    let end = r.1;
                    if let Some(&(a, b)) = self.ranges.get(i + 1)
                        && a <= end + 1
                    {
                        if let Some(r) = self.ranges.get_mut(i) {
                            r.1 = b;
                        }
                        self.ranges.remove(i + 1);
                    }
                }
                _ => self.ranges.insert(i, (tsn, tsn)),
            }
        }
        self.absorb();
    }

    /// RFC 3758 section 3.6: the peer gave up on everything up to `new_cum`.
    pub(crate) fn forward(&mut self, new_cum: u64) {
        if new_cum <= self.cum {
            return;
        }
        self.cum = new_cum;
        self.ranges.retain(|&(_, b)| b > new_cum);
        if let Some(r) = self.ranges.first_mut() {
            r.0 = r.0.max(new_cum + 1);
        }
        self.absorb();
    }

    fn absorb(&mut self) {
        while let Some(&(a, b)) = self.ranges.first() {
            if a > self.cum + 1 {
                break;
            }
            self.cum = self.cum.max(b);
            self.ranges.remove(0);
        }
    }

    /// Builds a SACK (and forgets the reported duplicates).
    pub(crate) fn sack(&mut self, a_rwnd: u32) -> SackChunk {
        let gaps = self
            .ranges
            .iter()
            .take(MAX_SACK_GAPS)
            .filter_map(|&(a, b)| {
                let start = u16::try_from(a - self.cum).ok()?;
                let end = u16::try_from(b - self.cum).unwrap_or(u16::MAX);
                Some(GapBlock { start, end })
            })
            .collect();
        SackChunk {
            cum_tsn: self.cum as u32,
            a_rwnd,
            gaps,
            dups: std::mem::take(&mut self.dups),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_merge_and_cum_advances_through_them() {
        let base = crate::tsn::initial(100);
        let mut r = Received::new(base);
        for t in [base, base + 2, base + 4, base + 3] {
            assert_eq!(r.classify(t), Arrival::New);
            r.record(t);
        }
        assert_eq!(r.cum(), base);
        let s = r.sack(1000);
        assert_eq!(s.gaps, [GapBlock { start: 2, end: 4 }]);
        assert_eq!(s.cum_tsn, 100);
        assert_eq!(r.classify(base + 3), Arrival::Duplicate);
        r.record(base + 1);
        assert_eq!(r.cum(), base + 4);
        assert!(!r.has_gaps());
        assert_eq!(r.sack(1).dups, [103]);
    }

    #[test]
    fn window_and_range_limits_hold() {
        let base = crate::tsn::initial(0);
        let mut r = Received::new(base);
        assert_eq!(r.classify(base + MAX_TSN_AHEAD + 1), Arrival::OutOfWindow);
        for i in 0..MAX_RANGES as u64 {
            let t = base + 2 + 2 * i;
            assert!(r.can_record(t));
            r.record(t);
        }
        assert!(!r.can_record(base + 10_000));
        // Extending an existing range or filling the next TSN is still allowed.
        assert!(r.can_record(base + 3));
        assert!(r.can_record(base));
    }

    #[test]
    fn forward_tsn_skips_and_absorbs_ranges() {
        let base = crate::tsn::initial(0);
        let mut r = Received::new(base);
        r.record(base + 5);
        r.record(base + 9);
        r.forward(base + 5);
        assert_eq!(r.cum(), base + 5);
        assert_eq!(r.sack(0).gaps, [GapBlock { start: 4, end: 4 }]);
        r.forward(base + 8);
        assert_eq!(r.cum(), base + 9);
    }
}
