//! Reordering and duplication (with some loss) in both directions: handshake messages are
//! reassembled out of order and deduplicated, records of the next epoch wait for their keys,
//! and data flows. Reproducible from each seed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use muon_netsim::{LinkConfig, Loss};
use muon_proto::Rng;

fn run(seed: u64, mtu: usize, link: LinkConfig) {
    let mut rng = Rng::from_seed(common::seed_bytes(seed));
    let (client, server) = common::configs(&mut rng, mtu);
    let mut p = common::pair(seed, client, server, link.with_mtu(mtu));
    common::connect(&mut p, Duration::from_secs(30));
    common::assert_same_keys(&mut p);
    common::exchange(&mut p, 10, Duration::from_secs(2));
}

#[test]
fn heavy_reordering() {
    let link = LinkConfig::default()
        .with_delay(Duration::from_millis(10))
        .with_jitter(Duration::from_millis(30))
        .with_reorder(0.5, Duration::from_millis(25));
    for seed in 0..15 {
        run(seed, 500, link.clone());
        run(seed, 1200, link.clone());
    }
}

#[test]
fn heavy_duplication() {
    let link = LinkConfig::default()
        .with_delay(Duration::from_millis(10))
        .with_duplicate(0.5);
    for seed in 20..35 {
        run(seed, 500, link.clone());
        run(seed, 1200, link.clone());
    }
}

#[test]
fn reordering_duplication_and_loss_together() {
    let link = LinkConfig::default()
        .with_delay(Duration::from_millis(15))
        .with_jitter(Duration::from_millis(20))
        .with_reorder(0.3, Duration::from_millis(30))
        .with_duplicate(0.2)
        .with_loss(Loss::Random(0.1));
    for seed in 40..60 {
        run(seed, 500, link.clone());
        run(seed, 1200, link.clone());
    }
}

/// The same seed replays the same run: identical datagram sizes, in order, on both sides.
#[test]
fn a_seed_replays_exactly() {
    let link = LinkConfig::default()
        .with_delay(Duration::from_millis(15))
        .with_reorder(0.3, Duration::from_millis(30))
        .with_duplicate(0.2)
        .with_loss(Loss::Random(0.2));
    let trace = |seed: u64| {
        let mut rng = Rng::from_seed(common::seed_bytes(seed));
        let (client, server) = common::configs(&mut rng, 500);
        let mut p = common::pair(seed, client, server, link.clone().with_mtu(500));
        common::connect(&mut p, Duration::from_secs(60));
        let took = p.now() - p.clock().epoch();
        (took, p.a.datagrams_sent.clone(), p.b.datagrams_sent.clone())
    };
    assert_eq!(trace(77), trace(77));
    assert_ne!(trace(77), trace(78));
}
