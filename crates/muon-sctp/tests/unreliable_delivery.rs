//! How much of a `MaxRetransmits(0)` unordered stream (a WebRTC unreliable data channel)
//! arrives: everything on a clean path the sender does not overrun, about `1 - p` under random
//! loss `p`, and most of it through a drop-tail bottleneck, because a loss halves the
//! congestion window even when the lost chunk is abandoned instead of retransmitted (RFC 9260
//! section 7.2.4, RFC 3758 section 3.5). A lost FORWARD-TSN is sent again about a round trip
//! later instead of waiting for the T3-rtx timer (RFC 3758 section 3.5 C3).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::cell::Cell;
use std::collections::HashSet;
use std::rc::Rc;
use std::time::Duration;

use common::*;
use muon_netsim::{LinkConfig, PAIR_ADDR_A, PAIR_ADDR_B};
use muon_sctp::{Config, Reliability, Stats};

/// Chunk type of FORWARD-TSN (RFC 3758 section 3.2) and DATA (RFC 9260 section 3.3.1).
const FORWARD_TSN: u8 = 192;
const DATA: u8 = 0;
/// Offset of the first chunk's type byte in an SCTP packet.
const FIRST_CHUNK: usize = 12;

const DELAY: Duration = Duration::from_millis(10);

/// What one run measured.
struct Outcome {
    sent: usize,
    delivered: usize,
    /// Datagrams a -> b the network carried, and dropped at the queue or by the loss model.
    packets: u64,
    dropped_queue: u64,
    dropped_loss: u64,
    sender: Stats,
}

impl Outcome {
    fn delivered_ratio(&self) -> f64 {
        self.delivered as f64 / self.sent as f64
    }
}

/// Sends `n` unordered messages of `len` bytes each with `MaxRetransmits(0)` from a to b, in
/// one go (`pace: None`, as fast as the send buffer takes them) or one every `pace`.
fn run(
    seed: u64,
    link: LinkConfig,
    n: usize,
    len: usize,
    pace: Option<Duration>,
) -> (Net, Outcome) {
    let mut net = pair_both_connect(seed, Config::default(), link.clone(), link);
    connect(&mut net);
    let msgs = fixed_size(
        workload(seed, n, &[1], len, false, Reliability::MaxRetransmits(0)),
        len,
    );
    match pace {
        None => net.a.inner_mut().outbox.extend(msgs),
        Some(gap) => {
            for m in msgs {
                net.a.inner_mut().outbox.push_back(m);
                net.run_for(gap).unwrap();
            }
        }
    }
    net.run_until(Duration::from_secs(600), |a, _| {
        a.inner().outbox.is_empty() && a.inner().assoc.send_buffered_bytes() == 0
    })
    .unwrap();
    // Let the last chunks land.
    net.run_for(Duration::from_secs(1)).unwrap();
    check_at_most_once(&net);
    let link = net.network().link_stats(PAIR_ADDR_A.ip(), PAIR_ADDR_B.ip());
    let out = Outcome {
        sent: total_sent(net.a.inner()),
        delivered: net.b.inner().got_msgs,
        packets: link.sent,
        dropped_queue: link.dropped_queue,
        dropped_loss: link.dropped_loss,
        sender: net.a.inner().assoc.stats(),
    };
    (net, out)
}

/// Pads or cuts every message to exactly `len` bytes.
fn fixed_size(mut msgs: Vec<Msg>, len: usize) -> Vec<Msg> {
    for (i, m) in msgs.iter_mut().enumerate() {
        let mut d = m.data.to_vec();
        d.resize(len.max(8), 0x5a);
        // Keep messages distinct after padding so hashes identify them.
        d[..8].copy_from_slice(&(i as u64).to_le_bytes());
        m.data = d.into();
    }
    msgs
}

/// Every delivered message was sent, and none arrived twice.
fn check_at_most_once(net: &Net) {
    let sent: HashSet<_> = net.a.inner().sent[&1].iter().collect();
    let mut seen = HashSet::new();
    for h in net.b.inner().got.get(&1).into_iter().flatten() {
        assert!(sent.contains(h), "a message that was never sent arrived");
        assert!(seen.insert(h), "a message arrived twice");
    }
}

#[test]
fn clean_path_below_capacity_delivers_everything() {
    // 1000-byte messages every millisecond: 8 Mbit/s into a 20 Mbit/s bottleneck.
    let link = LinkConfig::perfect()
        .with_delay(DELAY)
        .with_rate(20_000_000, 64 * 1024);
    let (_, out) = run(1, link, 3000, 1000, Some(Duration::from_millis(1)));
    assert_eq!(out.delivered, out.sent, "{:?}", out.sender);
    assert_eq!(out.sender.messages_abandoned, 0, "{:?}", out.sender);
    assert_eq!(out.dropped_queue, 0);
}

