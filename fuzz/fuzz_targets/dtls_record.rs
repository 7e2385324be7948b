#![no_main]
// Arbitrary datagrams through every muon-dtls parser (records, handshake headers, each
// handshake message body with an encode/decode round trip, extensions) and into a fresh client
// and server. Nothing may panic.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    muon_dtls::fuzzing::dtls_record(data);
});
