//! The Pion peer (interop/pion): built once per test run, spawned per test. One Go source,
//! two builds: Pion v4 with Go modules ([`pion_binary`]), and Pion v3 from Debian's
//! `golang-github-pion-webrtc.v3-dev` in GOPATH mode ([`pion_v3_binary`]).

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use crate::error::{Error, Problem, Result};
use crate::plan::OfferPlan;
use crate::process::Proc;
use crate::report::Reports;

/// Bound on `go build` (a cold build of Pion takes about a minute on two cores).
pub const BUILD_TIMEOUT: Duration = Duration::from_secs(600);
/// Bound on the answerer printing its `LISTENING` line.
pub const LISTEN_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a peer may take to exit by itself once its stdin is closed.
const EXIT_GRACE: Duration = Duration::from_secs(3);

/// Where Debian's golang-*-dev packages put their Go sources (a GOPATH tree).
pub const DEBIAN_GOPATH: &str = "/usr/share/gocode";

/// The built binaries, once per process; each mutex is also its build lock.
static BUILT: Mutex<Option<PathBuf>> = Mutex::new(None);
static BUILT_V3: Mutex<Option<PathBuf>> = Mutex::new(None);

/// The import paths [`pion_v3_binary`] rewrites in the peer's Go source: Pion v3 is built on
/// ice v2 (the other Pion packages the peer uses come through webrtc itself).
const V3_IMPORTS: [(&str, &str); 2] = [
    (
        "\"github.com/pion/webrtc/v4\"",
        "\"github.com/pion/webrtc/v3\"",
    ),
    ("\"github.com/pion/ice/v4\"", "\"github.com/pion/ice/v2\""),
];

/// Which Pion a [`PionPeer`] runs: the same Go source (interop/pion), built two ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PionVersion {
    /// Pion v4 (interop/pion/go.mod), built with Go modules by [`pion_binary`].
    #[default]
    V4,
    /// Pion v3.1.56 from Debian bookworm's `golang-github-pion-webrtc.v3-dev`, built in GOPATH
    /// mode by [`pion_v3_binary`].
    V3,
}

impl PionVersion {
    /// Builds (once per process) and returns this version's `pion-peer` binary.
    ///
    /// # Errors
    /// As [`pion_binary`] or [`pion_v3_binary`].
    pub fn binary(self) -> Result<PathBuf> {
        match self {
            Self::V4 => pion_binary(),
            Self::V3 => pion_v3_binary(),
        }
    }

    /// The peer names its reports are labelled with (answerer, offerer).
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::V4 => ("pion-answerer", "pion-offerer"),
            Self::V3 => ("pion3-answerer", "pion3-offerer"),
        }
    }
}

/// A running `pion-peer`, ended (stdin EOF, then signals) when dropped.
#[derive(Debug)]
pub struct PionPeer {
    proc: Proc,
    reports: Reports,
}

impl PionPeer {
    /// Starts the Pion v4 `pion-peer answer --listen 127.0.0.1:0`; returns its offer URL
    /// (`http://127.0.0.1:PORT/offer`) and the peer.
    ///
    /// # Errors
    /// When the binary cannot be built or started, or does not print `LISTENING` in time.
    pub fn answerer() -> Result<(String, Self)> {
        Self::answerer_of(PionVersion::V4)
    }