#[test]
fn clean_path_bulk_delivers_everything() {
    let (_, out) = run(2, LinkConfig::perfect().with_delay(DELAY), 5000, 1000, None);
    assert_eq!(out.delivered, out.sent, "{:?}", out.sender);
    assert_eq!(out.sender.messages_abandoned, 0, "{:?}", out.sender);
}

#[test]
fn random_loss_costs_about_its_rate() {
    // One 1100-byte message per packet, so a lost packet is a lost message.
    let p = 0.05;
    let (_, out) = run(3, LinkConfig::lossy(p).with_delay(DELAY), 4000, 1100, None);
    let lost = 1.0 - out.delivered_ratio();
    let path = out.dropped_loss as f64 / out.packets as f64;
    assert!(
        (0.02..0.08).contains(&path),
        "the link dropped {path:.3} of packets"
    );
    assert!(
        lost <= path * 1.3 + 0.005,
        "lost {lost:.3} of messages on a path losing {path:.3}: {:?}",
        out.sender
    );
}

#[test]
fn bulk_through_a_bottleneck_backs_off_on_abandoned_losses() {
    // Bulk at a 20 Mbit/s drop-tail bottleneck: the first overflow is inevitable, but
    // the sender must halve its window for it even though every lost chunk is abandoned
    // rather than retransmitted. Without that, the window only grows, the queue stays
    // full and about a third of all messages are lost.
    let link = LinkConfig::perfect()
        .with_delay(DELAY)
        .with_rate(20_000_000, 64 * 1024);
    let (_, out) = run(4, link, 5000, 1000, None);
    let dropped = out.dropped_queue as f64 / out.packets as f64;
    assert!(
        out.delivered_ratio() >= 0.95,
        "delivered {:.3}, queue dropped {dropped:.3} of packets: {:?}",
        out.delivered_ratio(),
        out.sender
    );
    assert!(dropped <= 0.05, "queue dropped {dropped:.3} of packets");
    assert!(
        out.sender.fast_retransmits > 0,
        "the bottleneck never overflowed"
    );
}

#[test]
fn lost_forward_tsn_is_sent_again_before_t3() {
    // Drop the 20th DATA packet from a, then the first FORWARD-TSN (alone in its packet)
    // that announces the abandonment. The receiver's cumulative ack stays behind until
    // another FORWARD-TSN arrives: it must follow about a round trip later, on a SACK that
    // still shows the old cumulative ack, not wait for the T3-rtx timer (which would also
    // abandon every chunk then in flight and collapse the window).
    let mut net = pair_both_connect(
        5,
        Config::default(),
        LinkConfig::perfect().with_delay(DELAY),
        LinkConfig::perfect().with_delay(DELAY),
    );
    connect(&mut net);
    let data_packets = Rc::new(Cell::new(0u32));
    let forward_tsns = Rc::new(Cell::new(0u32));
    let (d, f) = (data_packets.clone(), forward_tsns.clone());
    net.network_mut().set_filter(move |_, t| {
        if t.source != PAIR_ADDR_A {
            return true;
        }
        match t.contents.get(FIRST_CHUNK) {
            Some(&DATA) => {
                d.set(d.get() + 1);
                d.get() != 20
            }
            // A FORWARD-TSN with no stream entries and nothing bundled: 12 + 8 bytes.
            Some(&FORWARD_TSN) if t.contents.len() == FIRST_CHUNK + 8 => {
                f.set(f.get() + 1);
                f.get() != 1
            }
            _ => true,
        }
    });
    // One message every 5 ms: the sender is idle when it abandons, so the FORWARD-TSN goes
    // out alone, and the stream runs on for a second, past the T3-rtx timeout.
    let n = 200;
    let msgs = fixed_size(
        workload(5, n, &[1], 1100, false, Reliability::MaxRetransmits(0)),
        1100,
    );
    for m in msgs {
        net.a.inner_mut().outbox.push_back(m);
        net.run_for(Duration::from_millis(5)).unwrap();
    }
    net.run_until(Duration::from_secs(600), |a, _| {
        a.inner().outbox.is_empty() && a.inner().assoc.send_buffered_bytes() == 0
    })
    .unwrap();
    check_at_most_once(&net);
    let s = net.a.inner().assoc.stats();
    assert!(
        forward_tsns.get() >= 2,
        "no lone FORWARD-TSN was dropped and sent again"
    );
    assert_eq!(s.t3_expirations, 0, "waited for T3-rtx: {s:?}");
    assert_eq!(s.messages_abandoned, 1, "{s:?}");
    assert_eq!(net.b.inner().got_msgs, n - 1, "{s:?}");
}
