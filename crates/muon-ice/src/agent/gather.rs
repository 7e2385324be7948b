//! Local candidates: host addresses and server-reflexive discovery.
//! [RFC 8445 section 5.1.1](https://www.rfc-editor.org/rfc/rfc8445#section-5.1.1).

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use super::IceAgent;
use super::checklist::TxKind;
use crate::candidate::{Candidate, CandidateKind, local_preference};
use crate::config::MAX_STUN_SERVERS;
use crate::error::{CandidateRejection, IceError, Limit};
use crate::event::IceEvent;
use crate::wire;

impl IceAgent {
    /// Adds a host candidate: a local address the driver's socket is bound to (the base of
    /// every candidate learned through it). It is also returned as an
    /// [`IceEvent::LocalCandidate`], paired with the remote candidates, and sent to every
    /// STUN server of its family to learn a server-reflexive candidate.
    ///
    /// Refused when the [`crate::HostFilter`] excludes it, when unusable (unspecified,
    /// multicast, port 0), already present, or past [`crate::IceConfig::max_local_candidates`].
    pub fn add_host_candidate(
        &mut self,
        now: Instant,
        addr: SocketAddr,
    ) -> Result<Candidate, IceError> {
        let ip = addr.ip();
        if ip.is_unspecified() || ip.is_multicast() || addr.port() == 0 {
            return Err(IceError::CandidateRejected(CandidateRejection::Unusable));
        }
        if !self.config.host_filter.accepts(ip) {
            return Err(IceError::CandidateRejected(CandidateRejection::Filtered));
        }
        if self.locals.iter().any(|c| c.address() == addr) {
            return Err(IceError::CandidateRejected(CandidateRejection::Duplicate));
        }
        if self.locals.len() >= self.config.max_local_candidates {
            return Err(IceError::Limit(Limit::LocalCandidates));
        }
        let pref = local_preference(self.hosts_added, ip);
        self.hosts_added += 1;
        let cand = Candidate::local(CandidateKind::Host, addr, addr, pref, None);
        self.locals.push(cand.clone());
        self.emit(IceEvent::LocalCandidate(cand.clone()));
        if !self.config.lite {
            let local = self.locals.len() - 1;
            self.pair_local(now, local);
            let servers: Vec<SocketAddr> = self
                .stun_servers
                .iter()
                .copied()
                .filter(|s| s.is_ipv4() == addr.is_ipv4())
                .collect();
            for server in servers {
                self.start_gather(now, addr, server);
            }
        }
        self.update_state(now);
        Ok(cand)
    }

    /// Adds a relayed candidate that the TURN layer allocated (`muon-turn`, a later issue).
    /// Its base is itself ([RFC 8445 section 5.1.1.2](https://www.rfc-editor.org/rfc/rfc8445#section-5.1.1.2)):
    /// checks and data on pairs using it come out of [`IceAgent::poll_transmit`] and
    /// [`IceAgent::send`] with `source == relayed`, which the driver hands to its TURN client
    /// (Send indication or ChannelData) instead of the socket; what the TURN client receives
    /// for it is handed in with `destination == relayed`.
    pub fn add_relayed_candidate(
        &mut self,
        now: Instant,
        relayed: SocketAddr,
        server: IpAddr,
    ) -> Result<Candidate, IceError> {
        if self.config.lite {
            return Err(IceError::ApiMisuse);
        }
        if relayed.ip().is_unspecified() || relayed.port() == 0 {
            return Err(IceError::CandidateRejected(CandidateRejection::Unusable));
        }
        if self.locals.iter().any(|c| c.address() == relayed) {
            return Err(IceError::CandidateRejected(CandidateRejection::Duplicate));
        }
        if self.locals.len() >= self.config.max_local_candidates {
            return Err(IceError::Limit(Limit::LocalCandidates));
        }
        let cand = Candidate::local(
            CandidateKind::Relayed,
            relayed,
            relayed,
            u16::MAX,
            Some(server),
        );
        self.locals.push(cand.clone());
        self.emit(IceEvent::LocalCandidate(cand.clone()));
        self.pair_local(now, self.locals.len() - 1);
        self.update_state(now);
        Ok(cand)
    }

