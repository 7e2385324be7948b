//! Many peer connections on one UDP port ([`muon::UdpMux`]), and own sockets in a port range.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)]

mod common;

use common::{config, negotiate, next_channel, stun_server, within};
use muon::{Config, DataChannelInit, InterfaceFilter, PeerConnection, UdpMux};
use tokio::net::UdpSocket;

/// Ports of the host candidates in a description.
fn candidate_ports(sdp: &str) -> Vec<u16> {
    sdp.lines()
        .filter(|l| l.starts_with("a=candidate:") && l.contains("typ host"))
        .filter_map(|l| l.split(' ').nth(5)?.parse().ok())
        .collect()
}

#[tokio::test]
async fn many_sessions_share_one_port_and_each_gets_only_its_own_messages() {
    within(30, async {
        let mux = UdpMux::bind_interfaces(&InterfaceFilter::loopback_only(), 0)
            .await
            .unwrap();
        let port = mux.local_addresses()[0].port();
        let server = config().with_mux(mux.clone());
        let mut echoes = Vec::new();
        let mut clients = Vec::new();
        for i in 0..4 {
            let client = PeerConnection::new(config()).await.unwrap();
            let mut answerer = PeerConnection::new(server.clone()).await.unwrap();
            assert_eq!(answerer.local_addresses()[0].port(), port);
            let label = format!("session-{i}");
            let ch = client
                .create_data_channel(&label, DataChannelInit::default())
                .await
                .unwrap();
            negotiate(&client, &answerer).await;
            let answer = answerer.local_description().unwrap().sdp;
            assert_eq!(candidate_ports(&answer), vec![port], "{answer}");
            echoes.push(tokio::spawn(async move {
                let mut remote = next_channel(&mut answerer).await;
                while let Some(m) = remote.recv().await {
                    let reply = format!("{}:{}", remote.label(), m.text().unwrap());
                    remote.send_text(&reply).await.unwrap();
                }
                answerer
            }));
            clients.push((client, ch, label));
        }
        assert_eq!(mux.stats().peers, 4);
        for round in 0..20 {
            for (_, ch, _) in &clients {
                ch.send_text(&round.to_string()).await.unwrap();
            }
            for (_, ch, label) in &mut clients {
                let got = ch.recv().await.unwrap();
                assert_eq!(got.text().unwrap(), format!("{label}:{round}"));
            }
        }
        let stats = mux.stats();
        assert!(
            stats.delivered > 0 && stats.dropped_queue_full == 0,
            "{stats:?}"
        );
        assert!(stats.router.routed_by_ufrag >= 4, "{stats:?}");
        // Closing the clients ends the echo loops; the answerers then leave the mux.
        for (client, ch, _) in clients {
            drop(ch);
            client.close().await;
        }
        for echo in echoes {
            let answerer = echo.await.unwrap();
            answerer.close().await;
        }
        for _ in 0..100 {
            if mux.stats().peers == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let stats = mux.stats();
        assert_eq!((stats.peers, stats.router.agents), (0, 0), "{stats:?}");
    })
    .await;
}

#[tokio::test]
async fn strangers_on_the_shared_port_are_counted_and_change_nothing() {
    within(30, async {
        let mux = UdpMux::bind_interfaces(&InterfaceFilter::loopback_only(), 0)
            .await
            .unwrap();
        let addr = mux.local_addresses()[0];
        let client = PeerConnection::new(config()).await.unwrap();
        let mut answerer = PeerConnection::new(config().with_mux(mux.clone()))
            .await
            .unwrap();
        let stranger = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        // DTLS-looking garbage, a STUN request naming nobody, and a bare STUN header.
        let mut binding = vec![0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42];
        binding.extend_from_slice(&[7; 12]);
        for _ in 0..50 {
            stranger
                .send_to(b"\x16\xfe\xfd garbage", addr)
                .await
                .unwrap();
            stranger.send_to(&binding, addr).await.unwrap();
        }
        let ch = client
            .create_data_channel("after", DataChannelInit::default())
            .await
            .unwrap();
        negotiate(&client, &answerer).await;
        let mut remote = next_channel(&mut answerer).await;
        ch.send_text("still here").await.unwrap();
        assert_eq!(remote.recv().await.unwrap().text(), Some("still here"));
        let stats = mux.stats();
        assert_eq!(stats.unrouted, 100, "{stats:?}");
        assert_eq!(
            stats.router.addresses, 1,
            "only the client's address is bound"
        );
    })
    .await;
}

#[tokio::test]
async fn peers_behind_the_mux_get_their_own_stun_answers() {
    within(30, async {
        let (server_addr, _) = stun_server().await;
        let mux = UdpMux::bind_interfaces(&InterfaceFilter::loopback_only(), 0)
            .await
            .unwrap();
        let cfg = config().with_mux(mux.clone()).with_stun_server(server_addr);
        let a = PeerConnection::new(cfg.clone()).await.unwrap();
        let b = PeerConnection::new(cfg).await.unwrap();
        for pc in [&a, &b] {
            let offer = pc.create_offer().await.unwrap();
            pc.set_local_description(&offer).await.unwrap();
        }
        a.gathering_complete().await.unwrap();
        b.gathering_complete().await.unwrap();
        // Both asked the same server from the same port; each answer reached its asker.
        assert_eq!(
            mux.stats().router.routed_by_transaction,
            2,
            "{:?}",
            mux.stats()
        );
    })
    .await;
}

#[tokio::test]
async fn own_sockets_take_a_port_from_the_configured_range() {
    within(30, async {
        // A free range of four ports: find one by binding and releasing.
        let probe = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let low = probe.local_addr().unwrap().port().min(u16::MAX - 4);
        drop(probe);
        let cfg = Config::default()
            .with_interfaces(InterfaceFilter::loopback_only())
            .with_udp_ports(low, low + 3);
        let a = PeerConnection::new(cfg.clone()).await.unwrap();
        let b = PeerConnection::new(cfg).await.unwrap();
        for pc in [&a, &b] {
            let p = pc.local_addresses()[0].port();
            assert!(
                (low..=low + 3).contains(&p),
                "{p} outside {low}-{}",
                low + 3
            );
        }
        assert_ne!(a.local_addresses(), b.local_addresses());
        let ch = a
            .create_data_channel("ranged", DataChannelInit::default())
            .await
            .unwrap();
        negotiate(&a, &b).await;
        let mut b = b;
        let mut remote = next_channel(&mut b).await;
        ch.send_text("in range").await.unwrap();
        assert_eq!(remote.recv().await.unwrap().text(), Some("in range"));
    })
    .await;
}

#[tokio::test]
async fn a_taken_port_is_an_error_that_says_so() {
    let taken = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let err = UdpMux::bind([taken.local_addr().unwrap()])
        .await
        .unwrap_err();
    assert!(matches!(err, muon::Error::Io(_)), "{err}");
}

#[tokio::test]
async fn a_range_with_no_free_port_says_so() {
    let taken = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let cfg = config().with_udp_ports(port, port);
    let err = PeerConnection::new(cfg).await.unwrap_err();
    assert!(
        matches!(err, muon::Error::NoFreePort { low, high } if low == port && high == port),
        "{err}"
    );
}
