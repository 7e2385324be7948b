//! `a=candidate` ([RFC 8839 section 5.1](https://www.rfc-editor.org/rfc/rfc8839#section-5.1)),
//! usable alone for trickled candidates.

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::str::FromStr;

use crate::error::{Field, ParseError, ParseErrorKind};
use crate::fields::{Fields, number, word};

/// One ICE candidate.
///
/// Parse the attribute form found in SDP and in `RTCIceCandidate.candidate`
/// (`candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host`) with [`Candidate::parse`];
/// `Display` writes that same form back.
///
/// ```
/// use muon_sdp::{Candidate, CandidateType};
/// let c = Candidate::parse(
///     "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx \
///      raddr 192.168.1.2 rport 46154 generation 0 ufrag EsAw network-cost 999",
/// )
/// .unwrap();
/// assert_eq!(c.kind, CandidateType::Srflx);
/// assert_eq!(c.port, 46154);
/// assert_eq!(c.ufrag(), Some("EsAw"));
/// assert!(c.transport.is_udp());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Candidate {
    /// Foundation: equal for candidates of the same type, base and server.
    pub foundation: String,
    /// Component id: 1 for RTP, 2 for RTCP.
    pub component: u16,
    /// Transport protocol as written (`udp`, `UDP`, `tcp`, ...).
    pub transport: Transport,
    /// Priority ([RFC 8445 section 5.1.2](https://www.rfc-editor.org/rfc/rfc8445#section-5.1.2)).
    pub priority: u32,
    /// Address: an IP address, or a name (an mDNS `.local` name,
    /// [RFC 8828](https://www.rfc-editor.org/rfc/rfc8828) / mdns-ice-candidates).
    pub address: CandidateAddress,
    /// Port.
    pub port: u16,
    /// Candidate type.
    pub kind: CandidateType,
    /// `raddr`: the related address of a reflexive or relayed candidate.
    pub related_address: Option<CandidateAddress>,
    /// `rport`: the related port.
    pub related_port: Option<u16>,
    /// Extension name/value pairs after the related address, in the order written.
    pub extensions: Vec<CandidateExtension>,
}

/// A candidate's address: an IP literal or a host name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CandidateAddress {
    /// An IPv4 or IPv6 literal.
    Ip(IpAddr),
    /// Anything else, typically an mDNS name such as `1f4712db-ea17-4bcf-a596-105139dfd8bf.local`.
    Name(String),
}

/// Candidate type (`typ`),
/// [RFC 8445 section 5.1.1](https://www.rfc-editor.org/rfc/rfc8445#section-5.1.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CandidateType {
    /// `host`.
    Host,
    /// `srflx`: server reflexive.
    Srflx,
    /// `prflx`: peer reflexive.
    Prflx,
    /// `relay`: relayed through TURN.
    Relay,
    /// Another token; never one of the names above.
    Other(String),
}

/// The candidate transport. Compared ASCII-case-insensitively
/// ([RFC 5234](https://www.rfc-editor.org/rfc/rfc5234) string literals), but
/// written as it was spelled so that Firefox's `UDP` and Chromium's `udp` both round-trip.
#[derive(Debug, Clone)]
pub struct Transport(Cow<'static, str>);

/// [RFC 6544](https://www.rfc-editor.org/rfc/rfc6544) `tcptype`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TcpType {
    /// `active`.
    Active,
    /// `passive`.
    Passive,
    /// `so`: simultaneous open.
    So,
}

/// One extension pair after the candidate type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CandidateExtension {
    /// `tcptype` ([RFC 6544 section 4.5](https://www.rfc-editor.org/rfc/rfc6544#section-4.5)).
    TcpType(TcpType),
    /// `generation` (Chromium): ICE generation counter.
    Generation(u32),
    /// `ufrag`: the ICE username fragment this candidate belongs to.
    Ufrag(String),
    /// `network-id` (Chromium).
    NetworkId(u32),
    /// `network-cost` (Chromium).
    NetworkCost(u32),
    /// Any other pair, kept as written.
    Other {
        /// Extension name.
        name: String,
        /// Extension value.
        value: String,
    },
}

