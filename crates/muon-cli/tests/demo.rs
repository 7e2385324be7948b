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

/// The number printed right after `label` in `text`.
fn number_after(text: &str, label: &str) -> u64 {
    text.split(label)
        .nth(1)
        .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no number after {label:?} in:\n{text}"))
}

#[test]
fn demo_transfers_and_verifies_over_a_lossy_path() {
    let (ok, stdout, stderr) = muon(&["demo", "--mib", "2", "--loss", "5", "--seed", "3"]);
    assert!(ok, "demo failed: {stderr}\n{stdout}");
    // The real stack came up: candidates from the simulated hosts, ICE over the path, DTLS
    // with the fingerprint check, the channel opened by DCEP on the answer side.
    assert!(
        stdout.contains("candidates host 192.0.2.1:5000"),
        "{stdout}"
    );
    assert!(
        stdout.contains("candidates host 198.51.100.1:6000"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("offerer  ICE Completed (selected pair 192.0.2.1:5000 -> 198.51.100.1:6000)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("DTLS Connected (peer certificate matches the SDP fingerprint)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("answerer data channel \"demo\" announced by the peer"),
        "{stdout}"
    );
    assert!(stdout.contains("connected: ICE in"), "{stdout}");
    assert!(stdout.contains("verified: 128 messages, 2 MiB"), "{stdout}");
    assert!(stdout.contains("transfer: 100.0%"), "{stdout}");
    // State changes are printed in virtual-time order.
    let stamps: Vec<f64> = stdout
        .lines()
        .filter_map(|l| l.trim_start().split_once(" ms  "))
        .filter_map(|(t, _)| t.parse().ok())
        .collect();
    assert!(stamps.len() >= 10, "{stdout}");
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "{stdout}");
    // 5% loss each way cost datagrams towards the receiver, and they are reported; the
    // transfer verified all the same, so they were made good.
    assert!(number_after(&stdout, "lost (") > 0, "{stdout}");
    assert!(
        number_after(&stdout, "SCTP retransmissions: ") > 0,
        "{stdout}"
    );
    // 2 MiB through a 1 MiB high-water mark: the sender paused and the
    // buffered-amount-low event resumed it.
    assert!(
        number_after(&stdout, "buffered-amount-low ") > 0,
        "{stdout}"
    );
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
    let (ok, _, stderr) = muon(&["demo", "--timeout", "0"]);
    assert!(!ok);
    assert!(
        stderr.contains("--timeout must be in (0, 86400]"),
        "{stderr}"
    );
}

#[test]
fn demo_reports_an_ice_failure_and_exits_non_zero() {
    // At 99.99% loss no connectivity check gets through: ICE gives up, and says so.
    let (ok, stdout, stderr) = muon(&["demo", "--mib", "1", "--loss", "99.99"]);
    assert!(!ok, "{stdout}");
    assert!(stdout.contains("ICE Failed"), "{stdout}");
    assert!(stdout.contains("peer connection Failed"), "{stdout}");
    assert!(
        stderr.contains("ICE failed: no candidate pair answered its connectivity checks"),
        "{stderr}"
    );
    assert!(!stdout.contains("verified:"), "{stdout}");
}

#[test]
fn demo_gives_up_at_its_timeout_and_names_the_states() {
    // 50 ms of virtual time is less than the ICE and DTLS round trips over a 20 ms path.
    let (ok, stdout, stderr) = muon(&["demo", "--mib", "1", "--timeout", "0.05"]);
    assert!(!ok, "{stdout}");
    assert!(
        stderr.contains("the data channel did not open within 0.050 s of virtual time"),
        "{stderr}"
    );
    assert!(stderr.contains("offerer: ICE Checking"), "{stderr}");
    assert!(!stdout.contains("connected:"), "{stdout}");
}
