//! Message-level API: size limit, WebRTC PPIDs (empty variants), buffered amount and its
//! low-water event, and receiver back-pressure through the advertised window.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::*;
use muon_netsim::LinkConfig;
use muon_proto::Rng;
use muon_sctp::{Association, Config, Event, Ppid, Reliability, SctpError};

#[test]
fn message_beyond_the_maximum_is_refused_not_buffered() {
    let now = muon_netsim::Clock::new().now();
    let mut a = Association::client(Config::default(), Rng::from_seed([1; 32]), now);
    let big = Bytes::from(vec![0u8; 256 * 1024 + 1]);
    assert_eq!(
        a.send(now, 0, Ppid::BINARY, true, Reliability::Reliable, big),
        Err(SctpError::MessageTooLarge {
            size: 256 * 1024 + 1,
            max: 256 * 1024
        })
    );
    assert_eq!(a.send_buffered_bytes(), 0);
    assert_eq!(
        a.send(
            now,
            0,
            Ppid::DCEP,
            true,
            Reliability::Reliable,
            Bytes::new()
        ),
        Err(SctpError::EmptyMessage)
    );
}

#[test]
fn send_buffer_limit_is_enforced() {
    let now = muon_netsim::Clock::new().now();
    let mut config = Config::default();
    config.max_send_buffer = 100_000;
    let mut a = Association::client(config, Rng::from_seed([1; 32]), now);
    let m = Bytes::from(vec![0u8; 40_000]);
    a.send(now, 0, Ppid::BINARY, true, Reliability::Reliable, m.clone())
        .unwrap();
    a.send(now, 0, Ppid::BINARY, true, Reliability::Reliable, m.clone())
        .unwrap();
    assert_eq!(
        a.send(now, 0, Ppid::BINARY, true, Reliability::Reliable, m),
        Err(SctpError::SendBufferFull)
    );
    assert_eq!(a.buffered_amount(0), 80_000);
}

#[test]
fn webrtc_ppids_and_empty_messages() {
    let mut net = pair(
        1,
        Config::default(),
        LinkConfig::default(),
        LinkConfig::default(),
    );
    net.b.inner_mut().keep_messages = true;
    connect(&mut net);
    let msgs = [
        (Ppid::DCEP, Bytes::from_static(&[3, 0, 0, 0])),
        (Ppid::STRING, Bytes::from_static(b"hello")),
        (Ppid::STRING, Bytes::new()),
        (Ppid::BINARY, Bytes::from_static(&[1, 2, 3])),
        (Ppid::BINARY, Bytes::new()),
    ];
    for (ppid, data) in &msgs {
        net.a.inner_mut().outbox.push_back(Msg {
            stream: 2,
            ppid: *ppid,
            ordered: true,
            reliability: Reliability::Reliable,
            data: data.clone(),
        });
    }
    net.run_until(Duration::from_secs(10), |_, b| {
        b.inner().got_msgs == msgs.len()
    })
    .unwrap();
    let got: Vec<_> = net
        .b
        .inner()
        .messages
        .iter()
        .map(|(_, p, d)| (*p, d.clone()))
        .collect();
    assert_eq!(got, msgs);
}

#[test]
fn buffered_amount_low_fires_when_the_queue_drains() {
    let mut net = pair(
        2,
        Config::default(),
        LinkConfig::default(),
        LinkConfig::default(),
    );
    connect(&mut net);
    let now = net.now();
    let a = &mut net.a.inner_mut().assoc;
    a.set_buffered_amount_low_threshold(4, 10_000);
    for _ in 0..10 {
        a.send(
            now,
            4,
            Ppid::BINARY,
            true,
            Reliability::Reliable,
            vec![0u8; 50_000].into(),
        )
        .unwrap();
    }
    assert_eq!(a.buffered_amount(4), 500_000);
    net.run_until(Duration::from_secs(30), |a, _| {
        a.inner()
            .events
            .contains(&Event::BufferedAmountLow { stream: 4 })
    })
    .unwrap();
    assert!(net.a.inner().assoc.buffered_amount(4) <= 10_000);
}

#[test]
fn a_stalled_reader_closes_the_window_and_the_sender_resumes() {
    let mut config = Config::default();
    config.receive_buffer = 256 * 1024;
    let link = LinkConfig::default().with_delay(Duration::from_millis(5));
    let mut net = pair(3, config.clone(), link.clone(), link);
    connect(&mut net);
    net.b.inner_mut().stall_reading = true;
    let msgs = workload(3, 200, &[0], 20_000, true, Reliability::Reliable);
    net.a.inner_mut().outbox.extend(msgs);
    net.run_for(Duration::from_secs(5)).unwrap();
    // The receiver holds at most its buffer; the sender keeps the rest.
    let held = net.b.inner().assoc.buffered_bytes();
    assert!(held <= (config.receive_buffer as usize) + config.max_message_size);
    assert!(held > 100_000, "{held}");
    assert!(net.a.inner().assoc.send_buffered_bytes() > 0);
    net.b.inner_mut().stall_reading = false;
    net.run_until(Duration::from_secs(600), |_, b| b.inner().got_msgs == 200)
        .unwrap();
    assert_delivered(net.a.inner(), net.b.inner(), true);
}

#[test]
fn packets_respect_the_configured_mtu() {
    let mut config = Config::default();
    config.mtu = 576;
    // The link drops anything larger than the MTU.
    let link = LinkConfig::lossy(0.02).with_mtu(576);
    let mut net = pair(5, config, link.clone(), link);
    connect(&mut net);
    let msgs = workload(5, 100, &[0, 1], 20_000, true, Reliability::Reliable);
    transfer(&mut net, msgs, true, Duration::from_secs(600));
    assert_eq!(net.network().stats().dropped_mtu, 0);
}
