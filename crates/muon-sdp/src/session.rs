//! The session description and its session-level lines
//! ([RFC 8866 section 5](https://www.rfc-editor.org/rfc/rfc8866#section-5)).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use crate::attribute::list::Attributes;
use crate::error::{Field, ParseError, ParseErrorKind};
use crate::fields::{Fields, is_token, number, word};
use crate::limits::Limits;
use crate::media::Media;

/// A session description: session-level lines, then media sections.
///
/// `parse` accepts CRLF or LF line endings; `Display` always writes CRLF, in the order
/// [RFC 8866 section 5](https://www.rfc-editor.org/rfc/rfc8866#section-5) gives.
/// `Session::parse(&s.to_string()) == Ok(s)` holds for every
/// session this crate parsed, and for every one built from values in the documented forms:
/// identifiers and tokens without spaces, verbatim fields without CR, LF or NUL and not
/// starting with a space, `Other` variants never holding a name the crate types, and
/// non-empty lists where the grammar needs one (`ice-options`, `simulcast`, fingerprint bytes).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Session {
    /// `o=`.
    pub origin: Origin,
    /// `s=` session name (`-` in WebRTC).
    pub name: String,
    /// `i=` session information.
    pub info: Option<String>,
    /// `u=` URI.
    pub uri: Option<String>,
    /// `e=` lines.
    pub emails: Vec<String>,
    /// `p=` lines.
    pub phones: Vec<String>,
    /// `c=` session-level connection data.
    pub connection: Option<Connection>,
    /// `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// `t=` lines, each with its `r=` lines.
    pub timing: Vec<Timing>,
    /// `z=` line, verbatim.
    pub time_zones: Option<String>,
    /// `k=` line, verbatim (obsolete).
    pub key: Option<String>,
    /// Session-level `a=` lines.
    pub attributes: Attributes,
    /// Media sections, in order.
    pub media: Vec<Media>,
}

/// `o=<username> <sess-id> <sess-version> IN <addrtype> <address>`
/// ([RFC 8866 section 5.2](https://www.rfc-editor.org/rfc/rfc8866#section-5.2)).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// Username, `-` in WebRTC.
    pub username: String,
    /// Session id: random, fixed for the session's life (JSEP: at most 63 bits).
    pub session_id: u64,
    /// Session version: incremented by each new offer or answer.
    pub session_version: u64,
    /// Address type.
    pub address_type: AddressType,
    /// Unicast address (or name) as written.
    pub address: String,
}

/// `c=IN <addrtype> <address>`
/// ([RFC 8866 section 5.7](https://www.rfc-editor.org/rfc/rfc8866#section-5.7)). Only the `IN`
/// network type exists.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Connection {
    /// Address type.
    pub address_type: AddressType,
    /// Address as written (may carry a multicast `/ttl/count` suffix).
    pub address: String,
}

/// `IP4` or `IP6`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressType {
    /// `IP4`.
    Ip4,
    /// `IP6`.
    Ip6,
}

/// `b=<bwtype>:<bandwidth>`
/// ([RFC 8866 section 5.8](https://www.rfc-editor.org/rfc/rfc8866#section-5.8)).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bandwidth {
    /// The modifier.
    pub kind: BandwidthType,
    /// The value: kbit/s for `AS` and `CT`, bit/s for `TIAS`.
    pub value: u64,
}

/// A bandwidth modifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BandwidthType {
    /// `AS`: application-specific maximum, kbit/s.
    As,
    /// `CT`: conference total, kbit/s.
    Ct,
    /// `TIAS`: transport-independent application-specific maximum, bit/s
    /// ([RFC 3890](https://www.rfc-editor.org/rfc/rfc3890)).
    Tias,
    /// Another token; never one of the names above.
    Other(String),
}

