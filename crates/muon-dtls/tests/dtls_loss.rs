//! Handshake and data under random loss (0%, 10%, 30% in each direction) at MTU 1200 and
//! 500, with the default RFC 6347 timers (1 s initial, doubling up to 60 s). Every case is
//! reproducible from its seed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use muon_netsim::{LinkConfig, Loss};
use muon_proto::Rng;

/// Runs one seeded case; returns how long the handshake took in virtual time.
fn run(seed: u64, loss: f64, mtu: usize, give_up: Duration) -> Duration {
    let mut rng = Rng::from_seed(common::seed_bytes(seed));
    let (mut client, mut server) = common::configs(&mut rng, mtu);
    client.handshake_timeout = give_up;
    server.handshake_timeout = give_up;
    let link = LinkConfig::default()
        .with_delay(Duration::from_millis(20))
        .with_loss(Loss::Random(loss))
        .with_mtu(mtu);
    let mut p = common::pair(seed, client, server, link);
    let start = p.now();
    common::connect(&mut p, give_up);
    let took = p.now() - start;
    common::assert_same_keys(&mut p);
    common::exchange(&mut p, 5, Duration::from_secs(2));
    // The link drops anything above its MTU, so this also proves fragmentation fits.
    assert!(
        p.a.datagrams_sent
            .iter()
            .chain(&p.b.datagrams_sent)
            .all(|&n| n <= mtu)
    );
    took
}

const DEFAULT_GIVE_UP: Duration = Duration::from_secs(30);

#[test]
fn no_loss_completes_in_three_round_trips() {
    for mtu in [1200, 500] {
        for seed in 0..4 {
            let took = run(seed, 0.0, mtu, DEFAULT_GIVE_UP);
            // Three round trips of 40 ms (cookie, flight 4, flight 6): no timer ever fires.
            assert_eq!(took, Duration::from_millis(120), "seed {seed} mtu {mtu}");
        }
    }
}

#[test]
fn ten_percent_loss_mtu_1200() {
    for seed in 100..120 {
        run(seed, 0.10, 1200, DEFAULT_GIVE_UP);
    }
}

#[test]
fn ten_percent_loss_mtu_500() {
    for seed in 200..220 {
        run(seed, 0.10, 500, DEFAULT_GIVE_UP);
    }
}

/// At 30% loss each way a six-flight exchange can need many back-offs (measured over 100
/// seeds: median 3 s, 90th percentile 15 s, worst 183 s), so the give-up time is raised.
#[test]
fn thirty_percent_loss_mtu_1200() {
    for seed in 300..320 {
        run(seed, 0.30, 1200, Duration::from_secs(300));
    }
}

#[test]
fn thirty_percent_loss_mtu_500() {
    for seed in 400..420 {
        run(seed, 0.30, 500, Duration::from_secs(300));
    }
}
