#![no_main]
// Datagrams (cut at 0xFFFFFFFF markers) into a muon-ice agent with known credentials and into
// a UdpMux, with timers in between. The body lives in the crate so its tests replay
// fuzz/corpus/ice_receive too.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    muon_ice::fuzzing::ice_receive(std::time::Instant::now(), data)
});