/// `t=<start> <stop>` and the `r=` lines after it
/// ([RFC 8866](https://www.rfc-editor.org/rfc/rfc8866) sections 5.9 and 5.10).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Timing {
    /// Start, NTP seconds; 0 in WebRTC.
    pub start: u64,
    /// Stop, NTP seconds; 0 in WebRTC (unbounded).
    pub stop: u64,
    /// `r=` lines, verbatim.
    pub repeats: Vec<String>,
}

impl Session {
    /// A minimal session as JSEP writes one: `s=-`, `t=0 0`, no attribute or media.
    pub fn new(origin: Origin) -> Self {
        Self {
            origin,
            name: "-".to_owned(),
            info: None,
            uri: None,
            emails: Vec::new(),
            phones: Vec::new(),
            connection: None,
            bandwidths: Vec::new(),
            timing: vec![Timing {
                start: 0,
                stop: 0,
                repeats: Vec::new(),
            }],
            time_zones: None,
            key: None,
            attributes: Attributes::default(),
            media: Vec::new(),
        }
    }

    /// Parses a session description with the default [`Limits`].
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        Self::parse_with(text.as_bytes(), &Limits::DEFAULT)
    }

    /// Parses bytes that should be UTF-8 text (an invalid line is an error naming it).
    pub fn parse_bytes(bytes: &[u8]) -> Result<Self, ParseError> {
        Self::parse_with(bytes, &Limits::DEFAULT)
    }

    /// Parses with explicit [`Limits`].
    pub fn parse_with(bytes: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        crate::parse::parse(bytes, limits)
    }

    /// The media section whose `a=mid` is `mid`.
    pub fn media_by_mid(&self, mid: &str) -> Option<&Media> {
        self.media.iter().find(|m| m.mid() == Some(mid))
    }
}

impl FromStr for Session {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Session {
    /// Writes the description with CRLF line endings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v=0\r\no={}\r\ns={}\r\n", self.origin, self.name)?;
        if let Some(i) = &self.info {
            write!(f, "i={i}\r\n")?;
        }
        if let Some(u) = &self.uri {
            write!(f, "u={u}\r\n")?;
        }
        for e in &self.emails {
            write!(f, "e={e}\r\n")?;
        }
        for p in &self.phones {
            write!(f, "p={p}\r\n")?;
        }
        if let Some(c) = &self.connection {
            write!(f, "c={c}\r\n")?;
        }
        for b in &self.bandwidths {
            write!(f, "b={b}\r\n")?;
        }
        for t in &self.timing {
            write!(f, "t={} {}\r\n", t.start, t.stop)?;
            for r in &t.repeats {
                write!(f, "r={r}\r\n")?;
            }
        }
        if let Some(z) = &self.time_zones {
            write!(f, "z={z}\r\n")?;
        }
        if let Some(k) = &self.key {
            write!(f, "k={k}\r\n")?;
        }
        for a in &self.attributes {
            write!(f, "a={a}\r\n")?;
        }
        for m in &self.media {
            m.fmt(f)?;
        }
        Ok(())
    }
}

impl Origin {
    pub(crate) fn parse(value: &str) -> Result<Self, ParseErrorKind> {
        let mut f = Fields::new(value);
        let username = word(f.next(Field::Username)?, Field::Username)?;
        let session_id = f.number(Field::SessionId)?;
        let session_version = f.number(Field::SessionVersion)?;
        let (address_type, address) = net_address(&mut f)?;
        f.end()?;
        Ok(Self {
            username,
            session_id,
            session_version,
            address_type,
            address,
        })
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} IN {} {}",
            self.username, self.session_id, self.session_version, self.address_type, self.address
        )
    }
}

/// `IN <addrtype> <address>`.
fn net_address(f: &mut Fields<'_>) -> Result<(AddressType, String), ParseErrorKind> {
    if f.next(Field::NetworkType)? != "IN" {
        return Err(ParseErrorKind::Invalid(Field::NetworkType));
    }
    let t = AddressType::parse(f.next(Field::AddressType)?)?;
    let a = f.next(Field::Address)?;
    Ok((t, a.to_owned()))
}

