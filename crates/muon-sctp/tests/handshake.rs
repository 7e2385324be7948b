//! Association setup and teardown over a simulated network: client/server, simultaneous
//! open, handshake under loss, graceful shutdown and abort.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use muon_netsim::LinkConfig;
use muon_sctp::{CloseReason, Config, Event};

#[test]
fn client_and_server_connect() {
    let mut net = pair(
        1,
        Config::default(),
        LinkConfig::default(),
        LinkConfig::default(),
    );
    connect(&mut net);
    assert!(net.a.inner().assoc.is_established());
    assert!(net.b.inner().assoc.is_established());
}

#[test]
fn simultaneous_open_connects_both_sides_once() {
    for seed in 0..20 {
        let link = LinkConfig::default().with_delay(Duration::from_millis(20));
        let mut net = pair_both_connect(seed, Config::default(), link.clone(), link);
        connect(&mut net);
        net.run_for(Duration::from_secs(2)).unwrap();
        for p in [net.a.inner(), net.b.inner()] {
            let n = p
                .events
                .iter()
                .filter(|e| matches!(e, Event::Connected))
                .count();
            assert_eq!(n, 1, "seed {seed}");
            assert!(p.assoc.is_established());
        }
        // Data flows both ways afterwards.
        let msgs = workload(seed, 20, &[0, 1], 3000, true, Default::default());
        transfer(&mut net, msgs, true, Duration::from_secs(30));
    }
}

#[test]
fn handshake_survives_heavy_loss() {
    for seed in 0..10 {
        let link = LinkConfig::lossy(0.3).with_delay(Duration::from_millis(10));
        let mut net = pair(seed, Config::default(), link.clone(), link);
        connect(&mut net);
    }
}

#[test]
fn handshake_gives_up_when_the_peer_is_silent() {
    let mut net = pair(3, Config::default(), LinkConfig::down(), LinkConfig::down());
    net.run_until(Duration::from_secs(3600), |a, _| a.inner().closed())
        .unwrap();
    assert!(net.a.inner().events.contains(&Event::Closed {
        reason: CloseReason::HandshakeTimeout
    }));
}

#[test]
fn graceful_shutdown_delivers_everything_first() {
    let link = LinkConfig::lossy(0.05).with_delay(Duration::from_millis(5));
    let mut net = pair(4, Config::default(), link.clone(), link);
    connect(&mut net);
    let msgs = workload(4, 200, &[0, 1, 2], 5000, true, Default::default());
    let n = msgs.len();
    net.a.inner_mut().outbox.extend(msgs);
    net.a.inner_mut().pump();
    let now = net.now();
    net.a.inner_mut().assoc.close(now);
    net.run_until(Duration::from_secs(120), |a, b| {
        a.inner().closed() && b.inner().closed()
    })
    .unwrap();
    assert_eq!(net.b.inner().got_msgs, n);
    assert_delivered(net.a.inner(), net.b.inner(), true);
    for p in [net.a.inner(), net.b.inner()] {
        assert!(p.events.contains(&Event::Closed {
            reason: CloseReason::Shutdown
        }));
    }
}

#[test]
fn abort_closes_both_sides() {
    let mut net = pair(
        5,
        Config::default(),
        LinkConfig::default(),
        LinkConfig::default(),
    );
    connect(&mut net);
    net.a.inner_mut().assoc.abort();
    net.run_until(Duration::from_secs(5), |_, b| b.inner().closed())
        .unwrap();
    assert!(net.a.inner().events.contains(&Event::Closed {
        reason: CloseReason::LocalAbort
    }));
    assert!(net.b.inner().events.contains(&Event::Closed {
        reason: CloseReason::PeerAbort
    }));
}

/// Checksum fields of the DATA-carrying packets a sends once established.
fn data_checksums(a_zero: bool, b_zero: bool) -> Vec<u32> {
    use bytes::Bytes;
    use muon_sctp::{Association, Ppid, Reliability};
    let now = muon_netsim::Clock::new().now();
    let mut ca = Config::default();
    ca.zero_checksum = a_zero;
    let mut cb = Config::default();
    cb.zero_checksum = b_zero;
    let mut a = Association::client(ca, rng(1, 0), now);
    let mut b = Association::server(cb, rng(1, 1));
    let mut sums = Vec::new();
    for round in 0..6 {
        if round == 3 {
            a.send(
                now,
                0,
                Ppid::BINARY,
                true,
                Reliability::Reliable,
                Bytes::from_static(b"x"),
            )
            .unwrap();
        }
        while let Some(p) = a.poll_transmit(now) {
            if p[12] == 0 {
                sums.push(u32::from_le_bytes(p[8..12].try_into().unwrap()));
            }
            b.handle_receive(now, &p).unwrap();
        }
        while let Some(p) = b.poll_transmit(now) {
            a.handle_receive(now, &p).unwrap();
        }
    }
    assert!(a.is_established() && b.is_established());
    assert_eq!(b.stats().messages_sent, 0);
    assert!(std::iter::from_fn(|| b.poll_event()).any(|e| matches!(e, Event::Message { .. })));
    sums
}

#[test]
fn zero_checksum_is_used_only_when_both_offer_it() {
    let both = data_checksums(true, true);
    assert!(!both.is_empty() && both.iter().all(|&s| s == 0), "{both:?}");
    for (a, b) in [(true, false), (false, true), (false, false)] {
        let sums = data_checksums(a, b);
        assert!(!sums.is_empty() && sums.iter().all(|&s| s != 0), "{a} {b}");
    }
}

#[test]
fn zero_checksum_transfer_under_loss() {
    let mut config = Config::default();
    config.zero_checksum = true;
    let link = LinkConfig::lossy(0.05);
    let mut net = pair(6, config, link.clone(), link);
    connect(&mut net);
    let msgs = workload(6, 100, &[0], 8000, true, Default::default());
    transfer(&mut net, msgs, true, Duration::from_secs(600));
}

#[test]
fn simultaneous_open_under_loss_and_duplication() {
    for seed in 100..120 {
        let link = LinkConfig::lossy(0.1)
            .with_delay(Duration::from_millis(15))
            .with_duplicate(0.1);
        let mut net = pair_both_connect(seed, Config::default(), link.clone(), link);
        connect(&mut net);
        let msgs = workload(seed, 10, &[0], 3000, true, Default::default());
        transfer(&mut net, msgs, true, Duration::from_secs(600));
        for p in [net.a.inner(), net.b.inner()] {
            let n = p
                .events
                .iter()
                .filter(|e| matches!(e, Event::Connected))
                .count();
            assert_eq!(n, 1, "seed {seed}");
        }
    }
}
