//! `muon bench` end to end on loopback: the protocol's output contract (one JSON line, last
//! on stdout, with the protocol's fields and sane values). Small sizes: a smoke test of the
//! yardstick, not a measurement.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

/// Runs `muon bench <args>` and returns its last stdout line.
fn last_line(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_muon"))
        .arg("bench")
        .args(args)
        .output()
        .expect("muon runs");
    assert!(
        out.status.success(),
        "muon bench {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.lines().count(),
        1,
        "exactly one stdout line: {stdout}"
    );
    stdout.lines().last().unwrap().to_owned()
}

/// The number after `"key":` in a flat JSON object.
fn number(line: &str, key: &str) -> f64 {
    let pat = format!("\"{key}\":");
    let start = line.find(&pat).unwrap_or_else(|| panic!("{key} in {line}")) + pat.len();
    let rest = &line[start..];
    let end = rest.find([',', '}']).unwrap();
    rest[..end].parse().unwrap()
}

#[test]
fn dc_transfers_everything_and_reports_the_protocol_fields() {
    let line = last_line(&["dc", "--total", "2M", "--msg", "1000"]);
    assert!(
        line.starts_with("{\"impl\":\"muon\",\"mode\":\"dc\","),
        "{line}"
    );
    assert!(line.ends_with('}'));
    assert!((number(&line, "total_mib") - 2.0).abs() < 1e-9);
    assert!((number(&line, "msg") - 1000.0).abs() < 1e-9);
    assert!(number(&line, "setup_ms") > 0.0);
    assert!(number(&line, "mib_per_s") > 0.0);
    assert!(number(&line, "peak_rss_mib") > 0.0);
}

#[test]
fn conns_opens_every_pair_and_reports_memory_per_pair() {
    let line = last_line(&["conns", "--conns", "4"]);
    assert!(
        line.starts_with("{\"impl\":\"muon\",\"mode\":\"conns\","),
        "{line}"
    );
    assert!((number(&line, "conns") - 4.0).abs() < 1e-9);
    assert!(number(&line, "all_open_ms") > 0.0);
    assert!(number(&line, "peak_rss_mib") > 0.0);
    assert!(number(&line, "rss_per_conn_kib") > 0.0);
}

#[test]
fn bad_sizes_are_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_muon"))
        .args(["bench", "dc", "--total", "0"])
        .output()
        .expect("muon runs");
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
}
