//! Handshake messages larger than the MTU are fragmented and reassembled; nothing sent exceeds
//! the configured MTU; limits on message size are enforced.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use muon_dtls::{Config, ConfigError, Dtls, DtlsError, DtlsEvent, Misbehavior, Role};
use muon_proto::Rng;

/// Handshake record header fields of every record in a datagram: (content type, epoch,
/// handshake type, fragment offset, fragment length, message length) for handshake records.
fn fragments(datagram: &[u8]) -> Vec<(u8, u32, u32, u32)> {
    let mut out = Vec::new();
    let mut rest = datagram;
    while rest.len() >= 13 {
        let len = usize::from(u16::from_be_bytes([rest[11], rest[12]]));
        let (record, tail) = rest.split_at(13 + len);
        let epoch = u16::from_be_bytes([record[3], record[4]]);
        if record[0] == 22 && epoch == 0 {
            let h = &record[13..];
            let u24 = |b: &[u8]| u32::from_be_bytes([0, b[0], b[1], b[2]]);
            out.push((h[0], u24(&h[1..4]), u24(&h[6..9]), u24(&h[9..12])));
        }
        rest = tail;
    }
    out
}

#[test]
fn certificate_is_fragmented_to_fit_small_mtus() {
    for mtu in [Config::MIN_MTU, 300, 500, 1200] {
        let now = common::t0();
        let mut rng = Rng::from_seed([3; 32]);
        let (client, server) = common::configs(&mut rng, mtu);
        let (mut c, mut s) = common::machines(1, client, server, now);
        let mut cert_fragments = 0;
        for _ in 0..10 {
            while let Some(d) = c.poll_transmit() {
                assert!(d.len() <= mtu, "client datagram of {} > {mtu}", d.len());
                s.handle_receive(now, &d).unwrap();
            }
            while let Some(d) = s.poll_transmit() {
                assert!(d.len() <= mtu, "server datagram of {} > {mtu}", d.len());
                cert_fragments += fragments(&d).iter().filter(|f| f.0 == 11).count();
                c.handle_receive(now, &d).unwrap();
            }
        }
        assert!(c.is_connected() && s.is_connected(), "mtu {mtu}");
        // Our certificate is a little over 300 bytes.
        if mtu <= 300 {
            assert!(cert_fragments >= 2, "mtu {mtu}: {cert_fragments} fragments");
        } else {
            assert_eq!(cert_fragments, 1, "mtu {mtu}");
        }
    }
}

#[test]
fn mtu_outside_its_range_is_a_config_error() {
    let mut rng = Rng::from_seed([4; 32]);
    let (mut client, _) = common::configs(&mut rng, 1200);
    client.mtu = Config::MIN_MTU - 1;
    let err = Dtls::new(Role::Client, client, rng.fork(), common::t0()).unwrap_err();
    assert_eq!(err, DtlsError::Config(ConfigError::MtuTooSmall));
    let (mut client, _) = common::configs(&mut rng, 1200);
    client.mtu = Config::MAX_MTU + 1;
    let err = Dtls::new(Role::Client, client, rng.fork(), common::t0()).unwrap_err();
    assert_eq!(err, DtlsError::Config(ConfigError::MtuTooLarge));
}

#[test]
fn oversized_handshake_message_is_refused() {
    let now = common::t0();
    let mut rng = Rng::from_seed([5; 32]);
    let (client, mut server) = common::configs(&mut rng, 1200);
    // The server only takes messages up to 100 bytes: the client's Certificate is larger.
    server.max_handshake_message = 100;
    let (mut c, mut s) = common::machines(2, client, server, now);
    common::shuttle(&mut c, &mut s, now);
    let server_events = common::events(&mut s);
    assert!(
        server_events.contains(&DtlsEvent::Closed(muon_dtls::CloseReason::Error(
            DtlsError::PeerMisbehaved(Misbehavior::MessageTooLarge)
        ))),
        "{server_events:?}"
    );
    assert!(!c.is_connected());
}

