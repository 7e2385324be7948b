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

/// On a path that drops everything from a to b, counts how often each chunk is sent, then
/// restores the path and checks the receiver moved past the abandoned messages.
fn blackout(reliability: Reliability) -> muon_sctp::Stats {
    let mut config = Config::default();
    config.max_retransmissions = None;
    let mut net = pair(4, config, LinkConfig::default(), LinkConfig::default());
    connect(&mut net);
    let (a_ip, b_ip) = (muon_netsim::PAIR_ADDR_A.ip(), muon_netsim::PAIR_ADDR_B.ip());
    net.network_mut().set_link(a_ip, b_ip, LinkConfig::down());
    // Ten small messages (a message may still be split to fill a packet).
    let msgs = workload(4, 10, &[1], 500, true, reliability);
    net.a.inner_mut().outbox.extend(msgs);
    // Long enough for every chunk to use up its retransmissions at the backed-off RTO.
    net.run_for(Duration::from_secs(3 * 3600)).unwrap();
    let stats = net.a.inner().assoc.stats();
    net.network_mut()
        .set_link(a_ip, b_ip, LinkConfig::default());
    let after = workload(5, 3, &[1], 500, true, Reliability::Reliable);
    net.a.inner_mut().outbox.extend(after);
    let want: Vec<_> = net.a.inner().sent[&1][10..].to_vec();
    net.run_until(Duration::from_secs(600), |_, b| {
        b.inner().got.get(&1).is_some_and(|g| g.ends_with(&want))
    })
    .unwrap();
    // Nothing arrived twice or out of order; messages still queued when the path came back
    // may have been sent then and arrived.
    check_subsequence_of(&net.a.inner().sent[&1], &net.b.inner().got[&1]);
    stats
}

fn check_subsequence_of(sent: &[[u8; 32]], got: &[[u8; 32]]) {
    let mut it = sent.iter();
    for h in got {
        assert!(
            it.any(|s| s == h),
            "out of order, duplicated or unknown message"
        );
    }
}

#[test]
fn abandoned_chunks_are_sent_exactly_as_often_as_allowed() {
    let s = blackout(Reliability::MaxRetransmits(0));
    assert!(s.data_chunks_sent > 0);
    assert_eq!(s.data_chunks_retransmitted, 0, "{s:?}");
    assert!(s.messages_abandoned > 0);
    // Counted at the end of the blackout: every chunk sent was retransmitted exactly three
    // times, then its message abandoned.
    let s = blackout(Reliability::MaxRetransmits(3));
    assert_eq!(s.data_chunks_retransmitted, 3 * s.data_chunks_sent, "{s:?}");
    assert!(s.messages_abandoned > 0);
}

#[test]
fn lifetime_stops_retransmission_after_expiry() {
    // RTO starts at 1 s and doubles: within a 3 s lifetime at most two retransmissions fit.
    let s = blackout(Reliability::MaxLifetime(Duration::from_secs(3)));
    assert!(s.messages_abandoned > 0, "{s:?}");
    assert!(
        s.data_chunks_retransmitted <= 2 * s.data_chunks_sent,
        "{s:?}"
    );
}
