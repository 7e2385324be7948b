//! Properties over arbitrary link configurations and traffic: nothing panics, every datagram
//! is accounted for, arrival times respect the configured bounds, FIFO holds unless
//! reordering is on, and a seed replays exactly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use muon_netsim::{Clock, JitterDistribution, LinkConfig, Loss, NatKind, Network, RecordKind};
use muon_proto::Transmit;
use proptest::prelude::*;

fn probability() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), Just(1.0), 0.0..1.0f64]
}

fn loss() -> impl Strategy<Value = Loss> {
    prop_oneof![
        Just(Loss::None),
        probability().prop_map(Loss::Random),
        (probability(), probability(), probability(), probability()).prop_map(|(a, b, c, d)| {
            Loss::GilbertElliott {
                p_good_to_bad: a,
                p_bad_to_good: b,
                loss_good: c,
                loss_bad: d,
            }
        }),
    ]
}

fn ms(max: u64) -> impl Strategy<Value = Duration> {
    (0..=max * 1000).prop_map(Duration::from_micros)
}

prop_compose! {
    fn link()(
        delay in ms(100),
        jitter in ms(50),
        normal in any::<bool>(),
        loss in loss(),
        duplicate in probability(),
        reorder in prop_oneof![Just(0.0), probability()],
        reorder_delay in ms(50),
        rate in proptest::option::of(1_000u64..10_000_000),
        queue in 0usize..100_000,
        mtu in 0usize..2000,
    ) -> LinkConfig {
        let mut cfg = LinkConfig::default()
            .with_delay(delay)
            .with_jitter(jitter)
            .with_jitter_distribution(if normal { JitterDistribution::Normal } else { JitterDistribution::Uniform })
            .with_loss(loss)
            .with_duplicate(duplicate)
            .with_reorder(reorder, reorder_delay)
            .with_mtu(mtu);
        if let Some(rate) = rate {
            cfg = cfg.with_rate(rate, queue);
        }
        cfg
    }
}

/// (direction a->b?, size, gap before sending in µs)
fn traffic() -> impl Strategy<Value = Vec<(bool, usize, u64)>> {
    proptest::collection::vec((any::<bool>(), 4usize..2500, 0u64..5000), 0..300)
}

const A: &str = "192.0.2.1:1000";
const B: &str = "192.0.2.2:2000";

/// A log entry: (kind, µs since epoch, seq, source, destination).
type Entry = (RecordKind, u128, u32, SocketAddr, SocketAddr);

/// Runs the traffic; returns the log as (kind, µs since epoch, seq, src, dst).
fn run(
    seed: u64,
    cfg: &LinkConfig,
    nat: Option<NatKind>,
    ops: &[(bool, usize, u64)],
) -> (Network, Vec<Entry>) {
    let mut clock = Clock::new();
    let mut net = Network::new(seed);
    net.set_default_link(cfg.clone());
    let (a, b): (SocketAddr, SocketAddr) = (A.parse().unwrap(), B.parse().unwrap());
    let nat = nat.map(|kind| {
        let id = net.add_nat(
            "203.0.113.1".parse().unwrap(),
            kind,
            Duration::from_millis(300),
        );
        net.add_private_host(id, a.ip());
        id
    });
    net.record(None);
    let mut delivered = 0u64;
    for (seq, &(ab, size, gap)) in ops.iter().enumerate() {
        let until = clock.now() + Duration::from_micros(gap);
        while let Some(t) = net.next_delivery().filter(|t| *t <= until) {
            clock.advance_to(t);
            while net.poll_deliver(clock.now()).is_some() {
                delivered += 1;
            }
        }
        clock.advance_to(until);
        // b answers a through a's NAT mapping, if any.
        let b_to_a = nat
            .and_then(|id| net.nat_mapping(id, clock.now(), a, b))
            .unwrap_or(a);
        let (src, dst) = if ab { (a, b) } else { (b, b_to_a) };
        let mut contents = vec![0u8; size];
        contents[..4].copy_from_slice(&(seq as u32).to_be_bytes());
        net.send(
            clock.now(),
            Transmit {
                source: src,
                destination: dst,
                contents,
            },
        );
        let s = net.stats();
        assert_eq!(
            s.sent + s.duplicated,
            s.delivered + s.dropped() + net.in_flight() as u64
        );
    }
    for _ in 0..100_000 {
        let Some(t) = net.next_delivery() else { break };
        clock.advance_to(t);
        while net.poll_deliver(clock.now()).is_some() {
            delivered += 1;
        }
    }
    assert_eq!(net.in_flight(), 0);
    assert_eq!(net.stats().delivered, delivered);
    let epoch = clock.epoch();
    let log = net
        .take_records()
        .into_iter()
        .map(|r| {
            let seq = u32::from_be_bytes(r.transmit.contents[..4].try_into().unwrap());
            (
                r.kind,
                (r.at - epoch).as_micros(),
                seq,
                r.transmit.source,
                r.transmit.destination,
            )
        })
        .collect();
    (net, log)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn accounting_bounds_and_fifo(seed in any::<u64>(), cfg in link(), ops in traffic()) {
        let (net, log) = run(seed, &cfg, None, &ops);
        let s = net.stats();
        prop_assert_eq!(s.sent, ops.len() as u64);
        prop_assert_eq!(s.sent + s.duplicated, s.delivered + s.dropped());
        // Arrival bounds, per datagram.
        let sent_at: BTreeMap<u32, u128> = log
            .iter()
            .filter(|r| r.0 == RecordKind::Sent)
            .map(|r| (r.2, r.1))
            .collect();
        let queue_wait = cfg.rate_bps.map_or(Duration::ZERO, |rate| {
            Duration::from_secs_f64((cfg.queue_bytes as f64 + 1.0) * 8.0 / rate as f64)
                + Duration::from_micros(2)
        });
        let min = cfg.delay.as_micros();
        let max = (cfg.delay + cfg.jitter + cfg.reorder_delay + queue_wait).as_micros() + 1;
        let mut last_seq: BTreeMap<SocketAddr, u32> = BTreeMap::new();
        for r in log.iter().filter(|r| r.0 == RecordKind::Delivered) {
            let owd = r.1 - sent_at[&r.2];
            prop_assert!(owd + 1 >= min && owd <= max, "owd {} not in [{}, {}]", owd, min, max);
            if cfg.reorder == 0.0 {
                let last = last_seq.entry(r.3).or_insert(r.2);
                prop_assert!(*last <= r.2, "FIFO broken: {} after {}", r.2, *last);
                *last = r.2;
            }
        }
    }

    #[test]
    fn same_seed_same_log(seed in any::<u64>(), cfg in link(), ops in traffic(), nat in proptest::option::of(prop_oneof![
        Just(NatKind::FullCone), Just(NatKind::AddressRestricted), Just(NatKind::PortRestricted), Just(NatKind::Symmetric)
    ])) {
        let (_, first) = run(seed, &cfg, nat, &ops);
        let (_, second) = run(seed, &cfg, nat, &ops);
        prop_assert_eq!(first, second);
    }
}
