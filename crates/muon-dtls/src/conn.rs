//! [`Dtls`]: one DTLS 1.2 association, sans-IO.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use muon_proto::{Reader, Rng};
use zeroize::Zeroizing;

use crate::config::{Config, Role};
use crate::error::{DtlsError, Limit, Misbehavior, Wire};
use crate::event::{CloseReason, Connected, DtlsEvent};
use crate::handshake::{Established, OutMessage, State};
use crate::reassembly::{Fragment, Message, Reassembler};
use crate::record_layer::{Opened, RecordLayer};
use crate::srtp::{SrtpKeyingMaterial, SrtpProfile};
use crate::wire::alert::{Alert, LEVEL_FATAL, LEVEL_WARNING, desc};
use crate::wire::handshake::{HANDSHAKE_HEADER_LEN, HandshakeHeader, HandshakeType, encode_whole};
use crate::wire::record::{ContentType, RecordHeader, records};

/// Largest application-data plaintext in one record (RFC 5246 section 6.2.1: 2^14).
pub const MAX_APPLICATION_DATA: usize = 16384;

/// Counters for observability (no key material, no addresses).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DtlsStats {
    /// Handshake flights sent again (timer or peer retransmission).
    pub retransmits: u64,
    /// HelloVerifyRequests sent by a server.
    pub hello_verify_requests: u64,
    /// Records dropped: malformed, failed authentication, replayed or over a limit.
    pub records_dropped: u64,
    /// Records rejected by the anti-replay window.
    pub replays_dropped: u64,
    /// Renegotiation attempts refused with no_renegotiation.
    pub renegotiations_refused: u64,
}

/// A DTLS 1.2 client or server for one peer (RFC 6347), with DTLS-SRTP (RFC 5764),
/// extended master secret (RFC 7627) and the keying-material exporter (RFC 5705).
///
/// Datagrams are bare bytes: in WebRTC the ICE layer below owns addresses and demultiplexes
/// (RFC 7983), so one `Dtls` serves one selected candidate pair.
///
/// Poll order after any `handle_*` call or mutation: drain [`Dtls::poll_transmit`], then
/// [`Dtls::poll_event`], then ask [`Dtls::poll_timeout`] when to call
/// [`Dtls::handle_timeout`].
pub struct Dtls {
    pub(crate) role: Role,
    pub(crate) config: Config,
    pub(crate) rng: Rng,
    pub(crate) state: State,
    pub(crate) records: RecordLayer,
    pub(crate) reasm: Reassembler,
    /// Our next handshake message_seq.
    pub(crate) send_seq: u16,
    /// The last flight we sent, for retransmission.
    pub(crate) flight: Vec<OutMessage>,
    pub(crate) flight_timer: Option<Instant>,
    pub(crate) rto: Duration,
    pub(crate) give_up_at: Option<Instant>,
    /// First message_seq of the peer's last complete flight: seeing it again means the peer
    /// lost our answer, which we then resend (RFC 6347 section 4.2.4).
    pub(crate) peer_flight_start: Option<u16>,
    /// When a peer retransmission last made us resend, to answer at most one copy of it.
    last_echo: Option<Instant>,
    /// HMAC key of HelloVerifyRequest cookies; wiped on drop.
    pub(crate) cookie_secret: Zeroizing<[u8; 32]>,
    transmits: VecDeque<Vec<u8>>,
    events: VecDeque<DtlsEvent>,
    early_data: Vec<Vec<u8>>,
    stats: DtlsStats,
    closed: bool,
}

impl Dtls {
    /// A new endpoint. A client queues its first ClientHello at once; a server waits.
    pub fn new(role: Role, config: Config, mut rng: Rng, now: Instant) -> Result<Self, DtlsError> {
        config.validate()?;
        let mut cookie_secret = Zeroizing::new([0u8; 32]);
        rng.fill(cookie_secret.as_mut_slice());
        let mut dtls = Self {
            role,
            reasm: Reassembler::new(
                config.max_handshake_message,
                config.max_handshake_buffer,
                config.max_messages_ahead,
            ),
            records: RecordLayer::new(config.max_future_records),
            rto: config.initial_retransmit,
            config,
            rng,
            state: State::ServerListen,
            send_seq: 0,
            flight: Vec::new(),
            flight_timer: None,
            give_up_at: None,
            peer_flight_start: None,
            last_echo: None,
            cookie_secret,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            early_data: Vec::new(),
            stats: DtlsStats::default(),
            closed: false,
        };
        if role == Role::Client {
            dtls.give_up_at = Some(now + dtls.config.handshake_timeout);
            dtls.state = dtls.client_start(now);
        }
        Ok(dtls)
    }

