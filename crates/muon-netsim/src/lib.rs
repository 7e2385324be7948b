//! A deterministic test bed for muon's sans-IO machines: a virtual clock, a seeded network
//! emulator, and a harness that steps machines until a condition holds.
//!
//! - [`Clock`]: virtual time. Nothing here reads the real clock except once, for the epoch.
//! - [`Network`]: hosts by IP, a directed link per host pair ([`LinkConfig`]: delay, jitter,
//!   [`Loss`] random or Gilbert-Elliott, duplication, reordering, a rate-limited bottleneck
//!   with a drop-tail queue, MTU) and NATs ([`NatKind`], in RFC 4787 terms). Every random
//!   choice comes from a [`muon_proto::Rng`] derived from the seed, one stream per link: the
//!   same seed replays the same run, datagram for datagram.
//! - [`Machine`] and [`DatagramMachine`]: what the harness drives. [`Addressed`] puts a
//!   datagram-only machine (DTLS, SCTP) at a fixed address talking to a fixed peer.
//! - [`Pair`] and [`Mesh`]: two or any number of machines on a network. At each instant the
//!   harness polls every transmit into the network, delivers every datagram due, fires every
//!   timeout due, and when nothing is left jumps the clock to the next event; a machine that
//!   keeps time from advancing is reported as [`RunError::Livelock`], not a hang.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use muon_netsim::{DatagramMachine, LinkConfig, Pair};
//!
//! /// Sends `n` pings, one per received pong (the first at start).
//! struct Pinger { left: u32, ready: bool, pongs: u32 }
//! /// Answers every ping.
//! struct Ponger { pending: u32 }
//!
//! impl DatagramMachine for Pinger {
//!     fn handle_datagram(&mut self, _now: Instant, _d: &[u8]) { self.pongs += 1; self.ready = true; }
//!     fn handle_timeout(&mut self, _now: Instant) {}
//!     fn poll_datagram(&mut self) -> Option<Vec<u8>> {
//!         if !self.ready || self.left == 0 { return None; }
//!         self.ready = false;
//!         self.left -= 1;
//!         Some(b"ping".to_vec())
//!     }
//!     fn poll_timeout(&self) -> Option<Instant> { None }
//! }
//! impl DatagramMachine for Ponger {
//!     fn handle_datagram(&mut self, _now: Instant, _d: &[u8]) { self.pending += 1; }
//!     fn handle_timeout(&mut self, _now: Instant) {}
//!     fn poll_datagram(&mut self) -> Option<Vec<u8>> {
//!         if self.pending == 0 { return None; }
//!         self.pending -= 1;
//!         Some(b"pong".to_vec())
//!     }
//!     fn poll_timeout(&self) -> Option<Instant> { None }
//! }
//!
//! let link = LinkConfig::default().with_delay(Duration::from_millis(25));
//! let mut pair = Pair::datagram(
//!     42,
//!     Pinger { left: 3, ready: true, pongs: 0 },
//!     Ponger { pending: 0 },
//!     link.clone(),
//!     link,
//! );
//! let done = pair.run_until(Duration::from_secs(5), |a, _b| a.pongs == 3).unwrap();
//! // Three round trips of 2 x 25 ms, in virtual time.
//! assert_eq!(done - pair.clock().epoch(), Duration::from_millis(150));
//! assert_eq!(pair.network().stats().delivered, 6);
//! ```
//!
//! ## Shaping a scenario
//!
//! ```
//! use std::time::Duration;
//! use muon_netsim::{LinkConfig, Loss, NatKind, Network};
//!
//! let mut net = Network::new(7);
//! // A bursty, rate-limited uplink and a clean downlink.
//! let (home, server) = ("10.0.0.2".parse().unwrap(), "198.51.100.1".parse().unwrap());
//! net.set_link(home, server, LinkConfig::default()
//!     .with_delay(Duration::from_millis(40))
//!     .with_loss(Loss::GilbertElliott { p_good_to_bad: 0.01, p_bad_to_good: 0.3, loss_good: 0.0, loss_bad: 1.0 })
//!     .with_rate(1_000_000, 30_000));
//! net.set_link(server, home, LinkConfig::default().with_delay(Duration::from_millis(40)));
//! // `home` sits behind a port-restricted NAT whose mappings live 30 s.
//! let nat = net.add_nat("203.0.113.1".parse().unwrap(), NatKind::PortRestricted, Duration::from_secs(30));
//! net.add_private_host(nat, home);
//! // Script exact losses too, and keep a log of what happened to every datagram.
//! net.set_filter(|_now, t| t.contents.first() != Some(&0x16)); // drop all DTLS handshakes
//! net.record(None);
//! ```
//!
//! Mid-run, `set_link(.., LinkConfig::down())` partitions a path and another `set_link` heals it.
//! [`Network::stats`] and [`Network::link_stats`] count every datagram's fate;
//! [`Network::take_records`] tells which datagram met which fate ([`DropReason`]).
//!
//! ## Determinism
//!
//! A run depends only on the seed, the configuration and what the machines do: randomness
//! comes from per-link (and per-NAT) ChaCha20 streams keyed by the seed and the addresses,
//! containers are ordered, and all times are offsets from the clock's epoch. Machines that
//! need randomness should take a `muon_proto::Rng` seeded by the test, too.
//!
//! Not a protocol implementation, so no RFC is implemented here; the NAT models follow the
//! behaviour vocabulary of [RFC 4787](https://www.rfc-editor.org/rfc/rfc4787) and the loss
//! model is Gilbert-Elliott's two-state Markov chain.

mod clock;
mod error;
mod harness;
mod link;
mod machine;
mod mesh;
mod nat;
mod network;
mod pair;
mod record;
mod stats;

pub use clock::Clock;
pub use error::RunError;
pub use harness::{DEFAULT_MAX_STEPS_PER_INSTANT, MAX_TRANSMITS_PER_STEP};
pub use link::{
    DEFAULT_DELAY, DEFAULT_MTU, DEFAULT_QUEUE_BYTES, DEFAULT_REORDER_DELAY, JitterDistribution,
    LinkConfig, Loss,
};
pub use machine::{Addressed, DatagramMachine, Machine};
pub use mesh::{Mesh, NodeId};
pub use nat::{
    DEFAULT_MAPPING_TIMEOUT, DEFAULT_MAX_MAPPINGS, MAX_PERMISSIONS_PER_MAPPING, NatConfig, NatId,
    NatKind,
};
pub use network::{DEFAULT_MAX_IN_FLIGHT, Network};
pub use pair::{PAIR_ADDR_A, PAIR_ADDR_B, Pair};
pub use record::{DEFAULT_MAX_RECORDS, DropReason, NatRefusal, Record, RecordKind};
pub use stats::Stats;
