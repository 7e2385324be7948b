//! Two engines on muon-netsim: a `Machine` wrapper that records events, and offer/answer.
#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use muon_ice::HostFilter;
use muon_netsim::{Clock, LinkConfig, Machine, Pair};
use muon_proto::{Receive, Rng, Transmit};
use muon_rtc::{ChannelId, Rtc, RtcConfig, RtcEvent};

pub const ADDR_A: &str = "10.0.0.1:5000";
pub const ADDR_B: &str = "10.0.0.2:6000";

/// An engine on the simulated network, keeping every event it reported.
pub struct Peer {
    pub rtc: Rtc,
    pub events: Vec<RtcEvent>,
    pub now: Instant,
    /// While set, events stay in the engine (an application that stopped reading).
    pub paused: bool,
}

impl Peer {
    pub fn new(seed: u8, now: Instant, addr: SocketAddr) -> Self {
        Self::with_limits(seed, now, addr, muon_rtc::Limits::default())
    }

    pub fn with_limits(seed: u8, now: Instant, addr: SocketAddr, limits: muon_rtc::Limits) -> Self {
        let config = RtcConfig::default()
            .with_host_filter(HostFilter::all())
            .with_limits(limits);
        let mut rtc = Rtc::new(config, Rng::from_seed([seed; 32]), now);
        rtc.add_local_address(now, addr).unwrap();
        rtc.end_of_local_addresses(now);
        Self {
            rtc,
            events: Vec::new(),
            now,
            paused: false,
        }
    }

    pub fn drain(&mut self) {
        if self.paused {
            return;
        }
        while let Some(ev) = self.rtc.poll_event() {
            self.events.push(ev);
        }
    }

    pub fn has(&self, ev: &RtcEvent) -> bool {
        self.events.contains(ev)
    }

    pub fn messages(&self, id: ChannelId) -> Vec<Bytes> {
        self.events
            .iter()
            .filter_map(|e| match e {
                RtcEvent::ChannelMessage { id: i, data, .. } if *i == id => Some(data.clone()),
                _ => None,
            })
            .collect()
    }

    /// Channels the peer opened towards us, in order.
    pub fn remote_channels(&self) -> Vec<ChannelId> {
        self.events
            .iter()
            .filter_map(|e| match e {
                RtcEvent::DataChannel(id) => Some(*id),
                _ => None,
            })
            .collect()
    }

    pub fn is_open(&self, id: ChannelId) -> bool {
        self.has(&RtcEvent::ChannelOpen(id))
    }
}

impl Machine for Peer {
    fn handle_receive(&mut self, now: Instant, rx: Receive<'_>) {
        self.now = now;
        let _ = self.rtc.handle_receive(now, rx);
        self.drain();
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        self.rtc.handle_timeout(now);
        self.drain();
    }

    fn poll_transmit(&mut self) -> Option<Transmit> {
        let t = self.rtc.poll_transmit();
        self.drain();
        t
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.rtc.poll_timeout()
    }
}

/// Offer from `a`, answer from `b`, applied both ways (non-trickle: candidates inside).
pub fn negotiate(a: &mut Rtc, b: &mut Rtc, now: Instant) {
    let offer = a.create_offer(now).unwrap();
    a.set_local_description(now, &offer).unwrap();
    b.set_remote_description(now, &offer).unwrap();
    let answer = b.create_answer(now).unwrap();
    b.set_local_description(now, &answer).unwrap();
    a.set_remote_description(now, &answer).unwrap();
}

/// Two peers at ADDR_A/ADDR_B with `link` both ways; `setup` runs on both engines before
/// the negotiation (create channels there).
pub fn pair(
    seed: u64,
    link: LinkConfig,
    setup: impl FnOnce(&mut Rtc, &mut Rtc),
) -> Pair<Peer, Peer> {
    let clock = Clock::new();
    let now = clock.now();
    let (addr_a, addr_b) = (ADDR_A.parse().unwrap(), ADDR_B.parse().unwrap());
    let mut a = Peer::new(seed as u8 | 1, now, addr_a);
    let mut b = Peer::new(seed as u8 | 0x80, now, addr_b);
    setup(&mut a.rtc, &mut b.rtc);
    negotiate(&mut a.rtc, &mut b.rtc, now);
    Pair::new(seed, a, addr_a, b, addr_b, link.clone(), link).with_clock(clock)
}

/// A message of `len` bytes whose content depends on `tag` and the position.
pub fn pattern(tag: u8, len: usize) -> Bytes {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ tag)
        .collect::<Vec<u8>>()
        .into()
}
