//! Helpers shared by the scenario tests: drive a bare `Network` with a stream of datagrams.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use muon_netsim::{Clock, Network};
use muon_proto::Transmit;

pub fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

pub const A: &str = "192.0.2.1:1000";
pub const B: &str = "192.0.2.2:2000";

/// A datagram as it came out of the network.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Delivered {
    /// Sequence number written by `stream`.
    pub seq: u32,
    /// When it was sent, since the epoch.
    pub sent: Duration,
    /// When it was delivered, since the epoch.
    pub arrived: Duration,
    pub source: SocketAddr,
    pub destination: SocketAddr,
    pub len: usize,
}

/// A datagram of `size` bytes (at least 4) carrying `seq`.
pub fn datagram(from: SocketAddr, to: SocketAddr, seq: u32, size: usize) -> Transmit {
    let mut contents = vec![0u8; size.max(4)];
    contents[..4].copy_from_slice(&seq.to_be_bytes());
    Transmit {
        source: from,
        destination: to,
        contents,
    }
}

/// Takes out everything due up to and including `until`, each at its exact delivery time.
pub fn drain_until(
    net: &mut Network,
    clock: &mut Clock,
    until: Instant,
    sent: &[Duration],
    out: &mut Vec<Delivered>,
) {
    while let Some(at) = net.next_delivery() {
        if at > until {
            break;
        }
        clock.advance_to(at);
        while let Some(t) = net.poll_deliver(clock.now()) {
            let seq = u32::from_be_bytes(t.contents[..4].try_into().unwrap());
            out.push(Delivered {
                seq,
                sent: sent.get(seq as usize).copied().unwrap_or_default(),
                arrived: clock.elapsed(),
                source: t.source,
                destination: t.destination,
                len: t.contents.len(),
            });
        }
    }
    clock.advance_to(until);
}

/// Sends `n` datagrams of `size` bytes from `from` to `to`, one every `interval`, and returns
/// every delivery in delivery order (the network is drained at the end).
pub fn stream(
    net: &mut Network,
    clock: &mut Clock,
    from: SocketAddr,
    to: SocketAddr,
    n: u32,
    interval: Duration,
    size: usize,
) -> Vec<Delivered> {
    let start = clock.now();
    let mut sent = Vec::with_capacity(n as usize);
    let mut out = Vec::new();
    for seq in 0..n {
        let at = start + interval * seq;
        drain_until(net, clock, at, &sent, &mut out);
        sent.push(clock.elapsed());
        net.send(clock.now(), datagram(from, to, seq, size));
    }
    let far = clock.now() + Duration::from_secs(3600);
    drain_until(net, clock, far, &sent, &mut out);
    assert_eq!(net.in_flight(), 0);
    out
}

/// A hash of a delivery log, for comparing runs.
pub fn log_hash(log: &[Delivered]) -> u64 {
    let mut h = DefaultHasher::new();
    log.hash(&mut h);
    h.finish()
}

/// Lengths of the runs of consecutive missing sequence numbers in `0..n`.
pub fn loss_bursts(log: &[Delivered], n: u32) -> Vec<u32> {
    let mut got = vec![false; n as usize];
    for d in log {
        got[d.seq as usize] = true;
    }
    let mut bursts = Vec::new();
    let mut run = 0;
    for g in got {
        if g {
            if run > 0 {
                bursts.push(run);
            }
            run = 0;
        } else {
            run += 1;
        }
    }
    if run > 0 {
        bursts.push(run);
    }
    bursts
}

/// Sends one datagram at the current time and returns it as delivered (or `None` if the
/// network dropped it), advancing the clock to its delivery.
pub fn send_one(
    net: &mut Network,
    clock: &mut Clock,
    from: SocketAddr,
    to: SocketAddr,
) -> Option<Transmit> {
    net.send(clock.now(), datagram(from, to, 0, 8));
    let at = net.next_delivery()?;
    clock.advance_to(at);
    let out = net.poll_deliver(clock.now());
    assert_eq!(net.in_flight(), 0);
    out
}
