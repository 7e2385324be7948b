//! SCTP over DTLS for WebRTC data channels.

mod crc;
mod error;
pub mod wire;

pub use crc::crc32c;
pub use error::{MalformedChunk, SctpError};

/// What the `sctp_packet` fuzz target runs on its input: parse the packet, re-encode every
/// chunk and parse it again. Must never panic.
#[doc(hidden)]
pub fn fuzz_packet(data: &[u8]) {
    let _ = wire::fuzz_roundtrip(data);
}
