//! `muon serve` runs for days: 1000 sessions created and ended leave its memory where it
//! started. The server's resident set (VmRSS of the child) is read after a warm-up and again
//! after 1000 sessions, of which every 20th connects and echoes before it is deleted; the rest
//! are deleted while their ICE checks are still pending. A leaked peer connection costs well
//! over 100 KiB (sockets, engine, queues), so 1000 of them would show far above the tolerance.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod serve_common;

use std::time::Duration;

use serve_common::{Serve, apply_answer, client, http, post_sdp, within};

/// Sessions in the measured run.
const SESSIONS: usize = 1000;
/// Every this-many-th session connects and echoes.
const CONNECT_EVERY: usize = 20;
/// Allowed growth of the server's RSS over the run (allocator caches, arenas).
const TOLERANCE_KIB: u64 = 8 * 1024;

async fn one_session(serve: &Serve, offer: &str, connect: bool) {
    if connect {
        let (pc, mut chans, offer) = client(&["m"]).await;
        let r = post_sdp(serve, &offer).await;
        assert_eq!(r.status, 201, "{}", r.text());
        let location = r.get_header("location").unwrap().to_owned();
        apply_answer(&pc, r.text()).await;
        chans[0].send(vec![7u8; 4096]).await.unwrap();
        assert_eq!(chans[0].recv().await.unwrap().data.len(), 4096);
        assert_eq!(http("DELETE", serve.url(&location), None).await.status, 200);
    } else {
        let r = post_sdp(serve, offer).await;
        assert_eq!(r.status, 201, "{}", r.text());
        let location = r.get_header("location").unwrap().to_owned();
        assert_eq!(http("DELETE", serve.url(&location), None).await.status, 200);
    }
}

/// RSS once the server has had a moment to finish closing what was deleted.
async fn settled_rss(serve: &Serve) -> u64 {
    tokio::time::sleep(Duration::from_millis(1500)).await;
    serve.rss_kib()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_sessions_leave_memory_where_it_started() {
    thousand_sessions(&[]).await;
}

/// The same with every session on one shared UDP port: each leaves the mux when it ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_sessions_on_one_udp_port_leave_memory_where_it_started() {
    thousand_sessions(&["--udp-port", "0"]).await;
}

async fn thousand_sessions(extra: &[&str]) {
    let mut args = vec!["--max-sessions", "4"];
    args.extend_from_slice(extra);
    let serve = Serve::start(&args);
    within(600, async {
        // Every unconnected session answers the same offer: nobody answers its checks.
        let (_pc, _, offer) = client(&["m"]).await;
        for i in 0..100 {
            one_session(&serve, &offer, i % CONNECT_EVERY == 0).await;
        }
        let before = settled_rss(&serve).await;
        let mut last = String::new();
        for i in 0..SESSIONS {
            one_session(&serve, &offer, i % CONNECT_EVERY == 0).await;
            if i == SESSIONS - 1 {
                let r = post_sdp(&serve, &offer).await;
                last = r.get_header("location").unwrap().to_owned();
            }
        }
        assert_eq!(http("DELETE", serve.url(&last), None).await.status, 200);
        let after = settled_rss(&serve).await;
        eprintln!("serve RSS: {before} KiB after warm-up, {after} KiB after {SESSIONS} sessions");
        assert!(
            after <= before + TOLERANCE_KIB,
            "RSS grew from {before} KiB to {after} KiB over {SESSIONS} sessions"
        );
        // --max-sessions 4: had any of the 1000 sessions stayed, offers would get 503.
        let r = post_sdp(&serve, &offer).await;
        assert_eq!(r.status, 201, "sessions were all removed: {}", r.text());
    })
    .await;
}
