//! One UDP port for many ICE agents: the routing half of a server endpoint, sans-IO.
//!
//! A datagram from a source address already bound to an agent goes to it. Otherwise only an
//! authenticated ICE check may open the way: a Binding request whose USERNAME names a
//! registered ufrag and whose MESSAGE-INTEGRITY verifies with that agent's password. Only then
//! is the source bound (bounded per agent and in total), so unknown or unauthenticated
//! traffic is dropped and counted and never makes the mux allocate.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;

use muon_proto::Receive;
use muon_stun::{Class, IntegrityKey, Message, Method, is_stun};

use crate::config::{Credentials, MAX_UFRAG_LEN};
use crate::error::{IceError, Limit};
use crate::wire;

/// An agent's place in a [`UdpMux`]. Never reused by the same mux.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgentId(u64);

impl AgentId {
    /// The id as a number (for the driver's own tables and logs).
    pub fn value(self) -> u64 {
        self.0
    }
}

/// Limits of a [`UdpMux`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MuxConfig {
    /// Most registered agents.
    pub max_agents: usize,
    /// Most source addresses bound to one agent (its peer's candidates that passed a check);
    /// beyond it the oldest binding is replaced.
    pub max_addresses_per_agent: usize,
    /// Most source addresses bound in total; beyond it new ones are still routed (after
    /// authentication) but not remembered.
    pub max_addresses: usize,
}

impl Default for MuxConfig {
    fn default() -> Self {
        Self {
            max_agents: 16_384,
            max_addresses_per_agent: 8,
            max_addresses: 65_536,
        }
    }
}

/// What the mux counted. Gauges are current sizes; the rest only grow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MuxStats {
    /// Datagrams routed by a bound source address.
    pub routed_by_address: u64,
    /// Datagrams routed by an authenticated USERNAME (which bound their source).
    pub routed_by_ufrag: u64,
    /// Non-STUN datagrams from unbound sources.
    pub dropped_unknown_source: u64,
    /// STUN that failed to decode.
    pub dropped_malformed: u64,
    /// STUN from unbound sources that is not a Binding request with a USERNAME.
    pub dropped_unexpected: u64,
    /// Requests naming no registered ufrag.
    pub dropped_unknown_ufrag: u64,
    /// Requests whose MESSAGE-INTEGRITY failed.
    pub dropped_unauthenticated: u64,
    /// Authenticated sources not remembered because the table was full.
    pub bindings_refused: u64,
    /// Registered agents (gauge).
    pub agents: usize,
    /// Bound source addresses (gauge).
    pub addresses: usize,
}

#[derive(Debug)]
struct Entry {
    /// The current credentials' ufrag and key, then the previous generation's (ICE restart).
    creds: VecDeque<(String, IntegrityKey)>,
    addresses: VecDeque<SocketAddr>,
}

/// Routes datagrams on one socket to [`AgentId`]s. See the module docs.
///
/// ```
/// use muon_ice::{Credentials, UdpMux, MuxConfig};
/// use muon_proto::{Receive, Rng};
///
/// let mut mux = UdpMux::new(MuxConfig::default());
/// let creds = Credentials::random(&mut Rng::from_seed([1; 32]));
/// let id = mux.add_agent(&creds).unwrap();
/// // Garbage from a stranger goes nowhere.
/// let rx = Receive {
///     source: "198.51.100.7:5000".parse().unwrap(),
///     destination: "192.0.2.1:443".parse().unwrap(),
///     contents: b"\x17\xfe\xfd hello",
/// };
/// assert!(mux.route(rx).is_err());
/// assert_eq!(mux.stats().dropped_unknown_source, 1);
/// # let _ = id;
/// ```
#[derive(Debug)]
pub struct UdpMux {
    config: MuxConfig,
    agents: HashMap<AgentId, Entry>,
    by_ufrag: HashMap<String, AgentId>,
    by_address: HashMap<SocketAddr, AgentId>,
    next_id: u64,
    stats: MuxStats,
}

/// How many generations of credentials an agent keeps routable.
const GENERATIONS: usize = 2;

impl UdpMux {
    /// An empty mux.
    pub fn new(config: MuxConfig) -> Self {
        Self {
            config,
            agents: HashMap::new(),
            by_ufrag: HashMap::new(),
            by_address: HashMap::new(),
            next_id: 0,
            stats: MuxStats::default(),
        }
    }

