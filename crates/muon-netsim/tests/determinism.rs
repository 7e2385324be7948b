//! Same seed, same run, datagram for datagram; another seed, another run; and a link's
//! randomness does not depend on what other links do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{Delivered, addr, datagram, drain_until, ip, log_hash, stream};
use muon_netsim::{Clock, JitterDistribution, LinkConfig, Loss, NatKind, Network};

fn impaired() -> LinkConfig {
    LinkConfig::default()
        .with_delay(Duration::from_millis(30))
        .with_jitter(Duration::from_millis(8))
        .with_jitter_distribution(JitterDistribution::Normal)
        .with_loss(Loss::GilbertElliott {
            p_good_to_bad: 0.02,
            p_bad_to_good: 0.3,
            loss_good: 0.01,
            loss_bad: 0.8,
        })
        .with_duplicate(0.02)
        .with_reorder(0.03, Duration::from_millis(7))
        .with_rate(1_000_000, 20_000)
        .with_mtu(1300)
}

/// Three hosts (one behind a symmetric NAT) exchanging interleaved traffic of varying sizes.
fn scenario(seed: u64) -> Vec<Delivered> {
    let mut clock = Clock::new();
    let mut net = Network::new(seed);
    net.set_default_link(impaired());
    net.set_link(
        ip("192.0.2.1"),
        ip("192.0.2.2"),
        impaired().with_delay(Duration::from_millis(5)),
    );
    let nat = net.add_nat(
        ip("203.0.113.1"),
        NatKind::Symmetric,
        Duration::from_secs(30),
    );
    net.add_private_host(nat, ip("10.0.0.2"));
    let hosts = [
        addr("192.0.2.1:1000"),
        addr("192.0.2.2:2000"),
        addr("10.0.0.2:3000"),
    ];
    let mut log = Vec::new();
    let start = clock.now();
    for i in 0..6000u32 {
        let from = hosts[(i % 3) as usize];
        let to = hosts[((i / 3 + 1 + i % 3) % 3) as usize];
        let to = if to == from {
            hosts[((i % 3 + 1) % 3) as usize]
        } else {
            to
        };
        // Outside hosts reach the private one through its mapping for them, if there is one.
        let to = match (to == hosts[2], net.nat_mapping(nat, clock.now(), to, from)) {
            (true, Some(mapped)) => mapped,
            (true, None) => addr("203.0.113.1:3000"),
            (false, _) => to,
        };
        let size = 20 + (i as usize * 37) % 1400;
        drain_until(
            &mut net,
            &mut clock,
            start + Duration::from_micros(700) * i,
            &[],
            &mut log,
        );
        net.send(clock.now(), datagram(from, to, i, size));
    }
    let end = clock.now() + Duration::from_secs(60);
    drain_until(&mut net, &mut clock, end, &[], &mut log);
    let s = net.stats();
    // Everything happened, and everything is accounted for.
    assert!(
        s.dropped_loss > 0
            && s.dropped_queue > 0
            && s.dropped_mtu > 0
            && s.dropped_nat > 0
            && s.duplicated > 0
    );
    assert!(s.reordered > 0);
    assert_eq!(s.delivered, log.len() as u64);
    assert_eq!(s.sent + s.duplicated, s.delivered + s.dropped());
    log
}

#[test]
fn same_seed_same_log() {
    let a = scenario(7);
    let b = scenario(7);
    assert_eq!(log_hash(&a), log_hash(&b));
    assert_eq!(a, b);
}

#[test]
fn different_seeds_differ() {
    let hashes: std::collections::BTreeSet<u64> = (1..=4).map(|s| log_hash(&scenario(s))).collect();
    assert_eq!(hashes.len(), 4);
}

#[test]
fn other_links_do_not_perturb_a_link() {
    let a = addr("192.0.2.1:1000");
    let b = addr("192.0.2.2:2000");
    let gap = Duration::from_millis(2);
    let mut quiet = Network::new(99);
    quiet.set_default_link(impaired());
    let alone = stream(&mut quiet, &mut Clock::new(), a, b, 3000, gap, 100);

    // Same seed, but first another link is configured and carries traffic.
    let mut busy = Network::new(99);
    busy.set_default_link(impaired());
    busy.set_link(ip("192.0.2.7"), ip("192.0.2.8"), LinkConfig::lossy(0.5));
    let mut clock = Clock::new();
    let other = stream(
        &mut busy,
        &mut clock,
        addr("192.0.2.7:1"),
        addr("192.0.2.8:1"),
        500,
        gap,
        100,
    );
    assert!(!other.is_empty());
    let offset = clock.elapsed();
    let mut shifted = stream(&mut busy, &mut clock, a, b, 3000, gap, 100);
    // Compare relative to the stream's own start.
    for d in &mut shifted {
        d.sent -= offset;
        d.arrived -= offset;
    }
    assert_eq!(alone, shifted);
}
