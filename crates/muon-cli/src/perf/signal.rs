//! The offering side of WHIP-style signaling ([RFC 9725] shapes): `POST` the offer, read the
//! `201 Created` answer and its `Location`, `DELETE` the session at the end. A small
//! HTTP/1.1 client (plain `http://` only) over a tokio `TcpStream`, one request per
//! connection (`Connection: close`); a response is bounded by [`MAX_RESPONSE`] and every
//! exchange by a timeout.
//!
//! [RFC 9725]: https://www.rfc-editor.org/rfc/rfc9725

use std::fmt;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Largest response read (head and body): an SDP answer is a few KiB.
pub(crate) const MAX_RESPONSE: usize = 1024 * 1024;
/// Largest response head.
const MAX_HEAD: usize = 16 * 1024;

/// What went wrong on the signaling side.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum SignalError {
    /// The URL is not `http://HOST[:PORT]/PATH`.
    #[error("bad URL (expected http://HOST:PORT/PATH)")]
    BadUrl,
    /// `https://` URLs are not supported.
    #[error("https is not supported; use an http:// URL")]
    Https,
    /// Connecting, sending or receiving failed.
    #[error("cannot reach the server: {0}")]
    Io(std::io::ErrorKind),
    /// No complete response in time.
    #[error("the server did not answer within {0:?}")]
    Timeout(Duration),
    /// The response is not HTTP/1.x or is cut short or too large.
    #[error("malformed HTTP response ({0})")]
    Malformed(Malformed),
}

/// How a response was malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum Malformed {
    /// Not `HTTP/1.x NNN ...`.
    StatusLine,
    /// A header line without a colon, or a bad `Content-Length`.
    Header,
    /// The head never ended.
    Head,
    /// Fewer body bytes than announced, or a broken chunk.
    Body,
    /// More than [`MAX_RESPONSE`] bytes.
    TooLarge,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::StatusLine => "no HTTP/1.x status line",
            Self::Header => "bad header line",
            Self::Head => "headers never end",
            Self::Body => "body cut short or badly chunked",
            Self::TooLarge => "response too large",
        })
    }
}

/// An `http://` URL split into what a request needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Url {
    /// `host:port` to connect to (and to send as `Host`).
    pub(crate) authority: String,
    /// The host alone (brackets removed for IPv6).
    pub(crate) host: String,
    /// `/path?query`.
    pub(crate) path: String,
}

impl Url {
    /// Parses `http://HOST[:PORT][/PATH]`.
    pub(crate) fn parse(s: &str) -> Result<Self, SignalError> {
        if s.get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
        {
            return Err(SignalError::Https);
        }
        let rest = match s.get(..7) {
            Some(p) if p.eq_ignore_ascii_case("http://") => &s[7..],
            _ => return Err(SignalError::BadUrl),
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.is_empty() || authority.contains('@') || path.contains(char::is_whitespace) {
            return Err(SignalError::BadUrl);
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !p.contains(']') => (h, Some(p)),
            _ => (authority, None),
        };
        let port: u16 = match port {
            Some(p) => p.parse().map_err(|_| SignalError::BadUrl)?,
            None => 80,
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(SignalError::BadUrl);
        }
        let authority = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        Ok(Self {
            authority,
            host: host.to_owned(),
            path: path.to_owned(),
        })
    }

    /// The URL a `Location` value names: absolute, absolute-path, or relative to this one.
    pub(crate) fn join(&self, location: &str) -> Result<Self, SignalError> {
        if location
            .get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case("http://"))
            || location
                .get(..8)
                .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
        {
            return Self::parse(location);
        }
        let path = if location.starts_with('/') {
            location.to_owned()
        } else {
            let base = self.path.split('?').next().unwrap_or("/");
            let dir = base.rsplit_once('/').map_or("", |(d, _)| d);
            format!("{dir}/{location}")
        };
        if path.contains(char::is_whitespace) {
            return Err(SignalError::BadUrl);
        }
        Ok(Self {
            path,
            ..self.clone()
        })
    }
}

