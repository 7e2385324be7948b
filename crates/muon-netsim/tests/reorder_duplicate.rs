//! Reordering and duplication happen at the configured rates, and only when configured.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{A, B, addr, stream};
use muon_netsim::{Clock, LinkConfig, Network};

#[test]
fn reorder_rate_and_overtaking() {
    const N: u32 = 50_000;
    let p = 0.05;
    let mut net = Network::new(13);
    net.set_default_link(
        LinkConfig::default()
            .with_delay(Duration::from_millis(30))
            .with_reorder(p, Duration::from_millis(5)),
    );
    let log = stream(
        &mut net,
        &mut Clock::new(),
        addr(A),
        addr(B),
        N,
        Duration::from_millis(1),
        16,
    );
    assert_eq!(log.len(), N as usize);
    let reordered = net.stats().reordered;
    let sd = (f64::from(N) * p * (1.0 - p)).sqrt();
    assert!(
        (reordered as f64 - f64::from(N) * p).abs() < 5.0 * sd,
        "{reordered}"
    );
    // A held-back datagram is overtaken by the ones sent in the next 5 ms; count datagrams
    // that arrive after a higher sequence number.
    let mut highest = None;
    let mut late = 0u64;
    for d in &log {
        if highest.is_some_and(|h| d.seq < h) {
            late += 1;
        }
        highest = highest.max(Some(d.seq));
    }
    assert!(late > 0);
    assert!(late <= reordered, "late {late} > reordered {reordered}");
    // Reordered ones arrive exactly delay + reorder delay after sending; others exactly delay.
    let extra = log
        .iter()
        .filter(|d| d.arrived - d.sent == Duration::from_millis(35))
        .count() as u64;
    assert_eq!(extra, reordered);
}

#[test]
fn no_reorder_keeps_order() {
    let mut net = Network::new(13);
    net.set_default_link(LinkConfig::lossy(0.2).with_duplicate(0.2));
    let log = stream(
        &mut net,
        &mut Clock::new(),
        addr(A),
        addr(B),
        5000,
        Duration::from_micros(10),
        16,
    );
    assert!(log.windows(2).all(|w| w[0].seq <= w[1].seq));
    assert_eq!(net.stats().reordered, 0);
}

#[test]
fn duplication_rate() {
    const N: u32 = 50_000;
    let p = 0.1;
    let mut net = Network::new(17);
    net.set_default_link(LinkConfig::default().with_duplicate(p));
    let log = stream(
        &mut net,
        &mut Clock::new(),
        addr(A),
        addr(B),
        N,
        Duration::from_millis(1),
        16,
    );
    let mut copies: BTreeMap<u32, u32> = BTreeMap::new();
    for d in &log {
        *copies.entry(d.seq).or_default() += 1;
    }
    assert_eq!(copies.len(), N as usize, "every datagram arrives");
    assert!(copies.values().all(|&c| c == 1 || c == 2));
    let dups = copies.values().filter(|&&c| c == 2).count() as u64;
    assert_eq!(dups, net.stats().duplicated);
    assert_eq!(log.len() as u64, u64::from(N) + dups);
    let sd = (f64::from(N) * p * (1.0 - p)).sqrt();
    assert!((dups as f64 - f64::from(N) * p).abs() < 5.0 * sd, "{dups}");
    // The copy arrives right after the original.
    for w in log.windows(2) {
        if w[0].seq == w[1].seq {
            assert_eq!(w[0].arrived, w[1].arrived);
        }
    }
}
