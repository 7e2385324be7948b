//! `muon serve` as a user meets it: the binary on a loopback port, muon peers and plain
//! HTTP requests against it. Proves the WHIP-shaped contract (201, application/sdp,
//! Location, complete answer), text and binary echo, DELETE, the 4xx answers (with the
//! server still serving after them), audio/video sections rejected in a valid answer, the
//! page, and the cleanup of sessions that end or never connect.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod serve_common;

use std::time::Duration;

use muon::PeerConnectionState;
use serve_common::{Serve, apply_answer, client, http, post_sdp, within};

/// A request body and its content type.
type Body = Option<(&'static str, Vec<u8>)>;

const AV_OFFER: &str = include_str!("../../muon-sdp/tests/fixtures/chromium-av-offer.sdp");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offer_gets_a_complete_answer_and_every_message_is_echoed() {
    let serve = Serve::start(&[]);
    within(60, async {
        let (pc, mut chans, offer) = client(&["text", "binary"]).await;
        let r = http(
            "POST",
            serve.url("/whip"),
            Some(("application/sdp", offer.into_bytes())),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text());
        assert_eq!(r.get_header("content-type"), Some("application/sdp"));
        let location = r.get_header("location").unwrap().to_owned();
        let id = location.strip_prefix("/session/").unwrap();
        assert!(
            id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "{location}"
        );
        let answer = r.text();
        assert!(
            answer.contains("a=candidate:"),
            "non-trickle answer has candidates"
        );
        assert!(answer.contains("a=end-of-candidates"), "{answer}");
        apply_answer(&pc, answer).await;

        let [text, binary] = &mut chans[..] else {
            unreachable!()
        };
        for msg in ["hello", "", "ünïcødé ✓"] {
            text.send_text(msg).await.unwrap();
            let m = text.recv().await.unwrap();
            assert!(!m.binary, "text comes back as text");
            assert_eq!(m.text(), Some(msg));
        }
        for size in [1, 1200, 65_536] {
            let data: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
            binary.send(data.clone()).await.unwrap();
            let m = binary.recv().await.unwrap();
            assert!(m.binary, "binary comes back as binary");
            assert_eq!(&m.data[..], &data[..]);
        }

        let r = http("DELETE", serve.url(&location), None).await;
        assert_eq!(r.status, 200);
        let r = http("DELETE", serve.url(&location), None).await;
        assert_eq!(r.status, 404, "a session ends once");
        // The server closed its side: the client's channels close.
        within(20, text.closed()).await;
        let mut state = pc.connection_state();
        for _ in 0..100 {
            if matches!(
                state,
                PeerConnectionState::Closed | PeerConnectionState::Failed
            ) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            state = pc.connection_state();
        }
        assert!(
            matches!(
                state,
                PeerConnectionState::Closed | PeerConnectionState::Failed
            ),
            "{state:?}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_a_4xx_saying_why_and_the_server_keeps_serving() {
    let serve = Serve::start(&[]);
    within(60, async {
        let (_, _, offer) = client(&["x"]).await;
        let cases: Vec<(&str, Body, u16, &str)> = vec![
            (
                "/offer",
                Some(("text/plain", offer.clone().into_bytes())),
                415,
                "application/sdp",
            ),
            ("/offer", None, 415, "application/sdp"),
            (
                "/offer",
                Some(("application/sdp", Vec::new())),
                400,
                "empty",
            ),
            (
                "/offer",
                Some(("application/sdp", b" \r\n".to_vec())),
                400,
                "empty",
            ),
            (
                "/offer",
                Some(("application/sdp", vec![0xff, 0xfe, 0])),
                400,
                "UTF-8",
            ),
            (
                "/offer",
                Some(("application/sdp", b"hello, world".to_vec())),
                400,
                "parse",
            ),
            (
                "/offer",
                Some((
                    "application/sdp",
                    offer.replace("a=ice-pwd", "a=x-pwd").into_bytes(),
                )),
                400,
                "ice-pwd",
            ),
            (
                "/offer",
                Some((
                    "application/sdp",
                    AV_OFFER.split("m=application").next().unwrap().into(),
                )),
                400,
                "data channel",
            ),
            (
                "/offer",
                Some(("application/sdp", vec![b'a'; 100_000])),
                413,
                "",
            ),
            ("/nothing", None, 404, "not found"),
        ];
        for (path, body, status, says) in cases {
            let r = http("POST", serve.url(path), body).await;
            assert_eq!(r.status, status, "{path}: {}", r.text());
            assert!(r.text().contains(says), "{path} {status}: {:?}", r.text());
        }
        let r = http("DELETE", serve.url("/session/not-an-id"), None).await;
        assert_eq!(r.status, 404);
        let r = http(
            "DELETE",
            serve.url(&format!("/session/{}", "0".repeat(32))),
            None,
        )
        .await;
        assert_eq!(r.status, 404);

        // Still serving, and the session works.
        let (pc, mut chans, offer) = client(&["after"]).await;
        let r = post_sdp(&serve, &offer).await;
        assert_eq!(r.status, 201, "{}", r.text());
        apply_answer(&pc, r.text()).await;
        chans[0].send_text("still here").await.unwrap();
        assert_eq!(chans[0].recv().await.unwrap().text(), Some("still here"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audio_and_video_sections_are_rejected_in_a_valid_answer() {
    let serve = Serve::start(&[]);
    within(30, async {
        let r = post_sdp(&serve, AV_OFFER).await;
        assert_eq!(r.status, 201, "{}", r.text());
        let answer = r.text();
        let kinds: Vec<&str> = answer.lines().filter(|l| l.starts_with("m=")).collect();
        assert_eq!(
            kinds.len(),
            3,
            "one answer section per offered section: {answer}"
        );
        assert!(kinds[0].starts_with("m=audio 0 "), "{}", kinds[0]);
        assert!(kinds[1].starts_with("m=video 0 "), "{}", kinds[1]);
        assert!(
            kinds[2].starts_with("m=application ") && !kinds[2].starts_with("m=application 0 ")
        );
        // The answer parses as SDP.
        muon_sdp::Session::parse(&answer).unwrap();
        let location = r.get_header("location").unwrap().to_owned();
        assert_eq!(http("DELETE", serve.url(&location), None).await.status, 200);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_origins_may_post_offers() {
    let serve = Serve::start(&[]);
    let r = http("OPTIONS", serve.url("/offer"), None).await;
    assert_eq!(r.status, 204);
    assert_eq!(r.get_header("access-control-allow-origin"), Some("*"));
    assert!(
        r.get_header("access-control-allow-methods")
            .unwrap()
            .contains("POST")
    );
    let r = post_sdp(&serve, AV_OFFER).await;
    assert_eq!(r.status, 201);
    assert_eq!(
        r.get_header("access-control-expose-headers"),
        Some("Location")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_served() {
    let serve = Serve::start(&[]);
    let r = http("GET", serve.url("/"), None).await;
    assert_eq!(r.status, 200);
    assert!(
        r.get_header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let page = r.text();
    for needle in [
        "RTCPeerConnection",
        "fetch(\"/offer\"",
        "<progress",
        "DELETE",
    ] {
        assert!(page.contains(needle), "page lacks {needle}");
    }
}

/// Polls `GET /session/<id>` until it answers 404; `false` after 10 s.
async fn gone(serve: &Serve, location: &str) -> bool {
    for _ in 0..100 {
        if http("GET", serve.url(location), None).await.status == 404 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_that_never_connect_or_whose_peer_leaves_are_cleaned_up() {
    let serve = Serve::start(&["--connect-timeout", "2"]);
    within(60, async {
        // Never connects: live at first, gone after the connect timeout.
        let (_idle, _, offer) = client(&["x"]).await;
        let r = post_sdp(&serve, &offer).await;
        assert_eq!(r.status, 201);
        let idle = r.get_header("location").unwrap().to_owned();
        assert_eq!(http("GET", serve.url(&idle), None).await.status, 200);

        // Connects, then the client closes: the server sees the close and ends the session
        // (well before the connect timeout matters, since it connected).
        let (pc, mut chans, offer) = client(&["y"]).await;
        let r = post_sdp(&serve, &offer).await;
        assert_eq!(r.status, 201);
        let left = r.get_header("location").unwrap().to_owned();
        apply_answer(&pc, r.text()).await;
        chans[0].send_text("hi").await.unwrap();
        assert_eq!(chans[0].recv().await.unwrap().text(), Some("hi"));
        assert_eq!(http("GET", serve.url(&left), None).await.status, 200);
        pc.close().await;
        drop(pc);

        assert!(
            gone(&serve, &idle).await,
            "{idle} outlived its connect timeout"
        );
        assert!(gone(&serve, &left).await, "{left} outlived its peer");
    })
    .await;
}

/// Host candidate ports of an answer.
fn candidate_ports(sdp: &str) -> Vec<u16> {
    sdp.lines()
        .filter(|l| l.starts_with("a=candidate:") && l.contains("typ host"))
        .filter_map(|l| l.split(' ').nth(5)?.parse().ok())
        .collect()
}

/// Three sessions against a server with `extra` options: each echoes; returns the
/// candidate ports of the three answers.
async fn three_sessions(serve: &Serve) -> Vec<u16> {
    let mut ports = Vec::new();
    let mut sessions = Vec::new();
    for i in 0..3 {
        let (pc, mut chans, offer) = client(&["echo"]).await;
        let r = post_sdp(serve, &offer).await;
        assert_eq!(r.status, 201, "{}", r.text());
        let answer = r.text();
        ports.extend(candidate_ports(&answer));
        apply_answer(&pc, answer).await;
        let ch = chans.pop().unwrap();
        ch.send_text(&format!("session {i}")).await.unwrap();
        sessions.push((pc, ch, i));
    }
    for (_pc, ch, i) in &mut sessions {
        let m = ch.recv().await.unwrap();
        assert_eq!(m.text(), Some(format!("session {i}").as_str()));
    }
    ports
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_udp_port_serves_every_session() {
    let serve = Serve::start(&["--udp-port", "0"]);
    within(60, async {
        let ports = three_sessions(&serve).await;
        assert_eq!(ports.len(), 3, "one loopback candidate per answer");
        assert!(ports.iter().all(|p| *p == ports[0]), "{ports:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_udp_port_range_gives_each_session_a_port_inside_it() {
    // A range of free ports: the neighbours of a port the OS just handed out.
    let probe = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let low = probe.local_addr().unwrap().port().min(u16::MAX - 20);
    drop(probe);
    let (low, high) = (low, low + 20);
    let serve = Serve::start(&["--udp-port", &format!("{low}-{high}")]);
    within(60, async {
        let ports = three_sessions(&serve).await;
        assert_eq!(ports.len(), 3);
        assert!(
            ports.iter().all(|p| (low..=high).contains(p)),
            "{ports:?} not in {low}-{high}"
        );
        let mut distinct = ports.clone();
        distinct.dedup();
        assert_eq!(
            distinct.len(),
            3,
            "each session has its own port: {ports:?}"
        );
    })
    .await;
}

#[test]
fn a_bad_udp_port_is_refused_with_a_reason() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_muon"))
        .args(["serve", "--udp-port", "9-8"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("LOW <= HIGH"), "{err}");
}
