//! The crate's error type: which line of the input is wrong, and how.

use std::fmt;

/// A session description (or a lone candidate line) could not be parsed.
///
/// `line` is the 1-based number of the offending line. It is 0 only for
/// [`ParseErrorKind::InputTooLarge`], which concerns the input as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SDP line {line}: {kind}")]
pub struct ParseError {
    /// 1-based line number (0 when the whole input is at fault).
    pub line: usize,
    /// What is wrong with that line.
    pub kind: ParseErrorKind,
}

impl ParseError {
    pub(crate) fn new(line: usize, kind: ParseErrorKind) -> Self {
        Self { line, kind }
    }
}

/// What is wrong with a line. Every variant is caused by the input, none by the caller.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    /// The input is larger than [`Limits::max_input_bytes`](crate::Limits::max_input_bytes).
    #[error("input is larger than the limit of {limit} bytes")]
    InputTooLarge {
        /// The limit in force.
        limit: usize,
    },
    /// More `m=` sections than [`Limits::max_media_sections`](crate::Limits::max_media_sections).
    #[error("more than {limit} media sections")]
    TooManyMediaSections {
        /// The limit in force.
        limit: usize,
    },
    /// More repeatable lines (`a=`, `b=`, `e=`, `p=`, `r=`, `t=`) than
    /// [`Limits::max_attributes`](crate::Limits::max_attributes).
    #[error("more than {limit} attribute lines")]
    TooManyAttributes {
        /// The limit in force.
        limit: usize,
    },
    /// More fields than [`Limits::max_fields`](crate::Limits::max_fields).
    #[error("more than {limit} fields")]
    TooManyFields {
        /// The limit in force.
        limit: usize,
    },
    /// The line is not valid UTF-8.
    #[error("line is not valid UTF-8")]
    InvalidUtf8,
    /// The line holds a NUL or a carriage return that does not end it.
    #[error("line holds a NUL or a stray carriage return")]
    ControlCharacter,
    /// An empty line before the end of the input.
    #[error("empty line")]
    EmptyLine,
    /// The line is not `<lowercase letter>=<value>`.
    #[error("line is not of the form <type>=<value>")]
    NotTypeValue,
    /// A line type letter that SDP does not define
    /// ([RFC 8866 section 5](https://www.rfc-editor.org/rfc/rfc8866#section-5) says to reject).
    #[error("unknown line type {0:?}")]
    UnknownLineType(char),
    /// A line of this type was expected here (`v=`, `o=` and `s=` open every description).
    #[error("expected a {0:?}= line")]
    Expected(char),
    /// A line of this type may not appear here (say `o=` inside a media section).
    #[error("{0:?}= line is not allowed here")]
    Misplaced(char),
    /// A line of this type may appear only once in its section.
    #[error("second {0:?}= line in the same section")]
    Duplicate(char),
    /// `v=` is not `0`.
    #[error("unsupported SDP version")]
    UnsupportedVersion,
    /// A required field is absent.
    #[error("missing {0}")]
    Missing(Field),
    /// A field is present but not valid (a number out of range, an unknown keyword, ...).
    #[error("invalid {0}")]
    Invalid(Field),
    /// Fields after the last one this line may have.
    #[error("unexpected data after the last field")]
    TrailingData,
    /// The text given to [`Candidate::parse`](crate::Candidate::parse) is not a candidate.
    #[error("not a candidate attribute")]
    NotACandidate,
}

/// Names a field of an SDP line, for [`ParseErrorKind::Missing`] and [`ParseErrorKind::Invalid`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// `o=` username.
    Username,
    /// `o=` session id.
    SessionId,
    /// `o=` session version.
    SessionVersion,
    /// Network type (only `IN` exists).
    NetworkType,
    /// Address type (`IP4` or `IP6`).
    AddressType,
    /// A connection or unicast address.
    Address,
    /// `t=` start or stop time.
    Time,
    /// `b=` bandwidth type or value.
    Bandwidth,
    /// `m=` media type.
    MediaType,
    /// A transport port (`m=`, candidate, `a=rtcp`, `a=sctp-port`, ...).
    Port,
    /// `m=` port count after the slash.
    PortCount,
    /// `m=` transport protocol.
    Protocol,
    /// An attribute name.
    AttributeName,
    /// An attribute value (also: a value given to a flag attribute such as `a=rtcp-mux`).
    AttributeValue,
    /// An RTP payload type (0 to 127).
    PayloadType,
    /// `a=rtpmap` encoding name, clock rate or channels.
    Encoding,
    /// Candidate foundation.
    Foundation,
    /// Candidate component id.
    Component,
    /// Candidate transport.
    Transport,
    /// Candidate priority.
    Priority,
    /// Candidate `typ` keyword or type.
    CandidateType,
    /// Candidate `raddr` / `rport`.
    RelatedAddress,
    /// A candidate extension (name without value, or a bad known value).
    CandidateExtension,
    /// `a=fingerprint` hash function.
    HashFunction,
    /// `a=fingerprint` value (colon-separated hex bytes).
    Fingerprint,
    /// `a=setup` role.
    Setup,
    /// A direction (`sendrecv`, `send`, ...).
    Direction,
    /// `a=extmap` id.
    ExtmapId,
    /// A URI.
    Uri,
    /// An SSRC.
    Ssrc,
    /// `a=ssrc` attribute name.
    SsrcAttribute,
    /// Group or ssrc-group semantics.
    Semantics,
    /// An identifier: mid, msid id, rid id, ufrag, pwd.
    Identifier,
    /// `a=simulcast` stream list.
    Simulcast,
    /// A number not covered by a more precise field (`a=max-message-size`, ...).
    Number,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Field::Username => "origin username",
            Field::SessionId => "session id",
            Field::SessionVersion => "session version",
            Field::NetworkType => "network type",
            Field::AddressType => "address type",
            Field::Address => "address",
            Field::Time => "time",
            Field::Bandwidth => "bandwidth",
            Field::MediaType => "media type",
            Field::Port => "port",
            Field::PortCount => "port count",
            Field::Protocol => "transport protocol",
            Field::AttributeName => "attribute name",
            Field::AttributeValue => "attribute value",
            Field::PayloadType => "payload type",
            Field::Encoding => "encoding",
            Field::Foundation => "candidate foundation",
            Field::Component => "candidate component",
            Field::Transport => "candidate transport",
            Field::Priority => "candidate priority",
            Field::CandidateType => "candidate type",
            Field::RelatedAddress => "candidate related address",
            Field::CandidateExtension => "candidate extension",
            Field::HashFunction => "hash function",
            Field::Fingerprint => "fingerprint",
            Field::Setup => "setup role",
            Field::Direction => "direction",
            Field::ExtmapId => "extmap id",
            Field::Uri => "URI",
            Field::Ssrc => "SSRC",
            Field::SsrcAttribute => "ssrc attribute",
            Field::Semantics => "semantics",
            Field::Identifier => "identifier",
            Field::Simulcast => "simulcast stream list",
            Field::Number => "number",
        };
        f.write_str(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_line_and_cause() {
        let e = ParseError::new(7, ParseErrorKind::Invalid(Field::Priority));
        assert_eq!(e.to_string(), "SDP line 7: invalid candidate priority");
        let e = ParseError::new(2, ParseErrorKind::Expected('o'));
        assert_eq!(e.to_string(), "SDP line 2: expected a 'o'= line");
    }
}
