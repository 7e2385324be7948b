//! Hostile input: every case ends in a typed error (or a parse) after bounded work, never a
//! panic. Each input is at or near the default `Limits`, so these also time the worst case.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use muon_sdp::{Field, Limits, ParseError, ParseErrorKind, Session};

const HEAD: &str = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";

/// Parses and reports how long it took; the bound is generous for debug builds on a shared
/// 2-core machine, and catches anything quadratic (1 MiB inputs would take minutes).
#[allow(
    clippy::disallowed_methods,
    reason = "a test's stopwatch, not protocol time"
)]
fn timed(input: &[u8]) -> Result<Session, ParseError> {
    let start = std::time::Instant::now();
    let r = Session::parse_bytes(input);
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    r
}

#[test]
fn input_over_the_size_limit_is_refused_before_reading() {
    let big = vec![b'a'; Limits::DEFAULT_MAX_INPUT_BYTES + 1];
    assert_eq!(
        timed(&big).unwrap_err(),
        ParseError {
            line: 0,
            kind: ParseErrorKind::InputTooLarge {
                limit: Limits::DEFAULT_MAX_INPUT_BYTES
            }
        }
    );
}

#[test]
fn a_huge_number_of_lines_hits_the_attribute_limit() {
    let n = (Limits::DEFAULT_MAX_INPUT_BYTES - HEAD.len()) / 5;
    let text = format!("{HEAD}{}", "a=x\r\n".repeat(n));
    let e = timed(text.as_bytes()).unwrap_err();
    assert_eq!(
        e.kind,
        ParseErrorKind::TooManyAttributes {
            limit: Limits::DEFAULT_MAX_ATTRIBUTES
        }
    );
    // t=0 0 on line 4 is the first counted line.
    assert_eq!(e.line, 4 + Limits::DEFAULT_MAX_ATTRIBUTES);
}

#[test]
fn thousands_of_media_sections_hit_the_media_limit() {
    let text = format!("{HEAD}{}", "m=audio 9 RTP/AVP 0\r\n".repeat(5000));
    let e = timed(text.as_bytes()).unwrap_err();
    assert_eq!(
        e.kind,
        ParseErrorKind::TooManyMediaSections {
            limit: Limits::DEFAULT_MAX_MEDIA_SECTIONS
        }
    );
    assert_eq!(e.line, 4 + Limits::DEFAULT_MAX_MEDIA_SECTIONS + 1);
    // Exactly at the limit is fine.
    let ok = format!(
        "{HEAD}{}",
        "m=audio 9 RTP/AVP 0\r\n".repeat(Limits::DEFAULT_MAX_MEDIA_SECTIONS)
    );
    assert_eq!(
        timed(ok.as_bytes()).unwrap().media.len(),
        Limits::DEFAULT_MAX_MEDIA_SECTIONS
    );
}

#[test]
fn very_long_lines_are_bounded_by_the_field_limit() {
    let room = Limits::DEFAULT_MAX_INPUT_BYTES - HEAD.len() - 64;
    let too_many = ParseErrorKind::TooManyFields {
        limit: Limits::DEFAULT_MAX_FIELDS,
    };
    // ~500k one-character fields in one line: refused before any list is built.
    for line in [
        format!("a=group:BUNDLE{}", " 0".repeat(room / 2)),
        format!("m=audio 9 RTP/AVP{}", " 9".repeat(room / 2)),
        format!("a=simulcast:send a{}", ";a".repeat(room / 2)),
        format!(
            "a=candidate:1 1 udp 1 192.0.2.1 9 typ host{}",
            " a b".repeat(room / 4)
        ),
    ] {
        let e = timed(format!("{HEAD}{line}\r\n").as_bytes()).unwrap_err();
        assert_eq!((e.line, e.kind), (5, too_many), "{}", &line[..20]);
    }
    // Just under the limit, long lines parse in linear time.
    let n = Limits::DEFAULT_MAX_FIELDS - 100;
    let s = timed(format!("{HEAD}a=group:BUNDLE{}\r\n", " 0".repeat(n)).as_bytes()).unwrap();
    assert_eq!(s.attributes.bundle().unwrap().mids.len(), n);
    let s = timed(format!("{HEAD}m=audio 9 RTP/AVP{}\r\n", " 9".repeat(n)).as_bytes()).unwrap();
    assert_eq!(s.media[0].formats.len(), n);
    let exts = " x-a b".repeat(n / 2);
    let line = format!("{HEAD}a=candidate:1 1 udp 1 192.0.2.1 9 typ host{exts}\r\n");
    let c = timed(line.as_bytes()).unwrap();
    assert_eq!(
        c.attributes.candidates().next().unwrap().extensions.len(),
        n / 2
    );
    // A line of one huge field is one field.
    let long = "z".repeat(room);
    let s = timed(format!("{HEAD}a=x-long:{long}\r\n").as_bytes()).unwrap();
    assert_eq!(s.attributes.other("x-long"), Some(Some(long.as_str())));
    assert!(timed(long.as_bytes()).is_err());
}

#[test]
fn absurd_numbers_are_invalid_fields_not_overflows() {
    let cases = [
        ("o=- 184467440737095516160 1 IN IP4 x", 2, Field::SessionId),
        ("t=0 99999999999999999999999", 4, Field::Time),
        ("b=AS:99999999999999999999999", 4, Field::Bandwidth),
        ("m=audio 65536 RTP/AVP 0", 4, Field::Port),
        ("m=audio 9/4294967296 RTP/AVP 0", 4, Field::PortCount),
        ("a=rtpmap:111 opus/4294967296", 4, Field::Encoding),
        ("a=rtpmap:300 opus/48000", 4, Field::PayloadType),
        ("a=ssrc:4294967296 cname:x", 4, Field::Ssrc),
        ("a=extmap:65536 urn:x", 4, Field::ExtmapId),
        (
            "a=candidate:1 99999 udp 1 192.0.2.1 9 typ host",
            4,
            Field::Component,
        ),
        (
            "a=candidate:1 1 udp 1 192.0.2.1 9 typ host generation 4294967296",
            4,
            Field::CandidateExtension,
        ),
        ("a=max-message-size:18446744073709551616", 4, Field::Number),
    ];
    for (line, at, field) in cases {
        let text = if at == 2 {
            format!("v=0\r\n{line}\r\ns=-\r\n")
        } else {
            format!("v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\n{line}\r\n")
        };
        let e = timed(text.as_bytes()).unwrap_err();
        assert_eq!(
            (e.line, e.kind),
            (at, ParseErrorKind::Invalid(field)),
            "{line}"
        );
    }
}

#[test]
fn invalid_utf8_and_nul_anywhere_are_errors() {
    for bad in [&b"\xff"[..], b"\xc3", b"\xed\xa0\x80", b"\0"] {
        for at in 0..4 {
            let mut lines: Vec<Vec<u8>> =
                HEAD.split("\r\n").map(|l| l.as_bytes().to_vec()).collect();
            lines[at].extend_from_slice(bad);
            let e = timed(&lines.join(&b"\r\n"[..])).unwrap_err();
            assert_eq!(e.line, at + 1);
            assert!(
                matches!(
                    e.kind,
                    ParseErrorKind::InvalidUtf8
                        | ParseErrorKind::ControlCharacter
                        | ParseErrorKind::UnsupportedVersion
                        | ParseErrorKind::Invalid(_)
                        | ParseErrorKind::TrailingData
                ),
                "{e}"
            );
        }
    }
}
