//! Property tests: arbitrary bytes never panic the agent or the mux nor grow their tables;
//! what the agent encodes decodes to what it meant (checks and answers round-trip).
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)] // one real Instant as the epoch

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use muon_ice::{
    Candidate, CandidateKind, Credentials, HostFilter, IceAgent, IceConfig, IceRole, MuxConfig,
    UdpMux,
};
use muon_proto::{Receive, Rng};
use muon_stun::{Attribute, IntegrityKey, Message, MessageEncoder, MessageType, TransactionId};
use proptest::prelude::*;

fn agent(role: IceRole, creds: Credentials) -> IceAgent {
    let config = IceConfig::default()
        .with_role(role)
        .with_host_filter(HostFilter::all());
    IceAgent::with_credentials(config, Rng::from_seed([1; 32]), creds)
}

fn ice_string(min: usize, max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Za-z0-9+/]{{{min},{max}}}")).unwrap()
}

fn any_addr() -> impl Strategy<Value = SocketAddr> {
    prop_oneof![
        (any::<[u8; 4]>(), 1..=u16::MAX)
            .prop_map(|(ip, p)| SocketAddr::new(IpAddr::V4(Ipv4Addr::from(ip)), p)),
        (any::<[u8; 16]>(), 1..=u16::MAX)
            .prop_map(|(ip, p)| SocketAddr::new(IpAddr::V6(Ipv6Addr::from(ip)), p)),
    ]
}

