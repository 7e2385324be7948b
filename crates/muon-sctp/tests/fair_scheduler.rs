//! The stream scheduler: a bulk stream does not starve a stream of small messages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::*;
use muon_netsim::LinkConfig;
use muon_sctp::{Config, Ppid, Reliability, Scheduler};

/// Queues 64 bulk messages of 64 KiB on stream 0, then 20 small messages on stream 1, on a
/// 10 Mbit/s link; returns the virtual time at which the small messages had all arrived and
/// at which the bulk had.
fn race(scheduler: Scheduler) -> (Duration, Duration) {
    let mut config = Config::default();
    config.scheduler = scheduler;
    let link = LinkConfig::default()
        .with_delay(Duration::from_millis(10))
        .with_rate(10_000_000, 1 << 20);
    let mut net = pair(3, config, link.clone(), link);
    connect(&mut net);
    let bulk = (0..64).map(|i| Msg {
        stream: 0,
        ppid: Ppid::BINARY,
        ordered: true,
        reliability: Reliability::Reliable,
        data: Bytes::from(vec![i as u8; 64 * 1024]),
    });
    let small = (0..20).map(|i| Msg {
        stream: 1,
        ppid: Ppid::STRING,
        ordered: true,
        reliability: Reliability::Reliable,
        data: Bytes::from(format!("small {i}")),
    });
    let a = net.a.inner_mut();
    a.outbox.extend(bulk);
    a.outbox.extend(small);
    let start = net.now();
    let small_done = net
        .run_until(Duration::from_secs(600), |_, b| {
            b.inner().got.get(&1).map_or(0, Vec::len) == 20
        })
        .unwrap();
    let bulk_done = net
        .run_until(Duration::from_secs(600), |_, b| {
            b.inner().got.get(&0).map_or(0, Vec::len) == 64
        })
        .unwrap();
    assert_delivered(net.a.inner(), net.b.inner(), true);
    (small_done - start, bulk_done - start)
}

#[test]
fn round_robin_interleaves_small_messages_with_bulk() {
    let (small, bulk) = race(Scheduler::RoundRobin);
    // Each small message waits for at most one bulk message (64 KiB at 10 Mbit/s ~ 52 ms).
    assert!(small < bulk / 2, "small {small:?} bulk {bulk:?}");
}

#[test]
fn fair_bytes_interleaves_small_messages_with_bulk() {
    let (small, bulk) = race(Scheduler::FairBytes { quantum: 1200 });
    assert!(small < bulk / 2, "small {small:?} bulk {bulk:?}");
}
