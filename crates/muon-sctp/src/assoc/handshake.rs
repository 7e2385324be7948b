//! The four-way handshake (RFC 9260 sections 5.1 and 5.2): INIT, INIT-ACK with a state
//! cookie, COOKIE-ECHO, COOKIE-ACK, including INITs that cross (section 5.2.1).

use std::time::Instant;

use super::{Association, State, nonzero};
use crate::cookie::CookieData;
use crate::event::Event;
use crate::inflight::Inflight;
use crate::receiver::Received;
use crate::wire::{Chunk, InitChunk};
use crate::{SctpError, tsn};

impl Association {
    fn our_init(&self, tag: u32, initial_tsn: u32, cookie: Option<&[u8]>) -> Vec<u8> {
        let init = InitChunk {
            initiate_tag: tag,
            a_rwnd: self.a_rwnd(),
            outbound_streams: self.config.streams,
            inbound_streams: self.config.streams,
            initial_tsn,
            cookie,
            forward_tsn: true,
            reconfig: true,
            zero_checksum: self.config.zero_checksum,
        };
        let mut c = Vec::new();
        if cookie.is_some() {
            Chunk::InitAck(init).encode(&mut c);
        } else {
            Chunk::Init(init).encode(&mut c);
        }
        c
    }

    /// Section 5.1 A: send INIT, start T1-init, enter COOKIE-WAIT.
    pub(super) fn send_init(&mut self, now: Instant) {
        let c = self.our_init(self.local_tag, self.local_initial_tsn, None);
        self.push_control(0, c.clone());
        self.handshake_chunk = Some(c);
        self.state = State::CookieWait;
        self.init_retransmits = 0;
        self.t1 = Some(now + self.rto.rto());
    }

    /// Section 5.1 B and 5.2.1/5.2.2: answer an INIT with an INIT-ACK carrying a cookie.
    /// A listener draws fresh tags and keeps nothing; an endpoint that already chose its
    /// tag (COOKIE-WAIT and later) answers with the tag and TSN it already uses.
    pub(super) fn on_init(&mut self, now: Instant, init: &InitChunk<'_>) {
        let (local_tag, local_tsn) = match self.state {
            State::Listen => (nonzero(&mut self.rng), self.rng.u32()),
            State::Closed => return,
            _ => (self.local_tag, self.local_initial_tsn),
        };
        let cookie = CookieData {
            local_tag,
            peer_tag: init.initiate_tag,
            local_tsn,
            peer_tsn: init.initial_tsn,
            peer_rwnd: init.a_rwnd,
            peer_outbound: init.outbound_streams,
            peer_inbound: init.inbound_streams,
            peer_forward_tsn: init.forward_tsn,
            peer_reconfig: init.reconfig,
            peer_zero_checksum: init.zero_checksum,
            created_ms: self.now_ms(now),
        }
        .seal(&self.cookie_key.0);
        let c = self.our_init(local_tag, local_tsn, Some(&cookie));
        self.push_control(init.initiate_tag, c);
    }

    /// Section 5.1 C: INIT-ACK in COOKIE-WAIT: echo the cookie, enter COOKIE-ECHOED.
    pub(super) fn on_init_ack(&mut self, now: Instant, ack: &InitChunk<'_>) {
        if self.state != State::CookieWait {
            self.stats.dropped_unexpected += 1;
            return;
        }
        let Some(cookie) = ack.cookie else { return };
        self.adopt_peer(PeerParams {
            tag: ack.initiate_tag,
            initial_tsn: ack.initial_tsn,
            rwnd: ack.a_rwnd,
            inbound_streams: ack.inbound_streams,
            forward_tsn: ack.forward_tsn,
            reconfig: ack.reconfig,
            zero_checksum: ack.zero_checksum,
        });
        let mut c = Vec::new();
        Chunk::CookieEcho(cookie).encode(&mut c);
        self.push_control(self.peer_tag, c.clone());
        self.handshake_chunk = Some(c);
        self.state = State::CookieEchoed;
        self.init_retransmits = 0;
        self.t1 = Some(now + self.rto.rto());
        // After a Stale Cookie restart (section 5.2.6), DATA bundled with the old cookie
        // goes again with the new one.
        self.requeue_bundled();
    }

    /// DATA that rode with a COOKIE-ECHO rides again with the next one (section 5.1 D: no
    /// other packet may be sent before the COOKIE-ACK). A chunk the peer already took is
    /// acknowledged as a duplicate and delivered once.
    pub(super) fn requeue_bundled(&mut self) {
        for t in self.inflight.outstanding_tsns() {
            self.inflight.mark_retransmit(t);
        }
        self.t3 = None;
    }

