//! `muon perf` as a user runs it: the binary against `muon serve` (every bulk feature), against
//! the Pion echo peer (a server muon did not write, interop/pion), and against servers that
//! misbehave: garbage instead of an answer, a refused offer, a wrong DTLS fingerprint, a
//! session ended mid-transfer. Each must end (bounded), with the right exit status and a
//! message naming what failed. Transfers are small: these run in debug builds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod serve_common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use muon_interop::PionPeer;
use muon_interop::http::{Response, Server, request};
use serde_json::Value;
use serve_common::Serve;

/// What a `muon perf` run left: exit success, stdout, stderr.
struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }
}

/// Runs `muon perf URL args...`, killing it (and failing) after `secs`.
fn perf(url: &str, args: &[&str], secs: u64) -> Run {
    let child = Command::new(env!("CARGO_BIN_EXE_muon"))
        .arg("perf")
        .arg(url)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(out) => {
            let out = out.unwrap();
            Run {
                ok: out.status.success(),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            }
        }
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("muon perf {url} {args:?} did not finish within {secs} s");
        }
    }
}

/// Checks a successful JSON report: pings, channels, and for reliable runs every byte back.
fn check_ok(run: &Run, channels: u64, reliable: bool) -> Value {
    assert!(run.ok, "perf failed: {}\n{}", run.stderr, run.stdout);
    let v = run.json();
    assert_eq!(v["ok"], true);
    assert_eq!(v["error"], Value::Null);
    assert_eq!(v["delete_status"], 200, "session ended with DELETE");
    assert_eq!(v["ping"]["count"], 20);
    assert!(v["ping"]["min_ms"].as_f64().unwrap() <= v["ping"]["p99_ms"].as_f64().unwrap());
    let b = &v["bulk"];
    assert_eq!(b["channels"], channels);
    assert_eq!(b["per_channel"].as_array().unwrap().len() as u64, channels);
    assert_eq!(b["sent_bytes"], 1 << 20);
    assert_eq!(b["reliable"], reliable);
    if reliable {
        assert_eq!(b["echoed_bytes"], 1 << 20, "every byte echoed");
        assert_eq!(b["sha256_match"], true);
        assert_eq!(b["lost_messages"], 0);
    } else {
        let sent = b["sent_messages"].as_u64().unwrap();
        let echoed = b["echoed_messages"].as_u64().unwrap();
        assert!(echoed <= sent);
        assert_eq!(b["lost_messages"].as_u64().unwrap(), sent - echoed);
        assert_eq!(b["sha256_match"], Value::Null);
    }
    v
}

const SMALL: [&str; 5] = ["--json", "--pings", "20", "--bytes", "1M"];