/// A response: status, header fields, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    /// The first header field named `name` (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text, for messages (lossy, trimmed, at most 200 characters).
    pub(crate) fn reason(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        text.trim().chars().take(200).collect()
    }
}

/// Sends one request and reads the whole response, within `timeout`.
pub(crate) async fn request(
    url: &Url,
    method: &str,
    body: Option<(&str, &[u8])>,
    timeout: Duration,
) -> Result<Response, SignalError> {
    tokio::time::timeout(timeout, exchange(url, method, body))
        .await
        .map_err(|_| SignalError::Timeout(timeout))?
}

async fn exchange(
    url: &Url,
    method: &str,
    body: Option<(&str, &[u8])>,
) -> Result<Response, SignalError> {
    let io = |e: std::io::Error| SignalError::Io(e.kind());
    let mut stream = TcpStream::connect(&url.authority).await.map_err(io)?;
    let mut head = format!(
        "{method} {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nUser-Agent: muon-perf\r\n",
        url.path, url.authority
    );
    if let Some((content_type, bytes)) = body {
        head.push_str(&format!(
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
            bytes.len()
        ));
    } else {
        head.push_str("Content-Length: 0\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.map_err(io)?;
    if let Some((_, bytes)) = body {
        stream.write_all(bytes).await.map_err(io)?;
    }
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = match stream.read(&mut chunk).await {
            Ok(n) => n,
            // A server that answers then resets the connection: parse what arrived.
            Err(_) if !buf.is_empty() => 0,
            Err(e) => return Err(io(e)),
        };
        if n == 0 {
            return parse(&buf, true);
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        if buf.len() > MAX_RESPONSE {
            return Err(SignalError::Malformed(Malformed::TooLarge));
        }
        if let Ok(r) = parse(&buf, false) {
            return Ok(r);
        }
    }
}

/// Parses a response from `buf`. With `eof` false, only a response whose end is known
/// (Content-Length or the last chunk) parses; with `eof`, a body without either runs to
/// the end of `buf`.
pub(crate) fn parse(buf: &[u8], eof: bool) -> Result<Response, SignalError> {
    let bad = |m| SignalError::Malformed(m);
    let Some(head_end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Err(bad(if buf.len() > MAX_HEAD {
            Malformed::Head
        } else if eof {
            Malformed::StatusLine
        } else {
            Malformed::Head
        }));
    };
    if head_end > MAX_HEAD {
        return Err(bad(Malformed::Head));
    }
    let head = std::str::from_utf8(buf.get(..head_end).unwrap_or_default())
        .map_err(|_| bad(Malformed::Header))?;
    let rest = buf.get(head_end + 4..).unwrap_or_default();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    let code = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/1.") || code.len() != 3 {
        return Err(bad(Malformed::StatusLine));
    }
    let status: u16 = code.parse().map_err(|_| bad(Malformed::StatusLine))?;
    let mut headers = Vec::new();
    for line in lines {
        let (k, v) = line.split_once(':').ok_or(bad(Malformed::Header))?;
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let mut r = Response {
        status,
        headers,
        body: Vec::new(),
    };
    let chunked = r
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    if chunked {
        r.body = dechunk(rest).ok_or(bad(Malformed::Body))?;
    } else if let Some(len) = r.header("content-length") {
        let len: usize = len.parse().map_err(|_| bad(Malformed::Header))?;
        r.body = rest.get(..len).ok_or(bad(Malformed::Body))?.to_vec();
    } else if eof || status == 204 || status == 304 {
        r.body = rest.to_vec();
    } else {
        return Err(bad(Malformed::Body));
    }
    Ok(r)
}

/// Decodes a chunked body (RFC 9112 section 7.1); `None` until the last chunk is complete.
fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    // Each round consumes a size line and at least its CRLF, so the loop ends.
    loop {
        let eol = rest.windows(2).position(|w| w == b"\r\n")?;
        let line = std::str::from_utf8(rest.get(..eol)?).ok()?;
        let size_text = line.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        rest = rest.get(eol + 2..)?;
        if size == 0 {
            return Some(body);
        }
        if size > MAX_RESPONSE {
            return None;
        }
        body.extend_from_slice(rest.get(..size)?);
        if rest.get(size..size + 2)? != b"\r\n" {
            return None;
        }
        rest = rest.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn urls_split_and_locations_resolve() {
        let u = Url::parse("http://127.0.0.1:8080/offer").unwrap();
        assert_eq!(
            (u.authority.as_str(), u.host.as_str(), u.path.as_str()),
            ("127.0.0.1:8080", "127.0.0.1", "/offer")
        );
        let u6 = Url::parse("http://[::1]:9/whip").unwrap();
        assert_eq!(
            (u6.authority.as_str(), u6.host.as_str()),
            ("[::1]:9", "::1")
        );
        assert_eq!(
            Url::parse("http://example.com").unwrap().authority,
            "example.com:80"
        );
        assert_eq!(Url::parse("https://x/offer"), Err(SignalError::Https));
        for bad in [
            "",
            "ftp://x",
            "http://",
            "http://:80/",
            "http://h:99999/",
            "http://u@h/",
        ] {
            assert_eq!(Url::parse(bad), Err(SignalError::BadUrl), "{bad}");
        }
        let base = Url::parse("http://h:1/api/offer").unwrap();
        assert_eq!(base.join("/session/1").unwrap().path, "/session/1");
        assert_eq!(base.join("session/1").unwrap().path, "/api/session/1");
        let abs = base.join("http://other:2/s/3").unwrap();
        assert_eq!(
            (abs.authority.as_str(), abs.path.as_str()),
            ("other:2", "/s/3")
        );
    }

    #[test]
    fn responses_by_length_chunks_or_eof() {
        let r = parse(
            b"HTTP/1.1 201 Created\r\nLocation: /s/1\r\nContent-Length: 3\r\n\r\nabcXX",
            false,
        )
        .unwrap();
        assert_eq!(
            (r.status, r.header("LOCATION"), &r.body[..]),
            (201, Some("/s/1"), &b"abc"[..])
        );
        let c = b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
        assert_eq!(parse(c, false).unwrap().body, b"abcde");
        // Not complete until the last chunk or EOF.
        assert!(parse(&c[..c.len() - 7], false).is_err());
        assert!(parse(b"HTTP/1.0 200 OK\r\n\r\nuntil eof", false).is_err());
        assert_eq!(
            parse(b"HTTP/1.0 200 OK\r\n\r\nuntil eof", true)
                .unwrap()
                .body,
            b"until eof"
        );
    }

    #[test]
    fn garbage_is_a_typed_error() {
        let cases: [(&[u8], Malformed); 5] = [
            (b"garbage\r\n\r\n", Malformed::StatusLine),
            (b"HTTP/1.1 2000 X\r\n\r\n", Malformed::StatusLine),
            (b"HTTP/1.1 200 OK\r\nnocolon\r\n\r\n", Malformed::Header),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc",
                Malformed::Body,
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                Malformed::Body,
            ),
        ];
        for (bytes, m) in cases {
            assert_eq!(
                parse(bytes, true),
                Err(SignalError::Malformed(m)),
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        assert_eq!(
            parse(b"no head at all", true),
            Err(SignalError::Malformed(Malformed::StatusLine))
        );
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), eof: bool) {
            let _ = parse(&bytes, eof);
        }

        #[test]
        fn encoded_responses_round_trip(
            status in 100u16..600,
            body in proptest::collection::vec(any::<u8>(), 0..2048),
            chunk in 1usize..300,
            chunked: bool,
        ) {
            let mut wire = format!("HTTP/1.1 {status} Whatever\r\nX-A: b\r\n").into_bytes();
            if chunked {
                wire.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
                for c in body.chunks(chunk) {
                    wire.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
                    wire.extend_from_slice(c);
                    wire.extend_from_slice(b"\r\n");
                }
                wire.extend_from_slice(b"0\r\n\r\n");
            } else {
                wire.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
                wire.extend_from_slice(&body);
            }
            let r = parse(&wire, false).unwrap();
            prop_assert_eq!(r.status, status);
            prop_assert_eq!(r.header("x-a"), Some("b"));
            prop_assert_eq!(r.body, body);
        }
    }
}
