//! The `Pair` harness driving a tiny ping-pong protocol with retransmissions: exact timing on
//! a clean link, recovery on a lossy one, through a NAT, and every way a run can end.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use muon_netsim::{LinkConfig, Machine, NatKind, Pair, RunError};
use muon_proto::{Receive, Transmit};

const RTO: Duration = Duration::from_millis(200);

/// Sends `goal` pings one at a time, retransmitting each every `RTO` until its pong arrives.
struct Pinger {
    local: SocketAddr,
    peer: SocketAddr,
    goal: u32,
    pongs: u32,
    retransmits: u32,
    deadline: Option<Instant>,
    out: VecDeque<Transmit>,
}

impl Pinger {
    fn new(local: &str, peer: &str, goal: u32) -> Self {
        Self {
            local: local.parse().unwrap(),
            peer: peer.parse().unwrap(),
            goal,
            pongs: 0,
            retransmits: 0,
            deadline: None,
            out: VecDeque::new(),
        }
    }

    fn start(&mut self, now: Instant) {
        self.send_ping(now);
    }

    fn send_ping(&mut self, now: Instant) {
        let mut contents = b"ping".to_vec();
        contents.extend_from_slice(&self.pongs.to_be_bytes());
        self.out.push_back(Transmit {
            source: self.local,
            destination: self.peer,
            contents,
        });
        self.deadline = Some(now + RTO);
    }

    fn done(&self) -> bool {
        self.pongs == self.goal
    }
}

impl Machine for Pinger {
    fn handle_receive(&mut self, now: Instant, rx: Receive<'_>) {
        let mut expected = b"pong".to_vec();
        expected.extend_from_slice(&self.pongs.to_be_bytes());
        if rx.contents != expected || self.done() {
            return; // a duplicate or a late answer
        }
        self.pongs += 1;
        self.deadline = None;
        if !self.done() {
            self.send_ping(now);
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        if self.deadline.is_some_and(|d| d <= now) {
            self.retransmits += 1;
            self.send_ping(now);
        }
    }

    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.deadline
    }
}

/// Answers every ping to wherever it came from.
#[derive(Default)]
struct Ponger {
    pings: u32,
    out: VecDeque<Transmit>,
}

impl Machine for Ponger {
    fn handle_receive(&mut self, _now: Instant, rx: Receive<'_>) {
        let Some(seq) = rx.contents.strip_prefix(b"ping") else {
            return;
        };
        self.pings += 1;
        let mut contents = b"pong".to_vec();
        contents.extend_from_slice(seq);
        self.out.push_back(Transmit {
            source: rx.destination,
            destination: rx.source,
            contents,
        });
    }

    fn handle_timeout(&mut self, _now: Instant) {}

    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        None
    }
}

const A: &str = "192.0.2.1:1000";
const B: &str = "192.0.2.2:2000";

fn pair(seed: u64, goal: u32, link: LinkConfig) -> Pair<Pinger, Ponger> {
    let mut pair = Pair::new(
        seed,
        Pinger::new(A, B, goal),
        A.parse().unwrap(),
        Ponger::default(),
        B.parse().unwrap(),
        link.clone(),
        link,
    );
    let now = pair.now();
    pair.a.start(now);
    pair
}

#[test]
fn clean_link_takes_exactly_n_round_trips() {
    let link = LinkConfig::default().with_delay(Duration::from_millis(25));
    let mut p = pair(1, 10, link);
    let done = p
        .run_until(Duration::from_secs(10), |a, _| a.done())
        .unwrap();
    assert_eq!(done - p.clock().epoch(), Duration::from_millis(500));
    assert_eq!((p.a.retransmits, p.b.pings), (0, 10));
    assert_eq!(p.network().stats().delivered, 20);
}

#[test]
fn lossy_link_recovers_by_retransmission() {
    let link = LinkConfig::lossy(0.3).with_delay(Duration::from_millis(25));
    let mut p = pair(2, 50, link);
    let done = p
        .run_until(Duration::from_secs(600), |a, _| a.done())
        .unwrap();
    let retransmits = p.a.retransmits;
    assert!(retransmits > 10, "{retransmits}");
    // Every attempt either completes in one 50 ms round trip or costs one RTO.
    assert_eq!(
        done - p.clock().epoch(),
        Duration::from_millis(50) * 50 + RTO * retransmits
    );
    // The ponger saw every ping the A->B link did not lose.
    let (a, b) = (p.addr_a().ip(), p.addr_b().ip());
    let lost_pings = p.network().link_stats(a, b).dropped_loss;
    assert_eq!(
        u64::from(p.b.pings),
        u64::from(50 + retransmits) - lost_pings
    );
    let lost_pongs = p.network().link_stats(b, a).dropped_loss;
    assert_eq!(u64::from(retransmits), lost_pings + lost_pongs);
}

