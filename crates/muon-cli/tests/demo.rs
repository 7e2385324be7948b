//! `muon demo` as a user runs it: the binary, its output and its exit status.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn muon(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_muon"))
        .args(args)
        .output()
        .expect("run muon");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn demo_transfers_and_verifies_over_a_lossy_path() {
    let (ok, stdout, stderr) = muon(&["demo", "--mib", "2", "--loss", "5", "--seed", "3"]);
    assert!(ok, "demo failed: {stderr}\n{stdout}");
    assert!(stdout.contains("connected: DTLS 1.2"), "{stdout}");
    assert!(stdout.contains("verified: 128 messages, 2 MiB"), "{stdout}");
    assert!(stdout.contains("transfer: 100.0%"), "{stdout}");
    // 5% loss each way must have cost retransmissions, and they are reported.
    let retransmits: u64 = stdout
        .split("SCTP retransmissions: ")
        .nth(1)
        .and_then(|s| s.split(';').next())
        .and_then(|s| s.trim().parse().ok())
        .expect("retransmission count printed");
    assert!(retransmits > 0, "{stdout}");
}

#[test]
fn demo_replays_exactly_from_its_seed() {
    let run = |seed: &str| {
        let (ok, stdout, stderr) = muon(&["demo", "--mib", "1", "--loss", "3", "--seed", seed]);
        assert!(ok, "{stderr}");
        // Drop the wall-clock figures; everything else is virtual and must repeat.
        stdout
            .lines()
            .map(|l| {
                l.split(", wall")
                    .next()
                    .unwrap_or(l)
                    .split("; ")
                    .next()
                    .unwrap_or(l)
            })
            .map(|l| l.split(" s virtual").next().unwrap_or(l).to_owned())
            .collect::<Vec<_>>()
    };
    let a = run("11");
    assert_eq!(a, run("11"));
    assert_ne!(
        a,
        run("12"),
        "different seeds give different certificates and losses"
    );
}

#[test]
fn demo_rejects_bad_options_with_a_message() {
    let (ok, _, stderr) = muon(&["demo", "--loss", "150"]);
    assert!(!ok);
    assert!(stderr.contains("--loss must be in [0, 100)"), "{stderr}");
    let (ok, _, stderr) = muon(&["demo", "--msg", "0"]);
    assert!(!ok);
    assert!(stderr.contains("--msg must be"), "{stderr}");
}
