//! Two agents behind the NAT models of muon-netsim, with a STUN server: they connect where
//! ICE can, and fail cleanly where only TURN could help (symmetric against symmetric or
//! port-restricted). Reproducible from the seed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{Sim, Site, both_in, both_selected};
use muon_ice::{CandidateKind, IceConnectionState as S};
use muon_netsim::{LinkConfig, Loss, NatKind};

const A_PUB: &str = "203.0.113.1";
const B_PUB: &str = "203.0.113.2";
const A_PRIV: &str = "10.0.0.1:5000";
const B_PRIV: &str = "10.1.0.1:6000";

fn nat_a(kind: NatKind) -> Site {
    Site::Nat(kind, A_PUB, A_PRIV)
}

fn nat_b(kind: NatKind) -> Site {
    Site::Nat(kind, B_PUB, B_PRIV)
}

fn link() -> LinkConfig {
    LinkConfig::default().with_delay(Duration::from_millis(20))
}

/// Connects, exchanges data both ways, and reaches Completed.
fn assert_connects(seed: u64, a: Site, b: Site) -> Sim {
    let mut sim = Sim::new(seed, a, b, link());
    assert!(
        sim.run_until(Duration::from_secs(10), both_selected),
        "{a:?} <-> {b:?} did not connect: {:?} / {:?}",
        sim.a().states(),
        sim.b().states()
    );
    assert!(
        sim.exchange_data(b"hello", Duration::from_secs(2)),
        "{a:?} <-> {b:?}: no data"
    );
    assert!(
        sim.run_until(Duration::from_secs(30), both_in(S::Completed)),
        "{a:?} <-> {b:?}: {:?} {:?}",
        sim.a().agent.state(),
        sim.b().agent.state()
    );
    sim
}

/// Fails cleanly: both agents report Failed, nothing selected, no data path, and they go
/// quiet (no timers left).
fn assert_fails(seed: u64, a: Site, b: Site) {
    let mut sim = Sim::new(seed, a, b, link());
    assert!(
        sim.run_until(Duration::from_secs(60), both_in(S::Failed)),
        "{a:?} <-> {b:?}: {:?} / {:?}",
        sim.a().states(),
        sim.b().states()
    );
    assert!(sim.a().selections().is_empty() && sim.b().selections().is_empty());
    assert_eq!(sim.a().states(), [S::Checking, S::Failed]);
    assert_eq!(sim.b().states(), [S::Checking, S::Failed]);
    assert!(
        sim.a().agent.poll_timeout().is_none(),
        "a failed agent has nothing left to do"
    );
    let now = sim.mesh.now();
    assert!(sim.a_mut().agent.send(now, b"x").is_err());
}

#[test]
fn public_hosts_connect_directly() {
    let sim = assert_connects(
        1,
        Site::Public("192.0.2.1:5000"),
        Site::Public("192.0.2.2:6000"),
    );
    let p = sim.a().agent.selected_pair().unwrap();
    assert_eq!(p.remote, common::addr("192.0.2.2:6000"));
    // No NAT: the STUN server revealed nothing new, so only host candidates exist.
    assert!(
        sim.a()
            .agent
            .local_candidates()
            .iter()
            .all(|c| c.kind() == CandidateKind::Host)
    );
}

#[test]
fn cone_nats_connect_through_server_reflexive_candidates() {
    for (i, (ka, kb)) in [
        (NatKind::FullCone, NatKind::FullCone),
        (NatKind::FullCone, NatKind::Symmetric),
        (NatKind::AddressRestricted, NatKind::PortRestricted),
        (NatKind::PortRestricted, NatKind::PortRestricted),
        (NatKind::Symmetric, NatKind::AddressRestricted),
    ]
    .into_iter()
    .enumerate()
    {
        let sim = assert_connects(10 + i as u64, nat_a(ka), nat_b(kb));
        let srflx = sim
            .a()
            .agent
            .local_candidates()
            .iter()
            .any(|c| c.kind() == CandidateKind::ServerReflexive);
        assert!(srflx, "{ka:?}: no server-reflexive candidate gathered");
        // The path runs between the NATs' public addresses.
        let p = sim.a().agent.selected_pair().unwrap();
        assert_eq!(p.local, common::addr(A_PRIV));
        assert_eq!(p.remote.ip().to_string(), B_PUB, "{ka:?} <-> {kb:?}");
    }
}

#[test]
fn symmetric_nat_is_reached_through_a_peer_reflexive_candidate() {
    let sim = assert_connects(20, nat_a(NatKind::Symmetric), nat_b(NatKind::FullCone));
    // b learned a's per-destination mapping from a's check: peer-reflexive.
    let b_remote = sim.b().agent.selected_pair().unwrap().remote;
    let kind = sim
        .b()
        .agent
        .remote_candidates()
        .iter()
        .find(|c| c.address() == b_remote)
        .map(|c| c.kind());
    assert_eq!(kind, Some(CandidateKind::PeerReflexive));
}

#[test]
fn symmetric_against_symmetric_fails_cleanly() {
    assert_fails(30, nat_a(NatKind::Symmetric), nat_b(NatKind::Symmetric));
}

#[test]
fn symmetric_against_port_restricted_fails_cleanly() {
    assert_fails(
        31,
        nat_a(NatKind::Symmetric),
        nat_b(NatKind::PortRestricted),
    );
    assert_fails(
        32,
        nat_a(NatKind::PortRestricted),
        nat_b(NatKind::Symmetric),
    );
}

#[test]
fn connects_through_loss_and_delay() {
    for seed in 40..45 {
        let lossy = LinkConfig::default()
            .with_delay(Duration::from_millis(80))
            .with_jitter(Duration::from_millis(20))
            .with_loss(Loss::Random(0.2));
        let mut sim = Sim::new(
            seed,
            nat_a(NatKind::PortRestricted),
            nat_b(NatKind::PortRestricted),
            lossy,
        );
        assert!(
            sim.run_until(Duration::from_secs(30), both_selected),
            "seed {seed}: {:?}",
            sim.a().states()
        );
        assert!(
            sim.mesh.network().stats().dropped_loss > 0,
            "seed {seed}: the link lost nothing"
        );
    }
}

#[test]
fn the_same_seed_replays_the_same_run() {
    let run = |seed| {
        let lossy = LinkConfig::default()
            .with_delay(Duration::from_millis(30))
            .with_loss(Loss::Random(0.1));
        let mut sim = Sim::new(
            seed,
            nat_a(NatKind::PortRestricted),
            nat_b(NatKind::FullCone),
            lossy,
        );
        assert!(sim.run_until(Duration::from_secs(30), both_selected));
        let at = sim.mesh.clock().elapsed();
        (
            at,
            sim.a().selections(),
            sim.mesh.network().stats(),
            sim.a().agent.local_credentials().clone(),
        )
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7).3, run(8).3);
}
