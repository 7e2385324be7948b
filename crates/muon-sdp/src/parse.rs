//! The line-driven parser ([RFC 8866 section 5](https://www.rfc-editor.org/rfc/rfc8866#section-5)):
//! splits lines, checks their order and limits,
//! and hands each value to its type's parser.

use crate::attribute::Attribute;
use crate::error::{ParseError, ParseErrorKind};
use crate::limits::Limits;
use crate::media::Media;
use crate::session::{Bandwidth, Connection, Origin, Session, Timing};

/// One line: its 1-based number, type letter and value.
struct Line<'a> {
    number: usize,
    kind: u8,
    value: &'a str,
}

/// Splits the input on LF, dropping one CR before each LF; yields raw lines with numbers.
struct RawLines<'a> {
    rest: Option<&'a [u8]>,
    number: usize,
}

impl<'a> Iterator for RawLines<'a> {
    type Item = (usize, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest?;
        let (line, tail) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                let (line, lf_and_tail) = rest.split_at(i);
                (line, lf_and_tail.get(1..))
            }
            None => (rest, None),
        };
        // The text after the last LF is a line only if it is not empty.
        self.rest = tail;
        if tail.is_none() && line.is_empty() {
            return None;
        }
        self.number += 1;
        Some((self.number, line.strip_suffix(b"\r").unwrap_or(line)))
    }
}

/// Decodes a raw line into its type and value.
fn decode(number: usize, raw: &[u8]) -> Result<Line<'_>, ParseError> {
    let err = |kind| ParseError::new(number, kind);
    let text = std::str::from_utf8(raw).map_err(|_| err(ParseErrorKind::InvalidUtf8))?;
    if text.contains(['\r', '\0']) {
        return Err(err(ParseErrorKind::ControlCharacter));
    }
    match raw {
        [kind, b'=', ..] if kind.is_ascii_lowercase() => Ok(Line {
            number,
            kind: *kind,
            value: text.get(2..).unwrap_or_default(),
        }),
        _ => Err(err(ParseErrorKind::NotTypeValue)),
    }
}

/// Non-empty decoded lines; an empty line followed by a non-empty one is an error, empty
/// lines at the very end are ignored.
struct Lines<'a> {
    raw: RawLines<'a>,
}

impl<'a> Lines<'a> {
    fn next(&mut self) -> Option<Result<Line<'a>, ParseError>> {
        let (number, raw) = self.raw.next()?;
        if raw.is_empty() {
            // Only trailing empty lines may follow.
            for (_, later) in self.raw.by_ref() {
                if !later.is_empty() {
                    return Some(Err(ParseError::new(number, ParseErrorKind::EmptyLine)));
                }
            }
            return None;
        }
        Some(decode(number, raw))
    }

    /// The next line, which must be of type `kind`.
    fn expect(&mut self, kind: u8) -> Result<Line<'a>, ParseError> {
        let at = self.raw.number + 1;
        match self.next() {
            Some(Ok(l)) if l.kind == kind => Ok(l),
            Some(Err(e)) => Err(e),
            Some(Ok(l)) => Err(ParseError::new(
                l.number,
                ParseErrorKind::Expected(char::from(kind)),
            )),
            None => Err(ParseError::new(
                at,
                ParseErrorKind::Expected(char::from(kind)),
            )),
        }
    }
}

pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Session, ParseError> {
    if bytes.len() > limits.max_input_bytes {
        return Err(ParseError::new(
            0,
            ParseErrorKind::InputTooLarge {
                limit: limits.max_input_bytes,
            },
        ));
    }
    let mut lines = Lines {
        raw: RawLines {
            rest: Some(bytes),
            number: 0,
        },
    };

    // RFC 8866 section 5: v=, o= and s= open every description, in that order.
    let v = lines.expect(b'v')?;
    if v.value != "0" {
        return Err(ParseError::new(
            v.number,
            ParseErrorKind::UnsupportedVersion,
        ));
    }
    let o = lines.expect(b'o')?;
    let origin = Origin::parse(o.value).map_err(|k| ParseError::new(o.number, k))?;
    let s = lines.expect(b's')?;
    let mut session = Session::new(origin);
    session.name = s.value.to_owned();
    session.timing.clear();

    let mut repeated = 0usize;
    let mut fields = 0usize;
    let mut media: Option<Media> = None;
    while let Some(line) = lines.next() {
        let line = line?;
        let n = line.number;
        let err = |kind| ParseError::new(n, kind);
        let kind = char::from(line.kind);
        // Checked before the line is parsed, so no list is allocated past the limit.
        fields += count_fields(line.value);
        if fields > limits.max_fields {
            return Err(err(ParseErrorKind::TooManyFields {
                limit: limits.max_fields,
            }));
        }
        if matches!(line.kind, b'a' | b'b' | b'e' | b'p' | b'r' | b't') {
            repeated += 1;
            if repeated > limits.max_attributes {
                return Err(err(ParseErrorKind::TooManyAttributes {
                    limit: limits.max_attributes,
                }));
            }
        }
        let value = line.value;
        if line.kind == b'm' {
            if session.media.len() + usize::from(media.is_some()) >= limits.max_media_sections {
                return Err(err(ParseErrorKind::TooManyMediaSections {
                    limit: limits.max_media_sections,
                }));
            }
            session.media.extend(media.take());
            media = Some(Media::parse_m_line(value).map_err(err)?);
            continue;
        }
        if let Some(m) = media.as_mut() {
            // RFC 8866 section 5: the lines a media description may hold.
            match line.kind {
                b'i' => set_once(&mut m.title, value.to_owned(), kind).map_err(err)?,
                b'c' => set_once(
                    &mut m.connection,
                    Connection::parse(value).map_err(err)?,
                    kind,
                )
                .map_err(err)?,
                b'b' => m.bandwidths.push(Bandwidth::parse(value).map_err(err)?),
                b'k' => set_once(&mut m.key, value.to_owned(), kind).map_err(err)?,
                b'a' => m.attributes.push(Attribute::parse(value).map_err(err)?),
                b'v' | b'o' | b's' | b'u' | b'e' | b'p' | b't' | b'r' | b'z' => {
                    return Err(err(ParseErrorKind::Misplaced(kind)));
                }
                _ => return Err(err(ParseErrorKind::UnknownLineType(kind))),
            }
            continue;
        }
        match line.kind {
            b'v' | b'o' | b's' => return Err(err(ParseErrorKind::Duplicate(kind))),
            b'i' => set_once(&mut session.info, value.to_owned(), kind).map_err(err)?,
            b'u' => set_once(&mut session.uri, value.to_owned(), kind).map_err(err)?,
            b'e' => session.emails.push(value.to_owned()),
            b'p' => session.phones.push(value.to_owned()),
            b'c' => set_once(
                &mut session.connection,
                Connection::parse(value).map_err(err)?,
                kind,
            )
            .map_err(err)?,
            b'b' => session
                .bandwidths
                .push(Bandwidth::parse(value).map_err(err)?),
            b't' => session.timing.push(Timing::parse(value).map_err(err)?),
            b'r' => match session.timing.last_mut() {
                Some(t) => t.repeats.push(value.to_owned()),
                None => return Err(err(ParseErrorKind::Misplaced(kind))),
            },
            b'z' => set_once(&mut session.time_zones, value.to_owned(), kind).map_err(err)?,
            b'k' => set_once(&mut session.key, value.to_owned(), kind).map_err(err)?,
            b'a' => session
                .attributes
                .push(Attribute::parse(value).map_err(err)?),
            _ => return Err(err(ParseErrorKind::UnknownLineType(kind))),
        }
    }
    session.media.extend(media);
    Ok(session)
}

/// Space-, comma- or semicolon-separated pieces: an upper bound on the list elements any
/// parser may allocate for this line.
pub(crate) fn count_fields(value: &str) -> usize {
    1 + value
        .bytes()
        .filter(|b| matches!(b, b' ' | b',' | b';'))
        .count()
}

