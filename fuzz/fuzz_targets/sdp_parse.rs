//! SDP for WebRTC: `Session::parse_bytes` and `Candidate::parse` on arbitrary input must never
//! panic, and whatever parses must survive write-then-parse unchanged.
//! The saved corpus is replayed by crates/muon-sdp/tests/fuzz_corpus.rs with the same steps.
#![no_main]

use muon_sdp::{Candidate, Session};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(session) = Session::parse_bytes(data) {
        let written = session.to_string();
        assert_eq!(Session::parse(&written).as_ref(), Ok(&session), "{written}");
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(candidate) = Candidate::parse(text)
    {
        assert_eq!(Candidate::parse(&candidate.to_string()), Ok(candidate));
    }
});
