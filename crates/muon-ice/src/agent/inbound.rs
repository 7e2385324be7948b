//! Received datagrams: STUN requests ([RFC 8445 section 7.3](https://www.rfc-editor.org/rfc/rfc8445#section-7.3)),
//! responses ([section 7.2.5](https://www.rfc-editor.org/rfc/rfc8445#section-7.2.5)),
//! indications and application data.

use std::net::SocketAddr;
use std::time::Instant;

use muon_proto::Receive;
use muon_stun::{AttrType, Class, ErrorCode, IntegrityKey, Message, Method, is_stun};

use super::checklist::TxKind;
use super::{IceAgent, Incoming};
use crate::candidate::CandidateKind;
use crate::config::IceRole;
use crate::error::IceError;
use crate::wire;

/// Most unknown comprehension-required attributes looked at in one request.
const MAX_UNKNOWN: usize = 8;

/// Which generation's credentials a request was addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Generation {
    Current,
    Previous,
}

impl IceAgent {
    pub(super) fn receive<'a>(
        &mut self,
        now: Instant,
        rx: Receive<'a>,
    ) -> Result<Incoming<'a>, IceError> {
        if !is_stun(rx.contents) {
            return if self.is_known_remote(rx.source) {
                self.stats.data_received += 1;
                Ok(Incoming::Data(rx.contents))
            } else {
                self.stats.dropped_unknown_source += 1;
                Err(IceError::UnknownSource)
            };
        }
        let msg = match Message::decode(rx.contents) {
            Ok(m) => m,
            Err(e) => {
                self.stats.dropped_malformed += 1;
                return Err(IceError::Malformed(e));
            }
        };
        self.stats.stun_received += 1;
        if msg.method() != Method::BINDING {
            self.stats.dropped_unexpected += 1;
            return Err(IceError::Unexpected);
        }
        let result = match msg.class() {
            Class::Request => self.handle_request(now, rx, &msg),
            Class::Success | Class::Error => self.handle_response(now, rx, &msg),
            Class::Indication => {
                self.stats.indications_received += 1;
                Ok(())
            }
        };
        result.map(|()| Incoming::Stun)
    }

    /// An incoming check (RFC 8445 section 7.3.1).
    fn handle_request(
        &mut self,
        now: Instant,
        rx: Receive<'_>,
        msg: &Message<'_>,
    ) -> Result<(), IceError> {
        let (generation, key) = match self.authenticate(msg) {
            Ok(found) => found,
            Err(e) => {
                match e {
                    IceError::BadIntegrity => self.stats.dropped_bad_integrity += 1,
                    _ => self.stats.dropped_unknown_username += 1,
                }
                return Err(e);
            }
        };
        let txid = msg.transaction_id();
        let mut unknown = [AttrType::new(0); MAX_UNKNOWN];
        let mut n = 0;
        for (slot, t) in unknown.iter_mut().zip(msg.unknown_comprehension_required()) {
            *slot = t;
            n += 1;
        }
        if n > 0 {
            self.respond_error(rx, txid, ErrorCode::UNKNOWN_ATTRIBUTE, &unknown[..n], &key);
            return Ok(());
        }
        let (Some(priority), controlling, controlled) =
            (msg.priority(), msg.ice_controlling(), msg.ice_controlled())
        else {
            self.respond_error(rx, txid, ErrorCode::BAD_REQUEST, &[], &key);
            return Ok(());
        };
        if controlling.is_none() == controlled.is_none() {
            self.respond_error(rx, txid, ErrorCode::BAD_REQUEST, &[], &key);
            return Ok(());
        }
        if generation == Generation::Current && self.role_conflict(controlling, controlled) {
            self.respond_error(rx, txid, ErrorCode::ROLE_CONFLICT, &[], &key);
            return Ok(());
        }
        // Section 7.3.1.2: the response goes back from where the request arrived.
        if let Ok(bytes) = wire::success(txid, rx.source, Some(&key)) {
            self.queue_transmit(rx.destination, rx.source, bytes);
        }
        self.stats.checks_received += 1;
        if self.config.lite || generation == Generation::Previous {
            // An ICE-lite agent sends no consent checks: the peer's checks are its consent.
            self.consent_granted(now, rx.destination, rx.source);
        }
        if generation == Generation::Previous {
            return Ok(());
        }
        let Some(local) = self.local_base(rx.destination) else {
            self.stats.dropped_unexpected += 1;
            return Err(IceError::Unexpected);
        };
        let Some(remote) = self.remote_for_check(rx.source, priority) else {
            return Ok(());
        };
        let Some(pair) = self.add_pair(local, remote) else {
            return Ok(());
        };
        let nominate = msg.use_candidate() && self.role == IceRole::Controlled;
        if self.config.lite {
            // A lite agent checks nothing: the peer's nomination selects the pair (RFC 8445
            // section 7.3.1.5, with no checks of its own to wait for).
            if nominate {
                if let Some(p) = self.pairs.get_mut(pair) {
                    p.state = super::PairState::Succeeded;
                    p.nominated = true;
                }
                self.select(now);
            }
            return Ok(());
        }
        let valid = self
            .pairs
            .get(pair)
            .is_some_and(|p| p.state == super::PairState::Succeeded);
        if nominate {
            // Section 7.3.1.5: nominated now if valid, else when its check succeeds.
            if let Some(p) = self.pairs.get_mut(pair) {
                if valid {
                    p.nominated = true;
                } else {
                    p.nominate_on_success = true;
                }
            }
            if valid {
                self.select(now);
            }
        }
        self.trigger(now, pair);
        Ok(())
    }

    /// Finds the generation and key for a request's USERNAME and verifies it.
    fn authenticate(&self, msg: &Message<'_>) -> Result<(Generation, IntegrityKey), IceError> {
        let username = msg.username().ok_or(IceError::UnknownUsername)?;
        let (ours, _theirs) = wire::split_username(username).ok_or(IceError::UnknownUsername)?;
        let (generation, key) = if ours == self.local.creds.ufrag() {
            (Generation::Current, &self.local.key)
        } else if let Some(prev) = self.previous.as_ref().filter(|p| p.creds.ufrag() == ours) {
            (Generation::Previous, &prev.key)
        } else {
            return Err(IceError::UnknownUsername);
        };
        msg.verify_integrity(key)
            .map_err(|_| IceError::BadIntegrity)?;
        Ok((generation, key.clone()))
    }

    /// Role conflict handling ([RFC 8445 section 7.3.1.1](https://www.rfc-editor.org/rfc/rfc8445#section-7.3.1.1)).
    /// Returns true when the request must be answered 487.
    fn role_conflict(&mut self, controlling: Option<u64>, controlled: Option<u64>) -> bool {
        match (self.role, controlling, controlled) {
            (IceRole::Controlling, Some(theirs), _) => {
                self.stats.role_conflicts += 1;
                if self.tie_breaker >= theirs {
                    return true;
                }
                self.set_role(IceRole::Controlled);
                false
            }
            (IceRole::Controlled, _, Some(theirs)) => {
                self.stats.role_conflicts += 1;
                // An ICE-lite agent cannot control: the full peer must.
                if self.config.lite || self.tie_breaker < theirs {
                    return true;
                }
                self.set_role(IceRole::Controlling);
                false
            }
            _ => false,
        }
    }

    fn respond_error(
        &mut self,
        rx: Receive<'_>,
        txid: muon_stun::TransactionId,
        code: u16,
        unknown: &[AttrType],
        key: &IntegrityKey,
    ) {
        if let Ok(bytes) = wire::error(txid, code, unknown, key) {
            self.queue_transmit(rx.destination, rx.source, bytes);
        }
    }

    /// The host candidate a datagram arrived at. A socket bound to a wildcard address may not
    /// know its destination: then the first host candidate of the family and port is used.
    fn local_base(&self, dest: SocketAddr) -> Option<usize> {
        let is_host = |k: CandidateKind| matches!(k, CandidateKind::Host | CandidateKind::Relayed);
        self.locals
            .iter()
            .position(|c| is_host(c.kind()) && c.address() == dest)
            .or_else(|| {
                dest.ip().is_unspecified().then(|| {
                    self.locals.iter().position(|c| {
                        is_host(c.kind())
                            && c.address().port() == dest.port()
                            && c.address().is_ipv4() == dest.is_ipv4()
                    })
                })?
            })
    }

    /// A response to one of our transactions (RFC 8445 section 7.2.5).
    fn handle_response(
        &mut self,
        now: Instant,
        rx: Receive<'_>,
        msg: &Message<'_>,
    ) -> Result<(), IceError> {
        let Some(at) = self
            .transactions
            .iter()
            .position(|t| t.id == msg.transaction_id())
        else {
            self.stats.dropped_unexpected_response += 1;
            return Err(IceError::UnexpectedResponse);
        };
        let tx = &self.transactions[at];
        let (kind, tx_local, tx_remote, tx_role) = (tx.kind, tx.local, tx.remote, tx.role);
        // Authenticate before the response may end the transaction: a forged one must not.
        let key = match kind {
            TxKind::Gather { .. } => None,
            TxKind::Check { .. } => self.remote.as_ref().map(|r| r.key.clone()),
            TxKind::Consent => self
                .selected
                .as_ref()
                .and_then(|p| p.credentials.as_ref().map(|(_, k)| k.clone())),
        };
        if !matches!(kind, TxKind::Gather { .. }) {
            let ok = key
                .as_ref()
                .is_some_and(|k| msg.verify_integrity(k).is_ok());
            if !ok {
                self.stats.dropped_bad_integrity += 1;
                return Err(IceError::BadIntegrity);
            }
        }
        // Section 7.2.5.2.1: the response must come from where the request went, and arrive
        // where it left from.
        let symmetric = rx.source == tx_remote
            && (rx.destination.ip().is_unspecified() || rx.destination == tx_local);
        if matches!(kind, TxKind::Gather { .. }) && !symmetric {
            self.stats.dropped_unexpected += 1;
            return Err(IceError::Unexpected);
        }
        self.transactions.swap_remove(at);
        let mapped = msg.xor_mapped_address().or_else(|| msg.mapped_address());
        let error = msg.error_code().map(|e| e.code);
        match kind {
            TxKind::Gather { server } => {
                if let (Some(mapped), None) = (mapped, error) {
                    self.gathered(tx_local, server, mapped);
                } else {
                    self.emit(crate::event::IceEvent::StunServerUnreachable(server));
                }
                self.check_gathering_complete();
            }
            TxKind::Consent => {
                if symmetric && error.is_none() {
                    self.consent_granted(now, tx_local, tx_remote);
                }
            }
            TxKind::Check { pair, nominate } => {
                if !symmetric {
                    self.check_failed(pair, nominate);
                } else if error == Some(ErrorCode::ROLE_CONFLICT) {
                    // Section 7.2.5.1: switch role (unless already switched) and retry.
                    self.stats.role_conflicts += 1;
                    if self.role == tx_role {
                        let other = match tx_role {
                            IceRole::Controlling => IceRole::Controlled,
                            IceRole::Controlled => IceRole::Controlling,
                        };
                        if !(self.config.lite && other == IceRole::Controlling) {
                            self.set_role(other);
                        }
                    }
                    if nominate && self.nominating == Some(pair) {
                        self.nominating = None;
                    }
                    if let Some(p) = self.pairs.get_mut(pair) {
                        p.state = super::PairState::Failed;
                    }
                    self.trigger(now, pair);
                } else if let (Some(mapped), None) = (mapped, error) {
                    self.check_succeeded(now, pair, nominate, mapped);
                    self.consent_granted(now, tx_local, tx_remote);
                } else {
                    self.check_failed(pair, nominate);
                }
            }
        }
        Ok(())
    }
}
