//! Data channels over SCTP streams and DCEP ([RFC 8831](https://www.rfc-editor.org/rfc/rfc8831),
//! [RFC 8832](https://www.rfc-editor.org/rfc/rfc8832)).

use std::time::Instant;

use bytes::Bytes;
use muon_dtls::Role;
use muon_sctp::{Event as SctpEvent, Ppid, Reliability, ResetDirection, SctpError};

use super::Rtc;
use crate::channel::{ChannelEntry, ChannelId, ChannelState, DataChannelInit, Delivery};
use crate::dcep::{Dcep, Open};
use crate::error::{Limit, RtcError};
use crate::event::{FailReason, RtcEvent};

/// SCTP stream 65535 is reserved (RFC 8831 section 6.5 allows 0..=65534).
const MAX_STREAM: u16 = 65534;

impl Rtc {
    /// Creates a data channel (`createDataChannel`). It opens as soon as DTLS is up and the
    /// SCTP association exists, before SCTP's handshake ends: with DCEP (RFC 8832) unless
    /// `init.negotiated` gives a stream both sides agreed on. Its DATA_CHANNEL_OPEN, and
    /// messages sent at once, ride with SCTP's COOKIE-ECHO (RFC 9260 section 5.1 D), so the
    /// peer sees the channel a round trip earlier than after a completed handshake.
    pub fn create_data_channel(
        &mut self,
        label: &str,
        init: DataChannelInit,
    ) -> Result<ChannelId, RtcError> {
        self.check_open()?;
        if label.len() > usize::from(u16::MAX) || init.protocol.len() > usize::from(u16::MAX) {
            return Err(RtcError::LabelTooLong);
        }
        let delivery = Delivery::from_init(&init)?;
        if self.channels.len() >= self.config.limits.max_channels {
            return Err(RtcError::Limit(Limit::Channels));
        }
        if let Some(stream) = init.negotiated
            && (stream > MAX_STREAM || self.by_stream.contains_key(&stream))
        {
            return Err(RtcError::StreamIdUnavailable(stream));
        }
        let ready = self.data_path_open();
        if init.negotiated.is_none()
            && !ready
            && self.pending_opens.len() >= self.config.limits.max_pending_opens
        {
            return Err(RtcError::Limit(Limit::PendingOpens));
        }
        let id = ChannelId(self.next_channel);
        self.next_channel += 1;
        self.channels.insert(
            id,
            ChannelEntry {
                label: label.to_owned(),
                protocol: init.protocol.clone(),
                delivery,
                negotiated: init.negotiated.is_some(),
                stream: init.negotiated,
                state: ChannelState::Connecting,
                acked: init.negotiated.is_some(),
                reset_in: false,
                reset_out: false,
                low_threshold: 0,
            },
        );
        if let Some(stream) = init.negotiated {
            self.by_stream.insert(stream, id);
        }
        if !ready {
            self.pending_opens.push_back(id);
        } else if init.negotiated.is_some() {
            self.set_open(id);
        } else {
            if let Err(e) = self.open_channel(id) {
                self.channels.remove(&id);
                return Err(e);
            }
        }
        Ok(id)
    }

    /// True while the SCTP association exists and is not closed: from DTLS's completion,
    /// through SCTP's handshake (data sent then is queued and goes with the COOKIE-ECHO),
    /// until it closes. The DTLS role, which picks our stream ids, is known by then.
    fn data_path_open(&self) -> bool {
        self.data.as_ref().is_some_and(|d| !d.sctp.is_closed())
    }

    fn set_open(&mut self, id: ChannelId) {
        let mut threshold = None;
        if let Some(e) = self.channels.get_mut(&id) {
            e.state = ChannelState::Open;
            threshold = e.stream.map(|s| (s, e.low_threshold));
        }
        if let (Some((stream, t)), Some(data)) = (threshold, &mut self.data) {
            data.sctp.set_buffered_amount_low_threshold(stream, t);
        }
        self.push_event(RtcEvent::ChannelOpen(id));
    }

