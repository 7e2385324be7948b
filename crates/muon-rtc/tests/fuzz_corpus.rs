//! Replays every saved input of the `dcep` fuzz target through the function the target calls.
#![allow(clippy::unwrap_used, clippy::expect_used)]

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/dcep");

#[test]
fn replay_corpus() {
    let mut n = 0;
    for entry in std::fs::read_dir(CORPUS).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        muon_rtc::fuzzing::dcep(&data);
        n += 1;
    }
    assert!(n >= 8, "corpus has {n} files");
}
