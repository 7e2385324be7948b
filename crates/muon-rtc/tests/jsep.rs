//! JSEP against what browsers send: the Chromium 156 and Pion v4 captures in muon-sdp's
//! fixtures are accepted and answered in the same shape; bad descriptions give a typed
//! error naming the problem and leave the peer usable; rollback; trickle.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{ADDR_A, ADDR_B, Peer, negotiate};
use muon_netsim::{Clock, LinkConfig, Pair};
use muon_rtc::{DataChannelInit, RtcError, RtcEvent, SdpError, SessionDescription, SignalingState};
use muon_sdp::{MediaKind, Proto, Session, Setup};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../muon-sdp/tests/fixtures");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap()
}

fn peer(seed: u8) -> Peer {
    Peer::new(seed, Clock::new().now(), ADDR_A.parse().unwrap())
}

#[test]
fn browser_offers_are_answered_like_browsers_answer() {
    for name in [
        "chromium-data-offer.sdp",
        "chromium-av-offer.sdp",
        "pion-data-offer.sdp",
        "pion-av-offer.sdp",
    ] {
        let mut p = peer(1);
        let now = p.now;
        let offer = Session::parse(&fixture(name)).unwrap();
        p.rtc
            .set_remote_description(now, &SessionDescription::offer(fixture(name)))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let answer = p.rtc.create_answer(now).unwrap();
        p.rtc.set_local_description(now, &answer).unwrap();
        assert_eq!(p.rtc.signaling_state(), SignalingState::Stable, "{name}");
        let ans = Session::parse(&answer.sdp).unwrap();
        assert_eq!(
            ans.media.len(),
            offer.media.len(),
            "{name}: one m-line per offered one"
        );
        let mut accepted = Vec::new();
        for (o, a) in offer.media.iter().zip(&ans.media) {
            assert_eq!(a.mid(), o.mid(), "{name}: mids in order");
            assert_eq!(a.kind, o.kind, "{name}");
            if o.kind == MediaKind::Application {
                assert_eq!(a.port, 9, "{name}: data section accepted");
                assert_eq!(a.proto, Proto::UdpDtlsSctp);
                assert_eq!(a.formats, vec!["webrtc-datachannel".to_owned()]);
                let at = &a.attributes;
                assert_eq!(
                    at.setup(),
                    Some(Setup::Active),
                    "{name}: answerer is DTLS client"
                );
                assert!(at.ice_ufrag().is_some() && at.ice_pwd().is_some());
                assert_eq!(at.fingerprints().count(), 1);
                assert_eq!(at.sctp_port(), Some(5000));
                assert_eq!(at.max_message_size(), Some(262_144));
                assert!(
                    at.candidates().count() >= 1,
                    "{name}: non-trickle candidates"
                );
                assert!(at.end_of_candidates());
                accepted.push(a.mid().unwrap().to_owned());
            } else {
                assert_eq!(a.port, 0, "{name}: {:?} rejected", o.kind);
                assert_eq!(a.proto, o.proto);
                assert_eq!(a.formats.len(), 1);
            }
        }
        let bundle = ans.attributes.bundle().unwrap();
        assert_eq!(
            bundle.mids, accepted,
            "{name}: BUNDLE holds the accepted section only"
        );
    }
}

#[test]
fn browser_answers_to_our_offer_are_applied() {
    for name in ["chromium-data-answer.sdp", "pion-data-answer.sdp"] {
        let mut p = peer(2);
        let now = p.now;
        let offer = p.rtc.create_offer(now).unwrap();
        let ours = Session::parse(&offer.sdp).unwrap();
        assert_eq!(ours.media.len(), 1);
        assert_eq!(ours.media[0].attributes.setup(), Some(Setup::Actpass));
        assert!(
            ours.media[0].attributes.ice_options().count() == 1,
            "trickle"
        );
        p.rtc.set_local_description(now, &offer).unwrap();
        p.rtc
            .set_remote_description(now, &SessionDescription::answer(fixture(name)))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p.rtc.signaling_state(), SignalingState::Stable);
        // They answered active: we are the DTLS server, now waiting for their ClientHello.
        assert_eq!(p.rtc.dtls_state(), muon_rtc::DtlsTransportState::Connecting);
    }
}