proptest! {
    #[test]
    fn arbitrary_datagrams_never_panic_or_grow_tables(
        datagrams in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..600), 1..20),
        stun_like in any::<bool>(),
    ) {
        let now = Instant::now();
        let creds = Credentials::new("ufrag", "passwordpasswordpassword").unwrap();
        let mut a = agent(IceRole::Controlled, creds.clone());
        let here: SocketAddr = "192.0.2.1:4000".parse().unwrap();
        a.add_host_candidate(now, here).unwrap();
        let mut mux = UdpMux::new(MuxConfig::default());
        mux.add_agent(&creds).unwrap();
        for (i, mut d) in datagrams.into_iter().enumerate() {
            if stun_like && d.len() >= 20 {
                // Make it pass the quick STUN test so the decoder and handlers run.
                d[0] &= 0x01;
                d[4..8].copy_from_slice(&[0x21, 0x12, 0xA4, 0x42]);
                let len = ((d.len() - 20) / 4 * 4) as u16;
                d.truncate(20 + usize::from(len));
                d[2..4].copy_from_slice(&len.to_be_bytes());
            }
            let rx = Receive {
                source: SocketAddr::from(([198, 51, 100, i as u8], 5000)),
                destination: here,
                contents: &d,
            };
            let _ = mux.route(rx);
            let _ = a.handle_receive(now + Duration::from_millis(i as u64), rx);
            a.handle_timeout(now + Duration::from_millis(i as u64));
            while a.poll_transmit().is_some() {}
        }
        // Nothing unauthenticated can bind an address or teach a candidate.
        prop_assert_eq!(mux.stats().addresses, 0);
        prop_assert_eq!(a.stats().remote_candidates, 0);
        prop_assert_eq!(a.stats().pairs, 0);
    }

    #[test]
    fn checks_round_trip_credentials_priority_and_role(
        local in ice_string(4, 40),
        remote in ice_string(4, 40),
        lpwd in ice_string(22, 40),
        rpwd in ice_string(22, 40),
        controlling in any::<bool>(),
        port in 1024u16..,
    ) {
        prop_assume!(local != remote);
        let now = Instant::now();
        let role = if controlling { IceRole::Controlling } else { IceRole::Controlled };
        let mut a = agent(role, Credentials::new(&local, &lpwd).unwrap());
        a.set_remote_credentials(now, Credentials::new(&remote, &rpwd).unwrap()).unwrap();
        let host = a.add_host_candidate(now, SocketAddr::from(([10, 0, 0, 1], port))).unwrap();
        a.add_remote_candidate(now, Candidate::remote(CandidateKind::Host, "10.0.0.2:9".parse().unwrap(), 5, "f")).unwrap();
        a.handle_timeout(now);
        let t = a.poll_transmit().unwrap();
        let m = Message::decode(&t.contents).unwrap();
        m.verify_integrity(&IntegrityKey::short_term(&rpwd)).unwrap();
        let expected_user = format!("{remote}:{local}");
        prop_assert_eq!(m.username(), Some(expected_user.as_str()));
        // PRIORITY is the candidate's priority with the peer-reflexive type preference.
        prop_assert_eq!(m.priority().map(|p| p & 0x00FF_FFFF), Some(host.priority() & 0x00FF_FFFF));
        prop_assert_eq!(m.priority().map(|p| p >> 24), Some(110));
        prop_assert_eq!(m.ice_controlling().is_some(), controlling);
        prop_assert_eq!(m.ice_controlled().is_some(), !controlling);
        prop_assert_eq!(t.source, host.address());
    }

    #[test]
    fn answers_reflect_any_source_address(source in any_addr(), txid in any::<[u8; 12]>()) {
        let now = Instant::now();
        let creds = Credentials::new("ufrag", "passwordpasswordpassword").unwrap();
        let mut a = agent(IceRole::Controlled, creds.clone());
        let here: SocketAddr = if source.is_ipv4() { "192.0.2.1:4000" } else { "[2001:db8::1]:4000" }.parse().unwrap();
        a.add_host_candidate(now, here).unwrap();
        let key = IntegrityKey::short_term(creds.pwd());
        let mut req = Vec::new();
        MessageEncoder::new(&mut req, MessageType::BINDING_REQUEST, TransactionId::from_bytes(txid))
            .attribute(&Attribute::Username("ufrag:peer")).unwrap()
            .attribute(&Attribute::Priority(7)).unwrap()
            .attribute(&Attribute::IceControlling(1)).unwrap()
            .message_integrity(&key).unwrap()
            .fingerprint().unwrap();
        a.handle_receive(now, Receive { source, destination: here, contents: &req }).unwrap();
        let t = a.poll_transmit().unwrap();
        prop_assert_eq!((t.source, t.destination), (here, source));
        let m = Message::decode(&t.contents).unwrap();
        m.verify_integrity(&key).unwrap();
        prop_assert_eq!(m.transaction_id(), TransactionId::from_bytes(txid));
        prop_assert_eq!(m.xor_mapped_address(), Some(source));
        prop_assert_eq!(a.remote_candidates()[0].kind(), CandidateKind::PeerReflexive);
        prop_assert_eq!(a.remote_candidates()[0].priority(), 7);
    }

    #[test]
    fn bit_flips_of_a_valid_check_never_panic(flip in 0usize..800, bit in 0u8..8) {
        let now = Instant::now();
        let creds = Credentials::new("ufrag", "passwordpasswordpassword").unwrap();
        let mut a = agent(IceRole::Controlled, creds.clone());
        let here: SocketAddr = "192.0.2.1:4000".parse().unwrap();
        a.add_host_candidate(now, here).unwrap();
        let mut req = Vec::new();
        MessageEncoder::new(&mut req, MessageType::BINDING_REQUEST, TransactionId::from_bytes([1; 12]))
            .attribute(&Attribute::Username("ufrag:peer")).unwrap()
            .attribute(&Attribute::Priority(7)).unwrap()
            .attribute(&Attribute::IceControlling(1)).unwrap()
            .attribute(&Attribute::UseCandidate).unwrap()
            .message_integrity(&IntegrityKey::short_term(creds.pwd())).unwrap()
            .fingerprint().unwrap();
        let i = flip % req.len();
        req[i] ^= 1 << bit;
        let r = a.handle_receive(now, Receive { source: "198.51.100.1:1".parse().unwrap(), destination: here, contents: &req });
        // Integrity and FINGERPRINT reject almost every flip. The rest hit bits no check
        // covers (the class bits make it an indication; a flipped FINGERPRINT type is an
        // ignored attribute after MESSAGE-INTEGRITY): at most one answer, one candidate.
        let answers = std::iter::from_fn(|| a.poll_transmit()).count();
        if r.is_err() {
            prop_assert_eq!(answers, 0);
            prop_assert_eq!(a.stats().remote_candidates, 0);
        } else {
            prop_assert!(answers <= 1);
            prop_assert!(a.stats().remote_candidates <= 1);
        }
    }
}
