//! Unit tests of the agent: two agents wired back to back with a virtual clock, no network.
#![allow(clippy::disallowed_methods)] // one real Instant as the epoch; time then only advances virtually

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use muon_proto::{Receive, Rng, Transmit};
use muon_stun::{
    AttrType, Attribute, IntegrityKey, Message, MessageEncoder, MessageType, TransactionId,
};

use super::*;
use crate::candidate::{CandidateKind, pair_priority};
use crate::config::{HostFilter, Nomination};
use crate::error::CandidateRejection;
use crate::event::IceConnectionState as S;

const A: &str = "10.0.0.1:5000";
const B: &str = "10.0.0.2:6000";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn config(role: IceRole) -> IceConfig {
    IceConfig::default()
        .with_role(role)
        .with_host_filter(HostFilter::all())
}

/// Two agents, their events, a virtual clock and a filter deciding which datagrams arrive.
struct Duo {
    a: IceAgent,
    b: IceAgent,
    now: Instant,
    events_a: Vec<IceEvent>,
    events_b: Vec<IceEvent>,
    /// Datagrams from a to b and b to a, as sent (for inspection).
    wire_ab: Vec<Transmit>,
    deliver: fn(&Transmit) -> bool,
}

impl Duo {
    fn new(ca: IceConfig, cb: IceConfig) -> Self {
        Self {
            a: IceAgent::new(ca, Rng::from_seed([1; 32])),
            b: IceAgent::new(cb, Rng::from_seed([2; 32])),
            now: Instant::now(),
            events_a: Vec::new(),
            events_b: Vec::new(),
            wire_ab: Vec::new(),
            deliver: |_| true,
        }
    }

    /// Credentials and one host candidate each, exchanged.
    fn connect_signalling(&mut self) {
        let now = self.now;
        self.a
            .set_remote_credentials(now, self.b.local_credentials().clone())
            .unwrap();
        self.b
            .set_remote_credentials(now, self.a.local_credentials().clone())
            .unwrap();
        let ca = self.a.add_host_candidate(now, addr(A)).unwrap();
        let cb = self.b.add_host_candidate(now, addr(B)).unwrap();
        self.a.add_remote_candidate(now, cb).unwrap();
        self.b.add_remote_candidate(now, ca).unwrap();
    }

    /// One instant: deliver everything queued, then advance to the next timer and fire it.
    fn step(&mut self) {
        for _ in 0..100 {
            let mut moved = false;
            while let Some(t) = self.a.poll_transmit() {
                moved = true;
                self.wire_ab.push(t.clone());
                if (self.deliver)(&t) {
                    let _ = self.b.handle_receive(self.now, rx(&t));
                }
            }
            while let Some(t) = self.b.poll_transmit() {
                moved = true;
                if (self.deliver)(&t) {
                    let _ = self.a.handle_receive(self.now, rx(&t));
                }
            }
            if !moved {
                break;
            }
        }
        self.events_a
            .extend(std::iter::from_fn(|| self.a.poll_event()));
        self.events_b
            .extend(std::iter::from_fn(|| self.b.poll_event()));
        let next = [self.a.poll_timeout(), self.b.poll_timeout()]
            .into_iter()
            .flatten()
            .min();
        self.now = next.map_or(self.now + Duration::from_secs(1), |t| {
            t.max(self.now + Duration::from_millis(1))
        });
        self.a.handle_timeout(self.now);
        self.b.handle_timeout(self.now);
    }

    fn run_until(&mut self, limit: Duration, cond: impl Fn(&Self) -> bool) -> bool {
        let end = self.now + limit;
        while self.now < end {
            if cond(self) {
                return true;
            }
            self.step();
        }
        cond(self)
    }

    fn both_selected(&self) -> bool {
        self.a.selected_pair().is_some() && self.b.selected_pair().is_some()
    }
}

fn rx(t: &Transmit) -> Receive<'_> {
    Receive {
        source: t.source,
        destination: t.destination,
        contents: &t.contents,
    }
}

