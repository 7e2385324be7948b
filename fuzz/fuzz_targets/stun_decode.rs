#![no_main]
// Placeholder: the owning crate's engineer fills this target in.
libfuzzer_sys::fuzz_target!(|_data: &[u8]| {});
