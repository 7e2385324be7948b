//! `a=` lines: the typed [`Attribute`] enum and one module per family of attributes.

pub(crate) mod candidate;
pub(crate) mod dtls;
pub(crate) mod group;
pub(crate) mod ice;
pub(crate) mod list;
pub(crate) mod rtp;
pub(crate) mod sctp;
pub(crate) mod simulcast;
pub(crate) mod ssrc;

use std::fmt;

use crate::error::{Field, ParseErrorKind};
use crate::fields::{is_token, number, word};
use crate::media::Direction;

use candidate::Candidate;
use dtls::{Fingerprint, Setup};
use group::{Group, IceOption, Msid, MsidSemantic};
use ice::IcePassword;
use rtp::{Extmap, Fmtp, Rtcp, RtcpFb, Rtpmap};
use sctp::Sctpmap;
use simulcast::{Rid, Simulcast};
use ssrc::{Ssrc, SsrcGroup};

/// One `a=` line, typed when this crate knows the attribute, else kept as name and value.
///
/// `Display` writes the line without the `a=` prefix and without the line ending.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Attribute {
    /// `a=group` ([RFC 5888](https://www.rfc-editor.org/rfc/rfc5888),
    /// [RFC 9143](https://www.rfc-editor.org/rfc/rfc9143)).
    Group(Group),
    /// `a=msid-semantic`.
    MsidSemantic(MsidSemantic),
    /// `a=mid` ([RFC 5888 section 4](https://www.rfc-editor.org/rfc/rfc5888#section-4)).
    Mid(String),
    /// `a=msid` ([RFC 8830](https://www.rfc-editor.org/rfc/rfc8830)).
    Msid(Msid),
    /// `a=ice-ufrag` ([RFC 8839 section 5.4](https://www.rfc-editor.org/rfc/rfc8839#section-5.4)).
    IceUfrag(String),
    /// `a=ice-pwd` ([RFC 8839 section 5.4](https://www.rfc-editor.org/rfc/rfc8839#section-5.4)).
    IcePwd(IcePassword),
    /// `a=ice-options`
    /// ([RFC 8839 section 5.6](https://www.rfc-editor.org/rfc/rfc8839#section-5.6)).
    IceOptions(Vec<IceOption>),
    /// `a=ice-lite` ([RFC 8839 section 5.3](https://www.rfc-editor.org/rfc/rfc8839#section-5.3)).
    IceLite,
    /// `a=fingerprint` ([RFC 8122 section 5](https://www.rfc-editor.org/rfc/rfc8122#section-5)).
    Fingerprint(Fingerprint),
    /// `a=setup` ([RFC 4145 section 4](https://www.rfc-editor.org/rfc/rfc4145#section-4)).
    Setup(Setup),
    /// `a=candidate` ([RFC 8839 section 5.1](https://www.rfc-editor.org/rfc/rfc8839#section-5.1)).
    Candidate(Candidate),
    /// `a=end-of-candidates`
    /// ([RFC 8840 section 8.2](https://www.rfc-editor.org/rfc/rfc8840#section-8.2)).
    EndOfCandidates,
    /// `a=rtcp` ([RFC 3605](https://www.rfc-editor.org/rfc/rfc3605)).
    Rtcp(Rtcp),
    /// `a=rtcp-mux`
    /// ([RFC 5761 section 5.1.1](https://www.rfc-editor.org/rfc/rfc5761#section-5.1.1)).
    RtcpMux,
    /// `a=rtcp-mux-only` ([RFC 8858](https://www.rfc-editor.org/rfc/rfc8858)).
    RtcpMuxOnly,
    /// `a=rtcp-rsize` ([RFC 5506 section 5](https://www.rfc-editor.org/rfc/rfc5506#section-5)).
    RtcpRsize,
    /// `a=rtpmap` ([RFC 8866 section 6.6](https://www.rfc-editor.org/rfc/rfc8866#section-6.6)).
    Rtpmap(Rtpmap),
    /// `a=fmtp` ([RFC 8866 section 6.15](https://www.rfc-editor.org/rfc/rfc8866#section-6.15)).
    Fmtp(Fmtp),
    /// `a=rtcp-fb` ([RFC 4585 section 4.2](https://www.rfc-editor.org/rfc/rfc4585#section-4.2)).
    RtcpFb(RtcpFb),
    /// `a=extmap` ([RFC 8285 section 8](https://www.rfc-editor.org/rfc/rfc8285#section-8)).
    Extmap(Extmap),
    /// `a=extmap-allow-mixed`
    /// ([RFC 8285 section 6](https://www.rfc-editor.org/rfc/rfc8285#section-6)).
    ExtmapAllowMixed,
    /// `a=ssrc` ([RFC 5576 section 4.1](https://www.rfc-editor.org/rfc/rfc5576#section-4.1)).
    Ssrc(Ssrc),
    /// `a=ssrc-group` ([RFC 5576 section 4.2](https://www.rfc-editor.org/rfc/rfc5576#section-4.2)).
    SsrcGroup(SsrcGroup),
    /// `a=rid` ([RFC 8851](https://www.rfc-editor.org/rfc/rfc8851)).
    Rid(Rid),
    /// `a=simulcast` ([RFC 8853](https://www.rfc-editor.org/rfc/rfc8853)).
    Simulcast(Simulcast),
    /// `a=sendrecv`, `a=sendonly`, `a=recvonly`, `a=inactive`
    /// ([RFC 8866 sections 6.7.1 to 6.7.4](https://www.rfc-editor.org/rfc/rfc8866#section-6.7.1)).
    Direction(Direction),
    /// `a=sctp-port` ([RFC 8841 section 5](https://www.rfc-editor.org/rfc/rfc8841#section-5)).
    SctpPort(u16),
    /// `a=max-message-size`
    /// ([RFC 8841 section 6](https://www.rfc-editor.org/rfc/rfc8841#section-6)); 0 means no limit.
    MaxMessageSize(u64),
    /// `a=sctpmap` (legacy, pre-[RFC 8841](https://www.rfc-editor.org/rfc/rfc8841)).
    Sctpmap(Sctpmap),
    /// Any other attribute, kept as written. `value` is `None` for `a=name` and `Some` for
    /// `a=name:value` (possibly empty). `name` is never one this crate types.
    Other {
        /// Attribute name (a token).
        name: String,
        /// Everything after the first colon, verbatim.
        value: Option<String>,
    },
}

