//! Running a test inside a private network namespace.
//!
//! Chromium gathers candidates on, and sends to, every interface it finds. To keep interop
//! traffic on loopback, each interop test re-runs itself (its own test binary, only that
//! test) under `unshare`, in new network and PID namespaces holding nothing but `lo`: the
//! browser, the Pion peer and the test's own sockets then share a loopback nobody else sees.
//! The PID namespace makes the kernel end every process of the test with it, even if the
//! test is killed.

use std::env;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::Receiver;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::process::Proc;

/// Set (to `1`) in the environment of the re-run test: it is inside the namespace.
pub const NETNS_ENV: &str = "MUON_INTEROP_NETNS";
/// Bound on one test run inside the namespace.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(150);

/// Namespaced runs happen one at a time: each starts a browser, and CI machines are small.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Runs `body` inside a private network namespace.
///
/// Outside (when [`NETNS_ENV`] is unset) this re-runs the current test binary as
/// `<exe> <test_name> --exact --include-ignored --nocapture --test-threads=1` under
/// `unshare -n -p -f --kill-child --mount-proc -- sh -c 'ip link set lo up && exec ...'`,
/// with [`NETNS_ENV`] set, waits at most [`TEST_TIMEOUT`] and panics unless the run passed
/// (printing its output, which libtest shows for a failing test). Inside, it checks that the
/// namespace holds only `lo`, then runs `body`.
///
/// `test_name` must be the test's path within its binary (`chromium_offers_to_pion` for a
/// top-level `#[test] fn` in `tests/peers.rs`).
///
/// # Panics
/// When `unshare` is not permitted (run as root, or with `CAP_SYS_ADMIN`), when the run fails
/// or times out, or inside a namespace that has interfaces other than `lo`.
pub fn reexec_in_private_netns(test_name: &str, body: impl FnOnce()) {
    if env::var_os(NETNS_ENV).is_some() {
        assert_only_loopback();
        body();
        return;
    }
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    assert_unshare_permitted();
    let exe = env::current_exe().unwrap_or_else(|e| panic!("current_exe: {e}"));
    let mut cmd = Command::new("unshare");
    cmd.args([
        "-n",
        "-p",
        "-f",
        "--kill-child",
        "--mount-proc",
        "--",
        "sh",
        "-c",
    ])
    .arg(r#"ip link set lo up && exec "$0" "$@""#)
    .arg(exe)
    // The outer run chose to run this test, ignored or not (`-- --ignored`): the inner
    // run must not skip it and pass with nothing run.
    .args([
        test_name,
        "--exact",
        "--include-ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(NETNS_ENV, "1")
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut run = Proc::spawn("unshare", cmd, true, Duration::ZERO)
        .unwrap_or_else(|e| panic!("could not start the namespaced run: {e}"));
    let out = run.stdout_lines().map(collect);
    let err = run.stderr_text();
    let status = run.wait(TEST_TIMEOUT, "the namespaced test run");
    run.end(); // on timeout: SIGKILL to unshare, whose --kill-child ends the namespace
    let out = out
        .map(|h| h.join().unwrap_or_default())
        .unwrap_or_default();
    let err = err
        .map(|h| h.join().unwrap_or_default())
        .unwrap_or_default();
    // Shown by libtest only when the test fails (or with --nocapture).
    print!("---- {test_name} in its namespace: stdout\n{out}---- stderr\n{err}");
    match status {
        // A wrong `test_name` would run nothing and pass.
        Ok(s) if s.success() => assert!(
            out.contains("test result: ok. 1 passed"),
            "{test_name}: the namespaced run ran no test; is that its exact path?"
        ),
        Ok(s) => panic!(
            "{test_name} failed inside its private network namespace ({s}); its output is above"
        ),
        Err(e) => panic!("{test_name} inside its private network namespace: {e}"),
    }
}

fn collect(lines: Receiver<String>) -> JoinHandle<String> {
    thread::spawn(move || lines.iter().map(|l| l + "\n").collect())
}

fn assert_unshare_permitted() {
    let probe = Command::new("unshare")
        .args(["-n", "-p", "-f", "--mount-proc", "--", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output();
    match probe {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "interop tests need a private network namespace, but `unshare -n -p -f --mount-proc` \
             failed ({}): {}. Run them as root (CI does) or with CAP_SYS_ADMIN.",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => {
            panic!("interop tests need `unshare` (util-linux; scripts/install-interop.sh): {e}")
        }
    }
}

/// Inside: the namespace must hold only `lo`, and it must be up.
fn assert_only_loopback() {
    let mut dev = String::new();
    let read =
        std::fs::File::open("/proc/self/net/dev").and_then(|mut f| f.read_to_string(&mut dev));
    read.unwrap_or_else(|e| panic!("/proc/self/net/dev: {e}"));
    let interfaces: Vec<&str> = dev
        .lines()
        .skip(2)
        .filter_map(|l| l.split(':').next())
        .map(str::trim)
        .collect();
    assert_eq!(
        interfaces,
        ["lo"],
        "{NETNS_ENV} is set but this namespace has other interfaces"
    );
}
