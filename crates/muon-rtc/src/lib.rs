//! The sans-IO WebRTC peer connection engine of muon.
//!
//! [`Rtc`] composes the protocol crates into a peer connection that negotiates with SDP and
//! carries data channels: JSEP offer/answer, ICE (muon-ice), RFC 7983 demultiplexing, DTLS
//! with the SDP fingerprint check (muon-dtls), SCTP (muon-sctp) and DCEP. It never reads a
//! clock, opens a socket or draws hidden randomness: the `muon` crate drives it under tokio,
//! tests drive it on `muon-netsim`.
//!
//! # Example: two engines, one process, datagrams moved by hand
//!
//! ```
//! use std::time::{Duration, Instant};
//! use muon_ice::HostFilter;
//! use muon_proto::{Receive, Rng};
//! use muon_rtc::{DataChannelInit, Rtc, RtcConfig, RtcEvent};
//!
//! # fn main() -> Result<(), muon_rtc::RtcError> {
//! let mut now = Instant::now();
//! let config = RtcConfig::default().with_host_filter(HostFilter::all());
//! let mut a = Rtc::new(config.clone(), Rng::from_seed([1; 32]), now);
//! let mut b = Rtc::new(config, Rng::from_seed([2; 32]), now);
//! a.add_local_address(now, "127.0.0.1:5000".parse().unwrap())?;
//! b.add_local_address(now, "127.0.0.1:6000".parse().unwrap())?;
//! a.end_of_local_addresses(now);
//! b.end_of_local_addresses(now);
//!
//! // Offer/answer, non-trickle: the descriptions carry every candidate.
//! let chat = a.create_data_channel("chat", DataChannelInit::default())?;
//! let offer = a.create_offer(now)?;
//! a.set_local_description(now, &offer)?;
//! b.set_remote_description(now, &offer)?;
//! let answer = b.create_answer(now)?;
//! b.set_local_description(now, &answer)?;
//! a.set_remote_description(now, &answer)?;
//!
//! // The loop a driver runs: datagrams across, timers, events.
//! let mut got = None;
//! for _ in 0..10_000 {
//!     shuttle(&mut a, &mut b, now);
//!     shuttle(&mut b, &mut a, now);
//!     while let Some(ev) = a.poll_event() {
//!         if ev == RtcEvent::ChannelOpen(chat) {
//!             a.channel(chat).unwrap().send_text("hello")?;
//!         }
//!     }
//!     while let Some(ev) = b.poll_event() {
//!         if let RtcEvent::ChannelMessage { data, .. } = ev {
//!             got = Some(data);
//!         }
//!     }
//!     if got.is_some() {
//!         break;
//!     }
//!     now = [a.poll_timeout(), b.poll_timeout()].into_iter().flatten().min()
//!         .unwrap_or(now).max(now + Duration::from_millis(1));
//!     a.handle_timeout(now);
//!     b.handle_timeout(now);
//! }
//! assert_eq!(got.as_deref(), Some(&b"hello"[..]));
//! # Ok(()) }
//!
//! /// Moves every datagram `from` wants to send into `to`.
//! fn shuttle(from: &mut Rtc, to: &mut Rtc, now: Instant) {
//!     while let Some(t) = from.poll_transmit() {
//!         let rx = Receive { source: t.source, destination: t.destination, contents: &t.contents };
//!         let _ = to.handle_receive(now, rx);
//!     }
//! }
//! ```
//!
//! # Standards
//!
//! - [RFC 8829](https://www.rfc-editor.org/rfc/rfc8829) JSEP: offers, answers, rollback,
//!   rejected m-sections, trickle and non-trickle candidates.
//! - [RFC 7983](https://www.rfc-editor.org/rfc/rfc7983) demultiplexing of STUN, DTLS, RTP.
//! - [RFC 8842](https://www.rfc-editor.org/rfc/rfc8842) `a=setup` and the DTLS role;
//!   [RFC 8122](https://www.rfc-editor.org/rfc/rfc8122) fingerprints.
//! - [RFC 8841](https://www.rfc-editor.org/rfc/rfc8841) SDP for SCTP over DTLS
//!   (`a=sctp-port`, `a=max-message-size`).
//! - [RFC 8831](https://www.rfc-editor.org/rfc/rfc8831) data channels and
//!   [RFC 8832](https://www.rfc-editor.org/rfc/rfc8832) DCEP.
//!
//! # Security at the seams
//!
//! - DTLS is accepted only from the 5-tuple ICE validated and selected; earlier datagrams
//!   wait in a bounded queue ([`Limits::max_early_datagrams`]) and are released only if
//!   their source becomes that pair, so a forged ClientHello from elsewhere goes nowhere.
//! - The SCTP association can only be built with a proof that the peer's certificate
//!   matched the SDP fingerprint.
//! - Every queue between layers has a named limit in [`Limits`].
//!
//! # Limits
//!
//! - Data channels only: audio/video sections of an offer are rejected (port 0); media
//!   slots into the section list later.
//! - No ICE restart, no DTLS certificate change on renegotiation (typed errors).

mod channel;
mod config;
mod dcep;
mod demux;
mod error;
mod event;
mod jsep;
mod rtc;
mod state;

#[doc(hidden)]
pub mod fuzzing;

pub use channel::{Channel, ChannelId, ChannelState, DataChannelInit};
pub use config::{DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_SCTP_PORT, Limits, RtcConfig};
pub use error::{DropReason, Limit, RtcError, SdpError};
pub use event::{FailReason, RtcEvent};
pub use jsep::{SdpType, SessionDescription};
pub use muon_dtls::{Certificate, Fingerprint};
pub use muon_sctp::Stats as SctpStats;
pub use rtc::{Rtc, RtcStats};
pub use state::{DtlsTransportState, IceConnectionState, PeerConnectionState, SignalingState};