impl Attribute {
    /// Parses the text of an `a=` line after the `a=`.
    pub(crate) fn parse(text: &str) -> Result<Self, ParseErrorKind> {
        let (name, value) = match text.split_once(':') {
            Some((n, v)) => (n, Some(v)),
            None => (text, None),
        };
        if !is_token(name) {
            return Err(ParseErrorKind::Invalid(Field::AttributeName));
        }
        if let Some(flag) = flag(name) {
            return match value {
                None => Ok(flag),
                Some(_) => Err(ParseErrorKind::Invalid(Field::AttributeValue)),
            };
        }
        let Some(v) = value else {
            return if is_known(name) {
                Err(ParseErrorKind::Missing(Field::AttributeValue))
            } else {
                Ok(Self::Other {
                    name: name.to_owned(),
                    value: None,
                })
            };
        };
        Ok(match name {
            "group" => Self::Group(Group::parse(v)?),
            "msid-semantic" => Self::MsidSemantic(MsidSemantic::parse(v)?),
            "mid" => Self::Mid(word(v, Field::Identifier)?),
            "msid" => Self::Msid(Msid::parse(v)?),
            "ice-ufrag" => Self::IceUfrag(word(v, Field::Identifier)?),
            "ice-pwd" => Self::IcePwd(IcePassword::new(word(v, Field::Identifier)?)),
            "ice-options" => Self::IceOptions(IceOption::parse_list(v)?),
            "fingerprint" => Self::Fingerprint(Fingerprint::parse(v)?),
            "setup" => Self::Setup(Setup::parse(v)?),
            "candidate" => Self::Candidate(Candidate::parse_value(v)?),
            "rtcp" => Self::Rtcp(Rtcp::parse(v)?),
            "rtpmap" => Self::Rtpmap(Rtpmap::parse(v)?),
            "fmtp" => Self::Fmtp(Fmtp::parse(v)?),
            "rtcp-fb" => Self::RtcpFb(RtcpFb::parse(v)?),
            "extmap" => Self::Extmap(Extmap::parse(v)?),
            "ssrc" => Self::Ssrc(Ssrc::parse(v)?),
            "ssrc-group" => Self::SsrcGroup(SsrcGroup::parse(v)?),
            "rid" => Self::Rid(Rid::parse(v)?),
            "simulcast" => Self::Simulcast(Simulcast::parse(v)?),
            "sctp-port" => Self::SctpPort(number(v, Field::Port)?),
            "max-message-size" => Self::MaxMessageSize(number(v, Field::Number)?),
            "sctpmap" => Self::Sctpmap(Sctpmap::parse(v)?),
            _ => Self::Other {
                name: name.to_owned(),
                value: Some(v.to_owned()),
            },
        })
    }

