//! A small blocking HTTP/1.1 server and client over `TcpStream`, enough for signaling: one
//! request per connection (`Connection: close`), `Content-Length` or chunked bodies, every
//! message and wait bounded.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::deadline::Deadline;
use crate::error::{Error, Problem, Result};

/// Largest request or status line plus headers accepted, in bytes.
pub const MAX_HEAD: usize = 16 * 1024;
/// Largest body accepted, in bytes (SDP and reports are far smaller).
pub const MAX_BODY: usize = 1 << 20;
/// Connections the server handles at once; more are answered `503` and closed.
pub const MAX_CONNECTIONS: usize = 64;
/// How long the server keeps reading (and dropping) what a client still sends after the
/// response, before closing.
pub const LINGER: Duration = Duration::from_secs(2);
/// How long the server waits for a request to arrive on an accepted connection.
pub const SERVER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// An HTTP request, as the server's handler sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The request target, query included (`/peer.html?role=answer`).
    pub target: String,
    /// Header fields in arrival order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// An HTTP response, from a handler or from [`request`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header fields (the server adds `Content-Length` and `Connection: close` itself).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// Header fields in arrival order.
type Headers = Vec<(String, String)>;

/// A server on `127.0.0.1` with an ephemeral port, one thread per connection, stopped on drop.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl Request {
    /// The first header field named `name` (case-insensitive).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The target without its query.
    #[must_use]
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// Whether `Content-Type` is `media_type` (parameters ignored).
    #[must_use]
    pub fn has_content_type(&self, media_type: &str) -> bool {
        self.header("content-type")
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case(media_type))
    }
}

