//! Shared scaffolding of the simulated-network tests: ICE agents and a STUN server as
//! `muon-netsim` machines, with signalling (trickle) done between steps.
#![allow(dead_code, unreachable_pub, missing_docs)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use muon_ice::{
    Candidate, HostFilter, IceAgent, IceConfig, IceConnectionState, IceEvent, IceRole, Incoming,
    StunServer,
};
use muon_netsim::{LinkConfig, Machine, Mesh, NatKind, NodeId};
use muon_proto::{Receive, Rng, Transmit};

pub const STUN_ADDR: &str = "198.51.100.1:3478";
/// A second STUN server.
pub const STUN_ADDR_2: &str = "198.51.100.2:3478";
/// An address where no STUN server answers.
pub const STUN_ADDR_DEAD: &str = "198.51.100.99:3478";

pub fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// An agent with what its application saw.
pub struct Peer {
    pub agent: IceAgent,
    pub events: Vec<IceEvent>,
    /// How many of `events` the signalling has already looked at.
    pub signalled: usize,
    pub data: Vec<Vec<u8>>,
    pub errors: u64,
    pub outbox: VecDeque<Transmit>,
}

impl Peer {
    fn drain(&mut self) {
        while let Some(e) = self.agent.poll_event() {
            self.events.push(e);
        }
    }

    pub fn states(&self) -> Vec<IceConnectionState> {
        self.events
            .iter()
            .filter_map(|e| match e {
                IceEvent::StateChanged(s) => Some(*s),
                _ => None,
            })
            .collect()
    }

    pub fn selections(&self) -> Vec<muon_ice::SelectedPair> {
        self.events
            .iter()
            .filter_map(|e| match e {
                IceEvent::SelectedPair(p) => Some(*p),
                _ => None,
            })
            .collect()
    }

    /// Queues application data on the selected pair.
    pub fn send(&mut self, now: Instant, data: &[u8]) -> bool {
        match self.agent.send(now, data) {
            Ok(t) => {
                self.outbox.push_back(t);
                true
            }
            Err(_) => false,
        }
    }
}

pub enum Node {
    Agent(Box<Peer>),
    Stun(StunServer),
}

impl Node {
    pub fn peer(&self) -> &Peer {
        match self {
            Node::Agent(p) => p,
            Node::Stun(_) => panic!("not an agent"),
        }
    }

    pub fn peer_mut(&mut self) -> &mut Peer {
        match self {
            Node::Agent(p) => p,
            Node::Stun(_) => panic!("not an agent"),
        }
    }
}

impl Machine for Node {
    fn handle_receive(&mut self, now: Instant, rx: Receive<'_>) {
        match self {
            Node::Agent(p) => {
                match p.agent.handle_receive(now, rx) {
                    Ok(Incoming::Data(d)) => p.data.push(d.to_vec()),
                    Ok(_) => {}
                    Err(_) => p.errors += 1,
                }
                p.drain();
            }
            Node::Stun(s) => {
                let _ = s.handle_receive(now, rx);
            }
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        if let Node::Agent(p) = self {
            p.agent.handle_timeout(now);
            p.drain();
        }
    }

    fn poll_transmit(&mut self) -> Option<Transmit> {
        match self {
            Node::Agent(p) => {
                p.drain();
                p.agent.poll_transmit().or_else(|| p.outbox.pop_front())
            }
            Node::Stun(s) => s.poll_transmit(),
        }
    }

    fn poll_timeout(&self) -> Option<Instant> {
        match self {
            Node::Agent(p) => p.agent.poll_timeout(),
            Node::Stun(_) => None,
        }
    }
}

/// Where a peer sits.
#[derive(Clone, Copy, Debug)]
pub enum Site {
    /// A public address.
    Public(&'static str),
    /// A private address behind a NAT with this public IP.
    Nat(NatKind, &'static str, &'static str),
    /// Several public addresses (interfaces), in preference order.
    Multi(&'static [&'static str]),
}

pub struct Sim {
    pub mesh: Mesh<Node>,
    pub a: NodeId,
    pub b: NodeId,
    /// Whether signalling forwards candidates.
    pub signalling: bool,
    /// Whether signalling forwards end-of-candidates.
    pub forward_end: bool,
}

pub fn config(role: IceRole) -> IceConfig {
    IceConfig::default()
        .with_role(role)
        .with_host_filter(HostFilter::all())
}

impl Sim {
    /// Two agents at `site_a` and `site_b` gathering from [`STUN_ADDR`], default links `link`.
    pub fn new(seed: u64, site_a: Site, site_b: Site, link: LinkConfig) -> Self {
        Self::with_servers(seed, site_a, site_b, link, &[STUN_ADDR])
    }

