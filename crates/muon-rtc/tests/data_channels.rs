//! Two engines on muon-netsim: channels open, messages of 1 byte to 256 KiB arrive intact
//! under loss and reorder, 100 channels at once, unordered/unreliable delivery, close from
//! either side, connection close.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{pair, pattern};
use muon_netsim::{LinkConfig, Loss};
use muon_rtc::{ChannelState, DataChannelInit, DtlsTransportState, PeerConnectionState, RtcEvent};

fn lossy() -> LinkConfig {
    LinkConfig::perfect()
        .with_delay(Duration::from_millis(20))
        .with_jitter(Duration::from_millis(2))
        .with_loss(Loss::Random(0.02))
        .with_reorder(0.05, Duration::from_millis(10))
}

#[test]
fn messages_1_byte_to_256_kib_arrive_intact_under_loss_and_reorder() {
    let mut chat = None;
    let mut p = pair(11, lossy(), |a, _| {
        chat = Some(
            a.create_data_channel("bulk", DataChannelInit::default())
                .unwrap(),
        );
    });
    let chat = chat.unwrap();
    p.run_until(Duration::from_secs(30), |a, b| {
        a.is_open(chat) && !b.remote_channels().is_empty()
    })
    .unwrap();
    assert_eq!(p.a.rtc.connection_state(), PeerConnectionState::Connected);
    assert_eq!(p.b.rtc.dtls_state(), DtlsTransportState::Connected);
    let sizes = [
        1usize,
        2,
        1000,
        1200,
        16 * 1024,
        65_536,
        100_000,
        256 * 1024,
    ];
    for (i, &n) in sizes.iter().enumerate() {
        p.a.rtc
            .channel(chat)
            .unwrap()
            .send(pattern(i as u8, n))
            .unwrap();
    }
    p.a.rtc.channel(chat).unwrap().send_text("done").unwrap();
    let remote = p.b.remote_channels()[0];
    p.run_until(Duration::from_secs(120), |_, b| {
        b.messages(remote).len() == sizes.len() + 1
    })
    .unwrap();
    let got = p.b.messages(remote);
    for (i, &n) in sizes.iter().enumerate() {
        assert_eq!(got[i], pattern(i as u8, n), "message {i} of {n} bytes");
    }
    assert!(p.b.events.iter().any(|e| matches!(
        e,
        RtcEvent::ChannelMessage { binary: false, data, .. } if &data[..] == b"done"
    )));
    assert_eq!(p.b.rtc.channel(remote).unwrap().label(), "bulk");
    // Larger than the 256 KiB both sides announced: refused with the limit named.
    let err =
        p.a.rtc
            .channel(chat)
            .unwrap()
            .send(vec![0u8; 256 * 1024 + 1])
            .unwrap_err();
    assert_eq!(
        err,
        muon_rtc::RtcError::MessageTooLarge {
            size: 256 * 1024 + 1,
            max: 256 * 1024
        }
    );
}

#[test]
fn a_hundred_channels_at_once_from_both_sides() {
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut p = pair(
        12,
        LinkConfig::perfect().with_delay(Duration::from_millis(5)),
        |a, b| {
            for i in 0..50 {
                ours.push(
                    a.create_data_channel(&format!("a{i}"), DataChannelInit::default())
                        .unwrap(),
                );
                theirs.push(
                    b.create_data_channel(&format!("b{i}"), DataChannelInit::default())
                        .unwrap(),
                );
            }
        },
    );
    p.run_until(Duration::from_secs(30), |a, b| {
        a.remote_channels().len() == 50 && b.remote_channels().len() == 50
    })
    .unwrap();
    // Even streams for the DTLS client, odd for the server: no collision on 100 streams.
    let mut streams: Vec<u16> = ours
        .iter()
        .map(|&id| p.a.rtc.channel(id).unwrap().stream_id().unwrap())
        .chain(
            theirs
                .iter()
                .map(|&id| p.b.rtc.channel(id).unwrap().stream_id().unwrap()),
        )
        .collect();
    streams.sort_unstable();
    streams.dedup();
    assert_eq!(streams.len(), 100);
    for (i, &id) in ours.iter().enumerate() {
        p.a.rtc
            .channel(id)
            .unwrap()
            .send(pattern(i as u8, 100 + i))
            .unwrap();
    }
    for (i, &id) in theirs.iter().enumerate() {
        p.b.rtc
            .channel(id)
            .unwrap()
            .send(pattern(200 + i as u8, 10 + i))
            .unwrap();
    }
    p.run_until(Duration::from_secs(30), |a, b| {
        b.remote_channels()
            .iter()
            .all(|&c| b.messages(c).len() == 1)
            && a.remote_channels()
                .iter()
                .all(|&c| a.messages(c).len() == 1)
    })
    .unwrap();
    for &c in &p.b.remote_channels() {
        let label = p.b.rtc.channel(c).unwrap().label().to_owned();
        let i: usize = label[1..].parse().unwrap();
        assert_eq!(
            p.b.messages(c)[0],
            pattern(i as u8, 100 + i),
            "channel {label}"
        );
    }
}

