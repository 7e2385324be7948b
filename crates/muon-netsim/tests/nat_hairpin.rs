//! Hairpinning: two hosts behind one NAT reaching each other through external addresses
//! (RFC 4787 section 6).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{addr, ip, send_one};
use muon_netsim::{Clock, NatConfig, NatKind, Network};

const P1: &str = "10.0.0.2:5000";
const P2: &str = "10.0.0.3:5000";
const STUN: &str = "198.51.100.1:3478";

fn setup(config: NatConfig) -> (Network, Clock) {
    let mut net = Network::new(41);
    let nat = net.add_nat_with(ip("203.0.113.1"), config);
    net.add_private_host(nat, ip("10.0.0.2"));
    net.add_private_host(nat, ip("10.0.0.3"));
    (net, Clock::new())
}

#[test]
fn hairpinning_presents_the_external_source() {
    let cfg = NatConfig::new(NatKind::FullCone, Duration::from_secs(60)).with_hairpinning(true);
    let (mut net, mut clock) = setup(cfg);
    let m1 = send_one(&mut net, &mut clock, addr(P1), addr(STUN))
        .unwrap()
        .source;
    let m2 = send_one(&mut net, &mut clock, addr(P2), addr(STUN))
        .unwrap()
        .source;
    let t = send_one(&mut net, &mut clock, addr(P1), m2).unwrap();
    assert_eq!(t.destination, addr(P2));
    assert_eq!(t.source, m1, "REQ-9: the receiver sees the external source");
}

#[test]
fn hairpinning_respects_filtering() {
    let cfg =
        NatConfig::new(NatKind::PortRestricted, Duration::from_secs(60)).with_hairpinning(true);
    let (mut net, mut clock) = setup(cfg);
    let m1 = send_one(&mut net, &mut clock, addr(P1), addr(STUN))
        .unwrap()
        .source;
    let m2 = send_one(&mut net, &mut clock, addr(P2), addr(STUN))
        .unwrap()
        .source;
    assert!(
        send_one(&mut net, &mut clock, addr(P1), m2).is_none(),
        "P2 never sent to m1"
    );
    // P1's attempt opened its own filter for m2, so P2 gets through now, and then P1 too.
    let t = send_one(&mut net, &mut clock, addr(P2), m1).unwrap();
    assert_eq!((t.source, t.destination), (m2, addr(P1)));
    assert!(send_one(&mut net, &mut clock, addr(P1), m2).is_some());
}

#[test]
fn without_hairpinning_external_addresses_are_unreachable_from_inside() {
    let cfg = NatConfig::new(NatKind::FullCone, Duration::from_secs(60));
    let (mut net, mut clock) = setup(cfg);
    send_one(&mut net, &mut clock, addr(P1), addr(STUN)).unwrap();
    let m2 = send_one(&mut net, &mut clock, addr(P2), addr(STUN))
        .unwrap()
        .source;
    assert!(send_one(&mut net, &mut clock, addr(P1), m2).is_none());
    assert_eq!(net.stats().dropped_nat, 1);
    // The LAN path works regardless.
    let t = send_one(&mut net, &mut clock, addr(P1), addr(P2)).unwrap();
    assert_eq!((t.source, t.destination), (addr(P1), addr(P2)));
}
