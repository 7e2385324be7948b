//! The server answers ClientHellos without a valid cookie statelessly (RFC 6347 section
//! 4.2.1): a flood of spoofed hellos costs no state and arms no timer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use muon_dtls::{Dtls, Role};
use muon_proto::Rng;

#[test]
fn spoofed_hellos_get_a_hello_verify_request_and_leave_no_state() {
    let now = common::t0();
    let mut rng = Rng::from_seed([1; 32]);
    let (client, server) = common::configs(&mut rng, 1200);
    let mut s = Dtls::new(Role::Server, server, rng.fork(), now).unwrap();
    for i in 0..200u8 {
        // Each spoofed source is a fresh client whose hello the server never saw before.
        let mut seed = [0u8; 32];
        seed[0] = i;
        let mut spoofer =
            Dtls::new(Role::Client, client.clone(), Rng::from_seed(seed), now).unwrap();
        let hello = spoofer.poll_transmit().unwrap();
        s.handle_receive(now, &hello).unwrap();
        let hvr = s.poll_transmit().expect("HelloVerifyRequest");
        // Record type handshake, handshake type hello_verify_request, and it echoes the
        // ClientHello's record sequence number.
        assert_eq!(hvr[0], 22);
        assert_eq!(hvr[13], 3);
        assert_eq!(hvr[5..11], hello[5..11]);
        assert!(s.poll_transmit().is_none());
        assert_eq!(s.poll_timeout(), None, "no timer, no state");
        assert!(!s.is_connected());
    }
    assert_eq!(s.stats().hello_verify_requests, 200);
}

#[test]
fn a_cookie_for_another_hello_is_refused() {
    let now = common::t0();
    let mut rng = Rng::from_seed([2; 32]);
    let (client, server) = common::configs(&mut rng, 1200);
    let (mut c, mut s) = common::machines(2, client.clone(), server, now);
    let hello = c.poll_transmit().unwrap();
    s.handle_receive(now, &hello).unwrap();
    let hvr = s.poll_transmit().unwrap();
    // A different client presents the first client's cookie.
    let mut other = Dtls::new(Role::Client, client, Rng::from_seed([9; 32]), now).unwrap();
    let _ = other.poll_transmit();
    other.handle_receive(now, &hvr).unwrap();
    let hello_with_stolen_cookie = other.poll_transmit().unwrap();
    s.handle_receive(now, &hello_with_stolen_cookie).unwrap();
    let reply = s.poll_transmit().unwrap();
    assert_eq!(
        reply[13], 3,
        "another HelloVerifyRequest, not a ServerHello"
    );
    assert_eq!(s.poll_timeout(), None);
    // The real client still connects.
    c.handle_receive(now, &hvr).unwrap();
    common::shuttle(&mut c, &mut s, now);
    assert!(c.is_connected() && s.is_connected());
}
