//! Candidate gathering on muon-netsim: several STUN servers, an unreachable one, IPv6 hosts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{STUN_ADDR, STUN_ADDR_2, STUN_ADDR_DEAD, Sim, Site, addr, both_selected};
use muon_ice::{CandidateKind, IceEvent};
use muon_netsim::{LinkConfig, NatKind};

fn link() -> LinkConfig {
    LinkConfig::default().with_delay(Duration::from_millis(20))
}

fn nat(kind: NatKind) -> Site {
    Site::Nat(kind, "203.0.113.1", "10.0.0.1:5000")
}

#[test]
fn two_servers_behind_a_cone_nat_give_one_srflx_candidate() {
    let mut sim = Sim::with_servers(
        1,
        nat(NatKind::PortRestricted),
        Site::Public("192.0.2.2:6000"),
        link(),
        &[STUN_ADDR, STUN_ADDR_2],
    );
    assert!(sim.run_until(Duration::from_secs(2), |a, _| {
        a.agent.is_gathering_complete()
    }));
    let srflx: Vec<_> = sim
        .a()
        .agent
        .local_candidates()
        .iter()
        .filter(|c| c.kind() == CandidateKind::ServerReflexive)
        .collect();
    assert_eq!(
        srflx.len(),
        1,
        "the same mapping from both servers is one candidate"
    );
    assert_eq!(srflx[0].address().ip(), addr("203.0.113.1:0").ip());
    assert_eq!(srflx[0].related_address(), Some(addr("10.0.0.1:5000")));
}

#[test]
fn two_servers_behind_a_symmetric_nat_give_two_srflx_candidates() {
    let mut sim = Sim::with_servers(
        2,
        nat(NatKind::Symmetric),
        Site::Public("192.0.2.2:6000"),
        link(),
        &[STUN_ADDR, STUN_ADDR_2],
    );
    assert!(sim.run_until(Duration::from_secs(2), |a, _| {
        a.agent.is_gathering_complete()
    }));
    let srflx = sim
        .a()
        .agent
        .local_candidates()
        .iter()
        .filter(|c| c.kind() == CandidateKind::ServerReflexive)
        .count();
    assert_eq!(srflx, 2, "a mapping per destination");
    assert!(sim.run_until(Duration::from_secs(10), both_selected));
}

#[test]
fn an_unreachable_server_is_retried_then_reported_and_gathering_completes() {
    let mut sim = Sim::with_servers(
        3,
        nat(NatKind::FullCone),
        Site::Public("192.0.2.2:6000"),
        link(),
        &[STUN_ADDR, STUN_ADDR_DEAD],
    );
    // Connecting does not wait for gathering.
    assert!(sim.run_until(Duration::from_secs(3), both_selected));
    assert!(!sim.a().agent.is_gathering_complete());
    let start = sim.mesh.clock().epoch();
    assert!(sim.run_until(Duration::from_secs(30), |a, _| {
        a.agent.is_gathering_complete()
    }));
    let took = sim.mesh.now() - start;
    // 7 transmissions with RTO 0.5, 1, 2, 2.5, 2.5, 2.5, 2.5 s (doubling, capped).
    assert_eq!(took, Duration::from_millis(13_500));
    let a = sim.a();
    assert!(
        a.events
            .contains(&IceEvent::StunServerUnreachable(addr(STUN_ADDR_DEAD)))
    );
    let pos = |e: &IceEvent| a.events.iter().position(|x| x == e).unwrap();
    assert!(
        pos(&IceEvent::StunServerUnreachable(addr(STUN_ADDR_DEAD)))
            < pos(&IceEvent::GatheringComplete)
    );
    // The live server still gave its candidate.
    assert!(
        a.agent
            .local_candidates()
            .iter()
            .any(|c| c.kind() == CandidateKind::ServerReflexive)
    );
}

#[test]
fn ipv6_hosts_connect() {
    let mut sim = Sim::new(
        4,
        Site::Multi(&["[2001:db8::1]:5000", "192.0.2.1:5000"]),
        Site::Public("[2001:db8::2]:6000"),
        link(),
    );
    assert!(sim.run_until(Duration::from_secs(5), both_selected));
    let p = sim.a().agent.selected_pair().unwrap();
    assert_eq!(
        (p.local, p.remote),
        (addr("[2001:db8::1]:5000"), addr("[2001:db8::2]:6000"))
    );
    // The IPv4 host has no IPv6 peer: no pair, no check for it.
    assert_eq!(sim.a().agent.stats().pairs, 1);
    assert!(sim.exchange_data(b"v6", Duration::from_secs(1)));
}
