//! The association: one SCTP connection, as a sans-IO state machine (RFC 9260 section 4).
//!
//! The code is split by direction: `input` handles packets that arrive, `output` builds the
//! packets `poll_transmit` hands out, `handshake` the four-way setup, `reconfig` stream
//! resets (RFC 6525) and `timers` the retransmission, SACK, heartbeat and shutdown timers.

mod handshake;
mod input;
mod output;
mod reconfig;
mod timers;

use std::collections::{HashSet, VecDeque};
use std::time::{Duration, Instant};

use bytes::Bytes;
use muon_proto::Rng;

use crate::congestion::{Cwnd, Rto};
use crate::event::{CloseReason, Event, Ppid, Reliability};
use crate::inflight::Inflight;
use crate::reassembly::{Message, Reassembly};
use crate::receiver::Received;
use crate::sender::{OutMessage, SendQueue};
use crate::stats::Stats;
use crate::wire::SackChunk;
use crate::{Config, SctpError, tsn};

/// Most control chunks (INIT-ACK, HEARTBEAT-ACK, ...) queued for sending; more are dropped,
/// so a flood of INITs cannot grow memory while the driver is not polling.
const MAX_CONTROL_QUEUE: usize = 64;
/// Most SACKs decided between two `poll_transmit` calls that wait for their own packet (see
/// `flush_due_sack`); past it the oldest goes, as every later SACK supersedes it. Bounds the
/// SACKs one batch of received packets yields to this plus one: measured on a 20 ms path with
/// 1-5% loss, 4 recovers as much as 32 (T3-rtx expiries, goodput), and on a clean in-process
/// transfer (batches of ~170 packets) costs under 5% of throughput where 32 cost about 8%.
const MAX_EARLY_SACKS: usize = 4;
/// RFC 9260 section 6.2: "a SACK chunk SHOULD be generated for at least every second packet
/// (not every second DATA chunk) received".
const SACK_EVERY_PACKETS: u32 = 2;

/// The association's state (RFC 9260 section 4, figure 3). `Listen` is CLOSED before any
/// handshake: INITs are answered statelessly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Listen,
    CookieWait,
    CookieEchoed,
    Established,
    ShutdownPending,
    ShutdownSent,
    ShutdownReceived,
    ShutdownAckSent,
    Closed,
}

impl State {
    /// States in which DATA may be received.
    fn receives_data(self) -> bool {
        matches!(
            self,
            State::Established | State::ShutdownPending | State::ShutdownSent
        )
    }

    /// States in which we send new DATA and process SACKs.
    fn sends_data(self) -> bool {
        matches!(
            self,
            State::Established | State::ShutdownPending | State::ShutdownReceived
        )
    }
}

/// Our outstanding stream reset request (RFC 6525 section 5.1.2).
#[derive(Debug, Clone)]
struct ResetRequest {
    seq: u32,
    last_tsn: u32,
    streams: Vec<u16>,
}

/// An SCTP association carrying WebRTC data channels.
///
/// Feed it packets with [`handle_receive`](Self::handle_receive) (one SCTP packet = one DTLS
/// record payload) and the clock with [`handle_timeout`](Self::handle_timeout); after any
/// number of inputs, drain [`poll_transmit`](Self::poll_transmit) (packets to hand to DTLS),
/// then [`poll_event`](Self::poll_event), then ask [`poll_timeout`](Self::poll_timeout) when
/// to call `handle_timeout` next.
#[derive(Debug)]
pub struct Association {
    config: Config,
    rng: Rng,
    state: State,
    epoch: Option<Instant>,
    cookie_key: CookieKey,
    local_tag: u32,
    peer_tag: u32,
    local_initial_tsn: u32,
    peer_forward_tsn: bool,
    peer_reconfig: bool,
    zero_checksum_tx: bool,
    out_streams: u16,
    mtu: usize,

    handshake_chunk: Option<Vec<u8>>,
    init_retransmits: u32,
    t1: Option<Instant>,
    control: VecDeque<(u32, Vec<u8>)>,

    queue: SendQueue,
    inflight: Inflight,
    cwnd: Cwnd,
    rto: Rto,
    peer_rwnd: usize,
    t3: Option<Instant>,
    error_count: u32,
    fast_rtx_burst: bool,
    forward_tsn_pending: bool,
    /// The new cumulative TSN of the last FORWARD-TSN sent, and when it was sent.
    forward_tsn_sent: u64,
    forward_tsn_sent_at: Option<Instant>,

