//! muon against Pion v4, both directions: muon offers to `pion-peer answer`, `pion-peer
//! offer` offers to muon's answering [`MuonPeer`]. The offering side runs an [`OfferPlan`]
//! and is judged by its checks; the answering side by what it reported.
//!
//! Each test re-runs itself in a private network namespace (root needed; CI runs as root).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{RUN, STEP, assert_run_passed, run_muon_offering_to_pion, run_pion_offering_to_muon};

use muon::{DataChannelInit, FailReason, PeerConnection, PeerEvent, SessionDescription};
use muon_interop::{
    MuonPeer, OfferPlan, PionPeer, PionVersion, Reliability, Report, muon_config, post_offer,
    reexec_in_private_netns,
};

/// Text and binary echo of 1 B to 256 KiB on two channels, three channels opened by Pion and
/// announced to muon, close-after-first (Pion closes), muon closing its echo channels, Pion
/// closing the connection on `close-pc`, DELETE, and 64 MiB muon -> Pion by hash.
#[test]
fn muon_offers_to_pion() {
    reexec_in_private_netns("muon_offers_to_pion", || {
        let plan = OfferPlan {
            bulk: 64 << 20,
            ..OfferPlan::default()
        };
        run_muon_offering_to_pion(PionVersion::V4, "pion", &plan);
    });
}

/// 50 channels each way at once, 1 B and 16 KiB messages, 64 MiB Pion -> muon by hash; muon
/// closes close-after-first, closes the connection on `close-pc`, and answers the DELETE.
#[test]
fn pion_offers_to_muon() {
    reexec_in_private_netns("pion_offers_to_muon", || {
        let plan = OfferPlan {
            channels: 50,
            sizes: vec![1, 16_384],
            open: 50,
            bulk: 64 << 20,
            ..OfferPlan::default()
        };
        run_pion_offering_to_muon(PionVersion::V4, "pion", &plan);
    });
}

/// Two Pion offerers at once to a muon answerer whose sessions share one UDP port (the mux):
/// both plans pass, and both answers name the same port.
#[test]
fn pion_offers_to_muon_on_one_udp_port() {
    reexec_in_private_netns("pion_offers_to_muon_on_one_udp_port", || {
        let mut muon = MuonPeer::answerer_on_one_port().unwrap();
        let url = muon.offer_url().unwrap();
        let plan = OfferPlan {
            bulk: 8 << 20,
            ..OfferPlan::default()
        };
        let mut first = PionPeer::offerer(&url, &plan).unwrap();
        let mut second = PionPeer::offerer(&url, &plan).unwrap();
        for pion in [&mut first, &mut second] {
            pion.reports().done(RUN).unwrap();
            assert_run_passed("pion", &plan, pion.reports().seen());
            assert!(pion.wait(STEP).unwrap().success());
        }
        let mut ports = Vec::new();
        for _ in 0..2 {
            let r = muon
                .reports()
                .expect(STEP, "muon's answer", |r| r.event() == "local-sdp")
                .unwrap();
            let sdp = r.str("sdp").unwrap().to_owned();
            ports.extend(
                sdp.lines()
                    .filter(|l| l.starts_with("a=candidate:"))
                    .filter_map(|l| l.split(' ').nth(5).map(str::to_owned)),
            );
        }
        assert_eq!(
            ports.len(),
            2,
            "one loopback candidate per answer: {ports:?}"
        );
        assert_eq!(ports[0], ports[1], "both sessions on one port");
    });
}

/// Unordered, unreliable channels (maxRetransmits 0): Pion sees the configuration muon
/// opened them with (checked by `expect_answerer_side`).
#[test]
fn muon_offers_unreliable_channels_to_pion() {
    reexec_in_private_netns("muon_offers_unreliable_channels_to_pion", || {
        let (url, mut pion) = PionPeer::answerer().unwrap();
        let plan = OfferPlan {
            echo_channels: Reliability::Unreliable,
            sizes: vec![1, 1024, 16_384],
            open: 0,
            close_after_first: false,
            ..OfferPlan::default()
        };
        let mut muon = MuonPeer::offerer(&url, &plan).unwrap();
        muon.reports().done(RUN).unwrap();
        assert_run_passed("muon", &plan, muon.reports().seen());
        plan.expect_answerer_side(pion.reports(), STEP).unwrap();
    });
}

