//! Independent random loss: the measured rate matches the configured probability.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{A, B, addr, ip, loss_bursts, stream};
use muon_netsim::{Clock, LinkConfig, Network};

#[test]
fn loss_rate_matches_probability() {
    const N: u32 = 100_000;
    for p in [0.01, 0.1, 0.3] {
        let mut clock = Clock::new();
        let mut net = Network::new(11);
        net.set_link(ip("192.0.2.1"), ip("192.0.2.2"), LinkConfig::lossy(p));
        let log = stream(
            &mut net,
            &mut clock,
            addr(A),
            addr(B),
            N,
            Duration::from_micros(100),
            20,
        );
        let lost = f64::from(N) - log.len() as f64;
        // Binomial: allow 5 standard deviations.
        let sd = (f64::from(N) * p * (1.0 - p)).sqrt();
        assert!(
            (lost - f64::from(N) * p).abs() < 5.0 * sd,
            "p={p}: lost {lost} of {N}"
        );
        let s = net.stats();
        assert_eq!(s.dropped_loss, u64::from(N) - log.len() as u64);
        assert_eq!(s.sent, u64::from(N));
        assert_eq!(s.delivered + s.dropped(), s.sent);
        // Independent loss: bursts are short (mean 1 / (1 - p)).
        let bursts = loss_bursts(&log, N);
        let mean = bursts.iter().map(|&b| f64::from(b)).sum::<f64>() / bursts.len() as f64;
        assert!(
            (mean - 1.0 / (1.0 - p)).abs() < 0.05,
            "p={p}: mean burst {mean}"
        );
    }
}

#[test]
fn no_loss_and_full_loss_are_exact() {
    let mut clock = Clock::new();
    let mut net = Network::new(1);
    let log = stream(
        &mut net,
        &mut clock,
        addr(A),
        addr(B),
        1000,
        Duration::from_millis(1),
        10,
    );
    assert_eq!(log.len(), 1000);

    net.set_link(ip("192.0.2.1"), ip("192.0.2.2"), LinkConfig::down());
    let log = stream(
        &mut net,
        &mut clock,
        addr(A),
        addr(B),
        1000,
        Duration::from_millis(1),
        10,
    );
    assert!(log.is_empty());
    assert_eq!(net.stats().dropped_loss, 1000);
}
