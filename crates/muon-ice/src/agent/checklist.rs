//! The checklist: pairs, their states, paced checks with retransmissions, nomination and the
//! selected pair. [RFC 8445 sections 6.1.2-8](https://www.rfc-editor.org/rfc/rfc8445#section-6.1.2).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use muon_stun::TransactionId;

use super::IceAgent;
use super::liveness::Path;
use crate::candidate::{COMPONENT_ID, CandidateKind, candidate_priority, pair_priority};
use crate::config::{IceRole, Nomination};
use crate::event::{IceEvent, SelectedPair};
use crate::wire::{self, Check};

/// A pair's state ([RFC 8445 section 6.1.2.6](https://www.rfc-editor.org/rfc/rfc8445#section-6.1.2.6)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum PairState {
    /// Waiting for a pair of the same foundation to succeed.
    Frozen,
    /// Ready to be checked.
    Waiting,
    /// A check is outstanding.
    InProgress,
    /// A check succeeded: the pair is valid.
    Succeeded,
    /// Checks failed.
    Failed,
}

/// A local base paired with a remote candidate. The local side is always a base (a host
/// candidate): a server-reflexive candidate's pair is the same as its base's and is pruned
/// ([RFC 8445 section 6.1.2.4](https://www.rfc-editor.org/rfc/rfc8445#section-6.1.2.4)).
#[derive(Debug, Clone)]
pub(crate) struct CandidatePair {
    pub(crate) local: usize,
    pub(crate) remote: usize,
    pub(crate) priority: u64,
    pub(crate) state: PairState,
    /// Nominated by the controlling agent (ours or the peer's) and valid.
    pub(crate) nominated: bool,
    /// The controlled side saw USE-CANDIDATE before the pair was valid (RFC 8445 section 7.3.1.5).
    pub(crate) nominate_on_success: bool,
}

/// What an outstanding STUN transaction is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TxKind {
    /// A connectivity check on a pair, nominating when `nominate`.
    Check { pair: usize, nominate: bool },
    /// A Binding request to a STUN server.
    Gather { server: SocketAddr },
    /// A consent check on the selected path.
    Consent,
}

/// An outstanding STUN client transaction with its retransmission state
/// ([RFC 8489 section 6.2.1](https://www.rfc-editor.org/rfc/rfc8489#section-6.2.1)).
#[derive(Debug, Clone)]
pub(super) struct Transaction {
    pub(super) id: TransactionId,
    pub(super) kind: TxKind,
    pub(super) local: SocketAddr,
    pub(super) remote: SocketAddr,
    pub(super) bytes: Vec<u8>,
    pub(super) transmits: u32,
    pub(super) rto: Duration,
    /// The next retransmission, or the final timeout.
    pub(super) deadline: Instant,
    /// Cancelled by a triggered check: no more retransmissions, no failure on timeout.
    pub(super) cancelled: bool,
    pub(super) generation: u32,
    /// The role when sent (RFC 8445 section 7.2.5.1 switches on 487 only if unchanged).
    pub(super) role: IceRole,
}

impl IceAgent {
    /// Records a request just sent for the first time, due for retransmission after `rto`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn start_transaction(
        &mut self,
        now: Instant,
        id: TransactionId,
        kind: TxKind,
        local: SocketAddr,
        remote: SocketAddr,
        bytes: Vec<u8>,
        rto: Duration,
    ) {
        self.transactions.push(Transaction {
            id,
            kind,
            local,
            remote,
            bytes,
            transmits: 1,
            rto,
            deadline: now + rto,
            cancelled: false,
            generation: self.generation,
            role: self.role,
        });
    }
}

impl Transaction {
    pub(super) fn is_consent(&self) -> bool {
        matches!(self.kind, TxKind::Consent)
    }
}

impl IceAgent {
    /// Pairs a new local host candidate with every remote candidate of its family.
    pub(super) fn pair_local(&mut self, now: Instant, local: usize) {
        for remote in 0..self.remotes.len() {
            self.add_pair(local, remote);
        }
        self.schedule_checks(now);
    }

