//! Helpers for the `muon serve` tests: the server as a child process, HTTP requests off the
//! runtime's threads, a muon client peer, bounded waits.
#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use muon::{
    Config, DataChannel, DataChannelInit, InterfaceFilter, PeerConnection, SessionDescription,
};
use muon_interop::http::{Response, request};

/// Bound on one HTTP exchange.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(20);

/// `muon serve` on an ephemeral loopback port, killed on drop.
pub struct Serve {
    pub child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl Serve {
    /// Starts `muon serve --listen 127.0.0.1:0 --interfaces loopback` plus `extra`.
    pub fn start(extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_muon"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--interfaces",
                "loopback",
            ])
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            // Keep draining so the child never blocks on a full pipe.
            for _ in lines {}
        });
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("listening line");
        let base = line
            .strip_prefix("listening on ")
            .and_then(|u| u.strip_suffix('/'))
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Self { child, base }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Resident memory of the server process in KiB (`VmRSS` in /proc/PID/status).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP request, run on a blocking thread.
pub async fn http(method: &str, url: String, body: Option<(&'static str, Vec<u8>)>) -> Response {
    let method = method.to_owned();
    tokio::task::spawn_blocking(move || {
        let body = body.as_ref().map(|(t, b)| (*t, b.as_slice()));
        request(&method, &url, body, HTTP_TIMEOUT).unwrap()
    })
    .await
    .unwrap()
}

/// POSTs an SDP offer to `/offer`.
pub async fn post_sdp(serve: &Serve, sdp: &str) -> Response {
    http(
        "POST",
        serve.url("/offer"),
        Some(("application/sdp", sdp.as_bytes().to_vec())),
    )
    .await
}

pub fn client_config() -> Config {
    Config::default().with_interfaces(InterfaceFilter::loopback_only())
}

/// A client peer with the given channels, its complete offer applied.
pub async fn client(labels: &[&str]) -> (PeerConnection, Vec<DataChannel>, String) {
    let pc = PeerConnection::new(client_config()).await.unwrap();
    let mut channels = Vec::new();
    for l in labels {
        channels.push(
            pc.create_data_channel(l, DataChannelInit::default())
                .await
                .unwrap(),
        );
    }
    let offer = pc.create_offer().await.unwrap();
    pc.set_local_description(&offer).await.unwrap();
    pc.gathering_complete().await.unwrap();
    let offer = pc.local_description().unwrap().sdp;
    (pc, channels, offer)
}

/// Applies the server's answer.
pub async fn apply_answer(pc: &PeerConnection, answer: String) {
    pc.set_remote_description(&SessionDescription::answer(answer))
        .await
        .unwrap();
}

/// Fails the test instead of hanging.
pub async fn within<T>(secs: u64, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), f)
        .await
        .expect("timed out")
}
