//! muon against Pion v3 (Debian bookworm's `golang-github-pion-webrtc.v3-dev`, 3.1.56), both
//! directions. The peer is interop/pion's source built in GOPATH mode ([`PionVersion::V3`]);
//! the runs are judged exactly like the Pion v4 ones in muon_pion.rs.
//!
//! Pion v3.1.56 receives no message over 65535 bytes: its DataChannel reads into a
//! `math.MaxUint16` buffer, and a longer message fails the read with `io.ErrShortBuffer`,
//! which closes the channel on Pion's side only. Its SDP has no `a=max-message-size`, so
//! RFC 8841 section 6.1's default of 65536 applies and muon may send 65536 bytes: the plans
//! here stop at 65535 ([`V3_SIZES`]), and muon sends no bulk to Pion v3 (the offerers' bulk
//! messages are 64 KiB). Pion v3 sending to muon has no such limit (muon announces 262144).
//!
//! Each test re-runs itself in a private network namespace (root needed; CI runs as root).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{RUN, STEP, assert_loopback_candidates, assert_run_passed};

use muon_interop::{MuonPeer, OfferPlan, PionPeer, PionVersion, reexec_in_private_netns};

/// Echo sizes up to the largest message Pion v3 receives.
const V3_SIZES: [usize; 4] = [1, 1024, 16_384, 65_535];

/// The default plan with [`V3_SIZES`]: echo on two channels, three channels opened by Pion
/// v3, close-after-first closed by Pion, muon closing its echo channels, `close-pc` by Pion,
/// DELETE. No bulk: its 64 KiB messages are one byte over what Pion v3 receives.
#[test]
fn muon_offers_to_pion_v3() {
    reexec_in_private_netns("muon_offers_to_pion_v3", || {
        let (url, mut pion) = PionPeer::answerer_of(PionVersion::V3).unwrap();
        let plan = OfferPlan {
            sizes: V3_SIZES.to_vec(),
            ..OfferPlan::default()
        };
        let mut muon = MuonPeer::offerer(&url, &plan).unwrap();
        muon.reports().done(RUN).unwrap();
        assert_run_passed("muon", &plan, muon.reports().seen());
        assert_loopback_candidates(muon.reports(), "muon offer");
        assert_loopback_candidates(pion.reports(), "pion v3 answer");
        plan.expect_answerer_side(pion.reports(), STEP).unwrap();
        for i in 0..plan.open {
            let r = muon
                .reports()
                .expect(STEP, "muon's channel-open of a Pion v3 channel", |r| {
                    r.is("channel-open", &format!("peer-{i}"))
                })
                .unwrap();
            assert_eq!(
                (r.str("by"), r.bool("ordered")),
                (Some("remote"), Some(true))
            );
        }
    });
}

/// The default plan with [`V3_SIZES`] run by Pion v3 against muon's answerer, and 16 MiB
/// Pion v3 -> muon (64 KiB messages) by hash; muon closes close-after-first, closes the connection on `close-pc`, and answers the
/// DELETE.
#[test]
fn pion_v3_offers_to_muon() {
    reexec_in_private_netns("pion_v3_offers_to_muon", || {
        let mut muon = MuonPeer::answerer().unwrap();
        let plan = OfferPlan {
            bulk: 16 << 20,
            sizes: V3_SIZES.to_vec(),
            ..OfferPlan::default()
        };
        let mut pion =
            PionPeer::offerer_of(PionVersion::V3, &muon.offer_url().unwrap(), &plan).unwrap();
        pion.reports().done(RUN).unwrap();
        assert_run_passed("pion v3", &plan, pion.reports().seen());
        assert!(pion.wait(STEP).unwrap().success());
        assert_loopback_candidates(pion.reports(), "pion v3 offer");
        assert_loopback_candidates(muon.reports(), "muon answer");
        plan.expect_answerer_side(muon.reports(), STEP).unwrap();
        muon.reports()
            .expect(STEP, "muon's connection closed", |r| {
                r.event() == "pc-state" && r.str("state") == Some("Closed")
            })
            .unwrap();
    });
}
