//! The ICE agent: state, public API and the glue between its parts.
//!
//! - `gather.rs`: host candidates, STUN servers, server-reflexive discovery.
//! - `remote.rs`: remote candidates, mDNS names, peer-reflexive learning.
//! - `checklist.rs`: pairs, pacing, transactions, nomination, selection.
//! - `inbound.rs`: received datagrams (checks, responses, data).
//! - `liveness.rs`: consent freshness, keepalives, the connection state.

mod checklist;
mod gather;
mod inbound;
mod liveness;
mod remote;

use std::collections::VecDeque;
use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use muon_proto::{Receive, Rng, Transmit};
use muon_stun::{IntegrityKey, TransactionId};

use crate::candidate::Candidate;
use crate::config::{Credentials, IceConfig, IceRole};
use crate::error::IceError;
use crate::event::{IceConnectionState, IceEvent, IceStats, SelectedPair};

pub(crate) use checklist::{CandidatePair, PairState};

/// What [`IceAgent::handle_receive`] made of a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incoming<'a> {
    /// A STUN message for the agent, consumed.
    Stun,
    /// Application data (DTLS, SRTP, ...) from a known remote candidate: the caller's to
    /// process.
    Data(&'a [u8]),
}

/// A sans-IO ICE agent ([RFC 8445](https://www.rfc-editor.org/rfc/rfc8445)) with trickle
/// ([RFC 8838](https://www.rfc-editor.org/rfc/rfc8838)), consent freshness
/// ([RFC 7675](https://www.rfc-editor.org/rfc/rfc7675)) and ICE-lite.
///
/// Inputs: local host addresses ([`add_host_candidate`](Self::add_host_candidate)), STUN
/// servers, the peer's credentials and candidates, received datagrams and the time. Outputs:
/// datagrams to send, events, the next deadline, and the selected pair for data.
///
/// After any number of `handle_*`/mutating calls, the driver polls
/// [`poll_transmit`](Self::poll_transmit) until `None`, then [`poll_event`](Self::poll_event)
/// until `None`, then [`poll_timeout`](Self::poll_timeout), and calls
/// [`handle_timeout`](Self::handle_timeout) when that instant comes.
///
/// Every table is bounded by [`IceConfig`]; everything dropped is counted in
/// [`stats`](Self::stats).
pub struct IceAgent {
    config: IceConfig,
    rng: Rng,
    role: IceRole,
    tie_breaker: u64,
    local: LocalCreds,
    /// The previous generation's local credentials while its selected path is still in use
    /// during an ICE restart.
    previous: Option<LocalCreds>,
    remote: Option<RemoteCreds>,
    remote_lite: bool,
    /// Local candidates: hosts first come, then server- and peer-reflexive ones.
    locals: Vec<Candidate>,
    hosts_added: usize,
    stun_servers: Vec<SocketAddr>,
    local_end: bool,
    gathering_complete: bool,
    remotes: Vec<Candidate>,
    pending_mdns: Vec<remote::PendingMdns>,
    remote_end: bool,
    pairs: Vec<CandidatePair>,
    triggered: VecDeque<usize>,
    transactions: Vec<checklist::Transaction>,
    next_check: Option<Instant>,
    first_valid: Option<Instant>,
    nominating: Option<usize>,
    selected: Option<liveness::Path>,
    consent_lost: bool,
    state: IceConnectionState,
    closed: bool,
    generation: u32,
    transmits: VecDeque<Transmit>,
    events: VecDeque<IceEvent>,
    stats: IceStats,
}

/// Local credentials with their ready key.
#[derive(Debug, Clone)]
struct LocalCreds {
    creds: Credentials,
    key: IntegrityKey,
}

/// The peer's credentials with their ready key.
#[derive(Debug, Clone)]
struct RemoteCreds {
    creds: Credentials,
    key: IntegrityKey,
    /// `remote-ufrag:local-ufrag`, the USERNAME of our checks.
    username: String,
}

impl IceAgent {
    /// A new agent with fresh random credentials and tie-breaker drawn from `rng`.
    pub fn new(config: IceConfig, mut rng: Rng) -> Self {
        let creds = Credentials::random(&mut rng);
        Self::with_credentials(config, rng, creds)
    }

