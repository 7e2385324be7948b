//! Trickle ICE (RFC 8838), switching to a better pair, and ICE restart on muon-netsim.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{Sim, Site, addr, both_in, both_selected};
use muon_ice::{IceConnectionState as S, IceEvent};
use muon_netsim::{LinkConfig, NatKind};

fn link() -> LinkConfig {
    LinkConfig::default().with_delay(Duration::from_millis(20))
}

#[test]
fn candidates_trickled_after_start_connect() {
    let mut sim = Sim::new(
        1,
        Site::Nat(NatKind::PortRestricted, "203.0.113.1", "10.0.0.1:5000"),
        Site::Nat(NatKind::FullCone, "203.0.113.2", "10.1.0.1:6000"),
        link(),
    );
    sim.signalling = false;
    sim.run_for(Duration::from_secs(2));
    // Credentials known, candidates not: nothing to check yet, and gathering went on.
    assert_eq!(sim.a().agent.state(), S::New);
    assert!(sim.a().agent.is_gathering_complete());
    assert_eq!(sim.a().agent.local_candidates().len(), 2, "host and srflx");
    sim.signalling = true;
    assert!(sim.run_until(Duration::from_secs(10), both_selected));
    // Completed waits for the pairs towards private addresses to time out.
    assert!(sim.run_until(Duration::from_secs(30), both_in(S::Completed)));
    assert_eq!(sim.a().states(), [S::Checking, S::Connected, S::Completed]);
}

#[test]
fn failure_waits_for_end_of_candidates() {
    let mut sim = Sim::new(
        2,
        Site::Nat(NatKind::Symmetric, "203.0.113.1", "10.0.0.1:5000"),
        Site::Nat(NatKind::Symmetric, "203.0.113.2", "10.1.0.1:6000"),
        link(),
    );
    sim.forward_end = false;
    sim.run_for(Duration::from_secs(60));
    // Every pair failed long ago, but more candidates may still come (RFC 8838 section 8).
    assert_eq!(sim.a().agent.state(), S::Checking);
    assert_eq!(sim.a().agent.poll_timeout(), None, "idle, not spinning");
    let now = sim.mesh.now();
    sim.a_mut().agent.end_of_remote_candidates(now);
    assert_eq!(sim.a().agent.state(), S::Failed);
    assert_eq!(
        sim.b().agent.state(),
        S::Checking,
        "b has not been told yet"
    );
}

#[test]
fn a_better_pair_succeeding_later_takes_over() {
    // a has two interfaces; the preferred one (added first) has a 1.5 s path to b.
    let mut sim = Sim::new(
        3,
        Site::Multi(&["192.0.2.1:5000", "192.0.2.11:5000"]),
        Site::Public("192.0.2.2:6000"),
        link(),
    );
    let slow = LinkConfig::default().with_delay(Duration::from_millis(1500));
    sim.mesh
        .network_mut()
        .set_links(addr("192.0.2.1:0").ip(), addr("192.0.2.2:0").ip(), slow);
    assert!(sim.run_until(Duration::from_secs(2), both_selected));
    assert_eq!(
        sim.a().agent.selected_pair().unwrap().local,
        addr("192.0.2.11:5000")
    );
    let ok = sim.run_until(Duration::from_secs(15), |a, b| {
        a.agent.selected_pair().unwrap().local == addr("192.0.2.1:5000")
            && b.agent.selected_pair().unwrap().remote == addr("192.0.2.1:5000")
    });
    assert!(
        ok,
        "{:?}\n{:?}\n{:?}",
        sim.a().events,
        sim.b().selections(),
        sim.a().agent.stats()
    );
    let locals: Vec<_> = sim.a().selections().iter().map(|p| p.local).collect();
    assert_eq!(locals, [addr("192.0.2.11:5000"), addr("192.0.2.1:5000")]);
    assert!(sim.exchange_data(b"on the better path", Duration::from_secs(5)));
}

#[test]
fn ice_restart_switches_paths_without_dropping_the_old_one() {
    let mut sim = Sim::new(
        4,
        Site::Multi(&["192.0.2.1:5000"]),
        Site::Public("192.0.2.2:6000"),
        link(),
    );
    sim.mesh.bind(sim.a, addr("192.0.2.11:5000"));
    assert!(sim.run_until(Duration::from_secs(5), both_selected));
    assert!(sim.exchange_data(b"before", Duration::from_secs(1)));

    // Restart on both sides; a moves to its second interface.
    let now = sim.mesh.now();
    let ca = sim.a_mut().agent.restart(now);
    let cb = sim.b_mut().agent.restart(now);
    sim.a_mut().agent.set_remote_credentials(now, cb).unwrap();
    sim.b_mut().agent.set_remote_credentials(now, ca).unwrap();
    sim.a_mut()
        .agent
        .add_host_candidate(now, addr("192.0.2.11:5000"))
        .unwrap();
    sim.b_mut()
        .agent
        .add_host_candidate(now, addr("192.0.2.2:6000"))
        .unwrap();
    sim.a_mut().agent.end_of_local_candidates(now);
    sim.b_mut().agent.end_of_local_candidates(now);
    // The old path carries data while the new checks run.
    assert_eq!(
        sim.a().agent.selected_pair().unwrap().local,
        addr("192.0.2.1:5000")
    );
    assert!(sim.exchange_data(b"during", Duration::from_millis(30)));
    assert!(sim.run_until(Duration::from_secs(5), |a, b| {
        a.agent
            .selected_pair()
            .is_some_and(|p| p.local == addr("192.0.2.11:5000"))
            && b.agent
                .selected_pair()
                .is_some_and(|p| p.remote == addr("192.0.2.11:5000"))
    }));
    // Now the old interface can go away.
    sim.mesh.network_mut().set_links(
        addr("192.0.2.1:0").ip(),
        addr("192.0.2.2:0").ip(),
        LinkConfig::down(),
    );
    assert!(sim.exchange_data(b"after", Duration::from_secs(1)));
    sim.run_for(Duration::from_secs(40));
    assert!(both_in(S::Connected)(sim.a(), sim.b()) || both_in(S::Completed)(sim.a(), sim.b()));
    assert!(
        !sim.a().states().contains(&S::Disconnected),
        "{:?}",
        sim.a().states()
    );
    assert!(
        sim.a()
            .events
            .iter()
            .filter(|e| matches!(e, IceEvent::LocalCandidate(_)))
            .count()
            >= 2
    );
}
