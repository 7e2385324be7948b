//! Entry points shared by the cargo-fuzz target and the corpus replay test. Not public API.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use muon_proto::{Receive, Rng};

use crate::{Credentials, HostFilter, IceAgent, IceConfig, MuxConfig, UdpMux};

/// Feeds `data` to an agent (with known credentials, a host candidate and a remote one) and
/// to a mux, as datagrams cut at every 0xFF 0xFF 0xFF 0xFF marker, with timers in between.
/// Must never panic, and the agent's tables must stay within their limits.
pub fn ice_receive(now: Instant, data: &[u8]) {
    let config = IceConfig::default().with_host_filter(HostFilter::all());
    let local = Credentials::new("fuzzufrag", "fuzzpasswordfuzzpassword").ok();
    let remote = Credentials::new("peerufrag", "peerpasswordpeerpassword").ok();
    let (Some(local), Some(remote)) = (local, remote) else {
        return;
    };
    let mut agent =
        IceAgent::with_credentials(config.clone(), Rng::from_seed([7; 32]), local.clone());
    let here: SocketAddr = SocketAddr::from(([192, 0, 2, 1], 4000));
    let _ = agent.add_host_candidate(now, here);
    let _ = agent.set_remote_credentials(now, remote);
    let mut mux = UdpMux::new(MuxConfig::default());
    let _ = mux.add_agent(&local);
    let mut t = now;
    for (i, chunk) in split(data).enumerate() {
        let source = SocketAddr::from(([198, 51, 100, (i % 4) as u8], 5000));
        let rx = Receive {
            source,
            destination: here,
            contents: chunk,
        };
        let _ = mux.route(rx);
        let _ = agent.handle_receive(t, rx);
        t += Duration::from_millis(20);
        agent.handle_timeout(t);
        while agent.poll_transmit().is_some() {}
        while agent.poll_event().is_some() {}
    }
    let stats = agent.stats();
    assert!(stats.remote_candidates <= config.max_remote_candidates);
    assert!(stats.pairs <= config.max_pairs);
}

fn split(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = data;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let cut = rest.windows(4).position(|w| w == [0xFF; 4]);
        let (head, tail) = match cut {
            Some(i) => (&rest[..i], &rest[i + 4..]),
            None => (rest, &[][..]),
        };
        rest = tail;
        Some(head)
    })
}