    /// Registers an agent by its local credentials (the ufrag must be unique in the mux).
    pub fn add_agent(&mut self, creds: &Credentials) -> Result<AgentId, IceError> {
        if self.agents.len() >= self.config.max_agents {
            return Err(IceError::Limit(Limit::Agents));
        }
        if self.by_ufrag.contains_key(creds.ufrag()) {
            return Err(IceError::InvalidCredentials);
        }
        let id = AgentId(self.next_id);
        self.next_id += 1;
        self.by_ufrag.insert(creds.ufrag().to_owned(), id);
        let mut entry = Entry {
            creds: VecDeque::with_capacity(GENERATIONS),
            addresses: VecDeque::new(),
        };
        entry.creds.push_front(key_of(creds));
        self.agents.insert(id, entry);
        Ok(id)
    }

    /// New credentials after an ICE restart: the previous ones stay routable too.
    pub fn set_credentials(&mut self, id: AgentId, creds: &Credentials) -> Result<(), IceError> {
        if self.by_ufrag.get(creds.ufrag()).is_some_and(|&o| o != id) {
            return Err(IceError::InvalidCredentials);
        }
        let entry = self.agents.get_mut(&id).ok_or(IceError::UnknownAgent)?;
        entry.creds.push_front(key_of(creds));
        while entry.creds.len() > GENERATIONS {
            if let Some((old, _)) = entry.creds.pop_back() {
                self.by_ufrag.remove(&old);
            }
        }
        self.by_ufrag.insert(creds.ufrag().to_owned(), id);
        Ok(())
    }

    /// Unregisters an agent and forgets its addresses.
    pub fn remove_agent(&mut self, id: AgentId) -> Result<(), IceError> {
        let entry = self.agents.remove(&id).ok_or(IceError::UnknownAgent)?;
        for (ufrag, _) in entry.creds {
            self.by_ufrag.remove(&ufrag);
        }
        for addr in entry.addresses {
            self.by_address.remove(&addr);
        }
        Ok(())
    }

    /// Which agent a datagram belongs to. Errors are counted in [`stats`](Self::stats); the
    /// caller drops the datagram.
    pub fn route(&mut self, rx: Receive<'_>) -> Result<AgentId, IceError> {
        if let Some(&id) = self.by_address.get(&rx.source) {
            self.stats.routed_by_address += 1;
            return Ok(id);
        }
        if !is_stun(rx.contents) {
            self.stats.dropped_unknown_source += 1;
            return Err(IceError::UnknownSource);
        }
        let msg = match Message::decode(rx.contents) {
            Ok(m) => m,
            Err(e) => {
                self.stats.dropped_malformed += 1;
                return Err(IceError::Malformed(e));
            }
        };
        let username = match msg.username() {
            Some(u) if msg.method() == Method::BINDING && msg.class() == Class::Request => u,
            _ => {
                self.stats.dropped_unexpected += 1;
                return Err(IceError::Unexpected);
            }
        };
        let ours = wire::split_username(username)
            .map(|(ours, _)| ours)
            .filter(|u| u.len() <= MAX_UFRAG_LEN);
        let Some(&id) = ours.and_then(|u| self.by_ufrag.get(u)) else {
            self.stats.dropped_unknown_ufrag += 1;
            return Err(IceError::UnknownUsername);
        };
        let verified = self.agents.get(&id).is_some_and(|e| {
            e.creds
                .iter()
                .any(|(u, k)| Some(u.as_str()) == ours && msg.verify_integrity(k).is_ok())
        });
        if !verified {
            self.stats.dropped_unauthenticated += 1;
            return Err(IceError::BadIntegrity);
        }
        self.stats.routed_by_ufrag += 1;
        self.bind(id, rx.source);
        Ok(id)
    }

    /// Binds `addr` to agent `id`, within the limits.
    fn bind(&mut self, id: AgentId, addr: SocketAddr) {
        let Some(entry) = self.agents.get_mut(&id) else {
            return;
        };
        if entry.addresses.len() >= self.config.max_addresses_per_agent
            && let Some(old) = entry.addresses.pop_front()
        {
            self.by_address.remove(&old);
        }
        if self.by_address.len() >= self.config.max_addresses
            || entry.addresses.len() >= self.config.max_addresses_per_agent
        {
            self.stats.bindings_refused += 1;
            return;
        }
        // A source moving between agents (a NAT reusing a port) is unbound from the old one.
        if let Some(prev) = self.by_address.insert(addr, id)
            && let Some(e) = self.agents.get_mut(&prev)
        {
            e.addresses.retain(|a| *a != addr);
        }
        if let Some(entry) = self.agents.get_mut(&id) {
            entry.addresses.push_back(addr);
        }
    }

    /// Counters and gauges.
    pub fn stats(&self) -> MuxStats {
        MuxStats {
            agents: self.agents.len(),
            addresses: self.by_address.len(),
            ..self.stats
        }
    }
}

fn key_of(creds: &Credentials) -> (String, IntegrityKey) {
    (
        creds.ufrag().to_owned(),
        IntegrityKey::short_term(creds.pwd()),
    )
}