#[test]
fn two_agents_connect_and_exchange_data() {
    let mut d = Duo::new(config(IceRole::Controlling), config(IceRole::Controlled));
    d.connect_signalling();
    assert!(d.run_until(Duration::from_secs(5), Duo::both_selected));
    let sel = d.a.selected_pair().unwrap();
    assert_eq!((sel.local, sel.remote), (addr(A), addr(B)));
    assert_eq!(d.a.state(), S::Connected);
    assert!(d.events_a.contains(&IceEvent::StateChanged(S::Checking)));
    assert!(d.events_b.contains(&IceEvent::SelectedPair(SelectedPair {
        local: addr(B),
        remote: addr(A)
    })));
    let t = d.b.send(d.now, b"pong").unwrap();
    assert_eq!(
        d.a.handle_receive(d.now, rx(&t)),
        Ok(Incoming::Data(b"pong"))
    );
    // Completed once both sides have gathered and signalled end-of-candidates.
    let now = d.now;
    for ag in [&mut d.a, &mut d.b] {
        ag.end_of_local_candidates(now);
        ag.end_of_remote_candidates(now);
    }
    assert!(
        d.run_until(Duration::from_secs(2), |d| d.a.state() == S::Completed
            && d.b.state() == S::Completed)
    );
}

#[test]
fn regular_nomination_sends_use_candidate_only_after_success() {
    let mut d = Duo::new(config(IceRole::Controlling), config(IceRole::Controlled));
    d.connect_signalling();
    assert!(d.run_until(Duration::from_secs(5), Duo::both_selected));
    let checks: Vec<bool> = d
        .wire_ab
        .iter()
        .filter_map(|t| {
            Message::decode(&t.contents)
                .ok()
                .filter(|m| m.priority().is_some())
                .map(|m| m.use_candidate())
        })
        .collect();
    assert!(checks.len() >= 2, "{checks:?}");
    assert!(!checks[0], "the first check must not nominate");
    assert!(checks.contains(&true));
    // The controlled side selected only after the nominating check.
    assert!(d.b.pairs.iter().any(|p| p.nominated));
}

#[test]
fn aggressive_nomination_nominates_on_first_check() {
    let ca = config(IceRole::Controlling).with_nomination(Nomination::Aggressive);
    let mut d = Duo::new(ca, config(IceRole::Controlled));
    d.connect_signalling();
    assert!(d.run_until(Duration::from_secs(5), Duo::both_selected));
    let first = d.wire_ab.iter().find_map(|t| {
        Message::decode(&t.contents)
            .ok()
            .filter(|m| m.priority().is_some())
            .map(|m| m.use_candidate())
    });
    assert_eq!(first, Some(true));
}

#[test]
fn role_conflict_both_controlling_resolves_by_tie_breaker() {
    for (ra, rb) in [
        (IceRole::Controlling, IceRole::Controlling),
        (IceRole::Controlled, IceRole::Controlled),
    ] {
        let mut d = Duo::new(config(ra), config(rb));
        d.connect_signalling();
        assert!(
            d.run_until(Duration::from_secs(10), Duo::both_selected),
            "{ra:?}"
        );
        assert_ne!(d.a.role(), d.b.role(), "exactly one controls");
        let winner_controls = if d.a.tie_breaker >= d.b.tie_breaker {
            d.a.role()
        } else {
            d.b.role()
        };
        assert_eq!(
            winner_controls,
            IceRole::Controlling,
            "larger tie-breaker controls"
        );
        assert!(d.a.stats().role_conflicts + d.b.stats().role_conflicts > 0);
        assert!(
            d.events_a
                .iter()
                .chain(&d.events_b)
                .any(|e| matches!(e, IceEvent::RoleChanged(_)))
        );
        // Nothing left dangling by the switch: both reach Completed.
        let now = d.now;
        for ag in [&mut d.a, &mut d.b] {
            ag.end_of_local_candidates(now);
            ag.end_of_remote_candidates(now);
        }
        assert!(
            d.run_until(Duration::from_secs(20), |d| d.a.state() == S::Completed
                && d.b.state() == S::Completed),
            "{ra:?}: {:?} {:?}",
            d.a.state(),
            d.b.state()
        );
    }
}

