//! Gilbert-Elliott loss: the long-run loss rate and the mean burst length follow the model.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{A, B, addr, ip, loss_bursts, stream};
use muon_netsim::{Clock, LinkConfig, Loss, Network};

fn mean(xs: &[u32]) -> f64 {
    xs.iter().map(|&x| f64::from(x)).sum::<f64>() / xs.len() as f64
}

#[test]
fn gilbert_loss_rate_and_burst_length() {
    const N: u32 = 200_000;
    // Classic Gilbert: lossless good state, always-lossy bad state.
    for (p_gb, p_bg) in [(0.01, 0.25), (0.005, 0.1), (0.05, 0.5)] {
        let mut clock = Clock::new();
        let mut net = Network::new(3);
        let loss = Loss::GilbertElliott {
            p_good_to_bad: p_gb,
            p_bad_to_good: p_bg,
            loss_good: 0.0,
            loss_bad: 1.0,
        };
        net.set_link(
            ip("192.0.2.1"),
            ip("192.0.2.2"),
            LinkConfig::default().with_loss(loss),
        );
        let log = stream(
            &mut net,
            &mut clock,
            addr(A),
            addr(B),
            N,
            Duration::from_micros(50),
            8,
        );
        // Tolerances of 4 standard deviations, from the expected number of bursts: the loss
        // count is a sum of ~n geometric bursts (relative sd about sqrt(2 / n)); the mean
        // burst length has relative sd sqrt(1 - p_bg) / sqrt(n).
        let expected_rate = p_gb / (p_gb + p_bg);
        let n = f64::from(N) * (1.0 - expected_rate) * p_gb;
        let rate_tol = 4.0 * (2.0 / n).sqrt();
        let burst_tol = 4.0 * (1.0 - p_bg).sqrt() / n.sqrt();
        let rate = 1.0 - log.len() as f64 / f64::from(N);
        assert!(
            (rate - expected_rate).abs() < rate_tol * expected_rate,
            "({p_gb},{p_bg}): rate {rate} vs {expected_rate}"
        );
        let bursts = loss_bursts(&log, N);
        let burst = mean(&bursts);
        let expected_burst = 1.0 / p_bg;
        assert!(
            (burst - expected_burst).abs() < burst_tol * expected_burst,
            "({p_gb},{p_bg}): mean burst {burst} vs {expected_burst} over {} bursts",
            bursts.len()
        );
    }
}

#[test]
fn bursts_are_longer_than_random_loss_at_the_same_rate() {
    const N: u32 = 100_000;
    let (p_gb, p_bg) = (0.01, 0.2);
    let rate = p_gb / (p_gb + p_bg);
    let mut bursty = Network::new(8);
    let mut random = Network::new(8);
    let ge = Loss::GilbertElliott {
        p_good_to_bad: p_gb,
        p_bad_to_good: p_bg,
        loss_good: 0.0,
        loss_bad: 1.0,
    };
    bursty.set_default_link(LinkConfig::default().with_loss(ge));
    random.set_default_link(LinkConfig::lossy(rate));
    let gap = Duration::from_micros(100);
    let ge_log = stream(&mut bursty, &mut Clock::new(), addr(A), addr(B), N, gap, 8);
    let rnd_log = stream(&mut random, &mut Clock::new(), addr(A), addr(B), N, gap, 8);
    let ge_burst = mean(&loss_bursts(&ge_log, N));
    let rnd_burst = mean(&loss_bursts(&rnd_log, N));
    assert!(
        ge_burst > 4.0 * rnd_burst,
        "GE {ge_burst} vs random {rnd_burst}"
    );
}

#[test]
fn elliott_states_lose_with_their_own_probabilities() {
    // Lossy in both states: rate = pi_good * loss_good + pi_bad * loss_bad.
    const N: u32 = 200_000;
    let (p_gb, p_bg, lg, lb) = (0.05, 0.2, 0.02, 0.6);
    let mut net = Network::new(21);
    net.set_default_link(LinkConfig::default().with_loss(Loss::GilbertElliott {
        p_good_to_bad: p_gb,
        p_bad_to_good: p_bg,
        loss_good: lg,
        loss_bad: lb,
    }));
    let log = stream(
        &mut net,
        &mut Clock::new(),
        addr(A),
        addr(B),
        N,
        Duration::from_micros(50),
        8,
    );
    let pi_bad = p_gb / (p_gb + p_bg);
    let expected = (1.0 - pi_bad) * lg + pi_bad * lb;
    let rate = 1.0 - log.len() as f64 / f64::from(N);
    assert!((rate - expected).abs() < 0.01, "rate {rate} vs {expected}");
}

#[test]
fn gilbert_helper_gives_the_requested_rate_and_burst() {
    const N: u32 = 200_000;
    let mut net = Network::new(5);
    net.set_default_link(LinkConfig::default().with_loss(Loss::gilbert(0.05, 3.0)));
    let log = stream(
        &mut net,
        &mut Clock::new(),
        addr(A),
        addr(B),
        N,
        Duration::from_micros(50),
        8,
    );
    let rate = 1.0 - log.len() as f64 / f64::from(N);
    assert!((rate - 0.05).abs() < 0.005, "rate {rate}");
    let burst = mean(&loss_bursts(&log, N));
    assert!((burst - 3.0).abs() < 0.2, "burst {burst}");
}
