//! Datagrams longer than the link MTU are dropped and counted; the rest pass.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{A, B, addr, datagram, ip};
use muon_netsim::{Clock, LinkConfig, Network};

#[test]
fn oversize_is_dropped_and_counted() {
    let mut clock = Clock::new();
    let mut net = Network::new(29);
    net.set_link(
        ip("192.0.2.1"),
        ip("192.0.2.2"),
        LinkConfig::default().with_mtu(1200),
    );
    let sizes = [4, 1199, 1200, 1201, 1500, 65_000];
    for (seq, &size) in sizes.iter().enumerate() {
        net.send(clock.now(), datagram(addr(A), addr(B), seq as u32, size));
    }
    // The other direction keeps the default MTU.
    net.send(clock.now(), datagram(addr(B), addr(A), 99, 1500));
    clock.advance(Duration::from_secs(1));
    let mut lens = Vec::new();
    while let Some(t) = net.poll_deliver(clock.now()) {
        lens.push(t.contents.len());
    }
    assert_eq!(lens, [4, 1199, 1200, 1500]);
    let s = net.stats();
    assert_eq!(s.dropped_mtu, 3);
    assert_eq!(s.dropped(), 3);
    let ab = net.link_stats(ip("192.0.2.1"), ip("192.0.2.2"));
    assert_eq!((ab.sent, ab.delivered, ab.dropped_mtu), (6, 3, 3));
}
