//! Demultiplexing of one 5-tuple by the first byte of each datagram
//! ([RFC 7983 section 7](https://www.rfc-editor.org/rfc/rfc7983#section-7)):
//!
//! ```text
//!                 +----------------+
//!                 |        [0..3] -+--> STUN
//!                 |      [16..19] -+--> ZRTP (dropped)
//!  packet -->     |      [20..63] -+--> DTLS
//!                 |      [64..79] -+--> TURN channel (dropped: no TURN yet)
//!                 |    [128..191] -+--> RTP/RTCP (dropped: media comes later)
//!                 +----------------+
//! ```

/// What a datagram carries, by its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// STUN (ICE checks and responses).
    Stun,
    /// A DTLS record.
    Dtls,
    /// RTP or RTCP (SRTP/SRTCP).
    Rtp,
    /// Anything else (ZRTP, TURN channel data, garbage, empty).
    Unknown,
}

/// Classifies a datagram by its first byte.
pub(crate) fn classify(datagram: &[u8]) -> Kind {
    match datagram.first() {
        Some(0..=3) => Kind::Stun,
        Some(20..=63) => Kind::Dtls,
        Some(128..=191) => Kind::Rtp,
        _ => Kind::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7983_ranges() {
        for b in 0..=255u8 {
            let expected = match b {
                0..=3 => Kind::Stun,
                20..=63 => Kind::Dtls,
                128..=191 => Kind::Rtp,
                _ => Kind::Unknown,
            };
            assert_eq!(classify(&[b, 0, 0]), expected, "first byte {b}");
        }
        assert_eq!(classify(&[]), Kind::Unknown);
        // A DTLS 1.2 handshake record and a STUN binding request.
        assert_eq!(classify(&[22, 0xFE, 0xFD]), Kind::Dtls);
        assert_eq!(classify(&[0x00, 0x01, 0x00, 0x00]), Kind::Stun);
    }
}