#[test]
fn role_conflict_answers_487_when_our_tie_breaker_wins() {
    let mut agent = IceAgent::new(config(IceRole::Controlling), Rng::from_seed([3; 32]));
    agent.tie_breaker = u64::MAX;
    let now = Instant::now();
    agent.add_host_candidate(now, addr(A)).unwrap();
    let req = request(&agent, |e| {
        e.attribute(&Attribute::IceControlling(5)).map(|_| ())
    });
    agent.handle_receive(now, incoming(&req)).unwrap();
    let resp = agent.poll_transmit().unwrap();
    let m = Message::decode(&resp.contents).unwrap();
    assert_eq!(m.error_code().map(|e| e.code), Some(487));
    assert_eq!(agent.role(), IceRole::Controlling);
    // With a smaller tie-breaker it yields instead and answers success.
    agent.tie_breaker = 0;
    let req = request(&agent, |e| {
        e.attribute(&Attribute::IceControlling(5)).map(|_| ())
    });
    agent.handle_receive(now, incoming(&req)).unwrap();
    let m2 = agent.poll_transmit().unwrap();
    assert_eq!(Message::decode(&m2.contents).unwrap().error_code(), None);
    assert_eq!(agent.role(), IceRole::Controlled);
}

/// A request to `agent` from the peer `B`, with the right credentials and extra attributes.
fn request(
    agent: &IceAgent,
    extra: impl FnOnce(&mut MessageEncoder<'_>) -> Result<(), muon_stun::StunError>,
) -> Vec<u8> {
    let key = IntegrityKey::short_term(agent.local_credentials().pwd());
    let user = format!("{}:peer", agent.local_credentials().ufrag());
    let mut buf = Vec::new();
    let mut enc = MessageEncoder::new(
        &mut buf,
        MessageType::BINDING_REQUEST,
        TransactionId::from_bytes([9; 12]),
    );
    enc.attribute(&Attribute::Username(&user))
        .unwrap()
        .attribute(&Attribute::Priority(1_862_270_975))
        .unwrap();
    extra(&mut enc).unwrap();
    enc.message_integrity(&key).unwrap().fingerprint().unwrap();
    buf
}

fn incoming(bytes: &[u8]) -> Receive<'_> {
    Receive {
        source: addr(B),
        destination: addr(A),
        contents: bytes,
    }
}

#[test]
fn requests_without_role_or_with_unknown_attributes_get_errors() {
    let mut agent = IceAgent::new(config(IceRole::Controlled), Rng::from_seed([3; 32]));
    let now = Instant::now();
    agent.add_host_candidate(now, addr(A)).unwrap();
    let req = request(&agent, |_| Ok(()));
    agent.handle_receive(now, incoming(&req)).unwrap();
    let m = agent.poll_transmit().unwrap();
    assert_eq!(
        Message::decode(&m.contents)
            .unwrap()
            .error_code()
            .map(|e| e.code),
        Some(400)
    );
    let req = request(&agent, |e| {
        e.attribute(&Attribute::IceControlling(1))?
            .attribute(&Attribute::Other {
                typ: AttrType::new(0x0777),
                value: b"x",
            })
            .map(|_| ())
    });
    agent.handle_receive(now, incoming(&req)).unwrap();
    let m = agent.poll_transmit().unwrap();
    assert_eq!(
        Message::decode(&m.contents)
            .unwrap()
            .error_code()
            .map(|e| e.code),
        Some(420)
    );
    // No pair was formed from either.
    assert_eq!(agent.stats().pairs, 0);
}

#[test]
fn wrong_ufrag_and_wrong_integrity_are_dropped_and_counted() {
    let mut agent = IceAgent::new(config(IceRole::Controlled), Rng::from_seed([3; 32]));
    let now = Instant::now();
    agent.add_host_candidate(now, addr(A)).unwrap();
    let mut req = request(&agent, |e| {
        e.attribute(&Attribute::IceControlling(1)).map(|_| ())
    });
    // Flip a byte of the HMAC (24 bytes of MESSAGE-INTEGRITY before the 8-byte FINGERPRINT
    // would break the fingerprint, so rebuild the fingerprint by signing with another key).
    let other = IntegrityKey::short_term("not-the-password-at-all");
    let mut forged = Vec::new();
    let user = format!("{}:peer", agent.local_credentials().ufrag());
    MessageEncoder::new(
        &mut forged,
        MessageType::BINDING_REQUEST,
        TransactionId::from_bytes([1; 12]),
    )
    .attribute(&Attribute::Username(&user))
    .unwrap()
    .attribute(&Attribute::IceControlling(1))
    .unwrap()
    .attribute(&Attribute::Priority(1))
    .unwrap()
    .message_integrity(&other)
    .unwrap()
    .fingerprint()
    .unwrap();
    assert_eq!(
        agent.handle_receive(now, incoming(&forged)),
        Err(IceError::BadIntegrity)
    );
    let last = req.len() - 9;
    req[last] ^= 1; // corrupt the FINGERPRINT: malformed
    assert!(matches!(
        agent.handle_receive(now, incoming(&req)),
        Err(IceError::Malformed(_))
    ));
    let mut wrong_user = Vec::new();
    MessageEncoder::new(
        &mut wrong_user,
        MessageType::BINDING_REQUEST,
        TransactionId::from_bytes([2; 12]),
    )
    .attribute(&Attribute::Username("someoneelse:peer"))
    .unwrap()
    .fingerprint()
    .unwrap();
    assert_eq!(
        agent.handle_receive(now, incoming(&wrong_user)),
        Err(IceError::UnknownUsername)
    );
    assert_eq!(
        agent.handle_receive(now, incoming(b"\x17\xfe\xfd")),
        Err(IceError::UnknownSource)
    );
    let s = agent.stats();
    assert_eq!(
        (
            s.dropped_bad_integrity,
            s.dropped_malformed,
            s.dropped_unknown_username,
            s.dropped_unknown_source
        ),
        (1, 1, 1, 1)
    );
    assert!(agent.poll_transmit().is_none(), "nothing answered");
    assert_eq!(s.remote_candidates, 0);
}

