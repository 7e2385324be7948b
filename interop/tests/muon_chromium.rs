//! muon against headless Chromium, both directions: muon offers to the page's answering role
//! (through the harness's relay), the page's offering role offers to muon's answering
//! [`MuonPeer`]. The offering side runs an [`OfferPlan`] and is judged by its checks; the
//! answering side by what it reported.
//!
//! Each test re-runs itself in a private network namespace (root needed; CI runs as root).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{RUN, STEP, assert_loopback_candidates, assert_run_passed, drain};

use muon_interop::{
    Chromium, MuonPeer, OfferPlan, Page, Reliability, Report, reexec_in_private_netns,
};

/// The page in its answering role, ready for offers.
fn answering_page() -> (Page, Chromium) {
    let mut page = Page::start().unwrap();
    let browser = Chromium::launch(&page.answerer_page()).unwrap();
    page.reports()
        .expect(STEP * 3, "the page's answering role", |r| {
            r.event() == "ready"
        })
        .unwrap();
    (page, browser)
}

/// Text and binary echo of 1 B to 256 KiB, three channels opened by Chromium and announced
/// to muon, close-after-first (Chromium closes), muon closing its echo channels, Chromium
/// closing the connection on `close-pc`, DELETE, and 64 MiB muon -> Chromium by hash.
#[test]
fn muon_offers_to_chromium() {
    reexec_in_private_netns("muon_offers_to_chromium", || {
        let (mut page, _browser) = answering_page();
        let plan = OfferPlan {
            bulk: 64 << 20,
            ..OfferPlan::default()
        };
        let mut muon = MuonPeer::offerer(&page.offer_url(), &plan).unwrap();
        muon.reports().done(RUN).unwrap();
        drain(page.reports());
        assert_run_passed("muon", &plan, muon.reports().seen());
        assert_loopback_candidates(muon.reports(), "muon offer");
        assert_loopback_candidates(page.reports(), "chromium answer");
        plan.expect_answerer_side(page.reports(), STEP).unwrap();
        for i in 0..plan.open {
            let r = muon
                .reports()
                .expect(STEP, "muon's channel-open of a Chromium channel", |r| {
                    r.is("channel-open", &format!("peer-{i}"))
                })
                .unwrap();
            assert_eq!(r.str("by"), Some("remote"));
        }
    });
}

/// 50 channels each way at once, 1 B and 16 KiB messages, 64 MiB Chromium -> muon by hash;
/// muon closes close-after-first, closes the connection on `close-pc`, answers the DELETE.
#[test]
fn chromium_offers_to_muon() {
    reexec_in_private_netns("chromium_offers_to_muon", || {
        let mut muon = MuonPeer::answerer().unwrap();
        let plan = OfferPlan {
            channels: 50,
            sizes: vec![1, 16_384],
            open: 50,
            bulk: 64 << 20,
            ..OfferPlan::default()
        };
        let mut page = Page::start().unwrap();
        let _browser =
            Chromium::launch(&page.offerer_page(&muon.offer_url().unwrap(), &plan)).unwrap();
        page.reports().done(RUN).unwrap();
        assert_run_passed("chromium", &plan, page.reports().seen());
        assert_loopback_candidates(page.reports(), "chromium offer");
        assert_loopback_candidates(muon.reports(), "muon answer");
        plan.expect_answerer_side(muon.reports(), STEP).unwrap();
    });
}

/// Unordered, unreliable channels (maxRetransmits 0) from muon: Chromium sees the
/// configuration (checked by `expect_answerer_side`).
#[test]
fn muon_offers_unreliable_channels_to_chromium() {
    reexec_in_private_netns("muon_offers_unreliable_channels_to_chromium", || {
        let (mut page, _browser) = answering_page();
        let plan = OfferPlan {
            echo_channels: Reliability::Unreliable,
            sizes: vec![1, 1024, 16_384],
            open: 0,
            close_after_first: false,
            ..OfferPlan::default()
        };
        let mut muon = MuonPeer::offerer(&page.offer_url(), &plan).unwrap();
        muon.reports().done(RUN).unwrap();
        drain(page.reports());
        assert_run_passed("muon", &plan, muon.reports().seen());
        plan.expect_answerer_side(page.reports(), STEP).unwrap();
    });
}

/// Unreliable channels from Chromium: muon sees them unordered with maxRetransmits 0.
#[test]
fn chromium_offers_unreliable_channels_to_muon() {
    reexec_in_private_netns("chromium_offers_unreliable_channels_to_muon", || {
        let mut muon = MuonPeer::answerer().unwrap();
        let plan = OfferPlan {
            echo_channels: Reliability::Unreliable,
            sizes: vec![1, 1024, 16_384],
            open: 0,
            close_after_first: false,
            ..OfferPlan::default()
        };
        let mut page = Page::start().unwrap();
        let _browser =
            Chromium::launch(&page.offerer_page(&muon.offer_url().unwrap(), &plan)).unwrap();
        page.reports().done(RUN).unwrap();
        assert_run_passed("chromium", &plan, page.reports().seen());
        plan.expect_answerer_side(muon.reports(), STEP).unwrap();
    });
}

/// Chromium announces `max-message-size:262144`: muon sends 256 KiB and refuses one byte
/// more locally (the send fails; nothing goes out).
#[test]
fn muon_refuses_a_message_over_chromiums_max_message_size() {
    reexec_in_private_netns(
        "muon_refuses_a_message_over_chromiums_max_message_size",
        || {
            let (page, _browser) = answering_page();
            let plan = OfferPlan {
                channels: 1,
                sizes: vec![262_144, 262_145],
                open: 0,
                close_after_first: false,
                ..OfferPlan::default()
            };
            let mut muon = MuonPeer::offerer(&page.offer_url(), &plan).unwrap();
            muon.reports().done(RUN).unwrap();
            let failed: Vec<&Report> = muon
                .reports()
                .seen()
                .iter()
                .filter(|r| r.event() == "check" && r.bool("ok") == Some(false))
                .collect();
            assert_eq!(failed.len(), 1, "only the oversized send fails: {failed:?}");
            assert_eq!(
                (failed[0].str("name"), failed[0].u64("size")),
                (Some("echo"), Some(262_145))
            );
            let detail = failed[0].str("detail").unwrap_or_default();
            assert!(
                detail.contains("262145 bytes exceeds the maximum of 262144"),
                "refused locally: {detail}"
            );
            assert!(!plan.failures(muon.reports().seen()).is_empty());
        },
    );
}