    /// Pairs a new remote candidate with every local base of its family.
    pub(super) fn pair_remote(&mut self, now: Instant, remote: usize) {
        for local in 0..self.locals.len() {
            self.add_pair(local, remote);
        }
        self.schedule_checks(now);
    }

    /// Adds the pair (local, remote) unless redundant, of another family, or over the limit.
    /// Returns its index.
    pub(super) fn add_pair(&mut self, local: usize, remote: usize) -> Option<usize> {
        let (l, r) = (self.locals.get(local)?, self.remotes.get(remote)?);
        if !matches!(l.kind(), CandidateKind::Host | CandidateKind::Relayed)
            || l.base().is_ipv4() != r.address().is_ipv4()
        {
            return None;
        }
        if let Some(i) = self
            .pairs
            .iter()
            .position(|p| p.local == local && p.remote == remote)
        {
            return Some(i);
        }
        if self.pairs.len() >= self.config.max_pairs {
            self.stats.dropped_pairs += 1;
            return None;
        }
        // RFC 8445 section 6.1.2.6 freezes all but one pair per foundation; with trickle a
        // new pair waits when its foundation is already being worked on.
        let busy = self.pairs.iter().any(|p| {
            matches!(
                p.state,
                PairState::Frozen | PairState::Waiting | PairState::InProgress
            ) && self.same_foundation(p.local, p.remote, local, remote)
        });
        let priority = self.priority_of(local, remote);
        self.pairs.push(CandidatePair {
            local,
            remote,
            priority,
            state: if busy {
                PairState::Frozen
            } else {
                PairState::Waiting
            },
            nominated: false,
            nominate_on_success: false,
        });
        Some(self.pairs.len() - 1)
    }

    fn same_foundation(&self, l1: usize, r1: usize, l2: usize, r2: usize) -> bool {
        let f = |l: usize, r: usize| {
            (
                self.locals.get(l).map(|c| c.foundation()),
                self.remotes.get(r).map(|c| c.foundation()),
            )
        };
        f(l1, r1) == f(l2, r2)
    }

    fn priority_of(&self, local: usize, remote: usize) -> u64 {
        let l = self.locals.get(local).map_or(0, |c| c.priority());
        let r = self.remotes.get(remote).map_or(0, |c| c.priority());
        match self.role {
            IceRole::Controlling => pair_priority(l, r),
            IceRole::Controlled => pair_priority(r, l),
        }
    }

    pub(super) fn recompute_pair_priorities(&mut self) {
        for i in 0..self.pairs.len() {
            let (l, r) = (self.pairs[i].local, self.pairs[i].remote);
            self.pairs[i].priority = self.priority_of(l, r);
        }
    }

    /// Whether any check is waiting to go out.
    fn has_check_work(&self) -> bool {
        !self.config.lite
            && self.remote.is_some()
            && (!self.triggered.is_empty()
                || self
                    .pairs
                    .iter()
                    .any(|p| matches!(p.state, PairState::Waiting | PairState::Frozen)))
    }

    /// Arms the pacing timer when there is work and it is not armed.
    pub(super) fn schedule_checks(&mut self, now: Instant) {
        if self.next_check.is_none() && self.has_check_work() {
            self.next_check = Some(now);
        }
    }

    pub(super) fn check_deadline(&self) -> Option<Instant> {
        self.next_check.filter(|_| self.has_check_work())
    }

    /// Sends at most one check per Ta ([RFC 8445 section 6.1.4.2](https://www.rfc-editor.org/rfc/rfc8445#section-6.1.4.2)):
    /// the triggered queue first, then the best Waiting pair, then unfreezing.
    pub(super) fn pace_checks(&mut self, now: Instant) {
        let Some(at) = self.next_check else {
            self.schedule_checks(now);
            return;
        };
        if now < at {
            return;
        }
        match self.next_pair_to_check() {
            Some(i) => {
                self.send_check(now, i);
                self.next_check = Some(now + self.config.ta);
            }
            None => self.next_check = None,
        }
    }

