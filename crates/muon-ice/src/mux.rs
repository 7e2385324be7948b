//! One UDP port for many ICE agents: the routing half of a server endpoint, sans-IO.
//!
//! A datagram from a source address already bound to an agent goes to it. Otherwise only an
//! authenticated ICE check may open the way: a Binding request whose USERNAME names a
//! registered ufrag and whose MESSAGE-INTEGRITY verifies with that agent's password. Only then
//! is the source bound (bounded per agent and in total), so unknown or unauthenticated
//! traffic is dropped and counted and never makes the mux allocate.
//!
//! An agent behind the mux may send requests too: connectivity checks to a candidate that
//! has not checked us yet, queries to a STUN server. [`UdpMux::handle_transmit`] remembers
//! each such request's transaction id (a bounded table, oldest forgotten first), and the
//! response, matched by transaction id and source, goes back to the agent that asked. A
//! response binds nothing: the STUN server answers every agent from one address.

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
    /// Requests sent to unbound addresses whose responses are awaited, in total; beyond it
    /// the oldest is forgotten (its response, if any, is dropped).
    pub max_awaited_responses: usize,
}

impl Default for MuxConfig {
    fn default() -> Self {
        Self {
            max_agents: 16_384,
            max_addresses_per_agent: 8,
            max_addresses: 65_536,
            max_awaited_responses: 4096,
        }
    }
}

impl MuxConfig {
    /// Sets [`MuxConfig::max_agents`].
    #[must_use]
    pub fn with_max_agents(mut self, n: usize) -> Self {
        self.max_agents = n;
        self
    }

    /// Sets [`MuxConfig::max_addresses_per_agent`].
    #[must_use]
    pub fn with_max_addresses_per_agent(mut self, n: usize) -> Self {
        self.max_addresses_per_agent = n;
        self
    }

