//! The selected path's liveness: consent freshness ([RFC 7675](https://www.rfc-editor.org/rfc/rfc7675)),
//! keepalives ([RFC 8445 section 11](https://www.rfc-editor.org/rfc/rfc8445#section-11)) and
//! the connection state.

use std::net::SocketAddr;
use std::time::Instant;

use muon_stun::IntegrityKey;

use super::IceAgent;
use super::checklist::{PairState, TxKind};
use crate::candidate::{COMPONENT_ID, CandidateKind, candidate_priority};
use crate::event::{IceConnectionState, IceEvent};
use crate::wire::{self, Check};

/// The selected pair, with what consent checks need. It outlives its checklist during an ICE
/// restart (then `pair` is `None`).
#[derive(Debug, Clone)]
pub(super) struct Path {
    pub(super) local: SocketAddr,
    pub(super) remote: SocketAddr,
    /// The pair index in the current generation's checklist.
    pub(super) pair: Option<usize>,
    /// USERNAME and key of consent checks: the peer's credentials of the generation the path
    /// was selected in (an ICE-lite agent may not know them; it sends no checks).
    pub(super) credentials: Option<(String, IntegrityKey)>,
    /// The last consent: a response to our consent check (full agent) or an authenticated
    /// check from the peer on this path (ICE-lite agent, which sends no checks).
    pub(super) last_consent: Instant,
    pub(super) next_consent: Instant,
    pub(super) last_sent: Instant,
}

impl IceAgent {
    /// Consent expiry, consent checks and keepalives on the selected path.
    pub(super) fn liveness(&mut self, now: Instant) {
        let Some(path) = &self.selected else { return };
        // RFC 7675 section 5.1: stop sending when consent is older than 30 s.
        if now >= path.last_consent + self.config.consent_timeout {
            self.selected = None;
            self.previous = None;
            self.consent_lost = true;
            self.transactions.retain(|t| !t.is_consent());
            return;
        }
        if !self.config.lite && now >= path.next_consent {
            self.send_consent(now);
        }
        let Some(path) = &self.selected else { return };
        if now >= path.last_sent + self.config.keepalive_interval {
            let (src, dst) = (path.local, path.remote);
            let txid = self.new_txid();
            if let Ok(bytes) = wire::keepalive(txid) {
                self.stats.keepalives_sent += 1;
                self.queue_transmit(src, dst, bytes);
            }
            if let Some(path) = &mut self.selected {
                path.last_sent = now;
            }
        }
    }

    /// A consent check: a Binding request like a connectivity check, without USE-CANDIDATE
    /// (RFC 7675 section 5.1). A check still outstanding is abandoned.
    fn send_consent(&mut self, now: Instant) {
        let next = now + self.jittered(self.config.consent_interval);
        let txid = self.new_txid();
        let Some(path) = &self.selected else { return };
        let Some((username, key)) = &path.credentials else {
            return;
        };
        let priority = candidate_priority(
            CandidateKind::PeerReflexive,
            self.base_preference(path.local),
            COMPONENT_ID,
        );
        let bytes = wire::check_request(
            txid,
            &Check {
                username,
                priority,
                role: self.role,
                tie_breaker: self.tie_breaker,
                nominate: false,
                key,
            },
        );
        let (local, remote) = (path.local, path.remote);
        if let Some(path) = &mut self.selected {
            path.next_consent = next;
            path.last_sent = now;
        }
        let Ok(bytes) = bytes else { return };
        self.transactions.retain(|t| !t.is_consent());
        self.stats.consent_checks_sent += 1;
        self.queue_transmit(local, remote, bytes.clone());
        let rto = self.config.min_rto;
        self.start_transaction(now, txid, TxKind::Consent, local, remote, bytes, rto);
    }

    /// Consent was granted on the path `local`/`remote` (RFC 7675 section 5.1).
    pub(super) fn consent_granted(&mut self, now: Instant, local: SocketAddr, remote: SocketAddr) {
        if let Some(path) = &mut self.selected
            && path.remote == remote
            && (local.ip().is_unspecified() || path.local == local)
        {
            path.last_consent = now;
        }
    }

    pub(super) fn liveness_deadline(&self) -> Option<Instant> {
        let path = self.selected.as_ref()?;
        let expiry = path.last_consent + self.config.consent_timeout;
        let keepalive = path.last_sent + self.config.keepalive_interval;
        let consent = (!self.config.lite).then_some(path.next_consent);
        let disconnect = (self.state != IceConnectionState::Disconnected)
            .then_some(path.last_consent + self.config.disconnected_timeout);
        [Some(expiry), Some(keepalive), consent, disconnect]
            .into_iter()
            .flatten()
            .min()
    }

    /// Recomputes the W3C state and emits a change.
    pub(super) fn update_state(&mut self, now: Instant) {
        let state = self.derive_state(now);
        if state != self.state {
            self.state = state;
            self.emit(IceEvent::StateChanged(state));
        }
    }

    fn derive_state(&self, now: Instant) -> IceConnectionState {
        use IceConnectionState as S;
        if self.closed {
            return S::Closed;
        }
        if self.consent_lost {
            return S::Failed;
        }
        if let Some(path) = &self.selected {
            if now >= path.last_consent + self.config.disconnected_timeout {
                return S::Disconnected;
            }
            let nominated = path
                .pair
                .and_then(|i| self.pairs.get(i))
                .is_some_and(|p| p.nominated);
            let finished = self.config.lite
                || (self.checks_done() && self.remote_end && self.gathering_complete);
            return if nominated && finished {
                S::Completed
            } else {
                S::Connected
            };
        }
        if self.remote.is_none() {
            return S::New;
        }
        // A valid pair is not a failure: the controlled side waits there for the peer's
        // nomination (RFC 8445 section 8.1.1: failure means no valid pair).
        let any_valid = self.pairs.iter().any(|p| p.state == PairState::Succeeded);
        let all_failed = !any_valid && self.pending_mdns.is_empty() && self.checks_done();
        if all_failed && self.remote_end && self.gathering_complete && !self.config.lite {
            return S::Failed;
        }
        if self.remotes.is_empty() && self.pending_mdns.is_empty() {
            S::New
        } else {
            S::Checking
        }
    }
}
