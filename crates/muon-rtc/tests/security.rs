//! Security at the seams: DTLS only from the ICE-validated pair (a forged ClientHello sent
//! first from another address neither breaks nor hijacks the call), a certificate that does
//! not match the SDP fingerprint ends the session before data flows, bounded early queues,
//! a vanished peer detected by consent freshness, and a call through a NAT.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{ADDR_A, ADDR_B, Peer, negotiate, pair};
use muon_dtls::{Certificate, Config as DtlsConfig, Dtls, HashAlg, Role};
use muon_ice::IceError;
use muon_netsim::{Clock, LinkConfig, NatKind, Pair};
use muon_proto::{Receive, Rng};
use muon_rtc::{
    DataChannelInit, DropReason, DtlsTransportState, FailReason, PeerConnectionState, RtcError,
    RtcEvent, SessionDescription,
};

const ATTACKER: &str = "10.0.0.66:4444";

/// A genuine-looking ClientHello from a DTLS client with its own certificate.
fn forged_client_hello() -> Vec<u8> {
    let mut rng = Rng::from_seed([66; 32]);
    let cert = Certificate::generate(&mut rng);
    let fp = cert.fingerprint(HashAlg::Sha256);
    let mut dtls = Dtls::new(
        Role::Client,
        DtlsConfig::new(cert, vec![fp]),
        rng,
        Clock::new().now(),
    )
    .unwrap();
    dtls.poll_transmit().unwrap()
}

#[test]
fn forged_client_hello_from_an_unvalidated_address_neither_breaks_nor_hijacks() {
    let mut x = None;
    let mut p = pair(
        21,
        LinkConfig::perfect().with_delay(Duration::from_millis(10)),
        |a, _| {
            x = Some(
                a.create_data_channel("x", DataChannelInit::default())
                    .unwrap(),
            );
        },
    );
    let attacker: SocketAddr = ATTACKER.parse().unwrap();
    let now = p.now();
    let hello = forged_client_hello();
    let rx = |source| Receive {
        source,
        destination: ADDR_A.parse().unwrap(),
        contents: &hello,
    };
    // From an address ICE never heard of: refused by ICE outright.
    assert_eq!(
        p.a.rtc.handle_receive(now, rx(attacker)),
        Err(RtcError::Dropped(DropReason::Ice(IceError::UnknownSource)))
    );
    // The attacker gets its address signalled (a trickled candidate nobody answers at): ICE
    // knows it but never validates it. Its ClientHello, sent before the real one, waits.
    p.a.rtc
        .add_ice_candidate(now, "candidate:9 1 udp 2130706431 10.0.0.66 4444 typ host")
        .unwrap();
    p.a.rtc.handle_receive(now, rx(attacker)).unwrap();
    assert_eq!(p.a.rtc.stats().early_datagrams_queued, 1);
    // The real call proceeds, on the real peer's address.
    p.run_until(Duration::from_secs(30), |_, b| {
        b.remote_channels().len() == 1
    })
    .unwrap();
    assert_eq!(
        p.a.rtc.selected_pair(),
        Some((ADDR_A.parse().unwrap(), ADDR_B.parse().unwrap()))
    );
    assert_eq!(p.a.rtc.connection_state(), PeerConnectionState::Connected);
    // More forged records after the handshake are held, never given to DTLS.
    let dropped_before = p.a.rtc.stats().dropped_datagrams;
    for _ in 0..5 {
        p.a.rtc.handle_receive(p.now(), rx(attacker)).unwrap();
    }
    assert_eq!(p.a.rtc.stats().dropped_datagrams, dropped_before);
    p.a.rtc
        .channel(x.unwrap())
        .unwrap()
        .send_text("still here")
        .unwrap();
    let remote = p.b.remote_channels()[0];
    p.run_until(Duration::from_secs(5), |_, b| b.messages(remote).len() == 1)
        .unwrap();
    assert_eq!(p.a.rtc.dtls_state(), DtlsTransportState::Connected);
}

#[test]
fn the_early_queue_is_bounded() {
    let clock = Clock::new();
    let now = clock.now();
    let mut a = Peer::new(1, now, ADDR_A.parse().unwrap());
    let mut b = Peer::new(2, now, ADDR_B.parse().unwrap());
    negotiate(&mut a.rtc, &mut b.rtc, now);
    a.rtc
        .add_ice_candidate(now, "candidate:9 1 udp 2130706431 10.0.0.66 4444 typ host")
        .unwrap();
    let hello = forged_client_hello();
    for _ in 0..100 {
        let _ = a.rtc.handle_receive(
            now,
            Receive {
                source: ATTACKER.parse().unwrap(),
                destination: ADDR_A.parse().unwrap(),
                contents: &hello,
            },
        );
    }
    let limits = muon_rtc::Limits::default();
    let held = a.rtc.stats().early_datagrams_queued - a.rtc.stats().early_datagrams_dropped;
    assert!(held as usize <= limits.max_early_datagrams, "{held} held");
    assert!(held as usize * hello.len() <= limits.max_early_bytes);
}

