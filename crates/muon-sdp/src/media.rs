//! Media sections: the `m=` line
//! ([RFC 8866 section 5.14](https://www.rfc-editor.org/rfc/rfc8866#section-5.14)) and the lines
//! that follow it.

use std::fmt;

use crate::attribute::list::Attributes;
use crate::attribute::rtp::{Fmtp, RtcpFb, Rtpmap, payload_type};
use crate::error::{Field, ParseErrorKind};
use crate::fields::{Fields, is_token, number};
use crate::session::{Bandwidth, Connection};

/// One media section: an `m=` line and its `i=`, `c=`, `b=`, `k=` and `a=` lines.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Media {
    /// Media type.
    pub kind: MediaKind,
    /// Transport port (9, the discard port, under ICE; 0 rejects the section).
    pub port: u16,
    /// The `/<number of ports>` after the port, rarely used.
    pub port_count: Option<u32>,
    /// Transport protocol.
    pub proto: Proto,
    /// Formats: RTP payload types, or `webrtc-datachannel` for SCTP.
    pub formats: Vec<String>,
    /// `i=` media title.
    pub title: Option<String>,
    /// `c=` connection data.
    pub connection: Option<Connection>,
    /// `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// `k=` line (obsolete; kept verbatim).
    pub key: Option<String>,
    /// `a=` lines.
    pub attributes: Attributes,
}

/// `m=` media type ([RFC 8866 section 5.14](https://www.rfc-editor.org/rfc/rfc8866#section-5.14)).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// `audio`.
    Audio,
    /// `video`.
    Video,
    /// `application` (data channels).
    Application,
    /// `text`.
    Text,
    /// `message`.
    Message,
    /// Another token; never one of the names above.
    Other(String),
}

/// `m=` transport protocol, matched exactly as registered.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Proto {
    /// `UDP/TLS/RTP/SAVPF`: what WebRTC uses for media
    /// ([RFC 5764 section 8](https://www.rfc-editor.org/rfc/rfc5764#section-8)).
    UdpTlsRtpSavpf,
    /// `TCP/TLS/RTP/SAVPF`.
    TcpTlsRtpSavpf,
    /// `RTP/SAVPF`: accepted by browsers in offers.
    RtpSavpf,
    /// `RTP/SAVP`.
    RtpSavp,
    /// `RTP/AVPF`.
    RtpAvpf,
    /// `RTP/AVP`.
    RtpAvp,
    /// `UDP/TLS/RTP/SAVP`.
    UdpTlsRtpSavp,
    /// `UDP/DTLS/SCTP`: data channels
    /// ([RFC 8841 section 4.1](https://www.rfc-editor.org/rfc/rfc8841#section-4.1)).
    UdpDtlsSctp,
    /// `TCP/DTLS/SCTP`.
    TcpDtlsSctp,
    /// `DTLS/SCTP`: the legacy data channel protocol.
    DtlsSctp,
    /// Another protocol; never one of the names above.
    Other(String),
}

/// Media direction
/// ([RFC 8866 sections 6.7.1 to 6.7.4](https://www.rfc-editor.org/rfc/rfc8866#section-6.7.1)),
/// also used by `a=extmap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `sendrecv`.
    SendRecv,
    /// `sendonly`.
    SendOnly,
    /// `recvonly`.
    RecvOnly,
    /// `inactive`.
    Inactive,
}

impl Media {
    /// A section with no format, line or attribute other than those given.
    pub fn new(kind: MediaKind, port: u16, proto: Proto, formats: Vec<String>) -> Self {
        Self {
            kind,
            port,
            port_count: None,
            proto,
            formats,
            title: None,
            connection: None,
            bandwidths: Vec::new(),
            key: None,
            attributes: Attributes::default(),
        }
    }

    /// Parses the value of an `m=` line.
    pub(crate) fn parse_m_line(value: &str) -> Result<Self, ParseErrorKind> {
        let mut f = Fields::new(value);
        let kind = MediaKind::parse(f.next(Field::MediaType)?)?;
        let port_field = f.next(Field::Port)?;
        let (port, port_count) = match port_field.split_once('/') {
            Some((p, n)) => (number(p, Field::Port)?, Some(number(n, Field::PortCount)?)),
            None => (number(port_field, Field::Port)?, None),
        };
        let proto = Proto::parse(f.next(Field::Protocol)?)?;
        let mut formats = Vec::new();
        while let Some(fmt) = f.next_opt() {
            formats.push(fmt.to_owned());
        }
        let mut m = Self::new(kind, port, proto, formats);
        m.port_count = port_count;
        Ok(m)
    }

    /// The formats that are RTP payload types (0 to 127), in `m=` order.
    pub fn payload_types(&self) -> impl Iterator<Item = u8> {
        self.formats.iter().filter_map(|f| payload_type(f).ok())
    }

    /// The `a=rtpmap` of payload type `pt`.
    pub fn rtpmap(&self, pt: u8) -> Option<&Rtpmap> {
        self.attributes.rtpmaps().find(|r| r.payload_type == pt)
    }

    /// The `a=fmtp` of payload type `pt`.
    pub fn fmtp(&self, pt: u8) -> Option<&Fmtp> {
        self.attributes.fmtps().find(|r| r.payload_type == pt)
    }

    /// The `a=rtcp-fb` lines that apply to payload type `pt`, including those for `*`.
    pub fn rtcp_fbs(&self, pt: u8) -> impl Iterator<Item = &RtcpFb> {
        self.attributes
            .rtcp_fbs()
            .filter(move |r| r.payload_type.is_none_or(|p| p == pt))
    }

    /// `a=mid`.
    pub fn mid(&self) -> Option<&str> {
        self.attributes.mid()
    }
}

