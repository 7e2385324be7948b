//! Partial reliability (RFC 3758): max-retransmits and max-lifetime messages stop being
//! retransmitted as told, FORWARD-TSN moves the receiver past them, nothing arrives twice,
//! and reliable streams sharing the association still get everything in order.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use muon_netsim::LinkConfig;
use muon_sctp::{Config, Reliability};

fn run(seed: u64, reliability: Reliability, ordered: bool) -> (Net, usize) {
    let link = LinkConfig::lossy(0.2).with_delay(Duration::from_millis(20));
    let mut net = pair(seed, Config::default(), link.clone(), link);
    connect(&mut net);
    let n = 300;
    let mut msgs = workload(seed, n, &[1], 3000, ordered, reliability);
    // A reliable stream alongside.
    msgs.extend(workload(
        seed + 1,
        50,
        &[2],
        3000,
        true,
        Reliability::Reliable,
    ));
    net.a.inner_mut().outbox.extend(msgs);
    // Run until the reliable stream is complete and everything is acknowledged.
    net.run_until(Duration::from_secs(3600), |a, b| {
        a.inner().outbox.is_empty()
            && a.inner().assoc.send_buffered_bytes() == 0
            && b.inner().got.get(&2).map_or(0, Vec::len) == 50
    })
    .unwrap();
    (net, n)
}

/// Messages of stream 1 arrived at most once each, only ones that were sent, in send order.
fn check_subsequence(net: &Net, ordered: bool) -> usize {
    let sent = &net.a.inner().sent[&1];
    let got = net.b.inner().got.get(&1).cloned().unwrap_or_default();
    if ordered {
        let mut it = sent.iter();
        for h in &got {
            assert!(
                it.any(|s| s == h),
                "out of order, duplicated or unknown message"
            );
        }
    } else {
        let mut seen = std::collections::HashSet::new();
        for h in &got {
            assert!(sent.contains(h));
            assert!(seen.insert(*h), "duplicate delivery");
        }
    }
    assert_eq!(net.a.inner().sent[&2], net.b.inner().got[&2]);
    got.len()
}

#[test]
fn max_retransmits_zero_never_retransmits() {
    for ordered in [true, false] {
        let (net, n) = run(1, Reliability::MaxRetransmits(0), ordered);
        let got = check_subsequence(&net, ordered);
        let s = net.a.inner().assoc.stats();
        assert!(s.messages_abandoned > 0, "{s:?}");
        assert!(got < n, "some messages must be lost at 20% loss");
        assert!(got + s.messages_abandoned as usize >= n, "{got} + {s:?}");
    }
}

#[test]
fn max_retransmits_bounds_attempts() {
    let (net, n) = run(2, Reliability::MaxRetransmits(2), true);
    let got = check_subsequence(&net, true);
    // With up to 3 transmissions at 20% loss, most arrive.
    assert!(got > n * 8 / 10, "{got}");
    let s = net.a.inner().assoc.stats();
    // Chunks of stream 1: at most 2 retransmissions each; stream 2 adds its own.
    assert!(
        s.data_chunks_retransmitted <= 2 * s.data_chunks_sent,
        "{s:?}"
    );
}

#[test]
fn max_lifetime_expires_messages() {
    let (net, _) = run(3, Reliability::MaxLifetime(Duration::from_millis(50)), true);
    check_subsequence(&net, true);
    let s = net.a.inner().assoc.stats();
    assert!(s.messages_abandoned > 0, "{s:?}");
}
