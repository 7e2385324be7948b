//! DATA queued before the handshake ends rides with the COOKIE-ECHO (RFC 9260 section 5.1 D)
//! and arrives a round trip earlier; it survives the loss of that packet or of the COOKIE-ACK,
//! a simultaneous open, loss and duplication, and is delivered exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::*;
use muon_netsim::{LinkConfig, PAIR_ADDR_A};
use muon_sctp::{Association, Config, Event, Ppid, Reliability};

const DATA: u8 = 0;
const SACK: u8 = 3;
const COOKIE_ECHO: u8 = 10;
const COOKIE_ACK: u8 = 11;
/// Offset of the first chunk's type: after the 12-byte common header.
const FIRST_CHUNK: usize = 12;

/// The chunk types of an SCTP packet, in order.
fn chunk_kinds(packet: &[u8]) -> Vec<u8> {
    let mut kinds = Vec::new();
    let mut at = FIRST_CHUNK;
    while at + 4 <= packet.len() {
        kinds.push(packet[at]);
        let len = usize::from(u16::from_be_bytes([packet[at + 2], packet[at + 3]]));
        assert!(len >= 4, "chunk length {len}");
        at += len.div_ceil(4) * 4;
    }
    kinds
}

fn send(a: &mut Association, now: Instant, data: &'static [u8]) {
    a.send(
        now,
        0,
        Ppid::BINARY,
        true,
        Reliability::Reliable,
        Bytes::from_static(data),
    )
    .unwrap();
}

fn drain(a: &mut Association, now: Instant) -> Vec<Vec<u8>> {
    std::iter::from_fn(|| a.poll_transmit(now)).collect()
}

fn messages(a: &mut Association) -> Vec<Bytes> {
    std::iter::from_fn(|| a.poll_event())
        .filter_map(|e| match e {
            Event::Message { data, .. } => Some(data),
            _ => None,
        })
        .collect()
}

/// A client with `data` queued before it starts, a server, and the exchange up to the
/// client's COOKIE-ECHO: returns the packets the client sends after the INIT-ACK.
fn up_to_cookie_echo(data: &'static [u8]) -> (Association, Association, Instant, Vec<Vec<u8>>) {
    let now = muon_netsim::Clock::new().now();
    let mut a = Association::new(Config::default(), rng(1, 0));
    let mut b = Association::server(Config::default(), rng(1, 1));
    send(&mut a, now, data);
    a.connect(now);
    let init = drain(&mut a, now);
    assert_eq!(init.len(), 1);
    b.handle_receive(now, &init[0]).unwrap();
    for p in drain(&mut b, now) {
        a.handle_receive(now, &p).unwrap();
    }
    let echo = drain(&mut a, now);
    (a, b, now, echo)
}

#[test]
fn the_packet_after_init_ack_carries_cookie_echo_and_data() {
    let (mut a, mut b, now, echo) = up_to_cookie_echo(b"dcep open");
    assert_eq!(echo.len(), 1, "one packet until the COOKIE-ACK");
    assert_eq!(chunk_kinds(&echo[0]), [COOKIE_ECHO, DATA]);
    assert_eq!(a.stats().data_chunks_with_cookie_echo, 1);
    // Nothing else goes out before the COOKIE-ACK, even with more to send.
    send(&mut a, now, b"second");
    assert!(drain(&mut a, now).is_empty());

    // The server creates the association, then takes the DATA from the same packet.
    b.handle_receive(now, &echo[0]).unwrap();
    assert!(b.is_established());
    assert_eq!(messages(&mut b), [Bytes::from_static(b"dcep open")]);
    // Its COOKIE-ACK leads the answer and the SACK rides with it (section 5.1 E).
    let ack = drain(&mut b, now);
    assert_eq!(ack.len(), 1);
    assert_eq!(chunk_kinds(&ack[0]), [COOKIE_ACK, SACK]);
    a.handle_receive(now, &ack[0]).unwrap();
    assert!(a.is_established());
    // The bundled chunk is acknowledged; the message queued after it goes now.
    let next = drain(&mut a, now);
    assert_eq!(next.len(), 1);
    assert_eq!(chunk_kinds(&next[0]), [DATA]);
    b.handle_receive(now, &next[0]).unwrap();
    assert_eq!(messages(&mut b), [Bytes::from_static(b"second")]);
    assert_eq!(a.stats().data_chunks_retransmitted, 0);
}