    /// Picks a stream of our parity (RFC 8832 section 6: the DTLS client uses even ids, the
    /// server odd ones) and sends DATA_CHANNEL_OPEN on it.
    fn open_channel(&mut self, id: ChannelId) -> Result<(), RtcError> {
        let first = match self.dtls.as_ref().map(muon_dtls::Dtls::role) {
            Some(Role::Client) => 0u16,
            _ => 1,
        };
        let stream = (first..=MAX_STREAM)
            .step_by(2)
            .find(|s| !self.by_stream.contains_key(s))
            .ok_or(RtcError::Limit(Limit::StreamIds))?;
        let Some(entry) = self.channels.get_mut(&id) else {
            return Err(RtcError::NoSuchChannel(id));
        };
        let (channel_type, reliability) = entry.delivery.to_wire();
        let open = Dcep::Open(Open {
            channel_type,
            priority: 0,
            reliability,
            label: entry.label.clone(),
            protocol: entry.protocol.clone(),
        });
        entry.stream = Some(stream);
        let now = self.now;
        let Some(data) = &mut self.data else {
            return Err(RtcError::ChannelNotOpen);
        };
        data.sctp
            .send(
                now,
                stream,
                Ppid::DCEP,
                true,
                Reliability::Reliable,
                Bytes::from(open.encode()),
            )
            .map_err(map_send_error)?;
        self.by_stream.insert(stream, id);
        self.set_open(id);
        Ok(())
    }

    /// The association exists: channels created before open, negotiated ones at once,
    /// the others by sending their OPEN (queued in SCTP until its handshake carries it).
    fn open_pending(&mut self) {
        while let Some(id) = self.pending_opens.pop_front() {
            let negotiated = self.channels.get(&id).is_some_and(|e| e.negotiated);
            if negotiated {
                self.set_open(id);
            } else if self.open_channel(id).is_err() {
                self.finish_close(id);
            }
        }
    }

    /// SCTP's handshake completed: channels closed while it ran reset their streams now
    /// (RFC 6525 needs an established association).
    fn sctp_connected(&mut self) {
        let closing: Vec<(ChannelId, u16)> = self
            .channels
            .iter()
            .filter(|(_, e)| e.state == ChannelState::Closing)
            .filter_map(|(id, e)| Some((*id, e.stream?)))
            .collect();
        for (id, stream) in closing {
            if let Some(d) = &mut self.data
                && d.sctp.reset_stream(stream).is_err()
            {
                self.finish_close(id);
            }
        }
    }

    /// Moves SCTP events up, stopping while the event queue is full so that SCTP's receive
    /// window closes and the sender slows down.
    pub(super) fn pump_sctp(&mut self, _now: Instant) {
        if !self.pending_opens.is_empty() && self.data_path_open() {
            self.open_pending();
        }
        loop {
            let limits = self.config.limits;
            if self.events.len() >= limits.max_queued_events
                || self.event_bytes >= limits.max_queued_event_bytes
            {
                return;
            }
            let Some(ev) = self.data.as_mut().and_then(|d| d.sctp.poll_event()) else {
                return;
            };
            match ev {
                SctpEvent::Connected => self.sctp_connected(),
                SctpEvent::Message {
                    stream, ppid, data, ..
                } => self.sctp_message(stream, ppid, data),
                SctpEvent::StreamReset { stream, direction } => {
                    self.stream_reset(stream, direction)
                }
                SctpEvent::BufferedAmountLow { stream } => {
                    if let Some(&id) = self.by_stream.get(&stream) {
                        self.push_event(RtcEvent::ChannelBufferedAmountLow(id));
                    }
                }
                SctpEvent::Closed { reason } => {
                    if !matches!(
                        reason,
                        muon_sctp::CloseReason::Shutdown
                            | muon_sctp::CloseReason::LocalAbort
                            | muon_sctp::CloseReason::PeerAbort
                    ) {
                        self.fail(FailReason::Sctp(reason));
                    }
                    self.close_all_channels();
                }
                _ => {}
            }
        }
    }