    /// Sets [`MuxConfig::max_addresses`].
    #[must_use]
    pub fn with_max_addresses(mut self, n: usize) -> Self {
        self.max_addresses = n;
        self
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
    /// Responses routed to the agent whose request they answer.
    pub routed_by_transaction: u64,
    /// Requests forgotten before their response came (the table was full).
    pub awaited_evicted: u64,
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
    /// Transaction id -> the agent that sent the request and where it went.
    awaited: HashMap<[u8; TID_LEN], (AgentId, SocketAddr)>,
    awaited_order: VecDeque<[u8; TID_LEN]>,
    next_id: u64,
    stats: MuxStats,
}

/// How many generations of credentials an agent keeps routable.
const GENERATIONS: usize = 2;

/// STUN header: type (2), length (2), magic cookie (4), transaction id (12). RFC 8489 s5.
const TID_LEN: usize = 12;
const TID_AT: usize = 8;
/// Class bits of the message type: C1 (0x0100) set means a response (success or error).
const CLASS_RESPONSE: u16 = 0x0100;
const CLASS_MASK: u16 = 0x0110;

/// The transaction id and class bits of a datagram that looks like STUN.
fn stun_header(contents: &[u8]) -> Option<(u16, [u8; TID_LEN])> {
    if !is_stun(contents) {
        return None;
    }
    let ty = contents.get(..2)?;
    let tid = contents.get(TID_AT..TID_AT + TID_LEN)?.try_into().ok()?;
    Some((u16::from_be_bytes([ty[0], ty[1]]), tid))
}

impl UdpMux {
    /// An empty mux.
    pub fn new(config: MuxConfig) -> Self {
        Self {
            config,
            agents: HashMap::new(),
            by_ufrag: HashMap::new(),
            by_address: HashMap::new(),
            awaited: HashMap::new(),
            awaited_order: VecDeque::new(),
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

    /// Tells the mux what agent `id` sends: a STUN request to an address not bound to it is
    /// remembered, so that its response finds the way back. Anything else is ignored.
    pub fn handle_transmit(&mut self, id: AgentId, destination: SocketAddr, contents: &[u8]) {
        let Some((ty, tid)) = stun_header(contents) else {
            return;
        };
        if ty & CLASS_MASK != 0 || self.by_address.get(&destination) == Some(&id) {
            return;
        }
        if self.config.max_awaited_responses == 0 || !self.agents.contains_key(&id) {
            return;
        }
        while self.awaited_order.len() >= self.config.max_awaited_responses {
            if let Some(old) = self.awaited_order.pop_front()
                && self.awaited.remove(&old).is_some()
            {
                self.stats.awaited_evicted += 1;
            }
        }
        if self.awaited.insert(tid, (id, destination)).is_none() {
            self.awaited_order.push_back(tid);
        }
    }

    /// The agent awaiting this datagram as the response to its request, if it is one.
    fn awaiting(&mut self, rx: &Receive<'_>) -> Option<AgentId> {
        let (ty, tid) = stun_header(rx.contents)?;
        if ty & CLASS_RESPONSE == 0 {
            return None;
        }
        let &(id, to) = self.awaited.get(&tid)?;
        if to != rx.source {
            return None;
        }
        // Its place in the order goes when it reaches the front.
        self.awaited.remove(&tid);
        Some(id)
    }

    /// Unregisters an agent and forgets its addresses.
    pub fn remove_agent(&mut self, id: AgentId) -> Result<(), IceError> {
        let entry = self.agents.remove(&id).ok_or(IceError::UnknownAgent)?;
        self.awaited.retain(|_, (agent, _)| *agent != id);
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
        if !self.awaited.is_empty()
            && let Some(id) = self.awaiting(&rx)
        {
            self.stats.routed_by_transaction += 1;
            return Ok(id);
        }
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

#[cfg(test)]
mod tests {
    use muon_proto::Rng;
    use muon_stun::{Attribute, MessageEncoder, MessageType, TransactionId};

    use super::*;

    const HERE: &str = "192.0.2.100:443";

    fn request(user: &str, pwd: Option<&str>) -> Vec<u8> {
        let mut buf = Vec::new();
        let mut enc = MessageEncoder::new(
            &mut buf,
            MessageType::BINDING_REQUEST,
            TransactionId::from_bytes([3; 12]),
        );
        enc.attribute(&Attribute::Username(user)).unwrap();
        if let Some(p) = pwd {
            enc.message_integrity(&IntegrityKey::short_term(p)).unwrap();
        }
        enc.fingerprint().unwrap();
        buf
    }

    fn rx<'a>(source: &str, contents: &'a [u8]) -> Receive<'a> {
        Receive {
            source: source.parse().unwrap(),
            destination: HERE.parse().unwrap(),
            contents,
        }
    }

    fn creds(seed: u8) -> Credentials {
        Credentials::random(&mut Rng::from_seed([seed; 32]))
    }

    #[test]
    fn routes_new_peers_by_authenticated_ufrag_then_by_address() {
        let mut mux = UdpMux::new(MuxConfig::default());
        let (c1, c2) = (creds(1), creds(2));
        let (a1, a2) = (mux.add_agent(&c1).unwrap(), mux.add_agent(&c2).unwrap());
        assert_ne!(a1, a2);
        let req = request(&format!("{}:x", c2.ufrag()), Some(c2.pwd()));
        assert_eq!(mux.route(rx("198.51.100.1:1000", &req)), Ok(a2));
        // Now the source is known: DTLS from it goes to the same agent.
        assert_eq!(mux.route(rx("198.51.100.1:1000", b"\x16\xfe\xfd")), Ok(a2));
        assert_eq!(
            mux.route(rx("198.51.100.1:1001", b"\x16\xfe\xfd")),
            Err(IceError::UnknownSource)
        );
        let s = mux.stats();
        assert_eq!(
            (s.routed_by_ufrag, s.routed_by_address, s.addresses),
            (1, 1, 1)
        );
        assert_eq!(s.agents, 2);
    }

    #[test]
    fn unknown_and_unauthenticated_traffic_binds_nothing() {
        let mut mux = UdpMux::new(MuxConfig::default());
        let c = creds(1);
        mux.add_agent(&c).unwrap();
        let wrong_key = request(
            &format!("{}:x", c.ufrag()),
            Some("wrong-password-wrong-pass"),
        );
        let no_key = request(&format!("{}:x", c.ufrag()), None);
        let wrong_user = request("nobody:x", Some(c.pwd()));
        let no_colon = request(c.ufrag(), Some(c.pwd()));
        for i in 0..1000u16 {
            let src = format!("203.0.113.{}:{}", i % 250, 1000 + i);
            assert_eq!(mux.route(rx(&src, &wrong_key)), Err(IceError::BadIntegrity));
            assert_eq!(mux.route(rx(&src, &no_key)), Err(IceError::BadIntegrity));
            assert_eq!(
                mux.route(rx(&src, &wrong_user)),
                Err(IceError::UnknownUsername)
            );
            assert_eq!(
                mux.route(rx(&src, &no_colon)),
                Err(IceError::UnknownUsername)
            );
            assert_eq!(
                mux.route(rx(&src, &wrong_key[..wrong_key.len() - 4])),
                Err(IceError::UnknownSource)
            );
        }
        let s = mux.stats();
        assert_eq!(s.addresses, 0);
        assert_eq!(s.dropped_unauthenticated, 2000);
        assert_eq!(s.dropped_unknown_ufrag, 2000);
        assert_eq!(s.dropped_unknown_source, 1000, "truncated STUN is not STUN");
    }

    #[test]
    fn address_bindings_are_bounded_per_agent_and_in_total() {
        let config = MuxConfig {
            max_addresses_per_agent: 4,
            max_addresses: 6,
            ..MuxConfig::default()
        };
        let mut mux = UdpMux::new(config);
        let (c1, c2) = (creds(1), creds(2));
        let a1 = mux.add_agent(&c1).unwrap();
        let a2 = mux.add_agent(&c2).unwrap();
        let r1 = request(&format!("{}:x", c1.ufrag()), Some(c1.pwd()));
        let r2 = request(&format!("{}:x", c2.ufrag()), Some(c2.pwd()));
        for port in 0..100u16 {
            assert_eq!(
                mux.route(rx(&format!("198.51.100.1:{}", 2000 + port), &r1)),
                Ok(a1)
            );
        }
        assert_eq!(
            mux.stats().addresses,
            4,
            "the oldest bindings were replaced"
        );
        for port in 0..100u16 {
            assert_eq!(
                mux.route(rx(&format!("198.51.100.2:{}", 2000 + port), &r2)),
                Ok(a2)
            );
        }
        let s = mux.stats();
        assert_eq!(s.addresses, 6);
        assert!(s.bindings_refused > 0);
        // The most recent binding of agent 1 still routes.
        assert_eq!(mux.route(rx("198.51.100.1:2099", b"x")), Ok(a1));
    }

    #[test]
    fn restart_keeps_two_generations_and_removal_forgets_everything() {
        let mut mux = UdpMux::new(MuxConfig::default());
        let (g1, g2, g3) = (creds(1), creds(2), creds(3));
        let id = mux.add_agent(&g1).unwrap();
        assert_eq!(mux.add_agent(&g1), Err(IceError::InvalidCredentials));
        mux.set_credentials(id, &g2).unwrap();
        let req = |c: &Credentials| request(&format!("{}:x", c.ufrag()), Some(c.pwd()));
        assert_eq!(mux.route(rx("198.51.100.1:1", &req(&g1))), Ok(id));
        assert_eq!(mux.route(rx("198.51.100.1:2", &req(&g2))), Ok(id));
        mux.set_credentials(id, &g3).unwrap();
        assert_eq!(
            mux.route(rx("198.51.100.1:3", &req(&g1))),
            Err(IceError::UnknownUsername)
        );
        mux.remove_agent(id).unwrap();
        assert_eq!(
            mux.route(rx("198.51.100.1:2", b"x")),
            Err(IceError::UnknownSource)
        );
        assert_eq!(mux.stats().addresses, 0);
        assert_eq!(mux.remove_agent(id), Err(IceError::UnknownAgent));
        let full = MuxConfig {
            max_agents: 1,
            ..MuxConfig::default()
        };
        let mut small = UdpMux::new(full);
        small.add_agent(&g1).unwrap();
        assert_eq!(small.add_agent(&g2), Err(IceError::Limit(Limit::Agents)));
    }

    fn binding(class: MessageType, tid: u8) -> Vec<u8> {
        let mut buf = Vec::new();
        let mut enc = MessageEncoder::new(&mut buf, class, TransactionId::from_bytes([tid; 12]));
        enc.fingerprint().unwrap();
        buf
    }

    #[test]
    fn responses_to_our_requests_find_the_agent_that_asked() {
        let mut mux = UdpMux::new(MuxConfig::default());
        let (a1, a2) = (
            mux.add_agent(&creds(1)).unwrap(),
            mux.add_agent(&creds(2)).unwrap(),
        );
        let stun_server: SocketAddr = "198.51.100.9:3478".parse().unwrap();
        // Both agents ask the same STUN server; each answer goes to its asker.
        mux.handle_transmit(a1, stun_server, &binding(MessageType::BINDING_REQUEST, 1));
        mux.handle_transmit(a2, stun_server, &binding(MessageType::BINDING_REQUEST, 2));
        let ok2 = binding(MessageType::BINDING_SUCCESS, 2);
        let ok1 = binding(MessageType::BINDING_SUCCESS, 1);
        assert_eq!(mux.route(rx("198.51.100.9:3478", &ok2)), Ok(a2));
        assert_eq!(mux.route(rx("198.51.100.9:3478", &ok1)), Ok(a1));
        // Once answered, a replay goes nowhere; nothing was bound.
        assert!(mux.route(rx("198.51.100.9:3478", &ok1)).is_err());
        let s = mux.stats();
        assert_eq!((s.routed_by_transaction, s.addresses), (2, 0));
    }

    #[test]
    fn a_response_from_elsewhere_or_a_request_with_an_awaited_id_is_not_routed() {
        let mut mux = UdpMux::new(MuxConfig::default());
        let a = mux.add_agent(&creds(1)).unwrap();
        let to: SocketAddr = "198.51.100.9:3478".parse().unwrap();
        mux.handle_transmit(a, to, &binding(MessageType::BINDING_REQUEST, 7));
        let ok = binding(MessageType::BINDING_SUCCESS, 7);
        assert!(mux.route(rx("198.51.100.66:3478", &ok)).is_err());
        let req = binding(MessageType::BINDING_REQUEST, 7);
        assert!(mux.route(rx("198.51.100.9:3478", &req)).is_err());
        // Non-STUN and responses are never remembered.
        mux.handle_transmit(a, to, b"\x17\xfe\xfd data");
        mux.handle_transmit(a, to, &binding(MessageType::BINDING_SUCCESS, 8));
        let ok8 = binding(MessageType::BINDING_SUCCESS, 8);
        assert!(mux.route(rx("198.51.100.9:3478", &ok8)).is_err());
        assert_eq!(mux.route(rx("198.51.100.9:3478", &ok)), Ok(a));
    }

    #[test]
    fn awaited_requests_are_bounded_and_forgotten_with_their_agent() {
        let config = MuxConfig {
            max_awaited_responses: 8,
            ..MuxConfig::default()
        };
        let mut mux = UdpMux::new(config);
        let a = mux.add_agent(&creds(1)).unwrap();
        let to: SocketAddr = "198.51.100.9:3478".parse().unwrap();
        for tid in 0..100u8 {
            mux.handle_transmit(a, to, &binding(MessageType::BINDING_REQUEST, tid));
        }
        assert!(mux.awaited.len() <= 8 && mux.awaited_order.len() <= 8);
        assert_eq!(mux.stats().awaited_evicted, 92);
        let old = binding(MessageType::BINDING_SUCCESS, 0);
        assert!(mux.route(rx("198.51.100.9:3478", &old)).is_err());
        let recent = binding(MessageType::BINDING_SUCCESS, 99);
        assert_eq!(mux.route(rx("198.51.100.9:3478", &recent)), Ok(a));
        mux.handle_transmit(a, to, &binding(MessageType::BINDING_REQUEST, 200));
        mux.remove_agent(a).unwrap();
        assert!(mux.awaited.is_empty());
        let gone = binding(MessageType::BINDING_SUCCESS, 200);
        assert!(mux.route(rx("198.51.100.9:3478", &gone)).is_err());
    }
}