#[test]
fn bad_offers_name_the_problem_and_leave_the_peer_usable() {
    let good = fixture("chromium-data-offer.sdp");
    let strip = |prefix: &str| {
        good.lines()
            .filter(|l| !l.starts_with(prefix))
            .map(|l| format!("{l}\r\n"))
            .collect::<String>()
    };
    let cases = [
        (strip("a=fingerprint"), SdpError::MissingFingerprint),
        (
            good.replace("a=setup:actpass", "a=setup:holdconn"),
            SdpError::WrongSetup(Setup::Holdconn),
        ),
        (strip("a=setup"), SdpError::MissingSetup),
        (strip("a=ice-ufrag"), SdpError::MissingIceUfrag),
        (strip("a=ice-pwd"), SdpError::MissingIcePwd),
        (strip("a=mid"), SdpError::MissingMid),
        (
            good.replace(
                "m=application 34438 UDP/DTLS/SCTP webrtc-datachannel",
                "m=x-hologram 34438 UDP/HOLO 1",
            ),
            SdpError::NoApplicationSection,
        ),
    ];
    let mut p = peer(3);
    let now = p.now;
    for (text, expected) in cases {
        let err = p
            .rtc
            .set_remote_description(now, &SessionDescription::offer(text))
            .unwrap_err();
        assert_eq!(err, RtcError::Sdp(expected.clone()), "{expected}");
        assert_eq!(p.rtc.signaling_state(), SignalingState::Stable);
    }
    assert!(matches!(
        p.rtc
            .set_remote_description(now, &SessionDescription::offer("v=0\r\nx")),
        Err(RtcError::Sdp(SdpError::Parse(_)))
    ));
    // Still usable: the good offer goes through.
    p.rtc
        .set_remote_description(now, &SessionDescription::offer(good))
        .unwrap();
    assert!(p.rtc.create_answer(now).is_ok());
}