    fn sctp_message(&mut self, stream: u16, ppid: Ppid, data: Bytes) {
        match ppid {
            Ppid::DCEP => self.dcep_message(stream, &data),
            Ppid::STRING | Ppid::BINARY => {
                let Some(&id) = self.by_stream.get(&stream) else {
                    self.stats.messages_dropped += 1;
                    return;
                };
                if let Some(e) = self.channels.get_mut(&id) {
                    // RFC 8832 section 6: any message from the peer implies its ACK.
                    e.acked = true;
                }
                self.push_event(RtcEvent::ChannelMessage {
                    id,
                    binary: ppid == Ppid::BINARY,
                    data,
                });
            }
            _ => self.stats.messages_dropped += 1,
        }
    }

    fn dcep_message(&mut self, stream: u16, bytes: &[u8]) {
        match Dcep::parse(bytes) {
            Ok(Dcep::Ack) => {
                if let Some(e) = self
                    .by_stream
                    .get(&stream)
                    .and_then(|id| self.channels.get_mut(id))
                {
                    e.acked = true;
                }
            }
            Ok(Dcep::Open(open)) => self.remote_open(stream, &open),
            Err(_) => self.stats.dcep_refused += 1,
        }
    }

    /// The peer opened a channel (RFC 8832 section 6): acknowledge, announce.
    fn remote_open(&mut self, stream: u16, open: &Open) {
        let ours_even = matches!(
            self.dtls.as_ref().map(muon_dtls::Dtls::role),
            Some(Role::Client)
        );
        let theirs = stream % 2 == u16::from(ours_even);
        if !theirs || stream > MAX_STREAM || self.by_stream.contains_key(&stream) {
            self.stats.dcep_refused += 1;
            return;
        }
        if self.channels.len() >= self.config.limits.max_channels {
            self.stats.channels_refused += 1;
            if let Some(d) = &mut self.data {
                let _ = d.sctp.reset_stream(stream);
            }
            return;
        }
        let now = self.now;
        let Some(data) = &mut self.data else {
            return;
        };
        let ack = Bytes::from(Dcep::Ack.encode());
        if data
            .sctp
            .send(now, stream, Ppid::DCEP, true, Reliability::Reliable, ack)
            .is_err()
        {
            return;
        }
        let id = ChannelId(self.next_channel);
        self.next_channel += 1;
        self.channels.insert(
            id,
            ChannelEntry {
                label: open.label.clone(),
                protocol: open.protocol.clone(),
                delivery: Delivery::from_open(open),
                negotiated: false,
                stream: Some(stream),
                state: ChannelState::Connecting,
                acked: true,
                reset_in: false,
                reset_out: false,
                low_threshold: 0,
            },
        );
        self.by_stream.insert(stream, id);
        self.push_event(RtcEvent::DataChannel(id));
        self.set_open(id);
    }

    /// RFC 8831 section 6.7: closing resets both directions of the stream.
    fn stream_reset(&mut self, stream: u16, direction: ResetDirection) {
        let Some(&id) = self.by_stream.get(&stream) else {
            return;
        };
        let Some(e) = self.channels.get_mut(&id) else {
            return;
        };
        match direction {
            ResetDirection::Incoming => e.reset_in = true,
            ResetDirection::Outgoing => e.reset_out = true,
        }
        let (reset_in, reset_out, closing) =
            (e.reset_in, e.reset_out, e.state == ChannelState::Closing);
        if reset_in && reset_out {
            self.finish_close(id);
            return;
        }
        if reset_in && !closing {
            // The peer closed: reset our half too.
            e.state = ChannelState::Closing;
            if let Some(d) = &mut self.data
                && d.sctp.reset_stream(stream).is_err()
            {
                self.finish_close(id);
            }
        }
    }