impl Candidate {
    /// Parses `candidate:...`, also accepting a leading `a=` (an SDP line) and a trailing
    /// CR/LF. Errors report line 1.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let t = text.strip_suffix('\n').unwrap_or(text);
        let t = t.strip_suffix('\r').unwrap_or(t);
        let t = t.strip_prefix("a=").unwrap_or(t);
        let value = t
            .strip_prefix("candidate:")
            .ok_or(ParseError::new(1, ParseErrorKind::NotACandidate))?;
        if value.contains(['\r', '\n', '\0']) {
            return Err(ParseError::new(1, ParseErrorKind::ControlCharacter));
        }
        Self::parse_value(value).map_err(|kind| ParseError::new(1, kind))
    }

    /// Parses the value after `candidate:`.
    pub(crate) fn parse_value(value: &str) -> Result<Self, ParseErrorKind> {
        let mut f = Fields::new(value);
        let foundation = word(f.next(Field::Foundation)?, Field::Foundation)?;
        let component = f.number(Field::Component)?;
        let transport = Transport(Cow::Owned(f.next(Field::Transport)?.to_owned()));
        let priority = f.number(Field::Priority)?;
        let address = CandidateAddress::from_field(f.next(Field::Address)?);
        let port = f.number(Field::Port)?;
        if f.next(Field::CandidateType)? != "typ" {
            return Err(ParseErrorKind::Invalid(Field::CandidateType));
        }
        let kind = CandidateType::from_token(f.next(Field::CandidateType)?);
        let mut c = Candidate {
            foundation,
            component,
            transport,
            priority,
            address,
            port,
            kind,
            related_address: None,
            related_port: None,
            extensions: Vec::new(),
        };
        let mut name = f.next_opt();
        if name == Some("raddr") {
            let addr = f.next(Field::RelatedAddress)?;
            c.related_address = Some(CandidateAddress::from_field(addr));
            name = f.next_opt();
        }
        if name == Some("rport") {
            c.related_port = Some(f.number(Field::RelatedAddress)?);
            name = f.next_opt();
        }
        while let Some(n) = name {
            let v = f.next(Field::CandidateExtension)?;
            c.extensions.push(CandidateExtension::parse(n, v)?);
            name = f.next_opt();
        }
        Ok(c)
    }

    /// The `tcptype` extension, if present.
    pub fn tcp_type(&self) -> Option<&TcpType> {
        self.extensions.iter().find_map(|e| match e {
            CandidateExtension::TcpType(t) => Some(t),
            _ => None,
        })
    }

    /// The `generation` extension, if present.
    pub fn generation(&self) -> Option<u32> {
        self.extensions.iter().find_map(|e| match e {
            CandidateExtension::Generation(g) => Some(*g),
            _ => None,
        })
    }

    /// The `ufrag` extension, if present.
    pub fn ufrag(&self) -> Option<&str> {
        self.extensions.iter().find_map(|e| match e {
            CandidateExtension::Ufrag(u) => Some(u.as_str()),
            _ => None,
        })
    }

    /// The `network-id` extension, if present.
    pub fn network_id(&self) -> Option<u32> {
        self.extensions.iter().find_map(|e| match e {
            CandidateExtension::NetworkId(n) => Some(*n),
            _ => None,
        })
    }

    /// The `network-cost` extension, if present.
    pub fn network_cost(&self) -> Option<u32> {
        self.extensions.iter().find_map(|e| match e {
            CandidateExtension::NetworkCost(n) => Some(*n),
            _ => None,
        })
    }
}

impl FromStr for Candidate {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "candidate:{} {} {} {} {} {} typ {}",
            self.foundation,
            self.component,
            self.transport.as_str(),
            self.priority,
            self.address,
            self.port,
            self.kind
        )?;
        if let Some(a) = &self.related_address {
            write!(f, " raddr {a}")?;
        }
        if let Some(p) = self.related_port {
            write!(f, " rport {p}")?;
        }
        for e in &self.extensions {
            write!(f, " {e}")?;
        }
        Ok(())
    }
}

impl CandidateAddress {
    fn from_field(s: &str) -> Self {
        match s.parse() {
            Ok(ip) => Self::Ip(ip),
            Err(_) => Self::Name(s.to_owned()),
        }
    }

    /// True for an mDNS name (ends in `.local`,
    /// [RFC 6762](https://www.rfc-editor.org/rfc/rfc6762)).
    pub fn is_mdns(&self) -> bool {
        match self {
            Self::Name(n) => n.len() > 6 && n.to_ascii_lowercase().ends_with(".local"),
            Self::Ip(_) => false,
        }
    }
}

impl fmt::Display for CandidateAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ip(ip) => ip.fmt(f),
            Self::Name(n) => f.write_str(n),
        }
    }
}

