//! STUN and TURN messages for the muon WebRTC stack: parse, verify and build, nothing else.
//!
//! This crate holds no state machine: ICE connectivity checks live in `muon-ice`, TURN
//! allocations in `muon-turn`. It gives them:
//!
//! - [`Message`]: a zero-copy, allocation-free decoder that validates every known attribute,
//!   checks FINGERPRINT, and verifies MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256 in constant
//!   time against an [`IntegrityKey`] (short-term or long-term credentials).
//! - [`MessageEncoder`]: appends a message to a caller's `Vec<u8>`, fixing lengths as it goes
//!   and appending integrity and fingerprint last.
//! - [`Attribute`]: every attribute ICE and TURN use, typed; unknown ones kept as bytes.
//! - [`ChannelData`] framing and the demultiplexing tests [`is_stun`] and [`is_channel_data`].
//!
//! # Example: answering an ICE connectivity check
//!
//! ```
//! use muon_proto::Rng;
//! use muon_stun::{
//!     Attribute, Class, IntegrityKey, Message, MessageEncoder, MessageType, TransactionId,
//!     is_stun,
//! };
//!
//! # fn main() -> Result<(), muon_stun::StunError> {
//! let mut rng = Rng::from_seed([0; 32]);
//! let local_pwd = IntegrityKey::short_term("local-ice-password");
//!
//! // The controlling peer sends a check (built here with the same crate).
//! let mut datagram = Vec::new();
//! MessageEncoder::new(&mut datagram, MessageType::BINDING_REQUEST, TransactionId::random(&mut rng))
//!     .attribute(&Attribute::Username("localufrag:remoteufrag"))?
//!     .attribute(&Attribute::Priority(0x6E00_01FF))?
//!     .attribute(&Attribute::IceControlling(0x1234))?
//!     .attribute(&Attribute::UseCandidate)?
//!     .message_integrity(&local_pwd)?
//!     .fingerprint()?;
//!
//! // The receiving agent demultiplexes, decodes, verifies and answers.
//! assert!(is_stun(&datagram));
//! let request = Message::decode(&datagram)?;
//! assert_eq!(request.unknown_comprehension_required().count(), 0);
//! request.verify_integrity(&local_pwd)?;
//! assert_eq!(request.priority(), Some(0x6E00_01FF));
//! assert!(request.use_candidate());
//!
//! let mut response = Vec::new();
//! let from = "192.0.2.1:32853".parse().unwrap();
//! MessageEncoder::new(
//!     &mut response,
//!     MessageType::new(request.method(), Class::Success),
//!     request.transaction_id(),
//! )
//! .attribute(&Attribute::XorMappedAddress(from))?
//! .message_integrity(&local_pwd)?
//! .fingerprint()?;
//! assert_eq!(Message::decode(&response)?.xor_mapped_address(), Some(from));
//! # Ok(()) }
//! ```
//!
//! # Standards
//!
//! - [RFC 8489](https://www.rfc-editor.org/rfc/rfc8489) STUN, compatible with
//!   [RFC 5389](https://www.rfc-editor.org/rfc/rfc5389); all test vectors of
//!   [RFC 5769](https://www.rfc-editor.org/rfc/rfc5769) and the RFC 8489 Appendix B.1 vector
//!   (as corrected by [erratum 6268](https://www.rfc-editor.org/errata/eid6268)) pass.
//! - [RFC 8656](https://www.rfc-editor.org/rfc/rfc8656) TURN: methods, attributes, ChannelData.
//! - [RFC 8445](https://www.rfc-editor.org/rfc/rfc8445) ICE attributes.
//! - [RFC 7983](https://www.rfc-editor.org/rfc/rfc7983) demultiplexing.
//!
//! # Limits and simplifications
//!
//! - At most [`MAX_ATTRIBUTES`] attributes per message; decoding never allocates.
//! - Passwords and realms are used as UTF-8 bytes without OpaqueString/SASLprep (correct for
//!   ASCII; see [`IntegrityKey`]).

mod attr;
mod channel_data;
mod encoder;
mod error;
mod header;
mod integrity;
mod message;

#[doc(hidden)]
pub mod fuzzing;

pub use attr::{
    AddressFamily, AttrType, Attribute, ErrorCode, PasswordAlgorithm, PasswordAlgorithmId,
    PasswordAlgorithms, UnknownAttributes,
};
pub use channel_data::{CHANNEL_NUMBERS, ChannelData, channel_data_len, is_channel_data};
pub use encoder::MessageEncoder;
pub use error::StunError;
pub use header::{
    Class, HEADER_LEN, MAGIC_COOKIE, MessageType, Method, TransactionId, is_stun, message_len,
};
pub use integrity::{IntegrityKey, userhash};
pub use message::{MAX_ATTRIBUTES, Message};
