#![no_main]
// Parses arbitrary bytes as an SCTP packet, re-encodes every chunk, and feeds the packet to a
// listening association: nothing may panic.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    muon_sctp::fuzz_packet(data);
});
