//! One UDP port serving many ICE-lite agents through `UdpMux`, on muon-netsim: many clients
//! connect at once, and a flood of hostile input (wrong integrity, wrong ufrag, huge USERNAME,
//! Binding requests from thousands of addresses, garbage) is dropped and counted with bounded
//! memory while an established session keeps flowing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{Node, Peer, addr, config};
use muon_ice::{
    AgentId, Candidate, CandidateKind, Credentials, HostFilter, IceAgent, IceConfig,
    IceConnectionState as S, IceRole, Incoming, MuxConfig, UdpMux,
};
use muon_netsim::{LinkConfig, Machine, Mesh, NodeId};
use muon_proto::{Receive, Rng, Transmit};
use muon_stun::{AttrType, Attribute, IntegrityKey, MessageEncoder, MessageType, TransactionId};

const SERVER: &str = "192.0.2.100:443";

/// A server: one socket address, a mux, and ICE-lite agents that echo application data.
struct Server {
    mux: UdpMux,
    agents: BTreeMap<AgentId, IceAgent>,
    out: VecDeque<Transmit>,
    echoed: u64,
    route_errors: u64,
    agent_errors: u64,
}

impl Server {
    fn new(config: MuxConfig) -> Self {
        Self {
            mux: UdpMux::new(config),
            agents: BTreeMap::new(),
            out: VecDeque::new(),
            echoed: 0,
            route_errors: 0,
            agent_errors: 0,
        }
    }

    /// A new lite agent for a client with credentials `client`; returns its credentials and
    /// its one candidate.
    fn accept(&mut self, now: Instant, seed: u64, client: Credentials) -> (Credentials, Candidate) {
        let cfg = IceConfig::default()
            .with_lite(true)
            .with_host_filter(HostFilter::all());
        let mut seed_bytes = [0u8; 32];
        seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
        let mut agent = IceAgent::new(cfg, Rng::from_seed(seed_bytes));
        agent.set_remote_credentials(now, client).unwrap();
        let cand = agent.add_host_candidate(now, addr(SERVER)).unwrap();
        agent.end_of_local_candidates(now);
        let creds = agent.local_credentials().clone();
        let id = self.mux.add_agent(&creds).unwrap();
        self.agents.insert(id, agent);
        (creds, cand)
    }
}