    received: Received,
    reasm: Reassembly,
    scratch: VecDeque<Message>,
    events: VecDeque<Event>,
    event_bytes: usize,
    sack_needed: bool,
    sack_at: Option<Instant>,
    data_packets_unacked: u32,
    last_rwnd: u32,
    /// SACKs decided in the middle of a batch of received packets, each to leave alone in a
    /// packet before anything else (at most [`MAX_EARLY_SACKS`]).
    early_sacks: VecDeque<SackChunk>,

    hb_at: Option<Instant>,
    hb_outstanding: Option<u64>,
    hb_send: bool,

    t2: Option<Instant>,

    resetting: HashSet<u16>,
    reset_pending: Vec<u16>,
    reset_in_flight: Option<ResetRequest>,
    reset_resend: bool,
    t_reconfig: Option<Instant>,
    next_request_seq: u32,
    peer_next_request_seq: u32,
    deferred_peer_reset: Option<(u32, u32, Vec<u16>)>,
    last_response: Option<(u32, u32)>,

    stats: Stats,
}

impl Association {
    /// An association that answers INITs (the passive side). It keeps no state for an INIT
    /// until a valid COOKIE-ECHO arrives. Call [`connect`](Self::connect) to also initiate.
    pub fn new(config: Config, mut rng: Rng) -> Self {
        let local_tag = nonzero(&mut rng);
        let local_initial_tsn = rng.u32();
        let cookie_key = CookieKey(rng.array());
        let mtu = config.mtu.clamp(256, 65_535);
        Self {
            queue: SendQueue::new(config.scheduler),
            inflight: Inflight::new(tsn::initial(local_initial_tsn)),
            cwnd: Cwnd::new(config.initial_cwnd, mtu),
            rto: Rto::new(config.rto_initial, config.rto_min, config.rto_max),
            peer_rwnd: 0,
            reasm: Reassembly::new(config.max_message_size),
            received: Received::new(tsn::initial(0)),
            out_streams: config.streams,
            state: State::Listen,
            epoch: None,
            cookie_key,
            local_tag,
            peer_tag: 0,
            local_initial_tsn,
            peer_forward_tsn: false,
            peer_reconfig: false,
            zero_checksum_tx: false,
            mtu,
            handshake_chunk: None,
            init_retransmits: 0,
            t1: None,
            control: VecDeque::new(),
            t3: None,
            error_count: 0,
            fast_rtx_burst: false,
            forward_tsn_pending: false,
            forward_tsn_sent: 0,
            forward_tsn_sent_at: None,
            scratch: VecDeque::new(),
            events: VecDeque::new(),
            event_bytes: 0,
            sack_needed: false,
            sack_at: None,
            data_packets_unacked: 0,
            last_rwnd: config.receive_buffer,
            early_sacks: VecDeque::new(),
            hb_at: None,
            hb_outstanding: None,
            hb_send: false,
            t2: None,
            resetting: HashSet::new(),
            reset_pending: Vec::new(),
            reset_in_flight: None,
            reset_resend: false,
            t_reconfig: None,
            next_request_seq: local_initial_tsn,
            peer_next_request_seq: 0,
            deferred_peer_reset: None,
            last_response: None,
            stats: Stats::default(),
            config,
            rng,
        }
    }

    /// The passive side: waits for the peer's INIT.
    pub fn server(config: Config, rng: Rng) -> Self {
        Self::new(config, rng)
    }

    /// The active side: sends INIT at once. In WebRTC both peers usually do this; the
    /// simultaneous open (both INITs crossing) is handled (RFC 9260 section 5.2.1).
    pub fn client(config: Config, rng: Rng, now: Instant) -> Self {
        let mut a = Self::new(config, rng);
        a.connect(now);
        a
    }

    /// Starts the handshake by sending INIT (RFC 9260 section 5.1 A). Does nothing unless
    /// the association is still waiting.
    pub fn connect(&mut self, now: Instant) {
        self.touch(now);
        if self.state == State::Listen {
            self.send_init(now);
        }
    }