    /// A new agent with the given local credentials.
    pub fn with_credentials(config: IceConfig, mut rng: Rng, creds: Credentials) -> Self {
        let role = if config.lite {
            IceRole::Controlled
        } else {
            config.role
        };
        let tie_breaker = rng.u64();
        Self {
            role,
            tie_breaker,
            local: LocalCreds::new(creds),
            previous: None,
            remote: None,
            remote_lite: false,
            locals: Vec::new(),
            hosts_added: 0,
            stun_servers: Vec::new(),
            local_end: false,
            gathering_complete: false,
            remotes: Vec::new(),
            pending_mdns: Vec::new(),
            remote_end: false,
            pairs: Vec::new(),
            triggered: VecDeque::new(),
            transactions: Vec::new(),
            next_check: None,
            first_valid: None,
            nominating: None,
            selected: None,
            consent_lost: false,
            state: IceConnectionState::New,
            closed: false,
            generation: 0,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            stats: IceStats::default(),
            config,
            rng,
        }
    }

    /// The local credentials to signal (`a=ice-ufrag`, `a=ice-pwd`).
    pub fn local_credentials(&self) -> &Credentials {
        &self.local.creds
    }

    /// The peer's credentials, once set.
    pub fn remote_credentials(&self) -> Option<&Credentials> {
        self.remote.as_ref().map(|r| &r.creds)
    }

    /// Sets the peer's credentials (from its offer or answer). Checks start once they are
    /// known. Setting different ones outside [`restart`](Self::restart) is an
    /// [`IceError::ApiMisuse`].
    pub fn set_remote_credentials(
        &mut self,
        now: Instant,
        creds: Credentials,
    ) -> Result<(), IceError> {
        if let Some(r) = &self.remote {
            return if r.creds == creds {
                Ok(())
            } else {
                Err(IceError::ApiMisuse)
            };
        }
        let username = format!("{}:{}", creds.ufrag(), self.local.creds.ufrag());
        self.remote = Some(RemoteCreds {
            key: IntegrityKey::short_term(creds.pwd()),
            creds,
            username,
        });
        self.schedule_checks(now);
        self.update_state(now);
        Ok(())
    }

    /// Tells the agent the peer is ICE-lite (`a=ice-lite`): this agent then takes the
    /// controlling role ([RFC 8445 section 6.1.1](https://www.rfc-editor.org/rfc/rfc8445#section-6.1.1))
    /// unless it is lite itself.
    pub fn set_remote_lite(&mut self, lite: bool) {
        self.remote_lite = lite;
        if lite && !self.config.lite && self.role != IceRole::Controlling {
            self.set_role(IceRole::Controlling);
        }
    }

    /// The current role.
    pub fn role(&self) -> IceRole {
        self.role
    }

    /// Whether this agent is ICE-lite.
    pub fn is_lite(&self) -> bool {
        self.config.lite
    }

    /// The connection state.
    pub fn state(&self) -> IceConnectionState {
        self.state
    }

    /// The pair in use for data, if any (and while it has consent).
    pub fn selected_pair(&self) -> Option<SelectedPair> {
        self.selected.as_ref().map(|p| SelectedPair {
            local: p.local,
            remote: p.remote,
        })
    }

    /// Local candidates gathered so far.
    pub fn local_candidates(&self) -> &[Candidate] {
        &self.locals
    }

    /// Remote candidates known so far (signalled and peer-reflexive; not pending mDNS ones).
    pub fn remote_candidates(&self) -> &[Candidate] {
        &self.remotes
    }

    /// Counters and gauges.
    pub fn stats(&self) -> IceStats {
        IceStats {
            remote_candidates: self.remotes.len(),
            pairs: self.pairs.len(),
            transactions: self.transactions.len(),
            ..self.stats
        }
    }

    /// Wraps application data for the selected pair: the datagram to send. Fails without a
    /// selected pair, after consent expired, or once closed.
    pub fn send(&mut self, now: Instant, data: &[u8]) -> Result<Transmit, IceError> {
        if self.closed {
            return Err(IceError::Closed);
        }
        if self.consent_lost {
            return Err(IceError::ConsentExpired);
        }
        let path = self.selected.as_mut().ok_or(IceError::NotConnected)?;
        path.last_sent = now;
        Ok(Transmit {
            source: path.local,
            destination: path.remote,
            contents: data.to_vec(),
        })
    }

    /// Signals end-of-candidates from the peer ([RFC 8838 section 8.2](https://www.rfc-editor.org/rfc/rfc8838#section-8.2)):
    /// once every pair has failed, the agent may now report `Failed`.
    pub fn end_of_remote_candidates(&mut self, now: Instant) {
        self.remote_end = true;
        self.update_state(now);
    }

