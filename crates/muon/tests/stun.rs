//! STUN servers from the configuration are asked for server-reflexive candidates, and
//! gathering completes once they answered. A muon-ice `StunServer` on a loopback socket
//! plays the server (on loopback the mapped address equals the host one, so no srflx
//! candidate results: RFC 8445 section 5.1.3 drops redundant candidates).
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)]

mod common;

use std::sync::atomic::Ordering;

use common::{config, stun_server, within};
use muon::PeerConnection;

#[tokio::test]
async fn configured_stun_servers_are_asked_before_gathering_completes() {
    within(20, async {
        let (server_addr, answered) = stun_server().await;
        let pc = PeerConnection::new(config().with_stun_server(server_addr))
            .await
            .unwrap();
        let offer = pc.create_offer().await.unwrap();
        pc.set_local_description(&offer).await.unwrap();
        pc.gathering_complete().await.unwrap();
        assert_eq!(
            answered.load(Ordering::SeqCst),
            1,
            "one binding request per host candidate"
        );
        let sdp = pc.local_description().unwrap().sdp;
        assert!(sdp.contains("a=end-of-candidates"));
        assert!(sdp.contains("typ host"));
    })
    .await;
}
