//! Replays the saved fuzz corpus (fuzz/corpus/sdp_parse) through the same steps as the
//! cargo-fuzz target fuzz/fuzz_targets/sdp_parse.rs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;

use muon_sdp::{Candidate, Session};

/// The fuzz target's body.
fn check(data: &[u8]) {
    if let Ok(session) = Session::parse_bytes(data) {
        let written = session.to_string();
        assert_eq!(Session::parse(&written).as_ref(), Ok(&session), "{written}");
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(candidate) = Candidate::parse(text)
    {
        assert_eq!(Candidate::parse(&candidate.to_string()), Ok(candidate));
    }
}

#[test]
fn corpus_replays_without_panic_and_round_trips() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/sdp_parse");
    let mut n = 0;
    let mut parsed = 0;
    for entry in fs::read_dir(dir).unwrap() {
        let data = fs::read(entry.unwrap().path()).unwrap();
        check(&data);
        n += 1;
        parsed += usize::from(Session::parse_bytes(&data).is_ok());
    }
    assert!(n >= 5, "corpus has {n} files");
    assert!(
        parsed >= 3,
        "only {parsed} corpus files parse: the seeds lost their valid SDPs"
    );
}