fn set_once<T>(slot: &mut Option<T>, value: T, kind: char) -> Result<(), ParseErrorKind> {
    if slot.is_some() {
        return Err(ParseErrorKind::Duplicate(kind));
    }
    *slot = Some(value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Field;

    const MINIMAL: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

    fn err(text: &str) -> (usize, ParseErrorKind) {
        let e = Session::parse(text).unwrap_err();
        (e.line, e.kind)
    }

    #[test]
    fn minimal_session_round_trips_and_lf_is_accepted() {
        let s = Session::parse(MINIMAL).unwrap();
        assert_eq!(s.to_string(), MINIMAL);
        assert_eq!(Session::parse(&MINIMAL.replace("\r\n", "\n")).unwrap(), s);
        // No final line ending, and trailing empty lines, are fine.
        assert_eq!(Session::parse(MINIMAL.trim_end()).unwrap(), s);
        assert_eq!(Session::parse(&format!("{MINIMAL}\r\n\n")).unwrap(), s);
    }

    #[test]
    fn errors_carry_the_line_number() {
        assert_eq!(err(""), (1, ParseErrorKind::Expected('v')));
        assert_eq!(err("v=1\r\n"), (1, ParseErrorKind::UnsupportedVersion));
        assert_eq!(err("v=0\r\n"), (2, ParseErrorKind::Expected('o')));
        assert_eq!(
            err("v=0\no=- 1 1 IN IP4 x\nt=0 0\n"),
            (3, ParseErrorKind::Expected('s'))
        );
        assert_eq!(
            err(&format!("{MINIMAL}x=1\r\n")),
            (5, ParseErrorKind::UnknownLineType('x'))
        );
        assert_eq!(
            err(&format!("{MINIMAL}a=b\r\n\r\na=c\r\n")),
            (6, ParseErrorKind::EmptyLine)
        );
        assert_eq!(
            err(&format!("{MINIMAL}hello\r\n")),
            (5, ParseErrorKind::NotTypeValue)
        );
        assert_eq!(
            err(&format!("{MINIMAL}A=b\r\n")),
            (5, ParseErrorKind::NotTypeValue)
        );
        assert_eq!(
            err(&format!("{MINIMAL}a=b\0\r\n")),
            (5, ParseErrorKind::ControlCharacter)
        );
        assert_eq!(
            err(&format!("{MINIMAL}a=b\r\r\n")),
            (5, ParseErrorKind::ControlCharacter)
        );
        assert_eq!(
            err(&format!("{MINIMAL}s=again\r\n")),
            (5, ParseErrorKind::Duplicate('s'))
        );
        assert_eq!(
            err(&format!("{MINIMAL}c=IN IP4 x\r\nc=IN IP4 y\r\n")),
            (6, ParseErrorKind::Duplicate('c'))
        );
        assert_eq!(
            err(&format!("{MINIMAL}m=audio 9 RTP/AVP 0\r\nt=0 0\r\n")),
            (6, ParseErrorKind::Misplaced('t'))
        );
        assert_eq!(
            err(&format!(
                "{MINIMAL}m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n"
            )),
            (6, ParseErrorKind::Invalid(Field::Encoding))
        );
        assert_eq!(
            err("v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nr=1\r\n"),
            (4, ParseErrorKind::Misplaced('r'))
        );
    }

    #[test]
    fn invalid_utf8_names_its_line() {
        let mut bytes = MINIMAL.as_bytes().to_vec();
        bytes.extend_from_slice(b"a=tool:\xff\xfe\r\n");
        let e = Session::parse_bytes(&bytes).unwrap_err();
        assert_eq!((e.line, e.kind), (5, ParseErrorKind::InvalidUtf8));
    }

    #[test]
    fn limits_are_enforced() {
        let with = |f: fn(&mut Limits)| {
            let mut l = Limits::DEFAULT;
            f(&mut l);
            l
        };
        let parse = |text: &str, limits: &Limits| Session::parse_with(text.as_bytes(), limits);

        let small = with(|l| l.max_input_bytes = 200);
        let big = format!("{MINIMAL}{}", "a=x\r\n".repeat(40));
        assert_eq!(
            parse(&big, &small).unwrap_err(),
            ParseError::new(0, ParseErrorKind::InputTooLarge { limit: 200 })
        );

        // t=0 0 on line 4 is the first counted line.
        let three = with(|l| l.max_attributes = 3);
        let attrs = format!("{MINIMAL}{}", "a=x\r\n".repeat(4));
        assert_eq!(
            parse(&attrs, &three).unwrap_err(),
            ParseError::new(7, ParseErrorKind::TooManyAttributes { limit: 3 })
        );

        let two = with(|l| l.max_media_sections = 2);
        let media = format!("{MINIMAL}{}", "m=audio 9 RTP/AVP 0\r\n".repeat(3));
        assert_eq!(
            parse(&media, &two).unwrap_err(),
            ParseError::new(7, ParseErrorKind::TooManyMediaSections { limit: 2 })
        );
        let at_limit = format!("{MINIMAL}{}", "m=audio 9 RTP/AVP 0\r\n".repeat(2));
        assert_eq!(parse(&at_limit, &two).unwrap().media.len(), 2);

        // t=0 0 is 2 fields, the m= line 4, the group 7: the limit of 12 is crossed there.
        let twelve = with(|l| l.max_fields = 12);
        let fields = format!("{MINIMAL}m=audio 9 RTP/AVP 0\r\na=group:BUNDLE 1 2,3;4 5 6\r\n");
        assert_eq!(
            parse(&fields, &twelve).unwrap_err(),
            ParseError::new(6, ParseErrorKind::TooManyFields { limit: 12 })
        );
        let fits = format!("{MINIMAL}m=audio 9 RTP/AVP 0\r\na=group:BUNDLE 1 2,3;4 5\r\n");
        assert!(parse(&fits, &twelve).is_ok());
    }

    #[test]
    fn every_optional_line_round_trips() {
        let text = "v=0\r\no=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r\ns=Call\r\n\
                    i=A session\r\nu=https://www.example.com/seminars/sdp.pdf\r\n\
                    e=j.doe@example.com (Jane Doe)\r\np=+1 617 555-6011\r\n\
                    c=IN IP4 233.252.0.1/127\r\nb=CT:1000\r\nt=2873397496 2873404696\r\n\
                    r=7d 1h 0 25h\r\nz=2882844526 -1h 2898848070 0\r\nk=prompt\r\n\
                    a=recvonly\r\nm=audio 49170 RTP/AVP 0\r\ni=voice\r\nc=IN IP6 ::1\r\n\
                    b=AS:64\r\nk=prompt\r\na=rtpmap:0 PCMU/8000\r\n\
                    m=video 51372/2 RTP/AVP 99\r\na=rtpmap:99 h263-1998/90000\r\n";
        let s = Session::parse(text).unwrap();
        assert_eq!(s.timing[0].repeats, ["7d 1h 0 25h"]);
        assert_eq!(s.media[0].title.as_deref(), Some("voice"));
        assert_eq!(s.to_string(), text);
    }
}