    /// Our role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// True once the handshake finished and until the connection closes.
    pub fn is_connected(&self) -> bool {
        matches!(self.state, State::Established(_))
    }

    /// The negotiated SRTP profile, once connected.
    pub fn srtp_profile(&self) -> Option<SrtpProfile> {
        match &self.state {
            State::Established(e) => e.srtp,
            _ => None,
        }
    }

    /// Counters.
    pub fn stats(&self) -> DtlsStats {
        self.stats
    }

    /// Takes one received datagram (it may hold several records). Records that are malformed,
    /// fail authentication or are replayed are dropped and reported as the returned error
    /// (the first one); processing continues with the rest. Fatal handshake errors also close
    /// the connection with a [`DtlsEvent::Closed`].
    pub fn handle_receive(&mut self, now: Instant, datagram: &[u8]) -> Result<(), DtlsError> {
        if matches!(self.state, State::Closed) {
            return Err(DtlsError::Closed);
        }
        let mut first_err = None;
        for record in records(datagram) {
            match record {
                Ok((header, payload)) => {
                    let result = self.handle_record(now, &header, payload);
                    self.note(result, &mut first_err);
                    self.drain_future(now, &mut first_err);
                }
                Err(e) => self.note(Err(e), &mut first_err),
            }
            if matches!(self.state, State::Closed) {
                break;
            }
        }
        first_err.map_or(Ok(()), Err)
    }

