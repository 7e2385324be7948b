//! ICE for muon: a sans-IO agent that finds a path between two peers behind NATs, and a UDP
//! mux that serves many agents on one port.
//!
//! [`IceAgent`] takes local host addresses, STUN servers, the peer's credentials and
//! candidates, received datagrams and the time; it gives datagrams to send, events
//! ([`IceEvent`]: states, local candidates to trickle, the selected pair, mDNS names to
//! resolve) and its next deadline. It never reads a clock, opens a socket or draws hidden
//! randomness: the socket layer (gathering interfaces, sending) lives in `muon`.
//!
//! [`UdpMux`] routes datagrams arriving on one socket to agent ids: known peers by source
//! address, new ones by the ufrag in an authenticated USERNAME. [`StunServer`] is a tiny
//! Binding responder for tests and servers.
//!
//! # Example: two agents on one machine
//!
//! ```
//! use std::time::{Duration, Instant};
//! use muon_ice::{HostFilter, IceAgent, IceConfig, IceConnectionState, IceEvent, IceRole, Incoming};
//! use muon_proto::Rng;
//!
//! # fn main() -> Result<(), muon_ice::IceError> {
//! let config = IceConfig::default().with_host_filter(HostFilter::all());
//! let mut a = IceAgent::new(config.clone(), Rng::from_seed([1; 32]));
//! let mut b = IceAgent::new(config.with_role(IceRole::Controlled), Rng::from_seed([2; 32]));
//! let mut now = Instant::now();
//!
//! // Signalling, done by hand here: credentials and candidates both ways.
//! a.set_remote_credentials(now, b.local_credentials().clone())?;
//! b.set_remote_credentials(now, a.local_credentials().clone())?;
//! let ca = a.add_host_candidate(now, "127.0.0.1:5000".parse().unwrap())?;
//! let cb = b.add_host_candidate(now, "127.0.0.1:6000".parse().unwrap())?;
//! b.add_remote_candidate(now, ca)?;
//! a.add_remote_candidate(now, cb)?;
//!
//! // The driver loop: move datagrams, fire timers, until both have selected a pair.
//! for _ in 0..1000 {
//!     while let Some(t) = a.poll_transmit() {
//!         let rx = muon_proto::Receive { source: t.source, destination: t.destination, contents: &t.contents };
//!         let _ = b.handle_receive(now, rx);
//!     }
//!     while let Some(t) = b.poll_transmit() {
//!         let rx = muon_proto::Receive { source: t.source, destination: t.destination, contents: &t.contents };
//!         let _ = a.handle_receive(now, rx);
//!     }
//!     if a.selected_pair().is_some() && b.selected_pair().is_some() {
//!         break;
//!     }
//!     now = [a.poll_timeout(), b.poll_timeout()].into_iter().flatten().min().unwrap_or(now + Duration::from_millis(10));
//!     a.handle_timeout(now);
//!     b.handle_timeout(now);
//! }
//! assert_eq!(a.state(), IceConnectionState::Connected);
//! assert!(std::iter::from_fn(|| b.poll_event()).any(|e| matches!(e, IceEvent::SelectedPair(_))));
//!
//! // Application data goes through the selected pair and comes back out as `Data`.
//! let t = a.send(now, b"hello")?;
//! let rx = muon_proto::Receive { source: t.source, destination: t.destination, contents: &t.contents };
//! assert_eq!(b.handle_receive(now, rx)?, Incoming::Data(b"hello"));
//! # Ok(()) }
//! ```
//!
//! # Standards
//!
//! - [RFC 8445](https://www.rfc-editor.org/rfc/rfc8445) ICE: full agent in both roles, role
//!   conflicts, ICE-lite, priorities, checklists with Ta pacing, triggered checks, regular and
//!   aggressive nomination, keepalives.
//! - [RFC 8838](https://www.rfc-editor.org/rfc/rfc8838) Trickle ICE: candidates on both sides
//!   after start, end-of-candidates.
//! - [RFC 7675](https://www.rfc-editor.org/rfc/rfc7675) consent freshness.
//! - [RFC 8421](https://www.rfc-editor.org/rfc/rfc8421) multihomed and dual-stack local
//!   preferences; mDNS candidates as in draft-ietf-mmusic-mdns-ice-candidates (resolution is
//!   the driver's).
//!
//! # Limits and simplifications
//!
//! - One component (WebRTC's BUNDLE and rtcp-mux), UDP only.
//! - Relayed candidates are paired and checked like any other once the TURN layer exists; the
//!   agent itself allocates none.
//! - Renomination of better pairs is on by default ([`IceConfig::renominate`]).
//! - Unauthenticated requests are dropped silently rather than answered 401 (no reflection).
//! - Ta paces connectivity checks; requests to STUN servers go out when a host or server is
//!   added, unpaced.
//! - When consent on the selected pair expires the agent fails; it does not fall back to
//!   another valid pair (an ICE restart recovers).
//! - The mux opens a route to an agent only for an authenticated check (USERNAME and
//!   MESSAGE-INTEGRITY) or for the response to a request the agent sent through it
//!   (`UdpMux::handle_transmit`); the peer's DTLS reaches an agent only from an address that
//!   checked it.

mod agent;
mod candidate;
mod config;
mod error;
mod event;
mod mux;
mod stun_server;
mod wire;

#[doc(hidden)]
pub mod fuzzing;

pub use agent::{IceAgent, Incoming};
pub use candidate::{
    COMPONENT_ID, Candidate, CandidateKind, MAX_FOUNDATION_LEN, MAX_MDNS_NAME_LEN,
    candidate_priority, local_preference, pair_priority,
};
pub use config::{
    Credentials, HostFilter, IceConfig, IceRole, MAX_STUN_SERVERS, MAX_UFRAG_LEN, Nomination,
};
pub use error::{CandidateRejection, IceError, Limit};
pub use event::{IceConnectionState, IceEvent, IceStats, SelectedPair};
pub use mux::{AgentId, MuxConfig, MuxStats, UdpMux};
pub use stun_server::{STUN_SERVER_MAX_QUEUED, StunServer};
