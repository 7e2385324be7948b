//! Shared test bed: an association wrapped as a `muon_netsim::DatagramMachine`, with a
//! workload it feeds into `send` as the send buffer allows, and a record of what arrived.
#![allow(dead_code, unreachable_pub)]

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use bytes::Bytes;
use muon_netsim::{Addressed, DatagramMachine, LinkConfig, Pair};
use muon_proto::Rng;
use muon_sctp::{Association, Config, Event, Ppid, Reliability, SctpError};
use sha2::{Digest, Sha256};

/// One message of a workload.
#[derive(Debug, Clone)]
pub struct Msg {
    pub stream: u16,
    pub ppid: Ppid,
    pub ordered: bool,
    pub reliability: Reliability,
    pub data: Bytes,
}

/// An association plus its application.
pub struct Peer {
    pub assoc: Association,
    pub now: Instant,
    pub outbox: VecDeque<Msg>,
    /// Hashes of messages handed to `send`, per stream, in order.
    pub sent: BTreeMap<u16, Vec<[u8; 32]>>,
    /// Hashes of messages received, per stream, in arrival order.
    pub got: BTreeMap<u16, Vec<[u8; 32]>>,
    pub got_bytes: usize,
    pub got_msgs: usize,
    /// Every event other than `Message`.
    pub events: Vec<Event>,
    /// (stream, ppid, data) of each message, when `keep_messages`.
    pub messages: Vec<(u16, Ppid, Bytes)>,
    pub keep_messages: bool,
    pub errors: u64,
    /// When set, received messages are not taken from the association (a stalled app).
    pub stall_reading: bool,
}

pub fn hash(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

impl Peer {
    pub fn new(assoc: Association, now: Instant) -> Self {
        Self {
            assoc,
            now,
            outbox: VecDeque::new(),
            sent: BTreeMap::new(),
            got: BTreeMap::new(),
            got_bytes: 0,
            got_msgs: 0,
            events: Vec::new(),
            messages: Vec::new(),
            keep_messages: false,
            errors: 0,
            stall_reading: false,
        }
    }

    pub fn connected(&self) -> bool {
        self.events.iter().any(|e| matches!(e, Event::Connected))
    }

    pub fn closed(&self) -> bool {
        self.events
            .iter()
            .any(|e| matches!(e, Event::Closed { .. }))
    }

    /// Feeds the outbox into `send` and drains events.
    pub fn pump(&mut self) {
        while let Some(m) = self.outbox.front() {
            match self.assoc.send(
                self.now,
                m.stream,
                m.ppid,
                m.ordered,
                m.reliability,
                m.data.clone(),
            ) {
                Ok(()) => {
                    let h = hash(&m.data);
                    self.sent.entry(m.stream).or_default().push(h);
                    self.outbox.pop_front();
                }
                Err(SctpError::SendBufferFull) => break,
                Err(e) => panic!("send failed: {e}"),
            }
        }
        if self.stall_reading {
            return;
        }
        while let Some(ev) = self.assoc.poll_event() {
            match ev {
                Event::Message {
                    stream, ppid, data, ..
                } => {
                    self.got.entry(stream).or_default().push(hash(&data));
                    self.got_bytes += data.len();
                    self.got_msgs += 1;
                    if self.keep_messages {
                        self.messages.push((stream, ppid, data));
                    }
                }
                other => self.events.push(other),
            }
        }
    }
}

impl DatagramMachine for Peer {
    fn handle_datagram(&mut self, now: Instant, datagram: &[u8]) {
        self.now = now;
        if self.assoc.handle_receive(now, datagram).is_err() {
            self.errors += 1;
        }
        self.pump();
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        self.assoc.handle_timeout(now);
        self.pump();
    }

    fn poll_datagram(&mut self) -> Option<Vec<u8>> {
        self.pump();
        self.assoc.poll_transmit(self.now)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.assoc.poll_timeout()
    }
}

pub type Net = Pair<Addressed<Peer>, Addressed<Peer>>;

/// A client (a) and a server (b) on a network with the given links.
pub fn pair(seed: u64, config: Config, ab: LinkConfig, ba: LinkConfig) -> Net {
    // The harness clock starts at its own epoch, a moment after this one; machines follow
    // the harness's `now` from their first input on.
    let now = muon_netsim::Clock::new().now();
    Pair::datagram(
        seed,
        Peer::new(Association::client(config.clone(), rng(seed, 0), now), now),
        Peer::new(Association::server(config, rng(seed, 1)), now),
        ab,
        ba,
    )
}

/// Both sides initiate (the WebRTC case).
pub fn pair_both_connect(seed: u64, config: Config, ab: LinkConfig, ba: LinkConfig) -> Net {
    let mut net = pair(seed, config, ab, ba);
    let now = net.now();
    net.b.inner_mut().assoc.connect(now);
    net
}

pub fn rng(seed: u64, who: u8) -> Rng {
    let mut s = [who; 32];
    s[..8].copy_from_slice(&seed.to_le_bytes());
    Rng::from_seed(s)
}

pub fn connect(net: &mut Net) {
    net.run_until(Duration::from_secs(600), |a, b| {
        a.inner().connected() && b.inner().connected()
    })
    .expect("association must establish");
}

/// `n` messages on `streams`, sizes uniform in `1..=max_len`, contents pseudo-random.
pub fn workload(
    seed: u64,
    n: usize,
    streams: &[u16],
    max_len: usize,
    ordered: bool,
    reliability: Reliability,
) -> Vec<Msg> {
    let mut r = rng(seed, 9);
    (0..n)
        .map(|i| {
            let len = 1 + r.below(max_len as u64) as usize;
            let mut data = vec![0u8; len];
            r.fill(&mut data);
            Msg {
                stream: streams[i % streams.len()],
                ppid: Ppid::BINARY,
                ordered,
                reliability,
                data: Bytes::from(data),
            }
        })
        .collect()
}

/// Asserts that every message sent on `from` arrived at `to` exactly once, byte for byte,
/// in order on ordered streams (all streams when `ordered`).
pub fn assert_delivered(from: &Peer, to: &Peer, ordered: bool) {
    assert_eq!(
        from.sent.keys().collect::<Vec<_>>(),
        to.got.keys().collect::<Vec<_>>(),
        "streams differ"
    );
    for (stream, sent) in &from.sent {
        let got = &to.got[stream];
        if ordered {
            assert_eq!(sent, got, "stream {stream}: order or content differs");
        } else {
            let mut a = sent.clone();
            let mut b = got.clone();
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "stream {stream}: content differs");
        }
    }
}

pub fn total_sent(p: &Peer) -> usize {
    p.sent.values().map(Vec::len).sum()
}

/// Runs a one-way transfer of `msgs` from a to b and checks delivery.
pub fn transfer(net: &mut Net, msgs: Vec<Msg>, ordered: bool, max: Duration) -> Instant {
    let n = msgs.len();
    net.a.inner_mut().outbox.extend(msgs);
    let start = net.now();
    let end = net
        .run_until(max, |a, b| {
            b.inner().got_msgs == n && a.inner().outbox.is_empty()
        })
        .unwrap_or_else(|e| {
            panic!(
                "transfer did not finish: {e}; got {} of {n}; stats a {:?} b {:?}",
                net.b.inner().got_msgs,
                net.a.inner().assoc.stats(),
                net.b.inner().assoc.stats()
            )
        });
    assert_delivered(net.a.inner(), net.b.inner(), ordered);
    let _ = start;
    end
}