#[test]
fn pairs_form_per_family_with_role_priorities_and_freezing() {
    let mut agent = IceAgent::new(config(IceRole::Controlling), Rng::from_seed([4; 32]));
    let now = Instant::now();
    let creds = Credentials::random(&mut Rng::from_seed([5; 32]));
    agent.set_remote_credentials(now, creds).unwrap();
    agent
        .add_host_candidate(now, addr("10.0.0.1:1000"))
        .unwrap();
    agent
        .add_host_candidate(now, addr("[2001:db8::1]:1000"))
        .unwrap();
    // A local server-reflexive candidate is pruned: its pairs would be its base's.
    agent.gathered(
        addr("10.0.0.1:1000"),
        addr("198.51.100.1:3478"),
        addr("203.0.113.1:1"),
    );
    assert_eq!(agent.local_candidates().len(), 3);
    let r = |a: &str, k, p, f: &str| Candidate::remote(k, addr(a), p, f);
    agent
        .add_remote_candidate(
            now,
            r("10.0.0.2:2000", CandidateKind::Host, 2_130_706_431, "1"),
        )
        .unwrap();
    agent
        .add_remote_candidate(
            now,
            r("10.0.0.3:2000", CandidateKind::Host, 2_130_706_175, "1"),
        )
        .unwrap();
    agent
        .add_remote_candidate(
            now,
            r(
                "[2001:db8::2]:2000",
                CandidateKind::Host,
                2_130_706_431,
                "2",
            ),
        )
        .unwrap();
    assert_eq!(
        agent.pairs.len(),
        3,
        "v4 x v4 twice, v6 x v6 once, srflx pruned"
    );
    for p in &agent.pairs {
        let (l, rm) = (&agent.locals[p.local], &agent.remotes[p.remote]);
        assert_eq!(l.kind(), CandidateKind::Host);
        assert_eq!(l.address().is_ipv4(), rm.address().is_ipv4());
        assert_eq!(p.priority, pair_priority(l.priority(), rm.priority()));
    }
    // Same foundation pair (local 10.0.0.1 host, remote foundation "1") twice: one frozen.
    let states: Vec<PairState> = agent.pairs.iter().map(|p| p.state).collect();
    assert_eq!(
        states.iter().filter(|s| **s == PairState::Frozen).count(),
        1,
        "{states:?}"
    );
    // A duplicate remote is refused; the limit holds.
    assert_eq!(
        agent.add_remote_candidate(now, r("10.0.0.2:2000", CandidateKind::Host, 1, "1")),
        Err(IceError::CandidateRejected(CandidateRejection::Duplicate))
    );
    // Switching role swaps G and D in every pair priority.
    agent.set_role(IceRole::Controlled);
    for p in &agent.pairs {
        let (l, rm) = (&agent.locals[p.local], &agent.remotes[p.remote]);
        assert_eq!(p.priority, pair_priority(rm.priority(), l.priority()));
    }
}

