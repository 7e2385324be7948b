//! Opening a data channel costs one round trip less since its DCEP OPEN rides with SCTP's
//! COOKIE-ECHO (RFC 9260 section 5.1 D): measured in virtual time on a fixed-delay link.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{Peer, pair};
use muon_netsim::{LinkConfig, Pair};
use muon_rtc::{ChannelId, DataChannelInit, DtlsTransportState, RtcEvent};

const ONE_WAY: Duration = Duration::from_millis(20);

/// A pair on a 20 ms link where `a` created one channel before negotiating; runs until DTLS
/// is up on both sides and returns that moment.
fn up_to_dtls(seed: u64) -> (Pair<Peer, Peer>, ChannelId, Instant) {
    let mut id = None;
    let link = LinkConfig::perfect().with_delay(ONE_WAY);
    let mut p = pair(seed, link, |a, _| {
        id = Some(
            a.create_data_channel("c", DataChannelInit::default())
                .unwrap(),
        );
    });
    let connected = RtcEvent::DtlsState(DtlsTransportState::Connected);
    let dtls = p
        .run_until(Duration::from_secs(10), |a, b| {
            a.has(&connected) && b.has(&connected)
        })
        .unwrap();
    (p, id.unwrap(), dtls)
}

/// After DTLS: INIT and INIT-ACK cross, then the COOKIE-ECHO carries the OPEN, so both ends
/// hold the open channel one round trip after DTLS completes on both (it took two while the
/// OPEN waited for the COOKIE-ACK: 80 ms here).
#[test]
fn channel_opens_on_both_sides_one_round_trip_after_dtls() {
    for seed in 0..5 {
        let (mut p, id, dtls) = up_to_dtls(seed);
        let open = p
            .run_until(Duration::from_secs(10), |a, b| {
                a.is_open(id) && b.remote_channels().first().is_some_and(|r| b.is_open(*r))
            })
            .unwrap();
        assert_eq!(open - dtls, 2 * ONE_WAY, "seed {seed}");
        // The engines agree on the stream: a message goes through.
        p.a.rtc.channel(id).unwrap().send_text("after").unwrap();
        let remote = p.b.remote_channels()[0];
        p.run_until(Duration::from_secs(10), |_, b| {
            b.messages(remote).len() == 1
        })
        .unwrap();
    }
}

/// A message sent as soon as the channel opens (before SCTP's handshake ends) arrives with
/// the OPEN, ordered, and once.
#[test]
fn first_message_rides_with_the_open() {
    let (mut p, id, _) = up_to_dtls(9);
    let opened = p
        .run_until(Duration::from_secs(10), |a, _| a.is_open(id))
        .unwrap();
    p.a.rtc.channel(id).unwrap().send_text("early").unwrap();
    let got = p
        .run_until(Duration::from_secs(10), |_, b| {
            b.remote_channels()
                .first()
                .is_some_and(|r| !b.messages(*r).is_empty())
        })
        .unwrap();
    p.run_for(Duration::from_secs(2)).unwrap();
    let remote = p.b.remote_channels()[0];
    assert_eq!(p.b.messages(remote), ["early"]);
    // The OPEN and the message reached b together, a round trip after b's DTLS.
    assert!(got - opened <= 4 * ONE_WAY, "{:?}", got - opened);
    let stats = p.a.rtc.sctp_stats().unwrap();
    assert_eq!(stats.data_chunks_with_cookie_echo, 2, "OPEN and message");
    assert_eq!(stats.data_chunks_retransmitted, 0);
}

/// A channel closed while SCTP's handshake runs (its OPEN already queued) closes on both
/// sides once the association is up.
#[test]
fn channel_closed_during_the_handshake_closes_on_both_sides() {
    let (mut p, id, _) = up_to_dtls(4);
    p.run_until(Duration::from_secs(10), |a, _| a.is_open(id))
        .unwrap();
    assert!(
        p.b.remote_channels().is_empty(),
        "the OPEN has not arrived yet"
    );
    p.a.rtc.channel(id).unwrap().close();
    p.run_until(Duration::from_secs(10), |a, b| {
        a.has(&RtcEvent::ChannelClosed(id))
            && b.remote_channels()
                .first()
                .is_some_and(|r| b.has(&RtcEvent::ChannelClosed(*r)))
    })
    .unwrap();
}
