//! SCTP over DTLS for WebRTC data channels.

mod assoc;
mod config;
mod congestion;
mod cookie;
mod crc;
mod error;
mod event;
mod fuzzing;
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

#[doc(hidden)]
pub use fuzzing::fuzz_packet;