impl Machine for Server {
    fn handle_receive(&mut self, now: Instant, rx: Receive<'_>) {
        let Ok(id) = self.mux.route(rx) else {
            self.route_errors += 1;
            return;
        };
        let Some(agent) = self.agents.get_mut(&id) else {
            return;
        };
        match agent.handle_receive(now, rx) {
            Ok(Incoming::Data(d)) => {
                if let Ok(t) = agent.send(now, d) {
                    self.echoed += 1;
                    self.out.push_back(t);
                }
            }
            Ok(_) => {}
            Err(_) => self.agent_errors += 1,
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        for agent in self.agents.values_mut() {
            if agent.poll_timeout().is_some_and(|t| t <= now) {
                agent.handle_timeout(now);
            }
        }
    }

    fn poll_transmit(&mut self) -> Option<Transmit> {
        if let Some(t) = self.out.pop_front() {
            return Some(t);
        }
        self.agents.values_mut().find_map(IceAgent::poll_transmit)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.agents
            .values()
            .filter_map(IceAgent::poll_timeout)
            .min()
    }
}

/// Mixed-type mesh node.
enum N {
    Client(Node),
    Server(Box<Server>),
    Attacker(Attacker),
}

impl Machine for N {
    fn handle_receive(&mut self, now: Instant, rx: Receive<'_>) {
        match self {
            N::Client(n) => n.handle_receive(now, rx),
            N::Server(s) => s.handle_receive(now, rx),
            N::Attacker(_) => {}
        }
    }
    fn handle_timeout(&mut self, now: Instant) {
        match self {
            N::Client(n) => n.handle_timeout(now),
            N::Server(s) => s.handle_timeout(now),
            N::Attacker(a) => a.fire(now),
        }
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        match self {
            N::Client(n) => n.poll_transmit(),
            N::Server(s) => s.poll_transmit(),
            N::Attacker(a) => a.queue.pop_front(),
        }
    }
    fn poll_timeout(&self) -> Option<Instant> {
        match self {
            N::Client(n) => n.poll_timeout(),
            N::Server(s) => s.poll_timeout(),
            N::Attacker(a) => a.next,
        }
    }
}

impl N {
    fn server(&self) -> &Server {
        match self {
            N::Server(s) => s,
            _ => panic!("not the server"),
        }
    }
    fn server_mut(&mut self) -> &mut Server {
        match self {
            N::Server(s) => s,
            _ => panic!("not the server"),
        }
    }
    fn peer(&self) -> &Peer {
        match self {
            N::Client(n) => n.peer(),
            _ => panic!("not a client"),
        }
    }
    fn peer_mut(&mut self) -> &mut Peer {
        match self {
            N::Client(n) => n.peer_mut(),
            _ => panic!("not a client"),
        }
    }
}

/// Sends a burst of hostile datagrams to the server every millisecond, from rotating spoofed
/// source addresses, until `remaining` runs out.
struct Attacker {
    next: Option<Instant>,
    remaining: u32,
    sent: u64,
    server_ufrag: String,
    target: SocketAddr,
    queue: VecDeque<Transmit>,
    counter: u32,
}

impl Attacker {
    fn fire(&mut self, now: Instant) {
        if self.remaining == 0 {
            self.next = None;
            return;
        }
        self.remaining -= 1;
        for _ in 0..10 {
            self.counter += 1;
            let c = self.counter;
            let source = SocketAddr::from((
                [198, 18, (c >> 8) as u8, c as u8],
                1024 + (c % 60000) as u16,
            ));
            let contents = match c % 6 {
                // Right ufrag, wrong password.
                0 => req(
                    &format!("{}:evil", self.server_ufrag),
                    Some("guessed-password-guessed"),
                    None,
                ),
                // Unknown ufrag.
                1 => req(
                    &format!("nobody{c}:evil"),
                    Some("guessed-password-guessed"),
                    None,
                ),
                // A huge USERNAME (written raw: the encoder itself refuses it).
                2 => req("", None, Some(&vec![b'u'; 4000])),
                // No integrity at all.
                3 => req(&format!("{}:evil", self.server_ufrag), None, None),
                // Non-STUN garbage.
                4 => vec![0x17, 0xfe, 0xfd, c as u8, 0, 0, 0, 0, 0, 1],
                // Truncated STUN header.
                _ => vec![0, 1, 0, 0, 0x21, 0x12, 0xa4],
            };
            self.sent += 1;
            self.queue.push_back(Transmit {
                source,
                destination: self.target,
                contents,
            });
        }
        self.next = Some(now + Duration::from_millis(1));
    }
}

fn req(user: &str, pwd: Option<&str>, raw_user: Option<&[u8]>) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut enc = MessageEncoder::new(
        &mut buf,
        MessageType::BINDING_REQUEST,
        TransactionId::from_bytes([5; 12]),
    );
    match raw_user {
        Some(raw) => enc.attribute(&Attribute::Other {
            typ: AttrType::USERNAME,
            value: raw,
        }),
        None => enc.attribute(&Attribute::Username(user)),
    }
    .unwrap();
    enc.attribute(&Attribute::Priority(1)).unwrap();
    enc.attribute(&Attribute::IceControlling(1)).unwrap();
    if let Some(p) = pwd {
        enc.message_integrity(&IntegrityKey::short_term(p)).unwrap();
    }
    enc.fingerprint().unwrap();
    buf
}

