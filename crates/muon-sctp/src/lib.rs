//! SCTP over DTLS for WebRTC data channels.

mod assoc;
mod config;
mod congestion;
mod cookie;
mod crc;
mod error;
mod event;
mod inflight;
mod reassembly;
mod receiver;
mod sender;
mod stats;
mod tsn;
pub mod wire;

pub use assoc::Association;
pub use config::{Config, Scheduler};
pub use crc::crc32c;
pub use error::{MalformedChunk, SctpError};
pub use event::{CloseReason, Event, Ppid, Reliability, ResetDirection};
pub use stats::Stats;

/// What the `sctp_packet` fuzz target runs on its input: parse the packet, re-encode every
/// chunk and parse it again, then feed the packet to a listening association. Must never
/// panic.
#[doc(hidden)]
pub fn fuzz_packet(data: &[u8]) {
    let _ = wire::fuzz_roundtrip(data);
}