#[test]
fn pair_limit_is_enforced_and_counted() {
    let mut agent = IceAgent::new(
        config(IceRole::Controlling).with_limits(64, 3),
        Rng::from_seed([4; 32]),
    );
    let now = Instant::now();
    agent.add_host_candidate(now, addr(A)).unwrap();
    for i in 0..5u16 {
        let c = Candidate::remote(
            CandidateKind::Host,
            SocketAddr::from(([10, 0, 0, 9], 1000 + i)),
            1,
            "x",
        );
        agent.add_remote_candidate(now, c).unwrap();
    }
    assert_eq!(agent.stats().pairs, 3);
    assert_eq!(agent.stats().dropped_pairs, 2);
}

#[test]
fn lite_agent_answers_and_follows_nomination_without_checking() {
    let mut d = Duo::new(
        config(IceRole::Controlled),
        IceConfig::default()
            .with_lite(true)
            .with_host_filter(HostFilter::all()),
    );
    d.a.set_remote_lite(true);
    assert_eq!(d.a.role(), IceRole::Controlling);
    d.connect_signalling();
    assert!(d.run_until(Duration::from_secs(5), Duo::both_selected));
    assert_eq!(d.b.stats().checks_sent, 0, "lite agents send no checks");
    assert_eq!(d.b.state(), S::Completed);
    assert!(
        d.b.add_stun_server(d.now, addr("198.51.100.1:3478"))
            .is_err()
    );
    // The lite side keeps the path alive with keepalives while the full side checks consent.
    let before = d.b.stats().keepalives_sent;
    assert!(
        d.run_until(Duration::from_secs(40), |d| d.b.stats().keepalives_sent
            > before)
    );
    assert_eq!(d.a.state(), S::Connected);
    assert!(d.b.selected_pair().is_some());
}

/// The controlled side's checks succeed and every candidate is known, but the nomination has
/// not arrived (in real calls: the answerer's checks beat the answer to the offerer). A valid
/// pair waiting for nomination is not a failure (RFC 8445 section 8.1.1); found in interop by
/// muon-rtc, whose controlled agents went Failed on every such connection.
#[test]
fn controlled_side_waiting_for_nomination_is_not_failed() {
    let mut d = Duo::new(config(IceRole::Controlling), config(IceRole::Controlled));
    // Every request from the controlling side that nominates is lost.
    d.deliver = |t| Message::decode(&t.contents).map_or(true, |m| !m.use_candidate());
    d.connect_signalling();
    let now = d.now;
    d.a.end_of_local_candidates(now);
    d.b.end_of_local_candidates(now);
    d.a.end_of_remote_candidates(now);
    d.b.end_of_remote_candidates(now);
    assert!(d.run_until(Duration::from_secs(5), |d| {
        d.b.pairs.iter().any(|p| p.state == PairState::Succeeded) && d.b.checks_done()
    }));
    d.run_until(Duration::from_secs(3), |_| false);
    assert_ne!(d.b.state(), S::Failed, "events: {:?}", d.events_b);
    assert!(d.b.selected_pair().is_none());
    // Once the nomination gets through, the controlled side selects the pair.
    d.deliver = |_| true;
    assert!(d.run_until(Duration::from_secs(30), Duo::both_selected));
    assert!(!d.events_b.contains(&IceEvent::StateChanged(S::Failed)));
}

#[test]
fn consent_loss_disconnects_then_fails_and_stops_sending() {
    let mut d = Duo::new(config(IceRole::Controlling), config(IceRole::Controlled));
    d.connect_signalling();
    assert!(d.run_until(Duration::from_secs(5), Duo::both_selected));
    d.deliver = |_| false;
    let last = d.a.selected.as_ref().unwrap().last_consent;
    assert!(d.run_until(Duration::from_secs(20), |d| d.a.state() == S::Disconnected));
    // Exactly at the virtual deadline (timers fire at the instant they asked for).
    assert_eq!(d.now - last, Duration::from_secs(8));
    assert!(d.a.send(d.now, b"still ok while disconnected").is_ok());
    assert!(d.run_until(Duration::from_secs(30), |d| d.a.state() == S::Failed));
    assert_eq!(d.now - last, Duration::from_secs(30));
    assert_eq!(d.a.send(d.now, b"x"), Err(IceError::ConsentExpired));
    assert!(d.a.selected_pair().is_none());
    assert!(d.a.stats().consent_checks_sent >= 5);
}