/// A client at `host` talking to the server through signalling done here.
fn add_client(mesh: &mut Mesh<N>, server: NodeId, host: SocketAddr, seed: u64) -> NodeId {
    let now = mesh.now();
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut agent = IceAgent::new(config(IceRole::Controlling), Rng::from_seed(seed_bytes));
    let (creds, cand) =
        mesh[server]
            .server_mut()
            .accept(now, seed, agent.local_credentials().clone());
    agent.set_remote_lite(true);
    agent.set_remote_credentials(now, creds).unwrap();
    agent.add_host_candidate(now, host).unwrap();
    agent
        .add_remote_candidate(
            now,
            Candidate::remote(
                CandidateKind::Host,
                cand.address(),
                cand.priority(),
                cand.foundation(),
            ),
        )
        .unwrap();
    agent.end_of_local_candidates(now);
    agent.end_of_remote_candidates(now);
    let peer = Peer {
        agent,
        events: Vec::new(),
        signalled: 0,
        data: Vec::new(),
        errors: 0,
        outbox: VecDeque::new(),
    };
    mesh.add(N::Client(Node::Agent(Box::new(peer))), host)
}

#[test]
fn many_clients_share_one_server_port() {
    let mut mesh: Mesh<N> = Mesh::new(1);
    mesh.network_mut()
        .set_default_link(LinkConfig::default().with_delay(Duration::from_millis(10)));
    let server = mesh.add(
        N::Server(Box::new(Server::new(MuxConfig::default()))),
        addr(SERVER),
    );
    let clients: Vec<NodeId> = (0..300u32)
        .map(|i| {
            let host = SocketAddr::from(([100, 64, (i >> 8) as u8, i as u8], 5000));
            add_client(&mut mesh, server, host, u64::from(i) + 10)
        })
        .collect();
    mesh.run_until(Duration::from_secs(10), |m| {
        clients
            .iter()
            .all(|&c| m[c].peer().agent.selected_pair().is_some())
    })
    .unwrap();
    let s = mesh[server].server();
    assert!(s.agents.values().all(|a| a.state() == S::Completed));
    let stats = s.mux.stats();
    assert_eq!(stats.agents, 300);
    assert_eq!(stats.addresses, 300, "one bound source per client");
    assert_eq!(s.route_errors, 0);
    // Data from each client reaches its own agent and is echoed back to it alone.
    let now = mesh.now();
    for (i, &c) in clients.iter().enumerate() {
        let msg = format!("client {i}");
        assert!(mesh[c].peer_mut().send(now, msg.as_bytes()));
    }
    mesh.run_until(Duration::from_secs(1), |m| {
        clients.iter().all(|&c| !m[c].peer().data.is_empty())
    })
    .unwrap();
    for (i, &c) in clients.iter().enumerate() {
        assert_eq!(mesh[c].peer().data, [format!("client {i}").into_bytes()]);
    }
}