#[test]
fn a_certificate_not_matching_the_fingerprint_ends_the_session_before_data() {
    let clock = Clock::new();
    let now = clock.now();
    let (addr_a, addr_b) = (ADDR_A.parse().unwrap(), ADDR_B.parse().unwrap());
    let mut a = Peer::new(3, now, addr_a);
    let mut b = Peer::new(4, now, addr_b);
    let x = a
        .rtc
        .create_data_channel("x", DataChannelInit::default())
        .unwrap();
    let offer = a.rtc.create_offer(now).unwrap();
    a.rtc.set_local_description(now, &offer).unwrap();
    b.rtc.set_remote_description(now, &offer).unwrap();
    let answer = b.rtc.create_answer(now).unwrap();
    b.rtc.set_local_description(now, &answer).unwrap();
    // Someone on the signaling path swaps the answer's fingerprint for another certificate's.
    let other = Certificate::generate(&mut Rng::from_seed([9; 32])).fingerprint(HashAlg::Sha256);
    let theirs = b.rtc.fingerprint().to_string();
    let tampered = answer.sdp.replace(
        theirs.split_once(' ').unwrap().1,
        other.to_string().split_once(' ').unwrap().1,
    );
    assert_ne!(tampered, answer.sdp);
    a.rtc
        .set_remote_description(now, &SessionDescription::answer(tampered))
        .unwrap();
    let link = LinkConfig::perfect().with_delay(Duration::from_millis(10));
    let mut p = Pair::new(5, a, addr_a, b, addr_b, link.clone(), link).with_clock(clock);
    p.run_until(Duration::from_secs(30), |a, _| {
        a.has(&RtcEvent::Failed(FailReason::FingerprintMismatch))
    })
    .unwrap();
    p.run_for(Duration::from_secs(5)).unwrap();
    assert_eq!(p.a.rtc.dtls_state(), DtlsTransportState::Failed);
    assert_eq!(p.a.rtc.connection_state(), PeerConnectionState::Failed);
    assert!(!p.a.is_open(x), "no channel opened");
    assert!(p.b.remote_channels().is_empty(), "no data reached the peer");
    assert!(p.a.has(&RtcEvent::ChannelClosed(x)));
}

#[test]
fn a_vanished_peer_is_detected_by_consent_freshness() {
    let mut p = pair(
        22,
        LinkConfig::perfect().with_delay(Duration::from_millis(10)),
        |a, _| {
            a.create_data_channel("x", DataChannelInit::default())
                .unwrap();
        },
    );
    p.run_until(Duration::from_secs(30), |_, b| {
        b.remote_channels().len() == 1
    })
    .unwrap();
    // The peer's host disappears: nothing reaches it, nothing comes back.
    let (a, b) = (p.addr_a().ip(), p.addr_b().ip());
    p.network_mut().set_links(a, b, LinkConfig::down());
    p.run_until(Duration::from_secs(120), |a, _| {
        a.has(&RtcEvent::Failed(FailReason::Ice))
    })
    .unwrap();
    assert_eq!(p.a.rtc.connection_state(), PeerConnectionState::Failed);
    assert!(p.a.events.iter().any(|e| matches!(
        e,
        RtcEvent::PeerConnectionState(PeerConnectionState::Disconnected)
            | RtcEvent::PeerConnectionState(PeerConnectionState::Failed)
    )));
}

#[test]
fn a_call_through_a_port_restricted_nat() {
    let clock = Clock::new();
    let now = clock.now();
    let private: SocketAddr = "192.168.1.2:5000".parse().unwrap();
    let public_b: SocketAddr = "198.51.100.2:6000".parse().unwrap();
    let mut a = Peer::new(6, now, private);
    let mut b = Peer::new(7, now, public_b);
    let x = a
        .rtc
        .create_data_channel("x", DataChannelInit::default())
        .unwrap();
    negotiate(&mut a.rtc, &mut b.rtc, now);
    let link = LinkConfig::perfect()
        .with_delay(Duration::from_millis(15))
        .with_loss(muon_netsim::Loss::Random(0.01));
    let mut p = Pair::new(8, a, private, b, public_b, link.clone(), link).with_clock(clock);
    let nat = p.network_mut().add_nat(
        "203.0.113.1".parse().unwrap(),
        NatKind::PortRestricted,
        Duration::from_secs(60),
    );
    p.network_mut().add_private_host(nat, private.ip());
    p.network_mut().set_links(
        "203.0.113.1".parse().unwrap(),
        public_b.ip(),
        LinkConfig::perfect(),
    );
    p.run_until(Duration::from_secs(30), |a, b| {
        a.is_open(x) && b.remote_channels().len() == 1
    })
    .unwrap();
    p.a.rtc.channel(x).unwrap().send(vec![7u8; 50_000]).unwrap();
    let remote = p.b.remote_channels()[0];
    p.run_until(Duration::from_secs(30), |_, b| {
        b.messages(remote).len() == 1
    })
    .unwrap();
    assert_eq!(&p.b.messages(remote)[0][..], &[7u8; 50_000][..]);
    // b talks to the NAT's public address, learned as peer-reflexive.
    let (_, seen) = p.b.rtc.selected_pair().unwrap();
    assert_eq!(seen.ip().to_string(), "203.0.113.1");
}
