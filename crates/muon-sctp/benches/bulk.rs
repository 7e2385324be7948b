//! In-process bulk transfer between two associations (no sockets, no DTLS), on a virtual
//! clock: throughput in MiB/s for 16 KiB and 64 KiB messages, clean and with 1% loss (each
//! packet dropped with probability 0.01 both ways), and with the RFC 9653 zero checksum.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use muon_proto::Rng;
use muon_sctp::{Association, Config, Event, Ppid, Reliability};

/// Bytes moved per benchmark iteration.
const PER_ITER: usize = 8 * 1024 * 1024;

struct Bench {
    a: Association,
    b: Association,
    now: Instant,
    loss: f64,
    rng: Rng,
}

impl Bench {
    fn new(loss: f64, zero_checksum: bool) -> Self {
        let now = muon_netsim::Clock::new().now();
        let mut config = Config::default();
        config.zero_checksum = zero_checksum;
        let mut s = Self {
            a: Association::client(config.clone(), Rng::from_seed([1; 32]), now),
            b: Association::server(config, Rng::from_seed([2; 32])),
            now,
            loss,
            rng: Rng::from_seed([3; 32]),
        };
        while !(s.a.is_established() && s.b.is_established()) {
            s.step();
        }
        while s.a.poll_event().is_some() || s.b.poll_event().is_some() {}
        s
    }

    /// Moves every pending packet both ways (dropping some); advances the clock when idle.
    fn step(&mut self) -> usize {
        let mut moved = 0;
        while let Some(p) = self.a.poll_transmit(self.now) {
            moved += 1;
            if self.loss == 0.0 || self.rng.unit_f64() >= self.loss {
                let _ = self.b.handle_receive(self.now, &p);
            }
        }
        while let Some(p) = self.b.poll_transmit(self.now) {
            moved += 1;
            if self.loss == 0.0 || self.rng.unit_f64() >= self.loss {
                let _ = self.a.handle_receive(self.now, &p);
            }
        }
        if moved == 0 {
            let next = [self.a.poll_timeout(), self.b.poll_timeout()]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(self.now + Duration::from_millis(1));
            self.now = next.max(self.now + Duration::from_micros(1));
            self.a.handle_timeout(self.now);
            self.b.handle_timeout(self.now);
        }
        moved
    }

    /// Sends `PER_ITER` bytes in `size`-byte messages and waits until all arrived.
    fn transfer(&mut self, msg: &Bytes) -> usize {
        let n = PER_ITER / msg.len();
        let (mut sent, mut got) = (0, 0);
        while got < n {
            while sent < n && self.a.send_buffered_bytes() < 4 * 1024 * 1024 {
                self.a
                    .send(
                        self.now,
                        1,
                        Ppid::BINARY,
                        true,
                        Reliability::Reliable,
                        msg.clone(),
                    )
                    .unwrap();
                sent += 1;
            }
            self.step();
            while let Some(ev) = self.b.poll_event() {
                if let Event::Message { data, .. } = ev {
                    black_box(&data);
                    got += 1;
                }
            }
        }
        got * msg.len()
    }
}

fn bulk(c: &mut Criterion) {
    let mut g = c.benchmark_group("sctp_bulk");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Bytes(PER_ITER as u64));
    for (name, size, loss, zero_checksum) in [
        ("16KiB", 16 * 1024, 0.0, false),
        ("64KiB", 64 * 1024, 0.0, false),
        ("64KiB_1pct_loss", 64 * 1024, 0.01, false),
        ("64KiB_zero_checksum", 64 * 1024, 0.0, true),
    ] {
        let msg = Bytes::from(vec![0x5au8; size]);
        let mut bench = Bench::new(loss, zero_checksum);
        g.bench_function(name, |b| b.iter(|| bench.transfer(&msg)));
    }
    g.finish();
}

criterion_group!(benches, bulk);
criterion_main!(benches);
