//! muon: WebRTC in pure Rust (placeholder: issue 6).
//!
//! Will own: the tokio driver around the muon-rtc engine, the `PeerConnection` and
//! `DataChannel` API, socket gathering (host, server-reflexive, relay) and the UDP mux endpoint.

#[doc(no_inline)]
pub use muon_rtc as rtc;
