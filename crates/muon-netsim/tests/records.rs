//! The network's optional log: every datagram sent, delivered or dropped, with the reason.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{addr, datagram, ip};
use muon_netsim::{Clock, DropReason, LinkConfig, NatKind, NatRefusal, Network, RecordKind};

#[test]
fn log_shows_each_fate_with_its_reason() {
    let mut clock = Clock::new();
    let mut net = Network::new(43);
    net.set_default_link(LinkConfig::default().with_mtu(100));
    let nat = net.add_nat(
        ip("203.0.113.1"),
        NatKind::PortRestricted,
        Duration::from_secs(30),
    );
    net.add_private_host(nat, ip("10.0.0.2"));
    net.record(None);
    assert!(net.is_recording());

    let private = addr("10.0.0.2:5000");
    let server = addr("198.51.100.1:3478");
    let stranger = addr("198.51.100.2:3478");
    net.send(clock.now(), datagram(private, server, 1, 10)); // delivered, translated
    net.send(clock.now(), datagram(private, server, 2, 500)); // too big
    net.send(clock.now(), datagram(server, addr("10.0.0.2:5000"), 3, 10)); // no route
    clock.advance(Duration::from_millis(5));
    let out = net.poll_deliver(clock.now()).unwrap();
    let mapped = out.source;
    net.send(clock.now(), datagram(stranger, mapped, 4, 10)); // filtered on arrival
    net.send(clock.now(), datagram(server, mapped, 5, 10)); // admitted
    clock.advance(Duration::from_millis(5));
    let back = net.poll_deliver(clock.now()).unwrap();
    assert_eq!(back.destination, private);
    assert!(net.poll_deliver(clock.now()).is_none());

    let log = net.take_records();
    let kinds: Vec<(u8, RecordKind)> = log
        .iter()
        .map(|r| (r.transmit.contents[3], r.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            (1, RecordKind::Sent),
            (2, RecordKind::Sent),
            (2, RecordKind::Dropped(DropReason::Mtu)),
            (3, RecordKind::Sent),
            (3, RecordKind::Dropped(DropReason::NoRoute)),
            (1, RecordKind::Delivered),
            (4, RecordKind::Sent),
            (5, RecordKind::Sent),
            (
                4,
                RecordKind::Dropped(DropReason::Nat(NatRefusal::Filtered))
            ),
            (5, RecordKind::Delivered),
        ]
    );
    // Delivered entries show the addresses the receiver sees, at the delivery time.
    let first = log
        .iter()
        .find(|r| r.kind == RecordKind::Delivered)
        .unwrap();
    assert_eq!(
        (first.transmit.source, first.transmit.destination),
        (mapped, server)
    );
    assert_eq!(first.at - clock.epoch(), Duration::from_millis(1));
    assert!(net.take_records().is_empty());
}

#[test]
fn log_is_bounded() {
    let clock = Clock::new();
    let mut net = Network::new(1);
    net.record(Some(10));
    for i in 0..20 {
        net.send(
            clock.now(),
            datagram(addr("192.0.2.1:1"), addr("192.0.2.2:1"), i, 8),
        );
    }
    assert_eq!(net.take_records().len(), 10);
    assert_eq!(net.records_overflow(), 10);
    net.stop_recording();
    net.send(
        clock.now(),
        datagram(addr("192.0.2.1:1"), addr("192.0.2.2:1"), 0, 8),
    );
    assert!(net.take_records().is_empty());
}

#[test]
fn hairpin_refusal_and_expiry_have_their_own_reasons() {
    let mut clock = Clock::new();
    let mut net = Network::new(2);
    net.set_default_link(LinkConfig::default().with_delay(Duration::ZERO));
    let nat = net.add_nat(ip("203.0.113.1"), NatKind::FullCone, Duration::from_secs(1));
    net.add_private_host(nat, ip("10.0.0.2"));
    net.record(None);
    net.send(
        clock.now(),
        datagram(addr("10.0.0.2:1"), addr("198.51.100.1:1"), 0, 8),
    );
    let mapped = net.poll_deliver(clock.now()).unwrap().source;
    net.send(clock.now(), datagram(addr("10.0.0.2:1"), mapped, 1, 8));
    clock.advance(Duration::from_secs(1));
    net.send(clock.now(), datagram(addr("198.51.100.1:1"), mapped, 2, 8));
    assert!(net.poll_deliver(clock.now()).is_none());
    let reasons: Vec<DropReason> = net
        .take_records()
        .into_iter()
        .filter_map(|r| match r.kind {
            RecordKind::Dropped(why) => Some(why),
            _ => None,
        })
        .collect();
    assert_eq!(
        reasons,
        [
            DropReason::Nat(NatRefusal::NoHairpin),
            DropReason::Nat(NatRefusal::Expired)
        ]
    );
}

#[test]
fn filter_drops_what_the_test_says() {
    let mut clock = Clock::new();
    let mut net = Network::new(3);
    net.record(None);
    // Lose the first two datagrams carrying sequence number 7 (a retransmitted flight), and
    // everything after 1 s.
    let epoch = clock.now();
    let mut sevens = 0;
    net.set_filter(move |now, t| {
        if now >= epoch + Duration::from_secs(1) {
            return false;
        }
        if t.contents[3] == 7 {
            sevens += 1;
            return sevens > 2;
        }
        true
    });
    let (a, b) = (addr("192.0.2.1:1"), addr("192.0.2.2:1"));
    for seq in [1, 7, 7, 7, 2] {
        net.send(clock.now(), datagram(a, b, seq, 8));
    }
    clock.advance(Duration::from_secs(1));
    net.send(clock.now(), datagram(a, b, 3, 8));
    let mut got = Vec::new();
    while let Some(t) = net.poll_deliver(clock.now()) {
        got.push(t.contents[3]);
    }
    assert_eq!(got, [1, 7, 2]);
    let s = net.stats();
    assert_eq!((s.dropped_filter, s.dropped()), (3, 3));
    let filtered = net
        .take_records()
        .iter()
        .filter(|r| r.kind == RecordKind::Dropped(DropReason::Filter))
        .count();
    assert_eq!(filtered, 3);
    net.clear_filter();
    net.send(clock.now(), datagram(a, b, 4, 8));
    assert!(
        net.poll_deliver(clock.now() + Duration::from_secs(1))
            .is_some()
    );
}
