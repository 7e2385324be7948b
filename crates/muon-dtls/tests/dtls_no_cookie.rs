//! A server with `cookie_exchange` off (RFC 6347 section 4.2.1 lets a server skip it where
//! amplification is not a threat, as behind ICE) answers the first ClientHello with its
//! ServerHello flight: four flights instead of six, ServerHello at message_seq 0, the first
//! ClientHello in the transcript (both sides derive the same keys only if it is), and a
//! retransmitted or duplicated ClientHello gets the same flight again, not a new handshake.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use muon_dtls::{Dtls, DtlsEvent};
use muon_proto::Rng;

const SERVER_HELLO: u8 = 2;
const HELLO_VERIFY_REQUEST: u8 = 3;

/// (handshake type, message_seq) of every epoch-0 handshake record in a datagram.
fn handshake_messages(datagram: &[u8]) -> Vec<(u8, u16)> {
    let mut out = Vec::new();
    let mut rest = datagram;
    while rest.len() >= 13 {
        let len = usize::from(u16::from_be_bytes([rest[11], rest[12]]));
        let (record, tail) = rest.split_at(13 + len);
        let epoch = u16::from_be_bytes([record[3], record[4]]);
        if record[0] == 22 && epoch == 0 && record.len() >= 13 + 12 {
            out.push((record[13], u16::from_be_bytes([record[17], record[18]])));
        }
        rest = tail;
    }
    out
}

/// The server_random of the ServerHello at the start of `datagram` (record header 13,
/// handshake header 12, version 2).
fn server_random(datagram: &[u8]) -> [u8; 32] {
    assert_eq!(datagram[13], SERVER_HELLO);
    datagram[13 + 12 + 2..13 + 12 + 2 + 32].try_into().unwrap()
}

/// Plays the handshake flight by flight at one instant (no loss, so no timer fires) and
/// returns, per flight, the handshake messages it carried (epoch 0 only).
fn flights(c: &mut Dtls, s: &mut Dtls) -> Vec<Vec<(u8, u16)>> {
    let now = common::t0();
    let mut out = Vec::new();
    for turn in 0..10 {
        let (from, to) = if turn % 2 == 0 {
            (&mut *c, &mut *s)
        } else {
            (&mut *s, &mut *c)
        };
        let mut flight = Vec::new();
        let mut sent = false;
        while let Some(d) = from.poll_transmit() {
            sent = true;
            flight.extend(handshake_messages(&d));
            to.handle_receive(now, &d).unwrap();
        }
        if !sent {
            break;
        }
        out.push(flight);
    }
    out
}

fn exported(d: &mut Dtls) -> [u8; 32] {
    let mut out = [0u8; 32];
    d.export_keying_material(b"EXTRACTOR-dtls_srtp", None, &mut out)
        .unwrap();
    out
}

fn pair(seed: u8, cookie_exchange: bool) -> (Dtls, Dtls) {
    let mut rng = Rng::from_seed([seed; 32]);
    let (client, mut server) = common::configs(&mut rng, 1200);
    server.cookie_exchange = cookie_exchange;
    common::machines(u64::from(seed), client, server, common::t0())
}

#[test]
fn without_cookie_exchange_the_handshake_takes_four_flights() {
    let (mut c, mut s) = pair(1, false);
    let f = flights(&mut c, &mut s);
    assert_eq!(f.len(), 4, "{f:?}");
    assert_eq!(f[0], vec![(1, 0)], "one ClientHello, message_seq 0");
    // Flight 4 straight away: ServerHello .. ServerHelloDone, numbered from 0.
    assert_eq!(
        f[1],
        vec![(SERVER_HELLO, 0), (11, 1), (12, 2), (13, 3), (14, 4)]
    );
    // The client's flight 5 continues its numbering after its one ClientHello.
    assert_eq!(f[2], vec![(11, 1), (16, 2), (15, 3)]);
    assert!(c.is_connected() && s.is_connected());
    assert_eq!(s.stats().hello_verify_requests, 0);
    assert_eq!(c.stats().retransmits + s.stats().retransmits, 0);
    assert_eq!(exported(&mut c), exported(&mut s));
    assert!(matches!(
        common::events(&mut s).first(),
        Some(DtlsEvent::Connected(_))
    ));
}