    fn next_pair_to_check(&mut self) -> Option<usize> {
        if self.remote.is_none() || self.config.lite {
            return None;
        }
        while let Some(i) = self.triggered.pop_front() {
            let Some(p) = self.pairs.get(i) else { continue };
            if p.state == PairState::Waiting
                || (p.state == PairState::Succeeded && self.nominating == Some(i))
            {
                return Some(i);
            }
        }
        let best = |agent: &Self, state: PairState| {
            agent
                .pairs
                .iter()
                .enumerate()
                .filter(|(_, p)| p.state == state)
                .max_by_key(|(_, p)| p.priority)
                .map(|(i, _)| i)
        };
        if let Some(i) = best(self, PairState::Waiting) {
            return Some(i);
        }
        // No Waiting pair: unfreeze the best Frozen pair whose foundation is idle.
        let mut frozen: Vec<usize> = (0..self.pairs.len())
            .filter(|&i| self.pairs[i].state == PairState::Frozen)
            .collect();
        frozen.sort_by_key(|&i| std::cmp::Reverse(self.pairs[i].priority));
        let pick = frozen.iter().copied().find(|&i| {
            let (l, r) = (self.pairs[i].local, self.pairs[i].remote);
            !self.pairs.iter().any(|p| {
                matches!(p.state, PairState::Waiting | PairState::InProgress)
                    && self.same_foundation(p.local, p.remote, l, r)
            })
        });
        // RFC 8445 section 6.1.4.2 would stop here while every foundation is busy; checking
        // the best Frozen pair anyway keeps a slow foundation from stalling the others.
        let pick = pick.or_else(|| frozen.first().copied())?;
        self.pairs[pick].state = PairState::Waiting;
        Some(pick)
    }

    /// Sends a connectivity check on pair `i` (RFC 8445 section 7.2.4).
    fn send_check(&mut self, now: Instant, i: usize) {
        let Some(pair) = self.pairs.get(i).cloned() else {
            return;
        };
        let (Some(local), Some(remote_addr)) = (
            self.locals.get(pair.local).map(|c| c.base()),
            self.remotes.get(pair.remote).map(|c| c.address()),
        ) else {
            return;
        };
        let nominate = self.role == IceRole::Controlling
            && (self.nominating == Some(i) || self.config.nomination == Nomination::Aggressive);
        let priority = candidate_priority(
            CandidateKind::PeerReflexive,
            self.base_preference(local),
            COMPONENT_ID,
        );
        let txid = self.new_txid();
        let Some(remote) = &self.remote else { return };
        let bytes = wire::check_request(
            txid,
            &Check {
                username: &remote.username,
                priority,
                role: self.role,
                tie_breaker: self.tie_breaker,
                nominate,
                key: &remote.key,
            },
        );
        let Ok(bytes) = bytes else {
            self.pairs[i].state = PairState::Failed;
            return;
        };
        let active = self
            .pairs
            .iter()
            .filter(|p| matches!(p.state, PairState::Waiting | PairState::InProgress))
            .count();
        // RFC 8445 section 14.3: RTO = max(500 ms, Ta * (Waiting + In-Progress pairs)).
        let rto = (self.config.ta * u32::try_from(active).unwrap_or(u32::MAX))
            .max(self.config.min_rto)
            .min(self.config.max_rto);
        self.stats.checks_sent += 1;
        self.queue_transmit(local, remote_addr, bytes.clone());
        if pair.state != PairState::Succeeded {
            self.pairs[i].state = PairState::InProgress;
        }
        self.start_transaction(
            now,
            txid,
            TxKind::Check { pair: i, nominate },
            local,
            remote_addr,
            bytes,
            rto,
        );
    }

