//! The answerer's checks reach the offerer before the offerer has the answer (what every
//! real signaling channel produces): the offerer answers them at once (RFC 8445 section
//! 7.3), and the answerer must not give up while it waits for the nomination.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{Peer, negotiate};
use muon_netsim::Clock;
use muon_proto::Receive;
use muon_rtc::{IceConnectionState, PeerConnectionState, RtcEvent};

fn shuttle(from: &mut Peer, to: &mut Peer) {
    while let Some(t) = from.rtc.poll_transmit() {
        let rx = Receive {
            source: t.source,
            destination: t.destination,
            contents: &t.contents,
        };
        let _ = to.rtc.handle_receive(from.now, rx);
    }
}

#[test]
fn checks_before_the_answer_arrives_do_not_fail_the_answerer() {
    let clock = Clock::new();
    let mut now = clock.now();
    let mut a = Peer::new(1, now, "127.0.0.1:5000".parse().unwrap());
    let mut b = Peer::new(2, now, "127.0.0.1:6000".parse().unwrap());
    let offer = a.rtc.create_offer(now).unwrap();
    a.rtc.set_local_description(now, &offer).unwrap();
    b.rtc.set_remote_description(now, &offer).unwrap();
    let answer = b.rtc.create_answer(now).unwrap();
    b.rtc.set_local_description(now, &answer).unwrap();
    for step in 0..300 {
        if step == 50 {
            // The answer arrives half a second after the answerer's first checks.
            a.rtc.set_remote_description(now, &answer).unwrap();
        }
        shuttle(&mut b, &mut a);
        shuttle(&mut a, &mut b);
        a.drain();
        b.drain();
        if a.rtc.connection_state() == PeerConnectionState::Connected
            && b.rtc.connection_state() == PeerConnectionState::Connected
        {
            break;
        }
        now += Duration::from_millis(10);
        a.now = now;
        b.now = now;
        a.rtc.handle_timeout(now);
        b.rtc.handle_timeout(now);
    }
    assert_eq!(b.rtc.connection_state(), PeerConnectionState::Connected);
    assert!(
        !b.has(&RtcEvent::IceConnectionState(IceConnectionState::Failed)),
        "{:?}",
        b.events
    );
    assert!(!b.events.iter().any(|e| matches!(e, RtcEvent::Failed(_))));
    // And the usual immediate exchange still reaches Completed on both sides.
    let mut c = Peer::new(3, now, "127.0.0.1:7000".parse().unwrap());
    let mut d = Peer::new(4, now, "127.0.0.1:8000".parse().unwrap());
    negotiate(&mut c.rtc, &mut d.rtc, now);
    for _ in 0..300 {
        shuttle(&mut c, &mut d);
        shuttle(&mut d, &mut c);
        now += Duration::from_millis(10);
        c.now = now;
        d.now = now;
        c.rtc.handle_timeout(now);
        d.rtc.handle_timeout(now);
    }
    assert_eq!(d.rtc.ice_connection_state(), IceConnectionState::Completed);
}
