//! [`PeerConnection`]: the async API over one engine and its driver task.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Instant;

use muon_ice::HostFilter;
use muon_proto::Rng;
use muon_rtc::{
    ChannelId, ChannelState, DataChannelInit, DtlsTransportState, FailReason, IceConnectionState,
    PeerConnectionState, Rtc, RtcConfig, RtcStats, SctpStats, SessionDescription, SignalingState,
};
use tokio::sync::{Notify, mpsc, watch};
use tracing::Instrument;

use crate::channel::{ChannelShared, DataChannel, Message};
use crate::config::Config;
use crate::error::Error;
use crate::gather::local_ips;
use crate::io::{Batch, PeerIo, SocketSet};

/// Something that happened on a [`PeerConnection`], from
/// [`next_event`](PeerConnection::next_event) or its `Stream`.
#[derive(Debug)]
#[non_exhaustive]
pub enum PeerEvent {
    /// A local candidate to trickle: give it to the peer's `add_ice_candidate`.
    IceCandidate {
        /// `candidate:...`.
        candidate: String,
        /// The media section (`sdpMid`).
        mid: String,
    },
    /// Gathering is complete; [`PeerConnection::local_description`] holds every candidate.
    IceGatheringComplete,
    /// ICE connection state.
    IceConnectionState(IceConnectionState),
    /// DTLS transport state.
    DtlsState(DtlsTransportState),
    /// Peer connection state.
    ConnectionState(PeerConnectionState),
    /// Signaling state.
    SignalingState(SignalingState),
    /// The peer opened a data channel.
    DataChannel(DataChannel),
    /// The transport failed (consent expired, fingerprint mismatch, ...).
    Failed(FailReason),
}

/// The engine and the routes of its channels, behind one lock never held across `.await`.
#[derive(Debug)]
pub(crate) struct Core {
    pub(crate) rtc: Rtc,
    pub(crate) routes: HashMap<ChannelId, Route>,
    pub(crate) closed: bool,
    pub(crate) dropped_events: u64,
    /// A sender waits for the association's send buffer (queued plus unacknowledged bytes of
    /// every channel) to drain; the driver wakes it after the next datagrams.
    pub(crate) wants_room: bool,
}

/// Where a channel's messages and state go.
#[derive(Debug)]
pub(crate) struct Route {
    pub(crate) tx: mpsc::Sender<Message>,
    pub(crate) shared: Arc<ChannelShared>,
}

/// What the API handles and the driver task share.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) core: Mutex<Core>,
    /// Wakes the driver after an API call changed the engine.
    pub(crate) wake: Notify,
    /// Woken when gathering completes.
    pub(crate) gathered: Notify,
    /// Woken after datagrams arrived while a sender waited for the association's room.
    pub(crate) room: Notify,
    pub(crate) config: Config,
}

impl Inner {
    pub(crate) fn lock(&self) -> Result<MutexGuard<'_, Core>, Error> {
        self.core.lock().map_err(|_| Error::Closed)
    }

    /// Runs `f` on the engine with the current time, then wakes the driver.
    fn with<T>(
        &self,
        f: impl FnOnce(&mut Rtc, Instant) -> Result<T, muon_rtc::RtcError>,
    ) -> Result<T, Error> {
        let result = {
            let mut core = self.lock()?;
            if core.closed {
                return Err(Error::Closed);
            }
            f(&mut core.rtc, Instant::now())
        };
        self.wake.notify_one();
        Ok(result?)
    }

    /// A channel handle and its route, registered under the lock so no message is missed.
    pub(crate) fn register(
        self: &Arc<Self>,
        core: &mut Core,
        id: ChannelId,
    ) -> Option<DataChannel> {
        let threshold = self.config.send_high_water / 2;
        let mut ch = core.rtc.channel(id)?;
        ch.set_buffered_amount_low_threshold(threshold);
        let shared = Arc::new(ChannelShared {
            id,
            label: ch.label().to_owned(),
            protocol: ch.protocol().to_owned(),
            ordered: ch.ordered(),
            max_retransmits: ch.max_retransmits(),
            max_packet_lifetime: ch.max_packet_lifetime(),
            state: watch::Sender::new(ch.state()),
            low: Notify::new(),
        });
        let (tx, rx) = mpsc::channel(self.config.channel_queue.max(1));
        core.routes.insert(
            id,
            Route {
                tx,
                shared: Arc::clone(&shared),
            },
        );
        Some(DataChannel {
            inner: Arc::clone(self),
            shared,
            rx,
        })
    }
}

