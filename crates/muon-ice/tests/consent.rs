//! Consent freshness (RFC 7675) and keepalives on muon-netsim: a path that stops answering
//! goes Disconnected, then Failed after 30 s, and sending stops; a healthy idle path stays up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{Sim, Site, addr, both_selected};
use muon_ice::{IceConnectionState as S, IceError};
use muon_netsim::{LinkConfig, NatKind};

fn sim(seed: u64) -> Sim {
    Sim::new(
        seed,
        Site::Nat(NatKind::PortRestricted, "203.0.113.1", "10.0.0.1:5000"),
        Site::Public("192.0.2.2:6000"),
        LinkConfig::default().with_delay(Duration::from_millis(25)),
    )
}

#[test]
fn a_dead_path_disconnects_then_fails_and_sending_stops() {
    let mut sim = sim(1);
    assert!(sim.run_until(Duration::from_secs(5), both_selected));
    // Links run between the real hosts (the private address behind the NAT).
    let nat_ip = addr("10.0.0.1:0").ip();
    let b_ip = addr("192.0.2.2:0").ip();
    sim.mesh
        .network_mut()
        .set_links(nat_ip, b_ip, LinkConfig::down());
    let cut = sim.mesh.now();
    assert!(sim.run_until(Duration::from_secs(20), |a, b| {
        a.agent.state() == S::Disconnected && b.agent.state() == S::Disconnected
    }));
    let t = sim.mesh.now() - cut;
    assert!(t <= Duration::from_secs(8), "disconnected after {t:?}");
    // Still allowed to try while disconnected.
    let now = sim.mesh.now();
    assert!(sim.a_mut().agent.send(now, b"anyone?").is_ok());
    assert!(sim.run_until(Duration::from_secs(40), |a, b| {
        a.agent.state() == S::Failed && b.agent.state() == S::Failed
    }));
    let t = sim.mesh.now() - cut;
    assert!(
        t > Duration::from_secs(24) && t <= Duration::from_secs(30),
        "failed after {t:?}"
    );
    let now = sim.mesh.now();
    assert_eq!(
        sim.a_mut().agent.send(now, b"x"),
        Err(IceError::ConsentExpired)
    );
    let states = sim.a().states();
    assert!(
        states.ends_with(&[S::Disconnected, S::Failed]),
        "{states:?}"
    );
    // After failure nothing more goes out: the agent is quiet.
    let sent = sim.mesh.network().stats().sent;
    sim.run_for(Duration::from_secs(60));
    assert_eq!(sim.mesh.network().stats().sent, sent);
}

#[test]
fn an_idle_healthy_path_stays_connected_for_minutes() {
    let mut sim = sim(2);
    assert!(sim.run_until(Duration::from_secs(5), both_selected));
    let before = sim.a().agent.stats().consent_checks_sent;
    // Longer than the NAT's 120 s mapping timeout: consent checks keep the mapping alive.
    sim.run_for(Duration::from_secs(300));
    let sent = sim.a().agent.stats().consent_checks_sent - before;
    // One every 4-6 s.
    assert!((50..=76).contains(&sent), "{sent} consent checks in 300 s");
    assert!(!sim.a().states().contains(&S::Disconnected));
    assert!(sim.exchange_data(b"still here", Duration::from_secs(1)));
}
