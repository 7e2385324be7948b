//! Attacks on the handshake, by tampering with a real client's flight 5 before it is
//! (re)transmitted: the server must never report `Connected` for a client that did not prove
//! possession of its certificate's key, and must refuse renegotiation afterwards.

use std::time::Instant;

use muon_proto::Rng;

use super::OutMessage;
use crate::cert::{Certificate, HashAlg};
use crate::config::{Config, Role};
use crate::conn::Dtls;
use crate::error::{DtlsError, Misbehavior};
use crate::event::{CloseReason, DtlsEvent};
use crate::wire::handshake::{HandshakeType, encode_whole};
use crate::wire::messages::{CertificateMsg, ClientHello};
use crate::wire::record::ContentType;

fn t0() -> Instant {
    #[allow(clippy::disallowed_methods)]
    Instant::now()
}

fn pair(now: Instant) -> (Dtls, Dtls) {
    let mut rng = Rng::from_seed([0x5A; 32]);
    let cc = Certificate::generate(&mut rng);
    let sc = Certificate::generate(&mut rng);
    let client = Config::new(cc.clone(), vec![sc.fingerprint(HashAlg::Sha256)]);
    let server = Config::new(sc, vec![cc.fingerprint(HashAlg::Sha256)]);
    let c = Dtls::new(Role::Client, client, rng.fork(), now).unwrap();
    let s = Dtls::new(Role::Server, server, rng.fork(), now).unwrap();
    (c, s)
}

fn deliver(from: &mut Dtls, to: &mut Dtls, now: Instant) {
    while let Some(d) = from.poll_transmit() {
        let _ = to.handle_receive(now, &d);
    }
}

/// Runs to the point where the client has built flight 5, which is discarded unsent.
fn at_flight5(now: Instant) -> (Dtls, Dtls) {
    let (mut c, mut s) = pair(now);
    deliver(&mut c, &mut s, now); // ClientHello
    deliver(&mut s, &mut c, now); // HelloVerifyRequest
    deliver(&mut c, &mut s, now); // ClientHello with cookie
    deliver(&mut s, &mut c, now); // flight 4
    assert!(matches!(c.state, super::State::ClientWaitFinished(_)));
    while c.poll_transmit().is_some() {}
    (c, s)
}

/// Applies `edit` to the client's flight 5 and lets its retransmission timer send it.
fn send_edited(
    c: &mut Dtls,
    s: &mut Dtls,
    edit: impl FnOnce(&mut Vec<OutMessage>),
) -> Vec<DtlsEvent> {
    edit(&mut c.flight);
    let at = c.poll_timeout().unwrap();
    c.handle_timeout(at);
    deliver(c, s, at);
    std::iter::from_fn(|| s.poll_event()).collect()
}

/// Removes messages of the given types and renumbers message_seq from where the flight
/// started, as an attacker would, so the gap does not simply stall reassembly.
fn remove(f: &mut Vec<OutMessage>, types: &[HandshakeType]) {
    let mut next = f.iter().find_map(|m| match m {
        OutMessage::Handshake { seq, .. } => Some(*seq),
        OutMessage::ChangeCipherSpec => None,
    });
    f.retain(|m| !types.iter().any(|t| is_type(m, *t)));
    for m in f.iter_mut() {
        if let (OutMessage::Handshake { seq, .. }, Some(n)) = (m, next) {
            *seq = n;
            next = Some(n + 1);
        }
    }
}

fn is_type(m: &OutMessage, ty: HandshakeType) -> bool {
    matches!(m, OutMessage::Handshake { msg_type, .. } if *msg_type == ty)
}

fn assert_refused(events: &[DtlsEvent], s: &Dtls, why: DtlsError) {
    assert!(
        !events.iter().any(|e| matches!(e, DtlsEvent::Connected(_))),
        "{events:?}"
    );
    assert!(
        events.contains(&DtlsEvent::Closed(CloseReason::Error(why))),
        "{events:?}"
    );
    assert!(!s.is_connected());
}

#[test]
fn untampered_flight_connects() {
    let now = t0();
    let (mut c, mut s) = at_flight5(now);
    let events = send_edited(&mut c, &mut s, |_| {});
    assert!(
        matches!(events.first(), Some(DtlsEvent::Connected(_))),
        "{events:?}"
    );
}

