//! Alerts (RFC 5246 section 7.2).

use crate::error::{DtlsError, Wire};

/// Alert level: warning.
pub(crate) const LEVEL_WARNING: u8 = 1;
/// Alert level: fatal.
pub(crate) const LEVEL_FATAL: u8 = 2;

/// Alert description codes we send or recognise (RFC 5246 section 7.2, RFC 5746).
pub(crate) mod desc {
    pub(crate) const CLOSE_NOTIFY: u8 = 0;
    pub(crate) const UNEXPECTED_MESSAGE: u8 = 10;
    pub(crate) const HANDSHAKE_FAILURE: u8 = 40;
    pub(crate) const BAD_CERTIFICATE: u8 = 42;
    pub(crate) const ILLEGAL_PARAMETER: u8 = 47;
    pub(crate) const DECODE_ERROR: u8 = 50;
    pub(crate) const DECRYPT_ERROR: u8 = 51;
    pub(crate) const PROTOCOL_VERSION: u8 = 70;
    pub(crate) const INTERNAL_ERROR: u8 = 80;
    pub(crate) const NO_RENEGOTIATION: u8 = 100;
}

/// A two-byte alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Alert {
    pub(crate) level: u8,
    pub(crate) description: u8,
}

impl Alert {
    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, DtlsError> {
        match bytes {
            [level, description] => Ok(Self {
                level: *level,
                description: *description,
            }),
            _ => Err(DtlsError::Malformed(Wire::Alert)),
        }
    }

    pub(crate) fn encode(&self) -> [u8; 2] {
        [self.level, self.description]
    }

    pub(crate) fn is_fatal(&self) -> bool {
        self.level != LEVEL_WARNING
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_round_trips_and_rejects_wrong_length() {
        let a = Alert {
            level: LEVEL_FATAL,
            description: desc::BAD_CERTIFICATE,
        };
        assert_eq!(Alert::decode(&a.encode()), Ok(a));
        assert!(a.is_fatal());
        assert!(Alert::decode(&[1]).is_err());
        assert!(Alert::decode(&[1, 0, 0]).is_err());
    }
}
