//! Reliable transfer under random loss (1%, 5%, 20%), both directions lossy: every message
//! arrives exactly once, in order, byte for byte; runs replay from their seed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use muon_netsim::LinkConfig;
use muon_sctp::{Config, Reliability};

fn lossy_transfer(seed: u64, loss: f64, n: usize, max_len: usize) -> muon_sctp::Stats {
    let link = LinkConfig::lossy(loss).with_delay(Duration::from_millis(10));
    let mut net = pair(seed, Config::default(), link.clone(), link);
    connect(&mut net);
    let msgs = workload(seed, n, &[0, 1, 2, 3], max_len, true, Reliability::Reliable);
    transfer(&mut net, msgs, true, Duration::from_secs(3600));
    net.a.inner().assoc.stats()
}

#[test]
fn one_percent_loss() {
    for seed in 0..3 {
        let s = lossy_transfer(seed, 0.01, 300, 30_000);
        assert!(
            s.data_chunks_retransmitted > 0,
            "loss must have caused retransmissions"
        );
    }
}

#[test]
fn five_percent_loss() {
    for seed in 10..13 {
        let s = lossy_transfer(seed, 0.05, 200, 30_000);
        assert!(s.fast_retransmits > 0, "{s:?}");
    }
}

#[test]
fn twenty_percent_loss() {
    for seed in 20..22 {
        let s = lossy_transfer(seed, 0.20, 100, 20_000);
        assert!(s.t3_expirations > 0 || s.fast_retransmits > 0, "{s:?}");
    }
}

#[test]
fn same_seed_same_run() {
    let a = lossy_transfer(77, 0.05, 50, 10_000);
    let b = lossy_transfer(77, 0.05, 50, 10_000);
    assert_eq!(a, b);
}
