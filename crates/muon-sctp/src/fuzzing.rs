//! The entry point of the `sctp_packet` fuzz target, public so the saved corpus can be replayed
//! by ordinary tests.

use std::time::{Duration, Instant};

use muon_proto::Rng;

use crate::wire::{self, COMMON_HEADER_LEN, Packet};
use crate::{Association, Config};

/// Runs `data` through the parser (parse, re-encode, parse again), through a listening
/// association as it is, and, with its tag, ports and checksum made valid, through an
/// established association, which is then driven for a while. Must never panic.
#[doc(hidden)]
pub fn fuzz_packet(now: Instant, data: &[u8]) {
    let _ = wire::fuzz_roundtrip(data);
    let mut listener = Association::server(Config::default(), Rng::from_seed([1; 32]));
    let _ = listener.handle_receive(now, data);
    drain(&mut listener, now);

    let (mut client, mut server, server_tag) = established(now);
    let _ = client.handle_receive(now, data);
    if data.len() >= COMMON_HEADER_LEN {
        let mut p = data.to_vec();
        p[..4].copy_from_slice(&[0x13, 0x88, 0x13, 0x88]);
        p[4..8].copy_from_slice(&server_tag.to_be_bytes());
        Packet::seal(&mut p);
        let _ = server.handle_receive(now, &p);
    }
    let mut t = now;
    for _ in 0..4 {
        relay(&mut server, &mut client, t);
        relay(&mut client, &mut server, t);
        t += Duration::from_secs(5);
        server.handle_timeout(t);
        client.handle_timeout(t);
    }
    drain(&mut server, t);
}

fn drain(a: &mut Association, now: Instant) {
    for _ in 0..1000 {
        if a.poll_transmit(now).is_none() {
            break;
        }
    }
    while a.poll_event().is_some() {}
}

fn relay(from: &mut Association, to: &mut Association, now: Instant) -> Option<u32> {
    let mut tag = None;
    for _ in 0..1000 {
        let Some(p) = from.poll_transmit(now) else {
            break;
        };
        tag = p
            .get(4..8)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
        let _ = to.handle_receive(now, &p);
    }
    while from.poll_event().is_some() {}
    tag
}

/// A client and a server after the handshake, and the server's verification tag.
fn established(now: Instant) -> (Association, Association, u32) {
    let mut client = Association::client(Config::default(), Rng::from_seed([2; 32]), now);
    let mut server = Association::server(Config::default(), Rng::from_seed([3; 32]));
    let mut server_tag = 0;
    for _ in 0..4 {
        if let Some(t) = relay(&mut client, &mut server, now) {
            server_tag = t;
        }
        relay(&mut server, &mut client, now);
    }
    (client, server, server_tag)
}
