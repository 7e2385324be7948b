//! Two muon peers over real loopback sockets under tokio: channels open, 1 byte to 256 KiB
//! messages arrive intact both ways, 100 channels at once, unordered/unreliable settings
//! reach the peer, close from either side, connection close, bad SDP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{config, negotiate, next_channel, within};
use muon::{
    ChannelState, DataChannelInit, Error, PeerConnection, PeerConnectionState, PeerEvent, SdpError,
    SessionDescription,
};
use sha2::{Digest, Sha256};

fn pattern(tag: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(13) ^ tag).collect()
}

#[tokio::test]
async fn messages_from_1_byte_to_256_kib_round_trip() {
    within(60, async {
        let a = PeerConnection::new(config()).await.unwrap();
        let mut b = PeerConnection::new(config()).await.unwrap();
        let chat = a
            .create_data_channel("chat", DataChannelInit::default())
            .await
            .unwrap();
        negotiate(&a, &b).await;
        let mut remote = next_channel(&mut b).await;
        assert_eq!(remote.label(), "chat");
        // b echoes everything back.
        let echo = tokio::spawn(async move {
            while let Some(m) = remote.recv().await {
                if m.binary {
                    remote.send(m.data).await.unwrap();
                } else {
                    remote.send_text(m.text().unwrap()).await.unwrap();
                }
            }
        });
        let mut chat = chat;
        chat.opened().await.unwrap();
        let sizes = [1usize, 100, 1200, 16_384, 65_536, 200_000, 256 * 1024];
        let (mut sent, mut got) = (Sha256::new(), Sha256::new());
        for (i, &n) in sizes.iter().enumerate() {
            let msg = pattern(i as u8, n);
            sent.update(&msg);
            chat.send(msg).await.unwrap();
        }
        chat.send_text("fin").await.unwrap();
        for &n in &sizes {
            let m = chat.recv().await.unwrap();
            assert!(m.binary);
            assert_eq!(m.data.len(), n);
            got.update(&m.data);
        }
        assert_eq!(sent.finalize(), got.finalize(), "echo intact");
        assert_eq!(chat.recv().await.unwrap().text(), Some("fin"));
        // Eight messages each way (plus DCEP), counted by the association.
        let sctp = a.sctp_stats().expect("association up");
        assert!(
            sctp.messages_sent >= 8 && sctp.messages_received >= 8,
            "{sctp:?}"
        );
        assert_eq!(a.stats().dropped_datagrams, 0);
        assert!(matches!(
            chat.send(vec![0u8; 256 * 1024 + 1]).await,
            Err(Error::Rtc(muon::rtc::RtcError::MessageTooLarge { .. }))
        ));
        assert_eq!(a.connection_state(), PeerConnectionState::Connected);
        drop(echo);
    })
    .await;
}

#[tokio::test]
async fn a_hundred_channels_at_once() {
    within(60, async {
        let a = PeerConnection::new(config()).await.unwrap();
        let mut b = PeerConnection::new(config()).await.unwrap();
        let mut ours = Vec::new();
        for i in 0..100 {
            ours.push(
                a.create_data_channel(&format!("c{i}"), DataChannelInit::default())
                    .await
                    .unwrap(),
            );
        }
        negotiate(&a, &b).await;
        for (i, ch) in ours.iter().enumerate() {
            ch.send(pattern(i as u8, 1000 + i)).await.unwrap();
        }
        let mut seen = [false; 100];
        for _ in 0..100 {
            let mut ch = next_channel(&mut b).await;
            let i: usize = ch.label()[1..].parse().unwrap();
            let m = ch.recv().await.unwrap();
            assert_eq!(m.data, pattern(i as u8, 1000 + i));
            seen[i] = true;
        }
        assert!(seen.iter().all(|s| *s));
    })
    .await;
}

#[tokio::test]
async fn unordered_unreliable_settings_reach_the_peer() {
    within(30, async {
        let a = PeerConnection::new(config()).await.unwrap();
        let mut b = PeerConnection::new(config()).await.unwrap();
        let init = DataChannelInit::default()
            .unordered()
            .with_max_retransmits(0);
        let ch = a.create_data_channel("fast", init).await.unwrap();
        assert!(!ch.ordered());
        negotiate(&a, &b).await;
        for i in 0..50u8 {
            ch.send(vec![i; 100]).await.unwrap();
        }
        let mut remote = next_channel(&mut b).await;
        assert!(!remote.ordered(), "DCEP carried the unordered type");
        // Loopback loses nothing: every message arrives, in whatever order.
        let mut got = Vec::new();
        while got.len() < 50 {
            got.push(remote.recv().await.unwrap().data[0]);
        }
        got.sort_unstable();
        assert_eq!(got, (0..50).collect::<Vec<u8>>());
    })
    .await;
}