    /// Queues a message on `stream`. Fragmentation, scheduling and retransmission happen as
    /// `poll_transmit` is called. `data` may be empty only with [`Ppid::STRING`] or
    /// [`Ppid::BINARY`], which are then sent as the WebRTC empty variants (56/57).
    /// Partial reliability applies only if the peer supports FORWARD-TSN.
    pub fn send(
        &mut self,
        now: Instant,
        stream: u16,
        ppid: Ppid,
        ordered: bool,
        reliability: Reliability,
        data: Bytes,
    ) -> Result<(), SctpError> {
        self.touch(now);
        if !matches!(
            self.state,
            State::Listen | State::CookieWait | State::CookieEchoed | State::Established
        ) {
            return Err(SctpError::Closed);
        }
        if stream >= self.out_streams {
            return Err(SctpError::InvalidStream(stream));
        }
        if self.resetting.contains(&stream) {
            return Err(SctpError::StreamResetting(stream));
        }
        if data.len() > self.config.max_message_size {
            return Err(SctpError::MessageTooLarge {
                size: data.len(),
                max: self.config.max_message_size,
            });
        }
        let (ppid, data) = if data.is_empty() {
            // RFC 8831 section 6.6: an empty message is one zero byte with PPID 56 or 57.
            match ppid {
                Ppid::STRING => (Ppid::STRING_EMPTY, Bytes::from_static(&[0])),
                Ppid::BINARY => (Ppid::BINARY_EMPTY, Bytes::from_static(&[0])),
                _ => return Err(SctpError::EmptyMessage),
            }
        } else {
            (ppid, data)
        };
        if self.send_buffered_bytes() + data.len() > self.config.max_send_buffer {
            return Err(SctpError::SendBufferFull);
        }
        let expires = match reliability {
            Reliability::MaxLifetime(d) => now.checked_add(d),
            _ => None,
        };
        self.queue.push(
            stream,
            OutMessage::new(ppid.0, !ordered, reliability, expires, data),
        );
        self.stats.messages_sent += 1;
        Ok(())
    }

    /// Bytes queued on `stream` and not yet sent (the data channel `bufferedAmount`).
    pub fn buffered_amount(&self, stream: u16) -> usize {
        self.queue.buffered(stream)
    }

    /// Emits [`Event::BufferedAmountLow`] when `stream`'s buffered amount falls to or below
    /// `threshold`.
    pub fn set_buffered_amount_low_threshold(&mut self, stream: u16, threshold: usize) {
        self.queue.set_low_threshold(stream, threshold);
    }

    /// Bytes held on the send side: queued plus sent but unacknowledged.
    pub fn send_buffered_bytes(&self) -> usize {
        self.queue.queued_bytes() + self.inflight.total_bytes()
    }

    /// Bytes held on the receive side: out-of-order and partial data plus delivered messages
    /// not yet taken with `poll_event`. Never more than `Config::receive_buffer` plus
    /// `Config::max_message_size` (in-order data is taken beyond the window so a message
    /// that buffered data waits for can complete).
    pub fn buffered_bytes(&self) -> usize {
        self.reasm.bytes() + self.event_bytes
    }

    /// Resets our outgoing half of `stream` (RFC 6525 section 5.1.2): queued data is sent
    /// first, then an Outgoing SSN Reset Request; [`Event::StreamReset`] with
    /// [`ResetDirection::Outgoing`](crate::ResetDirection::Outgoing) follows, after which the
    /// stream id may be reused.
    pub fn reset_stream(&mut self, stream: u16) -> Result<(), SctpError> {
        if !matches!(self.state, State::Established) {
            return Err(SctpError::Closed);
        }
        if self.resetting.insert(stream) {
            self.reset_pending.push(stream);
        }
        Ok(())
    }

    /// Starts a graceful shutdown (RFC 9260 section 9.2): queued and outstanding data is
    /// delivered, then SHUTDOWN; [`Event::Closed`] with [`CloseReason::Shutdown`] follows.
    pub fn close(&mut self, now: Instant) {
        self.touch(now);
        match self.state {
            State::Established => {
                self.state = State::ShutdownPending;
                self.maybe_shutdown(now);
            }
            State::Listen | State::CookieWait | State::CookieEchoed => self.abort(),
            _ => {}
        }
    }

    /// Aborts at once: sends ABORT (when the peer is known) and closes.
    pub fn abort(&mut self) {
        if self.state == State::Closed {
            return;
        }
        if self.peer_tag != 0 {
            let mut c = Vec::new();
            crate::wire::Chunk::Abort {
                reflected: false,
                causes: &[],
            }
            .encode(&mut c);
            self.control.push_back((self.peer_tag, c));
        }
        self.close_with(CloseReason::LocalAbort);
    }

    /// Sets the largest packet to send (path MTU discovery is the driver's job). Applies to
    /// data not yet cut into chunks; chunks already sent keep their size when retransmitted.
    pub fn set_mtu(&mut self, mtu: usize) {
        self.mtu = mtu.clamp(256, 65_535);
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        let ev = self.events.pop_front()?;
        if let Event::Message { data, .. } = &ev {
            self.event_bytes = self.event_bytes.saturating_sub(data.len());
            self.stats.messages_received += 1;
            // Tell a sender stalled on a closed window that it reopened.
            let rwnd = self.a_rwnd();
            if self.state.receives_data()
                && self.last_rwnd < self.config.receive_buffer / 4
                && rwnd >= self.config.receive_buffer / 2
            {
                self.sack_needed = true;
            }
        }
        Some(ev)
    }