#[test]
fn a_lost_cookie_echo_brings_its_data_again_once() {
    let (mut a, mut b, now, _lost) = up_to_cookie_echo(b"hello");
    let t1 = a.poll_timeout().expect("T1 runs");
    a.handle_timeout(t1);
    let again = drain(&mut a, t1);
    assert_eq!(again.len(), 1);
    assert_eq!(chunk_kinds(&again[0]), [COOKIE_ECHO, DATA]);
    b.handle_receive(t1, &again[0]).unwrap();
    assert_eq!(messages(&mut b), [Bytes::from_static(b"hello")]);
    for p in drain(&mut b, t1) {
        a.handle_receive(t1, &p).unwrap();
    }
    assert!(a.is_established());
    assert_eq!(a.send_buffered_bytes(), 0, "acknowledged");
    assert_eq!(
        a.poll_timeout().map(|t| t > now + Duration::from_secs(1)),
        Some(true)
    );
}

#[test]
fn a_lost_cookie_ack_repeats_the_data_and_the_peer_drops_the_duplicate() {
    let (mut a, mut b, now, echo) = up_to_cookie_echo(b"once");
    b.handle_receive(now, &echo[0]).unwrap();
    assert_eq!(messages(&mut b), [Bytes::from_static(b"once")]);
    let lost_ack = drain(&mut b, now);
    assert_eq!(lost_ack.len(), 1);

    let t1 = a.poll_timeout().unwrap();
    a.handle_timeout(t1);
    let again = drain(&mut a, t1);
    assert_eq!(chunk_kinds(&again[0]), [COOKIE_ECHO, DATA]);
    b.handle_receive(t1, &again[0]).unwrap();
    assert!(messages(&mut b).is_empty(), "delivered once");
    assert_eq!(b.stats().duplicate_tsns_received, 1);
    let ack = drain(&mut b, t1);
    assert_eq!(chunk_kinds(&ack[0]), [COOKIE_ACK, SACK]);
    a.handle_receive(t1, &ack[0]).unwrap();
    assert!(a.is_established());
    assert_eq!(a.send_buffered_bytes(), 0);
}

#[test]
fn bundled_data_respects_the_mtu_and_the_rest_follows_the_cookie_ack() {
    static BIG: [u8; 20_000] = [7; 20_000];
    let (mut a, mut b, now, echo) = up_to_cookie_echo(&BIG);
    assert_eq!(echo.len(), 1);
    assert!(echo[0].len() <= Config::default().mtu);
    assert_eq!(chunk_kinds(&echo[0]), [COOKIE_ECHO, DATA]);
    let mut got = Vec::new();
    let mut inbox = echo;
    for _ in 0..100 {
        if inbox.is_empty() {
            break;
        }
        for p in inbox.drain(..) {
            b.handle_receive(now, &p).unwrap();
        }
        got.extend(messages(&mut b));
        for p in drain(&mut b, now) {
            a.handle_receive(now, &p).unwrap();
        }
        inbox = drain(&mut a, now);
    }
    assert_eq!(got, [Bytes::from_static(&BIG)]);
}

