//! Reliable transfer on a clean path: every message arrives once, in order, byte for byte;
//! messages of every size up to the maximum, on many streams, ordered and unordered.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use muon_netsim::LinkConfig;
use muon_sctp::{Config, Reliability};

#[test]
fn ordered_messages_of_all_sizes_on_many_streams() {
    let mut net = pair(
        10,
        Config::default(),
        LinkConfig::default(),
        LinkConfig::default(),
    );
    connect(&mut net);
    let streams: Vec<u16> = (0..16).collect();
    let msgs = workload(10, 400, &streams, 64 * 1024, true, Reliability::Reliable);
    transfer(&mut net, msgs, true, Duration::from_secs(60));
    let a = net.a.inner().assoc.stats();
    assert_eq!(a.data_chunks_retransmitted, 0);
}

#[test]
fn maximum_size_messages() {
    let mut net = pair(
        11,
        Config::default(),
        LinkConfig::default(),
        LinkConfig::default(),
    );
    connect(&mut net);
    let mut msgs = workload(11, 20, &[1], 1, true, Reliability::Reliable);
    for m in &mut msgs {
        m.data = vec![m.data[0]; 256 * 1024].into();
    }
    transfer(&mut net, msgs, true, Duration::from_secs(60));
}

#[test]
fn unordered_messages() {
    let mut net = pair(
        12,
        Config::default(),
        LinkConfig::default(),
        LinkConfig::default(),
    );
    connect(&mut net);
    let msgs = workload(12, 300, &[0, 7], 20_000, false, Reliability::Reliable);
    transfer(&mut net, msgs, false, Duration::from_secs(60));
}

#[test]
fn both_directions_at_once() {
    let mut net = pair(
        13,
        Config::default(),
        LinkConfig::default(),
        LinkConfig::default(),
    );
    connect(&mut net);
    let ab = workload(13, 200, &[0, 1], 30_000, true, Reliability::Reliable);
    let ba = workload(14, 200, &[2, 3], 30_000, true, Reliability::Reliable);
    net.a.inner_mut().outbox.extend(ab);
    net.b.inner_mut().outbox.extend(ba);
    net.run_until(Duration::from_secs(60), |a, b| {
        a.inner().got_msgs == 200 && b.inner().got_msgs == 200
    })
    .unwrap();
    assert_delivered(net.a.inner(), net.b.inner(), true);
    assert_delivered(net.b.inner(), net.a.inner(), true);
}