impl Response {
    /// A response with `status`, no headers and no body.
    #[must_use]
    pub fn new(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header field.
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets the body and its `Content-Type`.
    #[must_use]
    pub fn body(self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        let mut r = self.header("Content-Type", content_type);
        r.body = body.into();
        r
    }

    /// The first header field named `name` (case-insensitive).
    #[must_use]
    pub fn get_header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The body as text (lossy).
    #[must_use]
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Server {
    /// Starts serving `handler` on `127.0.0.1:0`.
    ///
    /// The handler runs on the connection's thread and may block (long-poll), within its own
    /// bounded waits.
    ///
    /// # Errors
    /// When the listening socket cannot be opened.
    pub fn start(handler: impl Fn(Request) -> Response + Send + Sync + 'static) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<dyn Fn(Request) -> Response + Send + Sync> = Arc::new(handler);
        let acceptor = {
            let stop = Arc::clone(&stop);
            thread::Builder::new()
                .name("interop-http".into())
                .spawn(move || accept_loop(&listener, &stop, &handler))?
        };
        Ok(Self {
            addr,
            stop,
            acceptor: Some(acceptor),
        })
    }

    /// The address served.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept; failure means it is not blocked anymore.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn accept_loop(
    listener: &TcpListener,
    stop: &AtomicBool,
    handler: &Arc<dyn Fn(Request) -> Response + Send + Sync>,
) {
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(mut stream) = stream else { continue };
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            let _ = write_response(&mut stream, &Response::new(503));
            continue;
        }
        let handler = Arc::clone(handler);
        let active_here = Arc::clone(&active);
        let spawned = thread::Builder::new()
            .name("interop-http-conn".into())
            .spawn(move || {
                serve(stream, &*handler);
                active_here.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            active.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

fn serve(mut stream: TcpStream, handler: &(dyn Fn(Request) -> Response + Send + Sync)) {
    let deadline = Deadline::after(SERVER_READ_TIMEOUT);
    let response = match read_request(&mut stream, deadline) {
        Ok(request) => handler(request),
        Err(Error::Protocol {
            problem: Problem::HttpTooLarge,
            ..
        }) => Response::new(413),
        Err(_) => Response::new(400),
    };
    let _ = write_response(&mut stream, &response);
    linger(&mut stream);
}

/// Closes our side, then reads (and drops) what the client may still be sending, bounded by
/// [`LINGER`] and twice [`MAX_BODY`]: closing with unread data would reset the connection and
/// the client could lose the response (a `413` sent before the body was read, say).
fn linger(stream: &mut TcpStream) {
    if stream.shutdown(std::net::Shutdown::Write).is_err() {
        return;
    }
    let deadline = Deadline::after(LINGER);
    let mut scratch = Vec::new();
    let mut total = 0;
    while total < 2 * MAX_BODY {
        scratch.clear();
        match fill(stream, &mut scratch, deadline, "the client to close") {
            Ok(0) | Err(_) => return,
            Ok(n) => total += n,
        }
    }
}

/// Sends one request and reads the response, all within `timeout`.
///
/// `url` is `http://HOST:PORT/PATH`; `body` is sent with `Content-Type: content_type` when
/// given.
///
/// # Errors
/// [`Error::Timeout`] past `timeout`; [`Error::Protocol`] for a bad URL or a malformed or
/// oversized response; [`Error::Io`] when the connection fails.
pub fn request(
    method: &str,
    url: &str,
    body: Option<(&str, &[u8])>,
    timeout: Duration,
) -> Result<Response> {
    let deadline = Deadline::after(timeout);
    let (authority, path) = split_url(url)?;
    let addr = authority
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| Error::protocol("server", Problem::BadUrl))?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(&encode_request(method, authority, path, body))?;
    read_response(&mut stream, deadline)
}

/// A request as [`request`] sends it.
fn encode_request(
    method: &str,
    authority: &str,
    path: &str,
    body: Option<(&str, &[u8])>,
) -> Vec<u8> {
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    let payload = match body {
        Some((content_type, bytes)) => {
            head.push_str(&format!("Content-Type: {content_type}\r\n"));
            bytes
        }
        None => &[],
    };
    head.push_str(&format!("Content-Length: {}\r\n\r\n", payload.len()));
    [head.as_bytes(), payload].concat()
}

fn read_response(stream: &mut impl Wire, deadline: Deadline) -> Result<Response> {
    let (start, headers, rest) = read_head(stream, deadline, "HTTP response")?;
    let status = start
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|_| start.starts_with("HTTP/1."))
        .ok_or_else(|| Error::protocol("server", Problem::MalformedHttp))?;
    let body = read_body(stream, &headers, rest, deadline, true)?;
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// Splits `http://HOST:PORT/PATH` into `HOST:PORT` and `/PATH`.
fn split_url(url: &str) -> Result<(&str, &str)> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| Error::protocol("server", Problem::BadUrl))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    if authority.is_empty() || !authority.contains(':') {
        return Err(Error::protocol("server", Problem::BadUrl));
    }
    Ok((authority, path))
}

fn read_request(stream: &mut impl Wire, deadline: Deadline) -> Result<Request> {
    let (start, headers, rest) = read_head(stream, deadline, "HTTP request")?;
    let mut parts = start.split(' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::protocol("client", Problem::MalformedHttp));
    };
    if !version.starts_with("HTTP/1.") || !target.starts_with('/') {
        return Err(Error::protocol("client", Problem::MalformedHttp));
    }
    let (method, target) = (method.to_owned(), target.to_owned());
    let body = read_body(stream, &headers, rest, deadline, false)?;
    Ok(Request {
        method,
        target,
        headers,
        body,
    })
}

/// Where messages are read from: a socket, or bytes in tests.
trait Wire: Read {
    /// Bounds the next read to `left`.
    fn bound_next_read(&mut self, left: Duration) -> io::Result<()>;
}

impl Wire for TcpStream {
    fn bound_next_read(&mut self, left: Duration) -> io::Result<()> {
        self.set_read_timeout(Some(left))
    }
}

impl Wire for &[u8] {
    fn bound_next_read(&mut self, _: Duration) -> io::Result<()> {
        Ok(())
    }
}

fn write_response(stream: &mut TcpStream, r: &Response) -> io::Result<()> {
    stream.set_write_timeout(Some(SERVER_READ_TIMEOUT))?;
    stream.write_all(&encode_response(r))?;
    stream.flush()
}

/// A response as sent: `Content-Length` and `Connection: close` added.
fn encode_response(r: &Response) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", r.status, reason(r.status));
    for (name, value) in &r.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        r.body.len()
    ));
    [head.into_bytes(), r.body.clone()].concat()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// Reads more bytes into `buf`; `Ok(0)` at end of stream.
