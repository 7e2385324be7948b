//! Stream reset (RFC 6525): closing a channel's stream delivers its queued data first, both
//! sides see the reset, and the stream id is reused with SSNs starting at 0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use muon_netsim::LinkConfig;
use muon_sctp::{Config, Event, Reliability, ResetDirection, SctpError};

#[test]
fn reset_after_data_then_reuse() {
    for seed in 0..5 {
        let link = LinkConfig::lossy(0.05).with_delay(Duration::from_millis(10));
        let mut net = pair(seed, Config::default(), link.clone(), link);
        connect(&mut net);
        let msgs = workload(seed, 50, &[3], 5000, true, Reliability::Reliable);
        net.a.inner_mut().outbox.extend(msgs);
        net.a.inner_mut().pump();
        net.a.inner_mut().assoc.reset_stream(3).unwrap();
        let now = net.now();
        let err = net.a.inner_mut().assoc.send(
            now,
            3,
            muon_sctp::Ppid::BINARY,
            true,
            Reliability::Reliable,
            bytes::Bytes::from_static(b"x"),
        );
        assert_eq!(err, Err(SctpError::StreamResetting(3)));
        net.run_until(Duration::from_secs(600), |a, b| {
            a.inner().events.contains(&Event::StreamReset {
                stream: 3,
                direction: ResetDirection::Outgoing,
            }) && b.inner().events.contains(&Event::StreamReset {
                stream: 3,
                direction: ResetDirection::Incoming,
            })
        })
        .unwrap();
        // Everything sent before the reset arrived before it.
        assert_eq!(net.b.inner().got_msgs, 50);
        assert_delivered(net.a.inner(), net.b.inner(), true);
        // Reuse the stream: SSNs restart at 0 on both sides, so delivery continues in order.
        let more = workload(seed + 100, 30, &[3], 5000, true, Reliability::Reliable);
        net.a.inner_mut().outbox.extend(more);
        net.run_until(Duration::from_secs(600), |_, b| b.inner().got_msgs == 80)
            .unwrap();
        assert_delivered(net.a.inner(), net.b.inner(), true);
    }
}

#[test]
fn both_sides_reset_the_same_stream() {
    let mut net = pair(
        7,
        Config::default(),
        LinkConfig::default(),
        LinkConfig::default(),
    );
    connect(&mut net);
    net.a.inner_mut().assoc.reset_stream(5).unwrap();
    net.b.inner_mut().assoc.reset_stream(5).unwrap();
    net.run_until(Duration::from_secs(60), |a, b| {
        [a.inner(), b.inner()].iter().all(|p| {
            p.events
                .iter()
                .filter(|e| matches!(e, Event::StreamReset { stream: 5, .. }))
                .count()
                == 2
        })
    })
    .unwrap();
}