#[test]
fn with_cookie_exchange_the_handshake_takes_six_flights() {
    let (mut c, mut s) = pair(2, true);
    let f = flights(&mut c, &mut s);
    assert_eq!(f.len(), 6, "{f:?}");
    assert_eq!(f[1], vec![(HELLO_VERIFY_REQUEST, 0)]);
    assert_eq!(f[2], vec![(1, 1)], "the ClientHello with the cookie");
    assert_eq!(f[3][0], (SERVER_HELLO, 1));
    assert!(c.is_connected() && s.is_connected());
    assert_eq!(s.stats().hello_verify_requests, 1);
    assert_eq!(exported(&mut c), exported(&mut s));
}

#[test]
fn a_retransmitted_client_hello_gets_the_same_flight_again() {
    let now = common::t0();
    let (mut c, mut s) = pair(3, false);
    let hello = c.poll_transmit().unwrap();
    s.handle_receive(now, &hello).unwrap();
    let lost: Vec<Vec<u8>> = std::iter::from_fn(|| s.poll_transmit()).collect();
    assert_eq!(handshake_messages(&lost[0])[0], (SERVER_HELLO, 0));
    // Flight 4 is lost; the client's timer resends its ClientHello (a new record number).
    let at = c.poll_timeout().unwrap();
    c.handle_timeout(at);
    let again = c.poll_transmit().unwrap();
    assert_ne!(
        again, hello,
        "a retransmission has a fresh record sequence number"
    );
    s.handle_receive(at, &again).unwrap();
    let resent: Vec<Vec<u8>> = std::iter::from_fn(|| s.poll_transmit()).collect();
    assert_eq!(resent.len(), lost.len());
    // The same handshake, not a new one: same ServerHello (same random), same numbering.
    assert_eq!(server_random(&resent[0]), server_random(&lost[0]));
    assert_eq!(
        resent
            .iter()
            .flat_map(|d| handshake_messages(d))
            .collect::<Vec<_>>(),
        lost.iter()
            .flat_map(|d| handshake_messages(d))
            .collect::<Vec<_>>()
    );
    assert_eq!(s.stats().retransmits, 1);
    for d in resent {
        c.handle_receive(at, &d).unwrap();
    }
    common::shuttle(&mut c, &mut s, at);
    assert!(c.is_connected() && s.is_connected());
    assert_eq!(exported(&mut c), exported(&mut s));
}

#[test]
fn a_duplicated_client_hello_is_answered_once_more_and_then_rate_limited() {
    let now = common::t0();
    let (mut c, mut s) = pair(4, false);
    let hello = c.poll_transmit().unwrap();
    s.handle_receive(now, &hello).unwrap();
    let first: Vec<Vec<u8>> = std::iter::from_fn(|| s.poll_transmit()).collect();
    // The network duplicates the hello: the copy is taken for a retransmission once ...
    s.handle_receive(now, &hello).unwrap();
    let second: Vec<Vec<u8>> = std::iter::from_fn(|| s.poll_transmit()).collect();
    assert_eq!(server_random(&second[0]), server_random(&first[0]));
    // ... and further copies at the same moment get nothing: no amplification.
    for _ in 0..5 {
        s.handle_receive(now, &hello).unwrap();
    }
    assert!(s.poll_transmit().is_none());
    assert_eq!(s.stats().retransmits, 1);
    for d in first.iter().chain(&second) {
        let _ = c.handle_receive(now, d);
    }
    common::shuttle(&mut c, &mut s, now);
    assert!(c.is_connected() && s.is_connected());
    assert_eq!(exported(&mut c), exported(&mut s));
}

#[test]
fn the_default_keeps_the_cookie_exchange() {
    let mut rng = Rng::from_seed([5; 32]);
    let (client, server) = common::configs(&mut rng, 1200);
    assert!(client.cookie_exchange && server.cookie_exchange);
}