#[test]
fn unordered_unreliable_loses_and_reorders_while_reliable_does_not() {
    let (mut reliable, mut lossy_ch) = (None, None);
    let link = LinkConfig::perfect()
        .with_delay(Duration::from_millis(10))
        .with_loss(Loss::Random(0.15))
        .with_reorder(0.2, Duration::from_millis(30));
    let mut p = pair(13, link, |a, _| {
        reliable = Some(
            a.create_data_channel("reliable", DataChannelInit::default())
                .unwrap(),
        );
        lossy_ch = Some(
            a.create_data_channel(
                "unreliable",
                DataChannelInit::default()
                    .unordered()
                    .with_max_retransmits(0),
            )
            .unwrap(),
        );
    });
    let (reliable, lossy_ch) = (reliable.unwrap(), lossy_ch.unwrap());
    p.run_until(Duration::from_secs(60), |_, b| {
        b.remote_channels().len() == 2
    })
    .unwrap();
    // Let the DCEP ACKs arrive, so the unordered channel may really send unordered.
    p.run_for(Duration::from_secs(2)).unwrap();
    const N: u16 = 200;
    for i in 0..N {
        p.a.rtc
            .channel(reliable)
            .unwrap()
            .send(i.to_be_bytes().to_vec())
            .unwrap();
        p.a.rtc
            .channel(lossy_ch)
            .unwrap()
            .send(i.to_be_bytes().to_vec())
            .unwrap();
        p.run_for(Duration::from_millis(5)).unwrap();
    }
    p.run_for(Duration::from_secs(20)).unwrap();
    let mut by_label = |label: &str| {
        let id =
            p.b.remote_channels()
                .into_iter()
                .find(|&c| p.b.rtc.channel(c).is_some_and(|ch| ch.label() == label))
                .unwrap();
        p.b.messages(id)
            .iter()
            .map(|m| u16::from_be_bytes([m[0], m[1]]))
            .collect::<Vec<u16>>()
    };
    let got_reliable = by_label("reliable");
    assert_eq!(
        got_reliable,
        (0..N).collect::<Vec<_>>(),
        "reliable: all, in order"
    );
    let got = by_label("unreliable");
    assert!(
        got.len() < N as usize,
        "no retransmission: some lost ({})",
        got.len()
    );
    assert!(got.len() > N as usize / 2, "most arrive ({})", got.len());
    assert!(
        got.windows(2).any(|w| w[1] < w[0]),
        "unordered: some overtook others"
    );
    // The remote side sees each channel's configuration as DCEP carried it.
    let mut seen: Vec<(String, bool, Option<u16>)> =
        p.b.remote_channels()
            .into_iter()
            .map(|c| {
                let ch = p.b.rtc.channel(c).unwrap();
                (ch.label().to_owned(), ch.ordered(), ch.max_retransmits())
            })
            .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("reliable".to_owned(), true, None),
            ("unreliable".to_owned(), false, Some(0))
        ]
    );
    assert_eq!(
        p.a.rtc.channel(lossy_ch).unwrap().max_packet_lifetime(),
        None
    );
}