#[test]
fn certificate_without_certificate_verify_is_refused() {
    let now = t0();
    let (mut c, mut s) = at_flight5(now);
    let events = send_edited(&mut c, &mut s, |f| {
        remove(f, &[HandshakeType::CERTIFICATE_VERIFY]);
    });
    assert_refused(
        &events,
        &s,
        DtlsError::PeerMisbehaved(Misbehavior::UnexpectedMessage),
    );
}

#[test]
fn forged_certificate_verify_signature_is_refused() {
    let now = t0();
    let (mut c, mut s) = at_flight5(now);
    let events = send_edited(&mut c, &mut s, |f| {
        for m in f.iter_mut() {
            if let OutMessage::Handshake { msg_type, body, .. } = m
                && *msg_type == HandshakeType::CERTIFICATE_VERIFY
                && let Some(last) = body.last_mut()
            {
                *last ^= 1;
            }
        }
    });
    assert_refused(
        &events,
        &s,
        DtlsError::PeerMisbehaved(Misbehavior::BadSignature),
    );
}

#[test]
fn missing_client_certificate_is_refused() {
    let now = t0();
    let (mut c, mut s) = at_flight5(now);
    let events = send_edited(&mut c, &mut s, |f| {
        remove(
            f,
            &[
                HandshakeType::CERTIFICATE,
                HandshakeType::CERTIFICATE_VERIFY,
            ],
        );
    });
    assert_refused(
        &events,
        &s,
        DtlsError::PeerMisbehaved(Misbehavior::NoCertificate),
    );
}

#[test]
fn empty_client_certificate_chain_is_refused() {
    let now = t0();
    let (mut c, mut s) = at_flight5(now);
    let events = send_edited(&mut c, &mut s, |f| {
        for m in f.iter_mut() {
            if let OutMessage::Handshake { msg_type, body, .. } = m
                && *msg_type == HandshakeType::CERTIFICATE
            {
                *body = CertificateMsg { chain: vec![] }.encode();
            }
        }
    });
    assert_refused(
        &events,
        &s,
        DtlsError::PeerMisbehaved(Misbehavior::NoCertificate),
    );
}

#[test]
fn wrong_finished_is_refused() {
    let now = t0();
    let (mut c, mut s) = at_flight5(now);
    let events = send_edited(&mut c, &mut s, |f| {
        for m in f.iter_mut() {
            if let OutMessage::Handshake { msg_type, body, .. } = m
                && *msg_type == HandshakeType::FINISHED
                && let Some(first) = body.first_mut()
            {
                *first ^= 1;
            }
        }
    });
    assert_refused(
        &events,
        &s,
        DtlsError::PeerMisbehaved(Misbehavior::BadFinished),
    );
}

#[test]
fn renegotiation_is_refused_with_a_warning_and_the_connection_survives() {
    let now = t0();
    let (mut c, mut s) = at_flight5(now);
    send_edited(&mut c, &mut s, |_| {});
    deliver(&mut s, &mut c, now);
    assert!(c.is_connected() && s.is_connected());
    // The client starts a new handshake inside the protected channel.
    let hello = ClientHello {
        version: crate::wire::record::DTLS_1_2,
        random: c.rng.array(),
        session_id: Vec::new(),
        cookie: Vec::new(),
        cipher_suites: vec![0xC02B],
        compression_methods: vec![0],
        extensions: crate::wire::extensions::Extensions::default(),
    };
    let mut msg = Vec::new();
    encode_whole(
        &mut msg,
        HandshakeType::CLIENT_HELLO,
        c.send_seq,
        &hello.encode(),
    );
    let mut dgram = Vec::new();
    c.records
        .write(1, ContentType::HANDSHAKE, &msg, &mut dgram)
        .unwrap();
    s.handle_receive(now, &dgram).unwrap();
    assert_eq!(s.stats().renegotiations_refused, 1);
    let alert = s.poll_transmit().expect("no_renegotiation alert");
    c.handle_receive(now, &alert).unwrap();
    assert!(
        c.is_connected() && s.is_connected(),
        "a warning alert does not close"
    );
    assert!(std::iter::from_fn(|| c.poll_event()).all(|e| !matches!(e, DtlsEvent::Closed(_))));
}
