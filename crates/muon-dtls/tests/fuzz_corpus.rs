//! Replays every saved input of the `dtls_record` fuzz target through the function the target
//! calls, so the corpus is checked on every `cargo test`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use muon_proto::Rng;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/dtls_record");

#[test]
fn corpus_replays_without_panicking() {
    let mut n = 0;
    for entry in std::fs::read_dir(CORPUS).expect("corpus folder") {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        muon_dtls::fuzzing::dtls_record(&data);
        n += 1;
    }
    assert!(n >= 10, "seed corpus present ({n} files)");
}

/// Writes the seed corpus: every datagram of a real handshake at MTU 500 (fragmented
/// flights), application data, an alert, plus a few hand-made edge cases.
#[test]
#[ignore = "regenerates fuzz/corpus/dtls_record; run by hand"]
fn regenerate_seed_corpus() {
    let now = common::t0();
    let mut rng = Rng::from_seed([0xC0; 32]);
    let (client, server) = common::configs(&mut rng, 500);
    let (mut c, mut s) = common::machines(0xC0, client, server, now);
    let mut all = Vec::new();
    for _ in 0..10 {
        while let Some(d) = c.poll_transmit() {
            let _ = s.handle_receive(now, &d);
            all.push(d);
        }
        while let Some(d) = s.poll_transmit() {
            let _ = c.handle_receive(now, &d);
            all.push(d);
        }
    }
    c.send_application_data(b"hello").unwrap();
    all.push(c.poll_transmit().unwrap());
    c.close();
    all.push(c.poll_transmit().unwrap());
    all.push(Vec::new());
    all.push(vec![22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    all.push(vec![
        22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    let dir = Path::new(CORPUS);
    std::fs::create_dir_all(dir).unwrap();
    for (i, d) in all.iter().enumerate() {
        std::fs::write(dir.join(format!("seed-{i:02}")), d).unwrap();
    }
}

proptest::proptest! {
    /// The fuzz target's function on arbitrary input (a cheap stand-in for running the fuzzer).
    #[test]
    fn arbitrary_datagrams_never_panic(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
        muon_dtls::fuzzing::dtls_record(&data);
    }
}