#[test]
fn close_from_either_side_closes_both_ends() {
    let (mut x, mut y) = (None, None);
    let mut p = pair(
        14,
        LinkConfig::perfect().with_delay(Duration::from_millis(5)),
        |a, _| {
            x = Some(
                a.create_data_channel("x", DataChannelInit::default())
                    .unwrap(),
            );
            y = Some(
                a.create_data_channel("y", DataChannelInit::default())
                    .unwrap(),
            );
        },
    );
    let (x, y) = (x.unwrap(), y.unwrap());
    p.run_until(Duration::from_secs(30), |_, b| {
        b.remote_channels().len() == 2
    })
    .unwrap();
    let remote = p.b.remote_channels();
    let label = |p: &mut muon_netsim::Pair<common::Peer, common::Peer>, c| {
        p.b.rtc.channel(c).unwrap().label().to_owned()
    };
    let (rx, ry) = if label(&mut p, remote[0]) == "x" {
        (remote[0], remote[1])
    } else {
        (remote[1], remote[0])
    };
    // x closed by its opener, y by the other side.
    p.a.rtc.channel(x).unwrap().close();
    assert_eq!(p.a.rtc.channel(x).unwrap().state(), ChannelState::Closing);
    p.b.rtc.channel(ry).unwrap().close();
    p.run_until(Duration::from_secs(30), |a, b| {
        a.has(&RtcEvent::ChannelClosed(x))
            && a.has(&RtcEvent::ChannelClosed(y))
            && b.has(&RtcEvent::ChannelClosed(rx))
            && b.has(&RtcEvent::ChannelClosed(ry))
    })
    .unwrap();
    assert!(p.a.rtc.channel(x).is_none());
    assert!(p.a.rtc.channel_ids().is_empty() && p.b.rtc.channel_ids().is_empty());
    // The connection is still up: a new channel opens on a reused stream.
    let z =
        p.a.rtc
            .create_data_channel("z", DataChannelInit::default())
            .unwrap();
    p.run_until(Duration::from_secs(10), |_, b| {
        b.remote_channels().len() == 3
    })
    .unwrap();
    assert!(p.a.is_open(z));
}

#[test]
fn closing_the_connection_is_seen_by_the_peer() {
    let mut x = None;
    let mut p = pair(
        15,
        LinkConfig::perfect().with_delay(Duration::from_millis(5)),
        |a, _| {
            x = Some(
                a.create_data_channel("x", DataChannelInit::default())
                    .unwrap(),
            );
        },
    );
    p.run_until(Duration::from_secs(30), |_, b| {
        b.remote_channels().len() == 1
    })
    .unwrap();
    let now = p.now();
    p.a.rtc.close(now);
    p.a.drain();
    assert_eq!(p.a.rtc.connection_state(), PeerConnectionState::Closed);
    assert!(p.a.has(&RtcEvent::ChannelClosed(x.unwrap())));
    p.run_until(Duration::from_secs(10), |_, b| {
        b.rtc.connection_state() == PeerConnectionState::Closed
    })
    .unwrap();
    let remote = p.b.remote_channels()[0];
    assert!(p.b.has(&RtcEvent::ChannelClosed(remote)));
    assert!(
        p.a.rtc
            .create_data_channel("late", DataChannelInit::default())
            .is_err()
    );
}

#[test]
fn negotiated_channels_need_no_dcep() {
    let (mut x, mut y) = (None, None);
    let mut p = pair(16, LinkConfig::perfect(), |a, b| {
        x = Some(
            a.create_data_channel("n", DataChannelInit::default().negotiated(7))
                .unwrap(),
        );
        y = Some(
            b.create_data_channel("n", DataChannelInit::default().negotiated(7))
                .unwrap(),
        );
    });
    let (x, y) = (x.unwrap(), y.unwrap());
    p.run_until(Duration::from_secs(10), |a, b| a.is_open(x) && b.is_open(y))
        .unwrap();
    p.a.rtc.channel(x).unwrap().send_text("hi").unwrap();
    p.run_until(Duration::from_secs(10), |_, b| b.messages(y).len() == 1)
        .unwrap();
    assert!(p.b.remote_channels().is_empty(), "no DataChannel event");
    assert_eq!(p.b.rtc.stats().dcep_refused, 0);
}

#[test]
fn buffered_amount_low_event_gives_back_pressure() {
    let mut x = None;
    let link = LinkConfig::perfect()
        .with_delay(Duration::from_millis(10))
        .with_rate(8_000_000, 100_000);
    let mut p = pair(17, link, |a, _| {
        x = Some(
            a.create_data_channel("bulk", DataChannelInit::default())
                .unwrap(),
        );
    });
    let x = x.unwrap();
    p.run_until(Duration::from_secs(10), |a, _| a.is_open(x))
        .unwrap();
    let mut ch = p.a.rtc.channel(x).unwrap();
    ch.set_buffered_amount_low_threshold(64 * 1024);
    for i in 0..32 {
        ch.send(pattern(i, 32 * 1024)).unwrap();
    }
    assert!(
        ch.buffered_amount() > 512 * 1024,
        "{}",
        ch.buffered_amount()
    );
    // Events from the first message's start (before the queue filled up) do not count.
    p.a.drain();
    p.a.events.clear();
    p.run_until(Duration::from_secs(30), |a, _| {
        a.has(&RtcEvent::ChannelBufferedAmountLow(x))
    })
    .unwrap();
    assert!(p.a.rtc.channel(x).unwrap().buffered_amount() <= 64 * 1024);
}