    /// Advances timers: retransmits the current flight when its timer expired (doubling the
    /// timeout up to `max_retransmit`) and gives up after `handshake_timeout`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.give_up_at.is_some_and(|t| now >= t) {
            self.fail(DtlsError::HandshakeTimeout);
            return;
        }
        if self.flight_timer.is_some_and(|t| now >= t) {
            tracing::debug!(role = ?self.role, rto = ?self.rto, "flight timer expired, retransmitting");
            self.stats.retransmits += 1;
            self.transmit_flight();
            self.rto = (self.rto * 2).min(self.config.max_retransmit);
            self.flight_timer = Some(now + self.rto);
        }
    }

    /// Sends one application-data record.
    pub fn send_application_data(&mut self, data: &[u8]) -> Result<(), DtlsError> {
        match self.state {
            State::Established(_) => {}
            State::Closed => return Err(DtlsError::Closed),
            _ => return Err(DtlsError::NotConnected),
        }
        if data.len() > MAX_APPLICATION_DATA {
            return Err(DtlsError::PayloadTooLarge);
        }
        let mut dgram = Vec::with_capacity(data.len() + RecordLayer::overhead(1));
        self.records
            .write(1, ContentType::APPLICATION_DATA, data, &mut dgram)?;
        self.transmits.push_back(dgram);
        Ok(())
    }

    /// Sends close_notify (when connected) and closes.
    pub fn close(&mut self) {
        if matches!(self.state, State::Closed) {
            return;
        }
        if matches!(self.state, State::Established(_)) {
            self.send_alert(LEVEL_WARNING, desc::CLOSE_NOTIFY);
        }
        self.shut(CloseReason::LocalClose);
    }

    /// The RFC 5705 exporter: fills `out` with keying material for `label` and optional
    /// `context`. Only after the handshake (and so the fingerprint check) succeeded.
    pub fn export_keying_material(
        &self,
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), DtlsError> {
        match &self.state {
            State::Established(e) => {
                e.session.export(label, context, out);
                Ok(())
            }
            _ => Err(DtlsError::NotConnected),
        }
    }

    /// The next datagram to send.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmits.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<DtlsEvent> {
        self.events.pop_front()
    }

    /// When [`Dtls::handle_timeout`] should be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match (self.flight_timer, self.give_up_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    // ---- receive path ----

    fn note(&mut self, result: Result<(), DtlsError>, first_err: &mut Option<DtlsError>) {
        if let Err(e) = result {
            self.stats.records_dropped += 1;
            if e == DtlsError::Replayed {
                self.stats.replays_dropped += 1;
            }
            first_err.get_or_insert(e);
        }
    }

    fn drain_future(&mut self, now: Instant, first_err: &mut Option<DtlsError>) {
        // Keys exist now, so none of these can be buffered again: no loop.
        for raw in self.records.take_future() {
            for record in records(&raw) {
                if matches!(self.state, State::Closed) {
                    return;
                }
                let result = record.and_then(|(h, p)| self.handle_record(now, &h, p));
                self.note(result, first_err);
            }
        }
    }

    fn handle_record(
        &mut self,
        now: Instant,
        header: &RecordHeader,
        payload: &[u8],
    ) -> Result<(), DtlsError> {
        if matches!(self.state, State::ServerListen) {
            if header.epoch == 0 && header.content_type == ContentType::HANDSHAKE {
                return self.server_listen(now, header, payload);
            }
            return Err(DtlsError::PeerMisbehaved(Misbehavior::UnexpectedMessage));
        }
        let plain = match self.records.open(header, payload)? {
            Opened::Buffered => return Ok(()),
            Opened::Plain(p) => p,
        };
        match header.content_type {
            ContentType::HANDSHAKE => self.handle_handshake_record(now, header.epoch, &plain),
            ContentType::CHANGE_CIPHER_SPEC => {
                // Epoch 1 records are recognised by their epoch; the CCS itself carries no
                // information beyond its one fixed byte.
                if plain == [1] {
                    Ok(())
                } else {
                    Err(DtlsError::Malformed(Wire::ChangeCipherSpec))
                }
            }
            ContentType::ALERT => self.handle_alert(header.epoch, &plain),
            ContentType::APPLICATION_DATA => self.handle_application_data(header.epoch, plain),
            _ => Err(DtlsError::Malformed(Wire::Record)),
        }
    }

    fn handle_alert(&mut self, epoch: u16, plain: &[u8]) -> Result<(), DtlsError> {
        let alert = Alert::decode(plain)?;
        let established = matches!(self.state, State::Established(_));
        if established && epoch == 0 {
            // Unauthenticated alerts cannot tear down a protected connection.
            return Err(DtlsError::PeerMisbehaved(Misbehavior::UnexpectedMessage));
        }
        if alert.description == desc::CLOSE_NOTIFY {
            // RFC 5246 section 7.2.1: answer with our own close_notify.
            if established {
                self.send_alert(LEVEL_WARNING, desc::CLOSE_NOTIFY);
            }
            self.shut(CloseReason::PeerClosed);
        } else if alert.is_fatal() {
            self.shut(CloseReason::Error(DtlsError::Alert(alert.description)));
        }
        Ok(())
    }

    fn handle_application_data(&mut self, epoch: u16, plain: Vec<u8>) -> Result<(), DtlsError> {
        if epoch == 0 {
            return Err(DtlsError::PeerMisbehaved(Misbehavior::UnexpectedMessage));
        }
        if matches!(self.state, State::Established(_)) {
            self.events.push_back(DtlsEvent::ApplicationData(plain));
        } else if self.early_data.len() < self.config.max_early_data_records {
            // The server may send data right after its Finished, which can overtake it.
            self.early_data.push(plain);
        } else {
            return Err(DtlsError::LimitExceeded(Limit::EarlyData));
        }
        Ok(())
    }

    fn handle_handshake_record(
        &mut self,
        now: Instant,
        epoch: u16,
        plain: &[u8],
    ) -> Result<(), DtlsError> {
        let mut r = Reader::new(plain);
        while !r.is_empty() {
            let (h, fragment) = HandshakeHeader::decode(&mut r)?;
            if matches!(self.state, State::Established(_)) {
                if h.message_seq >= self.reasm.next_seq() {
                    // A new handshake after the first: renegotiation, which we refuse
                    // (RFC 5746 section 4.2 lets us decline with a warning).
                    self.stats.renegotiations_refused += 1;
                    self.send_alert(LEVEL_WARNING, desc::NO_RENEGOTIATION);
                } else {
                    self.on_old_fragment(now, &h);
                }
                continue;
            }
            match self.reasm.insert(epoch, &h, fragment) {
                Ok(Fragment::Old) => self.on_old_fragment(now, &h),
                Ok(Fragment::Stored | Fragment::TooFarAhead) => {}
                Err(e @ DtlsError::LimitExceeded(_)) => return Err(e),
                Err(e) => {
                    self.fail(e);
                    return Err(e);
                }
            }
            while let Some(msg) = self.reasm.pop() {
                self.handle_message(now, msg)?;
                if matches!(self.state, State::Closed | State::Established(_)) {
                    break;
                }
            }
        }
        Ok(())
    }

    /// The peer resent a message we already have: it lost (part of) our answer, so resend
    /// our current flight (RFC 6347 section 4.2.4). Only the start of the peer's flight
    /// triggers this, and at most once per quarter of the initial timeout, so duplicated or
    /// replayed datagrams cannot make us amplify.
    fn on_old_fragment(&mut self, now: Instant, h: &HandshakeHeader) {
        let is_flight_start =
            h.fragment_offset == 0 && Some(h.message_seq) == self.peer_flight_start;
        let quiet = self.config.initial_retransmit / 4;
        let rested = self
            .last_echo
            .is_none_or(|t| now.saturating_duration_since(t) >= quiet);
        if is_flight_start && rested && !self.flight.is_empty() {
            self.last_echo = Some(now);
            tracing::debug!(role = ?self.role, "peer retransmitted, resending our flight");
            self.stats.retransmits += 1;
            self.transmit_flight();
        }
    }

    fn handle_message(&mut self, now: Instant, msg: Message) -> Result<(), DtlsError> {
        let state = std::mem::replace(&mut self.state, State::Closed);
        let result = match state {
            State::ClientHelloSent(s) => self.client_on_hello_reply(now, s, msg),
            State::ClientServerFlight(s) => self.client_on_server_flight(now, s, msg),
            State::ClientWaitFinished(s) => self.client_on_finished(s, msg),
            State::ServerClientFlight(s) => self.server_on_client_flight(s, msg),
            other => {
                self.state = other;
                return Err(DtlsError::PeerMisbehaved(Misbehavior::UnexpectedMessage));
            }
        };
        match result {
            Ok(next) => {
                self.state = next;
                Ok(())
            }
            Err(e) => {
                self.fail(e);
                Err(e)
            }
        }
    }

    // ---- transitions shared by both roles ----

    /// A handshake message of ours with the next message_seq, appended to `transcript`.
    pub(crate) fn out_message(
        &mut self,
        epoch: u16,
        msg_type: HandshakeType,
        body: Vec<u8>,
        transcript: &mut Vec<u8>,
    ) -> OutMessage {
        let seq = self.send_seq;
        self.send_seq = self.send_seq.wrapping_add(1);
        encode_whole(transcript, msg_type, seq, &body);
        OutMessage::Handshake {
            epoch,
            msg_type,
            seq,
            body,
        }
    }

    /// Sends a new flight, replacing the previous one. With `expects_reply` the
    /// retransmission timer starts from `initial_retransmit` (RFC 6347 section 4.2.4.1).
    pub(crate) fn send_flight(
        &mut self,
        now: Instant,
        flight: Vec<OutMessage>,
        expects_reply: bool,
    ) {
        tracing::debug!(role = ?self.role, messages = flight.len(), "sending flight");
        self.flight = flight;
        self.rto = self.config.initial_retransmit;
        self.flight_timer = expects_reply.then(|| now + self.rto);
        self.transmit_flight();
    }

    /// Sends a flight that expects no reply (the server's last); it is resent only when the
    /// peer's previous flight shows up again.
    pub(crate) fn send_final_flight(&mut self, flight: Vec<OutMessage>) {
        self.flight = flight;
        self.flight_timer = None;
        self.transmit_flight();
    }

    pub(crate) fn queue_transmit(&mut self, datagram: Vec<u8>) {
        self.transmits.push_back(datagram);
    }

    pub(crate) fn count_hello_verify_request(&mut self) {
        self.stats.hello_verify_requests += 1;
    }

    /// The handshake finished: report it with the SRTP keys the proof token unlocks.
    pub(crate) fn establish(
        &mut self,
        established: Established,
        peer_certificate: Vec<u8>,
    ) -> State {
        self.give_up_at = None;
        self.flight_timer = None;
        tracing::debug!(role = ?self.role, suite = ?established.session.suite, srtp = ?established.srtp, "connected");
        let srtp = established.srtp.map(|p| {
            SrtpKeyingMaterial::derive(&established.session, &established.auth, self.role, p)
        });
        self.events.push_back(DtlsEvent::Connected(Connected {
            cipher_suite: established.session.suite,
            srtp,
            peer_certificate,
        }));
        for data in self.early_data.drain(..) {
            self.events.push_back(DtlsEvent::ApplicationData(data));
        }
        State::Established(established)
    }

    /// Packs the current flight into datagrams of at most `mtu` bytes, fragmenting
    /// handshake messages as needed (RFC 6347 section 4.2.3).
    fn transmit_flight(&mut self) {
        let flight = std::mem::take(&mut self.flight);
        let mut dgram = Vec::new();
        for m in &flight {
            match m {
                OutMessage::ChangeCipherSpec => {
                    self.push_record(&mut dgram, 0, ContentType::CHANGE_CIPHER_SPEC, &[1])
                }
                OutMessage::Handshake {
                    epoch,
                    msg_type,
                    seq,
                    body,
                } => {
                    let room =
                        self.config.mtu - RecordLayer::overhead(*epoch) - HANDSHAKE_HEADER_LEN;
                    let mut offset = 0;
                    loop {
                        let len = room.min(body.len() - offset);
                        let mut frag = Vec::with_capacity(HANDSHAKE_HEADER_LEN + len);
                        HandshakeHeader {
                            msg_type: *msg_type,
                            length: body.len() as u32,
                            message_seq: *seq,
                            fragment_offset: offset as u32,
                            fragment_length: len as u32,
                        }
                        .encode(&mut frag);
                        frag.extend_from_slice(&body[offset..offset + len]);
                        self.push_record(&mut dgram, *epoch, ContentType::HANDSHAKE, &frag);
                        offset += len;
                        if offset >= body.len() {
                            break;
                        }
                    }
                }
            }
        }
        if !dgram.is_empty() {
            self.transmits.push_back(dgram);
        }
        self.flight = flight;
    }

    fn push_record(
        &mut self,
        dgram: &mut Vec<u8>,
        epoch: u16,
        content_type: ContentType,
        plaintext: &[u8],
    ) {
        let size = RecordLayer::overhead(epoch) + plaintext.len();
        if !dgram.is_empty() && dgram.len() + size > self.config.mtu {
            self.transmits.push_back(std::mem::take(dgram));
        }
        // Cannot fail: handshake epochs have keys by construction and never exhaust 2^48.
        let _ = self.records.write(epoch, content_type, plaintext, dgram);
    }

    pub(crate) fn send_alert(&mut self, level: u8, description: u8) {
        let epoch = if self.records.has_keys() { 1 } else { 0 };
        let mut dgram = Vec::new();
        let alert = Alert { level, description }.encode();
        if self
            .records
            .write(epoch, ContentType::ALERT, &alert, &mut dgram)
            .is_ok()
        {
            self.transmits.push_back(dgram);
        }
    }

    /// A fatal error: tell the peer (when there is something to say) and close.
    pub(crate) fn fail(&mut self, error: DtlsError) {
        if self.closed {
            return;
        }
        if let Some(description) = alert_for(error) {
            self.send_alert(LEVEL_FATAL, description);
        }
        self.shut(CloseReason::Error(error));
    }

    fn shut(&mut self, reason: CloseReason) {
        if self.closed {
            return;
        }
        self.closed = true;
        tracing::debug!(role = ?self.role, ?reason, "closed");
        self.state = State::Closed;
        self.flight.clear();
        self.flight_timer = None;
        self.give_up_at = None;
        self.events.push_back(DtlsEvent::Closed(reason));
    }
}