    /// The attribute name (`mid`, `candidate`, ...).
    pub fn name(&self) -> &str {
        match self {
            Self::Group(_) => "group",
            Self::MsidSemantic(_) => "msid-semantic",
            Self::Mid(_) => "mid",
            Self::Msid(_) => "msid",
            Self::IceUfrag(_) => "ice-ufrag",
            Self::IcePwd(_) => "ice-pwd",
            Self::IceOptions(_) => "ice-options",
            Self::IceLite => "ice-lite",
            Self::Fingerprint(_) => "fingerprint",
            Self::Setup(_) => "setup",
            Self::Candidate(_) => "candidate",
            Self::EndOfCandidates => "end-of-candidates",
            Self::Rtcp(_) => "rtcp",
            Self::RtcpMux => "rtcp-mux",
            Self::RtcpMuxOnly => "rtcp-mux-only",
            Self::RtcpRsize => "rtcp-rsize",
            Self::Rtpmap(_) => "rtpmap",
            Self::Fmtp(_) => "fmtp",
            Self::RtcpFb(_) => "rtcp-fb",
            Self::Extmap(_) => "extmap",
            Self::ExtmapAllowMixed => "extmap-allow-mixed",
            Self::Ssrc(_) => "ssrc",
            Self::SsrcGroup(_) => "ssrc-group",
            Self::Rid(_) => "rid",
            Self::Simulcast(_) => "simulcast",
            Self::Direction(d) => d.as_str(),
            Self::SctpPort(_) => "sctp-port",
            Self::MaxMessageSize(_) => "max-message-size",
            Self::Sctpmap(_) => "sctpmap",
            Self::Other { name, .. } => name,
        }
    }
}

/// The flag (value-less) attributes this crate types.
fn flag(name: &str) -> Option<Attribute> {
    Some(match name {
        "ice-lite" => Attribute::IceLite,
        "end-of-candidates" => Attribute::EndOfCandidates,
        "rtcp-mux" => Attribute::RtcpMux,
        "rtcp-mux-only" => Attribute::RtcpMuxOnly,
        "rtcp-rsize" => Attribute::RtcpRsize,
        "extmap-allow-mixed" => Attribute::ExtmapAllowMixed,
        other => Attribute::Direction(Direction::parse(other)?),
    })
}

/// The value attributes this crate types.
fn is_known(name: &str) -> bool {
    matches!(
        name,
        "group"
            | "msid-semantic"
            | "mid"
            | "msid"
            | "ice-ufrag"
            | "ice-pwd"
            | "ice-options"
            | "fingerprint"
            | "setup"
            | "candidate"
            | "rtcp"
            | "rtpmap"
            | "fmtp"
            | "rtcp-fb"
            | "extmap"
            | "ssrc"
            | "ssrc-group"
            | "rid"
            | "simulcast"
            | "sctp-port"
            | "max-message-size"
            | "sctpmap"
    )
}

