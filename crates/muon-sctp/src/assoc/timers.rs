//! Timer expiries: T1-init/cookie (RFC 9260 section 5.1), T3-rtx (section 6.3.3), delayed
//! SACK (section 6.2), HEARTBEAT (section 8.3), T2-shutdown (section 9.2) and the RE-CONFIG
//! retransmission timer (RFC 6525 section 5.1.1).

use std::time::Instant;

use super::{Association, State};
use crate::event::CloseReason;

impl Association {
    /// Advances the clock: fires every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.touch(now);
        if self.t1.is_some_and(|t| now >= t) {
            self.on_t1(now);
        }
        if self.t3.is_some_and(|t| now >= t) {
            self.on_t3(now);
        }
        if self.sack_at.is_some_and(|t| now >= t) {
            self.sack_at = None;
            self.sack_needed = true;
        }
        if self.hb_at.is_some_and(|t| now >= t) {
            self.on_heartbeat_timer(now);
        }
        if self.t2.is_some_and(|t| now >= t) {
            self.on_t2(now);
        }
        if self.t_reconfig.is_some_and(|t| now >= t) {
            self.t_reconfig = Some(now + self.rto.rto());
            if self.reset_in_flight.is_some() {
                self.reset_resend = true;
            } else {
                self.t_reconfig = None;
            }
        }
    }

    fn on_t1(&mut self, now: Instant) {
        self.init_retransmits += 1;
        if self.init_retransmits > self.config.max_init_retransmissions {
            self.close_with(CloseReason::HandshakeTimeout);
            return;
        }
        self.rto.back_off();
        self.t1 = Some(now + self.rto.rto());
        let tag = if self.state == State::CookieWait {
            0
        } else {
            self.peer_tag
        };
        if let Some(c) = self.handshake_chunk.clone() {
            self.push_control(tag, c);
        }
        if self.state == State::CookieEchoed {
            self.requeue_bundled();
        }
    }

    /// Section 6.3.3 rules E1-E3, with RFC 3758 abandonment.
    fn on_t3(&mut self, now: Instant) {
        self.t3 = None;
        if self.inflight.is_empty() {
            return;
        }
        self.stats.t3_expirations += 1;
        if self.inflight.has_outstanding() {
            if self.count_error() {
                return;
            }
            self.cwnd.on_timeout(self.mtu);
        }
        self.rto.back_off();
        for t in self.inflight.outstanding_tsns() {
            if self.inflight.should_abandon(t, now, self.peer_forward_tsn) {
                self.abandon(t);
            } else {
                self.inflight.mark_retransmit(t);
            }
        }
        if self.inflight.forward_tsn().is_some() {
            self.forward_tsn_pending = true;
        }
        self.t3 = Some(now + self.rto.rto());
    }

    fn on_heartbeat_timer(&mut self, now: Instant) {
        if self.state != State::Established {
            self.hb_at = None;
            return;
        }
        self.hb_at = Some(now + self.config.heartbeat_interval + self.rto.rto());
        // Section 8.3: probe only an idle path; T3-rtx watches a busy one.
        if self.inflight.has_outstanding() {
            return;
        }
        if self.hb_outstanding.is_some() && self.count_error() {
            return;
        }
        self.hb_send = true;
    }

    fn on_t2(&mut self, now: Instant) {
        if self.count_error() {
            return;
        }
        self.rto.back_off();
        self.t2 = Some(now + self.rto.rto());
        match self.state {
            State::ShutdownSent => self.send_shutdown(),
            State::ShutdownAckSent => self.send_shutdown_ack(),
            _ => self.t2 = None,
        }
    }
}
