//! Application data, the anti-replay window, close_notify, and malformed input after the
//! handshake.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Instant;

use muon_dtls::{CloseReason, Dtls, DtlsError, DtlsEvent, MAX_APPLICATION_DATA};
use muon_proto::Rng;

fn connected(seed: u8) -> (Dtls, Dtls, Instant) {
    let now = common::t0();
    let mut rng = Rng::from_seed([seed; 32]);
    let (client, server) = common::configs(&mut rng, 1200);
    let (mut c, mut s) = common::machines(u64::from(seed), client, server, now);
    common::shuttle(&mut c, &mut s, now);
    assert!(c.is_connected() && s.is_connected());
    common::events(&mut c);
    common::events(&mut s);
    (c, s, now)
}

#[test]
fn replayed_records_are_dropped_reordered_ones_accepted() {
    let (mut c, mut s, now) = connected(1);
    let mut sent = Vec::new();
    for i in 0..5u8 {
        c.send_application_data(&[i]).unwrap();
        sent.push(c.poll_transmit().unwrap());
    }
    // Deliver out of order, then replay every one.
    for i in [3, 0, 4, 1, 2] {
        s.handle_receive(now, &sent[i]).unwrap();
    }
    for d in &sent {
        assert_eq!(s.handle_receive(now, d), Err(DtlsError::Replayed));
    }
    let got: Vec<_> = common::events(&mut s);
    let expected: Vec<_> = [3u8, 0, 4, 1, 2]
        .iter()
        .map(|i| DtlsEvent::ApplicationData(vec![*i]))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(s.stats().replays_dropped, 5);
}

#[test]
fn tampered_and_truncated_records_are_errors_not_panics() {
    let (mut c, mut s, now) = connected(2);
    c.send_application_data(b"secret").unwrap();
    let d = c.poll_transmit().unwrap();
    for i in 0..d.len() {
        let mut bad = d.clone();
        bad[i] ^= 0x40;
        let _ = s.handle_receive(now, &bad);
    }
    for n in 0..d.len() {
        let _ = s.handle_receive(now, &d[..n]);
    }
    assert!(
        common::events(&mut s).is_empty(),
        "nothing tampered got through"
    );
    s.handle_receive(now, &d).unwrap();
    assert_eq!(
        common::events(&mut s),
        vec![DtlsEvent::ApplicationData(b"secret".to_vec())]
    );
}

#[test]
fn close_notify_closes_both_sides() {
    let (mut c, mut s, now) = connected(3);
    c.close();
    assert_eq!(
        common::events(&mut c),
        vec![DtlsEvent::Closed(CloseReason::LocalClose)]
    );
    let d = c.poll_transmit().expect("close_notify");
    s.handle_receive(now, &d).unwrap();
    assert_eq!(
        common::events(&mut s),
        vec![DtlsEvent::Closed(CloseReason::PeerClosed)]
    );
    assert!(s.poll_transmit().is_some(), "close_notify answered");
    assert_eq!(s.send_application_data(b"x"), Err(DtlsError::Closed));
    assert_eq!(c.send_application_data(b"x"), Err(DtlsError::Closed));
    assert_eq!(s.handle_receive(now, &d), Err(DtlsError::Closed));
}

#[test]
fn sending_before_the_handshake_or_too_much_is_refused() {
    let now = common::t0();
    let mut rng = Rng::from_seed([4; 32]);
    let (client, server) = common::configs(&mut rng, 1200);
    let (mut c, _s) = common::machines(4, client, server, now);
    assert_eq!(
        c.send_application_data(b"early"),
        Err(DtlsError::NotConnected)
    );
    let (mut c, _s, _) = connected(5);
    assert_eq!(
        c.send_application_data(&vec![0; MAX_APPLICATION_DATA + 1]),
        Err(DtlsError::PayloadTooLarge)
    );
    c.send_application_data(&vec![0; MAX_APPLICATION_DATA])
        .unwrap();
}

#[test]
fn unauthenticated_alert_cannot_close_an_established_connection() {
    let (_c, mut s, now) = connected(6);
    // A plaintext (epoch 0) fatal alert, as an off-path attacker could forge.
    let forged = [21, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 99, 0, 2, 2, 40];
    assert!(s.handle_receive(now, &forged).is_err());
    assert!(s.is_connected());
}