    /// When `handle_timeout` should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let sack = if self.sack_needed { None } else { self.sack_at };
        [self.t1, self.t2, self.t3, sack, self.hb_at, self.t_reconfig]
            .into_iter()
            .flatten()
            .min()
    }

    /// Counters of what was sent, received and dropped.
    pub fn stats(&self) -> Stats {
        Stats {
            messages_abandoned: self.stats.messages_abandoned + self.queue.expired,
            dropped_bad_message: self.stats.dropped_bad_message + self.reasm.bad_messages,
            ..self.stats
        }
    }

    /// True once established and until closing starts.
    pub fn is_established(&self) -> bool {
        self.state == State::Established
    }

    /// True once closed (an [`Event::Closed`] was queued).
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// The smoothed round-trip time, once measured.
    pub fn rtt(&self) -> Option<Duration> {
        self.rto.srtt()
    }

    /// The current congestion window in bytes.
    pub fn cwnd(&self) -> usize {
        self.cwnd.cwnd
    }

    fn touch(&mut self, now: Instant) {
        self.epoch.get_or_insert(now);
    }

    fn now_ms(&self, now: Instant) -> u64 {
        self.epoch
            .map_or(0, |e| now.saturating_duration_since(e).as_millis() as u64)
    }

    /// Our advertised receiver window.
    fn a_rwnd(&self) -> u32 {
        let held = u32::try_from(self.buffered_bytes()).unwrap_or(u32::MAX);
        self.config.receive_buffer.saturating_sub(held)
    }

    fn push_control(&mut self, tag: u32, chunk: Vec<u8>) {
        if self.control.len() < MAX_CONTROL_QUEUE {
            self.control.push_back((tag, chunk));
        } else {
            self.stats.dropped_unexpected += 1;
        }
    }

    fn close_with(&mut self, reason: CloseReason) {
        if self.state == State::Closed {
            return;
        }
        tracing::debug!(?reason, stats = ?self.stats, "sctp association closed");
        self.state = State::Closed;
        self.t1 = None;
        self.t2 = None;
        self.t3 = None;
        self.sack_at = None;
        self.sack_needed = false;
        self.early_sacks.clear();
        self.hb_at = None;
        self.t_reconfig = None;
        self.queue = SendQueue::new(self.config.scheduler);
        self.inflight = Inflight::new(self.inflight.next_tsn());
        self.events.push_back(Event::Closed { reason });
    }

    /// RFC 9260 section 9.2: SHUTDOWN once everything we sent is acknowledged, SHUTDOWN-ACK
    /// once we are done after the peer's SHUTDOWN.
    fn maybe_shutdown(&mut self, now: Instant) {
        if !self.queue.is_empty() || !self.inflight.is_empty() {
            return;
        }
        match self.state {
            State::ShutdownPending => {
                self.state = State::ShutdownSent;
                self.send_shutdown();
                self.t2 = Some(now + self.rto.rto());
            }
            State::ShutdownReceived => {
                self.state = State::ShutdownAckSent;
                self.send_shutdown_ack();
                self.t2 = Some(now + self.rto.rto());
            }
            _ => {}
        }
    }

    fn send_shutdown(&mut self) {
        let mut c = Vec::new();
        crate::wire::Chunk::Shutdown {
            cum_tsn: tsn::wire(self.received.cum()),
        }
        .encode(&mut c);
        self.push_control(self.peer_tag, c);
    }

    fn send_shutdown_ack(&mut self) {
        let mut c = Vec::new();
        crate::wire::Chunk::ShutdownAck.encode(&mut c);
        self.push_control(self.peer_tag, c);
    }

    /// Counts a retransmission timeout or unanswered heartbeat; true when the association
    /// gave up (RFC 9260 section 8.1).
    fn count_error(&mut self) -> bool {
        self.error_count += 1;
        if self
            .config
            .max_retransmissions
            .is_some_and(|max| self.error_count > max)
        {
            self.abort_with(CloseReason::RetransmitTimeout);
            return true;
        }
        false
    }

    fn abort_with(&mut self, reason: CloseReason) {
        let mut c = Vec::new();
        crate::wire::Chunk::Abort {
            reflected: false,
            causes: &[],
        }
        .encode(&mut c);
        self.control.push_back((self.peer_tag, c));
        self.close_with(reason);
    }
}

/// The secret that seals state cookies; never printed.
struct CookieKey([u8; 32]);

impl std::fmt::Debug for CookieKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

fn nonzero(rng: &mut Rng) -> u32 {
    loop {
        let v = rng.u32();
        if v != 0 {
            return v;
        }
    }
}