#[test]
fn bad_answers_name_the_problem_and_leave_the_offer_pending() {
    let mut p = peer(4);
    let now = p.now;
    let offer = p.rtc.create_offer(now).unwrap();
    p.rtc.set_local_description(now, &offer).unwrap();
    let good = fixture("chromium-data-answer.sdp");
    let cases = [
        (
            good.replace("a=setup:active", "a=setup:actpass"),
            SdpError::WrongSetup(Setup::Actpass),
        ),
        (
            good.replace("a=mid:0", "a=mid:7"),
            SdpError::MediaSectionMismatch { index: 0 },
        ),
        (
            good.replace("m=application 34714", "m=application 0"),
            SdpError::ApplicationRejected,
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(
            p.rtc
                .set_remote_description(now, &SessionDescription::answer(text))
                .unwrap_err(),
            RtcError::Sdp(expected)
        );
        assert_eq!(p.rtc.signaling_state(), SignalingState::HaveLocalOffer);
    }
    // An offer where an answer is due (glare) is refused by state.
    assert_eq!(
        p.rtc
            .set_remote_description(
                now,
                &SessionDescription::offer(fixture("pion-data-offer.sdp"))
            )
            .unwrap_err(),
        RtcError::InvalidState(SignalingState::HaveLocalOffer)
    );
    p.rtc
        .set_remote_description(now, &SessionDescription::answer(good))
        .unwrap();
    assert_eq!(p.rtc.signaling_state(), SignalingState::Stable);
}

#[test]
fn rollback_of_a_local_offer_then_answering_the_peer() {
    let clock = Clock::new();
    let now = clock.now();
    let (addr_a, addr_b) = (ADDR_A.parse().unwrap(), ADDR_B.parse().unwrap());
    let mut a = Peer::new(5, now, addr_a);
    let mut b = Peer::new(6, now, addr_b);
    // Glare: both offered; a rolls back and answers b's offer instead.
    let a_offer = a.rtc.create_offer(now).unwrap();
    a.rtc.set_local_description(now, &a_offer).unwrap();
    let x = b
        .rtc
        .create_data_channel("x", DataChannelInit::default())
        .unwrap();
    a.rtc
        .set_local_description(now, &SessionDescription::rollback())
        .unwrap();
    assert_eq!(a.rtc.signaling_state(), SignalingState::Stable);
    negotiate(&mut b.rtc, &mut a.rtc, now);
    let link = LinkConfig::perfect().with_delay(Duration::from_millis(5));
    let mut p = Pair::new(9, a, addr_a, b, addr_b, link.clone(), link).with_clock(clock);
    p.run_until(Duration::from_secs(30), |a, b| {
        b.is_open(x) && a.remote_channels().len() == 1
    })
    .unwrap();
}

#[test]
fn trickle_candidates_as_events_and_add_ice_candidate() {
    let clock = Clock::new();
    let now = clock.now();
    let config = muon_rtc::RtcConfig::default().with_host_filter(muon_ice::HostFilter::all());
    let mk = |seed| muon_rtc::Rtc::new(config.clone(), muon_proto::Rng::from_seed([seed; 32]), now);
    let (mut a, mut b) = (mk(7), mk(8));
    assert!(matches!(
        a.add_ice_candidate(now, "candidate:1 1 udp 1 10.0.0.2 6000 typ host"),
        Err(RtcError::InvalidState(_))
    ));
    let x = a
        .create_data_channel("x", DataChannelInit::default())
        .unwrap();
    negotiate(&mut a, &mut b, now);
    let offer_had_candidates = a.local_description().unwrap().sdp.contains("a=candidate");
    assert!(!offer_had_candidates, "no address was known at offer time");
    // Addresses come later; candidates flow as events, signalled one by one.
    let (addr_a, addr_b) = (ADDR_A.parse().unwrap(), ADDR_B.parse().unwrap());
    a.add_local_address(now, addr_a).unwrap();
    b.add_local_address(now, addr_b).unwrap();
    a.end_of_local_addresses(now);
    b.end_of_local_addresses(now);
    let trickle = |from: &mut muon_rtc::Rtc, to: &mut muon_rtc::Rtc| {
        let mut n = 0;
        while let Some(ev) = from.poll_event() {
            match ev {
                RtcEvent::IceCandidate { candidate, mid } => {
                    assert_eq!(mid, "0");
                    to.add_ice_candidate(now, &candidate).unwrap();
                    n += 1;
                }
                RtcEvent::IceGatheringComplete => to.add_ice_candidate(now, "").unwrap(),
                _ => {}
            }
        }
        n
    };
    assert_eq!(trickle(&mut a, &mut b), 1);
    assert_eq!(trickle(&mut b, &mut a), 1);
    assert!(
        a.local_description()
            .unwrap()
            .sdp
            .contains("a=end-of-candidates")
    );
    let wrap = |rtc| Peer {
        rtc,
        events: Vec::new(),
        now,
        paused: false,
    };
    let link = LinkConfig::perfect().with_delay(Duration::from_millis(5));
    let mut p =
        Pair::new(10, wrap(a), addr_a, wrap(b), addr_b, link.clone(), link).with_clock(clock);
    p.run_until(Duration::from_secs(30), |a, b| {
        a.is_open(x) && b.remote_channels().len() == 1
    })
    .unwrap();
    assert_eq!(
        p.a.rtc.add_ice_candidate(now, "candidate:garbage"),
        Err(RtcError::BadCandidate)
    );
}

#[test]
fn renegotiation_keeps_the_transport_and_refuses_an_ice_restart() {
    let mut x = None;
    let mut p = common::pair(
        31,
        LinkConfig::perfect().with_delay(Duration::from_millis(5)),
        |a, _| {
            x = Some(
                a.create_data_channel("x", DataChannelInit::default())
                    .unwrap(),
            );
        },
    );
    let x = x.unwrap();
    p.run_until(Duration::from_secs(30), |_, b| {
        b.remote_channels().len() == 1
    })
    .unwrap();
    let now = p.now();
    // Either side may offer again; the answer keeps the DTLS roles and the m-line order.
    let offer = p.b.rtc.create_offer(now).unwrap();
    p.b.rtc.set_local_description(now, &offer).unwrap();
    p.a.rtc.set_remote_description(now, &offer).unwrap();
    let answer = p.a.rtc.create_answer(now).unwrap();
    let setup = Session::parse(&answer.sdp).unwrap().media[0]
        .attributes
        .setup();
    assert_eq!(setup, Some(Setup::Passive), "a stays the DTLS server");
    p.a.rtc.set_local_description(now, &answer).unwrap();
    p.b.rtc.set_remote_description(now, &answer).unwrap();
    p.a.rtc.channel(x).unwrap().send_text("after").unwrap();
    let remote = p.b.remote_channels()[0];
    p.run_until(Duration::from_secs(5), |_, b| b.messages(remote).len() == 1)
        .unwrap();
    // New ICE credentials would be an ICE restart: refused by name, nothing changes.
    let offer = p.b.rtc.create_offer(p.now()).unwrap();
    let ufrag = Session::parse(&offer.sdp).unwrap().media[0]
        .attributes
        .ice_ufrag()
        .unwrap()
        .to_owned();
    let restarted = offer.sdp.replace(&ufrag, "zzzzzzzz");
    assert_eq!(
        p.a.rtc
            .set_remote_description(p.now(), &SessionDescription::offer(restarted)),
        Err(RtcError::Sdp(SdpError::IceRestartUnsupported))
    );
    assert_eq!(p.a.rtc.signaling_state(), SignalingState::Stable);
}

#[test]
fn remote_rollback_returns_to_stable_and_a_later_offer_works() {
    let mut a = peer(41);
    let mut b = Peer::new(42, a.now, ADDR_B.parse().unwrap());
    let now = a.now;
    let offer = a.rtc.create_offer(now).unwrap();
    b.rtc.set_remote_description(now, &offer).unwrap();
    assert_eq!(b.rtc.signaling_state(), SignalingState::HaveRemoteOffer);
    assert_eq!(
        b.rtc
            .set_local_description(now, &SessionDescription::rollback())
            .unwrap_err(),
        RtcError::InvalidState(SignalingState::HaveRemoteOffer),
        "a remote offer is rolled back with set_remote_description"
    );
    b.rtc
        .set_remote_description(now, &SessionDescription::rollback())
        .unwrap();
    assert_eq!(b.rtc.signaling_state(), SignalingState::Stable);
    assert!(matches!(
        b.rtc.create_answer(now),
        Err(RtcError::InvalidState(_))
    ));
    // b may now offer itself, as controlling agent.
    negotiate(&mut b.rtc, &mut a.rtc, now);
    assert_eq!(a.rtc.signaling_state(), SignalingState::Stable);
    assert_eq!(b.rtc.signaling_state(), SignalingState::Stable);
}
