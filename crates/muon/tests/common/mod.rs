//! Helpers: peers on loopback, non-trickle offer/answer, bounded waits.
#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::time::Duration;

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