#[test]
fn hostile_flood_is_dropped_and_counted_while_a_session_keeps_flowing() {
    let mut mesh: Mesh<N> = Mesh::new(2);
    mesh.network_mut()
        .set_default_link(LinkConfig::default().with_delay(Duration::from_millis(10)));
    let mux_config = MuxConfig::default().with_max_addresses_per_agent(4);
    let server = mesh.add(N::Server(Box::new(Server::new(mux_config))), addr(SERVER));
    let client = add_client(&mut mesh, server, addr("192.0.2.1:5000"), 3);
    mesh.run_until(Duration::from_secs(5), |m| {
        m[client].peer().agent.selected_pair().is_some()
    })
    .unwrap();
    let server_ufrag = mesh[server]
        .server()
        .agents
        .values()
        .next()
        .unwrap()
        .local_credentials()
        .ufrag()
        .to_owned();
    let client_ufrag = mesh[client]
        .peer()
        .agent
        .local_credentials()
        .ufrag()
        .to_owned();
    let attack = |mesh: &mut Mesh<N>, ufrag: String, target: SocketAddr, from: &str| {
        let a = Attacker {
            next: Some(mesh.now()),
            remaining: 3000,
            sent: 0,
            server_ufrag: ufrag,
            target,
            queue: VecDeque::new(),
            counter: 0,
        };
        mesh.add(N::Attacker(a), addr(from))
    };
    // One attacker floods the server's port (the mux), one the client agent directly.
    let attacker = attack(&mut mesh, server_ufrag, addr(SERVER), "198.18.0.1:1");
    let attacker2 = attack(
        &mut mesh,
        client_ufrag,
        addr("192.0.2.1:5000"),
        "198.18.0.2:1",
    );
    // The session sends a datagram every 20 ms for the 3 s of the attack and a bit more.
    let mut sent = 0u32;
    let start = mesh.now();
    let mut next_send = start;
    mesh.run_until(Duration::from_secs(4), |m| {
        let now = m.now();
        if now >= next_send && sent < 175 {
            assert!(m[client].peer_mut().send(now, format!("{sent}").as_bytes()));
            sent += 1;
            next_send = now + Duration::from_millis(20);
        }
        false
    })
    .unwrap_err();
    mesh.run_for(Duration::from_millis(100)).unwrap();
    let N::Attacker(a) = &mesh[attacker] else {
        unreachable!()
    };
    assert_eq!(a.sent, 30_000);
    // Every echo came back, in order.
    let got = &mesh[client].peer().data;
    assert_eq!(got.len() as u32, sent);
    assert!(
        got.iter()
            .enumerate()
            .all(|(i, d)| d == format!("{i}").as_bytes())
    );
    assert_eq!(mesh[client].peer().agent.state(), S::Completed);
    // Everything hostile was dropped by the mux and counted; nothing was bound.
    let s = mesh[server].server();
    let stats = s.mux.stats();
    assert_eq!(s.route_errors, 30_000);
    assert_eq!(stats.dropped_unauthenticated, 10_000);
    assert_eq!(
        stats.dropped_unknown_ufrag, 10_000,
        "unknown and huge usernames"
    );
    assert_eq!(
        stats.dropped_unknown_source, 10_000,
        "garbage and truncated STUN"
    );
    assert_eq!(stats.addresses, 1);
    let agent = s.agents.values().next().unwrap();
    assert_eq!(agent.stats().remote_candidates, 1);
    assert_eq!(agent.state(), S::Completed);
    // The client agent, hit without a mux in front, dropped and counted the same flood.
    let N::Attacker(a2) = &mesh[attacker2] else {
        unreachable!()
    };
    assert_eq!(a2.sent, 30_000);
    let c = mesh[client].peer().agent.stats();
    assert_eq!(
        c.dropped_bad_integrity, 10_000,
        "wrong password and no integrity"
    );
    assert_eq!(
        c.dropped_unknown_username, 10_000,
        "unknown and huge usernames"
    );
    assert_eq!(
        c.dropped_unknown_source, 10_000,
        "garbage and truncated STUN"
    );
    assert_eq!(c.remote_candidates, 1);
    assert_eq!(c.pairs, 1);
    assert!(c.transactions <= 2, "{c:?}");
}

#[test]
fn an_authenticated_peer_spraying_addresses_stays_bounded() {
    // A peer that knows the password (a malicious client) sends valid checks from 2000
    // addresses: the mux keeps a few bindings and the agent a bounded candidate table.
    let mut server = Server::new(MuxConfig::default().with_max_addresses_per_agent(8));
    let mut rng = Rng::from_seed([4; 32]);
    let client = Credentials::random(&mut rng);
    #[allow(clippy::disallowed_methods)]
    let now = Instant::now();
    let (creds, _) = server.accept(now, 1, client.clone());
    let user = format!("{}:{}", creds.ufrag(), client.ufrag());
    for i in 0..2000u32 {
        let bytes = req(&user, Some(creds.pwd()), None);
        let rx = Receive {
            source: SocketAddr::from(([203, 0, (i >> 8) as u8, i as u8], 4000)),
            destination: addr(SERVER),
            contents: &bytes,
        };
        server.handle_receive(now, rx);
        while server.poll_transmit().is_some() {}
    }
    let agent = server.agents.values().next().unwrap();
    let limits = IceConfig::default();
    assert_eq!(
        agent.stats().remote_candidates,
        limits.max_remote_candidates
    );
    assert!(agent.stats().pairs <= limits.max_pairs);
    assert_eq!(
        agent.stats().dropped_remote_candidates,
        2000 - limits.max_remote_candidates as u64
    );
    assert_eq!(
        agent.stats().checks_received,
        2000,
        "every check still answered"
    );
    assert_eq!(server.mux.stats().addresses, 8);
}
