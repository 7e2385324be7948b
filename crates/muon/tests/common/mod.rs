//! Helpers: peers on loopback, non-trickle offer/answer, bounded waits.
#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use muon::{Config, DataChannel, InterfaceFilter, PeerConnection, PeerEvent};

pub fn config() -> Config {
    Config::default().with_interfaces(InterfaceFilter::loopback_only())
}

/// Fails the test instead of hanging.
pub async fn within<T>(secs: u64, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), f)
        .await
        .expect("timed out")
}

/// Non-trickle offer/answer: each side waits for gathering and sends a complete description.
pub async fn negotiate(offerer: &PeerConnection, answerer: &PeerConnection) {
    let offer = offerer.create_offer().await.unwrap();
    offerer.set_local_description(&offer).await.unwrap();
    offerer.gathering_complete().await.unwrap();
    let offer = offerer.local_description().unwrap();
    answerer.set_remote_description(&offer).await.unwrap();
    let answer = answerer.create_answer().await.unwrap();
    answerer.set_local_description(&answer).await.unwrap();
    answerer.gathering_complete().await.unwrap();
    let answer = answerer.local_description().unwrap();
    offerer.set_remote_description(&answer).await.unwrap();
}

/// The next data channel the peer opened towards `pc`.
pub async fn next_channel(pc: &mut PeerConnection) -> DataChannel {
    loop {
        match pc.next_event().await {
            Some(PeerEvent::DataChannel(ch)) => return ch,
            Some(_) => {}
            None => panic!("connection ended"),
        }
    }
}

/// A STUN server (muon-ice's `StunServer`) on a loopback socket, serving until the runtime
/// ends; returns its address and a count of the requests it answered.
#[allow(clippy::disallowed_methods)]
pub async fn stun_server() -> (SocketAddr, Arc<AtomicU64>) {
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    let answered = Arc::new(AtomicU64::new(0));
    let count = Arc::clone(&answered);
    tokio::spawn(async move {
        let mut stun = muon_ice::StunServer::new();
        let mut buf = [0u8; 1500];
        loop {
            let (n, from) = socket.recv_from(&mut buf).await.unwrap();
            let rx = muon_proto::Receive {
                source: from,
                destination: addr,
                contents: &buf[..n],
            };
            let _ = stun.handle_receive(Instant::now(), rx);
            while let Some(t) = stun.poll_transmit() {
                socket.send_to(&t.contents, t.destination).await.unwrap();
            }
            count.store(stun.answered(), Ordering::SeqCst);
        }
    });
    (addr, answered)
}