/// Every message queued before the handshake, under loss, duplication and reordering,
/// arrives exactly once and in order, whether one side or both send INIT.
#[test]
fn messages_sent_before_establishment_arrive_once_under_loss() {
    for seed in 0..30 {
        let link = LinkConfig::lossy(0.2)
            .with_delay(Duration::from_millis(20))
            .with_duplicate(0.1)
            .with_reorder(0.1, Duration::from_millis(15));
        let mut net = if seed % 2 == 0 {
            pair(seed, Config::default(), link.clone(), link)
        } else {
            pair_both_connect(seed, Config::default(), link.clone(), link)
        };
        let a_msgs = workload(seed, 3, &[0, 2], 900, true, Default::default());
        let b_msgs = workload(seed + 1000, 3, &[1], 900, true, Default::default());
        net.a.inner_mut().outbox.extend(a_msgs);
        net.b.inner_mut().outbox.extend(b_msgs);
        net.run_until(Duration::from_secs(600), |a, b| {
            a.inner().got_msgs == 3 && b.inner().got_msgs == 3
        })
        .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        // Everything is acknowledged in the end (T3 took over from T1).
        net.run_until(Duration::from_secs(600), |a, b| {
            a.inner().assoc.send_buffered_bytes() == 0 && b.inner().assoc.send_buffered_bytes() == 0
        })
        .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        net.run_for(Duration::from_secs(5)).unwrap();
        assert_delivered(net.a.inner(), net.b.inner(), true);
        assert_delivered(net.b.inner(), net.a.inner(), true);
        for p in [net.a.inner(), net.b.inner()] {
            let connected = p.events.iter().filter(|e| **e == Event::Connected).count();
            assert_eq!(connected, 1, "seed {seed}");
        }
    }
}

/// Both sides send INIT with data queued (the WebRTC case): each side's data rides with its
/// COOKIE-ECHO and is delivered before the handshake's last packet arrives.
#[test]
fn simultaneous_open_bundles_data_both_ways() {
    for seed in 0..10 {
        let link = LinkConfig::perfect().with_delay(Duration::from_millis(20));
        let mut net = pair_both_connect(seed, Config::default(), link.clone(), link);
        let start = net.now();
        net.a
            .inner_mut()
            .outbox
            .extend(workload(seed, 1, &[0], 500, true, Default::default()));
        net.b
            .inner_mut()
            .outbox
            .extend(workload(seed, 1, &[1], 500, true, Default::default()));
        let done = net
            .run_until(Duration::from_secs(5), |a, b| {
                a.inner().got_msgs == 1 && b.inner().got_msgs == 1
            })
            .unwrap();
        // INIT and INIT-ACK cross (2 x 20 ms), then COOKIE-ECHO + DATA (20 ms): 60 ms, where
        // waiting for the COOKIE-ACK would take 100 ms.
        assert_eq!(done - start, Duration::from_millis(60), "seed {seed}");
        for p in [net.a.inner(), net.b.inner()] {
            assert_eq!(
                p.assoc.stats().data_chunks_with_cookie_echo,
                1,
                "seed {seed}"
            );
            assert_eq!(p.assoc.stats().data_chunks_retransmitted, 0, "seed {seed}");
        }
        net.run_for(Duration::from_secs(1)).unwrap();
        assert_delivered(net.a.inner(), net.b.inner(), true);
        assert_delivered(net.b.inner(), net.a.inner(), true);
    }
}

/// With the COOKIE-ECHO packet dropped on the wire, T1 sends COOKIE-ECHO and DATA again.
#[test]
fn dropped_cookie_echo_on_the_network_delays_but_does_not_lose_data() {
    let link = LinkConfig::perfect().with_delay(Duration::from_millis(20));
    let mut net = pair(7, Config::default(), link.clone(), link);
    let echoes = Rc::new(Cell::new(0u32));
    let e = echoes.clone();
    net.network_mut().set_filter(move |_, t| {
        if t.source == PAIR_ADDR_A && t.contents.get(FIRST_CHUNK) == Some(&COOKIE_ECHO) {
            e.set(e.get() + 1);
            assert_eq!(chunk_kinds(&t.contents), [COOKIE_ECHO, DATA, DATA]);
            return e.get() != 1;
        }
        true
    });
    net.a
        .inner_mut()
        .outbox
        .extend(workload(7, 2, &[0], 300, true, Default::default()));
    net.run_until(Duration::from_secs(10), |_, b| b.inner().got_msgs == 2)
        .unwrap();
    net.run_for(Duration::from_secs(2)).unwrap();
    assert_eq!(echoes.get(), 2);
    assert_delivered(net.a.inner(), net.b.inner(), true);
    assert_eq!(net.b.inner().assoc.stats().duplicate_tsns_received, 0);
    assert_eq!(net.a.inner().assoc.stats().t3_expirations, 0);
}
