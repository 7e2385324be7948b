//! The engine: state, the sans-IO verbs, and the glue between its parts.
//!
//! - `signaling.rs`: JSEP offer/answer, rollback, trickled candidates.
//! - `transport.rs`: ICE, the RFC 7983 demux, DTLS with the fingerprint proof, SCTP.
//! - `channels.rs`: data channels and DCEP.

mod channels;
mod signaling;
mod transport;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

use muon_dtls::{Certificate, Dtls, Fingerprint, HashAlg};
use muon_ice::{Credentials, IceAgent};
use muon_proto::{Receive, Rng, Transmit};
use muon_sctp::Stats as SctpStats;
use muon_sdp::Setup;

use crate::channel::{Channel, ChannelEntry, ChannelId};
use crate::config::RtcConfig;
use crate::error::RtcError;
use crate::event::RtcEvent;
use crate::jsep::{RemoteParams, Section};
use crate::state::{DtlsTransportState, IceConnectionState, PeerConnectionState, SignalingState};

pub(crate) use transport::DataPath;

/// Counters of what the engine dropped or held; everything refused is counted here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RtcStats {
    /// Datagrams dropped (any [`crate::DropReason`]).
    pub dropped_datagrams: u64,
    /// DTLS datagrams held until ICE validated their source or DTLS existed.
    pub early_datagrams_queued: u64,
    /// Held DTLS datagrams evicted (queue full) or discarded at close.
    pub early_datagrams_dropped: u64,
    /// DCEP messages that did not parse, or opened a stream of the wrong parity or in use.
    pub dcep_refused: u64,
    /// Messages for a stream with no channel, or with an unknown PPID.
    pub messages_dropped: u64,
    /// Remote channel opens refused because [`crate::Limits::max_channels`] was reached.
    pub channels_refused: u64,
}

/// The sans-IO WebRTC peer connection: JSEP signaling, ICE, DTLS, SCTP and data channels
/// behind one set of verbs.
///
/// Inputs: [`handle_receive`](Self::handle_receive) (datagrams from the socket),
/// [`handle_timeout`](Self::handle_timeout), and the API calls (descriptions, candidates,
/// channels). Outputs, polled in this order after any inputs:
/// [`poll_transmit`](Self::poll_transmit) until `None`, [`poll_event`](Self::poll_event)
/// until `None`, then [`poll_timeout`](Self::poll_timeout).
///
/// Time only enters through the `now` arguments; calls without one (sending on a channel)
/// use the latest `now` given.
#[derive(Debug)]
pub struct Rtc {
    pub(crate) config: RtcConfig,
    pub(crate) rng: Rng,
    pub(crate) certificate: Certificate,
    pub(crate) fingerprint: Fingerprint,
    pub(crate) credentials: Credentials,
    pub(crate) session_id: u64,
    pub(crate) session_version: u64,
    pub(crate) now: Instant,
    pub(crate) closed: bool,
    /// A [`RtcEvent::Failed`] was reported.
    pub(crate) failed: bool,
    // --- signaling ---
    pub(crate) signaling: SignalingState,
    /// The negotiated media sections (empty before the first exchange).
    pub(crate) sections: Vec<Section>,
    /// Sections of the offer we created last / applied locally.
    pub(crate) created_offer: Option<Vec<Section>>,
    pub(crate) local_offer: Option<Vec<Section>>,
    /// The answer we created last (its setup).
    pub(crate) created_answer: Option<Setup>,
    /// A remote offer applied, awaiting our answer.
    pub(crate) pending_remote: Option<RemoteParams>,
    /// The remote description in force.
    pub(crate) remote: Option<RemoteParams>,
    pub(crate) local_setup: Option<Setup>,
    /// Whether the last completed exchange had us answering.
    pub(crate) answered_last: bool,
    // --- transport ---
    pub(crate) hosts: Vec<SocketAddr>,
    pub(crate) local_end: bool,
    /// The peer signalled end-of-candidates; passed to ICE by `pass_remote_end`.
    pub(crate) remote_end_pending: bool,
    pub(crate) ice: Option<IceAgent>,
    pub(crate) dtls: Option<Dtls>,
    pub(crate) data: Option<DataPath>,
    pub(crate) ice_state: IceConnectionState,
    pub(crate) dtls_state: DtlsTransportState,
    pub(crate) pc_state: PeerConnectionState,
    pub(crate) early: VecDeque<transport::Early>,
    pub(crate) early_bytes: usize,
    pub(crate) transmits: VecDeque<Transmit>,
    pub(crate) events: VecDeque<RtcEvent>,
    pub(crate) event_bytes: usize,
    // --- channels ---
    pub(crate) channels: BTreeMap<ChannelId, ChannelEntry>,
    pub(crate) by_stream: HashMap<u16, ChannelId>,
    pub(crate) next_channel: u64,
    pub(crate) pending_opens: VecDeque<ChannelId>,
    pub(crate) stats: RtcStats,
}