    pub(crate) fn finish_close(&mut self, id: ChannelId) {
        if let Some(e) = self.channels.remove(&id) {
            if let Some(s) = e.stream {
                self.by_stream.remove(&s);
            }
            self.pending_opens.retain(|p| *p != id);
            self.push_event(RtcEvent::ChannelClosed(id));
        }
    }

    pub(crate) fn close_all_channels(&mut self) {
        let ids: Vec<ChannelId> = self.channels.keys().copied().collect();
        for id in ids {
            self.finish_close(id);
        }
    }

    pub(crate) fn close_channel(&mut self, id: ChannelId) {
        let Some(e) = self.channels.get_mut(&id) else {
            return;
        };
        if matches!(e.state, ChannelState::Closing | ChannelState::Closed) {
            return;
        }
        match (e.stream, &mut self.data) {
            (Some(stream), Some(d)) if d.sctp.is_established() => {
                e.state = ChannelState::Closing;
                if d.sctp.reset_stream(stream).is_err() {
                    self.finish_close(id);
                }
            }
            // Its OPEN (or the peer's agreement, when negotiated) may be on its way with the
            // COOKIE-ECHO: the stream is reset once the handshake completes.
            (Some(_), Some(d)) if !d.sctp.is_closed() && !self.pending_opens.contains(&id) => {
                e.state = ChannelState::Closing;
            }
            _ => self.finish_close(id),
        }
        self.pump(self.now);
    }

    pub(crate) fn send_message(
        &mut self,
        id: ChannelId,
        binary: bool,
        data: Bytes,
    ) -> Result<(), RtcError> {
        let e = self.channels.get(&id).ok_or(RtcError::NoSuchChannel(id))?;
        let (Some(stream), ChannelState::Open) = (e.stream, e.state) else {
            return Err(RtcError::ChannelNotOpen);
        };
        let max = self.max_send_size();
        if data.len() > max {
            return Err(RtcError::MessageTooLarge {
                size: data.len(),
                max,
            });
        }
        let ordered = e.delivery.ordered || !e.acked;
        let reliability = e.delivery.reliability;
        let now = self.now;
        let limit = self.config.limits.max_channel_buffer;
        let d = self.data.as_mut().ok_or(RtcError::ChannelNotOpen)?;
        if d.sctp.buffered_amount(stream).saturating_add(data.len()) > limit {
            return Err(RtcError::Limit(Limit::ChannelBuffer));
        }
        let ppid = if binary { Ppid::BINARY } else { Ppid::STRING };
        d.sctp
            .send(now, stream, ppid, ordered, reliability, data)
            .map_err(map_send_error)?;
        self.pump(now);
        Ok(())
    }

    /// The largest message we may send: the peer's `a=max-message-size` (0: no limit) and
    /// our SCTP configuration's.
    pub(crate) fn max_send_size(&self) -> usize {
        let remote = self.remote.as_ref().map_or(65_536, |r| r.max_message_size);
        let remote = if remote == 0 {
            usize::MAX
        } else {
            usize::try_from(remote).unwrap_or(usize::MAX)
        };
        remote.min(self.config.max_message_size)
    }

    pub(crate) fn buffered_amount(&self, id: ChannelId) -> usize {
        let stream = self.channels.get(&id).and_then(|e| e.stream);
        match (stream, &self.data) {
            (Some(s), Some(d)) => d.sctp.buffered_amount(s),
            _ => 0,
        }
    }

    pub(crate) fn set_low_threshold(&mut self, id: ChannelId, threshold: usize) {
        let Some(e) = self.channels.get_mut(&id) else {
            return;
        };
        e.low_threshold = threshold;
        if let (Some(s), Some(d)) = (e.stream, &mut self.data) {
            d.sctp.set_buffered_amount_low_threshold(s, threshold);
        }
    }
}

fn map_send_error(e: SctpError) -> RtcError {
    match e {
        SctpError::MessageTooLarge { size, max } => RtcError::MessageTooLarge { size, max },
        SctpError::SendBufferFull => RtcError::Limit(Limit::ChannelBuffer),
        _ => RtcError::ChannelNotOpen,
    }
}
