//! Headless Chromium (Debian's `chromium`), started at a page URL with a fresh profile.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::process::Proc;

/// The flags every interop run uses (besides `--user-data-dir` and the URL).
///
/// `--allow-loopback-in-peer-connection` lets ICE gather on loopback at all.
/// `--disable-features=WebRtcHideLocalIpsWithMdns` makes host candidates carry `127.0.0.1`
/// instead of a `.local` name (in the namespace the mDNS step never completes, and gathering
/// with it). That alone is not enough: without a media permission Chromium gathers only on the
/// default route's address, and the namespace has no default route, so the page first calls
/// `getUserMedia`, granted by `--use-fake-ui-for-media-stream` on a fake device.
pub const FLAGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--allow-loopback-in-peer-connection",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
];

/// Set this variable to see Chromium's own stderr (it is discarded otherwise).
pub const VERBOSE_ENV: &str = "MUON_INTEROP_CHROMIUM_LOG";

/// A running headless Chromium; dropping it kills its whole process group and removes its
/// profile directory.
#[derive(Debug)]
pub struct Chromium {
    proc: Proc,
    profile: PathBuf,
}

impl Chromium {
    /// Starts Chromium on `url` with [`FLAGS`] and a fresh profile in the temp directory.
    ///
    /// # Errors
    /// [`Error::ChromiumMissing`] when not installed; [`Error::Spawn`] when it cannot start.
    pub fn launch(url: &str) -> Result<Self> {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let binary = find_chromium().ok_or(Error::ChromiumMissing)?;
        let profile = env::temp_dir().join(format!(
            "muon-interop-chromium-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&profile)?;
        let mut cmd = Command::new(binary);
        cmd.args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(url);
        cmd.stdout(Stdio::null());
        if env::var_os(VERBOSE_ENV).is_none() {
            cmd.stderr(Stdio::null());
        }
        // Own group: the browser's helpers die with it; no grace (SIGTERM is its clean exit).
        let proc = match Proc::spawn("chromium", cmd, true, Duration::ZERO) {
            Ok(proc) => proc,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&profile);
                return Err(e);
            }
        };
        Ok(Self { proc, profile })
    }

    /// Whether the browser is still running.
    pub fn is_running(&mut self) -> bool {
        self.proc.exited().is_none()
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        self.proc.end();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn find_chromium() -> Option<PathBuf> {
    let known = Path::new("/usr/bin/chromium");
    if known.is_file() {
        return Some(known.to_path_buf());
    }
    env::var_os("PATH")
        .into_iter()
        .flat_map(|p| env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("chromium"))
        .find(|p| p.is_file())
}