#[test]
fn consent_returning_recovers_from_disconnected() {
    let mut d = Duo::new(config(IceRole::Controlling), config(IceRole::Controlled));
    d.connect_signalling();
    assert!(d.run_until(Duration::from_secs(5), Duo::both_selected));
    d.deliver = |_| false;
    assert!(d.run_until(Duration::from_secs(20), |d| d.a.state() == S::Disconnected));
    d.deliver = |_| true;
    assert!(d.run_until(Duration::from_secs(10), |d| d.a.state() == S::Connected));
    assert!(
        d.events_a
            .ends_with(&[IceEvent::StateChanged(S::Connected)])
            || d.a.state() == S::Connected
    );
}

#[test]
fn mdns_candidate_waits_for_resolution() {
    let mut d = Duo::new(config(IceRole::Controlling), config(IceRole::Controlled));
    let now = d.now;
    d.a.set_remote_credentials(now, d.b.local_credentials().clone())
        .unwrap();
    d.b.set_remote_credentials(now, d.a.local_credentials().clone())
        .unwrap();
    d.a.add_host_candidate(now, addr(A)).unwrap();
    let cb = d.b.add_host_candidate(now, addr(B)).unwrap();
    let name = "1f4712db-ea17-4bcf-a596-105139dfd8bf.local";
    d.a.add_remote_mdns_candidate(now, name, 6000, cb.priority(), cb.foundation())
        .unwrap();
    assert_eq!(
        d.a.poll_event(),
        Some(IceEvent::LocalCandidate(d.a.local_candidates()[0].clone()))
    );
    assert_eq!(
        d.a.poll_event(),
        Some(IceEvent::ResolveMdns(name.to_owned()))
    );
    assert_eq!(d.a.pending_mdns_candidates(), 1);
    assert_eq!(d.a.stats().pairs, 0);
    assert!(
        d.a.add_remote_mdns_candidate(now, "example.com", 1, 1, "1")
            .is_err()
    );
    d.a.resolved_mdns(now, name, addr(B).ip());
    assert_eq!(d.a.pending_mdns_candidates(), 0);
    assert_eq!(d.a.remote_candidates()[0].address(), addr(B));
    // b never learns a's candidate by signalling: a's check makes it peer-reflexive.
    assert!(d.run_until(Duration::from_secs(5), Duo::both_selected));
    assert_eq!(
        d.b.remote_candidates()[0].kind(),
        CandidateKind::PeerReflexive
    );
}

#[test]
fn peer_reflexive_candidate_replaces_pending_mdns_and_upgrades_on_signal() {
    let mut d = Duo::new(config(IceRole::Controlling), config(IceRole::Controlled));
    d.connect_signalling();
    let now = d.now;
    let ca = d.a.local_candidates()[0].clone();
    // b only has a's mDNS name for a second candidate with the same port: a's checks reveal it.
    d.b.remotes.clear();
    d.b.pairs.clear();
    d.b.add_remote_mdns_candidate(now, "abc.local", ca.address().port(), ca.priority(), "7")
        .unwrap();
    assert!(d.run_until(Duration::from_secs(5), Duo::both_selected));
    assert_eq!(
        d.b.pending_mdns_candidates(),
        0,
        "replaced by the peer-reflexive candidate"
    );
    let prflx = &d.b.remote_candidates()[0];
    assert_eq!(prflx.kind(), CandidateKind::PeerReflexive);
    // The signalled candidate arriving late upgrades the peer-reflexive one in place.
    d.b.add_remote_candidate(d.now, ca.clone()).unwrap();
    assert_eq!(d.b.remote_candidates().len(), 1);
    assert_eq!(d.b.remote_candidates()[0].kind(), CandidateKind::Host);
    assert_eq!(d.b.remote_candidates()[0].priority(), ca.priority());
}

