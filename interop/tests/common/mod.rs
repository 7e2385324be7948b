//! Bounds and checks every real-peer test file shares.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use muon_interop::{MuonPeer, OfferPlan, PionPeer, PionVersion, Report, Reports};

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

/// muon offers to Pion `version` running `plan`: muon's run passes, both descriptions name only
/// 127.0.0.1, Pion saw the answering side of the plan, and the channels Pion opened were
/// announced to muon as remote-opened and ordered. `who` names Pion in messages.
pub fn run_muon_offering_to_pion(version: PionVersion, who: &str, plan: &OfferPlan) {
    let (url, mut pion) = PionPeer::answerer_of(version).unwrap();
    let mut muon = MuonPeer::offerer(&url, plan).unwrap();
    muon.reports().done(RUN).unwrap();
    assert_run_passed("muon", plan, muon.reports().seen());
    assert_loopback_candidates(muon.reports(), "muon offer");
    assert_loopback_candidates(pion.reports(), &format!("{who} answer"));
    plan.expect_answerer_side(pion.reports(), STEP).unwrap();
    for i in 0..plan.open {
        let r = muon
            .reports()
            .expect(STEP, "muon's channel-open of a Pion channel", |r| {
                r.is("channel-open", &format!("peer-{i}"))
            })
            .unwrap();
        assert_eq!(
            (r.str("by"), r.bool("ordered")),
            (Some("remote"), Some(true))
        );
    }
}

/// Pion `version` offers to muon's answerer running `plan`: Pion's run passes and it exits
/// cleanly, both descriptions name only 127.0.0.1, muon saw the answering side of the plan
/// and its connection closed. `who` names Pion in messages.
pub fn run_pion_offering_to_muon(version: PionVersion, who: &str, plan: &OfferPlan) {
    let mut muon = MuonPeer::answerer().unwrap();
    let mut pion = PionPeer::offerer_of(version, &muon.offer_url().unwrap(), plan).unwrap();
    pion.reports().done(RUN).unwrap();
    assert_run_passed(who, plan, pion.reports().seen());
    assert!(pion.wait(STEP).unwrap().success());
    assert_loopback_candidates(pion.reports(), &format!("{who} offer"));
    assert_loopback_candidates(muon.reports(), "muon answer");
    plan.expect_answerer_side(muon.reports(), STEP).unwrap();
    muon.reports()
        .expect(STEP, "muon's connection closed", |r| {
            r.event() == "pc-state" && r.str("state") == Some("Closed")
        })
        .unwrap();
}
