//! STUN servers from the configuration are asked for server-reflexive candidates, and
//! gathering completes once they answered. A muon-ice `StunServer` on a loopback socket
//! plays the server (on loopback the mapped address equals the host one, so no srflx
//! candidate results: RFC 8445 section 5.1.3 drops redundant candidates).
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)]

mod common;

use std::time::Instant;

use common::{config, within};
use muon::PeerConnection;
use muon_ice::StunServer;
use muon_proto::Receive;
use tokio::net::UdpSocket;

#[tokio::test]
async fn configured_stun_servers_are_asked_before_gathering_completes() {
    within(20, async {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let server_addr = socket.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let mut stun = StunServer::new();
            let mut buf = [0u8; 1500];
            loop {
                let (n, from) = socket.recv_from(&mut buf).await.unwrap();
                let rx = Receive {
                    source: from,
                    destination: server_addr,
                    contents: &buf[..n],
                };
                let _ = stun.handle_receive(Instant::now(), rx);
                while let Some(t) = stun.poll_transmit() {
                    socket.send_to(&t.contents, t.destination).await.unwrap();
                }
                if stun.answered() > 0 {
                    return stun.answered();
                }
            }
        });
        let pc = PeerConnection::new(config().with_stun_server(server_addr))
            .await
            .unwrap();
        let offer = pc.create_offer().await.unwrap();
        pc.set_local_description(&offer).await.unwrap();
        pc.gathering_complete().await.unwrap();
        assert_eq!(
            server.await.unwrap(),
            1,
            "one binding request per host candidate"
        );
        let sdp = pc.local_description().unwrap().sdp;
        assert!(sdp.contains("a=end-of-candidates"));
        assert!(sdp.contains("typ host"));
    })
    .await;
}