/// Splits every epoch-0 ClientHello record of `datagram` into two records carrying the second
/// half first, then the first half: how a browser's large ClientHello (Chromium 156 sends 1413
/// bytes, offering DTLS 1.3 key shares) reaches a DTLS 1.2 server, reordered.
fn split_client_hello(datagram: &[u8]) -> Vec<Vec<u8>> {
    let len = usize::from(u16::from_be_bytes([datagram[11], datagram[12]]));
    let (header, rest) = datagram.split_at(13);
    let record = &rest[..len];
    assert_eq!((header[0], record[0]), (22, 1), "a ClientHello record");
    let (hs, body) = record.split_at(12);
    let half = body.len() / 2;
    let part = |offset: usize, bytes: &[u8]| {
        let mut hs_frag = hs[..6].to_vec(); // type, length, message_seq
        hs_frag.extend_from_slice(&(offset as u32).to_be_bytes()[1..]);
        hs_frag.extend_from_slice(&(bytes.len() as u32).to_be_bytes()[1..]);
        hs_frag.extend_from_slice(bytes);
        let mut d = header[..11].to_vec();
        d.extend_from_slice(&(hs_frag.len() as u16).to_be_bytes());
        d.extend_from_slice(&hs_frag);
        d
    };
    vec![part(half, &body[half..]), part(0, &body[..half])]
}

#[test]
fn a_fragmented_reordered_client_hello_is_reassembled_by_a_listening_server() {
    let now = common::t0();
    let mut rng = Rng::from_seed([8; 32]);
    let (client, server) = common::configs(&mut rng, 1200);
    let (mut c, mut s) = common::machines(2, client, server, now);
    // Both ClientHellos (the first, and the one with the cookie) arrive in two fragments.
    for hello in 0..2 {
        let d = c.poll_transmit().expect("a ClientHello");
        for frag in split_client_hello(&d) {
            s.handle_receive(now, &frag).unwrap();
        }
        assert!(c.poll_transmit().is_none());
        let answer = s
            .poll_transmit()
            .expect("the server answers the reassembled hello");
        // The first answer is the HelloVerifyRequest (handshake type 3).
        assert_eq!(answer[13] == 3, hello == 0, "hello {hello}");
        c.handle_receive(now, &answer).unwrap();
        while let Some(more) = s.poll_transmit() {
            c.handle_receive(now, &more).unwrap();
        }
    }
    common::shuttle(&mut c, &mut s, now);
    assert!(c.is_connected() && s.is_connected());
    assert_eq!(s.stats().hello_verify_requests, 1);
}

#[test]
fn a_fragmented_client_hello_starts_the_handshake_without_cookie_exchange() {
    let now = common::t0();
    let mut rng = Rng::from_seed([10; 32]);
    let (client, mut server) = common::configs(&mut rng, 1200);
    server.cookie_exchange = false;
    let (mut c, mut s) = common::machines(4, client, server, now);
    let d = c.poll_transmit().expect("a ClientHello");
    let mut parts = split_client_hello(&d).into_iter();
    s.handle_receive(now, &parts.next().unwrap()).unwrap();
    assert!(s.poll_transmit().is_none(), "half a hello gets no answer");
    assert!(s.poll_timeout().is_none(), "and arms no timer");
    s.handle_receive(now, &parts.next().unwrap()).unwrap();
    let answer = s.poll_transmit().expect("flight 4");
    // ServerHello (type 2) with message_seq 0: no HelloVerifyRequest came first.
    assert_eq!((answer[13], answer[17], answer[18]), (2, 0, 0));
    c.handle_receive(now, &answer).unwrap();
    common::shuttle(&mut c, &mut s, now);
    assert!(c.is_connected() && s.is_connected());
    assert_eq!(s.stats().hello_verify_requests, 0);
}

#[test]
fn a_listening_server_refuses_client_hello_fragments_of_an_oversized_hello() {
    let now = common::t0();
    let mut rng = Rng::from_seed([9; 32]);
    let (_, server) = common::configs(&mut rng, 1200);
    let (_, mut s) = common::machines(3, server.clone(), server, now);
    // A first fragment announcing a 60 000-byte ClientHello: more than a listening server
    // holds before a cookie, so it is refused, not buffered.
    let mut d = vec![22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0];
    let mut hs = vec![1, 0x00, 0xEA, 0x60, 0, 0, 0, 0, 0, 0, 0, 16];
    hs.extend_from_slice(&[0xAB; 16]);
    d.extend_from_slice(&(hs.len() as u16).to_be_bytes());
    d.extend_from_slice(&hs);
    assert!(s.handle_receive(now, &d).is_err());
    assert!(s.poll_transmit().is_none());
    assert!(
        s.poll_timeout().is_none(),
        "no timer armed by a spoofed fragment"
    );
}
