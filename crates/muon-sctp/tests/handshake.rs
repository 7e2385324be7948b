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

#[test]
fn zero_checksum_is_used_only_when_both_offer_it() {
    let mut config = Config::default();
    config.zero_checksum = true;
    let mut net = pair(6, config, LinkConfig::default(), LinkConfig::default());
    connect(&mut net);
    let msgs = workload(6, 50, &[0], 2000, true, Default::default());
    transfer(&mut net, msgs, true, Duration::from_secs(10));
}
