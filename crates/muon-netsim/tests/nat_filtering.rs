//! Each NAT kind: how it maps (RFC 4787 section 4.1) and which inbound datagrams its
//! filtering lets through (section 5).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{addr, ip, send_one};
use muon_netsim::{Clock, NatId, NatKind, Network};

const PRIVATE: &str = "10.0.0.2:5000";
const R1: &str = "198.51.100.1:3478";
const R1_OTHER_PORT: &str = "198.51.100.1:9999";
const R2: &str = "198.51.100.2:3478";

fn setup(kind: NatKind) -> (Network, Clock, NatId) {
    let mut net = Network::new(31);
    let nat = net.add_nat(ip("203.0.113.1"), kind, Duration::from_secs(30));
    net.add_private_host(nat, ip("10.0.0.2"));
    (net, Clock::new(), nat)
}

/// The private host sends to R1; returns the external address R1 saw.
fn open(net: &mut Network, clock: &mut Clock) -> SocketAddr {
    let out = send_one(net, clock, addr(PRIVATE), addr(R1)).expect("outbound always passes");
    assert_eq!(out.destination, addr(R1));
    assert_eq!(out.source.ip(), ip("203.0.113.1"), "source translated");
    assert_ne!(out.source, addr(PRIVATE));
    out.source
}

/// Whether a datagram from `from` to `mapped` reaches the private host.
fn passes(net: &mut Network, clock: &mut Clock, from: &str, mapped: SocketAddr) -> bool {
    match send_one(net, clock, addr(from), mapped) {
        Some(t) => {
            assert_eq!(
                t.destination,
                addr(PRIVATE),
                "translated to the private host"
            );
            assert_eq!(t.source, addr(from), "remote source untouched");
            true
        }
        None => false,
    }
}

#[test]
fn inbound_filtering_per_kind() {
    // (kind, from R1, from R1's IP other port, from R2)
    let table = [
        (NatKind::FullCone, true, true, true),
        (NatKind::AddressRestricted, true, true, false),
        (NatKind::PortRestricted, true, false, false),
        (NatKind::Symmetric, true, false, false),
    ];
    for (kind, r1, r1_other, r2) in table {
        let (mut net, mut clock, _) = setup(kind);
        let mapped = open(&mut net, &mut clock);
        assert_eq!(
            passes(&mut net, &mut clock, R1, mapped),
            r1,
            "{kind:?} from R1"
        );
        assert_eq!(
            passes(&mut net, &mut clock, R1_OTHER_PORT, mapped),
            r1_other,
            "{kind:?} from R1 other port"
        );
        assert_eq!(
            passes(&mut net, &mut clock, R2, mapped),
            r2,
            "{kind:?} from R2"
        );
        let dropped = [r1, r1_other, r2].iter().filter(|p| !**p).count() as u64;
        assert_eq!(net.stats().dropped_nat, dropped, "{kind:?}");
    }
}

#[test]
fn nothing_gets_in_without_a_mapping() {
    for kind in [
        NatKind::FullCone,
        NatKind::AddressRestricted,
        NatKind::PortRestricted,
        NatKind::Symmetric,
    ] {
        let (mut net, mut clock, _) = setup(kind);
        let mapped = open(&mut net, &mut clock);
        let other_port = SocketAddr::new(mapped.ip(), mapped.port().wrapping_add(1));
        assert!(!passes(&mut net, &mut clock, R1, other_port), "{kind:?}");
        // Nor by the private address from outside.
        assert!(send_one(&mut net, &mut clock, addr(R1), addr(PRIVATE)).is_none());
        assert_eq!(net.stats().dropped_no_route, 1);
    }
}

#[test]
fn sending_to_a_new_remote_opens_the_filter_for_it() {
    for kind in [NatKind::AddressRestricted, NatKind::PortRestricted] {
        let (mut net, mut clock, _) = setup(kind);
        let mapped = open(&mut net, &mut clock);
        assert!(!passes(&mut net, &mut clock, R2, mapped));
        let again = send_one(&mut net, &mut clock, addr(PRIVATE), addr(R2)).unwrap();
        assert_eq!(
            again.source, mapped,
            "{kind:?}: endpoint-independent mapping"
        );
        assert!(passes(&mut net, &mut clock, R2, mapped), "{kind:?}");
    }
}

#[test]
fn cone_kinds_reuse_the_mapping_symmetric_makes_one_per_destination() {
    for kind in [
        NatKind::FullCone,
        NatKind::AddressRestricted,
        NatKind::PortRestricted,
        NatKind::Symmetric,
    ] {
        let (mut net, mut clock, nat) = setup(kind);
        let mut seen = std::collections::BTreeSet::new();
        for remote in [R1, R1_OTHER_PORT, R2, R1] {
            let t = send_one(&mut net, &mut clock, addr(PRIVATE), addr(remote)).unwrap();
            assert_eq!(
                net.nat_mapping(nat, clock.now(), addr(PRIVATE), addr(remote)),
                Some(t.source)
            );
            seen.insert(t.source);
        }
        let expected = if kind == NatKind::Symmetric { 3 } else { 1 };
        assert_eq!(seen.len(), expected, "{kind:?}");
        assert_eq!(net.nat_live_mappings(nat, clock.now()), expected);
        // Every external address is on the NAT's IP.
        assert!(seen.iter().all(|a| a.ip() == ip("203.0.113.1")));
    }
}

#[test]
fn symmetric_mapping_only_answers_its_own_destination() {
    let (mut net, mut clock, _) = setup(NatKind::Symmetric);
    let m1 = open(&mut net, &mut clock);
    let m2 = send_one(&mut net, &mut clock, addr(PRIVATE), addr(R2))
        .unwrap()
        .source;
    assert_ne!(m1, m2);
    assert!(passes(&mut net, &mut clock, R2, m2));
    assert!(
        !passes(&mut net, &mut clock, R2, m1),
        "R2 may not use the mapping made for R1"
    );
    assert!(passes(&mut net, &mut clock, R1, m1));
}

#[test]
fn two_hosts_behind_one_nat_get_distinct_mappings() {
    let (mut net, mut clock, nat) = setup(NatKind::PortRestricted);
    net.add_private_host(nat, ip("10.0.0.3"));
    let m1 = open(&mut net, &mut clock);
    let m2 = send_one(&mut net, &mut clock, addr("10.0.0.3:5000"), addr(R1))
        .unwrap()
        .source;
    assert_ne!(m1, m2);
    let back = send_one(&mut net, &mut clock, addr(R1), m2).unwrap();
    assert_eq!(back.destination, addr("10.0.0.3:5000"));
}
