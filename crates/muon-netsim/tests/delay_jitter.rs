//! Delay is exact without jitter; jitter stays within its bounds and never reorders.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{A, B, addr, ip, stream};
use muon_netsim::{Clock, JitterDistribution, LinkConfig, Network};

#[test]
fn delay_is_exact_without_jitter() {
    for delay in [
        Duration::ZERO,
        Duration::from_micros(1),
        Duration::from_millis(37),
    ] {
        let mut clock = Clock::new();
        let mut net = Network::new(5);
        net.set_link(
            ip("192.0.2.1"),
            ip("192.0.2.2"),
            LinkConfig::default().with_delay(delay),
        );
        let log = stream(
            &mut net,
            &mut clock,
            addr(A),
            addr(B),
            500,
            Duration::from_micros(700),
            100,
        );
        assert_eq!(log.len(), 500);
        for (i, d) in log.iter().enumerate() {
            assert_eq!(d.seq as usize, i);
            assert_eq!(d.arrived - d.sent, delay, "seq {}", d.seq);
        }
    }
}

#[test]
fn directions_are_independent() {
    let mut clock = Clock::new();
    let mut net = Network::new(5);
    net.set_link(
        ip("192.0.2.1"),
        ip("192.0.2.2"),
        LinkConfig::default().with_delay(Duration::from_millis(10)),
    );
    net.set_link(
        ip("192.0.2.2"),
        ip("192.0.2.1"),
        LinkConfig::default().with_delay(Duration::from_millis(90)),
    );
    let ab = stream(
        &mut net,
        &mut clock,
        addr(A),
        addr(B),
        3,
        Duration::from_millis(1),
        8,
    );
    let ba = stream(
        &mut net,
        &mut clock,
        addr(B),
        addr(A),
        3,
        Duration::from_millis(1),
        8,
    );
    assert!(
        ab.iter()
            .all(|d| d.arrived - d.sent == Duration::from_millis(10))
    );
    assert!(
        ba.iter()
            .all(|d| d.arrived - d.sent == Duration::from_millis(90))
    );
}

fn jitter_run(distribution: JitterDistribution) {
    let delay = Duration::from_millis(20);
    let jitter = Duration::from_millis(15);
    let mut clock = Clock::new();
    let mut net = Network::new(6);
    net.set_default_link(
        LinkConfig::default()
            .with_delay(delay)
            .with_jitter(jitter)
            .with_jitter_distribution(distribution),
    );
    // Sent 1 ms apart, far closer than the jitter: without the FIFO rule they would reorder.
    let log = stream(
        &mut net,
        &mut clock,
        addr(A),
        addr(B),
        20_000,
        Duration::from_millis(1),
        50,
    );
    assert_eq!(log.len(), 20_000);
    let mut min = Duration::MAX;
    let mut max = Duration::ZERO;
    for (i, d) in log.iter().enumerate() {
        assert_eq!(d.seq as usize, i, "FIFO broken");
        let owd = d.arrived - d.sent;
        assert!(
            owd >= delay && owd <= delay + jitter,
            "{distribution:?}: {owd:?}"
        );
        min = min.min(owd);
        max = max.max(owd);
    }
    // Much of the range is used, so jitter really happens. (The FIFO hold-back lifts the
    // low end: a datagram waits for its predecessor, sent 1 ms earlier.)
    assert!(min < delay + jitter / 4, "{distribution:?}: min {min:?}");
    assert!(
        max > delay + jitter * 3 / 4,
        "{distribution:?}: max {max:?}"
    );
    let spread: std::collections::BTreeSet<_> = log.iter().map(|d| d.arrived - d.sent).collect();
    assert!(spread.len() > 1000);
}

#[test]
fn uniform_jitter_bounds_and_fifo() {
    jitter_run(JitterDistribution::Uniform);
}

#[test]
fn normal_jitter_bounds_and_fifo() {
    jitter_run(JitterDistribution::Normal);
}

#[test]
fn sparse_uniform_jitter_is_uniform() {
    // Packets far apart (no FIFO hold-back): the mean extra delay is jitter / 2.
    let jitter = Duration::from_millis(40);
    let mut clock = Clock::new();
    let mut net = Network::new(7);
    net.set_default_link(
        LinkConfig::default()
            .with_delay(Duration::ZERO)
            .with_jitter(jitter),
    );
    let log = stream(
        &mut net,
        &mut clock,
        addr(A),
        addr(B),
        10_000,
        Duration::from_millis(100),
        8,
    );
    let mean = log
        .iter()
        .map(|d| (d.arrived - d.sent).as_secs_f64())
        .sum::<f64>()
        / log.len() as f64;
    // sd of the mean: 40 ms / sqrt(12) / sqrt(10000) = 0.115 ms
    assert!((mean - 0.020).abs() < 0.0006, "mean {mean}");
    let below_quarter = log
        .iter()
        .filter(|d| d.arrived - d.sent < jitter / 4)
        .count();
    assert!((2_300..2_700).contains(&below_quarter), "{below_quarter}");
}
