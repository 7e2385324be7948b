//! Building the packets `poll_transmit` hands out: control chunks first, then SACK,
//! FORWARD-TSN, RE-CONFIG and HEARTBEAT, then retransmissions and new DATA as the congestion
//! and receiver windows allow (RFC 9260 sections 6.1, 6.10, 7.2).

use std::time::Instant;

use super::{Association, State};
use crate::event::Event;
use crate::wire::chunk::DATA_HEADER_LEN;
use crate::wire::{COMMON_HEADER_LEN, Chunk, DataChunk, ForwardTsnChunk, Packet, chunk as kind};
use crate::{crc, tsn};

/// Smallest DATA payload worth starting in the room left in a packet.
const MIN_FRAGMENT: usize = 64;

impl Association {
    /// The next packet to send, if any. Call until `None` after every input.
    #[must_use]
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        self.touch(now);
        // A SACK too large for the MTU (many gap blocks on a small MTU) is dropped for one
        // built afresh below, as `fill` builds them.
        while let Some(sack) = self.early_sacks.pop_front() {
            let sack = Chunk::Sack(sack);
            if COMMON_HEADER_LEN + sack.encoded_len() > self.mtu {
                self.sack_needed = true;
                continue;
            }
            let mut pkt = Vec::with_capacity(COMMON_HEADER_LEN + sack.encoded_len());
            Packet::encode_header(
                &mut pkt,
                self.config.local_port,
                self.config.remote_port,
                self.peer_tag,
            );
            sack.encode(&mut pkt);
            crc::seal(&mut pkt, self.zero_checksum_tx);
            self.stats.packets_sent += 1;
            self.stats.sacks_sent += 1;
            return Some(pkt);
        }
        let mut pkt = Vec::with_capacity(self.mtu);
        let tag = match self.control.front() {
            Some((tag, _)) => *tag,
            None if self.has_bundle_work() => self.peer_tag,
            None => return None,
        };
        Packet::encode_header(
            &mut pkt,
            self.config.local_port,
            self.config.remote_port,
            tag,
        );
        while let Some((t, c)) = self.control.front() {
            let started = pkt.len() > COMMON_HEADER_LEN;
            if *t != tag || (started && (pkt.len() + c.len() > self.mtu || must_lead(c))) {
                break;
            }
            let alone = must_be_alone(c);
            pkt.extend_from_slice(c);
            self.control.pop_front();
            if alone {
                break;
            }
        }
        let alone = pkt.get(COMMON_HEADER_LEN..).is_some_and(must_be_alone);
        if tag == self.peer_tag && tag != 0 && !alone {
            self.fill(now, &mut pkt);
        }
        if pkt.len() == COMMON_HEADER_LEN {
            return None;
        }
        // RFC 9653: a zero checksum once both sides agreed, never on INIT.
        let zero = self.zero_checksum_tx && pkt.get(COMMON_HEADER_LEN) != Some(&0x01);
        crc::seal(&mut pkt, zero);
        self.stats.packets_sent += 1;
        Some(pkt)
    }

    /// RFC 9260 section 6.2 asks for a SACK at least every second DATA packet, and section
    /// 6.7 for one after each packet while a gap persists; "an SCTP receiver MUST NOT generate
    /// more than one SACK chunk for every incoming packet". A driver may hand us many packets
    /// between two `poll_transmit` calls (a batch of datagrams read at one wake-up): called
    /// before the first DATA chunk of each packet, this takes the SACK decided by the
    /// previous packets and still unsent as it stands, and queues it to leave alone in a
    /// packet (the newest [`MAX_EARLY_SACKS`](super::MAX_EARLY_SACKS) are kept). A batch then
    /// yields several SACKs instead of one: one lost SACK no longer leaves a window-limited
    /// sender waiting for T3-rtx, slow start grows the window once per SACK (section 7.2.1),
    /// and each SACK's gap reports count as a miss indication towards fast retransmit
    /// (section 7.2.4).
    pub(super) fn flush_due_sack(&mut self) {
        if !self.sack_needed || !self.state.receives_data() || self.peer_tag == 0 {
            return;
        }
        let rwnd = self.a_rwnd();
        if self.early_sacks.len() >= super::MAX_EARLY_SACKS {
            self.early_sacks.pop_front();
        }
        self.early_sacks.push_back(self.received.sack(rwnd));
        self.sack_needed = false;
        self.sack_at = None;
        self.data_packets_unacked = 0;
        self.last_rwnd = rwnd;
    }

    /// True when `fill` may add something.
    fn has_bundle_work(&self) -> bool {
        if self.peer_tag == 0 || self.state == State::Closed {
            return false;
        }
        let data_state = self.state.sends_data() || self.state == State::ShutdownSent;
        self.sack_needed
            || (data_state && (self.forward_tsn_pending || self.reset_resend || self.hb_send))
            || (data_state && self.reset_in_flight.is_none() && !self.reset_pending.is_empty())
            || (self.state.sends_data()
                && (self.inflight.has_retransmits() || !self.queue.is_empty()))
    }

    fn fill(&mut self, now: Instant, pkt: &mut Vec<u8>) {
        if self.state == State::Closed {
            return;
        }
        // Section 6.2: a delayed SACK rides along with data we send anyway.
        if self.sack_at.is_some()
            && self.state.sends_data()
            && (!self.queue.is_empty() || self.inflight.has_retransmits())
        {
            self.sack_needed = true;
        }
        if self.sack_needed && self.state.receives_data() {
            let rwnd = self.a_rwnd();
            let sack = Chunk::Sack(self.received.sack(rwnd));
            if pkt.len() + sack.encoded_len() <= self.mtu {
                sack.encode(pkt);
                self.stats.sacks_sent += 1;
                self.sack_needed = false;
                self.sack_at = None;
                self.data_packets_unacked = 0;
                self.last_rwnd = rwnd;
            }
        } else if self.sack_needed {
            self.sack_needed = false;
        }
        if self.state == State::CookieEchoed {
            self.bundle_with_cookie_echo(now, pkt);
        } else if self.state.sends_data() || self.state == State::ShutdownSent {
            self.fill_control(now, pkt);
            if self.state.sends_data() {
                self.fill_data(now, pkt);
            }
        }
        for stream in self.queue.low.drain(..) {
            self.events.push_back(Event::BufferedAmountLow { stream });
        }
    }

    /// RFC 9260 section 5.1 D: "The COOKIE ECHO chunk MAY be bundled with any pending
    /// outbound DATA chunks, but it MUST be the first chunk in the packet and, until the
    /// COOKIE ACK chunk is returned, the sender MUST NOT send any other packets to the peer."
    /// So DATA queued before the handshake ends (a DCEP OPEN, say) rides with the COOKIE-ECHO,
    /// within the peer's a_rwnd from its INIT-ACK and our initial cwnd, and arrives a round
    /// trip earlier. T1 guards the whole packet: when it fires, the COOKIE-ECHO and this DATA
    /// go again together (`requeue_bundled`), so T3 does not run until the handshake is done.
    fn bundle_with_cookie_echo(&mut self, now: Instant, pkt: &mut Vec<u8>) {
        if pkt.get(COMMON_HEADER_LEN) != Some(&kind::COOKIE_ECHO) {
            return;
        }
        let before = self.stats.data_chunks_sent + self.stats.data_chunks_retransmitted;
        self.fill_data(now, pkt);
        let bundled = self.stats.data_chunks_sent + self.stats.data_chunks_retransmitted - before;
        self.stats.data_chunks_with_cookie_echo += bundled;
        self.t3 = None;
    }

    /// SACK's companions: FORWARD-TSN, RE-CONFIG and HEARTBEAT, each as room allows.
    fn fill_control(&mut self, now: Instant, pkt: &mut Vec<u8>) {
        if self.forward_tsn_pending {
            self.forward_tsn_pending = false;
            if let (true, Some((point, streams))) =
                (self.peer_forward_tsn, self.inflight.forward_tsn())
            {
                let c = Chunk::ForwardTsn(ForwardTsnChunk {
                    new_cum_tsn: tsn::wire(point),
                    streams,
                });
                if pkt.len() + c.encoded_len() <= self.mtu {
                    c.encode(pkt);
                    self.forward_tsn_sent = point;
                    self.forward_tsn_sent_at = Some(now);
                } else {
                    self.forward_tsn_pending = true;
                }
            }
        }
        self.start_reset_request(now);
        if self.reset_resend
            && let Some(c) = self.reset_request_chunk()
            && pkt.len() + c.encoded_len() <= self.mtu
        {
            c.encode(pkt);
            self.reset_resend = false;
        }
        if self.hb_send {
            let nonce = self.rng.u64();
            let mut info = [0u8; 16];
            info[..8].copy_from_slice(&nonce.to_be_bytes());
            info[8..].copy_from_slice(&self.now_ms(now).to_be_bytes());
            let c = Chunk::Heartbeat(&info);
            if pkt.len() + c.encoded_len() <= self.mtu {
                c.encode(pkt);
                self.hb_send = false;
                self.hb_outstanding = Some(nonce);
            }
        }
    }

    fn fill_data(&mut self, now: Instant, pkt: &mut Vec<u8>) {
        // Retransmissions first (section 6.1 rule C); the first packet after a fast
        // retransmit decision goes out regardless of cwnd (section 7.2.4 rule 3).
        let burst = std::mem::take(&mut self.fast_rtx_burst);
        while let Some(s) = self.inflight.peek_retransmit() {
            let len = DATA_HEADER_LEN + s.frag.data.len();
            let len = len + (4 - len % 4) % 4;
            if pkt.len() + len > self.mtu && pkt.len() > COMMON_HEADER_LEN {
                return;
            }
            if !burst && self.inflight.flight_bytes() >= self.cwnd.cwnd {
                return;
            }
            let Some(s) = self.inflight.pop_retransmit(now) else {
                continue;
            };
            Chunk::Data(DataChunk {
                tsn: tsn::wire(s.tsn),
                stream: s.frag.stream,
                ssn: s.frag.ssn,
                ppid: s.frag.ppid,
                unordered: s.frag.unordered,
                beginning: s.frag.beginning,
                ending: s.frag.ending,
                // Repeated with a COOKIE-ECHO: the SACK can ride with the COOKIE-ACK.
                immediate: self.state == State::CookieEchoed,
                payload: &s.frag.data,
            })
            .encode(pkt);
            self.stats.data_chunks_retransmitted += 1;
            if self.t3.is_none() {
                self.t3 = Some(now + self.rto.rto());
            }
        }
        // New data while the congestion window has room (section 7.2.1: cwnd may be
        // exceeded by at most one packet) and the peer's window has room, except that one
        // chunk may always probe a zero window when nothing is in flight (section 6.1 A).
        loop {
            let flight = self.inflight.flight_bytes();
            if flight >= self.cwnd.cwnd {
                break;
            }
            let room = self.mtu.saturating_sub(pkt.len() + DATA_HEADER_LEN) & !3;
            let Some((rest, partial)) = self.queue.peek() else {
                break;
            };
            let next = rest.min(room);
            if next == 0 || (next < rest && !self.worth_splitting(rest, room, partial)) {
                break;
            }
            if next > self.peer_rwnd && flight > 0 {
                break;
            }
            let Some(frag) = self.queue.next(room, now) else {
                break;
            };
            if frag.data.is_empty() {
                break;
            }
            let t = self.inflight.next_tsn();
            let immediate = self.queue.is_empty();
            Chunk::Data(DataChunk {
                tsn: tsn::wire(t),
                stream: frag.stream,
                ssn: frag.ssn,
                ppid: frag.ppid,
                unordered: frag.unordered,
                beginning: frag.beginning,
                ending: frag.ending,
                // RFC 7053: ask for an immediate SACK when nothing more follows.
                immediate,
                payload: &frag.data,
            })
            .encode(pkt);
            self.peer_rwnd = self.peer_rwnd.saturating_sub(frag.data.len());
            self.inflight.push(frag, now);
            self.stats.data_chunks_sent += 1;
            if self.t3.is_none() {
                self.t3 = Some(now + self.rto.rto());
            }
        }
    }

    /// Whether to cut the first `room` bytes of a message with `rest` bytes left to fill the
    /// tail of this packet (RFC 9260 section 6.9 leaves the fragment sizes to the sender).
    /// Not for a sliver under [`MIN_FRAGMENT`], and not for a partially reliable message that
    /// would fit whole in the next packet: split over two packets it is lost if either is
    /// (RFC 3758 abandons the whole message), which doubles its loss rate for a few bytes of
    /// packing. A reliable message is split freely; a lost fragment is retransmitted.
    fn worth_splitting(&self, rest: usize, room: usize, partial: bool) -> bool {
        let whole_packet = self.mtu.saturating_sub(COMMON_HEADER_LEN + DATA_HEADER_LEN) & !3;
        room >= MIN_FRAGMENT && !(partial && rest <= whole_packet)
    }
}