    /// Adds a STUN server to learn server-reflexive candidates from, through every host
    /// candidate of its family (now and later ones). Kept across restarts. At most
    /// [`MAX_STUN_SERVERS`]; not on an ICE-lite agent.
    pub fn add_stun_server(&mut self, now: Instant, server: SocketAddr) -> Result<(), IceError> {
        if self.config.lite {
            return Err(IceError::ApiMisuse);
        }
        if self.stun_servers.contains(&server) {
            return Ok(());
        }
        if self.stun_servers.len() >= MAX_STUN_SERVERS {
            return Err(IceError::Limit(Limit::StunServers));
        }
        self.stun_servers.push(server);
        let bases: Vec<SocketAddr> = self
            .locals
            .iter()
            .filter(|c| c.kind() == CandidateKind::Host && c.base().is_ipv4() == server.is_ipv4())
            .map(Candidate::base)
            .collect();
        for base in bases {
            self.start_gather(now, base, server);
        }
        Ok(())
    }

    /// The application has added every host candidate: once the STUN servers have answered
    /// or timed out, [`IceEvent::GatheringComplete`] follows.
    pub fn end_of_local_candidates(&mut self, now: Instant) {
        self.local_end = true;
        self.check_gathering_complete();
        self.update_state(now);
    }

    /// Whether gathering is complete (see [`IceAgent::end_of_local_candidates`]).
    pub fn is_gathering_complete(&self) -> bool {
        self.gathering_complete
    }

    pub(super) fn check_gathering_complete(&mut self) {
        let pending = self
            .transactions
            .iter()
            .any(|t| matches!(t.kind, TxKind::Gather { .. }));
        if self.local_end && !self.gathering_complete && !pending {
            self.gathering_complete = true;
            self.emit(IceEvent::GatheringComplete);
        }
    }

    fn start_gather(&mut self, now: Instant, base: SocketAddr, server: SocketAddr) {
        let txid = self.new_txid();
        let Ok(bytes) = wire::server_request(txid) else {
            return;
        };
        let rto = self.config.min_rto;
        self.queue_transmit(base, server, bytes.clone());
        self.start_transaction(
            now,
            txid,
            TxKind::Gather { server },
            base,
            server,
            bytes,
            rto,
        );
    }

    /// A STUN server answered through `base`: a server-reflexive candidate when the mapped
    /// address differs from the base (RFC 8445 section 5.1.3 drops redundant ones).
    pub(super) fn gathered(&mut self, base: SocketAddr, server: SocketAddr, mapped: SocketAddr) {
        let known = self
            .locals
            .iter()
            .any(|c| c.address() == mapped && c.base() == base);
        let Some(host) = self
            .locals
            .iter()
            .position(|c| c.kind() == CandidateKind::Host && c.address() == base)
        else {
            return;
        };
        if known || mapped == base || self.locals.len() >= self.config.max_local_candidates {
            return;
        }
        let pref = ((self.locals[host].priority() >> 8) & 0xFFFF) as u16;
        let cand = Candidate::local(
            CandidateKind::ServerReflexive,
            mapped,
            base,
            pref,
            Some(server.ip()),
        );
        self.locals.push(cand.clone());
        self.emit(IceEvent::LocalCandidate(cand));
    }

    /// A check's response revealed a mapping no candidate has: a local peer-reflexive
    /// candidate ([RFC 8445 section 7.2.5.3.1](https://www.rfc-editor.org/rfc/rfc8445#section-7.2.5.3.1)).
    pub(super) fn learn_local_prflx(&mut self, base: SocketAddr, mapped: SocketAddr) {
        if self.locals.iter().any(|c| c.address() == mapped)
            || self.locals.len() >= self.config.max_local_candidates
        {
            return;
        }
        let cand = Candidate::local(
            CandidateKind::PeerReflexive,
            mapped,
            base,
            self.base_preference(base),
            None,
        );
        self.locals.push(cand.clone());
        self.emit(IceEvent::LocalCandidate(cand));
    }

    /// The local preference of the host (or relayed) candidate at `base`.
    pub(super) fn base_preference(&self, base: SocketAddr) -> u16 {
        self.locals
            .iter()
            .find(|c| {
                matches!(c.kind(), CandidateKind::Host | CandidateKind::Relayed)
                    && c.address() == base
            })
            .map_or(0, |c| ((c.priority() >> 8) & 0xFFFF) as u16)
    }
}
