//! A 200 ms RTT path with a 20 Mbit/s bottleneck: the transfer completes, the RTT estimate
//! converges, and the window grows so that throughput approaches the bottleneck rate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use muon_netsim::LinkConfig;
use muon_sctp::{Config, Reliability};

const RATE_BPS: u64 = 20_000_000;

#[test]
fn two_hundred_ms_rtt() {
    let link = LinkConfig::default()
        .with_delay(Duration::from_millis(100))
        .with_rate(RATE_BPS, 256 * 1024);
    let mut net = pair(1, Config::default(), link.clone(), link);
    connect(&mut net);
    let msgs = workload(1, 200, &[0, 1], 64 * 1024, true, Reliability::Reliable);
    let bytes: usize = msgs.iter().map(|m| m.data.len()).sum();
    let start = net.now();
    let end = transfer(&mut net, msgs, true, Duration::from_secs(600));
    let secs = (end - start).as_secs_f64();
    let rtt = net.a.inner().assoc.rtt().unwrap();
    assert!(
        rtt >= Duration::from_millis(195) && rtt <= Duration::from_millis(450),
        "{rtt:?}"
    );
    let bps = bytes as f64 * 8.0 / secs;
    println!("{:.1} Mbit/s over {secs:.2} s", bps / 1e6);
    assert!(bps > RATE_BPS as f64 * 0.5, "{bps} bit/s");
}

#[test]
fn two_hundred_ms_rtt_with_five_percent_loss() {
    let link = LinkConfig::lossy(0.05).with_delay(Duration::from_millis(100));
    let mut net = pair(2, Config::default(), link.clone(), link);
    connect(&mut net);
    let msgs = workload(2, 100, &[0, 1, 2], 30_000, true, Reliability::Reliable);
    transfer(&mut net, msgs, true, Duration::from_secs(3600));
}