    /// ICE restart ([RFC 8445 section 9](https://www.rfc-editor.org/rfc/rfc8445#section-9)):
    /// new local credentials (returned, to signal), and a fresh gathering and checklist. The
    /// application adds host candidates again (the same or new interfaces), and sets the
    /// peer's new credentials and candidates. The selected pair keeps carrying data, with
    /// consent checks under the old credentials, until a pair of the new generation is
    /// selected.
    pub fn restart(&mut self, now: Instant) -> Credentials {
        let creds = Credentials::random(&mut self.rng);
        let old = std::mem::replace(&mut self.local, LocalCreds::new(creds.clone()));
        self.generation = self.generation.wrapping_add(1);
        if let Some(path) = &mut self.selected {
            path.pair = None;
            self.previous = Some(old);
        } else {
            self.previous = None;
        }
        self.remote = None;
        self.locals.clear();
        self.hosts_added = 0;
        self.local_end = false;
        self.gathering_complete = false;
        self.remotes.clear();
        self.pending_mdns.clear();
        self.remote_end = false;
        self.pairs.clear();
        self.triggered.clear();
        self.transactions.retain(|t| t.is_consent());
        self.next_check = None;
        self.first_valid = None;
        self.nominating = None;
        self.consent_lost = false;
        self.update_state(now);
        creds
    }

    /// Closes the agent: nothing more is sent, and the state becomes `Closed`.
    pub fn close(&mut self, now: Instant) {
        self.closed = true;
        self.selected = None;
        self.transactions.clear();
        self.transmits.clear();
        self.update_state(now);
    }

    /// Processes one received datagram. STUN is consumed; anything else from a known remote
    /// address is handed back as [`Incoming::Data`]. Errors are already counted in
    /// [`stats`](Self::stats); the caller drops the datagram.
    pub fn handle_receive<'a>(
        &mut self,
        now: Instant,
        rx: Receive<'a>,
    ) -> Result<Incoming<'a>, IceError> {
        if self.closed {
            return Err(IceError::Closed);
        }
        let result = self.receive(now, rx);
        self.update_state(now);
        result
    }

    /// Advances timers: retransmissions, paced checks, nomination, consent and keepalives.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.closed {
            return;
        }
        self.expire_transactions(now);
        self.pace_checks(now);
        self.maybe_nominate(now);
        self.liveness(now);
        self.update_state(now);
    }

    /// The next datagram to send.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<IceEvent> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closed {
            return None;
        }
        [
            self.transactions.iter().map(|t| t.deadline).min(),
            self.check_deadline(),
            self.nomination_deadline(),
            self.liveness_deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn queue_transmit(&mut self, source: SocketAddr, destination: SocketAddr, contents: Vec<u8>) {
        if self.closed {
            return;
        }
        if self.transmits.len() >= self.config.max_queued_transmits {
            self.stats.dropped_transmits += 1;
            return;
        }
        self.transmits.push_back(Transmit {
            source,
            destination,
            contents,
        });
    }

    fn emit(&mut self, event: IceEvent) {
        if self.events.len() >= self.config.max_queued_events {
            self.stats.dropped_events += 1;
            return;
        }
        self.events.push_back(event);
    }

    fn set_role(&mut self, role: IceRole) {
        if self.role == role {
            return;
        }
        self.role = role;
        if role == IceRole::Controlled {
            // Only the controlling agent nominates.
            self.nominating = None;
        }
        self.recompute_pair_priorities();
        self.emit(IceEvent::RoleChanged(role));
    }

    fn new_txid(&mut self) -> TransactionId {
        TransactionId::random(&mut self.rng)
    }

    /// `base` scaled by a random factor in 0.8..1.2 (RFC 7675 section 5.1).
    fn jittered(&mut self, base: Duration) -> Duration {
        let permille = 800 + self.rng.below(401);
        base * u32::try_from(permille).unwrap_or(1000) / 1000
    }
}

impl fmt::Debug for IceAgent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // No RNG state, keys or addresses: only what is safe in logs.
        f.debug_struct("IceAgent")
            .field("role", &self.role)
            .field("lite", &self.config.lite)
            .field("state", &self.state)
            .field("generation", &self.generation)
            .field("local", &self.local.creds)
            .field("local_candidates", &self.locals.len())
            .field("remote_candidates", &self.remotes.len())
            .field("pairs", &self.pairs.len())
            .field("selected", &self.selected.is_some())
            .finish_non_exhaustive()
    }
}

impl LocalCreds {
    fn new(creds: Credentials) -> Self {
        Self {
            key: IntegrityKey::short_term(creds.pwd()),
            creds,
        }
    }
}

#[cfg(test)]
mod tests;
