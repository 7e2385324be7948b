//! Heartbeats on an idle association, and giving up when the peer goes silent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use muon_netsim::LinkConfig;
use muon_sctp::{CloseReason, Config, Event, Reliability};

#[test]
fn idle_association_heartbeats_and_measures_rtt() {
    let link = LinkConfig::default().with_delay(Duration::from_millis(40));
    let mut net = pair(1, Config::default(), link.clone(), link);
    connect(&mut net);
    let before = net.network().stats().delivered;
    net.run_for(Duration::from_secs(120)).unwrap();
    // A few heartbeats and their acks, no more.
    let hb = net.network().stats().delivered - before;
    assert!((4..=20).contains(&hb), "{hb}");
    let rtt = net.a.inner().assoc.rtt().unwrap();
    assert!(
        rtt >= Duration::from_millis(79) && rtt <= Duration::from_millis(200),
        "{rtt:?}"
    );
    assert!(!net.a.inner().closed());
}

#[test]
fn silent_peer_closes_the_association() {
    let mut net = pair(
        2,
        Config::default(),
        LinkConfig::default(),
        LinkConfig::default(),
    );
    connect(&mut net);
    // The path dies while data is in flight.
    net.network_mut().set_link(
        muon_netsim::PAIR_ADDR_A.ip(),
        muon_netsim::PAIR_ADDR_B.ip(),
        LinkConfig::down(),
    );
    let msgs = workload(2, 10, &[0], 1000, true, Reliability::Reliable);
    net.a.inner_mut().outbox.extend(msgs);
    net.run_until(Duration::from_secs(24 * 3600), |a, _| a.inner().closed())
        .unwrap();
    assert!(net.a.inner().events.contains(&Event::Closed {
        reason: CloseReason::RetransmitTimeout
    }));
}