    /// Retransmits due transactions and fails those out of retransmissions.
    pub(super) fn expire_transactions(&mut self, now: Instant) {
        let mut i = 0;
        while i < self.transactions.len() {
            let t = &mut self.transactions[i];
            if t.deadline > now {
                i += 1;
                continue;
            }
            if t.transmits < self.config.max_transmits {
                t.transmits += 1;
                t.rto = (t.rto * 2).min(self.config.max_rto);
                t.deadline = now + t.rto;
                if t.cancelled {
                    // A cancelled check still waits out its timeout for a late response
                    // (RFC 8445 section 7.3.1.4), without retransmitting.
                    i += 1;
                    continue;
                }
                let (src, dst, bytes, kind) = (t.local, t.remote, t.bytes.clone(), t.kind);
                match kind {
                    TxKind::Check { .. } => self.stats.checks_sent += 1,
                    TxKind::Consent => self.stats.consent_checks_sent += 1,
                    TxKind::Gather { .. } => {}
                }
                self.queue_transmit(src, dst, bytes);
                i += 1;
                continue;
            }
            let t = self.transactions.swap_remove(i);
            if t.cancelled || t.generation != self.generation {
                continue;
            }
            match t.kind {
                TxKind::Check { pair, nominate } => self.check_failed(pair, nominate),
                TxKind::Gather { server } => {
                    self.emit(IceEvent::StunServerUnreachable(server));
                    self.check_gathering_complete();
                }
                TxKind::Consent => {}
            }
        }
    }

    /// A check failed (timeout or error response).
    pub(super) fn check_failed(&mut self, pair: usize, nominate: bool) {
        if let Some(p) = self.pairs.get_mut(pair) {
            p.state = PairState::Failed;
            p.nominated = false;
        }
        if nominate && self.nominating == Some(pair) {
            self.nominating = None;
        }
    }

    /// A check succeeded ([RFC 8445 section 7.2.5.3](https://www.rfc-editor.org/rfc/rfc8445#section-7.2.5.3)).
    pub(super) fn check_succeeded(
        &mut self,
        now: Instant,
        pair: usize,
        nominate: bool,
        mapped: SocketAddr,
    ) {
        let Some(p) = self.pairs.get(pair).cloned() else {
            return;
        };
        if let Some(base) = self.locals.get(p.local).map(|c| c.base()) {
            self.learn_local_prflx(base, mapped);
        }
        let nominated = nominate || p.nominate_on_success || p.nominated;
        if let Some(p) = self.pairs.get_mut(pair) {
            p.state = PairState::Succeeded;
            p.nominated = nominated;
        }
        if nominate && self.nominating == Some(pair) {
            self.nominating = None;
        }
        // Section 7.2.5.3.3: unfreeze the pairs of the same foundation.
        for j in 0..self.pairs.len() {
            let q = &self.pairs[j];
            if q.state == PairState::Frozen
                && self.same_foundation(q.local, q.remote, p.local, p.remote)
            {
                self.pairs[j].state = PairState::Waiting;
            }
        }
        self.first_valid.get_or_insert(now);
        self.schedule_checks(now);
        self.select(now);
        self.maybe_nominate(now);
    }

    /// Queues a triggered check on pair `i` ([RFC 8445 section 7.3.1.4](https://www.rfc-editor.org/rfc/rfc8445#section-7.3.1.4)).
    pub(super) fn trigger(&mut self, now: Instant, i: usize) {
        let Some(state) = self.pairs.get(i).map(|p| p.state) else {
            return;
        };
        match state {
            PairState::Succeeded => return,
            PairState::InProgress => {
                for t in &mut self.transactions {
                    if matches!(t.kind, TxKind::Check { pair, .. } if pair == i) {
                        t.cancelled = true;
                    }
                }
            }
            PairState::Frozen | PairState::Waiting | PairState::Failed => {}
        }
        self.pairs[i].state = PairState::Waiting;
        if !self.triggered.contains(&i) {
            self.triggered.push_back(i);
        }
        self.schedule_checks(now);
    }

