//! muon against Pion v3 (Debian bookworm's `golang-github-pion-webrtc.v3-dev`, 3.1.56), both
//! directions. The peer is interop/pion's source built in GOPATH mode ([`PionVersion::V3`]);
//! the runs are judged exactly like the Pion v4 ones in muon_pion.rs.
//!
//! Pion v3.1.56 receives no message over 65535 bytes: its DataChannel reads into a
//! `math.MaxUint16` buffer, and a longer message fails the read with `io.ErrShortBuffer`,
//! which closes the channel on Pion's side only. Its SDP has no `a=max-message-size`, so
//! RFC 8841 section 6.1's default of 65536 applies and muon may send 65536 bytes: the plans
//! here stop at 65535 ([`V3_SIZES`]), and muon's bulk to Pion v3 is sent in 65535-byte
//! messages. Pion v3 sending to muon has no such limit (muon announces 262144).
//!
//! Each test re-runs itself in a private network namespace (root needed; CI runs as root).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{RUN, STEP, run_muon_offering_to_pion, run_pion_offering_to_muon};

use muon_interop::{MuonPeer, OfferPlan, PionPeer, PionVersion, reexec_in_private_netns};

/// Echo sizes up to the largest message Pion v3 receives.
const V3_SIZES: [usize; 4] = [1, 1024, 16_384, 65_535];

/// The default plan with [`V3_SIZES`]: echo on two channels, three channels opened by Pion
/// v3, close-after-first closed by Pion, muon closing its echo channels, `close-pc` by Pion,
/// DELETE; and 16 MiB muon -> Pion v3 by hash, in 65535-byte messages.
#[test]
fn muon_offers_to_pion_v3() {
    reexec_in_private_netns("muon_offers_to_pion_v3", || {
        let plan = OfferPlan {
            sizes: V3_SIZES.to_vec(),
            bulk: 16 << 20,
            bulk_message: 65_535,
            ..OfferPlan::default()
        };
        run_muon_offering_to_pion(PionVersion::V3, "pion v3", &plan);
    });
}

/// The default plan with [`V3_SIZES`] run by Pion v3 against muon's answerer, and 16 MiB
/// Pion v3 -> muon (64 KiB messages) by hash; muon closes close-after-first, closes the connection on `close-pc`, and answers the
/// DELETE.
#[test]
fn pion_v3_offers_to_muon() {
    reexec_in_private_netns("pion_v3_offers_to_muon", || {
        let plan = OfferPlan {
            bulk: 16 << 20,
            sizes: V3_SIZES.to_vec(),
            ..OfferPlan::default()
        };
        run_pion_offering_to_muon(PionVersion::V3, "pion v3", &plan);
    });
}

/// Pins the Pion v3 limit above (so a fixed Debian Pion shows up here): its answer has no
/// `a=max-message-size` (RFC 8841's default 65536 applies), a 65535-byte message is echoed,
/// and a 65536-byte one makes Pion v3 close the channel on its side without echoing it.
#[test]
fn pion_v3_receives_no_message_over_65535_bytes() {
    reexec_in_private_netns("pion_v3_receives_no_message_over_65535_bytes", || {
        let (url, mut pion) = PionPeer::answerer_of(PionVersion::V3).unwrap();
        let plan = OfferPlan {
            channels: 1,
            sizes: vec![65_535, 65_536],
            open: 0,
            close_after_first: false,
            close_pc: false,
            timeout: Duration::from_secs(5),
            ..OfferPlan::default()
        };
        let mut muon = MuonPeer::offerer(&url, &plan).unwrap();
        let done = muon.reports().done(RUN).unwrap();
        let seen = muon.reports().seen();
        let echo = |kind: &str, size: u64| {
            seen.iter()
                .find(|r| {
                    r.is("check", "echo-0")
                        && r.str("kind") == Some(kind)
                        && r.u64("size") == Some(size)
                })
                .and_then(|r| r.bool("ok"))
        };
        assert_eq!(
            (echo("text", 65_535), echo("binary", 65_535)),
            (Some(true), Some(true))
        );
        // muon's run never gets that echo back: it ends at the plan's timeout.
        assert_ne!(echo("text", 65_536), Some(true));
        assert_eq!(done.bool("ok"), Some(false));
        let answer = pion
            .reports()
            .expect(STEP, "Pion v3's answer", |r| r.event() == "local-sdp")
            .unwrap();
        assert!(!answer.str("sdp").unwrap().contains("a=max-message-size"));
        pion.reports()
            .expect(STEP, "Pion v3 closing echo-0", |r| {
                r.is("channel-closed", "echo-0")
            })
            .unwrap();
    });
}
