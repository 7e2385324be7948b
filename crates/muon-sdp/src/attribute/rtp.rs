//! RTP attributes: `a=rtpmap`
//! ([RFC 8866 section 6.6](https://www.rfc-editor.org/rfc/rfc8866#section-6.6)), `a=fmtp`
//! ([RFC 8866 section 6.15](https://www.rfc-editor.org/rfc/rfc8866#section-6.15)), `a=rtcp-fb`
//! ([RFC 4585 section 4.2](https://www.rfc-editor.org/rfc/rfc4585#section-4.2)), `a=extmap`
//! ([RFC 8285 section 8](https://www.rfc-editor.org/rfc/rfc8285#section-8)) and `a=rtcp`
//! ([RFC 3605](https://www.rfc-editor.org/rfc/rfc3605)).

use std::fmt;

use crate::error::{Field, ParseErrorKind};
use crate::fields::{Fields, number, word};
use crate::media::Direction;
use crate::session::AddressType;

/// `a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rtpmap {
    /// Payload type, 0 to 127.
    pub payload_type: u8,
    /// Encoding name as written (`opus`, `VP8`, `H264`, `rtx`, ...).
    pub encoding: String,
    /// RTP clock rate in Hz.
    pub clock_rate: u32,
    /// Encoding parameters: the channel count for audio.
    pub channels: Option<u16>,
}

/// `a=fmtp:<pt> <parameters>`, the parameters kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fmtp {
    /// Payload type, 0 to 127.
    pub payload_type: u8,
    /// Format parameters as written (`minptime=10;useinbandfec=1`, `111/111`, ...).
    pub params: String,
}

/// `a=rtcp-fb:<pt or *> <type> [<parameter>]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtcpFb {
    /// The payload type this applies to; `None` is `*`, every payload type.
    pub payload_type: Option<u8>,
    /// Feedback type: `nack`, `ccm`, `goog-remb`, `transport-cc`, ...
    pub kind: String,
    /// The rest as written: `pli` for `nack pli`, `fir` for `ccm fir`.
    pub param: Option<String>,
}

/// `a=extmap:<id>[/<direction>] <uri> [<attributes>]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Extmap {
    /// Extension id (1-14 for one-byte headers, up to 255 for two-byte).
    pub id: u16,
    /// Direction, if given.
    pub direction: Option<Direction>,
    /// The extension's URI.
    pub uri: String,
    /// Extension attributes after the URI, verbatim.
    pub attributes: Option<String>,
}

/// `a=rtcp:<port> [IN <addrtype> <address>]` ([RFC 3605](https://www.rfc-editor.org/rfc/rfc3605)).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rtcp {
    /// RTCP port.
    pub port: u16,
    /// The address, if given.
    pub address: Option<(AddressType, String)>,
}

pub(crate) fn payload_type(s: &str) -> Result<u8, ParseErrorKind> {
    let pt: u8 = number(s, Field::PayloadType)?;
    if pt > 127 {
        return Err(ParseErrorKind::Invalid(Field::PayloadType));
    }
    Ok(pt)
}

impl Rtpmap {
    pub(crate) fn parse(value: &str) -> Result<Self, ParseErrorKind> {
        let mut f = Fields::new(value);
        let payload_type = payload_type(f.next(Field::PayloadType)?)?;
        let enc = f.next(Field::Encoding)?;
        f.end()?;
        let mut parts = enc.split('/');
        let encoding = word(parts.next().unwrap_or_default(), Field::Encoding)?;
        let clock_rate = number(parts.next().unwrap_or_default(), Field::Encoding)?;
        let channels = parts
            .next()
            .map(|c| number(c, Field::Encoding))
            .transpose()?;
        if parts.next().is_some() {
            return Err(ParseErrorKind::Invalid(Field::Encoding));
        }
        Ok(Self {
            payload_type,
            encoding,
            clock_rate,
            channels,
        })
    }
}

impl fmt::Display for Rtpmap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}/{}",
            self.payload_type, self.encoding, self.clock_rate
        )?;
        if let Some(c) = self.channels {
            write!(f, "/{c}")?;
        }
        Ok(())
    }
}

impl Fmtp {
    pub(crate) fn parse(value: &str) -> Result<Self, ParseErrorKind> {
        let mut f = Fields::new(value);
        let payload_type = payload_type(f.next(Field::PayloadType)?)?;
        Ok(Self {
            payload_type,
            params: f.rest().to_owned(),
        })
    }

    /// The `;`-separated parameters as `(name, value)`, trimmed; a parameter without `=`
    /// (such as RED's `111/111`) has no value.
    pub fn parameters(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.params
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k.trim(), Some(v.trim())),
                None => (p, None),
            })
    }

    /// The value of parameter `name` (compared ASCII-case-insensitively).
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v)
    }
}

impl fmt::Display for Fmtp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.payload_type)?;
        if !self.params.is_empty() {
            write!(f, " {}", self.params)?;
        }
        Ok(())
    }
}

impl RtcpFb {
    pub(crate) fn parse(value: &str) -> Result<Self, ParseErrorKind> {
        let mut f = Fields::new(value);
        let pt = f.next(Field::PayloadType)?;
        let payload_type = if pt == "*" {
            None
        } else {
            Some(payload_type(pt)?)
        };
        let kind = f.next(Field::AttributeValue)?.to_owned();
        let rest = f.rest();
        Ok(Self {
            payload_type,
            kind,
            param: (!rest.is_empty()).then(|| rest.to_owned()),
        })
    }
}