    /// The same, gathering from `servers` (two live ones exist: [`STUN_ADDR`], [`STUN_ADDR_2`]).
    pub fn with_servers(
        seed: u64,
        site_a: Site,
        site_b: Site,
        link: LinkConfig,
        servers: &[&str],
    ) -> Self {
        let mut mesh: Mesh<Node> = Mesh::new(seed);
        mesh.network_mut().set_default_link(link);
        mesh.add(Node::Stun(StunServer::new()), addr(STUN_ADDR));
        mesh.add(Node::Stun(StunServer::new()), addr(STUN_ADDR_2));
        let mut seed_bytes = [0u8; 32];
        seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
        let mut rng = Rng::from_seed(seed_bytes);
        let mut place = |mesh: &mut Mesh<Node>, site: Site, role| {
            let hosts: Vec<SocketAddr> = match site {
                Site::Public(a) => vec![addr(a)],
                Site::Multi(list) => list.iter().map(|a| addr(a)).collect(),
                Site::Nat(kind, public, private) => {
                    let nat = mesh.network_mut().add_nat(
                        public.parse().unwrap(),
                        kind,
                        Duration::from_secs(120),
                    );
                    let host = addr(private);
                    mesh.network_mut().add_private_host(nat, host.ip());
                    vec![host]
                }
            };
            let agent = IceAgent::new(config(role), rng.fork());
            let node = mesh.add(
                Node::Agent(Box::new(Peer {
                    agent,
                    events: Vec::new(),
                    signalled: 0,
                    data: Vec::new(),
                    errors: 0,
                    outbox: VecDeque::new(),
                })),
                hosts[0],
            );
            for h in &hosts[1..] {
                mesh.bind(node, *h);
            }
            (node, hosts)
        };
        let (a, host_a) = place(&mut mesh, site_a, IceRole::Controlling);
        let (b, host_b) = place(&mut mesh, site_b, IceRole::Controlled);
        let now = mesh.now();
        let ca = mesh[a].peer().agent.local_credentials().clone();
        let cb = mesh[b].peer().agent.local_credentials().clone();
        for (node, hosts, remote) in [(a, host_a, cb), (b, host_b, ca)] {
            let agent = &mut mesh[node].peer_mut().agent;
            agent.set_remote_credentials(now, remote).unwrap();
            for host in hosts {
                agent.add_host_candidate(now, host).unwrap();
            }
            for server in servers {
                agent.add_stun_server(now, addr(server)).unwrap();
            }
            agent.end_of_local_candidates(now);
        }
        Self {
            mesh,
            a,
            b,
            signalling: true,
            forward_end: true,
        }
    }

    pub fn a(&self) -> &Peer {
        self.mesh[self.a].peer()
    }

    pub fn b(&self) -> &Peer {
        self.mesh[self.b].peer()
    }

    pub fn a_mut(&mut self) -> &mut Peer {
        self.mesh[self.a].peer_mut()
    }

    pub fn b_mut(&mut self) -> &mut Peer {
        self.mesh[self.b].peer_mut()
    }

    /// Runs until `cond`, trickling candidates and end-of-candidates between the agents at
    /// every step (a signalling channel with no delay). Returns whether `cond` held.
    pub fn run_until(&mut self, max: Duration, mut cond: impl FnMut(&Peer, &Peer) -> bool) -> bool {
        let (a, b, on, end) = (self.a, self.b, self.signalling, self.forward_end);
        let mut held = false;
        let _ = self.mesh.run_until(max, |mesh| {
            if on {
                signal(mesh, a, b, end);
                signal(mesh, b, a, end);
            }
            held = cond(mesh[a].peer(), mesh[b].peer());
            held
        });
        held
    }

    pub fn run_for(&mut self, d: Duration) {
        let _ = self.run_until(d, |_, _| false);
    }

    /// Sends `msg` both ways on the selected pairs and runs until both arrived.
    pub fn exchange_data(&mut self, msg: &[u8], max: Duration) -> bool {
        let now = self.mesh.now();
        let (na, nb) = (self.a().data.len(), self.b().data.len());
        if !self.a_mut().send(now, msg) || !self.b_mut().send(now, msg) {
            return false;
        }
        self.run_until(max, |a, b| {
            a.data.len() > na
                && b.data.len() > nb
                && a.data.last().map(Vec::as_slice) == Some(msg)
                && b.data.last().map(Vec::as_slice) == Some(msg)
        })
    }
}

pub fn both_selected(a: &Peer, b: &Peer) -> bool {
    a.agent.selected_pair().is_some() && b.agent.selected_pair().is_some()
}

pub fn both_in(state: IceConnectionState) -> impl Fn(&Peer, &Peer) -> bool {
    move |a, b| a.agent.state() == state && b.agent.state() == state
}

/// Forwards `from`'s new local candidates and end-of-candidates to `to`.
pub fn signal(mesh: &mut Mesh<Node>, from: NodeId, to: NodeId, forward_end: bool) {
    let now = mesh.now();
    let fresh: Vec<IceEvent> = {
        let p = mesh[from].peer_mut();
        let new = p.events[p.signalled..].to_vec();
        p.signalled = p.events.len();
        new
    };
    let agent = &mut mesh[to].peer_mut().agent;
    for e in fresh {
        match e {
            IceEvent::LocalCandidate(c) => {
                let _ = agent.add_remote_candidate(now, remote_view(&c));
            }
            IceEvent::GatheringComplete if forward_end => agent.end_of_remote_candidates(now),
            _ => {}
        }
    }
}

/// What the peer learns from signalling a local candidate: kind, address, priority, foundation.
pub fn remote_view(c: &Candidate) -> Candidate {
    Candidate::remote(c.kind(), c.address(), c.priority(), c.foundation())
        .with_related_address(c.related_address())
}