impl fmt::Display for Media {
    /// Writes the section's lines, each ending in CRLF, in
    /// [RFC 8866](https://www.rfc-editor.org/rfc/rfc8866) order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "m={} {}", self.kind, self.port)?;
        if let Some(n) = self.port_count {
            write!(f, "/{n}")?;
        }
        write!(f, " {}", self.proto)?;
        for fmt in &self.formats {
            write!(f, " {fmt}")?;
        }
        f.write_str("\r\n")?;
        if let Some(i) = &self.title {
            write!(f, "i={i}\r\n")?;
        }
        if let Some(c) = &self.connection {
            write!(f, "c={c}\r\n")?;
        }
        for b in &self.bandwidths {
            write!(f, "b={b}\r\n")?;
        }
        if let Some(k) = &self.key {
            write!(f, "k={k}\r\n")?;
        }
        for a in &self.attributes {
            write!(f, "a={a}\r\n")?;
        }
        Ok(())
    }
}

impl MediaKind {
    fn parse(s: &str) -> Result<Self, ParseErrorKind> {
        Ok(match s {
            "audio" => Self::Audio,
            "video" => Self::Video,
            "application" => Self::Application,
            "text" => Self::Text,
            "message" => Self::Message,
            other if is_token(other) => Self::Other(other.to_owned()),
            _ => return Err(ParseErrorKind::Invalid(Field::MediaType)),
        })
    }

    /// The token.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Audio => "audio",
            Self::Video => "video",
            Self::Application => "application",
            Self::Text => "text",
            Self::Message => "message",
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for MediaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Proto {
    fn parse(s: &str) -> Result<Self, ParseErrorKind> {
        Ok(match s {
            "UDP/TLS/RTP/SAVPF" => Self::UdpTlsRtpSavpf,
            "TCP/TLS/RTP/SAVPF" => Self::TcpTlsRtpSavpf,
            "RTP/SAVPF" => Self::RtpSavpf,
            "RTP/SAVP" => Self::RtpSavp,
            "RTP/AVPF" => Self::RtpAvpf,
            "RTP/AVP" => Self::RtpAvp,
            "UDP/TLS/RTP/SAVP" => Self::UdpTlsRtpSavp,
            "UDP/DTLS/SCTP" => Self::UdpDtlsSctp,
            "TCP/DTLS/SCTP" => Self::TcpDtlsSctp,
            "DTLS/SCTP" => Self::DtlsSctp,
            other if other.split('/').all(is_token) => Self::Other(other.to_owned()),
            _ => return Err(ParseErrorKind::Invalid(Field::Protocol)),
        })
    }

    /// The protocol string.
    pub fn as_str(&self) -> &str {
        match self {
            Self::UdpTlsRtpSavpf => "UDP/TLS/RTP/SAVPF",
            Self::TcpTlsRtpSavpf => "TCP/TLS/RTP/SAVPF",
            Self::RtpSavpf => "RTP/SAVPF",
            Self::RtpSavp => "RTP/SAVP",
            Self::RtpAvpf => "RTP/AVPF",
            Self::RtpAvp => "RTP/AVP",
            Self::UdpTlsRtpSavp => "UDP/TLS/RTP/SAVP",
            Self::UdpDtlsSctp => "UDP/DTLS/SCTP",
            Self::TcpDtlsSctp => "TCP/DTLS/SCTP",
            Self::DtlsSctp => "DTLS/SCTP",
            Self::Other(s) => s,
        }
    }

    /// True for the RTP profiles.
    pub fn is_rtp(&self) -> bool {
        self.as_str().contains("RTP/")
    }

    /// True for the SCTP (data channel) protocols.
    pub fn is_sctp(&self) -> bool {
        self.as_str().ends_with("SCTP")
    }
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Direction {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "sendrecv" => Some(Self::SendRecv),
            "sendonly" => Some(Self::SendOnly),
            "recvonly" => Some(Self::RecvOnly),
            "inactive" => Some(Self::Inactive),
            _ => None,
        }
    }

    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SendRecv => "sendrecv",
            Self::SendOnly => "sendonly",
            Self::RecvOnly => "recvonly",
            Self::Inactive => "inactive",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn m_lines() {
        let m = Media::parse_m_line("video 9 UDP/TLS/RTP/SAVPF 96 97").unwrap();
        assert_eq!(m.kind, MediaKind::Video);
        assert!(m.proto.is_rtp());
        assert_eq!(m.payload_types().collect::<Vec<_>>(), [96, 97]);
        let d = Media::parse_m_line("application 9 UDP/DTLS/SCTP webrtc-datachannel").unwrap();
        assert!(d.proto.is_sctp());
        assert_eq!(d.payload_types().count(), 0);
        let p = Media::parse_m_line("audio 49170/2 RTP/AVP 0").unwrap();
        assert_eq!((p.port, p.port_count), (49170, Some(2)));
        assert_eq!(p.to_string(), "m=audio 49170/2 RTP/AVP 0\r\n");
        let cases = [
            ("video", ParseErrorKind::Missing(Field::Port)),
            (
                "video 70000 RTP/AVP 0",
                ParseErrorKind::Invalid(Field::Port),
            ),
            (
                "video 9/x RTP/AVP 0",
                ParseErrorKind::Invalid(Field::PortCount),
            ),
            ("video 9", ParseErrorKind::Missing(Field::Protocol)),
            (
                "vi:deo 9 RTP/AVP",
                ParseErrorKind::Invalid(Field::MediaType),
            ),
            ("video 9 RTP//AVP", ParseErrorKind::Invalid(Field::Protocol)),
        ];
        for (text, kind) in cases {
            assert_eq!(Media::parse_m_line(text), Err(kind), "{text}");
        }
    }
}