fn fill(
    stream: &mut impl Wire,
    buf: &mut Vec<u8>,
    deadline: Deadline,
    what: &'static str,
) -> Result<usize> {
    let left = deadline.left();
    if left.is_zero() {
        return Err(deadline.timeout(what));
    }
    stream.bound_next_read(left)?;
    let mut chunk = [0u8; 8192];
    match stream.read(&mut chunk) {
        Ok(n) => {
            buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
            Ok(n)
        }
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            Err(deadline.timeout(what))
        }
        Err(e) => Err(e.into()),
    }
}

/// Reads the start line and headers; returns them and the bytes read past the head.
fn read_head(
    stream: &mut impl Wire,
    deadline: Deadline,
    what: &'static str,
) -> Result<(String, Headers, Vec<u8>)> {
    let mut buf = Vec::new();
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Err(Error::protocol("peer", Problem::HttpTooLarge));
        }
        if fill(stream, &mut buf, deadline, what)? == 0 {
            return Err(Error::protocol("peer", Problem::MalformedHttp));
        }
    };
    if end > MAX_HEAD {
        return Err(Error::protocol("peer", Problem::HttpTooLarge));
    }
    let rest = buf.split_off(end + 4);
    let head =
        String::from_utf8(buf).map_err(|_| Error::protocol("peer", Problem::MalformedHttp))?;
    let mut lines = head.trim_end().split("\r\n");
    let start = lines.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| Error::protocol("peer", Problem::MalformedHttp))?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    Ok((start, headers, rest))
}

/// Reads a body delimited by `Content-Length`, chunked coding, or (responses only) the end of
/// the connection.
fn read_body(
    stream: &mut impl Wire,
    headers: &[(String, String)],
    mut buf: Vec<u8>,
    deadline: Deadline,
    to_eof: bool,
) -> Result<Vec<u8>> {
    let too_large = || Error::protocol("peer", Problem::HttpTooLarge);
    let malformed = || Error::protocol("peer", Problem::MalformedHttp);
    if find_header(headers, "transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        return read_chunked(stream, buf, deadline);
    }
    let length = match find_header(headers, "content-length") {
        Some(v) => Some(v.parse::<usize>().map_err(|_| malformed())?),
        None => None,
    };
    match length {
        Some(n) if n > MAX_BODY => Err(too_large()),
        Some(n) => {
            while buf.len() < n {
                if fill(stream, &mut buf, deadline, "HTTP body")? == 0 {
                    return Err(malformed());
                }
            }
            buf.truncate(n);
            Ok(buf)
        }
        None if to_eof => {
            while fill(stream, &mut buf, deadline, "HTTP body")? > 0 {
                if buf.len() > MAX_BODY {
                    return Err(too_large());
                }
            }
            Ok(buf)
        }
        None => Ok(Vec::new()),
    }
}

