//! The `Mesh` harness: two clients behind symmetric NATs talk through a public relay (as
//! TURN makes them), while a direct path between them is filtered.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use muon_netsim::{LinkConfig, Machine, Mesh, NatId, NatKind, NodeId, RunError};
use muon_proto::{Receive, Transmit};

/// Forwards whatever one of its two clients sends to the other.
#[derive(Default)]
struct Relay {
    clients: Vec<SocketAddr>,
    forwarded: u32,
    out: VecDeque<Transmit>,
}

impl Machine for Relay {
    fn handle_receive(&mut self, _now: Instant, rx: Receive<'_>) {
        if !self.clients.contains(&rx.source) && self.clients.len() < 2 {
            self.clients.push(rx.source);
        }
        if rx.contents == b"hello" {
            return;
        }
        if let Some(&other) = self.clients.iter().find(|c| **c != rx.source) {
            self.forwarded += 1;
            self.out.push_back(Transmit {
                source: rx.destination,
                destination: other,
                contents: rx.contents.to_vec(),
            });
        }
    }
    fn handle_timeout(&mut self, _now: Instant) {}
    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.pop_front()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        None
    }
}

/// Says hello to the relay, then sends `to_send` messages to `target` every 10 ms.
struct Client {
    local: SocketAddr,
    relay: SocketAddr,
    target: SocketAddr,
    to_send: u32,
    next: Option<Instant>,
    received: u32,
    out: VecDeque<Transmit>,
}

impl Client {
    fn new(local: &str, relay: &str, to_send: u32, now: Instant) -> Self {
        let relay = relay.parse().unwrap();
        let mut c = Self {
            local: local.parse().unwrap(),
            relay,
            target: relay,
            to_send,
            next: None,
            received: 0,
            out: VecDeque::new(),
        };
        c.start(now);
        c
    }

    fn start(&mut self, now: Instant) {
        self.out.push_back(Transmit {
            source: self.local,
            destination: self.relay,
            contents: b"hello".to_vec(),
        });
        self.next = (self.to_send > 0).then_some(now + Duration::from_millis(100));
    }
}

impl Machine for Client {
    fn handle_receive(&mut self, _now: Instant, _rx: Receive<'_>) {
        self.received += 1;
    }
    fn handle_timeout(&mut self, now: Instant) {
        if self.next.is_some_and(|t| t <= now) {
            self.out.push_back(Transmit {
                source: self.local,
                destination: self.target,
                contents: b"data".to_vec(),
            });
            self.to_send -= 1;
            self.next = (self.to_send > 0).then_some(now + Duration::from_millis(10));
        }
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.pop_front()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.next
    }
}

/// The mesh's machine type: an enum keeps typed access to every node.
enum Node {
    Relay(Relay),
    Client(Client),
}

impl Node {
    fn client(&self) -> &Client {
        match self {
            Node::Client(c) => c,
            Node::Relay(_) => panic!("not a client"),
        }
    }
}

impl Machine for Node {
    fn handle_receive(&mut self, now: Instant, rx: Receive<'_>) {
        match self {
            Node::Relay(m) => m.handle_receive(now, rx),
            Node::Client(m) => m.handle_receive(now, rx),
        }
    }
    fn handle_timeout(&mut self, now: Instant) {
        match self {
            Node::Relay(m) => m.handle_timeout(now),
            Node::Client(m) => m.handle_timeout(now),
        }
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        match self {
            Node::Relay(m) => m.poll_transmit(),
            Node::Client(m) => m.poll_transmit(),
        }
    }
    fn poll_timeout(&self) -> Option<Instant> {
        match self {
            Node::Relay(m) => m.poll_timeout(),
            Node::Client(m) => m.poll_timeout(),
        }
    }
}

const RELAY: &str = "198.51.100.10:3478";
const A: &str = "10.0.1.2:5000";
const B: &str = "10.0.2.2:5000";

/// A relay and two clients behind symmetric NATs; `a` sends `a_sends` messages to `a_target`
/// (the relay if `None`).
fn mesh(a_sends: u32, a_target: Option<SocketAddr>) -> (Mesh<Node>, [NodeId; 3], [NatId; 2]) {
    let mut mesh = Mesh::new(77);
    mesh.network_mut()
        .set_default_link(LinkConfig::default().with_delay(Duration::from_millis(15)));
    let now = mesh.now();
    let mut client_a = Client::new(A, RELAY, a_sends, now);
    if let Some(t) = a_target {
        client_a.target = t;
    }
    let relay = mesh.add(Node::Relay(Relay::default()), RELAY.parse().unwrap());
    let a = mesh.add(Node::Client(client_a), A.parse().unwrap());
    let b = mesh.add(
        Node::Client(Client::new(B, RELAY, 0, now)),
        B.parse().unwrap(),
    );
    let timeout = Duration::from_secs(30);
    let net = mesh.network_mut();
    let nat_a = net.add_nat("203.0.113.1".parse().unwrap(), NatKind::Symmetric, timeout);
    let nat_b = net.add_nat("203.0.113.2".parse().unwrap(), NatKind::Symmetric, timeout);
    net.add_private_host(nat_a, "10.0.1.2".parse().unwrap());
    net.add_private_host(nat_b, "10.0.2.2".parse().unwrap());
    (mesh, [relay, a, b], [nat_a, nat_b])
}

#[test]
fn clients_behind_symmetric_nats_talk_through_the_relay() {
    let (mut mesh, [relay, _, b], _) = mesh(20, None);
    let at = mesh
        .run_until(Duration::from_secs(10), |m| m[b].client().received == 20)
        .unwrap();
    // Hellos at 0, data from 100 ms every 10 ms, two hops of 15 ms each.
    assert_eq!(
        at - mesh.clock().epoch(),
        Duration::from_millis(100 + 19 * 10 + 30)
    );
    let Node::Relay(r) = &mesh[relay] else {
        panic!()
    };
    assert_eq!(r.forwarded, 20);
    assert_eq!(r.clients.len(), 2);
    assert!(
        r.clients
            .iter()
            .all(|c| c.ip().to_string().starts_with("203.0.113."))
    );
    assert_eq!(mesh.network().stats().dropped(), 0);
    assert_eq!(mesh.undeliverable(), 0);
}

#[test]
fn direct_path_between_symmetric_nats_is_filtered() {
    // First learn where B's NAT maps B towards the relay (what a STUN server would tell).
    let (mut probe, _, [_, nat_b]) = mesh(0, None);
    probe.run_for(Duration::from_millis(50)).unwrap();
    let relay: SocketAddr = RELAY.parse().unwrap();
    let b_mapped = probe
        .network()
        .nat_mapping(nat_b, probe.now(), B.parse().unwrap(), relay)
        .unwrap();

    // The same world (same seed), A aiming at that address directly.
    let (mut mesh, [_, _, b], [_, nat_b]) = mesh(5, Some(b_mapped));
    let err = mesh
        .run_until(Duration::from_secs(2), |m| m[b].client().received > 0)
        .unwrap_err();
    assert!(matches!(err, RunError::Stalled { .. }), "{err:?}");
    assert_eq!(mesh.network().stats().dropped_nat, 5);
    assert_eq!(mesh[b].client().received, 0);
    // The mapping A aimed at is really there (same seed, same port): it is the filter, not a
    // wrong port, that stops A.
    let again = mesh
        .network()
        .nat_mapping(nat_b, mesh.now(), B.parse().unwrap(), relay);
    assert_eq!(again, Some(b_mapped));
}
