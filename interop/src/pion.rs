//! The Pion v4 peer (interop/pion): built once per test run, spawned per test.

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

/// The built binary, once per process; the mutex is also the build lock.
static BUILT: Mutex<Option<PathBuf>> = Mutex::new(None);

/// A running `pion-peer`, ended (stdin EOF, then signals) when dropped.
#[derive(Debug)]
pub struct PionPeer {
    proc: Proc,
    reports: Reports,
}

impl PionPeer {
    /// Starts `pion-peer answer --listen 127.0.0.1:0`; returns its offer URL
    /// (`http://127.0.0.1:PORT/offer`) and the peer.
    ///
    /// # Errors
    /// When the binary cannot be built or started, or does not print `LISTENING` in time.
    pub fn answerer() -> Result<(String, Self)> {
        let (mut proc, lines) = spawn(&["answer", "--listen", "127.0.0.1:0"])?;
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
                reports: Reports::new("pion-answerer", lines),
            },
        ))
    }

    /// Starts `pion-peer offer --url URL` running `plan`; its reports end with `done`.
    ///
    /// # Errors
    /// When the binary cannot be built or started.
    pub fn offerer(url: &str, plan: &OfferPlan) -> Result<Self> {
        let mut args = vec!["offer".to_owned(), format!("--url={url}")];
        args.extend(plan.pion_args());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (proc, lines) = spawn(&args)?;
        Ok(Self {
            proc,
            reports: Reports::new("pion-offerer", lines),
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

fn spawn(args: &[&str]) -> Result<(Proc, std::sync::mpsc::Receiver<String>)> {
    let mut cmd = Command::new(pion_binary()?);
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
    // Other test binaries may build at the same time: each writes its own file, then renames
    // it into place atomically.
    let tmp = dir.join(format!("pion-peer.{}.tmp", std::process::id()));
    let mut cmd = Command::new(go);
    cmd.args(["build", "-trimpath", "-buildvcs=false", "-o"])
        .arg(&tmp)
        .arg(".")
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("pion"))
        .stdout(Stdio::inherit());
    let mut proc = Proc::spawn("go", cmd, true, Duration::ZERO)?;
    let status = proc.wait(BUILD_TIMEOUT, "`go build` of interop/pion")?;
    if !status.success() {
        return Err(Error::GoBuild(status));
    }
    std::fs::rename(&tmp, &target)?;
    *built = Some(target.clone());
    Ok(target)
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
