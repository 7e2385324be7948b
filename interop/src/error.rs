//! The crate's one error type.

use std::borrow::Cow;
use std::io;
use std::process::ExitStatus;
use std::time::Duration;

/// What can go wrong while building, starting or talking to a peer.
///
/// Every wait in the harness is bounded; running out of time is [`Error::Timeout`], naming what
/// was waited for.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No `go` on `PATH` nor in `/usr/local/go/bin`.
    #[error(
        "`go` is not installed (not on PATH nor in /usr/local/go/bin): run scripts/install-interop.sh"
    )]
    GoMissing,
    /// `go build` of the Pion peer failed; its output was printed to stderr.
    #[error(
        "`go build` of interop/pion failed ({0}); its output is above. Modules missing? Run \
         scripts/install-interop.sh (needs the Go module proxy, so not inside a test's namespace)"
    )]
    GoBuild(ExitStatus),
    /// Debian's Pion v3 sources (`golang-github-pion-webrtc.v3-dev`, in
    /// `/usr/share/gocode/src/github.com/pion/webrtc`) are not installed.
    #[error(
        "Pion v3 is not installed (Debian's golang-github-pion-webrtc.v3-dev, in \
         /usr/share/gocode): run scripts/install-interop.sh"
    )]
    PionV3Missing,
    /// `go build` of the Pion v3 peer (GOPATH mode) failed; its output was printed to stderr.
    #[error(
        "`go build` of the Pion v3 peer (interop/pion in GOPATH mode on /usr/share/gocode) \
         failed ({0}); its output is above. Run scripts/install-interop.sh, which installs \
         golang-github-pion-webrtc.v3-dev and shows the same build"
    )]
    GoBuildV3(ExitStatus),
    /// No Chromium at `/usr/bin/chromium` nor on `PATH`.
    #[error("chromium is not installed: run scripts/install-interop.sh")]
    ChromiumMissing,
    /// A program could not be started.
    #[error("could not start {program}: {source}")]
    Spawn {
        /// The program.
        program: &'static str,
        /// Why.
        source: io::Error,
    },
    /// A bounded wait ran out.
    #[error("timed out after {after:?} waiting for {what}")]
    Timeout {
        /// What was waited for.
        what: Cow<'static, str>,
        /// How long.
        after: Duration,
    },
    /// A child process ended (or closed its output) while something was still expected of it.
    #[error("{program} exited ({status:?}) while waiting for {what}")]
    Exited {
        /// The program.
        program: &'static str,
        /// Its exit status, if it has been reaped.
        status: Option<ExitStatus>,
        /// What was waited for.
        what: Cow<'static, str>,
    },
    /// A peer broke the harness's protocol (wrong first line, malformed report, bad HTTP).
    #[error("{peer} broke the harness protocol: {problem}")]
    Protocol {
        /// Which peer.
        peer: &'static str,
        /// What was wrong.
        problem: Problem,
    },
    /// An answerer refused an offer (any status but `201 Created`).
    #[error("the answerer refused the offer with HTTP {status}")]
    Rejected {
        /// The HTTP status.
        status: u16,
    },
    /// Socket or file I/O failed.
    #[error("I/O: {0}")]
    Io(#[from] io::Error),
}

/// What a peer got wrong, in [`Error::Protocol`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// `pion-peer answer` did not print `LISTENING http://ADDR` first.
    #[error("first line was not `LISTENING http://ADDR`")]
    NoListeningLine,
    /// An HTTP message could not be parsed.
    #[error("malformed HTTP message")]
    MalformedHttp,
    /// An HTTP message went over [`crate::http::MAX_HEAD`] or [`crate::http::MAX_BODY`].
    #[error("HTTP message over the size limit")]
    HttpTooLarge,
    /// An answer was not `Content-Type: application/sdp`.
    #[error("answer is not application/sdp")]
    NotSdp,
    /// A `201 Created` had no `Location` that is a path or an absolute `http://` URL.
    #[error("201 Created without a usable Location")]
    NoLocation,
    /// A URL was not `http://HOST:PORT/PATH`.
    #[error("URL is not http://HOST:PORT/PATH")]
    BadUrl,
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn timeout(what: impl Into<Cow<'static, str>>, after: Duration) -> Self {
        Self::Timeout {
            what: what.into(),
            after,
        }
    }

    pub(crate) fn protocol(peer: &'static str, problem: Problem) -> Self {
        Self::Protocol { peer, problem }
    }
}
