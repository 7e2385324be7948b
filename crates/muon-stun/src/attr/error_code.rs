//! ERROR-CODE. [RFC 8489 section 14.8](https://www.rfc-editor.org/rfc/rfc8489#section-14.8).
//!
//! ```text
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Reserved, should be 0         |Class|     Number    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |      Reason Phrase (variable)                                ..
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

/// An error response's code (300..=699) and reason phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorCode<'a> {
    /// The numeric code, class * 100 + number.
    pub code: u16,
    /// The human-readable reason (UTF-8, at most 763 bytes).
    pub reason: &'a str,
}

impl<'a> ErrorCode<'a> {
    /// 300 Try Alternate.
    pub const TRY_ALTERNATE: u16 = 300;
    /// 400 Bad Request.
    pub const BAD_REQUEST: u16 = 400;
    /// 401 Unauthenticated.
    pub const UNAUTHENTICATED: u16 = 401;
    /// 403 Forbidden (TURN).
    pub const FORBIDDEN: u16 = 403;
    /// 420 Unknown Attribute: answer with UNKNOWN-ATTRIBUTES.
    pub const UNKNOWN_ATTRIBUTE: u16 = 420;
    /// 437 Allocation Mismatch (TURN).
    pub const ALLOCATION_MISMATCH: u16 = 437;
    /// 438 Stale Nonce.
    pub const STALE_NONCE: u16 = 438;
    /// 440 Address Family not Supported (TURN).
    pub const ADDRESS_FAMILY_NOT_SUPPORTED: u16 = 440;
    /// 441 Wrong Credentials (TURN).
    pub const WRONG_CREDENTIALS: u16 = 441;
    /// 442 Unsupported Transport Protocol (TURN).
    pub const UNSUPPORTED_TRANSPORT_PROTOCOL: u16 = 442;
    /// 443 Peer Address Family Mismatch (TURN).
    pub const PEER_ADDRESS_FAMILY_MISMATCH: u16 = 443;
    /// 486 Allocation Quota Reached (TURN).
    pub const ALLOCATION_QUOTA_REACHED: u16 = 486;
    /// 487 Role Conflict (ICE, RFC 8445 section 7.3.1.1).
    pub const ROLE_CONFLICT: u16 = 487;
    /// 500 Server Error.
    pub const SERVER_ERROR: u16 = 500;
    /// 508 Insufficient Capacity (TURN).
    pub const INSUFFICIENT_CAPACITY: u16 = 508;

    /// An error code with its reason phrase.
    pub const fn new(code: u16, reason: &'a str) -> Self {
        Self { code, reason }
    }

    pub(crate) fn decode(value: &'a [u8]) -> Option<Self> {
        let (&[_, _, class, number], reason) = value.split_first_chunk::<4>()?;
        let class = class & 0x07;
        if !(3..=6).contains(&class) || number >= 100 {
            return None;
        }
        let reason = std::str::from_utf8(reason).ok()?;
        Some(Self {
            code: u16::from(class) * 100 + u16::from(number),
            reason,
        })
    }

    /// `None` when the code is outside 300..=699.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Option<()> {
        if !(300..=699).contains(&self.code) {
            return None;
        }
        let class = (self.code / 100) as u8;
        let number = (self.code % 100) as u8;
        out.extend_from_slice(&[0, 0, class, number]);
        out.extend_from_slice(self.reason.as_bytes());
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_and_number_split() {
        let mut out = Vec::new();
        ErrorCode::new(ErrorCode::ROLE_CONFLICT, "Role Conflict")
            .encode(&mut out)
            .unwrap();
        assert_eq!(&out[..4], &[0, 0, 4, 87]);
        let back = ErrorCode::decode(&out).unwrap();
        assert_eq!(back.code, 487);
        assert_eq!(back.reason, "Role Conflict");
    }

    #[test]
    fn out_of_range_is_rejected_both_ways() {
        assert!(ErrorCode::new(200, "").encode(&mut Vec::new()).is_none());
        assert!(ErrorCode::new(700, "").encode(&mut Vec::new()).is_none());
        assert_eq!(ErrorCode::decode(&[0, 0, 4, 100]), None);
        assert_eq!(ErrorCode::decode(&[0, 0, 2, 0]), None);
        assert_eq!(ErrorCode::decode(&[0, 0, 4]), None);
        assert_eq!(ErrorCode::decode(&[0, 0, 4, 1, 0xFF]), None);
        // Reserved bits are ignored.
        assert_eq!(
            ErrorCode::decode(&[0xFF, 0xFF, 0xFC, 1]).map(|e| e.code),
            Some(401)
        );
    }
}