impl CandidateType {
    fn from_token(s: &str) -> Self {
        match s {
            "host" => Self::Host,
            "srflx" => Self::Srflx,
            "prflx" => Self::Prflx,
            "relay" => Self::Relay,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The keyword as written after `typ`.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Host => "host",
            Self::Srflx => "srflx",
            Self::Prflx => "prflx",
            Self::Relay => "relay",
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for CandidateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Transport {
    /// `UDP`, as [RFC 8839](https://www.rfc-editor.org/rfc/rfc8839) spells it.
    pub const UDP: Self = Self(Cow::Borrowed("UDP"));
    /// `TCP` ([RFC 6544](https://www.rfc-editor.org/rfc/rfc6544)).
    pub const TCP: Self = Self(Cow::Borrowed("TCP"));

    /// A transport spelled `s` (for instance `udp`, as Chromium writes it).
    pub fn new(s: impl Into<String>) -> Self {
        Self(Cow::Owned(s.into()))
    }

    /// The spelling.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for UDP in any case.
    pub fn is_udp(&self) -> bool {
        self.0.eq_ignore_ascii_case("udp")
    }

    /// True for TCP in any case.
    pub fn is_tcp(&self) -> bool {
        self.0.eq_ignore_ascii_case("tcp")
    }
}

impl PartialEq for Transport {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for Transport {}

impl Hash for Transport {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
    }
}

impl TcpType {
    /// The keyword.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Passive => "passive",
            Self::So => "so",
        }
    }
}

impl CandidateExtension {
    fn parse(name: &str, value: &str) -> Result<Self, ParseErrorKind> {
        let bad = ParseErrorKind::Invalid(Field::CandidateExtension);
        Ok(match name {
            "tcptype" => Self::TcpType(match value {
                "active" => TcpType::Active,
                "passive" => TcpType::Passive,
                "so" => TcpType::So,
                _ => return Err(bad),
            }),
            "generation" => Self::Generation(number(value, Field::CandidateExtension)?),
            "ufrag" => Self::Ufrag(value.to_owned()),
            "network-id" => Self::NetworkId(number(value, Field::CandidateExtension)?),
            "network-cost" => Self::NetworkCost(number(value, Field::CandidateExtension)?),
            _ => Self::Other {
                name: name.to_owned(),
                value: value.to_owned(),
            },
        })
    }
}

impl fmt::Display for CandidateExtension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TcpType(t) => write!(f, "tcptype {}", t.as_str()),
            Self::Generation(g) => write!(f, "generation {g}"),
            Self::Ufrag(u) => write!(f, "ufrag {u}"),
            Self::NetworkId(n) => write!(f, "network-id {n}"),
            Self::NetworkCost(n) => write!(f, "network-cost {n}"),
            Self::Other { name, value } => write!(f, "{name} {value}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8839 section 5.1 grammar; the example values come from RFC 8445 appendix B.
    #[test]
    fn host_ipv6_and_tcp_passive() {
        let text = "candidate:1 1 TCP 2128609279 2001:db8::1 9 typ host tcptype passive";
        let c = Candidate::parse(text).unwrap();
        assert_eq!(
            c.address,
            CandidateAddress::Ip("2001:db8::1".parse().unwrap())
        );
        assert!(c.transport.is_tcp());
        assert_eq!(c.tcp_type(), Some(&TcpType::Passive));
        assert_eq!(c.to_string(), text);
    }

    #[test]
    fn relay_with_related_address_and_all_chromium_extensions() {
        let text = "candidate:3 1 udp 41885695 198.51.100.9 3478 typ relay raddr 203.0.113.7 \
                    rport 54321 generation 2 ufrag abcd network-id 3 network-cost 50 x-foo bar";
        let c = Candidate::parse(&format!("a={text}\r\n")).unwrap();
        assert_eq!(c.kind, CandidateType::Relay);
        assert_eq!(
            c.related_address,
            Some(CandidateAddress::Ip("203.0.113.7".parse().unwrap()))
        );
        assert_eq!(c.related_port, Some(54321));
        assert_eq!(c.generation(), Some(2));
        assert_eq!(c.ufrag(), Some("abcd"));
        assert_eq!(c.network_id(), Some(3));
        assert_eq!(c.network_cost(), Some(50));
        assert_eq!(
            c.extensions.last(),
            Some(&CandidateExtension::Other {
                name: "x-foo".into(),
                value: "bar".into()
            })
        );
        assert_eq!(c.to_string(), text);
    }

    #[test]
    fn mdns_name_is_kept_as_a_name() {
        let text =
            "candidate:2 1 udp 2113937151 0c1c4a2a-8d5f-4a4b-9a55-3c2c2bb6bd0f.local 5000 typ host";
        let c = Candidate::parse(text).unwrap();
        assert!(c.address.is_mdns());
        assert_eq!(c.to_string(), text);
    }

    #[test]
    fn transport_compares_case_insensitively_but_keeps_spelling() {
        let a = Candidate::parse("candidate:1 1 udp 1 192.0.2.1 1 typ host").unwrap();
        let b = Candidate::parse("candidate:1 1 UDP 1 192.0.2.1 1 typ host").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.transport, Transport::UDP);
        assert!(b.to_string().contains(" UDP "));
        assert!(a.to_string().contains(" udp "));
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (
                "candidate:1 1 udp",
                ParseErrorKind::Missing(Field::Priority),
            ),
            (
                "candidate:1 1 udp 4294967296 192.0.2.1 1 typ host",
                ParseErrorKind::Invalid(Field::Priority),
            ),
            (
                "candidate:1 1 udp 1 192.0.2.1 70000 typ host",
                ParseErrorKind::Invalid(Field::Port),
            ),
            (
                "candidate:1 1 udp 1 192.0.2.1 1 type host",
                ParseErrorKind::Invalid(Field::CandidateType),
            ),
            (
                "candidate:1 1 udp 1 192.0.2.1 1 typ host generation",
                ParseErrorKind::Missing(Field::CandidateExtension),
            ),
            (
                "candidate:1 1 udp 1 192.0.2.1 1 typ host tcptype sideways",
                ParseErrorKind::Invalid(Field::CandidateExtension),
            ),
            ("foo:1 1 udp", ParseErrorKind::NotACandidate),
        ];
        for (text, kind) in cases {
            assert_eq!(
                Candidate::parse(text),
                Err(ParseError::new(1, kind)),
                "{text}"
            );
        }
    }
}
