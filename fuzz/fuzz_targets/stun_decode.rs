#![no_main]
// Every STUN/ChannelData decoding path of muon-stun, plus the decode -> encode -> decode
// round trip. The body lives in the crate so its tests replay fuzz/corpus/stun_decode too.
libfuzzer_sys::fuzz_target!(|data: &[u8]| muon_stun::fuzzing::stun_decode(data));
