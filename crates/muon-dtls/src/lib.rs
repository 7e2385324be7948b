//! DTLS 1.2 for WebRTC, as a sans-IO state machine: datagrams and a clock in, datagrams and
//! events out.
//!
//! Implements:
//! - [RFC 6347](https://www.rfc-editor.org/rfc/rfc6347) DTLS 1.2: record layer with epochs,
//!   anti-replay window, stateless HelloVerifyRequest cookies (which a server behind ICE may
//!   skip, see [`Config::cookie_exchange`]), handshake fragmentation and
//!   reassembly, flight retransmission with exponential back-off.
//! - [RFC 5246](https://www.rfc-editor.org/rfc/rfc5246) TLS 1.2 handshake and PRF, with
//!   ECDHE ([RFC 8422](https://www.rfc-editor.org/rfc/rfc8422)) over X25519 and P-256 and
//!   AES-GCM suites ([RFC 5289](https://www.rfc-editor.org/rfc/rfc5289)).
//! - [RFC 7627](https://www.rfc-editor.org/rfc/rfc7627) extended master secret (required).
//! - [RFC 5746](https://www.rfc-editor.org/rfc/rfc5746) renegotiation indication;
//!   renegotiation itself is refused.
//! - [RFC 5764](https://www.rfc-editor.org/rfc/rfc5764) DTLS-SRTP (`use_srtp`, SRTP keys) and
//!   [RFC 5705](https://www.rfc-editor.org/rfc/rfc5705) keying-material exporter.
//! - [RFC 8122](https://www.rfc-editor.org/rfc/rfc8122) certificate fingerprints: the peer's
//!   certificate must match the fingerprint from SDP (both sides present certificates).
//!
//! ```
//! use std::time::Instant;
//! use muon_dtls::{Certificate, Config, Dtls, DtlsEvent, HashAlg, Role};
//! use muon_proto::Rng;
//!
//! let mut rng = Rng::from_seed([1; 32]);
//! let (client_cert, server_cert) = (Certificate::generate(&mut rng), Certificate::generate(&mut rng));
//! // Each side learns the other's fingerprint from SDP (a=fingerprint).
//! let client_cfg = Config::new(client_cert.clone(), vec![server_cert.fingerprint(HashAlg::Sha256)]);
//! let server_cfg = Config::new(server_cert, vec![client_cert.fingerprint(HashAlg::Sha256)]);
//!
//! let now = Instant::now();
//! let mut client = Dtls::new(Role::Client, client_cfg, rng.fork(), now)?;
//! let mut server = Dtls::new(Role::Server, server_cfg, rng.fork(), now)?;
//!
//! // The driver's loop: move datagrams between the two until both are connected.
//! for _ in 0..10 {
//!     while let Some(d) = client.poll_transmit() { server.handle_receive(now, &d)?; }
//!     while let Some(d) = server.poll_transmit() { client.handle_receive(now, &d)?; }
//! }
//! let Some(DtlsEvent::Connected(c)) = client.poll_event() else { panic!("not connected") };
//! let srtp = c.srtp.expect("use_srtp negotiated");
//! assert_eq!(srtp.local_key().len(), 16);
//!
//! client.send_application_data(b"hello")?;
//! let d = client.poll_transmit().unwrap();
//! server.handle_receive(now, &d)?;
//! assert!(matches!(server.poll_event(), Some(DtlsEvent::Connected(_))));
//! assert_eq!(server.poll_event(), Some(DtlsEvent::ApplicationData(b"hello".to_vec())));
//! # Ok::<(), muon_dtls::DtlsError>(())
//! ```

mod auth;
mod cert;
mod config;
mod conn;
mod cookie;
mod crypto;
mod der;
mod error;
mod event;
mod handshake;
mod reassembly;
mod record_layer;
mod replay;
mod session;
mod srtp;
mod wire;

#[cfg(any(fuzzing, feature = "_internal"))]
#[doc(hidden)]
pub mod fuzzing;

pub use cert::{Certificate, Fingerprint, HashAlg};
pub use config::{Config, Role};
pub use conn::{Dtls, DtlsStats, MAX_APPLICATION_DATA};
pub use crypto::suite::CipherSuite;
pub use error::{ConfigError, DtlsError, Limit, Misbehavior, Wire};
pub use event::{CloseReason, Connected, DtlsEvent};
pub use srtp::{SrtpKeyingMaterial, SrtpProfile};