fn small(extra: &[&'static str]) -> Vec<&'static str> {
    let mut a = SMALL.to_vec();
    a.extend_from_slice(extra);
    a
}

#[test]
fn every_bulk_feature_against_muon_serve() {
    let serve = Serve::start(&[]);
    let url = serve.url("/offer");
    let v = check_ok(&perf(&url, &small(&[]), 120), 1, true);
    assert_eq!(v["bulk"]["ordered"], true);
    assert_eq!(v["bulk"]["msg"], 16384);
    let v = check_ok(
        &perf(&url, &small(&["--unordered", "--msg", "1000"]), 120),
        1,
        true,
    );
    assert_eq!(
        (v["bulk"]["ordered"].clone(), v["bulk"]["msg"].clone()),
        (false.into(), 1000.into())
    );
    let v = check_ok(&perf(&url, &small(&["--channels", "4"]), 120), 4, true);
    for ch in v["bulk"]["per_channel"].as_array().unwrap() {
        assert_eq!(ch["echoed_bytes"], ch["sent_bytes"]);
    }
    let v = check_ok(
        &perf(
            &url,
            &small(&["--max-retransmits", "2", "--channels", "2"]),
            120,
        ),
        2,
        false,
    );
    assert_eq!(v["bulk"]["max_retransmits"], 2);
    let v = check_ok(
        &perf(&url, &small(&["--unordered", "--max-lifetime", "500"]), 120),
        1,
        false,
    );
    assert_eq!(v["bulk"]["max_lifetime_ms"], 500);
    assert_eq!(v["bulk"]["ordered"], false);

    // Plain output: the summary names the figures.
    let run = perf(&url, &["--pings", "5", "--bytes", "256K"], 60);
    assert!(run.ok, "{}", run.stderr);
    for needle in [
        "ping: 5 round trips",
        "echoed",
        "MiB/s",
        "SHA-256",
        "DELETE answered 200",
    ] {
        assert!(
            run.stdout.contains(needle),
            "summary lacks {needle:?}:\n{}",
            run.stdout
        );
    }
}

#[test]
fn against_the_pion_echo_peer() {
    let (url, pion) = PionPeer::answerer().unwrap();
    check_ok(&perf(&url, &small(&["--channels", "2"]), 180), 2, true);
    check_ok(
        &perf(
            &url,
            &small(&["--unordered", "--max-retransmits", "0"]),
            180,
        ),
        1,
        false,
    );
    pion.shutdown(Duration::from_secs(10)).unwrap();
}

/// Fails with a non-zero status and a message containing `says`, in stderr and in the JSON.
fn check_fails(run: &Run, says: &str) {
    eprintln!("perf said: {}", run.stderr.trim());
    assert!(
        !run.ok,
        "perf succeeded against a bad server: {}",
        run.stdout
    );
    assert!(
        run.stderr.contains(says),
        "stderr lacks {says:?}: {}",
        run.stderr
    );
    let v = run.json();
    assert_eq!(v["ok"], false);
    assert!(v["error"].as_str().unwrap().contains(says), "{v}");
}

#[test]
fn garbage_or_refusals_fail_clearly() {
    let garbage = Server::start(|_| {
        Response::new(201)
            .header("Location", "/session/1")
            .body("application/sdp", "this is not SDP")
    })
    .unwrap();
    check_fails(
        &perf(&garbage.url("/offer"), &SMALL, 30),
        "answer is not usable",
    );

    let refuses =
        Server::start(|_| Response::new(503).body("text/plain", "busy, go away")).unwrap();
    check_fails(
        &perf(&refuses.url("/offer"), &SMALL, 30),
        "HTTP 503: busy, go away",
    );

    // Not HTTP at all.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"\x00\x01 what is this\r\n\r\n");
        }
    });
    check_fails(
        &perf(&format!("http://{addr}/offer"), &SMALL, 30),
        "malformed HTTP response",
    );

    // Nobody listening.
    let free = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    check_fails(
        &perf(&format!("http://{free}/offer"), &SMALL, 30),
        "cannot reach the server",
    );
}

/// A signaling proxy in front of `muon serve` that passes offers and DELETEs through, with
/// `edit` applied to the answer and `after_answer` run (on its own thread) once answered.
fn proxy(serve_base: String, edit: fn(String) -> String, after_answer: fn(String)) -> Server {
    Server::start(move |req| {
        let url = format!("{serve_base}{}", req.target);
        let body = (!req.body.is_empty()).then_some(("application/sdp", req.body.as_slice()));
        let r = request(&req.method, &url, body, Duration::from_secs(10)).unwrap();
        let mut out = Response::new(r.status);
        if let Some(l) = r.get_header("location") {
            out = out.header("Location", l);
            if req.method == "POST" {
                let session = format!("{serve_base}{l}");
                std::thread::spawn(move || after_answer(session));
            }
        }
        out.body(
            r.get_header("content-type").unwrap_or("text/plain"),
            edit(r.text()),
        )
    })
    .unwrap()
}