/// Unordered (reliable) channels from Pion: muon sees them unordered.
#[test]
fn pion_offers_unordered_channels_to_muon() {
    reexec_in_private_netns("pion_offers_unordered_channels_to_muon", || {
        let mut muon = MuonPeer::answerer().unwrap();
        let plan = OfferPlan {
            echo_channels: Reliability::Unordered,
            open: 0,
            close_after_first: false,
            ..OfferPlan::default()
        };
        let mut pion = PionPeer::offerer(&muon.offer_url().unwrap(), &plan).unwrap();
        pion.reports().done(RUN).unwrap();
        assert_run_passed("pion", &plan, pion.reports().seen());
        plan.expect_answerer_side(muon.reports(), STEP).unwrap();
    });
}

/// muon announces `max-message-size:262144` and Pion keeps to it: it refuses to send one
/// byte more, while 256 KiB is echoed.
#[test]
fn pion_keeps_to_muons_max_message_size() {
    reexec_in_private_netns("pion_keeps_to_muons_max_message_size", || {
        let mut muon = MuonPeer::answerer().unwrap();
        let plan = OfferPlan {
            channels: 1,
            sizes: vec![262_144, 262_145],
            open: 0,
            close_after_first: false,
            ..OfferPlan::default()
        };
        let mut pion = PionPeer::offerer(&muon.offer_url().unwrap(), &plan).unwrap();
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
        assert!(
            muon.reports()
                .expect(STEP, "the muon answer", |r| r.event() == "local-sdp")
                .unwrap()
                .str("sdp")
                .unwrap()
                .contains("a=max-message-size:262144")
        );
    });
}

/// A real Pion answer whose `a=fingerprint` was altered: muon completes DTLS with Pion's
/// certificate, finds it does not match, reports the failure and never opens the channel.
#[test]
fn muon_refuses_pion_certificate_not_matching_the_fingerprint() {
    reexec_in_private_netns(
        "muon_refuses_pion_certificate_not_matching_the_fingerprint",
        || {
            let (url, _pion) = PionPeer::answerer().unwrap();
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let mut pc = PeerConnection::new(muon_config()).await.unwrap();
                let ch = pc
                    .create_data_channel("control", DataChannelInit::default())
                    .await
                    .unwrap();
                let offer = pc.create_offer().await.unwrap();
                pc.set_local_description(&offer).await.unwrap();
                pc.gathering_complete().await.unwrap();
                let offer = pc.local_description().unwrap().sdp;
                let session = tokio::task::spawn_blocking(move || post_offer(&url, &offer, STEP))
                    .await
                    .unwrap()
                    .unwrap();
                let answer = alter_fingerprint(&session.answer);
                assert_ne!(answer, session.answer);
                pc.set_remote_description(&SessionDescription::answer(answer))
                    .await
                    .unwrap();
                let failed = tokio::time::timeout(STEP, async {
                    loop {
                        match pc.next_event().await {
                            Some(PeerEvent::Failed(reason)) => break Some(reason),
                            Some(_) => {}
                            None => break None,
                        }
                    }
                })
                .await
                .expect("muon reports the failure in time");
                assert!(
                    matches!(failed, Some(FailReason::FingerprintMismatch)),
                    "muon fails on the fingerprint: {failed:?}"
                );
                assert!(
                    ch.opened().await.is_err(),
                    "no channel opens without a matching certificate"
                );
            });
        },
    );
}

/// The answer with the last hex digit of its `a=fingerprint` changed.
fn alter_fingerprint(sdp: &str) -> String {
    sdp.split_inclusive('\n')
        .map(|line| {
            if !line.starts_with("a=fingerprint:") {
                return line.to_owned();
            }
            let trimmed = line.trim_end();
            let (head, last) = trimmed.split_at(trimmed.len() - 1);
            let flipped = if last == "0" { "1" } else { "0" };
            format!("{head}{flipped}{}", &line[trimmed.len()..])
        })
        .collect()
}