#[test]
fn same_seed_same_run_other_seed_other_run() {
    let run = |seed| {
        let link = LinkConfig::lossy(0.2)
            .with_delay(Duration::from_millis(25))
            .with_jitter(Duration::from_millis(10));
        let mut p = pair(seed, 30, link);
        let done = p
            .run_until(Duration::from_secs(600), |a, _| a.done())
            .unwrap();
        (
            done - p.clock().epoch(),
            p.a.retransmits,
            p.network().stats(),
        )
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

#[test]
fn partition_then_heal_mid_run() {
    let link = LinkConfig::default().with_delay(Duration::from_millis(25));
    let mut p = pair(11, 40, link.clone());
    p.run_until(Duration::from_secs(10), |a, _| a.pongs == 10)
        .unwrap();
    let (a, b) = (p.addr_a().ip(), p.addr_b().ip());
    p.network_mut().set_links(a, b, LinkConfig::down());
    p.run_for(Duration::from_secs(3)).unwrap();
    assert_eq!(p.a.pongs, 10, "nothing gets through a partition");
    let stuck = p.a.retransmits;
    assert_eq!(stuck, 15, "one retransmission per RTO for 3 s");
    p.network_mut().set_links(a, b, link);
    let healed = p
        .run_until(Duration::from_secs(10), |a, _| a.done())
        .unwrap();
    assert_eq!(
        p.a.retransmits,
        stuck + 1,
        "the next retransmission gets through"
    );
    // Partitioned at 0.5 s, healed at 3.5 s, the retransmission at 3.7 s succeeds and the
    // remaining 29 pings take a clean round trip each.
    assert_eq!(
        healed - p.clock().epoch(),
        Duration::from_millis(3700 + 50 + 29 * 50)
    );
}

#[test]
fn dead_link_times_out_at_the_deadline() {
    let mut p = pair(3, 1, LinkConfig::down());
    let err = p
        .run_until(Duration::from_secs(2), |a, _| a.done())
        .unwrap_err();
    assert_eq!(
        err,
        RunError::TimedOut {
            elapsed: Duration::from_secs(2)
        }
    );
    assert_eq!(p.clock().elapsed(), Duration::from_secs(2));
    assert_eq!(p.a.retransmits, 10);
}

#[test]
fn an_unbounded_deadline_runs_to_the_condition() {
    let mut p = pair(
        10,
        3,
        LinkConfig::default().with_delay(Duration::from_millis(10)),
    );
    let done = p.run_until(Duration::MAX, |a, _| a.done()).unwrap();
    assert_eq!(done - p.clock().epoch(), Duration::from_millis(60));
    // Nothing left: run_for(MAX) stops instead of spinning.
    assert_eq!(p.run_for(Duration::MAX).unwrap(), done);
}

#[test]
fn nothing_left_to_happen_is_a_stall() {
    // Without start(), nobody sends and nobody waits.
    let mut p = Pair::new(
        4,
        Pinger::new(A, B, 1),
        A.parse().unwrap(),
        Ponger::default(),
        B.parse().unwrap(),
        LinkConfig::default(),
        LinkConfig::default(),
    );
    let err = p
        .run_until(Duration::from_secs(5), |a, _| a.done())
        .unwrap_err();
    assert_eq!(
        err,
        RunError::Stalled {
            elapsed: Duration::ZERO
        }
    );
}

#[test]
fn run_for_moves_the_clock_exactly() {
    let mut p = pair(
        5,
        3,
        LinkConfig::default().with_delay(Duration::from_millis(10)),
    );
    let end = p.run_for(Duration::from_millis(35)).unwrap();
    assert_eq!(end, p.now());
    assert_eq!(p.clock().elapsed(), Duration::from_millis(35));
    assert_eq!(
        p.a.pongs, 1,
        "one round trip of 20 ms fits, the second ends at 40 ms"
    );
    p.run_for(Duration::from_secs(1)).unwrap();
    assert!(p.a.done());
}

/// A machine whose timeout stays in the past forever.
struct Stuck {
    at: Option<Instant>,
}

impl Machine for Stuck {
    fn handle_receive(&mut self, _now: Instant, _rx: Receive<'_>) {}
    fn handle_timeout(&mut self, _now: Instant) {}
    fn poll_transmit(&mut self) -> Option<Transmit> {
        None
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.at
    }
}

#[test]
fn a_timeout_stuck_in_the_past_is_reported_not_hung() {
    let mut p = Pair::new(
        6,
        Ponger::default(),
        A.parse().unwrap(),
        Stuck { at: None },
        B.parse().unwrap(),
        LinkConfig::default(),
        LinkConfig::default(),
    );
    p.b.at = Some(p.now());
    p.set_max_steps_per_instant(100);
    let err = p
        .run_until(Duration::from_secs(1), |_, _| false)
        .unwrap_err();
    assert_eq!(
        err,
        RunError::Livelock {
            elapsed: Duration::ZERO,
            node: Some(1)
        }
    );
    assert!(matches!(
        p.run_for(Duration::from_secs(1)),
        Err(RunError::Livelock { node: Some(1), .. })
    ));
}

/// Sends every datagram straight back.
#[derive(Default)]
struct Echo {
    echoed: u64,
    out: VecDeque<Transmit>,
}

impl Machine for Echo {
    fn handle_receive(&mut self, _now: Instant, rx: Receive<'_>) {
        self.echoed += 1;
        self.out.push_back(Transmit {
            source: rx.destination,
            destination: rx.source,
            contents: rx.contents.to_vec(),
        });
    }
    fn handle_timeout(&mut self, _now: Instant) {}
    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.pop_front()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        None
    }
}

#[test]
fn zero_delay_echo_forever_is_a_livelock() {
    let instant = LinkConfig::default().with_delay(Duration::ZERO);
    let mut p = Pair::new(
        7,
        Echo::default(),
        A.parse().unwrap(),
        Echo::default(),
        B.parse().unwrap(),
        instant.clone(),
        instant,
    );
    p.a.out.push_back(Transmit {
        source: A.parse().unwrap(),
        destination: B.parse().unwrap(),
        contents: b"ball".to_vec(),
    });
    let err = p
        .run_until(Duration::from_secs(1), |_, _| false)
        .unwrap_err();
    assert_eq!(
        err,
        RunError::Livelock {
            elapsed: Duration::ZERO,
            node: None
        }
    );
    // The limit bounded the work done.
    let bounces = p.a.echoed + p.b.echoed;
    assert!((1..=muon_netsim::DEFAULT_MAX_STEPS_PER_INSTANT as u64 + 1).contains(&bounces));
}

#[test]
fn echo_with_delay_advances_time_instead() {
    let mut p = Pair::new(
        7,
        Echo::default(),
        A.parse().unwrap(),
        Echo::default(),
        B.parse().unwrap(),
        LinkConfig::default(),
        LinkConfig::default(),
    );
    p.a.out.push_back(Transmit {
        source: A.parse().unwrap(),
        destination: B.parse().unwrap(),
        contents: b"ball".to_vec(),
    });
    p.run_for(Duration::from_secs(1)).unwrap();
    // One bounce per default delay of 1 ms.
    assert_eq!(p.a.echoed + p.b.echoed, 1000);
}

#[test]
fn datagrams_to_unbound_addresses_are_counted() {
    let mut p = pair(8, 1, LinkConfig::default());
    p.a.peer = "192.0.2.2:9999".parse().unwrap();
    p.a.out.clear();
    let now = p.now();
    p.a.start(now);
    let _ = p.run_for(Duration::from_millis(500));
    assert_eq!(p.undeliverable(), 3, "first send and two retransmissions");
    assert_eq!(p.b.pings, 0);
}

#[test]
fn pinger_behind_a_nat_is_answered_through_its_mapping() {
    let a_private = "10.0.0.2:1000";
    let mut p = Pair::new(
        9,
        Pinger::new(a_private, B, 5),
        a_private.parse().unwrap(),
        Ponger::default(),
        B.parse().unwrap(),
        LinkConfig::default().with_delay(Duration::from_millis(10)),
        LinkConfig::default().with_delay(Duration::from_millis(10)),
    );
    let nat = p.network_mut().add_nat(
        "203.0.113.1".parse().unwrap(),
        NatKind::PortRestricted,
        Duration::from_secs(30),
    );
    p.network_mut()
        .add_private_host(nat, "10.0.0.2".parse().unwrap());
    let now = p.now();
    p.a.start(now);
    let done = p
        .run_until(Duration::from_secs(5), |a, _| a.done())
        .unwrap();
    assert_eq!(done - p.clock().epoch(), Duration::from_millis(100));
    let mapped =
        p.network()
            .nat_mapping(nat, p.now(), a_private.parse().unwrap(), B.parse().unwrap());
    assert_eq!(mapped.map(|m| m.ip()), Some("203.0.113.1".parse().unwrap()));
}