#[test]
fn a_wrong_fingerprint_fails_dtls() {
    let serve = Serve::start(&[]);
    // Flip the last hex digit of the fingerprint: the certificate no longer matches.
    let p = proxy(
        serve.base.clone(),
        |answer| {
            answer
                .lines()
                .map(|l| match l.strip_prefix("a=fingerprint:") {
                    Some(fp) => {
                        let mut fp = fp.to_owned();
                        let last = fp.pop().unwrap();
                        fp.push(if last == '0' { '1' } else { '0' });
                        format!("a=fingerprint:{fp}\r\n")
                    }
                    None => format!("{l}\r\n"),
                })
                .collect()
        },
        |_| {},
    );
    check_fails(&perf(&p.url("/offer"), &SMALL, 60), "DTLS failed");
}

#[test]
fn a_server_closing_mid_transfer_fails_clearly() {
    let serve = Serve::start(&[]);
    // The session is deleted behind perf's back 1.5 s after the answer: well into a 256 MiB
    // bulk phase, which in a debug build takes much longer than that.
    let p = proxy(
        serve.base.clone(),
        |answer| answer,
        |session| {
            std::thread::sleep(Duration::from_millis(1500));
            let _ = request("DELETE", &session, None, Duration::from_secs(10));
        },
    );
    let run = perf(
        &p.url("/offer"),
        &["--json", "--pings", "5", "--bytes", "256M"],
        60,
    );
    assert!(!run.ok, "perf succeeded: {}", run.stdout);
    eprintln!("perf said: {}", run.stderr.trim());
    assert!(run.stderr.contains("closed"), "{}", run.stderr);
    let v = run.json();
    assert!(v["error"].as_str().unwrap().contains("bulk"), "{v}");
    assert_eq!(
        v["ping"]["count"], 5,
        "the ping phase completed before the close"
    );
}

#[test]
fn a_server_ice_cannot_reach_times_out_naming_the_stage() {
    let serve = Serve::start(&[]);
    // The answer's ICE password is not the server's: perf's connectivity checks fail their
    // integrity check at the server, and the server's responses fail at perf. No pair works.
    let p = proxy(
        serve.base.clone(),
        |answer| {
            answer
                .lines()
                .map(|l| match l.strip_prefix("a=ice-pwd:") {
                    Some(_) => "a=ice-pwd:0123456789abcdefghijklmn\r\n".to_owned(),
                    None => format!("{l}\r\n"),
                })
                .collect()
        },
        |_| {},
    );
    let run = perf(&p.url("/offer"), &["--json", "--connect-timeout", "3"], 30);
    eprintln!("perf said: {}", run.stderr.trim());
    assert!(!run.ok);
    assert!(
        run.stderr.contains("timeout: not connected within 3 s")
            || run.stderr.contains("connection failed: ICE"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.json()["ping"],
        Value::Null,
        "never got to the ping phase"
    );
    assert_eq!(
        run.json()["delete_status"],
        200,
        "the session is ended even so"
    );
}

/// The session URL the proxy saw last (`after_answer` is a plain `fn`).
static SESSION: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

#[test]
fn a_client_that_vanishes_mid_transfer_is_cleaned_up_by_the_server() {
    let serve = Serve::start(&[]);
    let p = proxy(
        serve.base.clone(),
        |answer| answer,
        |session| *SESSION.lock().unwrap() = Some(session),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_muon"))
        .args(["perf", &p.url("/offer"), "--pings", "5", "--bytes", "1G"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut session = None;
    for _ in 0..100 {
        session = SESSION.lock().unwrap().clone();
        if session.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let session = session.expect("perf posted an offer");
    std::thread::sleep(Duration::from_secs(2));
    let live = request("GET", &session, None, Duration::from_secs(10)).unwrap();
    assert_eq!(live.status, 200, "the session is live mid-transfer");
    // SIGKILL: no DTLS close_notify, no SCTP ABORT; the server only sees silence.
    child.kill().unwrap();
    child.wait().unwrap();
    let t0 = std::time::Instant::now();
    let mut gone = false;
    while t0.elapsed() < Duration::from_secs(90) {
        if request("GET", &session, None, Duration::from_secs(10))
            .unwrap()
            .status
            == 404
        {
            gone = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    eprintln!("vanished client's session removed after {:?}", t0.elapsed());
    assert!(gone, "the session outlived its silent client by 90 s");
}