    /// As [`PionPeer::answerer`], running `version`.
    ///
    /// # Errors
    /// When the binary cannot be built or started, or does not print `LISTENING` in time.
    pub fn answerer_of(version: PionVersion) -> Result<(String, Self)> {
        let (mut proc, lines) = spawn(version, &["answer", "--listen", "127.0.0.1:0"])?;
        let first = match lines.recv_timeout(LISTEN_TIMEOUT) {
            Ok(line) => line,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                return Err(Error::timeout("pion-peer's LISTENING line", LISTEN_TIMEOUT));
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Error::Exited {
                    program: "pion-peer",
                    status: proc.wait(EXIT_GRACE, "pion-peer's exit").ok(),
                    what: "its LISTENING line".into(),
                });
            }
        };
        let base = first
            .strip_prefix("LISTENING ")
            .filter(|url| url.starts_with("http://127.0.0.1:"))
            .ok_or_else(|| Error::protocol("pion-peer", Problem::NoListeningLine))?;
        let url = format!("{base}/offer");
        Ok((
            url,
            Self {
                proc,
                reports: Reports::new(version.names().0, lines),
            },
        ))
    }

    /// Starts the Pion v4 `pion-peer offer --url URL` running `plan`; its reports end with
    /// `done`.
    ///
    /// # Errors
    /// When the binary cannot be built or started.
    pub fn offerer(url: &str, plan: &OfferPlan) -> Result<Self> {
        Self::offerer_of(PionVersion::V4, url, plan)
    }

    /// As [`PionPeer::offerer`], running `version`.
    ///
    /// # Errors
    /// When the binary cannot be built or started.
    pub fn offerer_of(version: PionVersion, url: &str, plan: &OfferPlan) -> Result<Self> {
        let mut args = vec!["offer".to_owned(), format!("--url={url}")];
        args.extend(plan.pion_args());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (proc, lines) = spawn(version, &args)?;
        Ok(Self {
            proc,
            reports: Reports::new(version.names().1, lines),
        })
    }

    /// The peer's reports (JSON lines from its stdout).
    pub fn reports(&mut self) -> &mut Reports {
        &mut self.reports
    }

    /// Waits at most `timeout` for the peer to exit by itself (the offerer does after `done`).
    ///
    /// # Errors
    /// [`Error::Timeout`] when it is still running.
    pub fn wait(&mut self, timeout: Duration) -> Result<ExitStatus> {
        self.proc.wait(timeout, "pion-peer to exit")
    }

    /// Closes the peer's stdin and waits for its clean exit.
    ///
    /// # Errors
    /// [`Error::Timeout`] when it does not exit within `timeout`.
    pub fn shutdown(mut self, timeout: Duration) -> Result<ExitStatus> {
        self.proc.close_stdin();
        self.proc.wait(timeout, "pion-peer to exit on stdin EOF")
    }
}

fn spawn(version: PionVersion, args: &[&str]) -> Result<(Proc, std::sync::mpsc::Receiver<String>)> {
    let mut cmd = Command::new(version.binary()?);
    cmd.args(args).stdout(Stdio::piped());
    let mut proc = Proc::spawn("pion-peer", cmd, false, EXIT_GRACE)?;
    let lines = proc.stdout_lines().ok_or_else(|| Error::Exited {
        program: "pion-peer",
        status: None,
        what: "its stdout".into(),
    })?;
    Ok((proc, lines))
}

/// Builds interop/pion with `go build` (once per process; Go's own cache makes a rebuild
/// cheap) into `target/<profile>/muon-interop/pion-peer` and returns its path.
///
/// # Errors
/// [`Error::GoMissing`] without Go, [`Error::GoBuild`] when the build fails (for instance
/// modules not downloaded: run scripts/install-interop.sh), [`Error::Timeout`] past
/// [`BUILD_TIMEOUT`].
pub fn pion_binary() -> Result<PathBuf> {
    let mut built = BUILT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(path) = built.as_ref() {
        return Ok(path.clone());
    }
    let go = find_go().ok_or(Error::GoMissing)?;
    let dir = out_dir()?;
    std::fs::create_dir_all(&dir)?;
    let target = dir.join("pion-peer");
    // Other test processes may build at the same time (each test re-runs itself in a PID
    // namespace of its own, so process ids repeat): each builds in a scratch directory of its
    // own, then renames the binary into place atomically.
    let scratch = scratch_dir(&dir, "pion-peer")?;
    let tmp = scratch.join("pion-peer");
    let mut cmd = Command::new(go);
    cmd.args(["build", "-trimpath", "-buildvcs=false", "-o"])
        .arg(&tmp)
        .arg(".")
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("pion"))
        .stdout(Stdio::inherit());
    let built_ok = go_build(cmd, "`go build` of interop/pion", Error::GoBuild)
        .and_then(|()| Ok(std::fs::rename(&tmp, &target)?));
    let _ = std::fs::remove_dir_all(&scratch);
    built_ok?;
    *built = Some(target.clone());
    Ok(target)
}

/// Builds the same peer against Pion v3 from Debian (once per process) into
/// `target/<profile>/muon-interop/pion-peer-v3` and returns its path.
///
/// GOPATH mode (`GO111MODULE=off`, `GOPATH=<tmp>:`[`DEBIAN_GOPATH`]): interop/pion/*.go are
/// copied into `<tmp>/src/pion-peer` with the imports `github.com/pion/webrtc/v4` and
/// `github.com/pion/ice/v4` rewritten to `.../webrtc/v3` and `.../ice/v2`, next to a one-line
/// `go.mod`. scripts/install-interop.sh does the same with the same flags, so here the build
/// is a cache hit. Pion v3's API covers everything the peer uses, so no source differs
/// otherwise.
///
/// # Errors
/// [`Error::PionV3Missing`] without Debian's `golang-github-pion-webrtc.v3-dev`,
/// [`Error::GoMissing`] without Go, [`Error::GoBuildV3`] when the build fails,
/// [`Error::Timeout`] past [`BUILD_TIMEOUT`].
pub fn pion_v3_binary() -> Result<PathBuf> {
    let mut built = BUILT_V3
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(path) = built.as_ref() {
        return Ok(path.clone());
    }
    let module = Path::new(DEBIAN_GOPATH).join("src/github.com/pion/webrtc/go.mod");
    let is_v3 = std::fs::read_to_string(module)
        .is_ok_and(|m| m.lines().next().map(str::trim) == Some("module github.com/pion/webrtc/v3"));
    if !is_v3 {
        return Err(Error::PionV3Missing);
    }
    let go = find_go().ok_or(Error::GoMissing)?;
    let dir = out_dir()?;
    std::fs::create_dir_all(&dir)?;
    let gopath = scratch_dir(&dir, "gopath-v3")?;
    let target = build_v3(&go, &dir, &gopath);
    // The copied source (and a failed build's output) is only needed by this one build.
    let _ = std::fs::remove_dir_all(&gopath);
    let target = target?;
    *built = Some(target.clone());
    Ok(target)
}

