#![no_main]
// DCEP messages (RFC 8832) into muon-rtc's parser; a message that parses must re-encode to
// the same message. The body lives in the crate so its tests replay fuzz/corpus/dcep too.
libfuzzer_sys::fuzz_target!(|data: &[u8]| muon_rtc::fuzzing::dcep(data));