#[test]
fn restart_keeps_the_old_path_until_the_new_one_is_selected() {
    let mut d = Duo::new(config(IceRole::Controlling), config(IceRole::Controlled));
    d.connect_signalling();
    assert!(d.run_until(Duration::from_secs(5), Duo::both_selected));
    let now = d.now;
    let old = d.a.selected_pair().unwrap();
    let old_ufrag = d.a.local_credentials().ufrag().to_owned();
    let ca = d.a.restart(now);
    let cb = d.b.restart(now);
    assert_ne!(ca.ufrag(), old_ufrag);
    assert!(d.a.remote_credentials().is_none());
    assert_eq!(d.a.selected_pair(), Some(old), "old path still usable");
    assert_eq!(d.a.state(), S::Connected);
    assert!(d.a.send(now, b"during restart").is_ok());
    // Consent on the old path keeps flowing under the old credentials for a while.
    let consent_before = d.a.stats().consent_checks_sent;
    let _ = d.run_until(Duration::from_secs(12), |_| false);
    assert!(d.a.stats().consent_checks_sent > consent_before);
    assert_eq!(d.a.state(), S::Connected, "old path kept consent");
    // New generation: a second address on a.
    let now = d.now;
    d.a.set_remote_credentials(now, cb).unwrap();
    d.b.set_remote_credentials(now, ca).unwrap();
    let na = d.a.add_host_candidate(now, addr("10.0.0.1:5001")).unwrap();
    let nb = d.b.add_host_candidate(now, addr(B)).unwrap();
    d.a.add_remote_candidate(now, nb).unwrap();
    d.b.add_remote_candidate(now, na).unwrap();
    assert!(d.run_until(Duration::from_secs(5), |d| {
        d.a.selected_pair()
            .is_some_and(|p| p.local == addr("10.0.0.1:5001"))
            && d.b
                .selected_pair()
                .is_some_and(|p| p.remote == addr("10.0.0.1:5001"))
    }));
    assert!(d.a.previous.is_none());
    assert_eq!(d.a.state(), S::Connected);
}

#[test]
fn controlled_accepts_nomination_before_its_own_check_succeeds() {
    let mut agent = IceAgent::new(config(IceRole::Controlled), Rng::from_seed([3; 32]));
    let now = Instant::now();
    agent.add_host_candidate(now, addr(A)).unwrap();
    agent
        .set_remote_credentials(
            now,
            Credentials::new("peer", "peerpasswordpeerpassword").unwrap(),
        )
        .unwrap();
    let req = request(&agent, |e| {
        e.attribute(&Attribute::IceControlling(1))?
            .attribute(&Attribute::UseCandidate)
            .map(|_| ())
    });
    agent.handle_receive(now, incoming(&req)).unwrap();
    assert!(agent.pairs[0].nominate_on_success && !agent.pairs[0].nominated);
    assert!(agent.selected_pair().is_none());
    // The answer, then the triggered check.
    let _answer = agent.poll_transmit().unwrap();
    agent.handle_timeout(now);
    let check = agent.poll_transmit().unwrap();
    let m = Message::decode(&check.contents).unwrap();
    let key = IntegrityKey::short_term("peerpasswordpeerpassword");
    let mut resp = Vec::new();
    MessageEncoder::new(&mut resp, MessageType::BINDING_SUCCESS, m.transaction_id())
        .attribute(&Attribute::XorMappedAddress(addr(A)))
        .unwrap()
        .message_integrity(&key)
        .unwrap()
        .fingerprint()
        .unwrap();
    agent.handle_receive(now, incoming(&resp)).unwrap();
    assert!(agent.pairs[0].nominated);
    assert_eq!(agent.selected_pair().map(|p| p.remote), Some(addr(B)));
}

#[test]
fn relayed_candidates_pair_and_send_from_the_relayed_address() {
    let mut agent = IceAgent::new(config(IceRole::Controlling), Rng::from_seed([6; 32]));
    let now = Instant::now();
    let relayed = addr("198.51.100.9:49152");
    let c = agent
        .add_relayed_candidate(now, relayed, addr("198.51.100.9:3478").ip())
        .unwrap();
    assert_eq!(
        (c.kind(), c.base(), c.related_address()),
        (CandidateKind::Relayed, relayed, None)
    );
    assert_eq!(c.priority() >> 24, 0, "relayed type preference is 0");
    agent
        .set_remote_credentials(
            now,
            Credentials::new("peer", "peerpasswordpeerpassword").unwrap(),
        )
        .unwrap();
    agent
        .add_remote_candidate(now, Candidate::remote(CandidateKind::Host, addr(B), 1, "r"))
        .unwrap();
    agent.handle_timeout(now);
    let check = agent.poll_transmit().unwrap();
    assert_eq!((check.source, check.destination), (relayed, addr(B)));
}