impl fmt::Display for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The candidate's own Display carries the `candidate:` prefix.
            Self::Candidate(c) => return c.fmt(f),
            Self::Other { name, value } => {
                f.write_str(name)?;
                if let Some(v) = value {
                    write!(f, ":{v}")?;
                }
                return Ok(());
            }
            _ => {}
        }
        f.write_str(self.name())?;
        match self {
            Self::Group(g) => write!(f, ":{g}"),
            Self::MsidSemantic(m) => write!(f, ":{m}"),
            Self::Mid(s) | Self::IceUfrag(s) => write!(f, ":{s}"),
            Self::IcePwd(p) => write!(f, ":{p}"),
            Self::Msid(m) => write!(f, ":{m}"),
            Self::IceOptions(o) => {
                for (i, opt) in o.iter().enumerate() {
                    f.write_str(if i == 0 { ":" } else { " " })?;
                    write!(f, "{opt}")?;
                }
                Ok(())
            }
            Self::Fingerprint(x) => write!(f, ":{x}"),
            Self::Setup(x) => write!(f, ":{x}"),
            Self::Rtcp(x) => write!(f, ":{x}"),
            Self::Rtpmap(x) => write!(f, ":{x}"),
            Self::Fmtp(x) => write!(f, ":{x}"),
            Self::RtcpFb(x) => write!(f, ":{x}"),
            Self::Extmap(x) => write!(f, ":{x}"),
            Self::Ssrc(x) => write!(f, ":{x}"),
            Self::SsrcGroup(x) => write!(f, ":{x}"),
            Self::Rid(x) => write!(f, ":{x}"),
            Self::Simulcast(x) => write!(f, ":{x}"),
            Self::SctpPort(x) => write!(f, ":{x}"),
            Self::MaxMessageSize(x) => write!(f, ":{x}"),
            Self::Sctpmap(x) => write!(f, ":{x}"),
            Self::IceLite
            | Self::EndOfCandidates
            | Self::RtcpMux
            | Self::RtcpMuxOnly
            | Self::RtcpRsize
            | Self::ExtmapAllowMixed
            | Self::Direction(_)
            | Self::Candidate(_)
            | Self::Other { .. } => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_and_unknown_attributes_round_trip() {
        for text in [
            "group:BUNDLE 0 1",
            "msid-semantic: WMS",
            "mid:audio",
            "ice-ufrag:PcYm",
            "ice-pwd:nJTHEdxTUJ25l05Rm3ve6tWR",
            "ice-options:trickle ice2",
            "ice-lite",
            "setup:actpass",
            "candidate:1 1 udp 1 192.0.2.1 9 typ host",
            "end-of-candidates",
            "rtcp:9 IN IP4 0.0.0.0",
            "rtcp-mux",
            "rtcp-mux-only",
            "rtcp-rsize",
            "extmap-allow-mixed",
            "sendonly",
            "inactive",
            "sctp-port:5000",
            "max-message-size:262144",
            "rtcp-xr:rcvr-rtt=all",
            "x-google-flag:conference",
            "cryptex",
            "empty:",
        ] {
            let a = Attribute::parse(text).unwrap();
            assert_eq!(a.to_string(), text);
        }
    }

    #[test]
    fn unknown_names_are_other_with_value_or_not() {
        assert_eq!(
            Attribute::parse("tls-id:abc").unwrap(),
            Attribute::Other {
                name: "tls-id".into(),
                value: Some("abc".into())
            }
        );
        assert_eq!(
            Attribute::parse("cryptex").unwrap(),
            Attribute::Other {
                name: "cryptex".into(),
                value: None
            }
        );
    }

    #[test]
    fn misuse_of_known_names_is_an_error() {
        let cases = [
            ("rtcp-mux:1", ParseErrorKind::Invalid(Field::AttributeValue)),
            ("mid", ParseErrorKind::Missing(Field::AttributeValue)),
            ("mid:", ParseErrorKind::Invalid(Field::Identifier)),
            ("mid:a b", ParseErrorKind::Invalid(Field::Identifier)),
            ("sctp-port:65536", ParseErrorKind::Invalid(Field::Port)),
            (
                "max-message-size:99999999999999999999",
                ParseErrorKind::Invalid(Field::Number),
            ),
            ("a b:c", ParseErrorKind::Invalid(Field::AttributeName)),
            ("", ParseErrorKind::Invalid(Field::AttributeName)),
        ];
        for (text, kind) in cases {
            assert_eq!(Attribute::parse(text), Err(kind), "{text}");
        }
    }
}
