//! The cost of answering one authenticated ICE connectivity check: decode, find the
//! credentials, verify MESSAGE-INTEGRITY and FINGERPRINT, look up the pair, and encode the
//! signed answer. Also the mux's routing of a new peer (by ufrag) and a known one (by address).
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)] // one real Instant as the epoch

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use muon_ice::{Credentials, HostFilter, IceAgent, IceConfig, IceRole, MuxConfig, UdpMux};
use muon_proto::{Receive, Rng};
use muon_stun::{Attribute, IntegrityKey, MessageEncoder, MessageType, TransactionId};

fn request(creds: &Credentials) -> Vec<u8> {
    let mut buf = Vec::new();
    MessageEncoder::new(
        &mut buf,
        MessageType::BINDING_REQUEST,
        TransactionId::from_bytes([0x5A; 12]),
    )
    .attribute(&Attribute::Username(&format!("{}:4d0b8e31", creds.ufrag())))
    .unwrap()
    .attribute(&Attribute::Priority(1_853_817_087))
    .unwrap()
    .attribute(&Attribute::IceControlling(0x0123_4567_89AB_CDEF))
    .unwrap()
    .attribute(&Attribute::UseCandidate)
    .unwrap()
    .message_integrity(&IntegrityKey::short_term(creds.pwd()))
    .unwrap()
    .fingerprint()
    .unwrap();
    buf
}

fn bench(c: &mut Criterion) {
    let now = Instant::now();
    let creds = Credentials::random(&mut Rng::from_seed([1; 32]));
    let config = IceConfig::default()
        .with_role(IceRole::Controlled)
        .with_lite(true)
        .with_host_filter(HostFilter::all());
    let mut agent = IceAgent::with_credentials(config, Rng::from_seed([2; 32]), creds.clone());
    let here: SocketAddr = "192.0.2.1:443".parse().unwrap();
    agent.add_host_candidate(now, here).unwrap();
    let datagram = request(&creds);
    let rx = Receive {
        source: "198.51.100.7:50000".parse().unwrap(),
        destination: here,
        contents: &datagram,
    };
    c.bench_function("agent_answer_authenticated_binding_request", |b| {
        b.iter(|| {
            agent.handle_receive(now, black_box(rx)).unwrap();
            black_box(agent.poll_transmit().unwrap());
        })
    });

    let mut mux = UdpMux::new(MuxConfig::default());
    for i in 0..10_000u32 {
        let mut seed = [0u8; 32];
        seed[..4].copy_from_slice(&i.to_le_bytes());
        mux.add_agent(&Credentials::random(&mut Rng::from_seed(seed)))
            .unwrap();
    }
    mux.add_agent(&creds).unwrap();
    c.bench_function("mux_route_new_peer_by_ufrag_10k_agents", |b| {
        let mut port = 0u16;
        b.iter(|| {
            port = port.wrapping_add(1);
            let rx = Receive {
                source: SocketAddr::from(([198, 51, 100, 7], port)),
                ..rx
            };
            black_box(mux.route(black_box(rx)).unwrap());
        })
    });
    let known = Receive {
        source: SocketAddr::from(([198, 51, 100, 7], port_bound(&mut mux, rx))),
        destination: here,
        contents: b"\x17\xfe\xfd srtp-ish payload",
    };
    c.bench_function("mux_route_known_peer_by_address", |b| {
        b.iter(|| black_box(mux.route(black_box(known)).unwrap()))
    });
}

/// Binds one source through an authenticated request and returns its port.
fn port_bound(mux: &mut UdpMux, rx: Receive<'_>) -> u16 {
    let rx = Receive {
        source: SocketAddr::from(([198, 51, 100, 7], 1)),
        ..rx
    };
    mux.route(rx).unwrap();
    1
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