fn read_chunked(stream: &mut impl Wire, mut raw: Vec<u8>, deadline: Deadline) -> Result<Vec<u8>> {
    let malformed = || Error::protocol("peer", Problem::MalformedHttp);
    let mut body = Vec::new();
    let mut at = 0;
    loop {
        // The size line.
        let line_end = loop {
            if let Some(i) = raw
                .get(at..)
                .and_then(|r| r.windows(2).position(|w| w == b"\r\n"))
            {
                break at + i;
            }
            if raw.len() - at > MAX_HEAD {
                return Err(malformed());
            }
            if fill(stream, &mut raw, deadline, "HTTP chunk")? == 0 {
                return Err(malformed());
            }
        };
        let line = std::str::from_utf8(raw.get(at..line_end).unwrap_or_default())
            .map_err(|_| malformed())?;
        let size_hex = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_hex, 16).map_err(|_| malformed())?;
        if body.len().saturating_add(size) > MAX_BODY {
            return Err(Error::protocol("peer", Problem::HttpTooLarge));
        }
        at = line_end + 2;
        if size == 0 {
            return Ok(body); // trailers, if any, are not needed
        }
        while raw.len() < at + size + 2 {
            if fill(stream, &mut raw, deadline, "HTTP chunk")? == 0 {
                return Err(malformed());
            }
        }
        body.extend_from_slice(raw.get(at..at + size).ok_or_else(malformed)?);
        at += size + 2;
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Duration = Duration::from_secs(5);

    fn echo_server() -> Server {
        Server::start(|req: Request| {
            let summary = format!("{} {} {}", req.method, req.target, req.body.len());
            Response::new(if req.has_content_type("application/sdp") {
                201
            } else {
                200
            })
            .header("Location", "/session/x")
            .body(
                "text/plain",
                [summary.as_bytes(), b"\n", &req.body].concat(),
            )
        })
        .unwrap()
    }

    #[test]
    fn round_trip_with_body_and_headers() {
        let server = echo_server();
        let body = vec![7u8; 100_000];
        let r = request(
            "POST",
            &server.url("/offer?x=1"),
            Some(("application/sdp; charset=utf-8", &body)),
            T,
        )
        .unwrap();
        assert_eq!(r.status, 201);
        assert_eq!(r.get_header("location"), Some("/session/x"));
        let (summary, echoed) = r
            .body
            .split_at(r.body.iter().position(|&b| b == b'\n').unwrap());
        assert_eq!(summary, b"POST /offer?x=1 100000");
        assert_eq!(&echoed[1..], &body[..]);
    }

    #[test]
    fn request_without_body_and_delete() {
        let server = echo_server();
        let r = request("DELETE", &server.url("/session/abc"), None, T).unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.text(), "DELETE /session/abc 0\n");
    }

    #[test]
    fn oversized_request_gets_413_and_garbage_gets_400() {
        let server = echo_server();
        let big = vec![0u8; MAX_BODY + 1];
        assert_eq!(
            request("POST", &server.url("/"), Some(("a/b", &big)), T)
                .unwrap()
                .status,
            413
        );
        let mut s = TcpStream::connect(server.addr()).unwrap();
        s.write_all(b"NONSENSE\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        assert!(out.starts_with("HTTP/1.1 400 "), "{out}");
    }

    #[test]
    fn chunked_response_is_decoded() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let t = thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let _ = read_request(&mut s, Deadline::after(T)).unwrap();
            s.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;x=y\r\n, world\r\n0\r\n\r\n")
                .unwrap();
        });
        let r = request("GET", &format!("http://{addr}/"), None, T).unwrap();
        assert_eq!(r.text(), "hello, world");
        t.join().unwrap();
    }

    #[test]
    fn silent_server_times_out_naming_the_wait() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let err = request("GET", &url, None, Duration::from_millis(200)).unwrap_err();
        assert!(
            matches!(err, Error::Timeout { ref what, .. } if what == "HTTP response"),
            "{err}"
        );
        drop(listener);
    }

    #[test]
    fn bad_urls_are_rejected() {
        for url in [
            "https://127.0.0.1:1/",
            "http:///x",
            "http://host/x",
            "ftp://a:1",
        ] {
            let err = request("GET", url, None, T).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::Protocol {
                        problem: Problem::BadUrl,
                        ..
                    }
                ),
                "{url}: {err}"
            );
        }
    }

    mod props {
        use proptest::collection::vec;
        use proptest::prelude::*;

        use super::*;

        fn deadline() -> Deadline {
            Deadline::after(T)
        }

        /// Header names the codec sets itself, kept out of generated headers.
        fn own_header(name: &str) -> bool {
            ["content-length", "connection", "transfer-encoding"]
                .iter()
                .any(|h| name.eq_ignore_ascii_case(h))
        }

        proptest! {
            #[test]
            fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..4096)) {
                let _ = read_request(&mut bytes.as_slice(), deadline());
                let _ = read_response(&mut bytes.as_slice(), deadline());
            }

            #[test]
            fn http_shaped_input_never_panics(
                start in "(GET|POST|HTTP/1\\.1) [ -~]{0,20}( HTTP/1\\.[01]| [0-9]{3} OK)?",
                headers in vec("(Content-Length|Transfer-Encoding|X-[a-z]{1,5}): ?(chunked|[0-9a-f]{0,6}|[ -~]{0,12})", 0..5),
                body in "([0-9a-fA-F]{0,4}(;[a-z=]{0,5})?\r\n[ -~]{0,20}\r\n){0,5}",
            ) {
                let text = format!("{start}\r\n{}\r\n{body}", headers.iter().map(|h| format!("{h}\r\n")).collect::<String>());
                let _ = read_request(&mut text.as_bytes(), deadline());
                let _ = read_response(&mut text.as_bytes(), deadline());
            }

            #[test]
            fn requests_round_trip(
                method in "[A-Z]{1,7}",
                path in "/[a-zA-Z0-9/._~?=&-]{0,40}",
                content_type in proptest::option::of("[a-z]{1,8}/[a-z+.-]{1,12}"),
                body in vec(any::<u8>(), 0..2048),
            ) {
                let sent = content_type.as_deref().map(|c| (c, body.as_slice()));
                let bytes = encode_request(&method, "127.0.0.1:9", &path, sent);
                let req = read_request(&mut bytes.as_slice(), deadline()).unwrap();
                prop_assert_eq!(&req.method, &method);
                prop_assert_eq!(&req.target, &path);
                prop_assert_eq!(req.header("content-type"), content_type.as_deref());
                prop_assert_eq!(req.body, if content_type.is_some() { body } else { Vec::new() });
            }

            #[test]
            fn responses_round_trip(
                status in 100u16..600,
                headers in vec(("[A-Za-z][A-Za-z0-9-]{0,10}", "[!-~]([ -~]{0,20}[!-~])?"), 0..5),
                body in vec(any::<u8>(), 0..2048),
            ) {
                let headers: Vec<(String, String)> = headers.into_iter().filter(|(n, _)| !own_header(n)).collect();
                let sent = Response { status, headers: headers.clone(), body };
                let got = read_response(&mut encode_response(&sent).as_slice(), deadline()).unwrap();
                prop_assert_eq!(got.status, status);
                prop_assert_eq!(&got.body, &sent.body);
                let kept: Vec<(String, String)> = got.headers.into_iter().filter(|(n, _)| !own_header(n)).collect();
                prop_assert_eq!(kept, headers);
            }

            #[test]
            fn chunked_bodies_decode(body in vec(any::<u8>(), 0..4096), cuts in vec(1usize..700, 0..12)) {
                let mut wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
                let mut rest = body.as_slice();
                for cut in cuts.iter().copied().chain(std::iter::repeat(997)) {
                    if rest.is_empty() {
                        break;
                    }
                    let (chunk, tail) = rest.split_at(cut.min(rest.len()));
                    wire.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                    wire.extend_from_slice(chunk);
                    wire.extend_from_slice(b"\r\n");
                    rest = tail;
                }
                wire.extend_from_slice(b"0\r\n\r\n");
                let got = read_response(&mut wire.as_slice(), deadline()).unwrap();
                prop_assert_eq!(got.body, body);
            }
        }
    }
}