    /// Section 5.1 D and 5.2.4: a COOKIE-ECHO whose MAC verifies and that is fresh creates
    /// the association (or, when it matches the one we have, is acknowledged again).
    pub(super) fn on_cookie_echo(
        &mut self,
        now: Instant,
        tag: u32,
        cookie: &[u8],
    ) -> Result<(), SctpError> {
        let data = CookieData::open(&self.cookie_key.0, cookie).inspect_err(|_| {
            self.stats.dropped_bad_cookie += 1;
        })?;
        let established = matches!(
            self.state,
            State::Established | State::ShutdownPending | State::ShutdownReceived
        );
        if established && data.local_tag == self.local_tag && data.peer_tag == self.peer_tag {
            // Section 5.2.4 case D: our COOKIE-ACK was lost; acknowledge again, however old
            // the cookie. DATA bundled behind it is processed (as duplicates, if it came
            // before), but only under the right verification tag.
            if tag != self.local_tag {
                self.stats.dropped_bad_tag += 1;
                return Err(SctpError::BadVerificationTag);
            }
            self.send_cookie_ack();
            return Ok(());
        }
        if tag != data.local_tag {
            self.stats.dropped_bad_tag += 1;
            return Err(SctpError::BadVerificationTag);
        }
        let age = self.now_ms(now).checked_sub(data.created_ms);
        let lifetime = self.config.cookie_lifetime.as_millis() as u64;
        if age.is_none_or(|age| age > lifetime) {
            self.stats.dropped_bad_cookie += 1;
            // Section 5.2.6: report a Stale Cookie Error (cause 3) so the peer starts over.
            let staleness = age.map_or(0, |a| (a - lifetime).saturating_mul(1000));
            let mut cause = vec![0, 3, 0, 8];
            cause.extend_from_slice(&u32::try_from(staleness).unwrap_or(u32::MAX).to_be_bytes());
            let mut c = Vec::new();
            Chunk::Error(&cause).encode(&mut c);
            self.push_control(data.peer_tag, c);
            return Err(SctpError::StaleCookie);
        }
        match self.state {
            State::Listen => {
                self.local_tag = data.local_tag;
                self.local_initial_tsn = data.local_tsn;
                self.next_request_seq = data.local_tsn;
                self.inflight = Inflight::new(tsn::initial(data.local_tsn));
            }
            State::CookieWait | State::CookieEchoed if data.local_tag == self.local_tag => {}
            _ => {
                self.stats.dropped_unexpected += 1;
                return Err(SctpError::UnexpectedChunk);
            }
        }
        self.adopt_peer(PeerParams {
            tag: data.peer_tag,
            initial_tsn: data.peer_tsn,
            rwnd: data.peer_rwnd,
            inbound_streams: data.peer_inbound,
            forward_tsn: data.peer_forward_tsn,
            reconfig: data.peer_reconfig,
            zero_checksum: data.peer_zero_checksum,
        });
        self.send_cookie_ack();
        self.establish(now);
        Ok(())
    }

    /// Section 5.2.6: a Stale Cookie Error in COOKIE-ECHOED: start again with a new INIT.
    pub(super) fn on_error(&mut self, now: Instant, causes: &[u8]) {
        if self.state == State::CookieEchoed && causes.starts_with(&[0, 3]) {
            self.send_init(now);
        }
    }

    /// Section 5.1 E: COOKIE-ACK in COOKIE-ECHOED completes the handshake.
    pub(super) fn on_cookie_ack(&mut self, now: Instant) {
        if self.state == State::CookieEchoed {
            self.establish(now);
        }
    }

    fn send_cookie_ack(&mut self) {
        let mut c = Vec::new();
        Chunk::CookieAck.encode(&mut c);
        self.push_control(self.peer_tag, c);
    }

    fn adopt_peer(&mut self, p: PeerParams) {
        self.peer_tag = p.tag;
        self.received = Received::new(tsn::initial(p.initial_tsn));
        // DATA may already be in flight (bundled with our COOKIE-ECHO) when the peer's
        // COOKIE-ECHO of a simultaneous open arrives.
        self.peer_rwnd = (p.rwnd as usize).saturating_sub(self.inflight.flight_bytes());
        self.out_streams = self.config.streams.min(p.inbound_streams);
        self.peer_forward_tsn = p.forward_tsn;
        self.peer_reconfig = p.reconfig;
        self.zero_checksum_tx = self.config.zero_checksum && p.zero_checksum;
        // RFC 6525 section 5.1.1: request sequence numbers start at the initial TSN.
        self.peer_next_request_seq = p.initial_tsn;
    }

    fn establish(&mut self, now: Instant) {
        tracing::debug!(
            streams = self.out_streams,
            forward_tsn = self.peer_forward_tsn,
            reconfig = self.peer_reconfig,
            zero_checksum = self.zero_checksum_tx,
            "sctp association established"
        );
        self.state = State::Established;
        self.t1 = None;
        self.handshake_chunk = None;
        // DATA bundled with the COOKIE-ECHO was guarded by T1; T3 takes over.
        if self.inflight.has_outstanding() && self.t3.is_none() {
            self.t3 = Some(now + self.rto.rto());
        }
        self.hb_at = Some(now + self.config.heartbeat_interval);
        self.events.push_back(Event::Connected);
    }
}

/// What we learn about the peer from its INIT or INIT-ACK (or a cookie).
struct PeerParams {
    tag: u32,
    initial_tsn: u32,
    rwnd: u32,
    inbound_streams: u16,
    forward_tsn: bool,
    reconfig: bool,
    zero_checksum: bool,
}
