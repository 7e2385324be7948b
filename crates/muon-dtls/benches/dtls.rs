//! Handshake cost and record throughput, in memory (no sockets).
//!
//! `cargo bench -p muon-dtls`
#![allow(missing_docs, clippy::unwrap_used, clippy::disallowed_methods)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use muon_dtls::{Certificate, Config, Dtls, DtlsEvent, HashAlg, Role};
use muon_proto::Rng;

fn configs(rng: &mut Rng) -> (Config, Config) {
    let cc = Certificate::generate(rng);
    let sc = Certificate::generate(rng);
    (
        Config::new(cc.clone(), vec![sc.fingerprint(HashAlg::Sha256)]),
        Config::new(sc, vec![cc.fingerprint(HashAlg::Sha256)]),
    )
}

fn connect(client: &Config, server: &Config, rng: &mut Rng, now: Instant) -> (Dtls, Dtls) {
    let mut c = Dtls::new(Role::Client, client.clone(), rng.fork(), now).unwrap();
    let mut s = Dtls::new(Role::Server, server.clone(), rng.fork(), now).unwrap();
    for _ in 0..8 {
        while let Some(d) = c.poll_transmit() {
            s.handle_receive(now, &d).unwrap();
        }
        while let Some(d) = s.poll_transmit() {
            c.handle_receive(now, &d).unwrap();
        }
    }
    assert!(c.is_connected() && s.is_connected());
    (c, s)
}

fn handshake(cr: &mut Criterion) {
    let mut rng = Rng::from_seed([1; 32]);
    let (client, server) = configs(&mut rng);
    let now = Instant::now();
    cr.bench_function("handshake (client + server, ECDSA P-256, X25519)", |b| {
        b.iter(|| black_box(connect(&client, &server, &mut rng, now)));
    });
    cr.bench_function("certificate generation", |b| {
        b.iter(|| black_box(Certificate::generate(&mut rng)));
    });
}

fn records(cr: &mut Criterion) {
    let mut rng = Rng::from_seed([2; 32]);
    let (client, server) = configs(&mut rng);
    let now = Instant::now();
    let (mut c, mut s) = connect(&client, &server, &mut rng, now);
    while s.poll_event().is_some() {}
    let payload = vec![0xA5u8; 1200];
    let mut group = cr.benchmark_group("application data");
    group.throughput(Throughput::Bytes(payload.len() as u64));
    group.bench_function("seal + open 1200-byte record (AES-128-GCM)", |b| {
        b.iter(|| {
            c.send_application_data(&payload).unwrap();
            let d = c.poll_transmit().unwrap();
            s.handle_receive(now, &d).unwrap();
            match s.poll_event() {
                Some(DtlsEvent::ApplicationData(p)) => black_box(p),
                other => panic!("{other:?}"),
            }
        });
    });
    group.finish();
}

criterion_group!(benches, handshake, records);
criterion_main!(benches);