impl Rtc {
    /// A new engine. The certificate (unless configured), ICE credentials and session id
    /// are drawn from `rng`.
    pub fn new(config: RtcConfig, mut rng: Rng, now: Instant) -> Self {
        let certificate = config
            .certificate
            .clone()
            .unwrap_or_else(|| Certificate::generate(&mut rng));
        let fingerprint = certificate.fingerprint(HashAlg::Sha256);
        let credentials = Credentials::random(&mut rng);
        // JSEP section 5.2.1: a random session id of at most 63 bits.
        let session_id = rng.u64() >> 1;
        Self {
            config,
            rng,
            certificate,
            fingerprint,
            credentials,
            session_id,
            session_version: 1,
            now,
            closed: false,
            failed: false,
            signaling: SignalingState::Stable,
            sections: Vec::new(),
            created_offer: None,
            local_offer: None,
            created_answer: None,
            pending_remote: None,
            remote: None,
            local_setup: None,
            answered_last: false,
            hosts: Vec::new(),
            local_end: false,
            remote_end_pending: false,
            ice: None,
            dtls: None,
            data: None,
            ice_state: IceConnectionState::New,
            dtls_state: DtlsTransportState::New,
            pc_state: PeerConnectionState::New,
            early: VecDeque::new(),
            early_bytes: 0,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            event_bytes: 0,
            channels: BTreeMap::new(),
            by_stream: HashMap::new(),
            next_channel: 0,
            pending_opens: VecDeque::new(),
            stats: RtcStats::default(),
        }
    }

    /// Our ICE credentials (`a=ice-ufrag`, `a=ice-pwd`), fixed for the engine's life: a
    /// driver serving many engines on one port registers them with its `muon_ice::UdpMux`.
    pub fn local_credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Our certificate's SHA-256 fingerprint (`a=fingerprint`).
    pub fn fingerprint(&self) -> &Fingerprint {
        &self.fingerprint
    }

    /// The signaling state.
    pub fn signaling_state(&self) -> SignalingState {
        self.signaling
    }

    /// The ICE connection state.
    pub fn ice_connection_state(&self) -> IceConnectionState {
        self.ice_state
    }

    /// The DTLS transport state.
    pub fn dtls_state(&self) -> DtlsTransportState {
        self.dtls_state
    }

    /// The peer connection state.
    pub fn connection_state(&self) -> PeerConnectionState {
        self.pc_state
    }

    /// Whether ICE gathering is complete (every local candidate is in the local description).
    pub fn is_gathering_complete(&self) -> bool {
        self.ice
            .as_ref()
            .is_some_and(IceAgent::is_gathering_complete)
    }

    /// Counters.
    pub fn stats(&self) -> RtcStats {
        self.stats
    }

    /// The SCTP association's counters (packets, retransmissions, abandoned messages), once
    /// it exists.
    pub fn sctp_stats(&self) -> Option<SctpStats> {
        self.data.as_ref().map(|d| d.sctp.stats())
    }

    /// The selected ICE pair (local, remote), once connected.
    pub fn selected_pair(&self) -> Option<(SocketAddr, SocketAddr)> {
        let p = self.ice.as_ref()?.selected_pair()?;
        Some((p.local, p.remote))
    }