#[test]
fn host_filter_and_unusable_addresses_are_refused() {
    let mut agent = IceAgent::new(IceConfig::default(), Rng::from_seed([6; 32]));
    let now = Instant::now();
    let refused = |a: &mut IceAgent, s: &str| a.add_host_candidate(now, addr(s)).unwrap_err();
    use CandidateRejection as R;
    assert_eq!(
        refused(&mut agent, "127.0.0.1:1"),
        IceError::CandidateRejected(R::Filtered)
    );
    assert_eq!(
        refused(&mut agent, "[fe80::1]:1"),
        IceError::CandidateRejected(R::Filtered)
    );
    assert_eq!(
        refused(&mut agent, "0.0.0.0:1"),
        IceError::CandidateRejected(R::Unusable)
    );
    assert_eq!(
        refused(&mut agent, "10.0.0.1:0"),
        IceError::CandidateRejected(R::Unusable)
    );
    agent.add_host_candidate(now, addr("10.0.0.1:1")).unwrap();
    assert_eq!(
        refused(&mut agent, "10.0.0.1:1"),
        IceError::CandidateRejected(R::Duplicate)
    );
    assert!(
        agent
            .add_host_candidate(now, addr("[2001:db8::1]:1"))
            .is_ok()
    );
}

#[test]
fn close_stops_everything_and_debug_hides_secrets() {
    let mut d = Duo::new(config(IceRole::Controlling), config(IceRole::Controlled));
    d.connect_signalling();
    assert!(d.run_until(Duration::from_secs(5), Duo::both_selected));
    let dbg = format!("{:?}", d.a);
    assert!(!dbg.contains(d.a.local_credentials().pwd()));
    assert!(!dbg.contains("10.0.0.1"));
    d.a.close(d.now);
    assert_eq!(d.a.state(), S::Closed);
    assert_eq!(d.a.send(d.now, b"x"), Err(IceError::Closed));
    assert_eq!(d.a.poll_timeout(), None);
    assert!(d.a.poll_transmit().is_none());
    let t = d.b.send(d.now, b"late").unwrap();
    assert_eq!(d.a.handle_receive(d.now, rx(&t)), Err(IceError::Closed));
}

#[test]
fn checks_are_paced_by_ta_and_retransmitted_with_backoff_until_failure() {
    let mut agent = IceAgent::new(config(IceRole::Controlling), Rng::from_seed([8; 32]));
    let start = Instant::now();
    agent.add_host_candidate(start, addr(A)).unwrap();
    agent
        .set_remote_credentials(
            start,
            Credentials::new("peer", "peerpasswordpeerpassword").unwrap(),
        )
        .unwrap();
    for i in 0..3u16 {
        let c = Candidate::remote(
            CandidateKind::Host,
            SocketAddr::from(([10, 0, 0, 9], 1000 + i)),
            100 - u32::from(i),
            "x",
        );
        agent.add_remote_candidate(start, c).unwrap();
    }
    // Nobody answers: record when each datagram leaves, per destination.
    let mut sent: Vec<(Duration, SocketAddr, TransactionId)> = Vec::new();
    let mut now = start;
    for _ in 0..200 {
        let Some(t) = agent.poll_timeout() else { break };
        now = t;
        agent.handle_timeout(now);
        while let Some(tx) = agent.poll_transmit() {
            let id = Message::decode(&tx.contents).unwrap().transaction_id();
            sent.push((now - start, tx.destination, id));
        }
    }
    // First transmissions: one per Ta, best pair first (pair priorities follow the remote's).
    let firsts: Vec<(Duration, u16)> = sent
        .iter()
        .enumerate()
        .filter(|(i, s)| sent[..*i].iter().all(|p| p.2 != s.2))
        .map(|(_, s)| (s.0, s.1.port()))
        .collect();
    let ta = Duration::from_millis(50);
    assert_eq!(
        &firsts[..3],
        &[(Duration::ZERO, 1000), (ta, 1001), (2 * ta, 1002)]
    );
    // Retransmissions of the first check: RTO doubling from 500 ms, capped at 2.5 s, 7 in all.
    let first_id = sent[0].2;
    let times: Vec<u64> = sent
        .iter()
        .filter(|s| s.2 == first_id)
        .map(|s| s.0.as_millis() as u64)
        .collect();
    assert_eq!(times, [0, 500, 1500, 3500, 6000, 8500, 11000]);
    // Then every pair failed, and with end-of-candidates the agent reports it.
    assert!(agent.pairs.iter().all(|p| p.state == PairState::Failed));
    assert_eq!(agent.state(), S::Checking);
    agent.end_of_local_candidates(now);
    agent.end_of_remote_candidates(now);
    assert_eq!(agent.state(), S::Failed);
}
