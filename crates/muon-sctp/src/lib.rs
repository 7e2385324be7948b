//! SCTP over DTLS for WebRTC data channels, as a sans-IO state machine.
//!
//! An [`Association`] takes SCTP packets (each the payload of one DTLS record, RFC 8261) and
//! the time, and gives back packets to send, delivered messages and events, and the next
//! deadline. It never reads a clock, opens a socket or draws hidden randomness: time comes in
//! as `now: Instant`, entropy as a seeded [`muon_proto::Rng`].
//!
//! What it does:
//! - setup with INIT / INIT-ACK / COOKIE-ECHO / COOKIE-ACK, the state cookie sealed with
//!   HMAC-SHA256 so a listener holds no state before a valid COOKIE-ECHO; both sides may
//!   initiate at once (what browsers do); SHUTDOWN and ABORT;
//! - messages up to [`Config::max_message_size`] (256 KiB by default; larger ones are
//!   refused), fragmented to the MTU and reassembled within [`Config::receive_buffer`];
//!   the WebRTC PPIDs ([`Ppid`]) including the empty-message variants;
//! - any number of streams, ordered or unordered, scheduled round robin per message or fair
//!   by bytes ([`Scheduler`]);
//! - SACK with gap blocks and duplicate TSNs, delayed acks, fast retransmit and recovery,
//!   T3-rtx with an RFC 6298 RTO, slow start and congestion avoidance, heartbeats, receiver
//!   window back-pressure;
//! - partial reliability ([`Reliability`]: max retransmits, max lifetime) with FORWARD-TSN,
//!   and stream reset so a channel's id can be reused;
//! - CRC32c in hardware where the CPU has it, or the zero checksum of RFC 9653 when both
//!   sides offer it; counters of everything dropped and why ([`Stats`]).
//!
//! Not implemented: I-DATA (RFC 8260) message interleaving, association restart (an INIT
//! with new tags on an established association is answered but not acted on), Add Streams,
//! ERROR reports for unrecognized INIT parameters, and path MTU discovery (the driver
//! sets the MTU with [`Association::set_mtu`]).
//!
//! # Example
//!
//! Two associations in one process, the "network" a loop that moves packets:
//!
//! ```
//! use std::time::Instant;
//! use bytes::Bytes;
//! use muon_proto::Rng;
//! use muon_sctp::{Association, Config, Event, Ppid, Reliability};
//!
//! let now = Instant::now();
//! let mut client = Association::client(Config::default(), Rng::from_seed([1; 32]), now);
//! let mut server = Association::server(Config::default(), Rng::from_seed([2; 32]));
//! client.send(now, 0, Ppid::STRING, true, Reliability::Reliable, Bytes::from("hi"))?;
//!
//! let mut got = None;
//! for _ in 0..10 {
//!     while let Some(packet) = client.poll_transmit(now) {
//!         let _ = server.handle_receive(now, &packet); // errors are counted, then dropped
//!     }
//!     while let Some(packet) = server.poll_transmit(now) {
//!         let _ = client.handle_receive(now, &packet);
//!     }
//!     while let Some(event) = server.poll_event() {
//!         if let Event::Message { stream, ppid, data, .. } = event {
//!             got = Some((stream, ppid, data));
//!         }
//!     }
//!     // A real driver also sleeps until `poll_timeout()` and calls `handle_timeout`.
//! }
//! assert_eq!(got, Some((0, Ppid::STRING, Bytes::from("hi"))));
//! # Ok::<(), muon_sctp::SctpError>(())
//! ```
//!
//! # RFCs
//!
//! - [RFC 9260](https://www.rfc-editor.org/rfc/rfc9260): SCTP
//! - [RFC 8261](https://www.rfc-editor.org/rfc/rfc8261): SCTP over DTLS
//! - [RFC 3758](https://www.rfc-editor.org/rfc/rfc3758): partial reliability (FORWARD-TSN)
//! - [RFC 6525](https://www.rfc-editor.org/rfc/rfc6525): stream reconfiguration (reset)
//! - [RFC 7053](https://www.rfc-editor.org/rfc/rfc7053): the SACK-IMMEDIATELY flag
//! - [RFC 9653](https://www.rfc-editor.org/rfc/rfc9653): zero checksum
//! - [RFC 8831](https://www.rfc-editor.org/rfc/rfc8831): the WebRTC PPIDs
//! - [RFC 3720](https://www.rfc-editor.org/rfc/rfc3720) Appendix B.4: CRC32c test vectors

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