/// A WebRTC peer connection (`RTCPeerConnection`) carrying data channels.
///
/// Built with [`PeerConnection::new`] inside a tokio runtime: it binds one UDP socket per
/// local address and spawns the task that drives the engine. Signaling is the application's:
/// move the descriptions (and trickled candidates) between peers by any means.
#[derive(Debug)]
pub struct PeerConnection {
    inner: Arc<Inner>,
    events: mpsc::Receiver<PeerEvent>,
    local_addrs: Vec<SocketAddr>,
}

impl PeerConnection {
    /// Binds sockets on the local interfaces the config allows, seeds the engine from the OS
    /// and starts the driver task.
    pub async fn new(config: Config) -> Result<Self, Error> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|_| Error::Randomness)?;
        let now = Instant::now();
        let mut filter = HostFilter::all();
        // A mux's addresses were chosen by the application: loopback among them too.
        filter.loopback = config.interfaces.loopback || config.mux.is_some();
        let mut rtc_config = RtcConfig::default().with_host_filter(filter);
        rtc_config.stun_servers.clone_from(&config.stun_servers);
        rtc_config.max_message_size = config.max_message_size;
        rtc_config.limits = config.limits;
        rtc_config.certificate.clone_from(&config.certificate);
        let mut rtc = Rtc::new(rtc_config, Rng::from_seed(seed), now);
        let mut ips_empty = false;
        let io = if let Some(mux) = &config.mux {
            let port = mux.register(rtc.local_credentials())?;
            for addr in port.addresses() {
                // The mux's addresses passed no filter: take them as they are.
                let _ = rtc.add_local_address(now, addr);
            }
            PeerIo::Muxed(port, Vec::new())
        } else {
            let ips = local_ips(&config.interfaces);
            ips_empty = ips.is_empty();
            let mut sockets = match config.udp_ports {
                Some(range) => {
                    let start = u16::from_be_bytes([seed[0], seed[1]]);
                    SocketSet::bind_in_range(ips, range, start)
                }
                None => SocketSet::bind(ips),
            };
            sockets.retain(|addr| rtc.add_local_address(now, addr).is_ok());
            PeerIo::Own(sockets, Batch::new())
        };
        let local_addrs: Vec<SocketAddr> = match &io {
            PeerIo::Own(sockets, _) => sockets.addresses().collect(),
            PeerIo::Muxed(port, _) => port.addresses().collect(),
        };
        if local_addrs.is_empty() {
            return Err(match config.udp_ports {
                Some((low, high)) if config.mux.is_none() && !ips_empty => {
                    Error::NoFreePort { low, high }
                }
                _ => Error::NoLocalAddress,
            });
        }
        rtc.end_of_local_addresses(now);
        let (events_tx, events) = mpsc::channel(config.event_queue.max(1));
        let inner = Arc::new(Inner {
            core: Mutex::new(Core {
                rtc,
                routes: HashMap::new(),
                closed: false,
                dropped_events: 0,
                wants_room: false,
            }),
            wake: Notify::new(),
            gathered: Notify::new(),
            room: Notify::new(),
            config,
        });
        let span = tracing::debug_span!("muon_peer");
        tokio::spawn(crate::driver::run(Arc::clone(&inner), io, events_tx).instrument(span));
        Ok(Self {
            inner,
            events,
            local_addrs,
        })
    }

    /// The local socket addresses (host candidates).
    pub fn local_addresses(&self) -> &[SocketAddr] {
        &self.local_addrs
    }

    /// Creates an offer (see [`Rtc::create_offer`]).
    pub async fn create_offer(&self) -> Result<SessionDescription, Error> {
        self.inner.with(|rtc, now| rtc.create_offer(now))
    }

    /// Creates the answer to the applied remote offer.
    pub async fn create_answer(&self) -> Result<SessionDescription, Error> {
        self.inner.with(|rtc, now| rtc.create_answer(now))
    }

    /// Applies our offer, answer or a rollback.
    pub async fn set_local_description(&self, desc: &SessionDescription) -> Result<(), Error> {
        self.inner
            .with(|rtc, now| rtc.set_local_description(now, desc))
    }

    /// Applies the peer's offer, answer or a rollback. A bad description is an error naming
    /// the problem ([`muon_rtc::SdpError`]) and changes nothing.
    pub async fn set_remote_description(&self, desc: &SessionDescription) -> Result<(), Error> {
        self.inner
            .with(|rtc, now| rtc.set_remote_description(now, desc))
    }

    /// Adds a trickled remote candidate; `""` signals end-of-candidates.
    pub async fn add_ice_candidate(&self, candidate: &str) -> Result<(), Error> {
        self.inner
            .with(|rtc, now| rtc.add_ice_candidate(now, candidate))
    }

    /// Waits until every local candidate is gathered (for non-trickle signaling: then send
    /// [`local_description`](Self::local_description)).
    pub async fn gathering_complete(&self) -> Result<(), Error> {
        loop {
            let notified = self.inner.gathered.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let core = self.inner.lock()?;
                if core.rtc.is_gathering_complete() {
                    return Ok(());
                }
                if core.closed {
                    return Err(Error::Closed);
                }
            }
            notified.await;
        }
    }

    /// The current local description, with every candidate gathered so far.
    pub fn local_description(&self) -> Option<SessionDescription> {
        self.inner.lock().ok()?.rtc.local_description()
    }

    /// The peer connection state.
    pub fn connection_state(&self) -> PeerConnectionState {
        self.inner
            .lock()
            .map_or(PeerConnectionState::Closed, |c| c.rtc.connection_state())
    }

    /// Creates a data channel; it opens once the connection is up
    /// ([`DataChannel::opened`]).
    pub async fn create_data_channel(
        &self,
        label: &str,
        init: DataChannelInit,
    ) -> Result<DataChannel, Error> {
        let channel = {
            let mut core = self.inner.lock()?;
            if core.closed {
                return Err(Error::Closed);
            }
            let id = core.rtc.create_data_channel(label, init)?;
            self.inner
                .register(&mut core, id)
                .ok_or(Error::ChannelClosed)?
        };
        self.inner.wake.notify_one();
        Ok(channel)
    }

    /// The next event; `None` once the connection is closed and its events drained.
    pub async fn next_event(&mut self) -> Option<PeerEvent> {
        self.events.recv().await
    }

    /// What the engine counted and dropped (datagrams, DCEP, messages).
    pub fn stats(&self) -> RtcStats {
        self.inner.lock().map(|c| c.rtc.stats()).unwrap_or_default()
    }

    /// The SCTP association's counters (packets, retransmissions, abandoned messages), once
    /// the association exists.
    pub fn sctp_stats(&self) -> Option<SctpStats> {
        self.inner.lock().ok()?.rtc.sctp_stats()
    }

    /// Events dropped because nobody read them ([`crate::Config::event_queue`] was full).
    pub fn dropped_events(&self) -> u64 {
        self.inner.lock().map_or(0, |c| c.dropped_events)
    }

    /// Closes the connection: the peer is told (SCTP ABORT, DTLS close_notify), every
    /// channel closes, the driver task ends.
    pub async fn close(&self) {
        self.close_now();
    }

    fn close_now(&self) {
        if let Ok(mut core) = self.inner.lock() {
            core.rtc.close(Instant::now());
            core.closed = true;
        }
        self.inner.wake.notify_one();
    }
}

impl Drop for PeerConnection {
    fn drop(&mut self) {
        self.close_now();
    }
}

impl futures_core::Stream for PeerConnection {
    type Item = PeerEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<PeerEvent>> {
        self.events.poll_recv(cx)
    }
}

/// Marks a channel's handle closed.
pub(crate) fn mark_closed(shared: &ChannelShared) {
    shared.state.send_replace(ChannelState::Closed);
    shared.low.notify_waiters();
}