/// A new, empty directory `<dir>/<prefix>.<pid>.<n>`. The pid alone is not unique: tests run
/// in PID namespaces of their own, so two test binaries building at once may share it.
fn scratch_dir(dir: &Path, prefix: &str) -> Result<PathBuf> {
    let pid = std::process::id();
    let mut last = None;
    for n in 0..100 {
        let path = dir.join(format!("{prefix}.{pid}.{n}"));
        match std::fs::create_dir(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e.into()),
        }
    }
    Err(last
        .unwrap_or_else(|| std::io::Error::from(std::io::ErrorKind::AlreadyExists))
        .into())
}

/// The `go.mod` next to the copied source. GOPATH mode ignores it but for one thing: only
/// code under a `go.mod` may import `github.com/pion/webrtc/v3` from the directory
/// `github.com/pion/webrtc` whose own `go.mod` declares that path ("minimal module
/// compatibility", golang.org/issue/25069); Debian's tree has no `v3` directory.
const V3_GO_MOD: &str = "module pion-peer\n";

fn build_v3(go: &Path, dir: &Path, gopath: &Path) -> Result<PathBuf> {
    let src = gopath.join("src").join("pion-peer");
    std::fs::create_dir_all(&src)?;
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("pion"))? {
        let path = entry?.path();
        let Some(name) = path
            .file_name()
            .filter(|n| n.to_string_lossy().ends_with(".go"))
        else {
            continue;
        };
        let mut text = std::fs::read_to_string(&path)?;
        for (from, to) in V3_IMPORTS {
            text = text.replace(from, to);
        }
        std::fs::write(src.join(name), text)?;
    }
    std::fs::write(src.join("go.mod"), V3_GO_MOD)?;
    let target = dir.join("pion-peer-v3");
    // Built inside the scratch tree, then renamed into place atomically (same file system).
    let tmp = gopath.join("pion-peer-v3");
    let gopath_env = env::join_paths([gopath, Path::new(DEBIAN_GOPATH)])
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let mut cmd = Command::new(go);
    cmd.args(["build", "-trimpath", "-buildvcs=false", "-o"])
        .arg(&tmp)
        .arg(".")
        .current_dir(&src)
        .env("GO111MODULE", "off")
        .env("GOPATH", gopath_env)
        .env("GOFLAGS", "")
        .stdout(Stdio::inherit());
    go_build(cmd, "`go build` of the Pion v3 peer", Error::GoBuildV3)?;
    std::fs::rename(&tmp, &target)?;
    Ok(target)
}

/// Runs a prepared `go build`, bounded by [`BUILD_TIMEOUT`]; `failed` names a failure.
fn go_build(cmd: Command, what: &'static str, failed: fn(ExitStatus) -> Error) -> Result<()> {
    let mut proc = Proc::spawn("go", cmd, true, Duration::ZERO)?;
    let status = proc.wait(BUILD_TIMEOUT, what)?;
    if status.success() {
        Ok(())
    } else {
        Err(failed(status))
    }
}

/// `go` on PATH, else where the Go tarball and Debian's golang-go put it.
fn find_go() -> Option<PathBuf> {
    let on_path = env::var_os("PATH")
        .into_iter()
        .flat_map(|p| env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("go"));
    let known = ["/usr/local/go/bin/go", "/usr/lib/go/bin/go"]
        .into_iter()
        .map(PathBuf::from);
    on_path.chain(known).find(|p| p.is_file())
}

/// `target/<profile>/muon-interop`, next to the test binary's `deps` folder.
fn out_dir() -> Result<PathBuf> {
    let exe = env::current_exe()?;
    let mut dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir.pop();
    }
    Ok(dir.join("muon-interop"))
}