#[tokio::test]
async fn close_from_either_side_and_the_connection() {
    within(30, async {
        let mut a = PeerConnection::new(config()).await.unwrap();
        let mut b = PeerConnection::new(config()).await.unwrap();
        let x = a
            .create_data_channel("x", DataChannelInit::default())
            .await
            .unwrap();
        let y = a
            .create_data_channel("y", DataChannelInit::default())
            .await
            .unwrap();
        negotiate(&a, &b).await;
        x.opened().await.unwrap();
        y.opened().await.unwrap();
        let mut r1 = next_channel(&mut b).await;
        let mut r2 = next_channel(&mut b).await;
        if r1.label() != "x" {
            std::mem::swap(&mut r1, &mut r2);
        }
        // x closed by the side that opened it, y by the other side.
        x.close();
        r2.close();
        assert_eq!(r1.recv().await, None, "closed: no more messages");
        x.closed().await;
        y.closed().await;
        r2.closed().await;
        assert_eq!(y.state(), ChannelState::Closed);
        assert!(matches!(
            y.send_text("late").await,
            Err(Error::ChannelClosed)
        ));
        // Closing the connection is seen by the peer.
        let z = a
            .create_data_channel("z", DataChannelInit::default())
            .await
            .unwrap();
        z.opened().await.unwrap();
        let rz = next_channel(&mut b).await;
        b.close().await;
        rz.closed().await;
        z.closed().await;
        loop {
            match a.next_event().await {
                Some(PeerEvent::ConnectionState(PeerConnectionState::Closed)) | None => break,
                Some(_) => {}
            }
        }
    })
    .await;
}

#[tokio::test]
async fn bad_sdp_names_the_problem_and_leaves_the_peer_usable() {
    within(30, async {
        let a = PeerConnection::new(config()).await.unwrap();
        let mut b = PeerConnection::new(config()).await.unwrap();
        let ch = a
            .create_data_channel("x", DataChannelInit::default())
            .await
            .unwrap();
        let offer = a.create_offer().await.unwrap();
        a.set_local_description(&offer).await.unwrap();
        let broken: String = offer
            .sdp
            .lines()
            .filter(|l| !l.starts_with("a=fingerprint"))
            .map(|l| format!("{l}\r\n"))
            .collect();
        let err = b
            .set_remote_description(&SessionDescription::offer(broken))
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            Error::Rtc(muon::rtc::RtcError::Sdp(SdpError::MissingFingerprint))
        ));
        b.set_remote_description(&offer).await.unwrap();
        let answer = b.create_answer().await.unwrap();
        b.set_local_description(&answer).await.unwrap();
        a.set_remote_description(&answer).await.unwrap();
        // The offer held our candidates; the answer none yet: trickle b's.
        loop {
            match b.next_event().await.unwrap() {
                PeerEvent::IceCandidate { .. } | PeerEvent::IceGatheringComplete => break,
                _ => {}
            }
        }
        ch.send_text("works").await.unwrap();
        let mut r = next_channel(&mut b).await;
        assert_eq!(r.recv().await.unwrap().text(), Some("works"));
    })
    .await;
}

#[tokio::test]
async fn trickle_signaling_with_candidate_events() {
    within(30, async {
        let mut a = PeerConnection::new(config()).await.unwrap();
        let mut b = PeerConnection::new(config()).await.unwrap();
        let ch = a
            .create_data_channel("t", DataChannelInit::default())
            .await
            .unwrap();
        // Descriptions go out at once; candidates follow as events, end with "".
        let offer = a.create_offer().await.unwrap();
        a.set_local_description(&offer).await.unwrap();
        let stripped = |sdp: &str| -> String {
            sdp.lines()
                .filter(|l| !l.starts_with("a=candidate") && !l.starts_with("a=end-of-candidates"))
                .map(|l| format!("{l}\r\n"))
                .collect()
        };
        b.set_remote_description(&SessionDescription::offer(stripped(&offer.sdp)))
            .await
            .unwrap();
        let answer = b.create_answer().await.unwrap();
        b.set_local_description(&answer).await.unwrap();
        a.set_remote_description(&SessionDescription::answer(stripped(&answer.sdp)))
            .await
            .unwrap();
        async fn relay(from: &mut PeerConnection, to: &PeerConnection) {
            loop {
                match from.next_event().await.unwrap() {
                    PeerEvent::IceCandidate { candidate, .. } => {
                        to.add_ice_candidate(&candidate).await.unwrap();
                    }
                    PeerEvent::IceGatheringComplete => {
                        to.add_ice_candidate("").await.unwrap();
                        return;
                    }
                    _ => {}
                }
            }
        }
        relay(&mut a, &b).await;
        relay(&mut b, &a).await;
        ch.send_text("trickled").await.unwrap();
        let mut r = next_channel(&mut b).await;
        assert_eq!(r.recv().await.unwrap().text(), Some("trickled"));
    })
    .await;
}