impl fmt::Display for RtcpFb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.payload_type {
            Some(pt) => write!(f, "{pt} {}", self.kind)?,
            None => write!(f, "* {}", self.kind)?,
        }
        match self.param.as_deref() {
            Some(p) if !p.is_empty() => write!(f, " {p}"),
            _ => Ok(()),
        }
    }
}

impl Extmap {
    pub(crate) fn parse(value: &str) -> Result<Self, ParseErrorKind> {
        let mut f = Fields::new(value);
        let head = f.next(Field::ExtmapId)?;
        let (id, direction) = match head.split_once('/') {
            Some((id, dir)) => (
                id,
                Some(Direction::parse(dir).ok_or(ParseErrorKind::Invalid(Field::Direction))?),
            ),
            None => (head, None),
        };
        let id = number(id, Field::ExtmapId)?;
        let uri = f.next(Field::Uri)?.to_owned();
        let rest = f.rest();
        Ok(Self {
            id,
            direction,
            uri,
            attributes: (!rest.is_empty()).then(|| rest.to_owned()),
        })
    }
}

impl fmt::Display for Extmap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.id)?;
        if let Some(d) = self.direction {
            write!(f, "/{d}")?;
        }
        write!(f, " {}", self.uri)?;
        match self.attributes.as_deref() {
            Some(a) if !a.is_empty() => write!(f, " {a}"),
            _ => Ok(()),
        }
    }
}

impl Rtcp {
    pub(crate) fn parse(value: &str) -> Result<Self, ParseErrorKind> {
        let mut f = Fields::new(value);
        let port = f.number(Field::Port)?;
        let address = match f.next_opt() {
            None => None,
            Some("IN") => {
                let t = AddressType::parse(f.next(Field::AddressType)?)?;
                Some((t, f.next(Field::Address)?.to_owned()))
            }
            Some(_) => return Err(ParseErrorKind::Invalid(Field::NetworkType)),
        };
        f.end()?;
        Ok(Self { port, address })
    }
}

impl fmt::Display for Rtcp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.port)?;
        if let Some((t, a)) = &self.address {
            write!(f, " IN {t} {a}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8866 section 6.6 examples; RFC 7587 section 7 for Opus.
    #[test]
    fn rtpmap_with_and_without_channels() {
        let r = Rtpmap::parse("111 opus/48000/2").unwrap();
        assert_eq!(
            (
                r.payload_type,
                r.encoding.as_str(),
                r.clock_rate,
                r.channels
            ),
            (111, "opus", 48000, Some(2))
        );
        assert_eq!(r.to_string(), "111 opus/48000/2");
        let r = Rtpmap::parse("99 h263-1998/90000").unwrap();
        assert_eq!(r.channels, None);
        assert_eq!(r.to_string(), "99 h263-1998/90000");
        for bad in ["128 x/1", "1 x", "1 x/", "1 /9", "1 x/1/2/3", "1 x/1 y"] {
            assert!(Rtpmap::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fmtp_parameters() {
        let f = Fmtp::parse("111 minptime=10; useinbandfec=1").unwrap();
        assert_eq!(f.parameter("useinbandfec"), Some("1"));
        assert_eq!(f.parameter("MINPTIME"), Some("10"));
        assert_eq!(f.to_string(), "111 minptime=10; useinbandfec=1");
        let red = Fmtp::parse("63 111/111").unwrap();
        assert_eq!(red.parameters().collect::<Vec<_>>(), [("111/111", None)]);
    }

    // RFC 4585 section 4.2 examples.
    #[test]
    fn rtcp_fb_forms() {
        let fb = RtcpFb::parse("* nack").unwrap();
        assert_eq!((fb.payload_type, fb.param), (None, None));
        let fb = RtcpFb::parse("98 nack pli").unwrap();
        assert_eq!(fb.payload_type, Some(98));
        assert_eq!(fb.param.as_deref(), Some("pli"));
        assert_eq!(fb.to_string(), "98 nack pli");
        assert!(RtcpFb::parse("98").is_err());
    }

    // RFC 8285 section 8 examples.
    #[test]
    fn extmap_with_direction_and_attributes() {
        let e = Extmap::parse("2/sendrecv http://example.com/082005/ext.htm#xmeta short").unwrap();
        assert_eq!(e.id, 2);
        assert_eq!(e.direction, Some(Direction::SendRecv));
        assert_eq!(e.attributes.as_deref(), Some("short"));
        assert_eq!(
            e.to_string(),
            "2/sendrecv http://example.com/082005/ext.htm#xmeta short"
        );
        assert!(Extmap::parse("2/sideways urn:x").is_err());
        assert!(Extmap::parse("70000 urn:x").is_err());
    }

    #[test]
    fn rtcp_port_and_address() {
        let r = Rtcp::parse("9 IN IP4 0.0.0.0").unwrap();
        assert_eq!(r.address, Some((AddressType::Ip4, "0.0.0.0".into())));
        assert_eq!(r.to_string(), "9 IN IP4 0.0.0.0");
        assert_eq!(Rtcp::parse("53020").unwrap().to_string(), "53020");
        assert!(Rtcp::parse("9 IN IP5 x").is_err());
    }
}
