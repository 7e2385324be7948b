//! Flight retransmission with exponential back-off and the give-up time (RFC 6347 section
//! 4.2.4): against a silent peer, and recovery from a lost flight.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use muon_dtls::{CloseReason, Dtls, DtlsError, DtlsEvent, Role};
use muon_proto::Rng;

#[test]
fn client_backs_off_exponentially_then_gives_up() {
    let start = common::t0();
    let mut rng = Rng::from_seed([1; 32]);
    let (mut config, _) = common::configs(&mut rng, 1200);
    config.handshake_timeout = Duration::from_secs(40);
    config.max_retransmit = Duration::from_secs(8);
    let mut c = Dtls::new(Role::Client, config, rng.fork(), start).unwrap();
    let first = c.poll_transmit().expect("ClientHello sent at once");
    let mut sends = Vec::new();
    let mut now = start;
    for _ in 0..100 {
        let Some(at) = c.poll_timeout() else { break };
        now = at;
        c.handle_timeout(now);
        while let Some(d) = c.poll_transmit() {
            // The same ClientHello each time (same random, no cookie), in a new record.
            assert_eq!(d.len(), first.len());
            assert_eq!(d[13..], first[13..]);
            assert_ne!(d[5..11], first[5..11], "fresh record sequence number");
            sends.push((now - start).as_secs());
        }
    }
    // 1, 2, 4, 8, then capped at 8 s, until the 40 s give-up.
    assert_eq!(sends, vec![1, 3, 7, 15, 23, 31, 39]);
    assert_eq!(now - start, Duration::from_secs(40));
    assert_eq!(
        common::events(&mut c),
        vec![DtlsEvent::Closed(CloseReason::Error(
            DtlsError::HandshakeTimeout
        ))]
    );
    assert_eq!(c.poll_timeout(), None);
    assert_eq!(c.stats().retransmits, 7);
}

#[test]
fn server_waits_without_timers_until_a_valid_cookie() {
    let now = common::t0();
    let mut rng = Rng::from_seed([2; 32]);
    let (_, config) = common::configs(&mut rng, 1200);
    let s = Dtls::new(Role::Server, config, rng.fork(), now).unwrap();
    assert_eq!(s.poll_timeout(), None);
}

#[test]
fn lost_server_flight_is_recovered_by_the_client_timer() {
    let start = common::t0();
    let mut rng = Rng::from_seed([3; 32]);
    let (client, server) = common::configs(&mut rng, 1200);
    let (mut c, mut s) = common::machines(3, client, server, start);
    // Cookie exchange, then flight 3 reaches the server but its flight 4 is lost.
    let ch = c.poll_transmit().unwrap();
    s.handle_receive(start, &ch).unwrap();
    let hvr = s.poll_transmit().unwrap();
    c.handle_receive(start, &hvr).unwrap();
    let ch2 = c.poll_transmit().unwrap();
    s.handle_receive(start, &ch2).unwrap();
    let lost: Vec<_> = std::iter::from_fn(|| s.poll_transmit()).collect();
    assert!(!lost.is_empty());
    // The client resends flight 3 after 1 s; the server recognises it and resends flight 4.
    let t1 = c.poll_timeout().unwrap();
    assert_eq!(t1 - start, Duration::from_secs(1));
    c.handle_timeout(t1);
    common::shuttle(&mut c, &mut s, t1);
    assert!(c.is_connected() && s.is_connected());
    assert!(s.stats().retransmits >= 1);
}

#[test]
fn lost_final_flight_is_resent_when_the_client_retransmits() {
    let start = common::t0();
    let mut rng = Rng::from_seed([4; 32]);
    let (client, server) = common::configs(&mut rng, 1200);
    let (mut c, mut s) = common::machines(4, client, server, start);
    // Run until the server has sent its last flight, and drop that flight.
    for _ in 0..10 {
        while let Some(d) = c.poll_transmit() {
            s.handle_receive(start, &d).unwrap();
        }
        if s.is_connected() {
            break;
        }
        while let Some(d) = s.poll_transmit() {
            c.handle_receive(start, &d).unwrap();
        }
    }
    assert!(s.is_connected() && !c.is_connected());
    while s.poll_transmit().is_some() {}
    assert_eq!(s.poll_timeout(), None, "the last flight has no timer");
    let t = c.poll_timeout().unwrap();
    c.handle_timeout(t);
    common::shuttle(&mut c, &mut s, t);
    assert!(c.is_connected());
}

#[test]
fn zero_or_inverted_timers_are_a_config_error() {
    let mut rng = Rng::from_seed([5; 32]);
    let (mut config, _) = common::configs(&mut rng, 1200);
    config.initial_retransmit = Duration::ZERO;
    let err = Dtls::new(Role::Client, config.clone(), rng.fork(), common::t0()).unwrap_err();
    assert_eq!(err, DtlsError::Config(muon_dtls::ConfigError::BadTimers));
    config.initial_retransmit = Duration::from_secs(2);
    config.max_retransmit = Duration::from_secs(1);
    assert!(Dtls::new(Role::Client, config, rng.fork(), common::t0()).is_err());
}