    /// A handle on channel `id`, while it exists.
    pub fn channel(&mut self, id: ChannelId) -> Option<Channel<'_>> {
        if self.channels.contains_key(&id) {
            Some(Channel { rtc: self, id })
        } else {
            None
        }
    }

    /// The ids of the channels that exist now.
    pub fn channel_ids(&self) -> Vec<ChannelId> {
        self.channels.keys().copied().collect()
    }

    /// Adds a local address the driver's socket is bound to (a host candidate). An address
    /// the host filter excludes (loopback needs [`muon_ice::HostFilter::loopback`]) is
    /// refused with [`RtcError::BadCandidate`].
    pub fn add_local_address(&mut self, now: Instant, addr: SocketAddr) -> Result<(), RtcError> {
        self.now = now;
        if !self.config.host_filter.accepts(addr.ip()) {
            return Err(RtcError::BadCandidate);
        }
        if self.hosts.contains(&addr) {
            return Ok(());
        }
        self.hosts.push(addr);
        if let Some(ice) = &mut self.ice {
            ice.add_host_candidate(now, addr)
                .map_err(|_| RtcError::BadCandidate)?;
        }
        self.pump(now);
        Ok(())
    }

    /// Every local address was added: gathering completes once STUN servers answered.
    pub fn end_of_local_addresses(&mut self, now: Instant) {
        self.now = now;
        self.local_end = true;
        if let Some(ice) = &mut self.ice {
            ice.end_of_local_candidates(now);
        }
        self.pump(now);
    }

    /// Takes one received datagram. An error says why it was dropped (counted in
    /// [`stats`](Self::stats)); the engine stays usable.
    pub fn handle_receive(&mut self, now: Instant, rx: Receive<'_>) -> Result<(), RtcError> {
        self.now = now;
        let result = self.receive(now, rx);
        if result.is_err() {
            self.stats.dropped_datagrams += 1;
        }
        self.pump(now);
        result
    }

    /// Advances timers of every layer.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        if self.closed {
            return;
        }
        if let Some(ice) = &mut self.ice {
            ice.handle_timeout(now);
        }
        if let Some(dtls) = &mut self.dtls {
            dtls.handle_timeout(now);
        }
        if let Some(data) = &mut self.data {
            data.sctp.handle_timeout(now);
        }
        self.pump(now);
    }

    /// The next datagram to send.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        if self.transmits.is_empty() {
            self.pump(self.now);
        }
        self.transmits.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<RtcEvent> {
        if self.events.is_empty() {
            self.pump(self.now);
        }
        let ev = self.events.pop_front()?;
        if let RtcEvent::ChannelMessage { data, .. } = &ev {
            self.event_bytes = self.event_bytes.saturating_sub(data.len());
        }
        Some(ev)
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closed {
            return None;
        }
        [
            self.ice.as_ref().and_then(IceAgent::poll_timeout),
            self.dtls.as_ref().and_then(Dtls::poll_timeout),
            self.data.as_ref().and_then(|d| d.sctp.poll_timeout()),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Closes the connection: SCTP ABORT and DTLS close_notify go out (poll them), every
    /// channel closes, and nothing more is sent or received.
    pub fn close(&mut self, now: Instant) {
        if self.closed {
            return;
        }
        self.now = now;
        if let Some(data) = &mut self.data {
            data.sctp.abort();
        }
        self.flush_output(now);
        if let Some(dtls) = &mut self.dtls {
            dtls.close();
        }
        self.flush_output(now);
        if let Some(ice) = &mut self.ice {
            ice.close(now);
        }
        self.closed = true;
        self.close_all_channels();
        self.stats.early_datagrams_dropped += self.early.len() as u64;
        self.early.clear();
        self.early_bytes = 0;
        self.set_signaling(SignalingState::Closed);
        if self.dtls_state != DtlsTransportState::Failed {
            self.set_dtls_state(DtlsTransportState::Closed);
        }
        self.update_pc_state();
    }

    pub(crate) fn push_event(&mut self, ev: RtcEvent) {
        if let RtcEvent::ChannelMessage { data, .. } = &ev {
            self.event_bytes += data.len();
        }
        self.events.push_back(ev);
    }

    pub(crate) fn set_signaling(&mut self, s: SignalingState) {
        if self.signaling != s {
            self.signaling = s;
            self.push_event(RtcEvent::SignalingState(s));
        }
    }

    pub(crate) fn set_dtls_state(&mut self, s: DtlsTransportState) {
        if self.dtls_state != s {
            self.dtls_state = s;
            self.push_event(RtcEvent::DtlsState(s));
        }
    }

    pub(crate) fn update_pc_state(&mut self) {
        let s = PeerConnectionState::aggregate(self.closed, self.ice_state, self.dtls_state);
        if s != self.pc_state {
            self.pc_state = s;
            self.push_event(RtcEvent::PeerConnectionState(s));
        }
    }

    /// The mid of the data channel section (`"0"` before any negotiation).
    pub(crate) fn app_mid(&self) -> String {
        self.sections
            .iter()
            .chain(self.local_offer.iter().flatten())
            .chain(self.pending_remote.iter().flat_map(|r| r.sections.iter()))
            .find_map(|s| match s {
                Section::Application { mid } => Some(mid.clone()),
                Section::Rejected { .. } => None,
            })
            .unwrap_or_else(|| "0".to_owned())
    }
}
