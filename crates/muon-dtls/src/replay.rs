//! The anti-replay sliding window (RFC 6347 section 4.1.2.6, after RFC 4303 section 3.4.3).

/// Width of the window in records.
pub(crate) const WINDOW: u64 = 64;

/// Remembers which of the last [`WINDOW`] sequence numbers were received.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReplayWindow {
    /// Highest sequence number accepted, if any.
    top: Option<u64>,
    /// Bit i set: `top - i` was received.
    bits: u64,
}

impl ReplayWindow {
    /// True when `seq` is new and not too old; check before decrypting.
    pub(crate) fn is_fresh(&self, seq: u64) -> bool {
        match self.top {
            None => true,
            Some(top) if seq > top => true,
            Some(top) => {
                let age = top - seq;
                age < WINDOW && self.bits & (1 << age) == 0
            }
        }
    }

    /// Records `seq` as received; call only after the record authenticated.
    pub(crate) fn mark(&mut self, seq: u64) {
        match self.top {
            None => {
                self.top = Some(seq);
                self.bits = 1;
            }
            Some(top) if seq > top => {
                let shift = seq - top;
                self.bits = if shift >= WINDOW {
                    1
                } else {
                    (self.bits << shift) | 1
                };
                self.top = Some(seq);
            }
            Some(top) => {
                let age = top - seq;
                if age < WINDOW {
                    self.bits |= 1 << age;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_too_old_are_rejected_reordered_accepted() {
        let mut w = ReplayWindow::default();
        for s in [5, 3, 10, 4] {
            assert!(w.is_fresh(s));
            w.mark(s);
        }
        for s in [3, 4, 5, 10] {
            assert!(!w.is_fresh(s), "{s}");
        }
        assert!(w.is_fresh(6));
        w.mark(100);
        assert!(!w.is_fresh(36), "older than the window");
        assert!(w.is_fresh(37));
        assert!(!w.is_fresh(100));
        w.mark(37);
        assert!(!w.is_fresh(37));
    }
}
