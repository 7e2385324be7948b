//! SDP for WebRTC: parse and write session descriptions
//! ([RFC 8866](https://www.rfc-editor.org/rfc/rfc8866)) with the attributes JSEP
//! ([RFC 8829](https://www.rfc-editor.org/rfc/rfc8829)) uses, typed.
//!
//! This crate is grammar only: it turns text into [`Session`] values and back, and knows
//! nothing of offers and answers (that is `muon-rtc`'s job). What it guarantees:
//!
//! - **Typed attributes** for everything a WebRTC stack reads: `group` (BUNDLE), `mid`,
//!   `msid`, `msid-semantic`, `ice-ufrag`/`ice-pwd`/`ice-options`/`ice-lite`, `fingerprint`
//!   (value as bytes), `setup`, `candidate` (every field, mDNS names, IPv6, extensions),
//!   `end-of-candidates`, `rtcp`, `rtcp-mux`, `rtcp-mux-only`, `rtcp-rsize`, `rtpmap`, `fmtp`,
//!   `rtcp-fb`, `extmap` (with direction), `extmap-allow-mixed`, `ssrc`, `ssrc-group`, `rid`,
//!   `simulcast`, the direction flags, `sctp-port`, `max-message-size` and the legacy
//!   `sctpmap`. Other attributes are kept as [`Attribute::Other`], in order.
//! - **Round trips.** `Display` writes canonical CRLF SDP in
//!   [RFC 8866](https://www.rfc-editor.org/rfc/rfc8866) order;
//!   `Session::parse(&s.to_string()) == Ok(s)`, and the SDP Chromium and Pion produce is
//!   written back byte for byte (see `tests/fixtures.rs`).
//! - **Errors name the line**: [`ParseError`] `{ line, kind }` with a typed
//!   [`ParseErrorKind`]. LF-only input is accepted.
//! - **Bounded work on hostile input**: no panic on any bytes, and [`Limits`] caps the input
//!   size, media sections, attribute lines and fields, so time is linear in a bounded input
//!   and peak memory stays around 12 MB at worst with the defaults.
//!
//! A lone trickled candidate (`RTCIceCandidate.candidate`) parses with [`Candidate::parse`].
//!
//! ```
//! use muon_sdp::{Candidate, HashFunction, MediaKind, Session, Setup};
//!
//! let offer = "v=0\r\n\
//! o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n\
//! s=-\r\n\
//! t=0 0\r\n\
//! a=group:BUNDLE 0\r\n\
//! m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n\
//! c=IN IP4 0.0.0.0\r\n\
//! a=ice-ufrag:PcYm\r\n\
//! a=ice-pwd:nJTHEdxTUJ25l05Rm3ve6tWR\r\n\
//! a=fingerprint:sha-256 C2:C2:48:B2:68:34:10:D6:7A:EE:76:4F:A2:84:AC:4A:3A:9F:F4:3D:5C:6C:72:98:29:1B:CD:ED:B4:F0:B3:ED\r\n\
//! a=setup:actpass\r\n\
//! a=mid:0\r\n\
//! a=sctp-port:5000\r\n\
//! a=max-message-size:262144\r\n";
//!
//! let mut session = Session::parse(offer)?;
//! assert_eq!(session.attributes.bundle().map(|g| g.mids.clone()), Some(vec!["0".to_owned()]));
//! let data = &session.media[0];
//! assert_eq!(data.kind, MediaKind::Application);
//! assert_eq!(data.attributes.setup(), Some(Setup::Actpass));
//! let fp = data.attributes.fingerprints().next().unwrap();
//! assert_eq!((fp.hash.clone(), fp.value.len()), (HashFunction::Sha256, 32));
//! assert_eq!(data.attributes.sctp_port(), Some(5000));
//! assert_eq!(session.to_string(), offer);
//!
//! // A trickled candidate, added to the section it belongs to.
//! let c = Candidate::parse("candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host")?;
//! session.media[0].attributes.push(muon_sdp::Attribute::Candidate(c));
//! assert_eq!(Session::parse(&session.to_string())?, session);
//!
//! // Errors say which line is wrong.
//! let err = Session::parse("v=0\r\no=- x 2 IN IP4 127.0.0.1\r\n").unwrap_err();
//! assert_eq!(err.line, 2);
//! # Ok::<(), muon_sdp::ParseError>(())
//! ```

mod attribute;
mod error;
mod fields;
mod limits;
mod media;
mod parse;
mod session;

pub use attribute::Attribute;
pub use attribute::candidate::{
    Candidate, CandidateAddress, CandidateExtension, CandidateType, TcpType, Transport,
};
pub use attribute::dtls::{Fingerprint, HashFunction, MAX_FINGERPRINT_BYTES, Setup};
pub use attribute::group::{Group, GroupSemantics, IceOption, Msid, MsidSemantic};
pub use attribute::ice::IcePassword;
pub use attribute::list::Attributes;
pub use attribute::rtp::{Extmap, Fmtp, Rtcp, RtcpFb, Rtpmap};
pub use attribute::sctp::Sctpmap;
pub use attribute::simulcast::{Rid, RidDirection, Simulcast, SimulcastList, SimulcastRid};
pub use attribute::ssrc::{Ssrc, SsrcGroup};
pub use error::{Field, ParseError, ParseErrorKind};
pub use limits::Limits;
pub use media::{Direction, Media, MediaKind, Proto};
pub use session::{AddressType, Bandwidth, BandwidthType, Connection, Origin, Session, Timing};
