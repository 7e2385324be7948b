//! Reliable transfer when the path reorders and duplicates packets (with some loss):
//! duplicates are detected and reported, nothing is delivered twice, order holds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use muon_netsim::LinkConfig;
use muon_sctp::{Config, Reliability};

#[test]
fn reordering_and_duplication() {
    for seed in 0..3 {
        let link = LinkConfig::lossy(0.02)
            .with_delay(Duration::from_millis(10))
            .with_reorder(0.1, Duration::from_millis(15))
            .with_duplicate(0.05);
        let mut net = pair(seed, Config::default(), link.clone(), link);
        connect(&mut net);
        let msgs = workload(seed, 300, &[0, 1, 2], 20_000, true, Reliability::Reliable);
        transfer(&mut net, msgs, true, Duration::from_secs(3600));
        let b = net.b.inner().assoc.stats();
        assert!(b.duplicate_tsns_received > 0, "{b:?}");
    }
}

#[test]
fn unordered_with_reordering() {
    let link = LinkConfig::default()
        .with_delay(Duration::from_millis(5))
        .with_reorder(0.3, Duration::from_millis(20));
    let mut net = pair(9, Config::default(), link.clone(), link);
    connect(&mut net);
    let msgs = workload(9, 300, &[4], 3_000, false, Reliability::Reliable);
    transfer(&mut net, msgs, false, Duration::from_secs(600));
}
