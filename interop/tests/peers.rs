//! The real peers against each other: proves the Pion peer, the Chromium page and the
//! harness before muon takes either side (interop/README.md lists the muon tests to come).
//!
//! Each test re-runs itself in a private network namespace (root needed; CI runs as root).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{RUN, STEP, assert_loopback_candidates, assert_run_passed};

use std::collections::HashMap;
use std::fs;
use std::sync::{Arc, Mutex};

use muon_interop::http::request;
use muon_interop::{
    Chromium, Endpoint, OfferPlan, Page, PionPeer, Reliability, Report, Session, post_offer,
    reexec_in_private_netns,
};

#[test]
fn chromium_offers_to_pion() {
    reexec_in_private_netns("chromium_offers_to_pion", || {
        let (url, mut pion) = PionPeer::answerer().unwrap();
        let plan = OfferPlan {
            bulk: 64 << 20,
            ..OfferPlan::default()
        };
        let mut page = Page::start().unwrap();
        let _browser = Chromium::launch(&page.offerer_page(&url, &plan)).unwrap();
        page.reports().done(RUN).unwrap();
        assert_run_passed("offerer", &plan, page.reports().seen());
        assert_loopback_candidates(page.reports(), "chromium offer");
        assert_loopback_candidates(pion.reports(), "pion answer");
        plan.expect_answerer_side(pion.reports(), STEP).unwrap();
        assert!(
            pion.shutdown(STEP).unwrap().success(),
            "pion answerer exits cleanly on EOF"
        );
    });
}

#[test]
fn pion_offers_to_chromium() {
    reexec_in_private_netns("pion_offers_to_chromium", || {
        let mut page = Page::start().unwrap();
        let _browser = Chromium::launch(&page.answerer_page()).unwrap();
        page.reports()
            .expect(STEP * 3, "the page's answering role", |r| {
                r.event() == "ready"
            })
            .unwrap();
        let plan = OfferPlan {
            channels: 3,
            bulk: 64 << 20,
            ..OfferPlan::default()
        };
        let mut pion = PionPeer::offerer(&page.offer_url(), &plan).unwrap();
        pion.reports().done(RUN).unwrap();
        assert_run_passed("offerer", &plan, pion.reports().seen());
        assert!(
            pion.wait(STEP).unwrap().success(),
            "a passing offerer exits 0"
        );
        assert_loopback_candidates(pion.reports(), "pion offer");
        assert_loopback_candidates(page.reports(), "chromium answer");
        plan.expect_answerer_side(page.reports(), STEP).unwrap();
    });
}

#[test]
fn pion_offers_to_pion() {
    reexec_in_private_netns("pion_offers_to_pion", || {
        let (url, mut answerer) = PionPeer::answerer().unwrap();
        // 50 channels each way at once, and the bulk transfer.
        let plan = OfferPlan {
            channels: 50,
            sizes: vec![1, 16_384],
            open: 50,
            bulk: 64 << 20,
            ..OfferPlan::default()
        };
        let mut offerer = PionPeer::offerer(&url, &plan).unwrap();
        offerer.reports().done(RUN).unwrap();
        assert_run_passed("offerer", &plan, offerer.reports().seen());
        plan.expect_answerer_side(answerer.reports(), STEP).unwrap();
    });
}

/// The signaling contract, spoken by hand to the Pion answerer with the harness's HTTP
/// client: what muon's offering side will do.
#[test]
fn pion_answerer_keeps_the_signaling_contract() {
    reexec_in_private_netns("pion_answerer_keeps_the_signaling_contract", || {
        let (url, pion) = PionPeer::answerer().unwrap();
        let offer = fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../crates/muon-sdp/tests/fixtures/chromium-data-offer.sdp"
        ))
        .unwrap();
        let whip = url.replace("/offer", "/whip");
        for endpoint in [&url, &whip] {
            let r = request("POST", endpoint, Some(("application/sdp", &offer)), STEP).unwrap();
            assert_eq!(r.status, 201, "{}", r.text());
            assert_eq!(r.get_header("content-type"), Some("application/sdp"));
            let answer = r.text();
            assert!(
                answer.contains("a=setup:active") || answer.contains("a=setup:passive"),
                "{answer}"
            );
            assert!(
                answer.contains(" 127.0.0.1 ") && answer.contains("typ host"),
                "complete answer: {answer}"
            );
            assert!(!answer.contains(".local"), "no mDNS names: {answer}");
            let location = r.get_header("location").unwrap();
            assert!(location.starts_with("/session/"), "{location}");
            let session = url.replace("/offer", location);
            assert_eq!(request("DELETE", &session, None, STEP).unwrap().status, 200);
            assert_eq!(
                request("DELETE", &session, None, STEP).unwrap().status,
                404,
                "deleted once"
            );
        }
        let wrong_type = request("POST", &url, Some(("text/plain", &offer)), STEP).unwrap();
        assert_eq!(wrong_type.status, 415);
        let garbage = request(
            "POST",
            &url,
            Some(("application/sdp", b"v=0\r\nnonsense")),
            STEP,
        )
        .unwrap();
        assert_eq!(garbage.status, 400);
        let get = request("GET", &url, None, STEP).unwrap();
        assert_eq!(get.status, 405);
        assert!(pion.shutdown(STEP).unwrap().success());
    });
}

