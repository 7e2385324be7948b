//! The browser page of `muon serve`, in headless Chromium (interop's harness: a private
//! network namespace holding only loopback). The page runs its automatic mode: connect,
//! chat echo, 20 RTT pings, a 4 MiB bulk transfer checked chunk by chunk, and only when all
//! of that passed, `DELETE` of its session, which the server logs. The test waits for that
//! log line and for the server to have seen the page's three channels.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use muon_interop::{Chromium, reexec_in_private_netns};

#[test]
fn the_page_connects_chats_measures_and_ends_its_session_in_chromium() {
    reexec_in_private_netns(
        "the_page_connects_chats_measures_and_ends_its_session_in_chromium",
        || run_page(&[]),
    );
}

/// The same with every session on one shared UDP port (the mux).
#[test]
fn the_page_works_with_every_session_on_one_udp_port() {
    reexec_in_private_netns("the_page_works_with_every_session_on_one_udp_port", || {
        run_page(&["--udp-port", "0"]);
    });
}

/// Serves with `extra` options, runs the page in Chromium, checks the server's log.
fn run_page(extra: &[&str]) {
    {
        {
            let mut serve = Command::new(env!("CARGO_BIN_EXE_muon"))
                .args(["serve", "--listen", "127.0.0.1:0"])
                .args(extra)
                .env("RUST_LOG", "info")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let mut first = String::new();
            BufReader::new(serve.stdout.take().unwrap())
                .read_line(&mut first)
                .unwrap();
            let base = first
                .trim()
                .strip_prefix("listening on ")
                .unwrap()
                .to_owned();
            let (tx, rx) = mpsc::channel();
            let stderr = serve.stderr.take().unwrap();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
            let _browser = Chromium::launch(&format!("{base}?auto=1&media=1&mib=4&end=1")).unwrap();
            let deadline = Instant::now() + Duration::from_secs(90);
            let mut labels = Vec::new();
            let mut log = Vec::new();
            let ended = loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match rx.recv_timeout(left) {
                    Ok(line) => {
                        for label in ["chat", "rtt", "bulk"] {
                            if line.contains("channel opened")
                                && line.contains(&format!("label=\"{label}\""))
                            {
                                labels.push(label);
                            }
                        }
                        let deleted = line.contains("session ended") && line.contains("deleted");
                        log.push(line);
                        if deleted {
                            break true;
                        }
                    }
                    Err(_) => break false,
                }
            };
            let _ = serve.kill();
            let _ = serve.wait();
            assert!(
                ended,
                "the page did not finish; server log:\n{}",
                log.join("\n")
            );
            assert_eq!(labels, ["chat", "rtt", "bulk"], "{}", log.join("\n"));
        }
    }
}
