//! muon: WebRTC in pure Rust. This crate is what applications use: a tokio driver around the
//! sans-IO engine [`muon_rtc::Rtc`], with [`PeerConnection`] and [`DataChannel`] types whose
//! methods are async and whose events come as `Stream`s; no callbacks to register.
//!
//! One task per peer connection owns its UDP sockets (one per local address) and the engine;
//! API calls take a lock that is never held across `.await`. Host candidates come from the
//! local interfaces ([`InterfaceFilter`]; loopback only when asked), server-reflexive ones
//! from the configured STUN servers. The engine's randomness is seeded from the OS here.
//!
//! Runnable programs: `examples/data_channels.rs` (two peers in one process, echo) and
//! `examples/offer_answer.rs` (two terminals, descriptions pasted as base64).
//!
//! # Example: two peers in one process
//!
//! ```
//! use muon::{Config, DataChannelInit, InterfaceFilter, PeerConnection, PeerEvent};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), muon::Error> {
//! let config = Config::default().with_interfaces(InterfaceFilter::loopback_only());
//! let a = PeerConnection::new(config.clone()).await?;
//! let mut b = PeerConnection::new(config).await?;
//! let chat = a.create_data_channel("chat", DataChannelInit::default()).await?;
//!
//! // Non-trickle signaling: each description carries every candidate.
//! let offer = a.create_offer().await?;
//! a.set_local_description(&offer).await?;
//! b.set_remote_description(&offer).await?;
//! let answer = b.create_answer().await?;
//! b.set_local_description(&answer).await?;
//! a.set_remote_description(&answer).await?;
//!
//! chat.send_text("hello").await?;
//! let mut remote = loop {
//!     if let Some(PeerEvent::DataChannel(ch)) = b.next_event().await {
//!         break ch;
//!     }
//! };
//! let msg = remote.recv().await.expect("a message");
//! assert_eq!(msg.text(), Some("hello"));
//! # Ok(()) }
//! ```

mod channel;
mod config;
mod driver;
mod error;
mod gather;
mod io;
mod mux;
mod peer;

pub use channel::{DataChannel, DataChannelSender, Message};
pub use config::{Config, InterfaceFilter, generate_certificate};
pub use error::Error;
pub use muon_rtc::{
    Certificate, ChannelId, ChannelState, DataChannelInit, DtlsTransportState, FailReason,
    IceConnectionState, PeerConnectionState, SdpError, SdpType, SessionDescription, SignalingState,
};
pub use mux::{MuxStats, UdpMux};
pub use peer::{PeerConnection, PeerEvent};

#[doc(no_inline)]
pub use muon_rtc as rtc;
