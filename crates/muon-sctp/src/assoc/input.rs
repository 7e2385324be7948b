//! Packets that arrive: checksum and verification tag checks (RFC 9260 sections 6.8, 8.5),
//! then each chunk in order.

use std::time::Instant;

use super::{Association, State};
use crate::event::{CloseReason, Event, Ppid};
use crate::reassembly::Frag;
use crate::receiver::{Arrival, MAX_TSN_AHEAD};
use crate::wire::{Chunk, DataChunk, ForwardTsnChunk, Packet, SackChunk, chunk as kind};
use crate::{SctpError, crc, tsn};

impl Association {
    /// Processes one received SCTP packet (the payload of one DTLS record).
    ///
    /// A malformed or foreign packet is dropped, counted in [`stats`](Self::stats) and
    /// returned as an error for the caller to log; the association carries on. Chunks
    /// before a malformed one in the same packet have been processed.
    pub fn handle_receive(&mut self, now: Instant, packet: &[u8]) -> Result<(), SctpError> {
        self.touch(now);
        let p = Packet::parse(packet).inspect_err(|_| self.stats.dropped_malformed += 1)?;
        if p.header.destination_port != self.config.local_port
            || p.header.source_port != self.config.remote_port
        {
            self.stats.dropped_bad_tag += 1;
            return Err(SctpError::BadPorts);
        }
        let first_kind = packet.get(12).copied();
        let first_flags = packet.get(13).copied().unwrap_or(0);
        // RFC 9653 section 5: a zero checksum is accepted only once we offered it, and never
        // on a packet carrying INIT.
        let zero_ok =
            self.config.zero_checksum && p.header.checksum == 0 && first_kind != Some(kind::INIT);
        if !zero_ok && !crc::verify(packet) {
            self.stats.dropped_bad_checksum += 1;
            return Err(SctpError::BadChecksum);
        }
        if self.state == State::Closed {
            return Ok(());
        }
        let tag = p.header.verification_tag;
        // Section 8.5 and 8.5.1: which tag each packet must carry.
        let tag_ok = match first_kind {
            Some(kind::INIT) => tag == 0,
            Some(kind::COOKIE_ECHO) => true, // checked against the cookie
            Some(kind::ABORT | kind::SHUTDOWN_COMPLETE) if first_flags & 1 != 0 => {
                self.peer_tag != 0 && tag == self.peer_tag
            }
            _ => self.state != State::Listen && tag == self.local_tag,
        };
        if !tag_ok {
            self.stats.dropped_bad_tag += 1;
            return Err(SctpError::BadVerificationTag);
        }
        self.stats.packets_received += 1;
        let mut had_data = false;
        let mut result = Ok(());
        for (i, chunk) in p.chunks().enumerate() {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    self.stats.dropped_malformed += 1;
                    result = Err(e);
                    break;
                }
            };
            match chunk {
                Chunk::Init(init) => {
                    // Section 6.10: INIT must be alone in its packet.
                    if i == 0 {
                        self.on_init(now, &init);
                    } else {
                        self.stats.dropped_malformed += 1;
                        result = Err(SctpError::UnexpectedChunk);
                    }
                    break;
                }
                Chunk::InitAck(ack) => self.on_init_ack(now, &ack),
                Chunk::CookieEcho(cookie) => {
                    if let Err(e) = self.on_cookie_echo(now, tag, cookie) {
                        result = Err(e);
                        break;
                    }
                }
                Chunk::CookieAck => self.on_cookie_ack(now),
                Chunk::Data(d) => {
                    if !had_data {
                        self.flush_due_sack();
                    }
                    had_data = true;
                    self.on_data(&d);
                }
                Chunk::Sack(s) => self.on_sack(now, &s),
                Chunk::Heartbeat(info) => {
                    let mut c = Vec::new();
                    Chunk::HeartbeatAck(info).encode(&mut c);
                    self.push_control(self.peer_tag, c);
                }
                Chunk::HeartbeatAck(info) => self.on_heartbeat_ack(now, info),
                Chunk::Abort { .. } => {
                    self.close_with(CloseReason::PeerAbort);
                    break;
                }
                Chunk::Shutdown { cum_tsn } => self.on_shutdown(now, cum_tsn),
                Chunk::ShutdownAck => self.on_shutdown_ack(),
                Chunk::ShutdownComplete { .. } => {
                    if self.state == State::ShutdownAckSent {
                        self.close_with(CloseReason::Shutdown);
                    }
                }
                Chunk::Error(causes) => self.on_error(now, causes),
                Chunk::ReConfig(params) => self.on_reconfig(now, params),
                Chunk::ForwardTsn(f) => self.on_forward_tsn(&f),
                Chunk::Unknown { kind, flags, value } => {
                    self.stats.dropped_unknown_chunks += 1;
                    // Section 3.2: the second bit asks for an "Unrecognized Chunk Type" report
                    // (cause 6, section 3.3.10.6) carrying the chunk.
                    if kind & 0x40 != 0 && self.peer_tag != 0 {
                        self.report_unrecognized(kind, flags, value);
                    }
                    // The top bit 0 means "stop processing this packet".
                    if kind & 0x80 == 0 {
                        break;
                    }
                }
            }
            if self.state == State::Closed {
                break;
            }
        }
        self.after_packet(now, had_data);
        result
    }

    fn report_unrecognized(&mut self, kind: u8, flags: u8, value: &[u8]) {
        // The unrecognized chunk, unpadded, cut so the report fits in one packet.
        let value = value.get(..self.mtu.saturating_sub(64)).unwrap_or(value);
        let chunk_len = 4 + value.len();
        let mut cause = Vec::with_capacity(4 + chunk_len);
        cause.extend_from_slice(&6u16.to_be_bytes());
        cause.extend_from_slice(&((4 + chunk_len) as u16).to_be_bytes());
        cause.extend_from_slice(&[kind, flags]);
        cause.extend_from_slice(&(chunk_len as u16).to_be_bytes());
        cause.extend_from_slice(value);
        let mut c = Vec::new();
        Chunk::Error(&cause).encode(&mut c);
        self.push_control(self.peer_tag, c);
    }

    fn after_packet(&mut self, now: Instant, had_data: bool) {
        if had_data && self.state.receives_data() {
            // Section 6.2: acknowledge at least every second packet, else within sack_delay.
            self.data_packets_unacked += 1;
            if self.data_packets_unacked >= super::SACK_EVERY_PACKETS {
                self.sack_needed = true;
            } else if self.sack_at.is_none() {
                self.sack_at = Some(now + self.config.sack_delay);
            }
        }
        if self.sack_needed {
            self.sack_at = None;
        }
        self.check_deferred_reset();
        self.maybe_shutdown(now);
    }

    /// Section 6.2: accept, deduplicate and reassemble a DATA chunk.
    fn on_data(&mut self, d: &DataChunk<'_>) {
        if !self.state.receives_data() {
            self.stats.dropped_unexpected += 1;
            return;
        }
        let t = tsn::unwrap(self.received.cum(), d.tsn);
        match self.received.classify(t) {
            Arrival::Duplicate => {
                self.stats.duplicate_tsns_received += 1;
                self.sack_needed = true;
                return;
            }
            Arrival::OutOfWindow => {
                self.stats.dropped_out_of_window += 1;
                self.sack_needed = true;
                return;
            }
            Arrival::New => {}
        }
        let next_in_order = t == self.received.cum() + 1;
        let after = self.buffered_bytes() + d.payload.len();
        let over = after > self.config.receive_buffer as usize;
        // Section 6.2: with a full buffer, drop. The next in-order TSN is still taken, up to
        // one maximum message more, so a message that out-of-order data waits for can
        // complete: the hard bound is receive_buffer + max_message_size.
        let hard_cap = self.config.receive_buffer as usize + self.config.max_message_size;
        if (over && (!next_in_order || after > hard_cap)) || !self.received.can_record(t) {
            self.stats.dropped_receive_buffer_full += 1;
            self.sack_needed = true;
            return;
        }
        self.received.record(t);
        if self.received.has_gaps() || d.immediate {
            self.sack_needed = true;
        }
        if d.stream >= self.config.streams {
            // Section 6.5: an invalid stream; the TSN is acknowledged, the data discarded.
            self.stats.dropped_unexpected += 1;
            return;
        }
        let frag = Frag {
            stream: d.stream,
            ssn: d.ssn,
            ppid: d.ppid,
            unordered: d.unordered,
            beginning: d.beginning,
            ending: d.ending,
            data: bytes::Bytes::copy_from_slice(d.payload),
        };
        let mut out = std::mem::take(&mut self.scratch);
        self.reasm.insert(t, frag, &mut out);
        self.deliver(&mut out);
        self.scratch = out;
    }

    /// Turns complete messages into events (RFC 8831 section 6.6 empty-message PPIDs).
    fn deliver(&mut self, out: &mut std::collections::VecDeque<crate::reassembly::Message>) {
        for m in out.drain(..) {
            let (ppid, data) = match Ppid(m.ppid) {
                Ppid::STRING_EMPTY => (Ppid::STRING, bytes::Bytes::new()),
                Ppid::BINARY_EMPTY => (Ppid::BINARY, bytes::Bytes::new()),
                p => (p, m.data),
            };
            self.event_bytes += data.len();
            self.events.push_back(Event::Message {
                stream: m.stream,
                ppid,
                unordered: m.unordered,
                data,
            });
        }
    }

    /// Sections 6.2.1 and 7.2: process a SACK on the send side.
    fn on_sack(&mut self, now: Instant, s: &SackChunk) {
        if !self.state.sends_data() && self.state != State::ShutdownSent {
            return;
        }
        let cum = tsn::unwrap(self.inflight.cum(), s.cum_tsn);
        let gaps: Vec<(u64, u64)> = s
            .gaps
            .iter()
            .map(|g| (cum + u64::from(g.start), cum + u64::from(g.end)))
            .collect();
        let flight_before = self.inflight.flight_bytes();
        let Some(out) = self.inflight.on_sack(cum, &gaps, now) else {
            return;
        };
        if let Some(rtt) = out.rtt {
            self.rto.sample(rtt);
        }
        if out.cum_advanced {
            self.error_count = 0;
            self.cwnd.on_ack(out.acked_bytes, flight_before, self.mtu);
            self.cwnd.on_cum_ack(cum);
            self.t3 = (!self.inflight.is_empty()).then(|| now + self.rto.rto());
        } else if self.inflight.is_empty() {
            self.t3 = None;
        }
        self.peer_rwnd = (s.a_rwnd as usize).saturating_sub(self.inflight.flight_bytes());
        // Section 7.2.4: three miss indications mean a loss. The window is halved whether the
        // chunk is retransmitted or abandoned (RFC 3758 section 3.5 A5 only decides what is
        // sent again; the loss is a congestion signal all the same), or a partially reliable
        // stream would keep its window through any loss and overrun the path.
        let lost = !out.fast_retransmit.is_empty();
        let mut marked = false;
        for t in out.fast_retransmit {
            self.stats.fast_retransmits += 1;
            if self.inflight.should_abandon(t, now, self.peer_forward_tsn) {
                self.abandon(t);
            } else {
                self.inflight.mark_retransmit(t);
                marked = true;
            }
        }
        if lost {
            let highest = self.inflight.next_tsn() - 1;
            self.cwnd.on_fast_retransmit(highest, self.mtu);
        }
        // Rule 3: the first retransmission goes out regardless of the window.
        if marked {
            self.fast_rtx_burst = true;
        }
        // RFC 3758 section 3.5 C3: while the peer's cumulative ack is behind the
        // Advanced.Peer.Ack.Point, tell it to move past the abandoned chunks: at once for a new
        // point, and again for one already sent if a SACK a round trip later still does not
        // reflect it (the FORWARD-TSN was lost). Not on every SACK: those sent while the
        // FORWARD-TSN is on its way would each draw another one.
        if let Some((point, _)) = self.inflight.forward_tsn() {
            let rtt = self.rto.srtt().unwrap_or_else(|| self.rto.rto());
            let stale = self.forward_tsn_sent_at.is_some_and(|at| now >= at + rtt);
            if point > self.forward_tsn_sent || stale {
                self.forward_tsn_pending = true;
            }
        }
    }

    /// Abandons the message `t` belongs to (RFC 3758 section 3.5 A5).
    pub(super) fn abandon(&mut self, t: u64) {
        if let Some((stream, id)) = self.inflight.abandon_message(t) {
            self.queue.abandon(stream, id);
            self.stats.messages_abandoned += 1;
            self.forward_tsn_pending = true;
        }
    }

    fn on_heartbeat_ack(&mut self, now: Instant, info: &[u8]) {
        let mut r = muon_proto::Reader::new(info);
        let (Ok(nonce), Ok(sent_ms)) = (r.u64(), r.u64()) else {
            return;
        };
        if self.hb_outstanding == Some(nonce) {
            self.hb_outstanding = None;
            self.error_count = 0;
            let rtt = self.now_ms(now).saturating_sub(sent_ms);
            self.rto.sample(std::time::Duration::from_millis(rtt));
        }
    }

    /// Section 9.2: the peer is shutting down.
    fn on_shutdown(&mut self, now: Instant, cum_tsn: u32) {
        let cum = tsn::unwrap(self.inflight.cum(), cum_tsn);
        if self.inflight.on_sack(cum, &[], now).is_some() && self.inflight.is_empty() {
            self.t3 = None;
        }
        match self.state {
            State::Established | State::ShutdownPending => {
                self.state = State::ShutdownReceived;
            }
            State::ShutdownSent => {
                self.state = State::ShutdownAckSent;
                self.send_shutdown_ack();
                self.t2 = Some(now + self.rto.rto());
            }
            _ => {}
        }
    }

    fn on_shutdown_ack(&mut self) {
        if matches!(self.state, State::ShutdownSent | State::ShutdownAckSent) {
            let mut c = Vec::new();
            Chunk::ShutdownComplete { reflected: false }.encode(&mut c);
            self.push_control(self.peer_tag, c);
            self.close_with(CloseReason::Shutdown);
        }
    }

    /// RFC 3758 section 3.6: move the cumulative TSN and skip SSNs.
    fn on_forward_tsn(&mut self, f: &ForwardTsnChunk) {
        if !self.state.receives_data() {
            return;
        }
        let new_cum = tsn::unwrap(self.received.cum(), f.new_cum_tsn);
        self.sack_needed = true;
        if new_cum <= self.received.cum() {
            return;
        }
        if new_cum > self.received.cum() + MAX_TSN_AHEAD {
            self.stats.dropped_out_of_window += 1;
            return;
        }
        self.received.forward(new_cum);
        let mut out = std::mem::take(&mut self.scratch);
        self.reasm.forward(new_cum, &f.streams, &mut out);
        self.deliver(&mut out);
        self.scratch = out;
    }
}
