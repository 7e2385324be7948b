//! The shared vocabulary of the muon WebRTC stack.
//!
//! Every protocol crate of muon is a sans-IO state machine: it never reads a clock, opens a
//! socket, spawns a thread or draws hidden randomness. What they need from outside comes in as
//! values defined here:
//!
//! - [`Transmit`] and [`Receive`]: a datagram leaving or entering a machine, with its 5-tuple.
//! - [`Reader`]: a cursor over untrusted bytes whose every read is checked, so parsers written
//!   on it cannot panic on short input.
//! - [`Rng`]: a seeded, cryptographically strong random source. The driver seeds it from the
//!   operating system; tests seed it with a constant so a run can be replayed.
//! - [`Redacted`]: a wrapper that keeps addresses and credentials out of logs.
//!
//! The verbs every machine offers (see `docs/ARCHITECTURE.md`):
//!
//! ```text
//! handle_receive(now, input) / handle_timeout(now)     inputs
//! poll_transmit() -> Option<..>                         datagrams to send
//! poll_event() -> Option<..>                            what happened
//! poll_timeout() -> Option<Instant>                     when to call handle_timeout next
//! ```

mod datagram;
mod reader;
mod redact;
mod rng;

pub use datagram::{Receive, Transmit};
pub use reader::{Reader, Truncated};
pub use redact::Redacted;
pub use rng::Rng;
