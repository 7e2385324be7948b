//! Child processes that cannot outlive their guard.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::deadline::Deadline;
use crate::error::{Error, Result};

/// How often a bounded wait for a child's exit looks again.
const POLL: Duration = Duration::from_millis(20);

/// A running child. Dropping it ends it: stdin is closed and the child gets `grace` to exit by
/// itself, then its process group (or the process) gets SIGTERM, then SIGKILL, and is reaped.
#[derive(Debug)]
pub(crate) struct Proc {
    program: &'static str,
    child: Child,
    stdin: Option<ChildStdin>,
    own_group: bool,
    grace: Duration,
    status: Option<ExitStatus>,
}

impl Proc {
    /// Spawns `cmd` with piped stdin; `own_group` puts it in a new process group so that its
    /// descendants (Chromium's renderers, say) are ended with it.
    pub(crate) fn spawn(
        program: &'static str,
        mut cmd: Command,
        own_group: bool,
        grace: Duration,
    ) -> Result<Self> {
        use std::os::unix::process::CommandExt;
        cmd.stdin(Stdio::piped());
        if own_group {
            cmd.process_group(0);
        }
        let mut child = cmd
            .spawn()
            .map_err(|source| Error::Spawn { program, source })?;
        let stdin = child.stdin.take();
        Ok(Self {
            program,
            child,
            stdin,
            own_group,
            grace,
            status: None,
        })
    }

    /// The child's stdout as lines on a channel (it must have been spawned with a piped
    /// stdout); the channel disconnects when the child closes it.
    pub(crate) fn stdout_lines(&mut self) -> Option<Receiver<String>> {
        let stdout = self.child.stdout.take()?;
        Some(lines(stdout, self.program))
    }

    /// Collects the child's stderr (it must have been spawned with a piped stderr) on a
    /// thread, returned at end of stream.
    pub(crate) fn stderr_text(&mut self) -> Option<JoinHandle<String>> {
        let mut stderr = self.child.stderr.take()?;
        Some(thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        }))
    }

    /// Closes the child's stdin (the Pion peer exits on EOF).
    pub(crate) fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits for the child to exit, at most `timeout`.
    pub(crate) fn wait(&mut self, timeout: Duration, what: &'static str) -> Result<ExitStatus> {
        if let Some(status) = self.status {
            return Ok(status);
        }
        let deadline = Deadline::after(timeout);
        loop {
            if let Some(status) = self.child.try_wait()? {
                self.status = Some(status);
                return Ok(status);
            }
            if deadline.left().is_zero() {
                return Err(deadline.timeout(what));
            }
            thread::sleep(POLL.min(deadline.left()));
        }
    }

    /// Whether the child has exited (reaping it if so).
    pub(crate) fn exited(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status
    }

    fn signal(&self, signal: &str) {
        let target = if self.own_group {
            format!("-{}", self.child.id())
        } else {
            self.child.id().to_string()
        };
        // `kill` from procps; a failure means there is nothing left to signal.
        let _ = Command::new("kill")
            .args([signal, "--", &target])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    /// Ends the child and everything in its group, politely first; reaps it.
    pub(crate) fn end(&mut self) {
        self.close_stdin();
        if self.exited().is_none() && !self.grace.is_zero() {
            let _ = self.wait(self.grace, "a clean exit after stdin EOF");
        }
        if self.exited().is_none() {
            self.signal("-TERM");
            let _ = self.wait(Duration::from_secs(2), "exit after SIGTERM");
        }
        if self.exited().is_none() || self.own_group {
            // The group may outlive its leader (renderers of a dead browser): kill it too.
            self.signal("-KILL");
        }
        if self.exited().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait().map(|s| self.status = Some(s));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.end();
    }
}

/// Reads `from` line by line into a channel, on a thread that ends at end of stream.
pub(crate) fn lines(from: impl Read + Send + 'static, program: &'static str) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let spawned = thread::Builder::new()
        .name(format!("{program}-stdout"))
        .spawn(move || {
            for line in BufReader::new(from).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
    // Without the thread the receiver reports a disconnect, which callers treat as an exit.
    drop(spawned);
    rx
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, own_group: bool, grace: Duration) -> Proc {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]).stdout(Stdio::piped());
        Proc::spawn("sh", cmd, own_group, grace).unwrap()
    }

    #[test]
    fn stdout_lines_arrive_and_exit_status_is_reported() {
        let mut p = sh("echo one; echo two; exit 3", false, Duration::ZERO);
        let rx = p.stdout_lines().unwrap();
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), "one");
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), "two");
        assert_eq!(
            p.wait(Duration::from_secs(5), "exit").unwrap().code(),
            Some(3)
        );
    }

    #[test]
    fn stdin_eof_ends_a_cooperative_child_within_grace() {
        let mut p = sh("cat >/dev/null; exit 7", false, Duration::from_secs(5));
        p.end();
        assert_eq!(
            p.exited().and_then(|s| s.code()),
            Some(7),
            "exited by itself, not by signal"
        );
    }

    #[test]
    fn wait_is_bounded_and_drop_kills_the_whole_group() {
        // A child that ignores stdin and SIGTERM, with a grandchild in its group.
        let mut p = sh(
            "trap '' TERM; sleep 60 & echo $!; wait",
            true,
            Duration::from_millis(50),
        );
        let grandchild = p
            .stdout_lines()
            .unwrap()
            .recv_timeout(Duration::from_secs(5))
            .unwrap();
        let err = p
            .wait(Duration::from_millis(100), "a stubborn child")
            .unwrap_err();
        assert!(err.to_string().contains("a stubborn child"), "{err}");
        drop(p);
        let alive = || std::path::Path::new(&format!("/proc/{grandchild}")).exists();
        let deadline = Deadline::after(Duration::from_secs(5));
        while alive() && !deadline.left().is_zero() {
            thread::sleep(POLL);
        }
        // A zombie has no cmdline; a live sleep has one.
        let cmdline = std::fs::read(format!("/proc/{grandchild}/cmdline")).unwrap_or_default();
        assert!(cmdline.is_empty(), "grandchild {grandchild} still running");
    }
}
