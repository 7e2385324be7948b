//! Bounded queues between the layers, seen from outside: a receiver that stops reading
//! stalls the sender (SCTP's window closes) instead of growing memory, and resumes intact;
//! channel opens beyond the peer's channel limit are refused and closed on both sides.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{Peer, negotiate, pattern};
use muon_netsim::{Clock, LinkConfig, Pair};
use muon_rtc::{DataChannelInit, Limits, RtcEvent};

#[test]
fn a_receiver_that_stops_reading_stalls_the_sender_then_resumes_intact() {
    let clock = Clock::new();
    let now = clock.now();
    let (addr_a, addr_b) = (
        common::ADDR_A.parse().unwrap(),
        common::ADDR_B.parse().unwrap(),
    );
    let mut a = Peer::new(50, now, addr_a);
    // A receiver that holds at most 16 events / 256 KiB for its application.
    let mut limits = Limits::default();
    limits.max_queued_events = 16;
    limits.max_queued_event_bytes = 256 * 1024;
    let mut b = Peer::with_limits(51, now, addr_b, limits);
    let x = a
        .rtc
        .create_data_channel("bulk", DataChannelInit::default())
        .unwrap();
    negotiate(&mut a.rtc, &mut b.rtc, now);
    let link = LinkConfig::perfect().with_delay(Duration::from_millis(5));
    let mut p = Pair::new(55, a, addr_a, b, addr_b, link.clone(), link).with_clock(clock);
    p.run_until(Duration::from_secs(10), |_, b| {
        b.remote_channels().len() == 1
    })
    .unwrap();
    let remote = p.b.remote_channels()[0];
    p.b.paused = true;
    // 7.5 MiB in 64 KiB messages: under the sender's channel limit (8 MiB), over what the
    // receiver holds (SCTP's 4 MiB window plus 256 KiB of events).
    const N: usize = 120;
    for i in 0..N {
        p.a.rtc
            .channel(x)
            .unwrap()
            .send(pattern(i as u8, 64 * 1024))
            .unwrap();
    }
    p.run_for(Duration::from_secs(20)).unwrap();
    let stuck = p.a.rtc.channel(x).unwrap().buffered_amount();
    assert!(
        stuck > 1 << 20,
        "the sender is held back: {stuck} bytes still queued"
    );
    p.b.paused = false;
    p.b.drain();
    p.run_until(Duration::from_secs(60), |_, b| {
        b.messages(remote).len() == N
    })
    .unwrap();
    for (i, m) in p.b.messages(remote).iter().enumerate() {
        assert_eq!(*m, pattern(i as u8, 64 * 1024), "message {i}");
    }
}

#[test]
fn opens_beyond_the_peers_channel_limit_are_refused_and_closed() {
    let clock = Clock::new();
    let now = clock.now();
    let (addr_a, addr_b) = (
        common::ADDR_A.parse().unwrap(),
        common::ADDR_B.parse().unwrap(),
    );
    let mut a = Peer::new(52, now, addr_a);
    let mut limits = Limits::default();
    limits.max_channels = 3;
    let mut b = Peer::with_limits(53, now, addr_b, limits);
    let ids: Vec<_> = (0..5)
        .map(|i| {
            a.rtc
                .create_data_channel(&format!("c{i}"), DataChannelInit::default())
                .unwrap()
        })
        .collect();
    negotiate(&mut a.rtc, &mut b.rtc, now);
    let link = LinkConfig::perfect().with_delay(Duration::from_millis(5));
    let mut p = Pair::new(54, a, addr_a, b, addr_b, link.clone(), link).with_clock(clock);
    p.run_until(Duration::from_secs(10), |a, _| {
        ids.iter()
            .filter(|&&id| a.has(&RtcEvent::ChannelClosed(id)))
            .count()
            == 2
    })
    .unwrap();
    assert_eq!(p.b.remote_channels().len(), 3);
    assert_eq!(p.b.rtc.stats().channels_refused, 2);
    assert_eq!(p.a.rtc.channel_ids().len(), 3);
    // Our own limit: a fourth local channel on b is refused by name.
    assert_eq!(
        p.b.rtc
            .create_data_channel("more", DataChannelInit::default()),
        Err(muon_rtc::RtcError::Limit(muon_rtc::Limit::Channels))
    );
}
