//! The one error type of this crate.

use crate::attr::AttrType;

/// Why a STUN message or ChannelData frame could not be decoded, verified or encoded.
///
/// Variants up to [`StunError::IntegrityMismatch`] are caused by the peer (malformed or forged
/// input: count it and drop the datagram); the rest are local misuse of the encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StunError {
    /// The input is shorter than a header or than a length field claims.
    #[error("input truncated")]
    Truncated,
    /// The first two bits are not zero or the magic cookie is wrong (RFC 8489 section 5).
    #[error("not a STUN message")]
    NotStun,
    /// The header's length field disagrees with the datagram's size, or is not a multiple of 4.
    #[error("STUN length field {declared} does not match the {actual} bytes after the header")]
    BadLength {
        /// The length in the header.
        declared: u16,
        /// The bytes actually present after the 20-byte header.
        actual: usize,
    },
    /// More attributes than [`crate::MAX_ATTRIBUTES`].
    #[error("more than {} attributes", crate::MAX_ATTRIBUTES)]
    TooManyAttributes,
    /// A known attribute's value has the wrong size or content.
    #[error("malformed {0:?} attribute")]
    MalformedAttribute(AttrType),
    /// An attribute follows FINGERPRINT, which must be last (RFC 8489 section 14.7).
    #[error("attribute after FINGERPRINT")]
    AttributeAfterFingerprint,
    /// The FINGERPRINT does not match the message (RFC 8489 section 14.7).
    #[error("FINGERPRINT mismatch")]
    FingerprintMismatch,
    /// The message carries no MESSAGE-INTEGRITY(-SHA256) to verify.
    #[error("no MESSAGE-INTEGRITY attribute")]
    NoIntegrity,
    /// MESSAGE-INTEGRITY(-SHA256) does not match: wrong key or tampered message.
    #[error("MESSAGE-INTEGRITY mismatch")]
    IntegrityMismatch,
    /// A ChannelData channel number outside 0x4000..=0x4FFF (RFC 8656 section 12).
    #[error("channel number {0:#06x} outside 0x4000..=0x4FFF")]
    BadChannelNumber(u16),
    /// A ChannelData frame carries more than its length field and padding.
    #[error("ChannelData frame has {0} bytes beyond its data and padding")]
    ChannelDataTrailing(usize),
    /// Encoding: an attribute value, or the whole message, would exceed what a 16-bit length
    /// field or the attribute's own limit allows.
    #[error("{0:?} value too long")]
    ValueTooLong(AttrType),
    /// Encoding: the attribute cannot carry the value given (an error code outside 300..=699,
    /// an address of the wrong family, a truncated MESSAGE-INTEGRITY-SHA256 length).
    #[error("{0:?} value not encodable")]
    InvalidValue(AttrType),
    /// Encoding: ChannelData carries at most 65535 bytes.
    #[error("ChannelData payload longer than 65535 bytes")]
    ChannelDataTooLong,
    /// Encoding: nothing may follow FINGERPRINT.
    #[error("message already sealed with FINGERPRINT")]
    Sealed,
}