impl Connection {
    pub(crate) fn parse(value: &str) -> Result<Self, ParseErrorKind> {
        let mut f = Fields::new(value);
        let (address_type, address) = net_address(&mut f)?;
        f.end()?;
        Ok(Self {
            address_type,
            address,
        })
    }

    /// The address as an IP, if it is a plain IP literal (no multicast suffix, no name).
    pub fn ip(&self) -> Option<IpAddr> {
        self.address.parse().ok()
    }
}

impl fmt::Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IN {} {}", self.address_type, self.address)
    }
}

impl AddressType {
    pub(crate) fn parse(s: &str) -> Result<Self, ParseErrorKind> {
        match s {
            "IP4" => Ok(Self::Ip4),
            "IP6" => Ok(Self::Ip6),
            _ => Err(ParseErrorKind::Invalid(Field::AddressType)),
        }
    }
}

impl fmt::Display for AddressType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ip4 => "IP4",
            Self::Ip6 => "IP6",
        })
    }
}

impl Bandwidth {
    pub(crate) fn parse(value: &str) -> Result<Self, ParseErrorKind> {
        let (t, v) = value
            .split_once(':')
            .ok_or(ParseErrorKind::Missing(Field::Bandwidth))?;
        let kind = match t {
            "AS" => BandwidthType::As,
            "CT" => BandwidthType::Ct,
            "TIAS" => BandwidthType::Tias,
            other if is_token(other) => BandwidthType::Other(other.to_owned()),
            _ => return Err(ParseErrorKind::Invalid(Field::Bandwidth)),
        };
        Ok(Self {
            kind,
            value: number(v, Field::Bandwidth)?,
        })
    }
}

impl fmt::Display for Bandwidth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = match &self.kind {
            BandwidthType::As => "AS",
            BandwidthType::Ct => "CT",
            BandwidthType::Tias => "TIAS",
            BandwidthType::Other(s) => s,
        };
        write!(f, "{t}:{}", self.value)
    }
}

impl Timing {
    pub(crate) fn parse(value: &str) -> Result<Self, ParseErrorKind> {
        let mut f = Fields::new(value);
        let start = f.number(Field::Time)?;
        let stop = f.number(Field::Time)?;
        f.end()?;
        Ok(Self {
            start,
            stop,
            repeats: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_and_connection() {
        let o = Origin::parse("- 4611731400430051336 2 IN IP4 127.0.0.1").unwrap();
        assert_eq!(o.session_id, 4611731400430051336);
        assert_eq!(o.to_string(), "- 4611731400430051336 2 IN IP4 127.0.0.1");
        let cases = [
            ("- 1 2 IN IP4", ParseErrorKind::Missing(Field::Address)),
            (
                "- 1 2 ATM IP4 x",
                ParseErrorKind::Invalid(Field::NetworkType),
            ),
            (
                "- 1 2 IN IPX x",
                ParseErrorKind::Invalid(Field::AddressType),
            ),
            (
                "- 99999999999999999999 2 IN IP4 x",
                ParseErrorKind::Invalid(Field::SessionId),
            ),
            ("- 1 2 IN IP4 x y", ParseErrorKind::TrailingData),
        ];
        for (text, kind) in cases {
            assert_eq!(Origin::parse(text), Err(kind), "{text}");
        }
        let c = Connection::parse("IN IP6 ::1").unwrap();
        assert_eq!(c.ip(), Some("::1".parse().unwrap()));
        assert_eq!(
            Connection::parse("IN IP4 224.2.36.42/127").unwrap().ip(),
            None
        );
    }

    #[test]
    fn bandwidth() {
        let b = Bandwidth::parse("TIAS:128000").unwrap();
        assert_eq!((b.kind.clone(), b.value), (BandwidthType::Tias, 128000));
        assert_eq!(b.to_string(), "TIAS:128000");
        assert_eq!(Bandwidth::parse("X-YZ:1").unwrap().to_string(), "X-YZ:1");
        assert!(Bandwidth::parse("AS").is_err());
        assert!(Bandwidth::parse("AS:-1").is_err());
    }
}
