//! Retransmission timer estimation (RFC 9260 section 6.3.1, RFC 6298) and congestion control
//! (RFC 9260 section 7.2: slow start, congestion avoidance, fast recovery).

use std::time::Duration;

/// The RTO estimator.
#[derive(Debug, Clone)]
pub(crate) struct Rto {
    srtt: Option<Duration>,
    rttvar: Duration,
    rto: Duration,
    min: Duration,
    max: Duration,
}

impl Rto {
    pub(crate) fn new(initial: Duration, min: Duration, max: Duration) -> Self {
        Self {
            srtt: None,
            rttvar: Duration::ZERO,
            rto: initial.clamp(min, max),
            min,
            max,
        }
    }

    /// The current RTO.
    pub(crate) fn rto(&self) -> Duration {
        self.rto
    }

    /// The smoothed RTT, once measured.
    pub(crate) fn srtt(&self) -> Option<Duration> {
        self.srtt
    }

    /// RFC 9260 section 6.3.1 rules C2 and C3 (alpha 1/8, beta 1/4).
    pub(crate) fn sample(&mut self, rtt: Duration) {
        match self.srtt {
            None => {
                self.srtt = Some(rtt);
                self.rttvar = rtt / 2;
            }
            Some(srtt) => {
                let diff = srtt.abs_diff(rtt);
                self.rttvar = self.rttvar * 3 / 4 + diff / 4;
                self.srtt = Some(srtt * 7 / 8 + rtt / 8);
            }
        }
        let srtt = self.srtt.unwrap_or(rtt);
        // G, the clock granularity, is taken as 1 ms.
        self.rto =
            (srtt + (self.rttvar * 4).max(Duration::from_millis(1))).clamp(self.min, self.max);
    }

    /// RFC 9260 section 6.3.3 rule E2: back off after an expiry.
    pub(crate) fn back_off(&mut self) {
        self.rto = (self.rto * 2).min(self.max);
    }
}

/// Congestion window state for the single path.
#[derive(Debug, Clone)]
pub(crate) struct Cwnd {
    pub(crate) cwnd: usize,
    pub(crate) ssthresh: usize,
    partial_bytes_acked: usize,
    /// Set while in fast recovery: the highest TSN outstanding when it began.
    pub(crate) recovery_until: Option<u64>,
}

impl Cwnd {
    pub(crate) fn new(initial: usize, mtu: usize) -> Self {
        Self {
            cwnd: initial.max(mtu),
            ssthresh: usize::MAX,
            partial_bytes_acked: 0,
            recovery_until: None,
        }
    }

    /// Section 7.2.1 and 7.2.2: the cumulative ack advanced over `acked` bytes while
    /// `flight_before` bytes were outstanding.
    pub(crate) fn on_ack(&mut self, acked: usize, flight_before: usize, mtu: usize) {
        if self.recovery_until.is_some() || acked == 0 {
            return;
        }
        let fully_used = flight_before + mtu >= self.cwnd;
        if self.cwnd <= self.ssthresh {
            if fully_used {
                self.cwnd += acked.min(mtu);
            }
        } else {
            self.partial_bytes_acked += acked;
            if self.partial_bytes_acked >= self.cwnd && fully_used {
                self.partial_bytes_acked -= self.cwnd;
                self.cwnd += mtu;
            }
        }
    }

    /// Section 7.2.4: fast retransmit begins fast recovery (once per window).
    pub(crate) fn on_fast_retransmit(&mut self, highest_outstanding: u64, mtu: usize) {
        if self.recovery_until.is_some() {
            return;
        }
        self.ssthresh = (self.cwnd / 2).max(4 * mtu);
        self.cwnd = self.ssthresh;
        self.partial_bytes_acked = 0;
        self.recovery_until = Some(highest_outstanding);
    }

    /// Fast recovery ends when the cumulative ack reaches its exit point.
    pub(crate) fn on_cum_ack(&mut self, cum: u64) {
        if self.recovery_until.is_some_and(|until| cum >= until) {
            self.recovery_until = None;
        }
    }

    /// Section 7.2.3: a T3-rtx expiry collapses the window to one MTU.
    pub(crate) fn on_timeout(&mut self, mtu: usize) {
        self.ssthresh = (self.cwnd / 2).max(4 * mtu);
        self.cwnd = mtu;
        self.partial_bytes_acked = 0;
        self.recovery_until = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rto_follows_rfc6298() {
        let mut r = Rto::new(
            Duration::from_secs(1),
            Duration::from_millis(10),
            Duration::from_secs(60),
        );
        assert_eq!(r.rto(), Duration::from_secs(1));
        r.sample(Duration::from_millis(100));
        // SRTT = 100, RTTVAR = 50, RTO = 100 + 4*50 = 300.
        assert_eq!(r.rto(), Duration::from_millis(300));
        r.sample(Duration::from_millis(100));
        // RTTVAR = 3/4*50 + 0 = 37.5, SRTT = 100, RTO = 250.
        assert_eq!(r.rto(), Duration::from_millis(250));
        r.back_off();
        assert_eq!(r.rto(), Duration::from_millis(500));
    }

    #[test]
    fn rto_is_clamped() {
        let mut r = Rto::new(
            Duration::from_secs(1),
            Duration::from_millis(400),
            Duration::from_secs(2),
        );
        r.sample(Duration::from_millis(1));
        assert_eq!(r.rto(), Duration::from_millis(400));
        for _ in 0..10 {
            r.back_off();
        }
        assert_eq!(r.rto(), Duration::from_secs(2));
    }

    #[test]
    fn slow_start_then_avoidance_then_recovery() {
        let mtu = 1000;
        let mut c = Cwnd::new(4000, mtu);
        c.on_ack(1000, 4000, mtu);
        assert_eq!(c.cwnd, 5000);
        // Not fully used: no growth.
        c.on_ack(1000, 1000, mtu);
        assert_eq!(c.cwnd, 5000);
        c.on_fast_retransmit(100, mtu);
        assert_eq!((c.cwnd, c.ssthresh), (4000, 4000));
        // No growth during recovery, and a second loss does not halve again.
        c.on_ack(1000, 4000, mtu);
        c.on_fast_retransmit(120, mtu);
        assert_eq!(c.cwnd, 4000);
        c.on_cum_ack(100);
        assert_eq!(c.recovery_until, None);
        // cwnd == ssthresh is still slow start (section 7.2.1).
        c.on_ack(1000, 4000, mtu);
        assert_eq!(c.cwnd, 5000);
        // Congestion avoidance: one MTU per cwnd of acked bytes.
        for _ in 0..4 {
            c.on_ack(1000, 5000, mtu);
        }
        assert_eq!(c.cwnd, 5000);
        c.on_ack(1000, 5000, mtu);
        assert_eq!(c.cwnd, 6000);
        c.on_timeout(mtu);
        assert_eq!((c.cwnd, c.ssthresh), (1000, 4000));
    }
}