/// RFC 9260 section 6.10: INIT, INIT-ACK and SHUTDOWN-COMPLETE travel alone.
fn must_be_alone(chunk: &[u8]) -> bool {
    chunk
        .first()
        .is_some_and(|&k| matches!(k, kind::INIT | kind::INIT_ACK | kind::SHUTDOWN_COMPLETE))
}

/// Chunks that must start their packet: the lone ones, and COOKIE-ECHO (section 5.1 D).
fn must_lead(chunk: &[u8]) -> bool {
    must_be_alone(chunk) || chunk.first() == Some(&kind::COOKIE_ECHO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_and_leading_chunks() {
        for k in [kind::INIT, kind::INIT_ACK, kind::SHUTDOWN_COMPLETE] {
            assert!(must_be_alone(&[k, 0, 0, 4]) && must_lead(&[k, 0, 0, 4]));
        }
        assert!(!must_be_alone(&[kind::COOKIE_ECHO, 0, 0, 4]));
        assert!(must_lead(&[kind::COOKIE_ECHO, 0, 0, 4]));
        for k in [
            kind::COOKIE_ACK,
            kind::SACK,
            kind::ABORT,
            kind::HEARTBEAT_ACK,
        ] {
            assert!(!must_lead(&[k, 0, 0, 4]));
        }
        assert!(!must_lead(&[]));
    }

    /// An INIT-ACK for the peer's INIT and our COOKIE-ECHO, queued before a poll (the
    /// simultaneous open), leave in two packets: the COOKIE-ECHO first in its own, with DATA.
    #[test]
    fn init_ack_and_cookie_echo_never_share_a_packet() {
        let now = muon_netsim::Clock::new().now();
        let mut a = Association::new(
            crate::Config::default(),
            muon_proto::Rng::from_seed([1; 32]),
        );
        let mut b = Association::new(
            crate::Config::default(),
            muon_proto::Rng::from_seed([2; 32]),
        );
        a.send(
            now,
            0,
            crate::Ppid::BINARY,
            true,
            crate::Reliability::Reliable,
            bytes::Bytes::from_static(b"x"),
        )
        .unwrap_or_default();
        a.connect(now);
        b.connect(now);
        let a_init = a.poll_transmit(now).unwrap_or_default();
        let b_init = b.poll_transmit(now).unwrap_or_default();
        let _ = b.handle_receive(now, &a_init);
        let b_init_ack = b.poll_transmit(now).unwrap_or_default();
        // a takes b's INIT and b's INIT-ACK before it is polled.
        let _ = a.handle_receive(now, &b_init);
        let _ = a.handle_receive(now, &b_init_ack);
        let first: Vec<u8> = std::iter::from_fn(|| a.poll_transmit(now))
            .map(|p| p.get(COMMON_HEADER_LEN).copied().unwrap_or(0xff))
            .collect();
        assert_eq!(first, [kind::INIT_ACK, kind::COOKIE_ECHO]);
        assert_eq!(a.stats().data_chunks_with_cookie_echo, 1);
    }
}
