//! How fast the simulator itself runs: datagrams through a `Network` (perfect and fully
//! impaired links, through a NAT) and steps of a `Pair` bouncing a datagram.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::VecDeque;
use std::hint::black_box;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use muon_netsim::{Clock, LinkConfig, Loss, Machine, NatKind, Network, Pair};
use muon_proto::{Receive, Transmit};

const BATCH: u64 = 10_000;

/// Sends BATCH datagrams of 1200 bytes, one every 100 µs, and delivers them all.
fn pump(
    net: &mut Network,
    clock: &mut Clock,
    from: SocketAddr,
    to: SocketAddr,
    payload: &[u8],
) -> u64 {
    let mut delivered = 0;
    for _ in 0..BATCH {
        net.send(
            clock.now(),
            Transmit {
                source: from,
                destination: to,
                contents: payload.to_vec(),
            },
        );
        clock.advance(Duration::from_micros(100));
        while net.poll_deliver(clock.now()).is_some() {
            delivered += 1;
        }
    }
    while let Some(t) = net.next_delivery() {
        clock.advance_to(t);
        while net.poll_deliver(clock.now()).is_some() {
            delivered += 1;
        }
    }
    delivered
}

fn impaired() -> LinkConfig {
    LinkConfig::default()
        .with_delay(Duration::from_millis(20))
        .with_jitter(Duration::from_millis(5))
        .with_loss(Loss::GilbertElliott {
            p_good_to_bad: 0.01,
            p_bad_to_good: 0.3,
            loss_good: 0.001,
            loss_bad: 0.5,
        })
        .with_duplicate(0.01)
        .with_reorder(0.01, Duration::from_millis(3))
        .with_rate(200_000_000, 1 << 20)
}

fn network(c: &mut Criterion) {
    let a: SocketAddr = "192.0.2.1:1000".parse().unwrap();
    let b: SocketAddr = "192.0.2.2:2000".parse().unwrap();
    let payload = vec![0xAB; 1200];
    let mut g = c.benchmark_group("network");
    g.throughput(Throughput::Elements(BATCH));
    g.bench_function("perfect_link", |bench| {
        bench.iter(|| {
            let mut net = Network::new(1);
            black_box(pump(&mut net, &mut Clock::new(), a, b, &payload))
        });
    });
    g.bench_function("impaired_link", |bench| {
        bench.iter(|| {
            let mut net = Network::new(1);
            net.set_default_link(impaired());
            black_box(pump(&mut net, &mut Clock::new(), a, b, &payload))
        });
    });
    g.bench_function("through_symmetric_nat", |bench| {
        bench.iter(|| {
            let mut net = Network::new(1);
            let nat = net.add_nat(
                "203.0.113.1".parse().unwrap(),
                NatKind::Symmetric,
                Duration::from_secs(30),
            );
            net.add_private_host(nat, "10.0.0.2".parse().unwrap());
            black_box(pump(
                &mut net,
                &mut Clock::new(),
                "10.0.0.2:5000".parse().unwrap(),
                b,
                &payload,
            ))
        });
    });
    g.finish();
}

/// Sends every datagram straight back.
#[derive(Default)]
struct Echo {
    out: VecDeque<Transmit>,
}

impl Machine for Echo {
    fn handle_receive(&mut self, _now: Instant, rx: Receive<'_>) {
        self.out.push_back(Transmit {
            source: rx.destination,
            destination: rx.source,
            contents: rx.contents.to_vec(),
        });
    }
    fn handle_timeout(&mut self, _now: Instant) {}
    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.pop_front()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        None
    }
}

fn pair(c: &mut Criterion) {
    let a: SocketAddr = "192.0.2.1:1000".parse().unwrap();
    let b: SocketAddr = "192.0.2.2:2000".parse().unwrap();
    let mut g = c.benchmark_group("pair");
    // 1 s of virtual time at 1 ms per hop: 1000 deliveries, with 16 datagrams in the air.
    g.throughput(Throughput::Elements(16_000));
    g.bench_function("echo_16_in_flight_1s", |bench| {
        bench.iter(|| {
            let mut p = Pair::new(
                1,
                Echo::default(),
                a,
                Echo::default(),
                b,
                LinkConfig::default(),
                LinkConfig::default(),
            );
            for i in 0..16u8 {
                p.a.out.push_back(Transmit {
                    source: a,
                    destination: b,
                    contents: vec![i; 100],
                });
            }
            p.run_for(Duration::from_secs(1)).unwrap();
            black_box(p.network().stats().delivered)
        });
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1)).sample_size(20);
    targets = network, pair
}
criterion_main!(benches);
