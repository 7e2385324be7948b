//! Replays the saved fuzz corpus through the function the `sctp_packet` fuzz target calls.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn corpus_replays_without_panic() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/sctp_packet");
    let now = muon_netsim::Clock::new().now();
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        muon_sctp::fuzz_packet(now, &bytes);
        n += 1;
    }
    assert!(n >= 3, "the corpus should hold seed inputs");
}
