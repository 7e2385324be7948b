//! The bottleneck: throughput equals the configured rate, the buffer bounds queuing delay, and
//! overflow is dropped at the tail and counted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{A, B, addr, stream};
use muon_netsim::{Clock, LinkConfig, Network};

const RATE: u64 = 1_000_000; // 1 Mbit/s
const SIZE: usize = 1250; // 10 ms of serialization at RATE
const SERIALIZE: Duration = Duration::from_millis(10);
const DELAY: Duration = Duration::from_millis(20);

fn net(queue_packets: usize) -> Network {
    let mut net = Network::new(23);
    net.set_default_link(
        LinkConfig::default()
            .with_delay(DELAY)
            .with_rate(RATE, queue_packets * SIZE),
    );
    net
}

#[test]
fn overload_gives_the_configured_throughput_and_drops_tail() {
    const N: u32 = 2000;
    let mut net = net(10);
    // Offered load 2 Mbit/s: one datagram every 5 ms.
    let log = stream(
        &mut net,
        &mut Clock::new(),
        addr(A),
        addr(B),
        N,
        Duration::from_millis(5),
        SIZE,
    );
    let s = net.stats();
    assert_eq!(s.delivered, log.len() as u64);
    assert_eq!(s.dropped_queue, u64::from(N) - s.delivered);
    assert_eq!(s.dropped(), s.dropped_queue);
    // Half the offered load gets through, give or take the buffer.
    assert!((990..=1011).contains(&s.delivered), "{}", s.delivered);
    // Back-to-back at the rate: exactly one serialization time apart once the queue is busy.
    for w in log.windows(2) {
        assert_eq!(w[1].arrived - w[0].arrived, SERIALIZE);
    }
    let span = log.last().unwrap().arrived - log.first().unwrap().arrived;
    let bits = (log.len() as u64 - 1) * SIZE as u64 * 8;
    let throughput = bits as f64 / span.as_secs_f64();
    assert!((throughput - RATE as f64).abs() < 1.0, "{throughput}");
    // Queuing delay is bounded by the buffer: 10 datagrams of 10 ms.
    let worst = log.iter().map(|d| d.arrived - d.sent).max().unwrap();
    assert!(worst <= DELAY + SERIALIZE * 10, "{worst:?}");
    assert!(
        worst >= DELAY + SERIALIZE * 9,
        "the buffer does fill: {worst:?}"
    );
    // Drop-tail keeps order.
    assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));
}

#[test]
fn under_the_rate_nothing_is_dropped_or_queued() {
    let mut net = net(2);
    let log = stream(
        &mut net,
        &mut Clock::new(),
        addr(A),
        addr(B),
        500,
        Duration::from_millis(10),
        SIZE,
    );
    assert_eq!(log.len(), 500);
    assert!(log.iter().all(|d| d.arrived - d.sent == DELAY + SERIALIZE));
    assert_eq!(net.stats().dropped(), 0);
}

#[test]
fn a_burst_larger_than_the_buffer_loses_the_excess() {
    let mut net = net(4);
    // 10 datagrams at the same instant into a 4-datagram buffer.
    let log = stream(
        &mut net,
        &mut Clock::new(),
        addr(A),
        addr(B),
        10,
        Duration::ZERO,
        SIZE,
    );
    let seqs: Vec<u32> = log.iter().map(|d| d.seq).collect();
    assert_eq!(seqs, [0, 1, 2, 3]);
    assert_eq!(net.stats().dropped_queue, 6);
    let owd: Vec<Duration> = log.iter().map(|d| d.arrived - d.sent).collect();
    assert_eq!(
        owd,
        (1..=4).map(|k| DELAY + SERIALIZE * k).collect::<Vec<_>>()
    );
}
