//! NAT mappings expire after their timeout without outbound traffic; outbound traffic
//! refreshes them, inbound does not (RFC 4787 REQ-5, REQ-6).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{addr, ip, send_one};
use muon_netsim::{Clock, LinkConfig, NatKind, Network};

const PRIVATE: &str = "10.0.0.2:5000";
const REMOTE: &str = "198.51.100.1:3478";
const TIMEOUT: Duration = Duration::from_secs(30);

fn setup(kind: NatKind) -> (Network, Clock) {
    let mut net = Network::new(37);
    // Instantaneous links, so the arrival time at the NAT is the send time.
    net.set_default_link(LinkConfig::default().with_delay(Duration::ZERO));
    let nat = net.add_nat(ip("203.0.113.1"), kind, TIMEOUT);
    net.add_private_host(nat, ip("10.0.0.2"));
    (net, Clock::new())
}

#[test]
fn mapping_expires_after_the_timeout() {
    for kind in [
        NatKind::FullCone,
        NatKind::AddressRestricted,
        NatKind::PortRestricted,
        NatKind::Symmetric,
    ] {
        let (mut net, mut clock) = setup(kind);
        let start = clock.now();
        let mapped = send_one(&mut net, &mut clock, addr(PRIVATE), addr(REMOTE))
            .unwrap()
            .source;
        clock.advance_to(start + TIMEOUT - Duration::from_nanos(1));
        assert!(
            send_one(&mut net, &mut clock, addr(REMOTE), mapped).is_some(),
            "{kind:?}: alive just before"
        );
        clock.advance_to(start + TIMEOUT);
        assert!(
            send_one(&mut net, &mut clock, addr(REMOTE), mapped).is_none(),
            "{kind:?}: gone at the timeout"
        );
        assert_eq!(net.stats().dropped_nat, 1);
    }
}

#[test]
fn outbound_refreshes_inbound_does_not() {
    let (mut net, mut clock) = setup(NatKind::PortRestricted);
    let start = clock.now();
    let mapped = send_one(&mut net, &mut clock, addr(PRIVATE), addr(REMOTE))
        .unwrap()
        .source;
    // Inbound at 20 s does not extend the mapping.
    clock.advance_to(start + Duration::from_secs(20));
    assert!(send_one(&mut net, &mut clock, addr(REMOTE), mapped).is_some());
    clock.advance_to(start + TIMEOUT);
    assert!(send_one(&mut net, &mut clock, addr(REMOTE), mapped).is_none());

    // A fresh mapping, refreshed by outbound traffic every 20 s, lives on.
    let t0 = clock.now();
    let mapped = send_one(&mut net, &mut clock, addr(PRIVATE), addr(REMOTE))
        .unwrap()
        .source;
    for k in 1..=5 {
        clock.advance_to(t0 + Duration::from_secs(20 * k));
        let again = send_one(&mut net, &mut clock, addr(PRIVATE), addr(REMOTE))
            .unwrap()
            .source;
        assert_eq!(again, mapped, "refresh keeps the same external port");
        assert!(send_one(&mut net, &mut clock, addr(REMOTE), mapped).is_some());
    }
}

#[test]
fn after_expiry_a_new_mapping_is_made() {
    let (mut net, mut clock) = setup(NatKind::FullCone);
    let old = send_one(&mut net, &mut clock, addr(PRIVATE), addr(REMOTE))
        .unwrap()
        .source;
    clock.advance(TIMEOUT);
    let new = send_one(&mut net, &mut clock, addr(PRIVATE), addr(REMOTE))
        .unwrap()
        .source;
    // The port is drawn at random, so it (almost surely, and with this seed certainly) differs.
    assert_ne!(old, new);
    assert!(send_one(&mut net, &mut clock, addr(REMOTE), old).is_none());
    assert!(send_one(&mut net, &mut clock, addr(REMOTE), new).is_some());
}

#[test]
fn filter_permission_expires_with_its_own_last_use() {
    // The mapping stays alive through traffic to one remote, but the permission for another
    // remote, unused since, lapses.
    let (mut net, mut clock) = setup(NatKind::PortRestricted);
    let start = clock.now();
    let other = "198.51.100.2:3478";
    let mapped = send_one(&mut net, &mut clock, addr(PRIVATE), addr(REMOTE))
        .unwrap()
        .source;
    send_one(&mut net, &mut clock, addr(PRIVATE), addr(other)).unwrap();
    clock.advance_to(start + Duration::from_secs(20));
    send_one(&mut net, &mut clock, addr(PRIVATE), addr(REMOTE)).unwrap();
    clock.advance_to(start + Duration::from_secs(40));
    assert!(send_one(&mut net, &mut clock, addr(REMOTE), mapped).is_some());
    assert!(send_one(&mut net, &mut clock, addr(other), mapped).is_none());
}

#[test]
fn expiry_is_judged_when_the_datagram_reaches_the_nat() {
    // Inbound crosses a 10 s link: sent while the mapping lives, it arrives after expiry.
    let (mut net, mut clock) = setup(NatKind::FullCone);
    net.set_link(
        ip("198.51.100.1"),
        ip("10.0.0.2"),
        LinkConfig::default().with_delay(Duration::from_secs(10)),
    );
    let start = clock.now();
    let mapped = send_one(&mut net, &mut clock, addr(PRIVATE), addr(REMOTE))
        .unwrap()
        .source;
    clock.advance_to(start + Duration::from_secs(25));
    assert!(send_one(&mut net, &mut clock, addr(REMOTE), mapped).is_none());
    assert_eq!(clock.now(), start + Duration::from_secs(35));
    assert_eq!(net.stats().dropped_nat, 1);
}