    /// The best valid pair the controlling agent would nominate now, with the time it may.
    fn nomination_candidate(&self) -> Option<(usize, Instant)> {
        if self.role != IceRole::Controlling
            || self.config.lite
            || self.config.nomination != Nomination::Regular
            || self.nominating.is_some()
        {
            return None;
        }
        let (best, p) = self
            .pairs
            .iter()
            .enumerate()
            .filter(|(_, p)| p.state == PairState::Succeeded)
            .max_by_key(|(_, p)| p.priority)?;
        if p.nominated {
            return None;
        }
        let current = self.selected.as_ref().and_then(|s| s.pair);
        if let Some(cur) = current.and_then(|c| self.pairs.get(c))
            && (!self.config.renominate || cur.priority >= p.priority)
        {
            return None;
        }
        // Nominate at once when no better pair is still being checked.
        let better_pending = self.pairs.iter().any(|q| {
            q.priority > p.priority
                && matches!(
                    q.state,
                    PairState::Frozen | PairState::Waiting | PairState::InProgress
                )
        });
        let first = self.first_valid?;
        let at = if better_pending {
            first + self.config.nomination_delay
        } else {
            first
        };
        Some((best, at))
    }

    pub(super) fn nomination_deadline(&self) -> Option<Instant> {
        self.nomination_candidate().map(|(_, at)| at)
    }

    /// Regular nomination ([RFC 8445 section 8.1.1](https://www.rfc-editor.org/rfc/rfc8445#section-8.1.1)):
    /// repeat the check of the chosen valid pair with USE-CANDIDATE.
    pub(super) fn maybe_nominate(&mut self, now: Instant) {
        let Some((pair, at)) = self.nomination_candidate() else {
            return;
        };
        if now < at {
            return;
        }
        self.nominating = Some(pair);
        self.triggered.retain(|&j| j != pair);
        self.triggered.push_front(pair);
        self.schedule_checks(now);
        // The nomination does not wait for the pacing slot it may have just missed.
        if self.next_check.is_some_and(|t| t > now) {
            self.next_check = Some(now);
        }
        self.pace_checks(now);
    }

    /// Selects the best nominated valid pair when it differs from the current one
    /// ([RFC 8445 section 8.1.1](https://www.rfc-editor.org/rfc/rfc8445#section-8.1.1):
    /// with several nominations, the highest priority is used).
    pub(super) fn select(&mut self, now: Instant) {
        let Some((i, p)) = self
            .pairs
            .iter()
            .enumerate()
            .filter(|(_, p)| p.state == PairState::Succeeded && p.nominated)
            .max_by_key(|(_, p)| p.priority)
        else {
            return;
        };
        if self.selected.as_ref().is_some_and(|s| s.pair == Some(i)) {
            return;
        }
        let (Some(local), Some(remote)) = (
            self.locals.get(p.local).map(|c| c.base()),
            self.remotes.get(p.remote).map(|c| c.address()),
        ) else {
            return;
        };
        let credentials = self
            .remote
            .as_ref()
            .map(|r| (r.username.clone(), r.key.clone()));
        let next = now + self.jittered(self.config.consent_interval);
        // A new generation's path replaces the old one: its consent transactions go too.
        self.transactions.retain(|t| !t.is_consent());
        self.previous = None;
        self.consent_lost = false;
        self.selected = Some(Path {
            local,
            remote,
            pair: Some(i),
            credentials,
            last_consent: now,
            next_consent: next,
            last_sent: now,
        });
        self.emit(IceEvent::SelectedPair(SelectedPair { local, remote }));
    }

    /// Whether no pair is left to check.
    pub(super) fn checks_done(&self) -> bool {
        self.triggered.is_empty()
            && self.nominating.is_none()
            && !self.pairs.iter().any(|p| {
                matches!(
                    p.state,
                    PairState::Frozen | PairState::Waiting | PairState::InProgress
                )
            })
    }
}
