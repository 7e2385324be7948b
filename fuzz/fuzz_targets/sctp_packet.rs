#![no_main]
// Parses arbitrary bytes as an SCTP packet, re-encodes every chunk, and feeds the packet to a
// listening and to an established association (with tag and checksum fixed up): nothing may
// panic. The instant is arbitrary; associations only compare instants they were given.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    muon_sctp::fuzz_packet(std::time::Instant::now(), data);
});
