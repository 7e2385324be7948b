//! Stream reset (RFC 6525): Outgoing SSN Reset Requests we send when a channel closes, and
//! the peer's requests, which reset our incoming streams once all data before them arrived.

use std::time::Instant;

use super::{Association, ResetRequest, State};
use crate::event::{Event, ResetDirection};
use crate::tsn;
use crate::wire::{Chunk, ReConfigParam};

/// RFC 6525 section 4.4 result codes.
const SUCCESS_NOTHING: u32 = 0;
const SUCCESS_PERFORMED: u32 = 1;
const DENIED: u32 = 2;
const BAD_SEQUENCE: u32 = 5;
const IN_PROGRESS: u32 = 6;

impl Association {
    pub(super) fn on_reconfig(&mut self, now: Instant, params: Vec<ReConfigParam>) {
        if !matches!(
            self.state,
            State::Established | State::ShutdownPending | State::ShutdownReceived
        ) {
            return;
        }
        for p in params {
            match p {
                ReConfigParam::OutgoingReset {
                    request_seq,
                    last_tsn,
                    streams,
                    ..
                } => self.on_outgoing_reset(request_seq, last_tsn, streams),
                ReConfigParam::IncomingReset { request_seq, .. } => {
                    // We reset our streams only when our application closes them.
                    let result = if request_seq == self.peer_next_request_seq {
                        self.peer_next_request_seq = self.peer_next_request_seq.wrapping_add(1);
                        self.last_response = Some((request_seq, DENIED));
                        DENIED
                    } else {
                        BAD_SEQUENCE
                    };
                    self.respond(request_seq, result);
                }
                ReConfigParam::Response {
                    response_seq,
                    result,
                } => self.on_reset_response(now, response_seq, result),
                ReConfigParam::Unknown { .. } => self.stats.dropped_unknown_chunks += 1,
            }
        }
    }

    /// Section 5.2.2.
    fn on_outgoing_reset(&mut self, seq: u32, last_tsn: u32, streams: Vec<u16>) {
        if seq == self.peer_next_request_seq {
            self.deferred_peer_reset = Some((seq, last_tsn, streams));
            if !self.check_deferred_reset() {
                // E2: not all data up to last_tsn arrived yet.
                self.respond(seq, IN_PROGRESS);
            }
        } else if seq == self.peer_next_request_seq.wrapping_sub(1) {
            // A retransmitted request: repeat our answer.
            if let Some((s, result)) = self.last_response {
                self.respond(s, result);
            }
        } else {
            self.respond(seq, BAD_SEQUENCE);
        }
    }

    /// Performs the peer's deferred reset once every TSN up to its last TSN arrived.
    pub(super) fn check_deferred_reset(&mut self) -> bool {
        let Some((seq, last_tsn, _)) = &self.deferred_peer_reset else {
            return false;
        };
        let (seq, last) = (*seq, tsn::unwrap(self.received.cum(), *last_tsn));
        if self.received.cum() < last {
            return false;
        }
        let Some((_, _, streams)) = self.deferred_peer_reset.take() else {
            return false;
        };
        let streams = if streams.is_empty() {
            self.reasm.stream_ids()
        } else {
            streams
        };
        for &s in &streams {
            self.reasm.reset_stream(s);
            self.events.push_back(Event::StreamReset {
                stream: s,
                direction: ResetDirection::Incoming,
            });
        }
        self.peer_next_request_seq = self.peer_next_request_seq.wrapping_add(1);
        self.last_response = Some((seq, SUCCESS_PERFORMED));
        self.respond(seq, SUCCESS_PERFORMED);
        true
    }

    fn respond(&mut self, seq: u32, result: u32) {
        let mut c = Vec::new();
        Chunk::ReConfig(vec![ReConfigParam::Response {
            response_seq: seq,
            result,
        }])
        .encode(&mut c);
        self.push_control(self.peer_tag, c);
    }

    fn on_reset_response(&mut self, _now: Instant, seq: u32, result: u32) {
        let Some(req) = &self.reset_in_flight else {
            return;
        };
        if req.seq != seq || result == IN_PROGRESS {
            // In progress: the timer sends the request again.
            return;
        }
        let Some(req) = self.reset_in_flight.take() else {
            return;
        };
        self.t_reconfig = None;
        self.reset_resend = false;
        self.next_request_seq = self.next_request_seq.wrapping_add(1);
        let ok = matches!(result, SUCCESS_NOTHING | SUCCESS_PERFORMED);
        for s in req.streams {
            self.resetting.remove(&s);
            if ok {
                self.queue.reset_ssn(s);
                self.events.push_back(Event::StreamReset {
                    stream: s,
                    direction: ResetDirection::Outgoing,
                });
            }
        }
    }

    /// Section 5.1.2: when no request is outstanding, ask to reset the streams whose queued
    /// data has all been given TSNs.
    pub(super) fn start_reset_request(&mut self, now: Instant) {
        if self.reset_in_flight.is_some() || self.reset_pending.is_empty() {
            return;
        }
        let (ready, waiting): (Vec<u16>, Vec<u16>) = self
            .reset_pending
            .iter()
            .partition(|&&s| self.queue.stream_drained(s));
        if ready.is_empty() {
            return;
        }
        self.reset_pending = waiting;
        self.reset_in_flight = Some(ResetRequest {
            seq: self.next_request_seq,
            last_tsn: tsn::wire(self.inflight.next_tsn() - 1),
            streams: ready,
        });
        self.reset_resend = true;
        self.t_reconfig = Some(now + self.rto.rto());
    }

    pub(super) fn reset_request_chunk(&self) -> Option<Chunk<'static>> {
        let req = self.reset_in_flight.as_ref()?;
        Some(Chunk::ReConfig(vec![ReConfigParam::OutgoingReset {
            request_seq: req.seq,
            response_seq: self.peer_next_request_seq.wrapping_sub(1),
            last_tsn: req.last_tsn,
            streams: req.streams.clone(),
        }]))
    }
}
