//! Parse and write throughput on real Chromium and Pion offers.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use muon_sdp::{Candidate, Session};

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("sdp");
    for name in ["chromium-av-offer", "pion-av-offer", "chromium-data-offer"] {
        let path = format!("{}/tests/fixtures/{name}.sdp", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        let session = Session::parse(&text).unwrap();
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(format!("parse/{name}"), |b| {
            b.iter(|| Session::parse(black_box(&text)).unwrap())
        });
        g.bench_function(format!("write/{name}"), |b| {
            b.iter(|| black_box(&session).to_string())
        });
    }
    let cand = "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr \
                192.168.1.2 rport 46154 generation 0 ufrag EsAw network-cost 999";
    g.throughput(Throughput::Elements(1));
    g.bench_function("parse/trickle-candidate", |b| {
        b.iter(|| Candidate::parse(black_box(cand)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
