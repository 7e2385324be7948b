//! `a=sctpmap` (draft-ietf-mmusic-sctp-sdp-05, the legacy form older peers still send;
//! [RFC 8841](https://www.rfc-editor.org/rfc/rfc8841) replaced it with `a=sctp-port` and
//! `a=max-message-size`).

use std::fmt;

use crate::error::{Field, ParseErrorKind};
use crate::fields::{Fields, word};

/// `a=sctpmap:<port> <protocol> [<streams>]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sctpmap {
    /// SCTP port, matching the `m=` format.
    pub port: u16,
    /// Application protocol, `webrtc-datachannel`.
    pub protocol: String,
    /// Maximum number of streams.
    pub streams: Option<u32>,
}

impl Sctpmap {
    pub(crate) fn parse(value: &str) -> Result<Self, ParseErrorKind> {
        let mut f = Fields::new(value);
        let port = f.number(Field::Port)?;
        let protocol = word(f.next(Field::Protocol)?, Field::Protocol)?;
        let streams = f
            .next_opt()
            .map(|s| crate::fields::number(s, Field::Number))
            .transpose()?;
        f.end()?;
        Ok(Self {
            port,
            protocol,
            streams,
        })
    }
}

impl fmt::Display for Sctpmap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.port, self.protocol)?;
        if let Some(s) = self.streams {
            write!(f, " {s}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_sctpmap() {
        let m = Sctpmap::parse("5000 webrtc-datachannel 1024").unwrap();
        assert_eq!((m.port, m.streams), (5000, Some(1024)));
        assert_eq!(m.to_string(), "5000 webrtc-datachannel 1024");
        assert_eq!(
            Sctpmap::parse("5000 webrtc-datachannel").unwrap().streams,
            None
        );
        assert!(Sctpmap::parse("5000").is_err());
        assert!(Sctpmap::parse("5000 webrtc-datachannel 1 2").is_err());
    }
}