impl std::fmt::Debug for Dtls {
    /// Role, state and counters only: no secrets, keys or peer data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.state {
            State::ClientHelloSent(_) => "ClientHelloSent",
            State::ClientServerFlight(_) => "ClientServerFlight",
            State::ClientWaitFinished(_) => "ClientWaitFinished",
            State::ServerListen => "ServerListen",
            State::ServerClientFlight(_) => "ServerClientFlight",
            State::Established(_) => "Established",
            State::Closed => "Closed",
        };
        f.debug_struct("Dtls")
            .field("role", &self.role)
            .field("state", &state)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// The alert that tells the peer about a fatal error (RFC 5246 section 7.2.2).
fn alert_for(error: DtlsError) -> Option<u8> {
    Some(match error {
        DtlsError::Malformed(_) => desc::DECODE_ERROR,
        DtlsError::PeerMisbehaved(m) => match m {
            Misbehavior::UnexpectedMessage | Misbehavior::Renegotiation => desc::UNEXPECTED_MESSAGE,
            Misbehavior::BadSignature | Misbehavior::BadFinished => desc::DECRYPT_ERROR,
            Misbehavior::UnsupportedVersion => desc::PROTOCOL_VERSION,
            Misbehavior::BadKeyShare
            | Misbehavior::UnsolicitedChoice
            | Misbehavior::Compression => desc::ILLEGAL_PARAMETER,
            _ => desc::HANDSHAKE_FAILURE,
        },
        DtlsError::FingerprintMismatch | DtlsError::BadCertificate => desc::BAD_CERTIFICATE,
        DtlsError::LimitExceeded(_) | DtlsError::Config(_) => desc::INTERNAL_ERROR,
        DtlsError::HandshakeTimeout | DtlsError::Alert(_) | DtlsError::Closed => return None,
        _ => desc::INTERNAL_ERROR,
    })
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::Certificate;

    #[test]
    fn debug_shows_role_and_state_but_no_secrets() {
        let mut rng = Rng::from_seed([1; 32]);
        let config =
            Config::new(Certificate::generate(&mut rng), vec![]).dangerous_skip_fingerprint_check();
        #[allow(clippy::disallowed_methods)]
        let d = Dtls::new(Role::Server, config, rng, Instant::now()).unwrap();
        let text = format!("{d:?}");
        assert!(
            text.starts_with("Dtls { role: Server, state: \"ServerListen\""),
            "{text}"
        );
        assert!(!text.contains(&format!("{:?}", *d.cookie_secret)));
        assert!(!text.contains("cookie"));
    }

    /// Compile-time: the server's cookie secret, as stored, wipes itself on drop.
    #[test]
    fn cookie_secret_zeroizes_on_drop() {
        fn assert_zod<T: zeroize::ZeroizeOnDrop>(_: &T) {}
        let mut rng = Rng::from_seed([2; 32]);
        let config =
            Config::new(Certificate::generate(&mut rng), vec![]).dangerous_skip_fingerprint_check();
        #[allow(clippy::disallowed_methods)]
        let d = Dtls::new(Role::Server, config, rng, Instant::now()).unwrap();
        assert_zod(&d.cookie_secret);
        assert_ne!(*d.cookie_secret, [0; 32]);
    }

    #[test]
    fn every_fatal_error_maps_to_an_alert_except_silent_ones() {
        assert_eq!(
            alert_for(DtlsError::FingerprintMismatch),
            Some(desc::BAD_CERTIFICATE)
        );
        assert_eq!(
            alert_for(DtlsError::PeerMisbehaved(Misbehavior::BadFinished)),
            Some(desc::DECRYPT_ERROR)
        );
        assert_eq!(
            alert_for(DtlsError::Malformed(Wire::Record)),
            Some(desc::DECODE_ERROR)
        );
        assert_eq!(alert_for(DtlsError::HandshakeTimeout), None);
        assert_eq!(alert_for(DtlsError::Alert(40)), None);
    }
}