/// The harness's own endpoint in the middle, as muon will sit: Pion offers to an [`Endpoint`]
/// whose answer comes from another Pion peer through [`post_offer`], and whose session end is
/// a DELETE there. Proves both halves of muon's side of the signaling with real SDP.
#[test]
fn harness_endpoint_relays_between_pion_peers() {
    reexec_in_private_netns("harness_endpoint_relays_between_pion_peers", || {
        let (url, mut answerer) = PionPeer::answerer().unwrap();
        let sessions: Arc<Mutex<HashMap<String, Session>>> = Arc::default();
        let (on_offer, on_end) = (Arc::clone(&sessions), Arc::clone(&sessions));
        let endpoint = Endpoint::start(
            move |id, offer| {
                let session = post_offer(&url, offer, STEP).ok()?;
                let answer = session.answer.clone();
                on_offer.lock().unwrap().insert(id.to_owned(), session);
                Some(answer)
            },
            move |id| {
                if let Some(session) = on_end.lock().unwrap().remove(id) {
                    assert_eq!(session.delete(STEP).unwrap(), 200);
                }
            },
        )
        .unwrap();
        let plan = OfferPlan {
            sizes: vec![1, 262_144],
            ..OfferPlan::default()
        };
        let mut offerer = PionPeer::offerer(&endpoint.offer_url(), &plan).unwrap();
        offerer.reports().done(RUN).unwrap();
        assert_run_passed("offerer", &plan, offerer.reports().seen());
        plan.expect_answerer_side(answerer.reports(), STEP).unwrap();
        assert!(
            sessions.lock().unwrap().is_empty(),
            "the DELETE reached the answerer"
        );
    });
}

#[test]
fn chromium_offers_unordered_channels_to_pion() {
    reexec_in_private_netns("chromium_offers_unordered_channels_to_pion", || {
        let (url, mut pion) = PionPeer::answerer().unwrap();
        let plan = OfferPlan {
            echo_channels: Reliability::Unordered,
            open: 0,
            close_after_first: false,
            ..OfferPlan::default()
        };
        let mut page = Page::start().unwrap();
        let _browser = Chromium::launch(&page.offerer_page(&url, &plan)).unwrap();
        page.reports().done(RUN).unwrap();
        assert_run_passed("offerer", &plan, page.reports().seen());
        plan.expect_answerer_side(pion.reports(), STEP).unwrap();
    });
}

/// Unreliable channels (no retransmissions) still deliver every message on a lossless
/// loopback when one message is in flight at a time; the point is that DCEP carried the
/// configuration, which `expect_answerer_side` checks.
#[test]
fn pion_offers_unreliable_channels_to_chromium() {
    reexec_in_private_netns("pion_offers_unreliable_channels_to_chromium", || {
        let mut page = Page::start().unwrap();
        let _browser = Chromium::launch(&page.answerer_page()).unwrap();
        page.reports()
            .expect(STEP * 3, "the page's answering role", |r| {
                r.event() == "ready"
            })
            .unwrap();
        let plan = OfferPlan {
            echo_channels: Reliability::Unreliable,
            sizes: vec![1, 1024, 16_384],
            open: 0,
            close_after_first: false,
            ..OfferPlan::default()
        };
        let mut pion = PionPeer::offerer(&page.offer_url(), &plan).unwrap();
        pion.reports().done(RUN).unwrap();
        assert_run_passed("offerer", &plan, pion.reports().seen());
        plan.expect_answerer_side(page.reports(), STEP).unwrap();
    });
}

/// Limits announced are enforced: Chromium announces `max-message-size:262144`, and Pion
/// refuses to send one byte more. Also shows that a failing check fails the run.
#[test]
fn pion_refuses_a_message_over_chromiums_max_message_size() {
    reexec_in_private_netns(
        "pion_refuses_a_message_over_chromiums_max_message_size",
        || {
            let mut page = Page::start().unwrap();
            let _browser = Chromium::launch(&page.answerer_page()).unwrap();
            page.reports()
                .expect(STEP * 3, "the page's answering role", |r| {
                    r.event() == "ready"
                })
                .unwrap();
            let plan = OfferPlan {
                channels: 1,
                sizes: vec![262_144, 262_145],
                open: 0,
                close_after_first: false,
                ..OfferPlan::default()
            };
            let mut pion = PionPeer::offerer(&page.offer_url(), &plan).unwrap();
            pion.reports().done(RUN).unwrap();
            let failed: Vec<&Report> = pion
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
            assert!(!plan.failures(pion.reports().seen()).is_empty());
            assert!(
                !pion.wait(STEP).unwrap().success(),
                "a failing offerer exits non-zero"
            );
        },
    );
}
