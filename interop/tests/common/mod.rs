//! Bounds and checks every real-peer test file shares.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use muon_interop::{OfferPlan, Report, Reports};

/// Bound on one offering run end to end (the peers' own plan timeout is 60 s).
pub const RUN: Duration = Duration::from_secs(90);
/// Bound on each single report or reply expected after a run.
pub const STEP: Duration = Duration::from_secs(10);

/// The offering side's run met its plan; prints its bulk rate.
pub fn assert_run_passed(who: &str, plan: &OfferPlan, reports: &[Report]) {
    let failures = plan.failures(reports);
    assert!(
        failures.is_empty(),
        "{who}'s offering run failed:\n{}",
        failures.join("\n")
    );
    if let Some(rate) = OfferPlan::bulk_rate(reports) {
        println!("{who} bulk: {} MiB at {rate:.1} MB/s", plan.bulk >> 20);
    }
}

/// The peer's SDP (offer or answer) is complete and names only 127.0.0.1: no mDNS `.local`
/// name, no other interface.
pub fn assert_loopback_candidates(reports: &mut Reports, who: &str) {
    let r = reports
        .expect(STEP, "a local-sdp report", |r| r.event() == "local-sdp")
        .unwrap();
    let sdp = r.str("sdp").unwrap();
    let candidates: Vec<&str> = sdp
        .lines()
        .filter(|l| l.starts_with("a=candidate:"))
        .collect();
    assert!(
        !candidates.is_empty(),
        "{who}: no candidates in a non-trickle SDP:\n{sdp}"
    );
    for c in candidates {
        assert_eq!(c.split(' ').nth(4), Some("127.0.0.1"), "{who}: {c}");
    }
}

/// Reads what else a peer reported (printed, so a failure shows both sides).
pub fn drain(reports: &mut Reports) {
    while reports
        .next(Duration::from_millis(300), "more reports")
        .is_ok()
    {}
}
