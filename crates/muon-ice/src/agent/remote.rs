//! Remote candidates: signalled ones, mDNS-hidden ones, and peer-reflexive ones learned from
//! checks ([RFC 8445 section 7.3.1.3](https://www.rfc-editor.org/rfc/rfc8445#section-7.3.1.3)).

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use super::IceAgent;
use crate::candidate::{COMPONENT_ID, Candidate, CandidateKind, is_mdns_name, is_valid_foundation};
use crate::error::{CandidateRejection, IceError, Limit};
use crate::event::IceEvent;

/// A remote host candidate whose address hides behind an mDNS name.
#[derive(Debug, Clone)]
pub(super) struct PendingMdns {
    name: String,
    port: u16,
    priority: u32,
    foundation: String,
}

impl IceAgent {
    /// Adds a remote candidate from signalling (trickled or in the SDP). Candidates of other
    /// components are refused; one whose address is already known as peer-reflexive upgrades
    /// it (type, priority and foundation), keeping its pairs.
    pub fn add_remote_candidate(&mut self, now: Instant, cand: Candidate) -> Result<(), IceError> {
        if cand.component() != COMPONENT_ID || !is_valid_foundation(cand.foundation()) {
            return Err(IceError::CandidateRejected(CandidateRejection::Malformed));
        }
        let addr = cand.address();
        if addr.ip().is_unspecified() || addr.ip().is_multicast() || addr.port() == 0 {
            return Err(IceError::CandidateRejected(CandidateRejection::Unusable));
        }
        if let Some(existing) = self.remotes.iter_mut().find(|c| c.address() == addr) {
            if existing.kind() != CandidateKind::PeerReflexive {
                return Err(IceError::CandidateRejected(CandidateRejection::Duplicate));
            }
            existing.set_kind(cand.kind());
            existing.set_priority(cand.priority());
            existing.set_foundation(cand.foundation());
            self.recompute_pair_priorities();
            return Ok(());
        }
        if self.remotes.len() >= self.config.max_remote_candidates {
            return Err(IceError::Limit(Limit::RemoteCandidates));
        }
        self.remotes.push(cand);
        if !self.config.lite {
            self.pair_remote(now, self.remotes.len() - 1);
        }
        self.update_state(now);
        Ok(())
    }

    /// Adds a remote host candidate hidden behind an mDNS name (`<uuid>.local`, as browsers
    /// send). The agent emits [`IceEvent::ResolveMdns`] and keeps the candidate pending until
    /// [`resolved_mdns`](Self::resolved_mdns), or until a peer-reflexive candidate with its
    /// port shows up first (the peer's check reveals the address), which replaces it.
    pub fn add_remote_mdns_candidate(
        &mut self,
        now: Instant,
        name: &str,
        port: u16,
        priority: u32,
        foundation: &str,
    ) -> Result<(), IceError> {
        if !is_mdns_name(name) {
            return Err(IceError::CandidateRejected(CandidateRejection::NotMdns));
        }
        if !is_valid_foundation(foundation) || port == 0 {
            return Err(IceError::CandidateRejected(CandidateRejection::Malformed));
        }
        if self
            .pending_mdns
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case(name) && p.port == port)
        {
            return Err(IceError::CandidateRejected(CandidateRejection::Duplicate));
        }
        if self.pending_mdns.len() >= self.config.max_pending_mdns {
            return Err(IceError::Limit(Limit::PendingMdns));
        }
        let first_of_name = !self
            .pending_mdns
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case(name));
        self.pending_mdns.push(PendingMdns {
            name: name.to_owned(),
            port,
            priority,
            foundation: foundation.to_owned(),
        });
        if first_of_name {
            self.emit(IceEvent::ResolveMdns(name.to_owned()));
        }
        self.update_state(now);
        Ok(())
    }

    /// The driver resolved an mDNS name: its pending candidates become host candidates.
    pub fn resolved_mdns(&mut self, now: Instant, name: &str, ip: IpAddr) {
        let mut resolved = Vec::new();
        self.pending_mdns.retain(|p| {
            let hit = p.name.eq_ignore_ascii_case(name);
            if hit {
                resolved.push(p.clone());
            }
            !hit
        });
        for p in resolved {
            let cand = Candidate::remote(
                CandidateKind::Host,
                SocketAddr::new(ip, p.port),
                p.priority,
                &p.foundation,
            );
            // A duplicate or a full table only means the candidate brings nothing new.
            let _ = self.add_remote_candidate(now, cand);
        }
        self.update_state(now);
    }

    /// The driver could not resolve an mDNS name: its pending candidates are dropped.
    pub fn mdns_failed(&mut self, now: Instant, name: &str) {
        self.pending_mdns
            .retain(|p| !p.name.eq_ignore_ascii_case(name));
        self.update_state(now);
    }

    /// Remote candidates waiting for mDNS resolution.
    pub fn pending_mdns_candidates(&self) -> usize {
        self.pending_mdns.len()
    }

    /// The remote candidate at `addr`, learning a peer-reflexive one from a check's source
    /// and PRIORITY when unknown. `None` when the table is full.
    pub(super) fn remote_for_check(&mut self, addr: SocketAddr, priority: u32) -> Option<usize> {
        if let Some(i) = self.remotes.iter().position(|c| c.address() == addr) {
            return Some(i);
        }
        if self.remotes.len() >= self.config.max_remote_candidates {
            self.stats.dropped_remote_candidates += 1;
            return None;
        }
        // Any unique foundation will do (RFC 8445 section 7.3.1.3).
        let foundation = format!("prflx{}", self.remotes.len());
        self.remotes.push(Candidate::remote(
            CandidateKind::PeerReflexive,
            addr,
            priority,
            &foundation,
        ));
        // A browser's host candidate hidden behind mDNS shows up like this: the pending
        // candidate with that port is replaced.
        self.pending_mdns.retain(|p| p.port != addr.port());
        Some(self.remotes.len() - 1)
    }

    /// Whether `addr` is a known remote address (for accepting non-STUN data).
    pub(super) fn is_known_remote(&self, addr: SocketAddr) -> bool {
        self.selected.as_ref().is_some_and(|p| p.remote == addr)
            || self.remotes.iter().any(|c| c.address() == addr)
    }
}
